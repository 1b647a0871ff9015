"""Lecture mode for a projector: larger page text and plot text, nothing clipped.

Streamlit has no per-session font-size setting, so lecture mode injects a style sheet. Nearly
every size on a Streamlit page is in ``rem`` (text, spacing, and the fonts of Streamlit's chart
theme), so the sheet raises the root font size: the whole page grows together and keeps its
hierarchy (title > section headings > body text). The small print (widget labels, captions,
metric labels, tabs, the page list, radio and checkbox options) grows more, to the size of body
text, since it is the first text to become unreadable from the back of a room. Streamlit cuts
long labels with an ellipsis; lecture mode lets them wrap instead. The main column's wide side
padding (also in ``rem``) shrinks, so that the larger text keeps the width it needs on a
1024-pixel projector. Its top padding grows with Streamlit's header (in ``rem`` too), so the
lecture-plan bar above the page is not hidden under the header.

Side-by-side columns that hold a figure or a displayed formula are stacked in lecture mode:
at 1024 pixels two or three columns leave a figure 200-320 pixels wide, too narrow for its
enlarged titles and for a formula set in display size, which would be cut or scroll. Stacked,
each figure gets the full width of the page. Rows of metrics, buttons and controls stay side
by side.

Plot text is set by plotly in pixels, not by the page's style: :func:`projector_figure`
enlarges it through :func:`nmf_lab.figures.style.for_projector`.

Nothing is cut in normal mode either (:data:`PAGE_CSS`, on every page): the wrapping of labels,
download buttons as wide as their label (a row of them wraps instead of squeezing each into a
16-pixel column), and, below 1200 pixels, a figure and a displayed formula side by side are
stacked. At 1440 pixels a page looks as it did: nothing there was cut. On a touch screen,
plotly's toolbar, which it then shows all the time, sits in a band above each figure instead of
on the figure's titles.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from nmf_lab.figures.style import for_projector

# Root font size in lecture mode; Streamlit's own is 16 px.
ROOT_FONT_PX = 20
# Plot text is read from further away than page text (smaller, thinner, inside a figure).
PLOT_TEXT_SCALE = 2.0

_SMALL_PRINT = """
[data-testid="stWidgetLabel"] p,
[data-testid="stWidgetLabel"] label,
[data-testid="stCaptionContainer"],
[data-testid="stCaptionContainer"] p,
[data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"] div,
[data-testid="stTabs"] [data-baseweb="tab"] p,
[data-testid="stSidebarNavLink"] span,
[data-testid="stPageLink"] p,
button [data-testid="stMarkdownContainer"] p,
[data-testid="stNavSectionHeader"],
[data-testid="stExpander"] summary p,
[data-testid="stTable"] table,
[data-testid="stSliderThumbValue"],
[data-testid="stSliderTickBarMin"],
[data-testid="stSliderTickBarMax"],
[data-testid="stTooltipContent"],
[data-testid="stRadio"] [data-baseweb="radio"] p,
[data-testid="stCheckbox"] p
"""

# Labels Streamlit cuts with an ellipsis (metrics, widgets, buttons, page links, the page list,
# tabs) wrap instead.
_WRAPPED = """
[data-testid="stMetricLabel"] *,
[data-testid="stMetricValue"] *,
[data-testid="stWidgetLabel"] *,
[data-testid="stSidebarNavLink"] *,
[data-testid="stPageLink"] *,
[data-testid="stTabs"] [data-baseweb="tab"] *,
button [data-testid="stMarkdownContainer"],
button [data-testid="stMarkdownContainer"] *
"""

# Columns holding one of these are stacked (the selector needs :has, which Chromium, Firefox and
# Safari support).
_STACKED_CONTENT = '[data-testid="stPlotlyChart"], .katex-display'

# A column holding a download button is at least as wide as the button's label.
_DOWNLOAD_COLUMN = (
    '[data-testid="stColumn"]:has(> [data-testid="stVerticalBlock"] > '
    '[data-testid="stElementContainer"] > [data-testid="stDownloadButton"])'
)
# Below this viewport width a figure next to a displayed formula leaves both too narrow (at
# 1024 pixels, Watching it learn's race beside its update rules: the rules needed 259 pixels
# and had 218).
_NARROW_PX = 1199
_FIGURE_BESIDE_FORMULA = (
    '[data-testid="stMain"] [data-testid="stHorizontalBlock"]'
    ':has([data-testid="stPlotlyChart"]):has(.katex-display)'
)

_WRAP_RULES = f"""
{_WRAPPED.strip()} {{
    white-space: normal !important;
    overflow: visible !important;
    text-overflow: clip !important;
    overflow-wrap: break-word;
}}
"""

# On a screen without hover (a phone, a tablet) plotly shows its toolbar all the time, in the
# figure's top right corner, where the titles are; it moves into a band of its own above the
# figure (the toolbar is 22 pixels tall).
_TOOLBAR_BAND_PX = 28
# The box of a chart, exactly as tall as the figure: the band is a margin above it (inside it,
# the band pushed the figure's bottom out of sight), and the toolbar may stand out of it and
# of the plot's own box (which Streamlit clips: the toolbar was there, unseen and untappable).
_CHART_BOX = (
    '[data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"]'
    ' > [data-testid="stPlotlyChart"])'
)

PAGE_CSS = f"""
<style>
{_WRAP_RULES.strip()}
{_DOWNLOAD_COLUMN} {{ min-width: max-content !important; }}
@media (hover: none) {{
    {_CHART_BOX} {{
        margin-top: {_TOOLBAR_BAND_PX}px;
        overflow: visible !important;
    }}
    [data-testid="stPlotlyChart"] .js-plotly-plot {{ overflow: visible !important; }}
    [data-testid="stPlotlyChart"] .js-plotly-plot .plotly .modebar {{
        top: {2 - _TOOLBAR_BAND_PX}px !important;
    }}
}}
@media (max-width: {_NARROW_PX}px) {{
    {_FIGURE_BESIDE_FORMULA} {{ flex-direction: column !important; }}
    {_FIGURE_BESIDE_FORMULA} > [data-testid="stColumn"] {{
        width: 100% !important;
        flex: 1 1 auto !important;
    }}
}}
</style>
"""

LECTURE_CSS = f"""
<style>
html {{ font-size: {ROOT_FONT_PX}px !important; }}
[data-testid="stMainBlockContainer"] {{
    padding-left: 1.5rem !important;
    padding-right: 1.5rem !important;
    padding-top: 4.5rem !important;
}}
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has({_STACKED_CONTENT}) {{
    flex-direction: column !important;
}}
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has({_STACKED_CONTENT})
    > [data-testid="stColumn"] {{
    width: 100% !important;
    flex: 1 1 auto !important;
}}
{_SMALL_PRINT.strip()} {{ font-size: 1rem !important; }}
</style>
"""


def apply_page_style() -> None:
    """Inject the style sheet of every page, in both modes (takes no room on the page)."""
    st.html(PAGE_CSS)


def apply_lecture_style() -> None:
    """Inject the lecture-mode style sheet (takes no room on the page)."""
    st.html(LECTURE_CSS)


def projector_figure(fig: go.Figure) -> go.Figure:
    """The figure as the room should see it: every text :data:`PLOT_TEXT_SCALE` times larger.

    Works on a copy (cached figures are shared between sessions).
    """
    return for_projector(fig, scale=PLOT_TEXT_SCALE)
