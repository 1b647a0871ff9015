"""Figure builders of the Images page (``nmf_lab.figures.images``).

Colour scales and PNG traces, the error maps on one scale, reconstructions, factors, layers,
the error-vs-rank chart, mosaics and the faces figures. The pictures are checked by decoding the
PNGs the traces send.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image
from threadpoolctl import threadpool_limits

from nmf_lab.demo_data import FACE_SHAPE, load_faces, sample_image
from nmf_lab.figures import images as figs
from nmf_lab.lessons import images as im

# The page's defaults (app_pages/images.py); the figures are checked at these settings.
PAGE_RANK, PAGE_ITERS, PAGE_SOLVER, PAGE_INIT, PAGE_SEED = 20, 30, "hals", "nndsvda", 0
FACE_RANK, FACE_ITERS = 16, 100


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """One BLAS thread: on a busy 2-core machine oversubscribed BLAS threads make these small
    SVDs and NMFs tens of times slower."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    return im.fit_working_size(sample_image("camera"))


@pytest.fixture(scope="module")
def camera_result(camera) -> im.ImageFactorization:
    return im.factor_image(
        camera, PAGE_RANK, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=PAGE_ITERS, seed=PAGE_SEED
    )


@pytest.fixture(scope="module")
def face_set() -> np.ndarray:
    return load_faces()


@pytest.fixture(scope="module")
def default_faces(face_set) -> im.FacesComparison:
    return im.compare_faces(
        face_set, FACE_RANK, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=FACE_ITERS, seed=PAGE_SEED
    )


def decode_uri(uri: str) -> Image.Image:
    assert uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_colorize_uses_the_ends_of_the_scale():
    pixels = figs.colorize(np.array([[0.0, 1.0, 2.0]]), "Viridis", 0.0, 1.0)
    np.testing.assert_array_equal(pixels[0, 0], [0x44, 0x01, 0x54])  # Viridis start #440154
    np.testing.assert_array_equal(pixels[0, 1], [0xFD, 0xE7, 0x25])  # Viridis end #fde725
    np.testing.assert_array_equal(pixels[0, 2], pixels[0, 1])  # clipped above vmax


def test_image_trace_sends_a_png_of_the_right_size():
    trace = figs.image_trace(np.random.default_rng(0).random((30, 40)))
    picture = decode_uri(trace.source)
    assert picture.size == (40, 30) and picture.mode == "L"
    diverging = decode_uri(
        figs.image_trace(np.array([[-1.0, 0.0, 1.0]]), kind="diverging").source
    ).convert("RGB")
    left, middle, right = (np.array(diverging.getpixel((x, 0))) for x in range(3))
    assert left[2] > left[0] and right[0] > right[2]  # blue below zero, red above
    assert middle.min() > 200  # white-ish at zero
    with pytest.raises(ValueError, match="kind"):
        figs.image_trace(np.zeros((2, 2)), kind="rainbow")


def test_error_maps_share_one_colour_scale():
    # Page claim: the two error maps are on the SAME colour scale. The same error value must get
    # the same colour in both panels, even though their maxima differ.
    nmf_map = np.full((20, 20), 0.1)
    nmf_map[0, 0] = 0.4
    svd_map = np.full((20, 20), 0.1)
    figures = figs.error_map_figures(nmf_map, svd_map, quantile=1.0)
    images = [trace for fig in figures for trace in fig.data if trace.type == "image"]
    first, second = (np.array(decode_uri(t.source).convert("RGB")) for t in images)
    np.testing.assert_array_equal(first[5, 5], second[5, 5])
    assert not np.array_equal(first[0, 0], second[0, 0])
    # Each map has its bar, and both bars have the same ends.
    for fig in figures:
        colorbar = next(trace for trace in fig.data if trace.type == "scatter")
        assert colorbar.marker.cmin == 0 and colorbar.marker.cmax == pytest.approx(0.4)


def test_error_scale_tops_out_at_the_995th_percentile_of_both_maps(camera_result):
    # Page caption: the scale tops out at the 99.5th percentile of both maps.
    fig, _ = figs.error_map_figures(camera_result.nmf_error_map, camera_result.svd_error_map)
    colorbar = next(trace for trace in fig.data if trace.type == "scatter")
    both = np.concatenate(
        [camera_result.nmf_error_map.ravel(), camera_result.svd_error_map.ravel()]
    )
    assert colorbar.marker.cmax == pytest.approx(np.quantile(both, 0.995))
    assert colorbar.marker.cmax < both.max()


