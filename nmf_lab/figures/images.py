"""Figures for the Images page: pictures, error maps, factors, layers, error vs rank, faces.

Pictures are drawn as ``go.Image`` traces whose pixels travel as a PNG data URI: a 512×512
heatmap would put a quarter of a million numbers into the page's JSON, a PNG is a few dozen
kilobytes. Colour scales are the shared ones (:mod:`nmf_lab.figures.style`): gray for photographs,
Viridis for nonnegative quantities, RdBu_r centred on zero for signed ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale, unlabel_rgb
from plotly.subplots import make_subplots

from nmf_lab.figures.common import apply_layout, colorbar_beside, colorbar_trace
from nmf_lab.figures.png_cache import png_data_uri
from nmf_lab.figures.style import DIVERGING, METHOD_COLORS, SEQUENTIAL

__all__ = [
    "GRAY",
    "colorize",
    "error_map_figures",
    "error_rank_figure",
    "face_coefficients_figure",
    "face_mosaic_figure",
    "factor_figures",
    "image_trace",
    "layers_figure",
    "mosaic",
    "parts_figures",
    "picture_figure",
    "reconstruction_figures",
    "square_columns",
]

#: Black (0) to white (1): photographs and their reconstructions.
GRAY = [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]]


@lru_cache(maxsize=8)
def _lookup_table(colorscale: str | tuple) -> np.ndarray:
    scale = (
        get_colorscale(colorscale) if isinstance(colorscale, str) else [list(p) for p in colorscale]
    )
    colors = sample_colorscale(scale, list(np.linspace(0.0, 1.0, 256)), colortype="rgb")
    return np.array([unlabel_rgb(c) for c in colors], dtype=float).round().astype(np.uint8)


def _scale_key(colorscale) -> str | tuple:
    if isinstance(colorscale, str):
        return colorscale
    return tuple((float(p), str(c)) for p, c in colorscale)


def colorize(values: np.ndarray, colorscale, vmin: float, vmax: float) -> np.ndarray:
    """Map a 2-D array through a plotly colour scale to RGB bytes.

    Parameters
    ----------
    values : ndarray, shape (h, w)
    colorscale : str or list of [position, colour]
    vmin, vmax : float
        Values at the two ends of the scale (outside: clipped; NaN: white).

    Returns
    -------
    ndarray, shape (h, w, 3), uint8
    """
    values = np.asarray(values, dtype=np.float64)
    pixels = _lookup_table(_scale_key(colorscale))[_indices(values, vmin, vmax)]
    pixels[np.isnan(values)] = 255
    return pixels


def _indices(values: np.ndarray, vmin: float, vmax: float) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    span = vmax - vmin if vmax > vmin else 1.0
    positions = np.clip((np.nan_to_num(values, nan=vmin) - vmin) / span, 0.0, 1.0)
    return np.round(positions * 255).astype(np.uint8)


def _photo_pixels(image: np.ndarray) -> np.ndarray:
    """Values in [0, 1] -> uint8, gray stays 2-D (a one-channel PNG is smaller)."""
    image = np.asarray(image, dtype=np.float64)
    return np.round(np.clip(np.nan_to_num(image), 0.0, 1.0) * 255).astype(np.uint8)


def image_trace(
    image: np.ndarray,
    *,
    kind: str = "photo",
    vmin: float | None = None,
    vmax: float | None = None,
    name: str | None = None,
) -> go.Image:
    """One picture as a ``go.Image`` trace (pixels sent as PNG).

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, 3)
        ``kind="photo"``: values in [0, 1] (clipped), gray or RGB. Otherwise 2-D.
    kind : {"photo", "sequential", "diverging"}
        ``"sequential"``: Viridis from ``vmin`` (default 0) to ``vmax`` (default the maximum);
        ``"diverging"``: RdBu_r from ``−vmax`` to ``vmax`` (default the largest magnitude).
    vmin, vmax : float, optional
    name : str, optional

    Returns
    -------
    plotly.graph_objects.Image
    """
    image = np.asarray(image, dtype=np.float64)
    if kind == "photo":
        return go.Image(source=png_data_uri(_photo_pixels(image)), name=name, hoverinfo="x+y")
    if kind == "sequential":
        top = float(np.nanmax(image)) if vmax is None else vmax
        low = 0.0 if vmin is None else vmin
        indices, lut = _indices(image, low, top or 1.0), _lookup_table(SEQUENTIAL)
    elif kind == "diverging":
        bound = float(np.nanmax(np.abs(image))) if vmax is None else vmax
        bound = bound or 1.0
        indices, lut = _indices(image, -bound, bound), _lookup_table(DIVERGING)
    else:
        raise ValueError(f"Unknown kind {kind!r}; use 'photo', 'sequential' or 'diverging'.")
    return go.Image(source=png_data_uri(indices, lut), name=name, hoverinfo="x+y")


def _image_grid(rows: int, cols: int, titles: Sequence[str], *, spacing: float = 0.03) -> go.Figure:
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=list(titles),
        horizontal_spacing=spacing,
        vertical_spacing=0.08,
    )
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    return fig


# Width of the main column in the app's wide layout (sidebar open), used to size picture rows.
_PAGE_WIDTH = 950


# The second line of two-line panel titles (16 px text): the figure grows by it, so the pictures
# keep their size.
_TWO_LINES_PX = 22


def _lock_aspect(fig: go.Figure, count: int) -> None:
    for index in range(1, count + 1):
        suffix = "" if index == 1 else str(index)
        fig.layout[f"yaxis{suffix}"].update(
            scaleanchor=f"x{suffix}", scaleratio=1, autorange="reversed"
        )


# Right margin of a figure whose bar stands right of its panel: the bar, its tick labels
# ("−0.2", "0.25") and the gap.
_BAR_MARGIN_PX = 62
# Under a strip with its colour bars below: the bars with their titles and tick labels.
_BARS_UNDER_PX = 90
# A picture on its own is drawn this tall (plus its title): three of them side by side fill a
# 1440-pixel page, and one fills a phone's column (about 360 pixels), where the row stacks.
PICTURE_PX = 340


def _picture_height(picture: np.ndarray) -> int:
    h, w = np.shape(picture)[:2]
    return int(min(max(PICTURE_PX * h / max(w, 1), 160), 480))


def picture_figure(
    picture: np.ndarray,
    title: str,
    *,
    kind: str = "photo",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar_title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """One picture with its title (two lines at most), and a colour bar unless a photograph.

    Pictures that belong together are separate figures side by side in page columns, so that a
    narrow screen stacks them and each keeps the column's width (as panels of one figure they
    shared a phone's 360 pixels: about 100 each).

    Parameters
    ----------
    picture : ndarray, shape (h, w) or (h, w, 3)
    title : str
        Plotly text; ``<br>`` breaks it into two lines.
    kind : {"photo", "sequential", "diverging"}
        As in :func:`image_trace`.
    vmin, vmax : float, optional
        Ends of the colour scale (see :func:`image_trace`); pictures meant to be compared get
        the same ends.
    colorbar_title : str, optional
        Title of the colour bar (``kind`` other than ``"photo"``).
    height : int, optional
        Of the picture; by default :data:`PICTURE_PX` tall for a square one.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    picture = np.asarray(picture, dtype=np.float64)
    fig = _image_grid(1, 1, [title])
    fig.add_trace(image_trace(picture, kind=kind, vmin=vmin, vmax=vmax))
    right = 20
    if kind != "photo":
        if kind == "sequential":
            low = 0.0 if vmin is None else vmin
            high = float(np.nanmax(picture)) if vmax is None else vmax
            scale = SEQUENTIAL
        else:
            high = float(np.nanmax(np.abs(picture))) if vmax is None else vmax
            low, scale = -high, DIVERGING
        bar = {"x": 1.02, "xanchor": "left", "len": 0.9}
        fig.add_trace(colorbar_trace(scale, low, high or 1.0, colorbar_title, **bar))
        right = _BAR_MARGIN_PX
    _lock_aspect(fig, 1)
    apply_layout(fig, height=(height or _picture_height(picture)) + 40 + _TWO_LINES_PX)
    return fig.update_layout(margin={"t": _TWO_LINES_PX + 20, "l": 10, "r": right, "b": 10})


