"""Toy point clouds and the cone geometry of the Point clouds page (lessons.point_clouds).

The page's figure builders are tested in tests/figures/test_figures_point_clouds.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import nnls

from nmf_core import frobenius_loss, nmf, spa, svd_error_curve
from nmf_lab.demo_data import CLOUD_PRESETS, make_cloud
from nmf_lab.lessons.point_clouds import (
    cone_projection,
    fit_cone,
    fit_restarts,
    in_cone,
    match_rays,
    normalize_basis,
    outside_cone,
    pca_axes,
    point_in_learned_basis,
    ray_angles_deg,
    restart_angles,
    restart_cones,
    spa_basis,
    spa_containment_gap,
    spa_found_extreme_rows,
    spa_steps,
    squared_size,
    stretch_factorization,
    stretch_range,
    stretched_twin,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "clouds"


def _scipy_distance_to_cone(point: np.ndarray, W: np.ndarray) -> float:
    """Independent check: scipy's NNLS on one point, ``min_{h≥0} ‖point − hW‖``."""
    _, residual = nnls(W.T, point)
    return float(residual)


# ------------------------------------------------------------------------------ SPA


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("dim", "rank"), [(2, 1), (2, 2), (3, 1), (3, 2), (3, 3)])
def test_spa_recovers_the_planted_extreme_rows_on_noiseless_separable_data(seed, dim, rank):
    cloud = make_cloud("separable", dim=dim, n_points=120, noise=0.0, rank=rank, seed=seed)
    picks = spa(cloud.X, rank)
    assert sorted(picks.tolist()) == sorted(cloud.extreme_rows.tolist())
    _, W_spa = spa_basis(cloud.X, rank)
    _, angles = match_rays(W_spa, cloud.W)
    np.testing.assert_allclose(angles, 0.0, atol=1e-5)
    # The SPA rays are the planted rays exactly (same length too: the points sit on them).
    order, _ = match_rays(W_spa, cloud.W)
    np.testing.assert_allclose(W_spa[order], cloud.W, atol=1e-12)


@settings(max_examples=30)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(3, 25), st.integers(2, 3)),
        elements=st.floats(0, 10, allow_nan=False, allow_infinity=False),
    ),
    st.integers(1, 3),
)
def test_step_by_step_spa_agrees_with_spa(X, rank):
    rank = min(rank, *X.shape)
    steps = spa_steps(X, rank)
    assert [s.picked for s in steps] == spa(X, rank).tolist()
    for index, state in enumerate(steps):
        assert state.step == index
        assert state.picked_before == tuple(s.picked for s in steps[:index])


@pytest.mark.parametrize("preset", CLOUD_PRESETS)
def test_spa_steps_on_presets_agree_with_spa_and_project_out_earlier_picks(preset):
    cloud = make_cloud(preset, dim=3, n_points=90, noise=0.05, rank=3, seed=9)
    steps = spa_steps(cloud.X, 3)
    assert [s.picked for s in steps] == spa(cloud.X, 3).tolist()
    assert steps[0].residual is not cloud.X
    np.testing.assert_allclose(steps[0].residual, cloud.X)
    for later in steps[1:]:
        for earlier in later.picked_before:
            direction = steps[later.picked_before.index(earlier)].residual[earlier]
            # Every residual is orthogonal to the earlier picks' directions.
            np.testing.assert_allclose(later.residual @ direction, 0.0, atol=1e-9)
        # The pick has the largest residual length among rows not picked before.
        free = np.setdiff1d(np.arange(len(cloud.X)), later.picked_before)
        assert later.norms[later.picked] == pytest.approx(later.norms[free].max())


def test_spa_steps_rejects_too_many_steps():
    with pytest.raises(ValueError, match="at most"):
        spa_steps(np.ones((5, 2)), 3)
    with pytest.raises(ValueError):
        spa_steps(-np.ones((5, 2)), 1)


# ------------------------------------------------------------------------------ cones


