"""Figures for the "NMF vs SVD vs PCA" page: one figure per row, one panel per method.

Every row (basis, coefficients, reconstruction) is a 1×3 figure with the methods in the order
of :data:`nmf_lab.lessons.nmf_vs_svd_pca.METHODS` and one colour scale shared by the three
panels, so the panels can be compared by colour. Signed quantities use the diverging scale
centred on zero; NMF's factors, nonnegative, use the sequential scale with a colour bar of
their own.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nmf_lab.figures.common import apply_layout
from nmf_lab.figures.style import DIVERGING, METHOD_COLORS, OKABE_ITO, SEQUENTIAL
from nmf_lab.lessons.nmf_vs_svd_pca import METHODS, ErrorCurves, MethodFit, Restarts

__all__ = [
    "GREY",
    "basis_figure",
    "coefficients_figure",
    "data_figure",
    "error_curve_figure",
    "reconstruction_figure",
    "restarts_figure",
    "seed_bases_figure",
    "tile_images",
]

# Pictures (the image, faces) in grey levels: luminance only, readable by everyone.
GREY = "gray"


def tile_images(stack: np.ndarray, columns: int | None = None) -> np.ndarray:
    """Lay out small images on a grid, separated by one-pixel NaN gaps (drawn transparent).

    Parameters
    ----------
    stack : ndarray, shape (m, h, w)
    columns : int, optional
        Tiles per row; about ``√m`` by default.

    Returns
    -------
    ndarray, shape (rows·(h+1) − 1, columns·(w+1) − 1)
    """
    stack = np.asarray(stack, dtype=float)
    if stack.ndim != 3 or stack.shape[0] == 0:
        raise ValueError(f"stack must have shape (m, h, w) with m ≥ 1, got {stack.shape}.")
    count, height, width = stack.shape
    columns = columns or int(np.ceil(np.sqrt(count)))
    columns = max(1, min(columns, count))
    rows = int(np.ceil(count / columns))
    canvas = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan)
    for index, tile in enumerate(stack):
        row, column = divmod(index, columns)
        top, left = row * (height + 1), column * (width + 1)
        canvas[top : top + height, left : left + width] = tile
    return canvas


def _panels_figure(
    panels: Mapping[str, np.ndarray],
    *,
    diverging: bool,
    colorscale: str,
    zmin: float,
    zmax: float,
    picture: bool,
    height: int,
    hover: str,
    colorbar_title: str,
    row_prefix: str | None = None,
    column_prefix: str | None = None,
    nonnegative_first: bool = False,
) -> go.Figure:
    """Three heatmaps side by side with one shared colour scale and one colour bar.

    ``row_prefix``/``column_prefix`` label rows/columns as ``w1, w2, …`` instead of 0, 1, ….
    With ``nonnegative_first`` the first panel (NMF's nonnegative factor) is drawn on the
    sequential scale from 0 to ``zmax`` with a colour bar of its own (the upper one), and the
    others on the diverging scale from ``−zmax`` to ``zmax`` (the lower bar): same magnitudes,
    the same length of bar per unit, but no diverging colours for a matrix without signs.
    """
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=list(panels), horizontal_spacing=0.06
    )
    for index, (method, matrix) in enumerate(panels.items(), start=1):
        labels = {}
        if row_prefix:
            labels["y"] = [f"{row_prefix}{i + 1}" for i in range(matrix.shape[0])]
        if column_prefix:
            labels["x"] = [f"{column_prefix}{j + 1}" for j in range(matrix.shape[1])]
        own_scale = nonnegative_first and index == 1
        if own_scale:
            style = {"colorscale": SEQUENTIAL, "zmin": 0.0, "zmax": zmax, "zmid": None}
            bar = {"title": {"text": f"{colorbar_title} ≥ 0"}, "y": 1.0, "yanchor": "top"}
        else:
            style = {
                "colorscale": colorscale,
                "zmin": zmin,
                "zmax": zmax,
                "zmid": 0 if diverging else None,
            }
            bar = {"title": {"text": colorbar_title}}
            if nonnegative_first:
                bar = {"title": {"text": f"{colorbar_title} (signed)"}, "y": 0.0}
                bar["yanchor"] = "bottom"
        if nonnegative_first:
            # Two bars stacked in one column: titles along the bar (no height taken) and few
            # ticks, so that the enlarged text of lecture mode still fits each half.
            bar["title"]["side"] = "right"
            bar.update(len=0.48, nticks=4)
        trace = go.Heatmap(
            z=matrix,
            **labels,
            **style,
            showscale=own_scale or index == len(panels),
            name=method,
            hovertemplate=hover + "<extra>" + method + "</extra>",
            colorbar={**bar, "thickness": 14},
        )
        fig.add_trace(trace, row=1, col=index)
        axis = "x" if index == 1 else f"x{index}"
        fig.update_yaxes(autorange="reversed", row=1, col=index)
        if picture:
            # Square pixels and no tick labels: this is a picture, not a matrix.
            bare = {
                "showticklabels": False,
                "showgrid": False,
                "zeroline": False,
                "showline": False,
            }
            fig.update_yaxes(scaleanchor=axis, scaleratio=1, row=1, col=index, **bare)
            fig.update_xaxes(constrain="domain", row=1, col=index, **bare)
    return apply_layout(fig, height=height)


def _picture_height(panel: np.ndarray, *, panel_width: float = 260.0, margins: float = 90.0) -> int:
    """Figure height that fits a picture panel of about ``panel_width`` pixels wide."""
    rows, columns = np.asarray(panel).shape
    return int(np.clip(margins + panel_width * rows / max(columns, 1), 220, 560))


def _shared_bound(matrices) -> float:
    bound = max(float(np.nanmax(np.abs(matrix))) for matrix in matrices)
    return bound or 1.0


def basis_figure(
    fits: Mapping[str, MethodFit],
    *,
    image_shape: tuple[int, int] | None = None,
    height: int | None = None,
) -> go.Figure:
    """The basis ``W`` of each method: NMF's on the sequential scale, SVD's and PCA's diverging.

    NMF's rows are nonnegative: they get the sequential scale from 0 (upper colour bar); SVD's
    and PCA's have signs and share the diverging scale centred on 0 (red > 0 > blue, lower
    bar). Both scales reach the same largest magnitude.

    Parameters
    ----------
    fits : mapping of method to MethodFit
        Basis rows have unit length, so one scale fits all three.
    image_shape : (h, w), optional
        Show each basis row as an ``h × w`` picture (the faces) instead of a matrix row.
    height : int, optional
        Defaults to 340 for matrices and to the pictures' aspect ratio for faces.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    panels = {}
    for method in METHODS:
        basis = fits[method].basis
        panels[method] = tile_images(basis.reshape(-1, *image_shape)) if image_shape else basis
    bound = _shared_bound(panels.values())
    if height is None:
        height = _picture_height(panels["NMF"]) if image_shape else 340
    hover = (
        "pixel (%{y}, %{x}): %{z:.3f}"
        if image_shape
        else "basis vector %{y}, feature %{x}: %{z:.3f}"
    )
    return _panels_figure(
        panels,
        diverging=True,
        colorscale=DIVERGING,
        zmin=-bound,
        zmax=bound,
        picture=image_shape is not None,
        height=height,
        hover=hover,
        colorbar_title="W",
        row_prefix=None if image_shape else "w",
        nonnegative_first=True,
    )


