"""Figures shown to a whole class: their plotly JSON is made once, not once per visitor.

``st.plotly_chart`` turns the figure it is given into a dict with ``Figure.to_dict`` (a deep
copy of every trace that also encodes each numpy array as base64) and then into JSON, on every
run of every session. For a figure held in a shared store (``app_pages._shared.FIGURES``) that
work is the same for every visitor; :class:`SharedFigure` does the encoding once and hands out
copies of the finished dict, whose big values are strings that copy and serialise quickly.
"""

from __future__ import annotations

import copy
from typing import Any

import plotly.graph_objects as go

__all__ = ["SharedFigure", "share_figures"]


class SharedFigure(go.Figure):
    """A finished figure whose plotly dict is computed once, when it is made.

    The figure must not be changed after that (it is shown to every session, and its dict
    would no longer match): draw a changed copy with ``go.Figure(shared)`` instead.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The figure to share; it is copied.
    """

    def __init__(self, figure: go.Figure) -> None:
        super().__init__(figure)
        # The original's own dict: a copied figure can drop empty settings (``title: {}``) that
        # the browser draws differently, and orders its keys differently.
        self._shared_dict = figure.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """A copy of the figure's plotly dict (callers may change it, as plotly's own)."""
        return copy.deepcopy(self._shared_dict)


def share_figures(value: Any) -> Any:
    """``value`` with every plotly figure in it, or in a tuple or list of it, a SharedFigure.

    Anything else (a table, a number) is returned as it is.
    """
    if isinstance(value, SharedFigure):
        return value
    if isinstance(value, go.Figure):
        return SharedFigure(value)
    if isinstance(value, tuple):
        return tuple(share_figures(item) for item in value)
    if isinstance(value, list):
        return [share_figures(item) for item in value]
    return value
