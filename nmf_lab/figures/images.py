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
    "face_coefficients_figures",
    "face_mosaic_figure",
    "factor_figures",
    "factor_strip_figure",
    "image_trace",
    "layers_figures",
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


# Under a strip: its tick labels, its axis title, and the colour bar with its tick labels.
_STRIP_BOTTOM_PX = 100


def factor_strip_figure(
    matrix: np.ndarray, title: str, *, diverging: bool, axis_title: str, height: int = 330
) -> go.Figure:
    """One factor as a strip, one row per basis vector (numbered), with its colour bar under it.

    The bar lies under the strip (beside it, with its tick labels, it took 60 of a phone's
    360 pixels), at the figure's bottom edge (``yref="container"``), so the axis title and tick
    labels above it can grow in lecture mode without running into it.

    Parameters
    ----------
    matrix : ndarray, shape (r, m)
        Row ``i`` is drawn over the ``m`` image columns (or rows) of axis ``axis_title``.
    title : str
    diverging : bool
        Signed values: RdBu_r centred on 0; else Viridis from 0.
    axis_title : str
        What the ``m`` columns are (``"image column"``, ``"image row"``).
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    # float32 halves the payload; the picture cannot show more digits anyway.
    matrix = np.asarray(matrix, dtype=np.float32)
    if diverging:
        bound = float(np.max(np.abs(matrix))) or 1.0
        scale = {"colorscale": DIVERGING, "zmin": -bound, "zmax": bound, "zmid": 0}
    else:
        scale = {"colorscale": SEQUENTIAL, "zmin": 0, "zmax": float(np.max(matrix)) or 1.0}
    bar = {
        "orientation": "h",
        "x": 0.5,
        "xanchor": "center",
        "len": 0.7,
        "yref": "container",
        "y": 0.0,
        "yanchor": "bottom",
        "thickness": 12,
    }
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            y=np.arange(1, matrix.shape[0] + 1),
            showscale=True,
            colorbar=bar,
            hovertemplate=f"basis %{{y}}, {axis_title} %{{x}}: %{{z:.3g}}<extra></extra>",
            **scale,
        )
    )
    # The rows are numbered by their tick labels; an axis title beside them took 20 pixels of
    # a phone's width (the figure's title and the caption say what a row is).
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=axis_title)
    apply_layout(fig, title=title, height=height)
    return fig.update_layout(
        title={"x": 0.5, "xanchor": "center", "font": {"size": 16}},
        margin={"t": 40, "l": 30, "r": 12, "b": _STRIP_BOTTOM_PX, "pad": 0},
    )


def factor_figures(
    H: np.ndarray, W: np.ndarray, svd_left: np.ndarray, svd_right: np.ndarray, *, height: int = 330
) -> tuple[tuple[go.Figure, go.Figure], tuple[go.Figure, go.Figure]]:
    """The factors as strips, a figure each: the basis rows, then the coefficient profiles.

    The page shows each pair side by side in page columns (NMF beside SVD); a narrow screen
    stacks them. As two figures of two panels with their bars beside them, a phone left each
    strip about 220 of its 358 pixels; alone, with the bar under it, a strip has about 300.

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
    (basis rows, coefficient profiles) : two pairs (NMF, SVD) of plotly.graph_objects.Figure
        Basis rows: NMF's ``W`` and the SVD's ``Vᵀ``, one row per basis vector over the image
        columns. Coefficient profiles: ``Hᵀ`` and ``(U·S)ᵀ``, one row per basis vector over the
        image rows. Each strip has its own scale and bar.
    """

    def strip(matrix, title, diverging, axis_title):
        return factor_strip_figure(
            matrix, title, diverging=diverging, axis_title=axis_title, height=height
        )

    return (
        (
            strip(W, "NMF: rows of W (≥ 0)", False, "image column"),
            strip(svd_right, "SVD: rows of Vᵀ (signed)", True, "image column"),
        ),
        (
            strip(np.asarray(H).T, "NMF: columns of H (≥ 0)", False, "image row"),
            strip(np.asarray(svd_left).T, "SVD: columns of U·S (signed)", True, "image row"),
        ),
    )


def layers_figures(
    nmf_layers: np.ndarray,
    svd_layers: np.ndarray,
    *,
    labels: Sequence[str],
    cumulative: bool = False,
    columns: int | None = None,
) -> tuple[go.Figure, go.Figure]:
    """Rank-one layers (or their running sums): NMF's and the SVD's, a grid of tiles each.

    The page shows the two side by side in page columns, and a narrow screen stacks them. Each
    grid is about as wide as it is tall (:func:`square_columns`), so a phone's column of 358
    pixels holds four tiles of about 80 pixels in a row (as one strip of ten NMF tiles over ten
    SVD tiles they were about 28 pixels each). Each grid is composed into one PNG (one trace
    instead of one subplot per tile keeps the figure quick to build and small to send); each
    tile's label sits in the gap above it.

    Parameters
    ----------
    nmf_layers, svd_layers : ndarray, shape (m, h, w)
        From :func:`nmf_lab.lessons.images.layer_stack`.
    labels : sequence of str, length m
        Tile labels (e.g. which basis vector each layer uses).
    cumulative : bool
        Running sums are pictures of the image so far: gray scale [0, 1] for both, a gray bar
        each. Single layers are matrices, each on its own scale: NMF's (nonnegative) on Viridis
        from 0 to the layer's maximum, SVD's (signed) on RdBu_r from −max|layer| to +max|layer|;
        the bars read in shares of each layer's own maximum.
    columns : int, optional
        Tiles per row of each grid; :func:`square_columns` of m by default.

    Returns
    -------
    (NMF, SVD) : two plotly.graph_objects.Figure
    """
    nmf_layers = np.asarray(nmf_layers, dtype=np.float64)
    svd_layers = np.asarray(svd_layers, dtype=np.float64)
    if nmf_layers.ndim != 3 or svd_layers.shape != nmf_layers.shape:
        raise ValueError(
            f"nmf_layers and svd_layers need the same shape (m, h, w); got "
            f"{nmf_layers.shape} and {svd_layers.shape}."
        )
    count = nmf_layers.shape[0]
    if len(labels) != count:
        raise ValueError(f"Need {count} labels, got {len(labels)}.")
    columns = square_columns(count) if columns is None else max(1, min(int(columns), count))
    if cumulative:
        methods = (
            ("NMF: running sums", nmf_layers, "photo"),
            ("SVD: running sums", svd_layers, "photo"),
        )
    else:
        methods = (
            ("NMF layers (≥ 0)", nmf_layers, "sequential"),
            ("SVD layers (signed)", svd_layers, "diverging"),
        )
    return tuple(
        _layer_grid_figure(layers, title, kind, labels, columns) for title, layers, kind in methods
    )


def _layer_tile(layer: np.ndarray, kind: str) -> np.ndarray:
    """One layer as RGB pixels: a photograph, or on its own scale (Viridis / RdBu_r)."""
    if kind == "photo":
        pixels = _photo_pixels(layer)
        return np.repeat(pixels[..., None], 3, axis=2)
    if kind == "sequential":
        return _lookup_table(SEQUENTIAL)[_indices(layer, 0.0, float(np.max(layer)) or 1.0)]
    bound = float(np.max(np.abs(layer))) or 1.0
    return _lookup_table(DIVERGING)[_indices(layer, -bound, bound)]


# The width a grid of layers is drawn for.
_LAYER_GRID_PX = 400


def _layer_grid_figure(
    layers: np.ndarray, title: str, kind: str, labels: Sequence[str], columns: int
) -> go.Figure:
    count, h, w = layers.shape
    rows = -(-count // columns)
    gap = max(2, w // 16)
    # Room above each tile for its label: a quarter of the tile's height in the picture's own
    # pixels, which the figure shrinks or enlarges with the tile.
    label_band = max(8, h // 4)
    cell_h, cell_w = label_band + h, w + gap
    canvas = np.full((rows * cell_h, columns * cell_w - gap, 3), 255, dtype=np.uint8)
    annotations = []
    for index in range(count):
        row, col = divmod(index, columns)
        top, left = row * cell_h + label_band, col * cell_w
        canvas[top : top + h, left : left + w] = _layer_tile(layers[index], kind)
        annotations.append(
            {
                "x": left + w / 2,
                "y": top - label_band / 2,
                "xref": "x",
                "yref": "y",
                "text": labels[index],
                "showarrow": False,
                "font": {"size": 13},
            }
        )
    fig = go.Figure(go.Image(source=png_data_uri(canvas), hoverinfo="skip"))
    # The bar lies under the grid, so the grid has the figure's whole width, at the figure's
    # bottom edge: lecture mode's larger bar title then stays in the margin, off the tiles.
    under = {
        "orientation": "h",
        "yref": "container",
        "y": 0.0,
        "yanchor": "bottom",
        "thickness": 12,
        "len": 0.7,
    }
    if kind == "photo":
        bar = colorbar_trace(GRAY, 0.0, 1.0, "intensity", x=0.5, **under)
    elif kind == "sequential":
        bar = colorbar_trace(SEQUENTIAL, 0.0, 1.0, "÷ its max", x=0.5, tickvals=[0, 1], **under)
    else:
        bar = colorbar_trace(DIVERGING, -1.0, 1.0, "÷ its max|·|", x=0.5, tickvals=[-1, 1], **under)
    fig.add_trace(bar)
    # Titles over the bars: beside them they took most of a phone's width.
    fig.update_traces(marker_colorbar_title_side="top", selector={"type": "scatter"})
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(
        visible=False,
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        scaleratio=1,
        autorange="reversed",
    )
    fig.update_layout(annotations=annotations)
    # As tall as the grid is at about a phone's width: wider columns (two side by side at
    # 1440 pixels, one in lecture mode) draw it as tall, a phone leaves little blank above it.
    natural = int(_LAYER_GRID_PX * canvas.shape[0] / canvas.shape[1])
    apply_layout(fig, title=title, height=min(max(natural, 120), 600) + 50 + _BARS_UNDER_PX)
    return fig.update_layout(
        title={"x": 0.5, "xanchor": "center", "font": {"size": 16}},
        margin={"l": 10, "r": 10, "t": 50, "b": _BARS_UNDER_PX},
    )


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


def face_coefficients_figures(
    nmf_weights: np.ndarray, pca_scores: np.ndarray, *, height: int = 320
) -> tuple[go.Figure, go.Figure]:
    """One face's coefficients, a figure each: its row ``H_i`` (≥ 0) and its PCA scores (signed).

    The page shows them side by side in page columns, so that a narrow screen stacks them (as
    two panels of one figure they shared a phone's width).

    Parameters
    ----------
    nmf_weights : ndarray, shape (r,)
    pca_scores : ndarray, shape (r,)

    Returns
    -------
    (NMF, PCA) : two plotly.graph_objects.Figure
    """
    bars = (
        ("NMF coefficients H_i (≥ 0)", nmf_weights, "NMF", "part j"),
        ("PCA scores (signed)", pca_scores, "PCA", "eigenface j"),
    )
    figures = []
    for title, values, method, axis_title in bars:
        values = np.asarray(values, dtype=np.float64)
        fig = go.Figure(
            go.Bar(
                x=np.arange(1, len(values) + 1),
                y=values,
                marker_color=METHOD_COLORS[method],
                name=method,
            )
        )
        fig.update_xaxes(title_text=axis_title)
        fig.update_layout(showlegend=False)
        apply_layout(fig, title=title, height=height)
        figures.append(
            fig.update_layout(
                title={"x": 0.5, "xanchor": "center", "font": {"size": 16}},
                # Under the bars: the tick labels and the axis title below them.
                margin={"t": 40, "b": 60},
            )
        )
    return tuple(figures)


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