def test_cone_projection_matches_scipy_nnls():
    rng = np.random.default_rng(0)
    X = rng.random((40, 3))
    W = rng.random((2, 3))
    H, distances = cone_projection(X, W)
    assert H.min() >= 0
    expected = [_scipy_distance_to_cone(x, W) for x in X]
    np.testing.assert_allclose(distances, expected, atol=1e-9)


def test_outside_cone_flags_far_points_with_their_distance():
    W = np.array([[1.0, 0.0]])
    X = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.01]])
    far, distances = outside_cone(X, W)
    np.testing.assert_allclose(distances, [0.0, 1.0, 0.01], atol=1e-9)
    # median length is 1.00005, so the 5% threshold flags only the middle point.
    assert far.tolist() == [False, True, False]


def test_spread_out_cloud_fits_no_cone_of_fewer_rays_than_the_dimension():
    for dim in (2, 3):
        for seed in range(3):
            cloud = make_cloud("no_cone", dim=dim, n_points=150, noise=0.02, rank=1, seed=seed)
            # Eckart–Young: no rank-(k−1) matrix, nonnegative or not, is closer than this.
            svd_floor = svd_error_curve(cloud.X, dim - 1)[-1]
            assert svd_floor > 0.2
            result = nmf(cloud.X, dim - 1, max_iter=300, tol=1e-7)
            assert result.relative_error >= svd_floor - 1e-9
            assert outside_cone(cloud.X, result.W)[0].sum() > 0


def test_identity_basis_fits_any_cloud_exactly_when_r_equals_k():
    for dim in (2, 3):
        cloud = make_cloud("no_cone", dim=dim, n_points=100, noise=0.1, rank=1, seed=1)
        assert frobenius_loss(cloud.X, cloud.X, np.eye(dim)) == 0.0
        assert in_cone(cloud.X, np.eye(dim)).all()


def test_random_restarts_fit_equally_well_with_different_cones():
    # The page's default cloud: the claim "losses nearly equal, cones differ".
    for global_seed in (0, 1, 2):
        cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=2, seed=global_seed)
        seeds = [global_seed + offset for offset in range(4)]
        runs = fit_restarts(cloud.X, 2, seeds, max_iter=200, tol=1e-6)  # the page's budget
        assert len(runs) == 4
        assert max(run.relative_error for run in runs) < 1e-2
        spread = max(np.max(match_rays(run.W, runs[0].W)[1]) for run in runs)
        assert spread > 5.0


# ------------------------------------------------------------------------------ stretch


def _fitted(dim=2, rank=2, seed=0):
    cloud = make_cloud("cone", dim=dim, n_points=120, noise=0.02, rank=rank, seed=seed)
    result = nmf(cloud.X, rank, max_iter=300, tol=1e-7)
    return cloud.X, result.H, result.W


@pytest.mark.parametrize(("dim", "rank"), [(2, 2), (3, 2), (3, 3)])
def test_stretch_keeps_the_product_and_nonnegativity_over_its_range(dim, rank):
    X, H, W = _fitted(dim, rank)
    t_min, t_max = stretch_range(H, W)
    assert t_min <= 0 <= t_max
    for t in np.linspace(t_min, t_max, 7):
        H2, W2 = stretch_factorization(H, W, t)
        assert H2.min() >= 0 and W2.min() >= 0
        np.testing.assert_allclose(H2 @ W2, H @ W, atol=1e-10)
        assert frobenius_loss(X, H2, W2) == pytest.approx(
            frobenius_loss(X, H, W), rel=1e-6, abs=1e-12
        )