def test_reconstruction_and_factor_figures(camera_result):
    result = camera_result
    pictures = figs.reconstruction_figures(
        result.original,
        result.nmf_image,
        result.svd_image,
        rank=20,
        nmf_error=result.nmf_error,
        svd_error=result.svd_error,
    )
    # One figure per picture (a phone stacks them), each one photograph and no bar.
    assert [[trace.type for trace in fig.data] for fig in pictures] == [["image"]] * 3
    assert f"{result.nmf_error:.1%}" in pictures[1].layout.annotations[0].text
    assert f"{result.svd_error:.1%}" in pictures[2].layout.annotations[0].text
    (nmf_w, svd_vt), (nmf_h, svd_us) = figs.factor_figures(
        result.H[0], result.W[0], result.svd_left[0], result.svd_right[0]
    )
    # One strip per figure (a phone stacks them); diverging (centred) only for SVD's factors.
    strips = (nmf_w, svd_vt, nmf_h, svd_us)
    assert [len(fig.data) for fig in strips] == [1, 1, 1, 1]
    assert [fig.data[0].zmid for fig in strips] == [None, 0, None, 0]
    assert nmf_w.data[0].z.shape == (20, 512) and nmf_h.data[0].z.shape == (20, 512)
    np.testing.assert_allclose(nmf_w.data[0].z, result.W[0].astype(np.float32))
    np.testing.assert_allclose(nmf_h.data[0].z, result.H[0].T.astype(np.float32))
    np.testing.assert_allclose(svd_us.data[0].z, result.svd_left[0].T.astype(np.float32))
    assert [fig.layout.xaxis.title.text for fig in strips] == ["image column"] * 2 + [
        "image row"
    ] * 2


def test_layers_figures_are_a_grid_of_labelled_tiles_each(camera_result):
    H, W = camera_result.H[0], camera_result.W[0]
    layers = im.layer_stack(H, W, np.arange(4), max_side=64)
    signed = im.layer_stack(
        camera_result.svd_left[0], camera_result.svd_right[0], np.arange(4), max_side=64
    )
    nmf_fig, svd_fig = figs.layers_figures(layers, signed, labels=list("abcd"))
    for fig in (nmf_fig, svd_fig):
        assert fig.data[0].type == "image"
        assert [a.text for a in fig.layout.annotations] == list("abcd")
    # Four tiles in a 2 × 2 grid (a phone's column holds two tiles of half its width), each
    # row of tiles under a band for its labels.
    picture = decode_uri(nmf_fig.data[0].source)
    band, gap = 64 // 4, 64 // 16
    assert picture.size == (2 * 64 + gap, 2 * (band + 64))
    centres = [(a.x, a.y) for a in nmf_fig.layout.annotations]
    assert centres == [
        (32, band / 2),
        (64 + gap + 32, band / 2),
        (32, band + 64 + band / 2),
        (64 + gap + 32, band + 64 + band / 2),
    ]
    # Single layers: NMF's tiles on the sequential map, SVD's on the diverging one, each
    # with its bar (in shares of a layer's own maximum).
    bars = [nmf_fig.data[1].marker, svd_fig.data[1].marker]
    assert [(bar.cmin, bar.cmax) for bar in bars] == [(0.0, 1.0), (-1.0, 1.0)]
    # Under the grid at the figure's bottom edge (in lecture mode a bar placed just under the
    # tiles had its larger title on them).
    assert [(bar.colorbar.yref, bar.colorbar.y) for bar in bars] == [("container", 0)] * 2
    assert bars[0].colorscale != bars[1].colorscale
    pixels = np.asarray(picture.convert("RGB"))
    first_tile = pixels[band : band + 64, :64].reshape(-1, 3)
    assert (first_tile.max(axis=1) - first_tile.min(axis=1)).max() > 50, "coloured, not gray"
    running = figs.layers_figures(layers, signed, labels=list("abcd"), cumulative=True)
    for fig in running:
        assert len(fig.data) == 2 and fig.data[1].marker.colorscale[0][1] == "rgb(0,0,0)"
    ten = np.repeat(layers[:1], 10, axis=0)
    wide, _ = figs.layers_figures(ten, ten, labels=[str(j) for j in range(10)])
    # Ten tiles: four columns, three rows.
    assert decode_uri(wide.data[0].source).size == (4 * 64 + 3 * gap, 3 * (band + 64))
    with pytest.raises(ValueError, match="labels"):
        figs.layers_figures(layers, signed, labels=["a"])
    with pytest.raises(ValueError, match="same shape"):
        figs.layers_figures(layers, signed[:2], labels=list("abcd"))