def seed_bases_figure(
    first: np.ndarray,
    second: np.ndarray,
    *,
    labels: tuple[str, str] = ("run 1", "run 2"),
    image_shape: tuple[int, int] | None = None,
    height: int | None = None,
) -> go.Figure:
    """Two NMF bases side by side on one sequential scale (both are nonnegative).

    Parameters
    ----------
    first, second : ndarray, shape (r, k)
        Unit rows; ``second`` already in the order matched to ``first``.
    labels : (str, str)
        Panel titles.
    image_shape : (h, w), optional
        Show each row as an ``h × w`` picture.
    height : int, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    panels = {}
    for label, basis in zip(labels, (first, second), strict=True):
        basis = np.asarray(basis, dtype=float)
        panels[label] = tile_images(basis.reshape(-1, *image_shape)) if image_shape else basis
    bound = _shared_bound(panels.values())
    if height is None:
        height = _picture_height(panels[labels[0]], panel_width=380) if image_shape else 300
    hover = (
        "pixel (%{y}, %{x}): %{z:.3f}"
        if image_shape
        else "basis vector %{y}, feature %{x}: %{z:.3f}"
    )
    return _panels_figure(
        panels,
        diverging=False,
        colorscale=SEQUENTIAL,
        zmin=0.0,
        zmax=bound,
        picture=image_shape is not None,
        height=height,
        hover=hover,
        colorbar_title="W ≥ 0",
        row_prefix=None if image_shape else "w",
    )


def coefficients_figure(fits: Mapping[str, MethodFit], *, height: int = 340) -> go.Figure:
    """The coefficients ``H`` (n×r, one row per point): NMF's sequential, SVD's and PCA's
    diverging (see :func:`basis_figure`).

    Parameters
    ----------
    fits : mapping of method to MethodFit
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    panels = {method: fits[method].coefficients for method in METHODS}
    bound = _shared_bound(panels.values())
    fig = _panels_figure(
        panels,
        diverging=True,
        colorscale=DIVERGING,
        zmin=-bound,
        zmax=bound,
        picture=False,
        height=height,
        hover="point %{y}, coefficient %{x}: %{z:.3f}",
        colorbar_title="H",
        column_prefix="h",
        nonnegative_first=True,
    )
    return fig


