// The computed font sizes (px) of each class of text in the main area, by role: the page's own
// text, and the text of every shown plotly chart, pooled (`plot_title`, `axis_title`...) and per
// chart (`charts`: one object of the same plot roles per chart, in page order).
//
// Plot text is read from every axis, not the first: plotly names the tick groups of subplot n
// `xNtick`/`yNtick`, its titles `xNtitle`/`yNtitle`, and a colour bar's `ycb<id>tick` and
// `ycb<id>title` (`hycb<id>title` when horizontal) inside `.colorbar`. 3-D scenes draw their
// axes in WebGL, with no text in the page: their sizes are read from the chart's full layout
// (what plotly draws them at), per visible axis that shows tick labels or a title.
(() => {
    const main = document.querySelector('[data-testid="stMain"]');
    // Text in a closed expander keeps a box in Chromium, but nobody sees it.
    const shown = (el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && !el.closest('details:not([open])');
    };
    const px = (el) => parseFloat(getComputedStyle(el).fontSize);
    const sizes = (selector) => [...main.querySelectorAll(selector)].filter(shown).map(px);
    const notBody = '[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"], '
        + '[data-testid="stMetricLabel"], button, [data-baseweb="tab"], summary, [data-testid="stAlert"]';
    const AXIS_TITLE = /^[xy]\d*title$/;
    const TICK_GROUP = /^[xy]\d*tick$/;
    const roleOf = (text) => {
        if (text.closest('.colorbar')) return 'colorbar';
        if (text.closest('.legend')) return 'legend';
        if (text.closest('.annotation')) return 'annotation';
        if (text.closest('.textpoint')) return 'point_label';
        if (text.classList.contains('gtitle')) return 'plot_title';
        if ([...text.classList].some((name) => AXIS_TITLE.test(name))) return 'axis_title';
        const group = text.parentNode;
        if (group && group.classList && [...group.classList].some((name) => TICK_GROUP.test(name))) {
            return 'tick';
        }
        return null;
    };
    const ROLES = ['plot_title', 'axis_title', 'tick', 'annotation', 'legend', 'colorbar', 'point_label'];
    const charts = [];
    for (const gd of main.querySelectorAll('.js-plotly-plot')) {
        if (!shown(gd)) continue;
        const chart = Object.fromEntries(ROLES.map((role) => [role, []]));
        for (const text of gd.querySelectorAll('svg text')) {
            if (!text.textContent.trim() || !shown(text)) continue;
            const role = roleOf(text);
            if (role) chart[role].push(px(text));
        }
        const full = gd._fullLayout || {};
        for (const [name, scene] of Object.entries(full)) {
            if (!/^scene\d*$/.test(name) || !scene) continue;
            for (const letter of 'xyz') {
                const axis = scene[`${letter}axis`];
                if (!axis || axis.visible === false) continue;
                if (axis.showticklabels !== false && axis.tickfont) chart.tick.push(axis.tickfont.size);
                if (axis.title && axis.title.text && axis.title.font) {
                    chart.axis_title.push(axis.title.font.size);
                }
            }
        }
        charts.push(chart);
    }
    const pooled = (role) => charts.flatMap((chart) => chart[role]);
    return {
        title: sizes('h1'),
        heading: sizes('h2, h3'),
        body: [...main.querySelectorAll('[data-testid="stMarkdownContainer"] p')]
            .filter((p) => shown(p) && !p.closest(notBody)).map(px),
        metric_value: sizes('[data-testid="stMetricValue"]'),
        metric_label: sizes('[data-testid="stMetricLabel"] p'),
        widget_label: sizes('[data-testid="stWidgetLabel"] p'),
        caption: sizes('[data-testid="stCaptionContainer"]'),
        tab: sizes('[data-baseweb="tab"] p'),
        table: sizes('[data-testid="stTable"] td, [data-testid="stTable"] th'),
        ...Object.fromEntries(ROLES.map((role) => [role, pooled(role)])),
        charts,
    };
})
