"""Figure builders of the Change of basis page (``nmf_lab.figures.change_of_basis``).

Bases and rank-one layers (matrices in LaTeX, the tip-to-tail walk to a point, the layers of HW,
a cloud with its learned rows) and spherical harmonics (the (l, m) spectrum, the sphere plots).
"""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.figures.change_of_basis import (
    cloud_bases_figure,
    layers_figure,
    matrix_latex,
    point_in_bases_figure,
    spectrum_figure,
    sphere_figure,
)
from nmf_lab.lessons.change_of_basis import harmonics as sh
from nmf_lab.lessons.change_of_basis.basis import coordinates_in_basis, rank_one_layers


@pytest.fixture(scope="module")
def grid():
    return sh.quadrature_grid()


def test_matrix_latex_rounds_and_never_prints_minus_zero():
    assert matrix_latex([[1.0, -0.001], [0.5, 2.345]]) == (
        r"\begin{pmatrix}1.00 & 0.00 \\ 0.50 & 2.35\end{pmatrix}"
    )
    assert matrix_latex([1, 2], digits=0) == r"\begin{pmatrix}1 & 2\end{pmatrix}"


@pytest.mark.parametrize("dim", [2, 3])
def test_point_figure_walks_to_P_in_both_bases(dim):
    rng = np.random.default_rng(dim)
    B = np.eye(dim) + 0.3 * rng.random((dim, dim))
    P = rng.uniform(-2, 2, dim)
    c = coordinates_in_basis(P, B)
    fig = point_in_bases_figure(P, B, c)
    if dim == 2:
        tips = [(a.x, a.y) for a in fig.layout.annotations if a.arrowwidth == 4]
        np.testing.assert_allclose(tips[-1], P)
    else:
        walk = next(t for t in fig.data if t.name.startswith(f"c{dim}"))
        np.testing.assert_allclose([walk.x[-1], walk.y[-1], walk.z[-1]], P)
    # Without a basis only the identity walk and P are drawn.
    assert not any(
        (t.name or "").startswith("c1") for t in point_in_bases_figure(P, None, None).data
    )


def test_point_figure_refuses_other_dimensions():
    with pytest.raises(ValueError, match="2-D and 3-D"):
        point_in_bases_figure(np.ones(4), np.eye(4), np.ones(4))


def test_layers_figure_shows_r_layers_and_their_sum():
    rng = np.random.default_rng(2)
    layers = rank_one_layers(rng.random((4, 3)), rng.random((3, 5)))
    fig = layers_figure(layers)
    assert len(fig.data) == 4
    np.testing.assert_allclose(np.asarray(fig.data[-1].z), layers.sum(axis=0))
    # One shared colour scale: every panel's zmax is the sum's maximum.
    assert len({trace.zmax for trace in fig.data}) == 1


@pytest.mark.parametrize("dim", [2, 3])
def test_cloud_figure_draws_learned_rows_at_the_cloud_scale(dim):
    rng = np.random.default_rng(5)
    X = rng.random((10, dim))
    W = rng.random((2, dim))
    fig = cloud_bases_figure(X, W)
    assert fig.data[0].x is not None and len(fig.data[0].x) == 10
    with pytest.raises(ValueError):
        cloud_bases_figure(rng.random((10, 4)), rng.random((2, 4)))


def test_cloud_figure_puts_each_arrow_label_towards_the_inside_of_its_axes():
    X = np.array([[1.0, 0.1], [0.1, 1.0], [0.6, 0.6]])
    W = np.array([[1.0, 0.05], [0.05, 1.0]])
    labels = {t.text[0]: t for t in cloud_bases_figure(X, W).data if t.mode == "text"}
    # Flat arrows (e1, W row 1) point at the right edge: their labels go left, over the arrow.
    # Steep ones (e2, W row 2) point at the top edge: their labels go down, right of the arrow.
    assert labels["e1"].textposition == labels["W row 1"].textposition == "top left"
    assert labels["e2"].textposition == labels["W row 2"].textposition == "bottom right"


def test_spectrum_figure_places_each_coefficient_at_its_l_and_m():
    coefficients = np.arange(16, dtype=float)
    z = np.asarray(spectrum_figure(coefficients).data[0].z, dtype=float)
    assert z.shape == (4, 7)
    for l, m in sh.degree_order_pairs(3):  # noqa: E741
        assert z[l, 3 + m] == sh.harmonic_index(l, m)
    assert np.isnan(z[0, 0]) and np.isnan(z[2, 6])


def test_sphere_figure_uses_a_diverging_scale_only_for_signed_functions(grid):
    theta, phi = np.meshgrid(np.linspace(0, np.pi, 5), np.linspace(0, 2 * np.pi, 9), indexing="ij")
    positive = sh.preset_values("Smooth bump", theta, phi)
    signed = sh.real_spherical_harmonic(1, 0, theta, phi)
    assert sphere_figure(theta, phi, [positive], ["f"]).data[0].cmin == 0
    fig = sphere_figure(theta, phi, [signed, positive], ["a", "b"])
    assert fig.data[0].cmid == 0 and fig.data[0].cmin == -fig.data[0].cmax


@pytest.mark.parametrize("dim", [2, 3])
def test_cloud_figure_draws_the_reconstructions_on_the_learned_side(dim):
    rng = np.random.default_rng(1)
    X, H, W = rng.random((12, dim)), rng.random((12, 1)), rng.random((1, dim))
    fig = cloud_bases_figure(X, W, HW=H @ W)
    (recon,) = [t for t in fig.data if t.name == "reconstructions H_i W"]
    np.testing.assert_allclose(recon.x, (H @ W)[:, 0])
    assert recon.xaxis == "x2" if dim == 2 else recon.scene == "scene2"
    assert not [t for t in cloud_bases_figure(X, W).data if t.name == "reconstructions H_i W"]
    with pytest.raises(ValueError, match="shape of X"):
        cloud_bases_figure(X, W, HW=np.ones((3, dim)))


def test_product_figure_with_colorbars_gives_each_matrix_its_own_bar_below_it():
    import plotly.graph_objects as go

    from nmf_lab.figures.home import product_figure
    from nmf_lab.figures.style import SEQUENTIAL

    rng = np.random.default_rng(0)
    X, H, W = rng.random((24, 2)), 3 * rng.random((24, 1)), rng.random((1, 2))
    fig = product_figure(X, H, W, colorbars=True)
    assert [trace.showscale for trace in fig.data] == [True, True, True]
    for trace, matrix in zip(fig.data, (X, H, W), strict=True):
        assert trace.colorbar.orientation == "h"
        assert trace.zmin == 0 and trace.zmax == pytest.approx(matrix.max())
        assert trace.colorscale == go.Heatmap(colorscale=SEQUENTIAL).colorscale
        np.testing.assert_array_equal(trace.z, matrix)
    # Each bar sits under its own panel and spans its width.
    for index, trace in enumerate(fig.data):
        axis = fig.layout[f"xaxis{'' if index == 0 else index + 1}"]
        yaxis = fig.layout[f"yaxis{'' if index == 0 else index + 1}"]
        assert trace.colorbar.x == pytest.approx(sum(axis.domain) / 2)
        assert trace.colorbar.len == pytest.approx(axis.domain[1] - axis.domain[0])
        assert trace.colorbar.y < yaxis.domain[0]
    # Without the option (Home's picture) nothing changes.
    assert not any(trace.showscale for trace in product_figure(X, H, W).data)
