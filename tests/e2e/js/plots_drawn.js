// Every shown plotly chart of the main area has drawn all the text its layout declares.
//
// Plotly draws a figure in steps (ticks before axis titles, annotations later still), so "some
// text is drawn" can be true while a chart's axis titles are missing; a font-size measurement
// taken then compares one mode's full set against the other's partial one. Instead each chart's
// own layout says which titles and annotations must be in its SVG.
//
// Streamlit loads the code of most elements lazily and shows a skeleton in their place until it
// has arrived: seconds after the script run ends, in a fresh browser, the charts of a page may
// not all exist yet (and some widgets are still skeletons). All are on the page once no skeleton
// is left, so "every chart is drawn" is only asked then.
(() => {
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
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
