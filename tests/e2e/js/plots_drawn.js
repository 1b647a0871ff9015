// Every shown plotly chart of the main area has drawn its SVG text.
(() => {
    const charts = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')]
        .filter((chart) => chart.getBoundingClientRect().width > 0);
    return charts.length > 0 && charts.every((chart) => chart.querySelector('svg.main-svg text'));
})