def test_error_rank_figure_has_both_curves():
    fig = figs.error_rank_figure(
        np.arange(1, 4), np.array([0.5, 0.4, 0.3]), np.array([0.4, 0.3, 0.2]), current_rank=2
    )
    assert [trace.name.split()[0] for trace in fig.data] == ["NMF", "SVD"]


def test_mosaic_places_tiles_with_gaps():
    tiles = np.arange(1, 5, dtype=float)[:, None] * np.ones((4, 6))
    canvas = figs.mosaic(tiles, (2, 3), columns=3, gap=1)
    assert canvas.shape == (2 * 3 - 1, 3 * 4 - 1)
    assert canvas[0, 0] == 1 and canvas[0, 4] == 2 and canvas[3, 0] == 4
    assert np.isnan(canvas[0, 3]) and np.isnan(canvas[2, 0])
    scaled = figs.mosaic(np.array([[0.0, 2.0], [-4.0, 1.0]]), (1, 2), columns=2, normalize="absmax")
    np.testing.assert_allclose(scaled[0, [0, 1, 3, 4]], [0, 1, -1, 0.25])
    with pytest.raises(ValueError, match="tiles"):
        figs.mosaic(tiles, (3, 3), columns=2)


def test_face_figures(default_faces):
    fig = figs.face_mosaic_figure(
        [
            (
                "parts",
                figs.mosaic(default_faces.W, FACE_SHAPE, columns=4, normalize="max"),
                "sequential",
            ),
            (
                "eigenfaces",
                figs.mosaic(
                    default_faces.pca.components, FACE_SHAPE, columns=4, normalize="absmax"
                ),
                "diverging",
            ),
        ]
    )
    assert fig.data[0].zmin == 0 and fig.data[1].zmid == 0
    nmf_bars, pca_bars = figs.face_coefficients_figures(
        default_faces.H[0], default_faces.pca.scores[0]
    )
    # A figure each (a phone stacks them), one bar trace each.
    assert len(nmf_bars.data) == len(pca_bars.data) == 1
    assert len(nmf_bars.data[0].y) == len(pca_bars.data[0].y) == FACE_RANK
    assert min(nmf_bars.data[0].y) >= 0 and min(pca_bars.data[0].y) < 0
    np.testing.assert_allclose(pca_bars.data[0].y, default_faces.pca.scores[0])


def test_parts_figure_uses_one_map_for_nonnegative_and_a_diverging_one_for_pca():
    from nmf_lab.figures.style import DIVERGING, SEQUENTIAL
    from nmf_lab.lessons.swimmer import SWIMMER_SHAPE, swimmer_parts

    parts = swimmer_parts()
    true_trace, nmf_trace, pca_trace = (
        fig.data[0] for fig in figs.parts_figures(parts, parts, -parts, SWIMMER_SHAPE)
    )
    assert true_trace.zmin == nmf_trace.zmin == 0 and pca_trace.zmin == -1 == -pca_trace.zmax
    assert true_trace.showscale and nmf_trace.showscale and pca_trace.showscale
    expected_seq = go.Heatmap(colorscale=SEQUENTIAL).colorscale
    expected_div = go.Heatmap(colorscale=DIVERGING).colorscale
    assert nmf_trace.colorscale == expected_seq and pca_trace.colorscale == expected_div


# ------------------------------------------------------------------ colour audit -----------


def _bars(fig) -> list[tuple]:
    """(colour scale, low, high) of every colour bar a figure draws."""
    bars = [(t.colorscale, t.zmin, t.zmax) for t in fig.data if t.type == "heatmap" and t.showscale]
    bars += [
        (t.marker.colorscale, t.marker.cmin, t.marker.cmax)
        for t in fig.data
        if t.type == "scatter" and t.marker.showscale
    ]
    return bars


