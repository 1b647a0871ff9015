// Tick labels of one axis that overlap each other (crowded ticks), in every shown plotly chart.
//
// Boxes are compared in the labels' own frame: plotly turns crowded category labels by an
// angle, and turned labels whose screen rectangles intersect may not touch at all. A box is as
// tall as the font (ascenders to descenders), not the line with its spacing.
((overlap) => {
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
    for (const plot of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
        if (plot.getBoundingClientRect().width === 0) continue;
        const axes = new Map();
        for (const text of plot.querySelectorAll('.xtick text, .ytick text')) {
            const box = text.getBoundingClientRect();
            if (!text.textContent.trim() || box.width === 0 || box.height === 0) continue;
            const layer = text.parentNode.parentNode;  // the axis's layer holds its ticks
            if (!axes.has(layer)) axes.set(layer, []);
            axes.get(layer).push({ label: text.textContent.trim(), box: frame(text) });
        }
        for (const labels of axes.values()) {
            for (let i = 0; i < labels.length; i++) {
                for (let j = i + 1; j < labels.length; j++) {
                    const a = labels[i].box, b = labels[j].box;
                    const across = (a.w + b.w) / 2 - Math.abs(a.x - b.x);
                    const down = (a.h + b.h) / 2 - Math.abs(a.y - b.y);
                    if (across > overlap && down > overlap) {
                        found.push(`tick labels overlap: "${labels[i].label}" and "${labels[j].label}"`);
                    }
                }
            }
        }
    }
    return found;
})
