// Text a reader cannot see whole: cut in its box, outside the column or its figure.
//
// Labels and text fields are read in the main area, in the sidebar when it is open and in an
// open dialog. A
// label that ends in an ellipsis ("Edit the plan…") is reported too: whether its box cut it or
// its author wrote it, a reader sees cut text.
((overhang) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const shown = (el) => { const box = el.getBoundingClientRect(); return box.width > 0 && box.height > 0; };
    const onScreen = (el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.right > 0 && box.left < window.innerWidth;
    };
    const name = (el) => (el.getAttribute('data-testid') || el.tagName) + ' "'
        + (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50) + '"';
    const found = [];
    const readable = 'h1, h2, h3, [data-testid="stMetricValue"], [data-testid="stMetricLabel"], '
        + '[data-testid="stWidgetLabel"], [data-testid="stCaptionContainer"], [data-baseweb="tab"], '
        + 'button, .katex-display';
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const roots = [main, ...(sidebar && onScreen(sidebar) ? [sidebar] : []),
        ...[...document.querySelectorAll('[role="dialog"]')].filter(shown)];
    const labels = roots.flatMap((root) => [...root.querySelectorAll(readable)]);
    for (const el of labels) {
        if (!shown(el) || el.closest('details:not([open])')) continue;
        const text = (el.textContent || '').trim();
        if (/(…|\.\.\.)$/.test(text) && !el.closest('.katex-display')) {
            found.push(`reads as cut (ends in an ellipsis): ${name(el)}`);
        }
        for (const node of [el, ...el.querySelectorAll('*')]) {
            if (node.closest('.katex-mathml')) continue;  // KaTeX's hidden copy for screen readers
            const style = getComputedStyle(node);
            const hides = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
            if (hides && node.clientWidth > 0 && node.scrollWidth > node.clientWidth + overhang) {
                found.push(`cut: ${name(el)} needs ${node.scrollWidth} px, has ${node.clientWidth}`);
                break;
            }
        }
    }
    // A text field that holds more than it shows (a talking point in a one-line input).
    for (const field of roots.flatMap((root) => [...root.querySelectorAll('input[type="text"], textarea')])) {
        if (!shown(field) || field.closest('details:not([open])')) continue;
        if (field.scrollWidth > field.clientWidth + overhang || field.scrollHeight > field.clientHeight + overhang) {
            found.push(`cut: text field "${field.value.slice(0, 50)}" needs ${field.scrollWidth}×${field.scrollHeight} px, has ${field.clientWidth}×${field.clientHeight}`);
        }
    }
    const column = main.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect();
    for (const el of main.querySelectorAll('p, h1, h2, h3, label, .katex, [data-testid="stMetricValue"]')) {
        if (!shown(el)) continue;
        const box = el.getBoundingClientRect();
        if (box.right > column.right + overhang || box.left < column.left - overhang) {
            found.push(`outside the column: ${name(el)}`);
        }
    }
    for (const plot of main.querySelectorAll('.js-plotly-plot')) {
        if (!shown(plot)) continue;
        const figure = plot.getBoundingClientRect();
        for (const text of plot.querySelectorAll('svg text')) {
            if (!shown(text) || !text.textContent.trim()) continue;
            const box = text.getBoundingClientRect();
            if (box.left < figure.left - overhang || box.right > figure.right + overhang
                || box.top < figure.top - overhang || box.bottom > figure.bottom + overhang) {
                found.push(`outside its figure: plot text "${text.textContent.trim().slice(0, 50)}"`);
            }
        }
    }
    if (document.documentElement.scrollWidth > window.innerWidth) {
        found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px`);
    }
    return found;
})
