"""Plotly figure builders for the pages (one module per topic, shared pieces in ``common``).

Figures are pure functions of arrays: no Streamlit here, so they are tested directly.
"""
