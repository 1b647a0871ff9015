"""UI pieces every page shares: the sidebar, lecture mode, figure and download helpers.

Only Streamlit glue lives here (widgets, layout, caching wrappers); anything that computes
belongs in ``nmf_lab`` (lessons and figures) or ``nmf_core``, where it is tested without
Streamlit.

Conventions for page authors
----------------------------
- Widgets whose value shapes the picture are created with ``key=...`` and
  ``bind="query-params"``, so the URL reproduces the page. Keys are short, lower-case, unique
  within the page, and never one of :data:`SIDEBAR_KEYS`.
- Read the global seed with :func:`seed`; wrap long explanations in :func:`explain` so lecture
  mode can hide them; show figures with :func:`show_figure` (caption + PNG export).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
import streamlit as st

SEED_KEY = "seed"
LECTURE_KEY = "lecture"
SIDEBAR_KEYS = (SEED_KEY, LECTURE_KEY)
DEFAULT_SEED = 0
MAX_SEED = 2**31 - 1

REFERENCES = {
    "Gillis (2014), The Why and How of Nonnegative Matrix Factorization": "https://arxiv.org/abs/1401.5226",
    "Lee & Seung (1999), Learning the parts of objects by NMF": "https://www.nature.com/articles/44565",
    "Gillis & Glineur (2012), Accelerated multiplicative updates and HALS": "https://arxiv.org/abs/1107.5194",
    "Real spherical harmonics": "https://en.wikipedia.org/wiki/Spherical_harmonics",
}

# Bigger type and controls for a projector; Streamlit has no font-size knob per session.
_LECTURE_CSS = """
<style>
html, body, [class*="st-"] { font-size: 1.15rem; }
h1 { font-size: 2.6rem !important; }
h2 { font-size: 2.0rem !important; }
h3 { font-size: 1.6rem !important; }
[data-testid="stWidgetLabel"] p { font-size: 1.25rem !important; }
[data-testid="stCaptionContainer"] { font-size: 1.1rem !important; }
[data-testid="stSliderThumbValue"] p { font-size: 1.15rem !important; }
[data-testid="stSlider"] [role="group"] { padding-top: 0.4rem; padding-bottom: 0.4rem; }
</style>
"""
# Plot text for a projector; the figures themselves keep their full width.
_LECTURE_FONT_SIZE = 20


def _is_non_finite_number(text: str) -> bool:
    try:
        return not math.isfinite(float(text))
    except (TypeError, ValueError):
        return False


def sanitize_query_params() -> None:
    """Drop URL parameters that would crash a bound widget; call before any widget exists.

    Streamlit ignores URL values a bound widget cannot parse, except non-finite numbers:
    ``?seed=1e309`` or ``?seed=inf`` reach ``int(float("inf"))`` in the number-input
    deserializer and raise ``OverflowError``, which it does not catch (Streamlit 1.67), so the
    whole app would fail on a hostile link. No widget of this app takes an infinite or NaN
    value, so such parameters are removed and the widgets fall back to their defaults.
    """
    for name in list(st.query_params.keys()):
        if any(_is_non_finite_number(value) for value in st.query_params.get_all(name)):
            del st.query_params[name]


def render_shared_sidebar() -> None:
    """Draw the sidebar every page shares: global seed, lecture mode and references."""
    with st.sidebar:
        st.number_input(
            "Seed",
            min_value=0,
            max_value=MAX_SEED,
            value=DEFAULT_SEED,
            step=1,
            key=SEED_KEY,
            bind="query-params",
            help="Same seed and settings give the same picture: random starts and toy data "
            "are drawn from it.",
        )
        st.toggle(
            "Lecture mode",
            value=False,
            key=LECTURE_KEY,
            bind="query-params",
            help="For a projector: hides the long explanations and enlarges text.",
        )
        with st.expander("References"):
            for title, url in REFERENCES.items():
                st.markdown(f"- [{title}]({url})")
    if lecture_mode():
        st.markdown(_LECTURE_CSS, unsafe_allow_html=True)


def seed() -> int:
    """Return the global seed chosen in the sidebar (``DEFAULT_SEED`` before it exists)."""
    value = st.session_state.get(SEED_KEY, DEFAULT_SEED)
    try:
        return int(value)
    except (TypeError, ValueError):
        return DEFAULT_SEED


def lecture_mode() -> bool:
    """Return whether lecture mode is on."""
    return bool(st.session_state.get(LECTURE_KEY, False))


def explain(markdown: str) -> None:
    """Render a longer explanation, hidden in lecture mode."""
    if not lecture_mode():
        st.markdown(markdown)


def show_figure(fig: go.Figure, caption: str, *, key: str | None = None) -> None:
    """Show a plotly figure with plotly's PNG export and a caption that says what to look at.

    In lecture mode the figure's text is enlarged for a projector (on a copy: cached figures
    are not modified).
    """
    if lecture_mode():
        fig = go.Figure(fig)
        fig.update_layout(font={"size": _LECTURE_FONT_SIZE})
    st.plotly_chart(
        fig,
        key=key,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "scale": 2},
        },
    )
    st.caption(caption)


def _csv_bytes(matrix: np.ndarray) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, np.asarray(matrix), delimiter=",", fmt="%.8g")
    return buffer.getvalue().encode()


def _npy_bytes(matrix: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(matrix), allow_pickle=False)
    return buffer.getvalue()


def download_matrices(matrices: Mapping[str, np.ndarray], *, prefix: str) -> None:
    """Offer each named matrix as CSV and as NPY (e.g. ``{"H": H, "W": W}``)."""
    columns = st.columns(2 * len(matrices))
    for index, (name, matrix) in enumerate(matrices.items()):
        columns[2 * index].download_button(
            f"{name} (CSV)",
            data=_csv_bytes(matrix),
            file_name=f"{prefix}_{name}.csv",
            mime="text/csv",
            key=f"dl_{prefix}_{name}_csv",
        )
        columns[2 * index + 1].download_button(
            f"{name} (NPY)",
            data=_npy_bytes(matrix),
            file_name=f"{prefix}_{name}.npy",
            mime="application/octet-stream",
            key=f"dl_{prefix}_{name}_npy",
        )