def _as_pictures(
    matrix: np.ndarray, *, image_shape: tuple[int, int] | None, as_image: bool, n_show: int
) -> np.ndarray:
    if as_image:
        return matrix
    if image_shape is not None:
        return tile_images(matrix[:n_show].reshape(-1, *image_shape), columns=4)
    return matrix


def reconstruction_figure(
    fits: Mapping[str, MethodFit],
    X: np.ndarray,
    *,
    image_shape: tuple[int, int] | None = None,
    as_image: bool = False,
    n_show: int = 8,
    height: int | None = None,
) -> go.Figure:
    """Each method's reconstruction on the data's own (nonnegative) scale.

    The scale runs from 0 to ``max(X)``: values below 0, which only SVD and PCA can produce,
    show in the bottom colour; the page reports how many there are.

    Parameters
    ----------
    fits : mapping of method to MethodFit
    X : ndarray, shape (n, k)
        The data (sets the colour range).
    image_shape : (h, w), optional
        Rows are pictures of this shape (the faces): show the first ``n_show`` of them.
    as_image : bool
        The matrix itself is a picture (an image, rows are image rows).
    n_show : int
    height : int, optional
        Defaults to 340 for matrices and to the pictures' aspect ratio otherwise.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    picture = as_image or image_shape is not None
    panels = {
        method: _as_pictures(
            fits[method].reconstruction, image_shape=image_shape, as_image=as_image, n_show=n_show
        )
        for method in METHODS
    }
    hover = "(%{y}, %{x}): %{z:.3f}" if picture else "point %{y}, feature %{x}: %{z:.3f}"
    if height is None:
        height = _picture_height(panels["NMF"]) if picture else 340
    return _panels_figure(
        panels,
        diverging=False,
        colorscale=GREY if picture else SEQUENTIAL,
        zmin=0.0,
        zmax=float(np.max(X)) or 1.0,
        picture=picture,
        height=height,
        hover=hover,
        colorbar_title="X̂",
    )


def data_figure(
    X: np.ndarray,
    *,
    image_shape: tuple[int, int] | None = None,
    as_image: bool = False,
    n_show: int = 8,
    height: int = 300,
) -> go.Figure:
    """The data ``X`` itself, drawn the way :func:`reconstruction_figure` draws the fits."""
    picture = as_image or image_shape is not None
    shown = _as_pictures(
        np.asarray(X, float), image_shape=image_shape, as_image=as_image, n_show=n_show
    )
    fig = go.Figure(
        go.Heatmap(
            z=shown,
            colorscale=GREY if picture else SEQUENTIAL,
            zmin=0,
            zmax=float(np.max(X)) or 1.0,
            hovertemplate=(
                "(%{y}, %{x}): %{z:.3f}" if picture else "point %{y}, feature %{x}: %{z:.3f}"
            )
            + "<extra>X</extra>",
            colorbar={"title": {"text": "X"}, "thickness": 14},
        )
    )
    fig.update_yaxes(autorange="reversed")
    if picture:
        bare = {"showticklabels": False, "showgrid": False, "zeroline": False, "showline": False}
        fig.update_yaxes(scaleanchor="x", scaleratio=1, **bare)
        fig.update_xaxes(constrain="domain", **bare)
    return apply_layout(fig, height=height)


def error_curve_figure(
    curves: ErrorCurves, *, rank: int | None = None, height: int = 420
) -> go.Figure:
    """Relative error against rank for NMF, SVD and PCA, with the rank-(r+1) SVD floor.

    Parameters
    ----------
    curves : ErrorCurves
    rank : int, optional
        Mark this rank with a vertical line.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    lines = (
        ("NMF (rank r)", curves.nmf, METHOD_COLORS["NMF"], "solid", "circle"),
        ("SVD (rank r)", curves.svd, METHOD_COLORS["SVD"], "solid", "square"),
        ("PCA (r components + mean)", curves.pca, METHOD_COLORS["PCA"], "solid", "diamond"),
        ("SVD at rank r + 1", curves.svd_next, OKABE_ITO[7], "dot", "x"),
    )
    for name, values, colour, dash, symbol in lines:
        fig.add_trace(
            go.Scatter(
                x=curves.ranks,
                y=values,
                name=name,
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 2.5 if dash == "solid" else 1.5},
                marker={"symbol": symbol, "size": 9},
                hovertemplate="r = %{x}: %{y:.2%}<extra>" + name + "</extra>",
            )
        )
    if rank is not None:
        fig.add_vline(x=rank, line={"color": "grey", "dash": "dash", "width": 1})
    fig.update_xaxes(title="rank r", dtick=1)
    # No zero baseline: the gaps between the curves are the story, and they are small.
    fig.update_yaxes(title="relative error ‖X − X̂‖_F / ‖X‖_F", tickformat=".1%")
    fig.update_layout(legend={"orientation": "h", "y": 1.12, "x": 0})
    return apply_layout(fig, height=height)