def reconstruction_figures(
    original: np.ndarray,
    nmf_image: np.ndarray,
    svd_image: np.ndarray,
    *,
    rank: int,
    nmf_error: float,
    svd_error: float,
) -> tuple[go.Figure, go.Figure, go.Figure]:
    """Original, NMF ``HW`` and the rank-r SVD, one figure each, on the same gray scale [0, 1].

    Parameters
    ----------
    original, nmf_image, svd_image : ndarray, shape (n, k) or (n, k, 3)
        Reconstructions are clipped to [0, 1] for display only.
    rank : int
    nmf_error, svd_error : float
        Relative errors, shown in the titles.

    Returns
    -------
    tuple of three plotly.graph_objects.Figure
    """
    return (
        picture_figure(original, "Original X"),
        picture_figure(nmf_image, f"NMF HW, r = {rank}<br>error {nmf_error:.1%}"),
        picture_figure(svd_image, f"SVD, rank {rank}<br>error {svd_error:.1%}"),
    )


def error_map_figures(
    nmf_map: np.ndarray, svd_map: np.ndarray, *, quantile: float = 0.995
) -> tuple[go.Figure, go.Figure]:
    """The two per-pixel error maps on ONE Viridis scale (0 … a high quantile of both).

    Each map is its own figure with its own colour bar; both bars have the same ends, so the
    same colour means the same error in both.

    Parameters
    ----------
    nmf_map, svd_map : ndarray, shape (n, k)
        ``|X − X̂|`` per pixel.
    quantile : float
        The scale ends at this quantile of both maps together, so a few extreme pixels do not
        wash out the rest (values above are drawn in the top colour).

    Returns
    -------
    tuple of two plotly.graph_objects.Figure
    """
    top = float(np.quantile(np.concatenate([np.ravel(nmf_map), np.ravel(svd_map)]), quantile))
    top = top if top > 0 else 1.0
    return tuple(
        picture_figure(
            error_map, title, kind="sequential", vmin=0.0, vmax=top, colorbar_title="|error|"
        )
        for error_map, title in (
            (nmf_map, "NMF error<br>|X − HW|"),
            (svd_map, "SVD error<br>|X − X_r|"),
        )
    )


