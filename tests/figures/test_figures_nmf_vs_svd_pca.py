"""Figure builders of the NMF vs SVD vs PCA page (``nmf_lab.figures.nmf_vs_svd_pca``).

Tiled pictures, the shared diverging scale of basis and coefficients, faces as pictures, the
error curves and the restart spread.
"""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.demo_data import comparison_cloud, comparison_matrix
from nmf_lab.figures.nmf_vs_svd_pca import (
    basis_figure,
    coefficients_figure,
    data_figure,
    error_curve_figure,
    reconstruction_figure,
    restarts_figure,
    tile_images,
)
from nmf_lab.lessons.nmf_vs_svd_pca import METHODS, compare, fit_all


def test_tile_images_leaves_nan_gaps():
    canvas = tile_images(np.ones((3, 2, 2)))
    assert canvas.shape == (5, 5)
    assert np.isnan(canvas[2]).all() and np.isnan(canvas[:, 2]).all()
    assert np.isnan(canvas[3:, 3:]).all()  # the missing fourth tile
    with pytest.raises(ValueError):
        tile_images(np.ones((2, 2)))


def test_basis_and_coefficients_share_one_diverging_scale_centred_on_zero():
    fits = fit_all(comparison_cloud(0), 3, seed=0)
    for fig in (basis_figure(fits), coefficients_figure(fits)):
        heatmaps = [trace for trace in fig.data if trace.type == "heatmap"]
        assert [trace.name for trace in heatmaps] == list(METHODS)
        assert len({(trace.zmin, trace.zmax) for trace in heatmaps}) == 1
        assert all(trace.zmid == 0 and trace.zmin == -trace.zmax for trace in heatmaps)
        assert sum(bool(trace.showscale) for trace in heatmaps) == 1
    assert np.min(basis_figure(fits).data[0].z) >= 0  # NMF panel: no blue


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