def restarts_figure(restarts: Mapping[str, Restarts], *, height: int = 360) -> go.Figure:
    """Spread over restarts: relative error per run, and the largest matched-basis angle.

    Parameters
    ----------
    restarts : mapping of method to Restarts
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=("relative error of each run", "largest angle to run 1's basis vectors (°)"),
    )
    symbols = {"NMF": "circle", "SVD": "square", "PCA": "diamond"}
    for method in METHODS:
        spread = restarts[method]
        runs = np.arange(1, len(spread.seeds) + 1)
        style = {"color": METHOD_COLORS[method], "symbol": symbols[method], "size": 10}
        fig.add_trace(
            go.Scatter(
                x=runs,
                y=spread.relative_errors,
                mode="markers+lines",
                name=method,
                legendgroup=method,
                marker=style,
                line={"color": METHOD_COLORS[method], "width": 1},
                customdata=spread.seeds,
                hovertemplate="run %{x} (seed %{customdata}): %{y:.4%}<extra>"
                + method
                + "</extra>",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=runs,
                y=spread.basis_angles,
                mode="markers+lines",
                name=method,
                legendgroup=method,
                showlegend=False,
                marker=style,
                line={"color": METHOD_COLORS[method], "width": 1},
                customdata=spread.seeds,
                hovertemplate="run %{x} (seed %{customdata}): %{y:.2f}°<extra>"
                + method
                + "</extra>",
            ),
            row=1,
            col=2,
        )
    fig.update_xaxes(title="run", dtick=1)
    fig.update_yaxes(tickformat=".2%", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.3, "x": 0})
    return apply_layout(fig, height=height)