def test_stretch_range_is_tight():
    H = np.array([[1.0, 3.0], [2.0, 2.0]])
    W = np.array([[1.0, 0.2], [0.3, 1.0]])
    t_min, t_max = stretch_range(H, W)
    # Written out by hand: W̄ = (0.65, 0.6); W'_12 = (1+t)0.2 − 0.6t ≥ 0 ⇔ t ≤ 0.5, and
    # W'_21 = (1+t)0.3 − 0.65t ≥ 0 ⇔ t ≤ 6/7. H' ≥ 0 needs t ≥ −min(1/2, 2/2) = −0.5.
    assert t_max == pytest.approx(0.5)
    assert t_min == pytest.approx(-0.5)
    _, W_edge = stretch_factorization(H, W, t_max)
    assert W_edge.min() == pytest.approx(0.0, abs=1e-12)
    H_edge, _ = stretch_factorization(H, W, t_min)
    assert H_edge.min() == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="outside"):
        stretch_factorization(H, W, 0.51)
    with pytest.raises(ValueError, match="outside"):
        stretch_factorization(H, W, -0.51)


def test_stretch_with_one_ray_is_only_the_identity():
    assert stretch_range(np.ones((4, 1)), np.ones((1, 2))) == (0.0, 0.0)


def test_normalize_basis_keeps_the_product_with_unit_rays():
    _, H, W = _fitted(3, 3)
    H2, W2 = normalize_basis(H, W)
    np.testing.assert_allclose(np.linalg.norm(W2, axis=1), 1.0)
    np.testing.assert_allclose(H2 @ W2, H @ W, atol=1e-12)
    with pytest.raises(ValueError):
        normalize_basis(np.ones((3, 2)), np.ones((3, 2)))


# ------------------------------------------------------------------------------ rays, PCA


