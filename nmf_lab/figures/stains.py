"""Figures for the Stains page: the slide, pixels in the colour triangle, swatches, stain maps.

Pictures travel as PNG (:func:`nmf_lab.figures.images.image_trace`): the 512×512 maps would
otherwise put a quarter of a million numbers per map into the page. Concentrations are
nonnegative, so every map uses the one sequential scale, with a colour bar per row of maps
(NMF's maps share one scale, ``rgb2hed``'s another: their units differ).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nmf_lab.figures.common import apply_layout, colorbar_trace
from nmf_lab.figures.images import image_trace
from nmf_lab.figures.style import OKABE_ITO, SEQUENTIAL
from nmf_lab.lessons.stains import STAINS, StainUnmixing, chromaticity, transmitted_colour

__all__ = [
    "MAP_QUANTILE",
    "chromaticity_figure",
    "concentration_maps_figure",
    "map_scale",
    "slide_figure",
    "swatches_figure",
]

#: Each row of maps is scaled to this quantile of its values, so a few extreme pixels do not
#: wash out the rest (brighter pixels get the top colour).
MAP_QUANTILE = 0.995
# Marker symbols of the learned rows and of the reference rows in the colour triangle.
_LEARNED_SYMBOL = "circle"
_REFERENCE_SYMBOL = "x"


def _bare_axes(fig: go.Figure, count: int) -> None:
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    for index in range(1, count + 1):
        suffix = "" if index == 1 else str(index)
        fig.layout[f"yaxis{suffix}"].update(
            scaleanchor=f"x{suffix}", scaleratio=1, autorange="reversed"
        )


def slide_figure(image: np.ndarray, *, height: int = 420) -> go.Figure:
    """The slide as it looks (RGB, 0 … 255)."""
    image = np.asarray(image, dtype=np.float64)
    fig = go.Figure(image_trace(image / 255.0, name="slide"))
    _bare_axes(fig, 1)
    return apply_layout(fig, height=height)


def _colour_strings(pixels: np.ndarray) -> list[str]:
    return [f"rgb({r},{g},{b})" for r, g, b in np.asarray(pixels, dtype=int)]


def chromaticity_figure(
    od_pixels: np.ndarray,
    rgb_pixels: np.ndarray,
    result: StainUnmixing,
    reference: np.ndarray,
    *,
    height: int = 480,
) -> go.Figure:
    """Pixels, learned rows of W and the reference stains in the triangle of OD shares.

    A pixel's OD ``(R, G, B)`` divided by its sum is a point of the triangle; more or less of
    the same stain mix is the same point. Each stain is one point, the mixes NMF can build
    from ``r`` rows fill the segment (r = 2) or the triangle (r = 3) between them.

    Parameters
    ----------
    od_pixels : ndarray, shape (m, 3)
        A sample of pixels (their OD), drawn in their own colour.
    rgb_pixels : ndarray, shape (m, 3)
        The same pixels' RGB values (0 … 255), the colour of each dot.
    result : StainUnmixing
    reference : ndarray, shape (3, 3)
        Reference stain rows (haematoxylin, eosin, DAB).
    """
    shares = chromaticity(od_pixels)
    keep = np.all(np.isfinite(shares), axis=1)
    shares, colours = shares[keep], np.asarray(rgb_pixels)[keep]
    fig = go.Figure()
    fig.add_trace(
        go.Scatterternary(
            a=shares[:, 0],
            b=shares[:, 1],
            c=shares[:, 2],
            mode="markers",
            marker={"size": 4, "color": _colour_strings(colours), "opacity": 0.6},
            name="pixels (own colour)",
            hoverinfo="skip",
        )
    )
    learned = chromaticity(result.W)
    if result.rank >= 2:
        loop = [*range(result.rank), 0] if result.rank == 3 else list(range(result.rank))
        fig.add_trace(
            go.Scatterternary(
                a=learned[loop, 0],
                b=learned[loop, 1],
                c=learned[loop, 2],
                mode="lines",
                line={"color": OKABE_ITO[7], "width": 2, "dash": "dot"},
                name="mixes of the learned rows",
                hoverinfo="skip",
            )
        )
    references = chromaticity(reference)
    fig.add_trace(
        go.Scatterternary(
            a=references[:, 0],
            b=references[:, 1],
            c=references[:, 2],
            mode="markers+text",
            # The legend says the crosses are the reference; short names, placed away from each
            # other (eosin and DAB sit close in the lower left), keep clear at 390 pixels.
            text=list(STAINS),
            textposition=["top left", "top right", "top right"],
            cliponaxis=False,
            marker={"symbol": _REFERENCE_SYMBOL, "size": 13, "color": OKABE_ITO[5]},
            name="Ruifrok–Johnston",
            hovertemplate="%{text} (reference)<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatterternary(
            a=learned[:, 0],
            b=learned[:, 1],
            c=learned[:, 2],
            mode="markers+text",
            text=[f"w{i + 1}" for i in range(result.rank)],
            textposition="middle right",
            cliponaxis=False,
            marker={
                "symbol": _LEARNED_SYMBOL,
                "size": 14,
                "color": _colour_strings([transmitted_colour(w) for w in result.W]),
                "line": {"color": OKABE_ITO[7], "width": 2},
            },
            name="NMF: rows w1, w2, … of W",
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        # Explicit sizes: the projector copy scales explicit fonts (ternary axes are not
        # among the cartesian axes it enlarges by role).
        ternary={
            axis: {
                "title": {"text": f"{colour} OD share", "font": {"size": 14}},
                "tickfont": {"size": 12},
                "min": 0,
            }
            for axis, colour in (("aaxis", "red"), ("baxis", "green"), ("caxis", "blue"))
        },
        # Under the corner titles, which grow twofold in lecture mode.
        legend={"orientation": "h", "y": -0.2, "x": 0.0},
    )
    apply_layout(fig, height=height)
    # Side margins just wide enough for the corner titles: on a phone the triangle is as wide
    # as the figure less these.
    fig.update_layout(margin={"l": 60, "r": 60, "t": 50, "b": 90})
    return fig


def swatches_figure(
    result: StainUnmixing, reference: np.ndarray, *, amount: float = 0.8, height: int = 300
) -> go.Figure:
    """Each learned stain colour beside the colour of its matched reference stain.

    The colour shown is the light a pixel lets through when it holds ``amount`` OD of the
    stain: ``255 · 10^(−amount · w)``. One row per row of W: the learned swatch on the left,
    the reference on the right, the angle between the two OD vectors in the row's label.
    Drawn as rectangles in data coordinates, so the labels stay horizontal at any width.
    """
    fig = go.Figure(
        go.Scatter(
            x=[0.0, 2.0],
            y=[0.0, float(result.rank)],
            mode="markers",
            marker={"opacity": 0},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for index, (row, stain) in enumerate(zip(result.W, result.matched, strict=True)):
        top = result.rank - index
        for column, colour in enumerate(
            (transmitted_colour(row, amount), transmitted_colour(reference[stain], amount))
        ):
            fig.add_shape(
                type="rect",
                x0=column + 0.04,
                x1=column + 0.96,
                y0=top - 0.92,
                y1=top - 0.08,
                fillcolor=_colour_strings([colour])[0],
                line={"width": 0},
            )
        fig.add_annotation(
            x=1.0,
            y=top - 0.5,
            text=f"<b>{STAINS[stain]}</b><br>{result.angles[index]:.1f}° apart",
            showarrow=False,
            font={"color": "white", "size": 13},
            bgcolor="rgba(0,0,0,0.55)",
        )
    fig.update_xaxes(
        range=[0, 2],
        tickvals=[0.5, 1.5],
        ticktext=["NMF: row of W", "reference"],
        side="top",
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    fig.update_yaxes(
        range=[0, result.rank],
        tickvals=[result.rank - index - 0.5 for index in range(result.rank)],
        ticktext=[f"w{index + 1}" for index in range(result.rank)],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    apply_layout(fig, height=min(height, 90 * result.rank + 70))
    fig.update_layout(margin={"l": 40, "r": 20, "t": 40, "b": 10}, plot_bgcolor="white")
    return fig


def map_scale(maps: np.ndarray) -> float:
    """Top of a row's colour scale: the :data:`MAP_QUANTILE` quantile of its values (> 0)."""
    top = float(np.quantile(np.asarray(maps, dtype=np.float64), MAP_QUANTILE))
    return top if top > 0 else 1.0


