"""Figures of the Stains page: the slide, the colour triangle, swatches and the maps."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.figures.stains import (
    MAP_QUANTILE,
    chromaticity_figure,
    concentration_maps_figure,
    map_scale,
    slide_figure,
    swatches_figure,
)
from nmf_lab.figures.style import for_projector
from nmf_lab.lessons.stains import (
    load_slide,
    optical_density,
    reference_concentrations,
    reference_stains,
    transmitted_colour,
    triangle_sample,
    unmix_stains,
)


@pytest.fixture(scope="module")
def slide():
    image = load_slide()
    return image, reference_concentrations(image)


@pytest.fixture(scope="module", params=[1, 2, 3])
def result(request, slide):
    image, maps = slide
    return unmix_stains(image, request.param, sample_size=5000, reference_maps=maps)


def test_slide_is_one_picture(slide):
    fig = slide_figure(slide[0])
    assert [trace.type for trace in fig.data] == ["image"]
    assert fig.data[0].source.startswith("data:image/png;base64,")


def test_triangle_holds_pixels_learned_rows_and_references(slide, result):
    image, _ = slide
    picked = triangle_sample(512 * 512, 500)
    od = optical_density(image).reshape(-1, 3)[picked]
    fig = chromaticity_figure(od, image.reshape(-1, 3)[picked], result, reference_stains())
    by_name = {trace.name: trace for trace in fig.data}
    assert all(trace.type == "scatterternary" for trace in fig.data)
    learned = by_name["NMF: rows w1, w2, … of W"]
    assert len(learned.a) == result.rank
    shares = result.W / result.W.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(learned.a, shares[:, 0])
    assert len(by_name["Ruifrok–Johnston"].a) == 3
    assert len(by_name["pixels (own colour)"].a) <= 500
    # The segment (r = 2) or closed triangle (r = 3) of the mixes; no line at r = 1.
    lines = [trace for trace in fig.data if trace.mode == "lines"]
    assert len(lines) == (0 if result.rank == 1 else 1)
    if result.rank == 3:
        assert len(lines[0].a) == 4
    for_projector(fig)  # the projector copy can be built


def test_swatches_show_learned_and_reference_colours_with_angles(result):
    reference = reference_stains()
    fig = swatches_figure(result, reference)
    assert len(fig.layout.shapes) == 2 * result.rank
    first = transmitted_colour(result.W[0], 0.8)
    assert fig.layout.shapes[0].fillcolor == f"rgb({first[0]},{first[1]},{first[2]})"
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert texts[0].endswith(f"{result.angles[0]:.1f}° apart")
    for_projector(fig)


def test_maps_have_one_sequential_colour_bar_per_row(slide, result):
    _, maps = slide
    fig = concentration_maps_figure(result, maps)
    pictures = [trace for trace in fig.data if trace.type == "image"]
    assert len(pictures) == 2 * result.rank
    bars = [trace for trace in fig.data if trace.type == "scatter"]
    assert len(bars) == 2
    assert all(bar.marker.showscale and bar.marker.cmin == 0 for bar in bars)
    assert all(bar.marker.colorscale == fig.data[-1].marker.colorscale for bar in bars)
    assert bars[0].marker.cmax == pytest.approx(map_scale(result.maps()))
    assert bars[0].marker.cmax == pytest.approx(np.quantile(result.maps(), MAP_QUANTILE))
    for_projector(fig)


def test_map_scale_of_an_empty_map_is_one():
    assert map_scale(np.zeros((3, 3))) == 1.0
