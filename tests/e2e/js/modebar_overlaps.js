// Plotly toolbar (modebar) buttons a reader sees on top of a figure's text, in every shown
// plotly chart of the main area: its title, subplot titles and other annotations, axis titles,
// colour-bar titles and legend entries. On a touch screen (no hover) plotly shows the toolbar
// all the time, in the figure's top right corner, where titles sit.
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
