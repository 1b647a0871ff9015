"""Figure builders of the NMF vs SVD vs PCA page (``nmf_lab.figures.nmf_vs_svd_pca``).

Tiled pictures, the shared diverging scale of basis and coefficients, faces as pictures, the
error curves and the restart spread.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from nmf_lab.demo_data import comparison_cloud, comparison_matrix
from nmf_lab.figures.nmf_vs_svd_pca import (
    basis_figure,
    coefficients_figure,
    data_figure,
    error_curve_figure,
    reconstruction_figure,
    restarts_figure,
    seed_bases_figure,
    tile_images,
)
from nmf_lab.figures.style import DIVERGING, SEQUENTIAL
from nmf_lab.lessons.nmf_vs_svd_pca import METHODS, compare, fit_all


def test_tile_images_leaves_nan_gaps():
    canvas = tile_images(np.ones((3, 2, 2)))
    assert canvas.shape == (5, 5)
    assert np.isnan(canvas[2]).all() and np.isnan(canvas[:, 2]).all()
    assert np.isnan(canvas[3:, 3:]).all()  # the missing fourth tile
    with pytest.raises(ValueError):
        tile_images(np.ones((2, 2)))


def test_nmf_factors_are_sequential_and_svd_pca_share_a_diverging_scale():
    fits = fit_all(comparison_cloud(0), 3, seed=0)
    for fig in (basis_figure(fits), coefficients_figure(fits)):
        heatmaps = [trace for trace in fig.data if trace.type == "heatmap"]
        assert [trace.name for trace in heatmaps] == list(METHODS)
        nmf, svd, pca = heatmaps
        # NMF: nonnegative, the sequential map from 0, with a colour bar of its own.
        assert nmf.zmin == 0 and nmf.zmid is None and nmf.showscale
        assert nmf.colorscale == go.Heatmap(colorscale=SEQUENTIAL).colorscale
        assert np.min(nmf.z) >= 0
        # SVD and PCA: signed, one diverging map centred on 0, one colour bar for both.
        for signed in (svd, pca):
            assert signed.zmid == 0 and signed.zmin == -signed.zmax == -nmf.zmax
            assert signed.colorscale == go.Heatmap(colorscale=DIVERGING).colorscale
        assert [bool(trace.showscale) for trace in heatmaps] == [True, False, True]
        # The two colour bars are stacked, not on top of each other.
        assert nmf.colorbar.y == 1.0 and pca.colorbar.y == 0.0


def test_every_heatmap_of_the_page_has_a_colour_bar():
    X = comparison_matrix("faces")
    fits = fit_all(X, 4, seed=0)
    figures = [
        basis_figure(fits),
        basis_figure(fits, image_shape=(25, 25)),
        coefficients_figure(fits),
        reconstruction_figure(fits, X, image_shape=(25, 25)),
        data_figure(X, image_shape=(25, 25)),
        seed_bases_figure(fits["NMF"].basis, fits["NMF"].basis, image_shape=(25, 25)),
    ]
    for fig in figures:
        heatmaps = [trace for trace in fig.data if trace.type == "heatmap"]
        assert heatmaps and any(trace.showscale is not False for trace in heatmaps)


def test_seed_bases_figure_shows_two_nonnegative_bases_on_one_sequential_scale():
    result = compare(comparison_cloud(0), 3, seed=0, n_restarts=2, max_rank=4)
    first, second = result.restarts["NMF"].bases
    fig = seed_bases_figure(first, second, labels=("seed 0", "seed 1"))
    heatmaps = [trace for trace in fig.data if trace.type == "heatmap"]
    assert [trace.name for trace in heatmaps] == ["seed 0", "seed 1"]
    assert all(trace.zmin == 0 and trace.zmid is None for trace in heatmaps)
    assert all(
        trace.colorscale == go.Heatmap(colorscale=SEQUENTIAL).colorscale for trace in heatmaps
    )
    np.testing.assert_allclose(heatmaps[1].z, second)


def test_face_figures_show_pictures():
    X = comparison_matrix("faces")
    fits = fit_all(X, 4, seed=0)
    basis = basis_figure(fits, image_shape=(25, 25))
    assert np.asarray(basis.data[0].z).shape == (2 * 26 - 1, 2 * 26 - 1)
    recon = reconstruction_figure(fits, X, image_shape=(25, 25))
    assert np.asarray(recon.data[1].z).shape == (2 * 26 - 1, 4 * 26 - 1)
    assert recon.data[0].zmin == 0 and recon.data[0].zmax == pytest.approx(X.max())
    assert np.asarray(data_figure(X, image_shape=(25, 25)).data[0].z).shape == (51, 103)


def test_curve_and_restart_figures_have_one_trace_per_line():
    result = compare(comparison_cloud(0), 2, seed=0, n_restarts=3, max_rank=4)
    curve = error_curve_figure(result.curves, rank=2)
    assert [trace.name for trace in curve.data] == [
        "NMF (rank r)",
        "SVD (rank r)",
        "PCA (r components + mean)",
        "SVD at rank r + 1",
    ]
    assert np.allclose(curve.data[1].y, result.curves.svd)
    spread = restarts_figure(result.restarts)
    assert len(spread.data) == 6
    assert np.allclose(spread.data[1].y, result.restarts["NMF"].basis_angles)


def test_relative_errors_are_drawn_as_percentages():
    result = compare(comparison_cloud(0), 2, seed=0, n_restarts=2, max_rank=3)
    curve = error_curve_figure(result.curves, rank=2)
    assert curve.layout.yaxis.tickformat == ".1%"
    assert "%{y:.2%}" in curve.data[0].hovertemplate
    spread = restarts_figure(result.restarts)
    assert spread.layout.yaxis.tickformat == ".2%"