def assert_scales_fit_the_data(fig) -> int:
    """Every heatmap has a colour bar for its scale in the figure (its own or a shared one),
    signed data a diverging scale centred on 0, nonnegative data the sequential one from 0;
    photographs are gray from 0 to 1. Returns the number of heatmaps checked."""
    from nmf_lab.figures.style import DIVERGING, SEQUENTIAL

    diverging = go.Heatmap(colorscale=DIVERGING).colorscale
    sequential = go.Heatmap(colorscale=SEQUENTIAL).colorscale
    gray = go.Heatmap(colorscale=figs.GRAY).colorscale
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    bars = _bars(fig)
    for trace in heatmaps:
        assert (trace.colorscale, trace.zmin, trace.zmax) in bars, "a heatmap without a bar"
        z = np.asarray(trace.z, dtype=float)
        if trace.colorscale == gray:  # a photograph (a PCA rebuild may dip a hair below 0)
            assert (trace.zmin, trace.zmax) == (0, 1)
        elif np.nanmin(z) < 0:
            assert trace.colorscale == diverging and trace.zmid == 0
            assert trace.zmin == pytest.approx(-trace.zmax)
        else:
            assert trace.zmin == 0
            assert trace.colorscale == sequential
    return len(heatmaps)


def test_every_heatmap_of_the_images_figures_has_a_bar_and_the_right_scale(
    camera_result, default_faces
):
    from nmf_lab.lessons.swimmer import SWIMMER_SHAPE, swimmer_parts

    result, faces = camera_result, default_faces
    basis_rows, profiles = figs.factor_figures(
        result.H[0], result.W[0], result.svd_left[0], result.svd_right[0]
    )
    assert [assert_scales_fit_the_data(fig) for fig in (*basis_rows, *profiles)] == [1] * 4
    parts = figs.face_mosaic_figure(
        [
            ("parts", figs.mosaic(faces.W, FACE_SHAPE, columns=4, normalize="max"), "sequential"),
            (
                "eigenfaces",
                figs.mosaic(faces.pca.components, FACE_SHAPE, columns=4, normalize="absmax"),
                "diverging",
            ),
        ]
    )
    assert assert_scales_fit_the_data(parts) == 2
    rebuilt = np.vstack(faces.rebuilt_face(0))
    _, nmf_terms = im.face_parts(faces.H[0], faces.W, 6)
    _, pca_terms = im.face_parts(faces.pca.scores[0], faces.pca.components, 6)
    one_face = figs.face_mosaic_figure(
        [
            ("face", figs.mosaic(rebuilt, FACE_SHAPE, columns=3), "gray"),
            ("NMF terms", figs.mosaic(nmf_terms, FACE_SHAPE, columns=3), "sequential"),
            ("PCA terms", figs.mosaic(pca_terms, FACE_SHAPE, columns=3), "diverging"),
        ]
    )
    assert assert_scales_fit_the_data(one_face) == 3
    swimmer = swimmer_parts()
    for fig in figs.parts_figures(swimmer, swimmer, -swimmer, SWIMMER_SHAPE):
        assert assert_scales_fit_the_data(fig) == 1
    alone = [("alone", figs.mosaic(faces.W, FACE_SHAPE, columns=4), "sequential")]
    for fig in (figs.face_mosaic_figure(alone),):
        assert assert_scales_fit_the_data(fig) == 1
    errors = figs.error_map_figures(result.nmf_error_map, result.svd_error_map)
    # The two maps are pictures on one shared scale: a bar each, with the same ends.
    assert [_bars(fig)[0][1:] for fig in errors] == [_bars(errors[0])[0][1:]] * 2


def test_each_factor_strip_has_its_bar_under_it_at_the_bottom_edge(camera_result):
    result = camera_result
    basis_rows, profiles = figs.factor_figures(
        result.H[0], result.W[0], result.svd_left[0], result.svd_right[0]
    )
    for fig in (*basis_rows, *profiles):
        (trace,) = fig.data
        bar = trace.colorbar
        # Under the strip, at the figure's bottom edge (lecture mode's larger axis text above
        # it cannot reach it), so the strip keeps the figure's width: the side margins hold
        # only the axis labels.
        assert (bar.orientation, bar.yref, bar.y, bar.yanchor) == ("h", "container", 0, "bottom")
        assert fig.layout.margin.r <= 20 and fig.layout.margin.l <= 40
        assert fig.layout.margin.b >= 90


def test_a_picture_alone_has_its_title_and_a_bar_unless_a_photograph():
    photo = figs.picture_figure(np.zeros((10, 20)), "Original X")
    assert [trace.type for trace in photo.data] == ["image"]
    assert photo.layout.annotations[0].text == "Original X"
    signed = figs.picture_figure(
        np.array([[-2.0, 1.0]]), "signed", kind="diverging", colorbar_title="value"
    )
    bar = signed.data[1].marker
    assert (bar.cmin, bar.cmax) == (-2.0, 2.0) and bar.colorbar.title.text == "value"
    # The bar stands in the right margin, which has room for it.
    assert bar.colorbar.x > 1 and signed.layout.margin.r >= 60
