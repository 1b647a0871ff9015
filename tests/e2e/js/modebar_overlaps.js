// Plotly toolbar (modebar) buttons a reader sees on top of a figure's text, in every shown
// plotly chart of the main area: its title, subplot titles and other annotations, axis titles,
// colour-bar titles and legend entries. On a touch screen (no hover) plotly shows the toolbar
// all the time, in the figure's top right corner, where titles sit. A toolbar moved out of the
// way must stay in sight: a button cut off by a box around it (overflow other than visible) is
// reported too, since a toolbar hidden that way covers nothing but cannot be used either
// (scrollers are not boxes that cut: scrolled, they show what they hold).
(() => {
    const found = [];
    const visible = (el) => {
        for (let node = el; node && node !== document.body; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.display === 'none' || style.visibility === 'hidden'
                || parseFloat(style.opacity) === 0) {
                return false;
            }
        }
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0;
    };
    const TEXT = '.gtitle, .annotation-text, .g-xtitle text, .g-ytitle text, .cbtitle text, '
        + '.legendtext';
    const charts = [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
        .filter((plot) => plot.getBoundingClientRect().width > 0);
    charts.forEach((plot, index) => {
        const buttons = [...plot.querySelectorAll('.modebar-btn')].filter(visible);
        const texts = [...plot.querySelectorAll(TEXT)]
            .filter((text) => text.textContent.trim() && visible(text));
        for (const button of buttons) {
            const b = button.getBoundingClientRect();
            for (let box = button.parentElement; box && box !== document.body;
                box = box.parentElement) {
                const style = getComputedStyle(box);
                if (style.overflowX === 'visible' && style.overflowY === 'visible') { continue; }
                // A scroller (the main area) shows what it holds when the reader scrolls; the
                // boxes around it hold the scroller, not the button.
                if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) {
                    break;
                }
                const c = box.getBoundingClientRect();
                if (b.left < c.left - 1 || b.right > c.right + 1 || b.top < c.top - 1
                    || b.bottom > c.bottom + 1) {
                    found.push(`chart ${index}: toolbar button "${button.getAttribute('data-title')}"`
                        + ` is cut off by its box (${box.className || box.tagName})`);
                    break;
                }
            }
            for (const text of texts) {
                const t = text.getBoundingClientRect();
                if (b.left < t.right && t.left < b.right && b.top < t.bottom && t.top < b.bottom) {
                    found.push(`chart ${index}: toolbar button "${button.getAttribute('data-title')}"`
                        + ` covers "${text.textContent.trim().slice(0, 40)}"`);
                }
            }
        }
    });
    return found;
})
