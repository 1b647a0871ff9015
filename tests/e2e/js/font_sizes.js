// The computed font sizes (px) of each class of text in the main area, by role.
(() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const shown = (el) => { const box = el.getBoundingClientRect(); return box.width > 0 && box.height > 0; };
    const px = (el) => parseFloat(getComputedStyle(el).fontSize);
    const sizes = (selector) => [...main.querySelectorAll(selector)].filter(shown).map(px);
    const notBody = '[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"], '
        + '[data-testid="stMetricLabel"], button, [data-baseweb="tab"], summary, [data-testid="stAlert"]';
    const plot = (selector) => sizes(`.js-plotly-plot svg ${selector}`);
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
        plot_title: plot('.gtitle'),
        axis_title: plot('.xtitle, .ytitle, [class^="x"][class$="title"], [class^="y"][class$="title"]'),
        tick: plot('.xtick text, .ytick text'),
        annotation: plot('.annotation-text'),
        legend: plot('.legendtext'),
        colorbar: plot('.colorbar text'),
    };
})
