"""Plotly figure builders for the pages (one module per topic, shared pieces in ``common``).

Figures are pure functions of arrays: no Streamlit here, so they are tested directly.

Every figure is drawn on plotly's white template, set here once as plotly's default: naming a
template on each figure would validate and copy the whole template for every figure of every
visitor's run (see the README's "What one visitor costs the server").
"""

import plotly.io as pio

pio.templates.default = "plotly_white"
