// Plot text that collides, in every shown plotly chart: tick labels of one axis on top of each
// other (crowded ticks), tick labels running onto a neighbouring panel, colour-bar labels on a
// panel, point labels on top of each other.
//
// Boxes are compared in the labels' own frame: plotly turns crowded category labels by an
// angle, and turned labels whose screen rectangles intersect may not touch at all. A box is as
// tall as the font (ascenders to descenders), not the line with its spacing.
((overlap) => {
    // Tick labels of every axis: plotly names their groups xtick, y2tick, x3tick...
    const TICKS = '.xaxislayer-above > g > text, .yaxislayer-above > g > text';
    const found = [];
    const frame = (text) => {
        const m = text.getCTM();
        const b = text.getBBox();
        const angle = Math.atan2(m.b, m.a);
        const scale = Math.hypot(m.a, m.b);
        const cx = m.a * (b.x + b.width / 2) + m.c * (b.y + b.height / 2) + m.e;
        const cy = m.b * (b.x + b.width / 2) + m.d * (b.y + b.height / 2) + m.f;
        const cos = Math.cos(-angle), sin = Math.sin(-angle);
        return { x: cos * cx - sin * cy, y: sin * cx + cos * cy, w: b.width * scale, h: parseFloat(getComputedStyle(text).fontSize) * scale };
    };
    const collide = (a, b) => (a.w + b.w) / 2 - Math.abs(a.x - b.x) > overlap
        && (a.h + b.h) / 2 - Math.abs(a.y - b.y) > overlap;
    const shown = (text) => {
        const box = text.getBoundingClientRect();
        return text.textContent.trim() && box.width > 0 && box.height > 0;
    };
    const pairs = (labels, what) => {
        for (let i = 0; i < labels.length; i++) {
            for (let j = i + 1; j < labels.length; j++) {
                if (collide(labels[i].box, labels[j].box)) {
                    found.push(`${what} overlap: "${labels[i].label}" and "${labels[j].label}"`);
                }
            }
        }
    };
    for (const plot of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
        if (plot.getBoundingClientRect().width === 0) continue;
        const axes = new Map();
        for (const text of plot.querySelectorAll(TICKS)) {
            if (!shown(text)) continue;
            const layer = text.parentNode.parentNode;  // the axis's layer holds its ticks
            if (!axes.has(layer)) axes.set(layer, []);
            axes.get(layer).push({ label: text.textContent.trim(), box: frame(text) });
        }
        for (const labels of axes.values()) pairs(labels, 'tick labels');
        // Each cartesian panel's plot area is its drag rectangle; a tick label of one panel on
        // the plot area of another covers its bars or points.
        const areas = [...plot.querySelectorAll('.draglayer > g')]
            .map((g) => ({ id: g.classList[0], rect: g.querySelector('.nsewdrag') }))
            .filter((area) => area.rect && area.rect.getBoundingClientRect().width > 0);
        for (const subplot of plot.querySelectorAll('.cartesianlayer > g.subplot')) {
            const id = [...subplot.classList].find((name) => name !== 'subplot');
            for (const text of subplot.querySelectorAll(TICKS)) {
                if (!shown(text)) continue;
                const box = text.getBoundingClientRect();
                for (const area of areas) {
                    if (area.id === id) continue;
                    const other = area.rect.getBoundingClientRect();
                    const across = Math.min(box.right, other.right) - Math.max(box.left, other.left);
                    const down = Math.min(box.bottom, other.bottom) - Math.max(box.top, other.top);
                    // A label that touches the next panel's edge (a pixel or two) is not on it.
                    if (across > overlap + 2 && down > overlap + 2) {
                        found.push(`tick label "${text.textContent.trim()}" runs onto another panel`);
                    }
                }
            }
        }
        // A colour bar's labels stand beside the panels, never on one (with four panels in
        // one phone-wide figure, NMF's bar labels lay on the SVD panel).
        for (const text of plot.querySelectorAll('.colorbar text')) {
            if (!shown(text)) continue;
            const box = text.getBoundingClientRect();
            for (const area of areas) {
                const other = area.rect.getBoundingClientRect();
                const across = Math.min(box.right, other.right) - Math.max(box.left, other.left);
                const down = Math.min(box.bottom, other.bottom) - Math.max(box.top, other.top);
                if (across > overlap + 2 && down > overlap + 2) {
                    found.push(`colour-bar label "${text.textContent.trim()}" lies on a panel`);
                }
            }
        }
        const points = [...plot.querySelectorAll('.textpoint text')].filter(shown)
            .map((text) => ({ label: text.textContent.trim(), box: frame(text) }));
        pairs(points, 'point labels');
    }
    return found;
})