def test_ray_angles_and_matching():
    np.testing.assert_allclose(
        ray_angles_deg([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]]), [0.0, 45.0, 90.0]
    )
    reference = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    learned = 3.0 * reference[[2, 0, 1]]
    order, angles = match_rays(learned, reference)
    np.testing.assert_array_equal(learned[order] / 3.0, reference)
    np.testing.assert_allclose(angles, 0.0)
    _, angles = match_rays([[1.0, 1.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(angles, [45.0, 0.0])
    with pytest.raises(ValueError):
        match_rays(np.ones((2, 2)), np.ones((3, 2)))


@pytest.mark.parametrize("preset", CLOUD_PRESETS)
def test_pca_axes_leave_the_orthant_while_nmf_rays_do_not(preset):
    cloud = make_cloud(preset, dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    axes = pca_axes(cloud.X)
    centred = cloud.X - cloud.X.mean(axis=0)
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)
    # Independent check of the sign pattern (signs of whole axes are arbitrary).
    expected = [(v > 1e-12).any() and (v < -1e-12).any() for v in Vt]
    assert axes.mixed_signs.tolist() == expected
    # Two orthogonal unit vectors in the plane cannot both be nonnegative unless they are
    # the axes themselves: at least one PCA direction mixes signs.
    assert axes.mixed_signs.any()
    assert nmf(cloud.X, 2, max_iter=100).W.min() >= 0
    np.testing.assert_allclose(axes.mean, cloud.X.mean(axis=0))


# ------------------------------------------------------------------------------ page claims


@pytest.mark.parametrize("init", ["spa", "nndsvd"])
def test_deterministic_starts_give_the_same_cone_whatever_the_seed(init):
    # The page: "init=spa or nndsvd gives the same answer on every run".
    cloud = make_cloud("cone", dim=3, n_points=80, noise=0.02, rank=3, seed=0)
    first = nmf(cloud.X, 3, init=init, seed=1, max_iter=100)
    second = nmf(cloud.X, 3, init=init, seed=2, max_iter=100)
    np.testing.assert_array_equal(first.W, second.W)
    random_first = nmf(cloud.X, 3, init="random", seed=1, max_iter=100)
    random_second = nmf(cloud.X, 3, init="random", seed=2, max_iter=100)
    assert not np.allclose(random_first.W, random_second.W)


def test_stretch_is_pinned_when_w_touches_the_boundary_and_h_has_zeros():
    # The page: "W already touches the boundary of the orthant and H already has zeros".
    H = np.array([[0.0, 1.0], [1.0, 1.0]])
    W = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert stretch_range(H, W) == (0.0, 0.0)
    # Zeros in H alone only block closing the cone; opening still works.
    t_min, t_max = stretch_range(H, np.array([[1.0, 0.2], [0.5, 0.5]]))
    assert t_min == 0.0 and t_max > 0


def test_fitted_reconstructions_lie_in_the_cone_of_w():
    # "Every reconstruction H_i W sits inside the cone."
    cloud = make_cloud("no_cone", dim=3, n_points=100, noise=0.05, rank=1, seed=0)
    result = nmf(cloud.X, 2, max_iter=200)
    assert in_cone(result.H @ result.W, result.W, atol=1e-7).all()
    assert not in_cone(cloud.X, result.W).all()


# ------------------------------------------------------------------------------ page numbers


def test_point_in_learned_basis_is_the_row_of_h_times_w():
    X, H, W = _fitted(dim=3, rank=2)
    reconstruction, residual = point_in_learned_basis(X, H, W, 4)
    np.testing.assert_allclose(reconstruction, H[4, 0] * W[0] + H[4, 1] * W[1])
    assert residual == pytest.approx(np.sqrt(np.sum((X[4] - reconstruction) ** 2)))


def test_restart_angles_are_sorted_and_measured_against_the_first_restart():
    cloud = make_cloud("cone", dim=2, n_points=80, noise=0.02, rank=2, seed=0)
    runs = fit_restarts(cloud.X, 2, (0, 1, 2), solver="hals", init="random", max_iter=100)
    bases = [run.W for run in runs]
    angles, spread = restart_angles(bases)
    assert spread[0] == pytest.approx(0.0, abs=1e-6)
    for W, sorted_angles, largest in zip(bases, angles, spread, strict=True):
        np.testing.assert_allclose(sorted_angles, sorted(ray_angles_deg(W)))
        assert largest == pytest.approx(np.max(match_rays(W, bases[0])[1]))


def test_stretched_twin_follows_the_slider_and_keeps_the_loss():
    X, H, W = _fitted(dim=2, rank=2)
    t_min, t_max = stretch_range(H, W)
    loss = float(np.sum((X - H @ W) ** 2))
    for stretch, t in [(1.0, t_max), (-1.0, t_min), (0.5, 0.5 * t_max), (-0.5, 0.5 * t_min)]:
        twin = stretched_twin(X, H, W, stretch)
        assert twin.t == pytest.approx(t) and (twin.t_min, twin.t_max) == (t_min, t_max)
        np.testing.assert_allclose(twin.H @ twin.W, H @ W, atol=1e-10)
        assert twin.loss == pytest.approx(loss, rel=1e-8, abs=1e-12)
    with pytest.raises(ValueError, match="stretch"):
        stretched_twin(X, H, W, 1.5)


def test_squared_size_is_the_l2_penalty_of_both_factors():
    H, W = np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]])
    assert squared_size(H, W) == 1 + 4 + 9 + 16


def test_spa_rays_sit_inside_every_cone_that_fits_separable_data():
    cloud = make_cloud("separable", dim=3, n_points=120, noise=0.0, rank=3, seed=2)
    picks, W_spa = spa_basis(cloud.X, 3)
    assert spa_found_extreme_rows(picks, cloud.extreme_rows)
    assert not spa_found_extreme_rows(picks[:2], cloud.extreme_rows)
    assert spa_containment_gap(W_spa, [cloud.W]) < 1e-9
    # A cone that misses a ray: the gap is that ray's relative distance to it.
    narrow = cloud.W[:2]
    _, distances = cone_projection(W_spa, narrow)
    expected = np.max(distances / np.linalg.norm(W_spa, axis=1))
    assert spa_containment_gap(W_spa, [cloud.W, narrow]) == pytest.approx(expected)
    assert expected > 0.05