def factor_figures(
    H: np.ndarray, W: np.ndarray, svd_left: np.ndarray, svd_right: np.ndarray, *, height: int = 620
) -> tuple[go.Figure, go.Figure]:
    """The factors as strips, one figure per method: NMF's ``W`` over ``Hᵀ``, SVD's ``Vᵀ`` over
    ``(U·S)ᵀ``.

    Side by side in page columns on a wide screen, stacked on a narrow one (as one figure of
    four panels, a phone left each about 95 pixels and put NMF's colour-bar labels on the SVD's
    panel). Each panel has its own scale and its own bar, right of it in the margin.

    Parameters
    ----------
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    svd_left : ndarray, shape (n, r)
        ``U·diag(S)``.
    svd_right : ndarray, shape (r, k)
        ``Vᵀ``.

    Returns
    -------
    tuple of two plotly.graph_objects.Figure
        Each: top, one row per basis vector over the image columns; bottom, one row per basis
        vector over the image rows.
    """
    methods = (
        (W, np.asarray(H).T, False, ("NMF: rows of W (≥ 0)", "NMF: columns of H (≥ 0)")),
        (
            svd_right,
            np.asarray(svd_left).T,
            True,
            ("SVD: rows of Vᵀ (signed)", "SVD: columns of U·S (signed)"),
        ),
    )
    figures = []
    for top, bottom, diverging, titles in methods:
        fig = make_subplots(rows=2, cols=1, subplot_titles=titles, vertical_spacing=0.18)
        for row, matrix in enumerate((top, bottom), start=1):
            # float32 halves the payload; the picture cannot show more digits anyway.
            matrix = np.asarray(matrix, dtype=np.float32)
            rank = matrix.shape[0]
            if diverging:
                bound = float(np.max(np.abs(matrix))) or 1.0
                scale = {"colorscale": DIVERGING, "zmin": -bound, "zmax": bound, "zmid": 0}
            else:
                scale = {
                    "colorscale": SEQUENTIAL,
                    "zmin": 0,
                    "zmax": float(np.max(matrix)) or 1.0,
                }
            trace = go.Heatmap(z=matrix, y=np.arange(1, rank + 1), **scale)
            trace.update(showscale=True, colorbar=colorbar_beside(fig, row, 1, x=1.02))
            fig.add_trace(trace, row=row, col=1)
            fig.update_yaxes(autorange="reversed", title_text="basis i", row=row, col=1)
        fig.update_xaxes(title_text="image column", row=1)
        fig.update_xaxes(title_text="image row", row=2)
        apply_layout(fig, height=height)
        figures.append(fig.update_layout(margin={"t": 40, "l": 45, "r": _BAR_MARGIN_PX, "b": 40}))
    return tuple(figures)


