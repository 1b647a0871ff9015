"""Home page pictures: X beside its factors H and W, and X beside HW and X − HW."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nmf_lab.figures.common import apply_layout
from nmf_lab.figures.style import DIVERGING, SEQUENTIAL

__all__ = ["RESIDUAL_FLOOR", "product_figure", "residual_figure"]

# Horizontal room (fraction of the figure) for the "≈" and "×" between the panels.
_GAP = 0.05
# Vertical room (fraction of the figure) below the panels for their colour bars.
_BAR_ROOM = 0.12


def product_figure(
    X: np.ndarray,
    H: np.ndarray,
    W: np.ndarray,
    *,
    height: int = 380,
    labels: tuple[str, str, str] = ("X", "H", "W"),
    colorbars: bool = False,
) -> go.Figure:
    """``X ≈ H × W`` drawn as three heatmaps, each cell a matrix entry, sizes to scale.

    Panel widths follow the number of columns and heights the number of rows, so the shapes
    n×k, n×r and r×k can be read off the picture (W is short: only r rows).
    With ``colorbars`` every panel gets its own horizontal colour bar just below it (the
    three matrices have different scales; each panel's colours run from 0 to its maximum).

    Parameters
    ----------
    X : ndarray, shape (n, k)
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    height : int
    labels : tuple of str
        Titles of the three panels.
    colorbars : bool
        One colour bar per panel, below it.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    X, H, W = (np.asarray(M, dtype=float) for M in (X, H, W))
    if H.shape[0] != X.shape[0] or W.shape[1] != X.shape[1] or H.shape[1] != W.shape[0]:
        raise ValueError(f"Shapes do not fit X ≈ H W: X {X.shape}, H {H.shape}, W {W.shape}.")
    n, k = X.shape
    r = H.shape[1]
    total = 2 * k + r
    usable = 1.0 - 2 * _GAP
    widths = [usable * k / total, usable * r / total, usable * k / total]
    starts = [0.0, widths[0] + _GAP, widths[0] + widths[1] + 2 * _GAP]

    bottom, top_y = (_BAR_ROOM if colorbars else 0.0), 0.88
    fig = go.Figure()
    for index, (matrix, label) in enumerate(zip((X, H, W), labels, strict=True)):
        rows = matrix.shape[0]
        # Top-aligned, height proportional to the number of rows; with colour bars the
        # panels leave room for one below each of them.
        y_span = (bottom + (top_y - bottom) * (1 - rows / n), top_y)
        x_span = (starts[index], starts[index] + widths[index])
        scale: dict = {"colorscale": SEQUENTIAL, "zmin": 0, "showscale": colorbars}
        if colorbars:
            # zmin alone is ignored by plotly (it autoscales unless both ends are given).
            scale["zmax"] = float(matrix.max()) or 1.0
            scale["colorbar"] = {
                "orientation": "h",
                "x": (x_span[0] + x_span[1]) / 2,
                "xanchor": "center",
                "len": x_span[1] - x_span[0],
                "y": y_span[0] - 0.02,
                "yanchor": "top",
                "thickness": 10,
                "nticks": 4,
            }
        _add_matrix_panel(
            fig,
            index,
            matrix,
            label,
            title=f"{label}  ({rows}×{matrix.shape[1]})",
            x_span=x_span,
            y_span=y_span,
            scale=scale,
        )
    # "≈" halfway down X; "×" halfway down the short W.
    for symbol, x, y in (
        ("≈", widths[0] + _GAP / 2, (bottom + top_y) / 2),
        ("×", starts[2] - _GAP / 2, top_y - (top_y - bottom) * r / (2 * n)),
    ):
        fig.add_annotation(
            text=symbol, x=x, y=y, xref="paper", yref="paper", showarrow=False, font={"size": 30}
        )
    return apply_layout(fig, height=height)


# Paper-x spans of the three residual panels and where their two colour bars sit: the shared
# bar of X and HW right of HW, the residual's own bar right of the residual.
_RESIDUAL_PANELS = ((0.0, 0.25), (0.28, 0.53), (0.70, 0.93))
_SHARED_BAR_X, _RESIDUAL_BAR_X = 0.545, 0.945
# The residual bar spans at least ± this fraction of max X: four times the data bar's
# resolution, so an error of 5 % of the data is a visible tint, rounding stays white.
RESIDUAL_FLOOR = 0.25


def residual_figure(X: np.ndarray, HW: np.ndarray, *, height: int = 330) -> go.Figure:
    """``X``, its reconstruction ``HW`` and the residual ``X − HW`` side by side.

    ``X`` and ``HW`` share one sequential scale (from 0 to the larger of their maxima) and one
    colour bar, so equal colours are equal numbers. The residual is signed — ``HW`` overshoots
    some entries and undershoots others — so it gets the diverging scale, centred on 0 with
    its own colour bar over ``±max(max|X − HW|, RESIDUAL_FLOOR · max X)``. The floor, tied to
    the data's size, keeps an exact fit white (its rounding is not stretched to full colour),
    while an error of a few percent of ``X`` is already clearly coloured; a larger error
    widens the bar instead of being clipped.

    Parameters
    ----------
    X : ndarray, shape (n, k)
        Nonnegative data.
    HW : ndarray, shape (n, k)
        The reconstruction.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named ``"X"``, ``"HW"`` and ``"X − HW"``, in that order.

    Raises
    ------
    ValueError
        Shapes differ, or ``X`` is not a 2-D array.
    """
    X, HW = np.asarray(X, dtype=float), np.asarray(HW, dtype=float)
    if X.ndim != 2 or HW.shape != X.shape:
        raise ValueError(f"X and HW must be matrices of one shape, got {X.shape} and {HW.shape}.")
    shared_top = max(float(X.max()), float(HW.max())) or 1.0
    residual = X - HW
    data_scale = float(np.abs(X).max()) or 1.0
    residual_bound = max(float(np.abs(residual).max()), RESIDUAL_FLOOR * data_scale)
    panels = (
        ("X", X, {"colorscale": SEQUENTIAL, "zmin": 0.0, "zmax": shared_top, "showscale": False}),
        (
            "HW",
            HW,
            {
                "colorscale": SEQUENTIAL,
                "zmin": 0.0,
                "zmax": shared_top,
                "colorbar": {"x": _SHARED_BAR_X, "len": 0.85, "y": 0.44, "thickness": 14},
            },
        ),
        (
            "X − HW",
            residual,
            {
                "colorscale": DIVERGING,
                "zmin": -residual_bound,
                "zmax": residual_bound,
                "zmid": 0.0,
                "colorbar": {"x": _RESIDUAL_BAR_X, "len": 0.85, "y": 0.44, "thickness": 14},
            },
        ),
    )
    fig = go.Figure()
    for index, ((label, matrix, scale), span) in enumerate(
        zip(panels, _RESIDUAL_PANELS, strict=True)
    ):
        _add_matrix_panel(
            fig, index, matrix, label, title=label, x_span=span, y_span=(0.0, 0.88), scale=scale
        )
    return apply_layout(fig, height=height)


def _add_matrix_panel(
    fig: go.Figure,
    index: int,
    matrix: np.ndarray,
    label: str,
    *,
    title: str,
    x_span: tuple[float, float],
    y_span: tuple[float, float],
    scale: dict,
) -> None:
    """Draw ``matrix`` as the ``index``-th heatmap panel of ``fig`` (its own axes, no ticks).

    Row 0 is at the top, as in the matrix; ``scale`` holds the colour settings (colour scale,
    limits, colour bar) and the spans are in paper coordinates.
    """
    axis = "" if index == 0 else str(index + 1)
    fig.add_trace(
        go.Heatmap(
            z=matrix,
            xgap=1,
            ygap=1,
            xaxis=f"x{axis}",
            yaxis=f"y{axis}",
            name=label,
            hovertemplate=f"{label}[%{{y}}, %{{x}}] = %{{z:.3f}}<extra></extra>",
            **scale,
        )
    )
    fig.layout[f"xaxis{axis}"] = {
        "domain": list(x_span),
        "showticklabels": False,
        "showgrid": False,
        "zeroline": False,
        "anchor": f"y{axis}",
        "title": {"text": title},
        "side": "top",
    }
    fig.layout[f"yaxis{axis}"] = {
        "domain": list(y_span),
        "autorange": "reversed",
        "showticklabels": False,
        "showgrid": False,
        "zeroline": False,
        "anchor": f"x{axis}",
    }