def test_shown_point_index_clamps_and_says_so():
    from nmf_lab.lessons.point_clouds import shown_point_index

    assert shown_point_index(3, 10) == (3, None)
    assert shown_point_index(9, 10) == (9, None)
    shown, note = shown_point_index(5000, 1000)
    assert shown == 999
    assert "5000" in note and "999" in note and "1000 points" in note
    with pytest.raises(ValueError):
        shown_point_index(-1, 10)
    with pytest.raises(ValueError):
        shown_point_index(0, 0)


def test_pca_crossing_is_claimed_only_when_it_is_visible():
    """A 0.006 dip below zero (no-cone cloud, 2-D) is not visible; the 3-D one is."""
    from nmf_lab.demo_data import make_cloud
    from nmf_lab.lessons.point_clouds import VISIBLE_SHARE, pca_axes

    flat = pca_axes(make_cloud("no_cone", dim=2, n_points=150, noise=0.02, rank=2, seed=0).X)
    assert flat.leaves_orthant.any() and not flat.visibly_leaves.any()
    assert 0 < flat.depth_below_zero.max() < flat.visible_depth
    X3 = make_cloud("no_cone", dim=3, n_points=150, noise=0.02, rank=2, seed=0).X
    deep = pca_axes(X3)
    assert deep.visible_depth == pytest.approx(VISIBLE_SHARE * X3.max())
    assert deep.visibly_leaves.any()
    np.testing.assert_array_equal(deep.visibly_leaves, deep.depth_below_zero > deep.visible_depth)
    # Depth is measured on the drawn segments: mean ± half_length · component.
    ends = np.stack(
        [
            deep.mean - deep.half_lengths[:, None] * deep.components,
            deep.mean + deep.half_lengths[:, None] * deep.components,
        ]
    )
    np.testing.assert_allclose(deep.depth_below_zero, np.maximum(-ends.min(axis=(0, 2)), 0))


def test_fit_cone_has_unit_rays_the_solvers_product_and_each_points_distance():
    cloud = make_cloud("cone", dim=3, n_points=80, noise=0.05, rank=2, seed=3)
    settings = dict(solver="hals", init="nndsvda", seed=3, max_iter=300, tol=1e-7)
    fitted = fit_cone(cloud.X, 2, **settings)
    plain = nmf(cloud.X, 2, **settings)
    np.testing.assert_allclose(np.linalg.norm(fitted.W, axis=1), 1.0)
    np.testing.assert_allclose(fitted.H @ fitted.W, plain.H @ plain.W, atol=1e-12)
    assert fitted.loss == pytest.approx(plain.losses[-1])
    assert fitted.relative_error == pytest.approx(plain.relative_error)
    assert fitted.n_iter == plain.n_iter
    far, distances = outside_cone(cloud.X, fitted.W)
    np.testing.assert_array_equal(fitted.far, far)
    np.testing.assert_allclose(fitted.distances, distances)
    assert fitted.far.any(), "with noise in 3-D some points leave a 2-ray cone"


def test_restart_cones_holds_each_restart_and_the_angles_between_their_cones():
    cloud = make_cloud("cone", dim=2, n_points=60, noise=0.0, rank=2, seed=1)
    seeds = (4, 5, 6)
    cones = restart_cones(cloud.X, 2, seeds, solver="hals", max_iter=200, tol=1e-6)
    runs = fit_restarts(cloud.X, 2, seeds, solver="hals", max_iter=200, tol=1e-6)
    assert cones.seeds == seeds
    for held, run in zip(cones.bases, runs, strict=True):
        np.testing.assert_allclose(held, run.W)
    assert cones.losses == pytest.approx([float(run.losses[-1]) for run in runs])
    assert cones.relative_errors == pytest.approx([run.relative_error for run in runs])
    angles, spreads = restart_angles([run.W for run in runs])
    np.testing.assert_allclose(cones.spreads, spreads)
    assert cones.spreads[0] == 0.0
    for held, expected in zip(cones.ray_angles, angles, strict=True):
        np.testing.assert_allclose(held, expected)
