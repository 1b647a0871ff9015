// Every shown plotly chart of the main area has drawn all the text its layout declares.
//
// Plotly draws a figure in steps (ticks before axis titles, annotations later still), so "some
// text is drawn" can be true while a chart's axis titles are missing; a font-size measurement
// taken then compares one mode's full set against the other's partial one. Instead each chart's
// own layout says which titles and annotations must be in its SVG.
(() => {
    const charts = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')]
        .filter((chart) => chart.getBoundingClientRect().width > 0);
    const drawn = (chart) => {
        const gd = chart.querySelector('.js-plotly-plot');
        const full = gd && gd._fullLayout;
        if (!full || !gd.querySelector('svg.main-svg text')) return false;
        // The figure's own layout, not the full one: plotly fills untitled axes with a placeholder.
        const own = gd.layout || {};
        const text = (title) => Boolean(title && (typeof title === 'string' ? title : title.text));
        for (const [name, axis] of Object.entries(full)) {
            if (!/^[xy]axis\d*$/.test(name) || !axis || !axis.visible) continue;
            if (!text((own[name] || {}).title)) continue;
            if (!gd.querySelector(`svg .${axis._id}title`)) return false;
        }
        if (text(own.title) && !gd.querySelector('svg .gtitle')) return false;
        const annotations = (own.annotations || []).filter((a) => a.visible !== false && a.text);
        return gd.querySelectorAll('svg .annotation').length >= annotations.length;
    };
    return charts.length > 0 && charts.every(drawn);
})