def layers_figure(
    nmf_layers: np.ndarray,
    svd_layers: np.ndarray,
    *,
    labels: Sequence[str],
    cumulative: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Rank-one layers (or their running sums) as one picture: NMF on top, SVD below.

    The tiles are composed into a single PNG (one trace instead of 2·m subplots keeps the
    figure quick to build and small to send).

    Parameters
    ----------
    nmf_layers, svd_layers : ndarray, shape (m, h, w)
        From :func:`nmf_lab.lessons.images.layer_stack`.
    labels : sequence of str, length m
        Column labels (e.g. which basis vector each layer uses).
    cumulative : bool
        Running sums are pictures of the image so far: gray scale [0, 1] for both, one gray
        bar. Single layers are matrices, each on its own scale: NMF's (nonnegative) on Viridis
        from 0 to the layer's maximum, SVD's (signed) on RdBu_r from −max|layer| to +max|layer|;
        one bar for each method, in shares of each layer's own maximum.
    height : int, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    nmf_layers = np.asarray(nmf_layers, dtype=np.float64)
    svd_layers = np.asarray(svd_layers, dtype=np.float64)
    if nmf_layers.ndim != 3 or svd_layers.shape != nmf_layers.shape:
        raise ValueError(
            f"nmf_layers and svd_layers need the same shape (m, h, w); got "
            f"{nmf_layers.shape} and {svd_layers.shape}."
        )
    count, h, w = nmf_layers.shape
    if len(labels) != count:
        raise ValueError(f"Need {count} labels, got {len(labels)}.")
    gap = max(2, w // 16)
    canvas = np.full((2 * h + gap, count * (w + gap) - gap, 3), 255, dtype=np.uint8)
    diverging, sequential = _lookup_table(DIVERGING), _lookup_table(SEQUENTIAL)
    for index in range(count):
        columns = slice(index * (w + gap), index * (w + gap) + w)
        if cumulative:
            top = _photo_pixels(nmf_layers[index])
            bottom = _photo_pixels(svd_layers[index])
        else:
            peak = float(np.max(nmf_layers[index])) or 1.0
            top = sequential[_indices(nmf_layers[index], 0.0, peak)]
            bound = float(np.max(np.abs(svd_layers[index]))) or 1.0
            bottom = diverging[_indices(svd_layers[index], -bound, bound)]
        canvas[:h, columns] = top[..., None] if top.ndim == 2 else top
        canvas[h + gap :, columns] = bottom[..., None] if bottom.ndim == 2 else bottom
    fig = go.Figure(go.Image(source=png_data_uri(canvas), hoverinfo="skip"))
    # The bars lie under the strip, so the strip has the figure's whole width (beside it, they
    # took 150 of a phone's 360 pixels).
    under = {"orientation": "h", "y": -0.04, "yanchor": "top", "thickness": 12}
    if cumulative:
        fig.add_trace(colorbar_trace(GRAY, 0.0, 1.0, "intensity", x=0.5, len=0.5, **under))
    else:
        # Each tile is on its own scale, so the bars read in shares of a layer's own maximum.
        half = {"len": 0.46, "xanchor": "center", **under}
        fig.add_trace(
            colorbar_trace(SEQUENTIAL, 0.0, 1.0, "NMF ÷ max", x=0.25, tickvals=[0, 1], **half)
        )
        fig.add_trace(
            colorbar_trace(DIVERGING, -1.0, 1.0, "SVD ÷ max|·|", x=0.75, tickvals=[-1, 1], **half)
        )
    # Titles over the bars: beside them they took most of a phone's width.
    fig.update_traces(marker_colorbar_title_side="top", selector={"type": "scatter"})
    centres = [index * (w + gap) + w / 2 for index in range(count)]
    fig.update_xaxes(
        tickvals=centres, ticktext=list(labels), side="top", showgrid=False, zeroline=False
    )
    fig.update_yaxes(
        tickvals=[h / 2, h + gap + h / 2],
        ticktext=["NMF", "SVD"],
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        scaleratio=1,
        autorange="reversed",
    )
    natural = int(_PAGE_WIDTH * canvas.shape[0] / canvas.shape[1])
    fig = apply_layout(fig, height=height or min(max(natural, 100), 600) + 50 + _BARS_UNDER_PX)
    fig.update_layout(margin={"l": 45, "r": 10, "t": 50, "b": _BARS_UNDER_PX})
    return fig


def error_rank_figure(
    ranks: np.ndarray,
    nmf_errors: np.ndarray,
    svd_errors: np.ndarray,
    *,
    current_rank: int | None = None,
    height: int = 400,
) -> go.Figure:
    """Relative error against rank: NMF above SVD (the Eckart–Young lower bound).

    Parameters
    ----------
    ranks : ndarray of int, shape (R,)
    nmf_errors, svd_errors : ndarray, shape (R,)
    current_rank : int, optional
        Marked with a dotted vertical line.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ranks,
            y=nmf_errors,
            mode="lines+markers",
            name="NMF ‖X − HW‖/‖X‖",
            line={"color": METHOD_COLORS["NMF"]},
            marker={"symbol": "circle"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=ranks,
            y=svd_errors,
            mode="lines+markers",
            name="SVD (best possible at rank r)",
            line={"color": METHOD_COLORS["SVD"], "dash": "dash"},
            marker={"symbol": "square"},
        )
    )
    if current_rank is not None:
        fig.add_vline(x=current_rank, line={"dash": "dot", "color": "gray"})
    fig.update_xaxes(title_text="rank r", dtick=max(1, len(ranks) // 10))
    fig.update_yaxes(title_text="relative error", rangemode="tozero", tickformat=".0%")
    fig.update_layout(legend={"x": 0.55, "y": 0.95})
    return apply_layout(fig, height=height)


def square_columns(count: int) -> int:
    """Columns of a mosaic of ``count`` tiles that is about as tall as it is wide.

    Examples
    --------
    >>> square_columns(16), square_columns(17)
    (4, 5)
    """
    return int(np.ceil(np.sqrt(count)))


def mosaic(
    tiles: np.ndarray,
    shape: tuple[int, int],
    *,
    columns: int,
    gap: int = 1,
    normalize: str | None = None,
) -> np.ndarray:
    """Tile flattened small images into one matrix, NaN between tiles (drawn transparent).

    Parameters
    ----------
    tiles : ndarray, shape (m, h·w)
    shape : (h, w)
    columns : int
    gap : int
        Pixels of NaN between tiles.
    normalize : {None, "max", "absmax"}
        Scale each tile by its own maximum (``"max"``, into [0, 1]) or largest magnitude
        (``"absmax"``, into [−1, 1]) so every tile uses the whole colour scale.

    Returns
    -------
    ndarray, shape (rows·(h + gap) − gap, columns·(w + gap) − gap)
    """
    tiles = np.asarray(tiles, dtype=np.float64)
    h, w = shape
    if tiles.ndim != 2 or tiles.shape[1] != h * w:
        raise ValueError(f"tiles must have shape (m, {h * w}), got {tiles.shape}.")
    if normalize == "max":
        tiles = tiles / np.where(tiles.max(axis=1) > 0, tiles.max(axis=1), 1.0)[:, None]
    elif normalize == "absmax":
        peak = np.abs(tiles).max(axis=1)
        tiles = tiles / np.where(peak > 0, peak, 1.0)[:, None]
    elif normalize is not None:
        raise ValueError(f"Unknown normalize {normalize!r}.")
    count = len(tiles)
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    canvas = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for index, tile in enumerate(tiles):
        row, col = divmod(index, columns)
        canvas[row * (h + gap) : row * (h + gap) + h, col * (w + gap) : col * (w + gap) + w] = (
            tile.reshape(h, w)
        )
    return canvas


def face_mosaic_figure(
    panels: Sequence[tuple[str, np.ndarray, str]], *, height: int = 420
) -> go.Figure:
    """Face mosaics side by side, each a heatmap with its own colour scale and bar.

    The page draws one mosaic per figure, side by side in page columns, so that a narrow screen
    stacks them (one figure of several panels left each about 100 pixels on a phone).

    Parameters
    ----------
    panels : sequence of (title, matrix, kind)
        ``matrix`` from :func:`mosaic`; ``kind`` is ``"gray"`` ([0, 1] photographs),
        ``"sequential"`` (Viridis from 0) or ``"diverging"`` (RdBu_r centred on 0).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    # Each panel has its own scale and its colour bar just right of it, in the gap.
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=[p[0] for p in panels], horizontal_spacing=0.1
    )
    for col, (_, matrix, kind) in enumerate(panels, start=1):
        peak = float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 1.0
        if kind == "gray":
            trace = go.Heatmap(z=matrix, colorscale=GRAY, zmin=0, zmax=1)
        elif kind == "sequential":
            trace = go.Heatmap(z=matrix, colorscale=SEQUENTIAL, zmin=0, zmax=peak or 1.0)
        elif kind == "diverging":
            trace = go.Heatmap(
                z=matrix, colorscale=DIVERGING, zmin=-(peak or 1.0), zmax=peak or 1.0, zmid=0
            )
        else:
            raise ValueError(f"Unknown kind {kind!r}.")
        # One panel alone (a figure of its own in a page column): its bar in the right margin.
        alone = {"x": 1.02} if len(panels) == 1 else {}
        trace.update(showscale=True, colorbar=colorbar_beside(fig, 1, col, len=0.8, **alone))
        fig.add_trace(trace, row=1, col=col)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    _lock_aspect(fig, len(panels))
    fig.update_layout(plot_bgcolor="white")
    two_lines = any("<br>" in title for title, _, _ in panels)
    apply_layout(fig, height=height + (_TWO_LINES_PX if two_lines else 0))
    if two_lines:
        fig.update_layout(margin={"t": _TWO_LINES_PX + 20})
    if len(panels) == 1:
        fig.update_layout(margin={"l": 10, "r": _BAR_MARGIN_PX})
    return fig


def face_coefficients_figure(
    nmf_weights: np.ndarray, pca_scores: np.ndarray, *, height: int = 320
) -> go.Figure:
    """One face's coefficients: its row ``H_i`` (≥ 0) and its PCA scores (signed).

    Parameters
    ----------
    nmf_weights : ndarray, shape (r,)
    pca_scores : ndarray, shape (r,)

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("NMF coefficients H_i (≥ 0)", "PCA scores (signed)")
    )
    parts = np.arange(1, len(nmf_weights) + 1)
    fig.add_trace(
        go.Bar(x=parts, y=nmf_weights, marker_color=METHOD_COLORS["NMF"], name="NMF"), row=1, col=1
    )
    fig.add_trace(
        go.Bar(
            x=np.arange(1, len(pca_scores) + 1),
            y=pca_scores,
            marker_color=METHOD_COLORS["PCA"],
            name="PCA",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="part / eigenface j")
    fig.update_layout(showlegend=False)
    return apply_layout(fig, height=height)


def parts_figures(
    true_parts: np.ndarray,
    nmf_rows: np.ndarray,
    pca_rows: np.ndarray,
    shape: tuple[int, int],
    *,
    columns: int = 4,
    height: int = 360,
) -> tuple[go.Figure, go.Figure, go.Figure]:
    """True parts, NMF's rows of W and PCA's components: three picture grids, one figure each.

    Each tile is scaled to its own largest magnitude. The true parts and NMF's rows are
    nonnegative (Viridis from 0 to 1); PCA's components are signed (RdBu_r from −1 to 1
    centred on 0). Each grid has its own colour bar, and row ``i`` of each input sits in the
    same grid cell, so matched rows line up when the figures stand side by side.

    Parameters
    ----------
    true_parts, nmf_rows, pca_rows : ndarray, shape (m, h·w)
    shape : (h, w)
    columns : int

    Returns
    -------
    tuple of three plotly.graph_objects.Figure
    """
    panels = (
        ("True parts", mosaic(true_parts, shape, columns=columns, normalize="max"), "sequential"),
        ("NMF: rows of W", mosaic(nmf_rows, shape, columns=columns, normalize="max"), "sequential"),
        (
            "PCA: components<br>(signed)",
            mosaic(pca_rows, shape, columns=columns, normalize="absmax"),
            "diverging",
        ),
    )
    return tuple(face_mosaic_figure([panel], height=height) for panel in panels)
