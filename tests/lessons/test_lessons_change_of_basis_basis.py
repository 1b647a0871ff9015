"""Coordinates in a basis given as rows, singular bases, tip-to-tail paths, rank-one layers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nmf_core import nmf
from nmf_lab.demo_data import planted_nmf
from nmf_lab.figures.change_of_basis import (
    cloud_bases_figure,
    layers_figure,
    matrix_latex,
    point_in_bases_figure,
)
from nmf_lab.figures.home import product_figure
from nmf_lab.lessons.change_of_basis.basis import (
    check_basis,
    coordinates_in_basis,
    fit_planted_cloud,
    largest_gap,
    layers_gap,
    rank_one_layers,
    rebuild_gap,
    tip_to_tail,
)

finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


def test_identity_basis_gives_the_entries_of_the_point():
    P = np.array([0.3, -2.0, 4.5])
    np.testing.assert_allclose(coordinates_in_basis(P, np.eye(3)), P)


def test_a_hand_computed_example():
    # 3·(1, 1) + 1·(0, 2) = (3, 5), worked out on paper.
    np.testing.assert_allclose(coordinates_in_basis([3.0, 5.0], [[1, 1], [0, 2]]), [3.0, 1.0])


@settings(max_examples=30)
@given(arrays(float, (3, 3), elements=finite), arrays(float, (4, 3), elements=finite))
def test_coordinates_reconstruct_the_points(basis, points):
    # Random rows are a basis unless nearly dependent; those must be refused, not mis-solved.
    try:
        C = coordinates_in_basis(points, basis)
    except ValueError:
        s = np.linalg.svd(basis, compute_uv=False)
        assert s[-1] <= 1e-10 * max(s[0], 1e-300)
        return
    np.testing.assert_allclose(C @ basis, points, atol=1e-6 * (1 + np.abs(points).max()))


@pytest.mark.parametrize(
    "basis",
    [
        [[1.0, 2.0], [2.0, 4.0]],  # second row is twice the first
        [[0.0, 0.0], [0.0, 1.0]],  # a zero row
        [[1, 0, 1], [0, 1, 1], [1, 1, 2]],  # row 3 = row 1 + row 2
    ],
)
def test_dependent_rows_are_refused_with_a_clear_message(basis):
    with pytest.raises(ValueError, match="linearly dependent"):
        coordinates_in_basis(np.ones(len(basis)), basis)


def test_the_message_names_the_dimension_spanned():
    with pytest.raises(ValueError, match="only 2 dimensions of R\\^3"):
        check_basis([[1, 0, 1], [0, 1, 1], [1, 1, 2]])


@pytest.mark.parametrize("bad", [np.ones((2, 3)), [[1.0, np.nan], [0.0, 1.0]], np.zeros((0, 0))])
def test_malformed_bases_are_refused(bad):
    with pytest.raises(ValueError):
        check_basis(bad)


def test_point_of_the_wrong_dimension_is_refused():
    with pytest.raises(ValueError, match="R\\^2"):
        coordinates_in_basis([1.0, 2.0, 3.0], np.eye(2))


def test_tip_to_tail_starts_at_zero_and_ends_at_the_point():
    basis = np.array([[1.0, 0.5], [0.2, 1.0]])
    P = np.array([1.5, 2.0])
    c = coordinates_in_basis(P, basis)
    path = tip_to_tail(c, basis)
    assert path.shape == (3, 2)
    np.testing.assert_allclose(path[0], 0.0)
    np.testing.assert_allclose(path[1], c[0] * basis[0])
    np.testing.assert_allclose(path[-1], P)


def test_rank_one_layers_are_outer_products_that_sum_to_HW():
    rng = np.random.default_rng(1)
    H, W = rng.random((5, 3)), rng.random((3, 4))
    layers = rank_one_layers(H, W)
    assert layers.shape == (3, 5, 4)
    np.testing.assert_allclose(layers[1], np.outer(H[:, 1], W[1]))
    np.testing.assert_allclose(layers.sum(axis=0), H @ W)
    assert all(np.linalg.matrix_rank(layer) == 1 for layer in layers)


def test_rank_one_layers_need_matching_inner_dimension():
    with pytest.raises(ValueError, match="do not multiply"):
        rank_one_layers(np.ones((4, 2)), np.ones((3, 5)))


# ---------------------------------------------------------------- figures of the page


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


def test_product_figure_keeps_the_matrices_and_checks_shapes():
    rng = np.random.default_rng(0)
    H, W = rng.random((6, 2)), rng.random((2, 5))
    fig = product_figure(H @ W, H, W)
    np.testing.assert_allclose(
        np.asarray(fig.data[1].z) @ np.asarray(fig.data[2].z), np.asarray(fig.data[0].z)
    )
    with pytest.raises(ValueError, match="Shapes do not fit"):
        product_figure(np.ones((6, 5)), np.ones((6, 2)), np.ones((3, 5)))


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


def test_largest_gap_is_the_largest_absolute_difference():
    assert largest_gap([[1.0, -2.0], [3.0, 4.0]], [[1.5, -2.0], [3.0, 2.0]]) == 2.0
    assert largest_gap([1.0], [1.0]) == 0.0


def test_fit_planted_cloud_is_the_planted_matrix_and_its_nmf():
    fit = fit_planted_cloud(24, 3, 2, 0.05, 7)
    X, _, _ = planted_nmf(24, 3, 2, noise=0.05, seed=7)
    np.testing.assert_array_equal(fit.X, X)
    direct = nmf(X, 2, solver="hals", max_iter=400, tol=1e-7, seed=7)
    np.testing.assert_array_equal(fit.W, direct.W)
    assert fit.H.shape == (24, 2) and min(fit.H.min(), fit.W.min()) >= 0
    assert fit.relative_error == pytest.approx(
        np.linalg.norm(X - fit.H @ fit.W) / np.linalg.norm(X), rel=1e-12
    )


def test_rebuild_and_layer_gaps_measure_the_two_identities():
    basis = np.array([[1.0, 1.0], [0.0, 2.0]])
    P = np.array([3.0, 5.0])
    assert rebuild_gap(P, coordinates_in_basis(P, basis), basis) < 1e-12
    assert rebuild_gap(P, [3.0, 1.5], basis) == pytest.approx(1.0)
    H, W = np.array([[1.0, 2.0], [0.5, 0.0]]), np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 1.0]])
    layers = rank_one_layers(H, W)
    assert layers_gap(layers, H, W) < 1e-12
    assert layers_gap(layers[:1], H, W) == pytest.approx(6.0)  # the missing layer's largest entry