def concentration_maps_figure(
    result: StainUnmixing,
    reference_maps: np.ndarray,
    *,
    height: int | None = None,
    titles: Sequence[str] | None = None,
) -> go.Figure:
    """NMF's concentration maps (top) above ``rgb2hed``'s map of the matched stain (bottom).

    Parameters
    ----------
    result : StainUnmixing
    reference_maps : ndarray, shape (h, w, 3)
        ``skimage.color.rgb2hed`` of the slide.
    """
    maps = result.maps()
    reference_maps = np.asarray(reference_maps, dtype=np.float64)
    references = np.stack([reference_maps[..., stain] for stain in result.matched])
    columns = result.rank
    if titles is None:
        titles = [
            f"NMF: {STAINS[stain]}<br>(w{index + 1})" for index, stain in enumerate(result.matched)
        ] + [f"rgb2hed:<br>{STAINS[stain]}" for stain in result.matched]
    fig = make_subplots(
        rows=2,
        cols=columns,
        subplot_titles=list(titles),
        horizontal_spacing=0.03,
        vertical_spacing=0.1,
    )
    top_nmf, top_reference = map_scale(maps), map_scale(references)
    for index in range(columns):
        fig.add_trace(
            image_trace(maps[index], kind="sequential", vmin=0.0, vmax=top_nmf, name="NMF"),
            row=1,
            col=index + 1,
        )
        fig.add_trace(
            image_trace(
                references[index], kind="sequential", vmin=0.0, vmax=top_reference, name="rgb2hed"
            ),
            row=2,
            col=index + 1,
        )
    nmf_bar = colorbar_trace(SEQUENTIAL, 0.0, top_nmf, "H (OD)", y=0.77, len=0.45, yanchor="middle")
    reference_bar = colorbar_trace(
        SEQUENTIAL, 0.0, top_reference, "rgb2hed", y=0.23, len=0.45, yanchor="middle"
    )
    fig.add_trace(nmf_bar, row=1, col=columns)
    fig.add_trace(reference_bar, row=2, col=columns)
    _bare_axes(fig, 2 * columns)
    per_panel = 900 / max(columns, 2)
    apply_layout(fig, height=height or int(min(2 * per_panel + 90, 820)))
    # The titles over the top row have two lines (16 px text): the top margin holds both.
    return fig.update_layout(margin={"t": 50})
