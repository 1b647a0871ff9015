"""Coordinates in a basis given as rows, singular bases, tip-to-tail paths, rank-one layers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nmf_core import nmf
from nmf_lab.demo_data import planted_nmf
from nmf_lab.lessons.change_of_basis.basis import (
    check_basis,
    coordinates_in_basis,
    distance_from_identity,
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


# ---------------------------------------------------------------- the page's numbers


def test_largest_gap_is_the_largest_absolute_difference():
    assert largest_gap([[1.0, -2.0], [3.0, 4.0]], [[1.5, -2.0], [3.0, 2.0]]) == 2.0
    assert largest_gap([1.0], [1.0]) == 0.0


def test_fit_planted_cloud_is_the_planted_matrix_and_its_nmf():
    fit = fit_planted_cloud(24, 3, 2, 2, 0.05, 7)
    X, _, _ = planted_nmf(24, 3, 2, noise=0.05, seed=7)
    np.testing.assert_array_equal(fit.X, X)
    direct = nmf(X, 2, solver="hals", max_iter=400, tol=1e-7, seed=7)
    np.testing.assert_array_equal(fit.W, direct.W)
    assert fit.H.shape == (24, 2) and min(fit.H.min(), fit.W.min()) >= 0
    assert fit.relative_error == pytest.approx(
        np.linalg.norm(X - fit.H @ fit.W) / np.linalg.norm(X), rel=1e-12
    )


@pytest.mark.parametrize("dim", [2, 3])
def test_the_rank_of_the_fit_never_changes_the_cloud(dim):
    fits = [fit_planted_cloud(24, dim, 2, rank, 0.05, 3) for rank in range(1, dim + 1)]
    assert all(fit.X.tobytes() == fits[0].X.tobytes() for fit in fits)
    assert [fit.W.shape[0] for fit in fits] == list(range(1, dim + 1))
    # ...while the planted rank is a data setting: it does change the cloud.
    assert not np.array_equal(fit_planted_cloud(24, dim, 1, 1, 0.05, 3).X, fits[0].X)


def test_distance_from_identity_ignores_order_and_scale():
    assert distance_from_identity(np.array([[0.0, 3.0], [2.0, 0.0]])) == pytest.approx(0.0)
    assert distance_from_identity(np.array([[0.0, 0.0, 5.0]])) == pytest.approx(0.0)
    # A ray at 45° is 2 sin(22.5°) from the nearest axis.
    assert distance_from_identity(np.array([[1.0, 1.0]])) == pytest.approx(2 * np.sin(np.pi / 8))
    # Two rays at 45° and 30° from the first axis: each matched to a different axis.
    W = np.array([[1.0, 1.0], [np.cos(np.pi / 6), np.sin(np.pi / 6)]])
    by_hand = min(
        np.hypot(2 * np.sin(np.pi / 8), 2 * np.sin(np.pi / 12)),  # 45°→e2, 30°→e1 (15° half)
        np.hypot(2 * np.sin(np.pi / 8), 2 * np.sin(np.pi / 6)),  # 45°→e1, 30°→e2 (60° apart)
    )
    assert distance_from_identity(W) == pytest.approx(by_hand)
    for bad in (np.ones((3, 2)), np.zeros((1, 2)), np.ones(3)):
        with pytest.raises(ValueError):
            distance_from_identity(bad)


def test_rebuild_and_layer_gaps_measure_the_two_identities():
    basis = np.array([[1.0, 1.0], [0.0, 2.0]])
    P = np.array([3.0, 5.0])
    assert rebuild_gap(P, coordinates_in_basis(P, basis), basis) < 1e-12
    assert rebuild_gap(P, [3.0, 1.5], basis) == pytest.approx(1.0)
    H, W = np.array([[1.0, 2.0], [0.5, 0.0]]), np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 1.0]])
    layers = rank_one_layers(H, W)
    assert layers_gap(layers, H, W) < 1e-12
    assert layers_gap(layers[:1], H, W) == pytest.approx(6.0)  # the missing layer's largest entry
