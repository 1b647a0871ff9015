"""Small building blocks every figure module uses: heatmaps and a common layout."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nmf_lab.figures.style import DIVERGING, SEQUENTIAL

__all__ = [
    "apply_layout",
    "colorbar_beside",
    "colorbar_trace",
    "heatmap_trace",
    "matrix_heatmap",
]


def heatmap_trace(
    matrix: np.ndarray,
    *,
    diverging: bool = False,
    zmax: float | None = None,
    showscale: bool = True,
    name: str | None = None,
) -> go.Heatmap:
    """A heatmap trace of ``matrix`` drawn the way matrices are written (row 0 on top).

    Parameters
    ----------
    matrix : ndarray, shape (rows, columns)
    diverging : bool
        Signed data: diverging colour scale centred on zero.
    zmax : float, optional
        Upper end of the colour scale (``±zmax`` when diverging); shared scales make panels
        comparable.
    showscale : bool
    name : str, optional

    Returns
    -------
    plotly.graph_objects.Heatmap
    """
    matrix = np.asarray(matrix, dtype=float)
    if diverging:
        bound = zmax if zmax is not None else float(np.max(np.abs(matrix))) or 1.0
        return go.Heatmap(
            z=matrix,
            colorscale=DIVERGING,
            zmin=-bound,
            zmax=bound,
            zmid=0,
            showscale=showscale,
            name=name,
        )
    return go.Heatmap(
        z=matrix,
        colorscale=SEQUENTIAL,
        zmin=0,
        zmax=zmax if zmax is not None else None,
        showscale=showscale,
        name=name,
    )


def apply_layout(fig: go.Figure, *, title: str | None = None, height: int = 420) -> go.Figure:
    """Common layout: readable fonts on a projector, tight margins, optional title (on the
    package's default template, plotly_white: see :mod:`nmf_lab.figures`)."""
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 40, "r": 20, "t": 60 if title else 20, "b": 40},
        font={"size": 15},
    )
    return fig


def matrix_heatmap(
    matrix: np.ndarray, *, title: str | None = None, diverging: bool = False, height: int = 360
) -> go.Figure:
    """One matrix as a heatmap figure, row 0 at the top (as written on the board)."""
    fig = go.Figure(heatmap_trace(matrix, diverging=diverging))
    fig.update_yaxes(autorange="reversed")
    return apply_layout(fig, title=title, height=height)


def colorbar_trace(
    colorscale, vmin: float, vmax: float, title: str | None = None, **colorbar
) -> go.Scatter:
    """An invisible trace that only draws a colour bar (``go.Image`` traces have none).

    Parameters
    ----------
    colorscale : str or list of [position, colour]
    vmin, vmax : float
        The ends of the bar: those of the pictures it explains.
    title : str, optional
    **colorbar
        Further ``colorbar`` settings (position ``x``, ``y``, ``len``, ``yanchor`` ...).

    Returns
    -------
    plotly.graph_objects.Scatter
    """
    bar = {"thickness": 14, **colorbar}
    if title is not None:
        bar["title"] = {"text": title}
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        showlegend=False,
        hoverinfo="skip",
        marker={
            "colorscale": colorscale,
            "cmin": vmin,
            "cmax": vmax,
            "color": [vmin],
            "showscale": True,
            "colorbar": bar,
        },
    )


def colorbar_beside(fig: go.Figure, row: int, col: int, *, gap: float = 0.01, **colorbar) -> dict:
    """``colorbar`` settings that put a bar just right of subplot (row, col), as tall as it.

    For figures whose panels each have their own scale; leave room for the bar and its tick
    labels in the ``horizontal_spacing`` of :func:`plotly.subplots.make_subplots`.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Made by :func:`plotly.subplots.make_subplots`.
    row, col : int
        One-based, as in ``make_subplots``.
    gap : float
        Between the subplot's right edge and the bar, as a fraction of the width.
    **colorbar
        Further settings (``title``, ``thickness`` ...); they win over the placement.

    Returns
    -------
    dict
    """
    subplot = fig.get_subplot(row, col)
    x_domain, y_domain = subplot.xaxis.domain, subplot.yaxis.domain
    return {
        "x": x_domain[1] + gap,
        "xanchor": "left",
        "y": (y_domain[0] + y_domain[1]) / 2,
        "yanchor": "middle",
        "len": y_domain[1] - y_domain[0],
        "thickness": 12,
        **colorbar,
    }
