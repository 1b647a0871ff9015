"""NMF vs SVD vs PCA (``nmf_lab.lessons.nmf_vs_svd_pca``): a test per claim about the numbers.

The page's figure builders are tested in tests/figures/test_figures_nmf_vs_svd_pca.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nmf_core import nmf
from nmf_lab.demo_data import (
    COMPARISON_DATA,
    SAMPLE_IMAGES,
    comparison_cloud,
    comparison_matrix,
    image_matrix,
)
from nmf_lab.lessons.nmf_vs_svd_pca import (
    METHODS,
    NMF_SETTINGS,
    compare,
    error_curves,
    fit_all,
    fit_nmf,
    fit_pca,
    fit_svd,
    largest_principal_angle,
    matched_angles,
    measure_table,
    pca_error_curve,
    restarts,
    singular_gap,
    svd_from_random_start,
)

# Slack for floating-point round-off when comparing errors that may tie exactly.
EPS = 1e-10


@pytest.fixture(scope="module")
def demos():
    return {name: comparison_matrix(name, seed=0) for name in COMPARISON_DATA}


def _matrices(min_side=2, max_side=9):
    shapes = st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side))
    return shapes.flatmap(
        lambda shape: arrays(
            np.float64, shape, elements=st.floats(0, 10, allow_nan=False, allow_infinity=False)
        )
    )


def _independent_pca_errors(X, ranks):
    """‖X − (mean + rank-r part of the centred X)‖_F / ‖X‖_F for each r, straight from numpy."""
    mean = X.mean(axis=0)
    U, S, Vt = np.linalg.svd(X - mean, full_matrices=False)
    return [
        np.linalg.norm(X - ((U[:, :r] * S[:r]) @ Vt[:r] + mean)) / np.linalg.norm(X) for r in ranks
    ]


# ---- data -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((4, 3)), "all zeros"),
        (np.ones((1, 5)), "at least 2 rows"),
        (-np.ones((3, 3)), "negative"),
        (np.array([[1.0, np.nan], [1.0, 2.0]]), "NaN"),
    ],
)
def test_bad_matrices_get_a_clear_value_error(X, message):
    with pytest.raises(ValueError, match=message):
        compare(X, 2)


def test_restart_count_is_checked():
    with pytest.raises(ValueError, match="n_restarts"):
        restarts(comparison_cloud(0), 2, n_restarts=1)


# ---- the three fits -------------------------------------------------------------------------


def test_pca_error_is_measured_on_the_uncentred_x(demos):
    for X in demos.values():
        expected = _independent_pca_errors(X, range(1, 7))
        assert np.allclose(pca_error_curve(X, 6), expected)
        for r in (1, 4):
            fit = fit_pca(X, r)
            assert fit.relative_error == pytest.approx(expected[r - 1], rel=1e-9)
            assert np.allclose(fit.reconstruction, fit.coefficients @ fit.basis + X.mean(axis=0))
            # Not the centred ratio ‖Xc − Xc_r‖ / ‖Xc‖, which is a different (larger) number.
            centred = np.linalg.norm(X - fit.reconstruction) / np.linalg.norm(X - X.mean(axis=0))
            assert centred > expected[r - 1] * (1 + 1e-6)


def test_dividing_by_the_centred_norm_gives_a_larger_number(demos):
    # The page: ‖X − 1x̄‖_F ≤ ‖X‖_F, so the centred ratio is never smaller.
    for X in demos.values():
        assert np.linalg.norm(X - X.mean(axis=0)) <= np.linalg.norm(X)


def test_svd_error_is_the_eckart_young_error(demos):
    for X in demos.values():
        singular_values = np.linalg.svd(X, compute_uv=False)
        for r in (1, 4):
            expected = np.sqrt(np.sum(singular_values[r:] ** 2) / np.sum(singular_values**2))
            assert fit_svd(X, r).relative_error == pytest.approx(expected, rel=1e-9)


def test_nmf_fit_is_the_solver_result_rescaled_and_reordered():
    X = comparison_cloud(1)
    fit = fit_nmf(X, 3, seed=5)
    raw = nmf(X, 3, seed=5, **NMF_SETTINGS)
    assert np.allclose(fit.reconstruction, raw.H @ raw.W)
    assert np.allclose(np.linalg.norm(fit.basis, axis=1), 1.0)
    weights = np.linalg.norm(fit.coefficients, axis=0)
    assert np.all(np.diff(weights) <= 1e-12)  # largest component first, like singular values
    assert fit.relative_error == pytest.approx(raw.relative_error, rel=1e-9)


def test_nmf_factors_are_nonnegative_and_svd_pca_are_not_on_the_demo_data(demos):
    for X in demos.values():
        fits = fit_all(X, 3, seed=0)
        assert fits["NMF"].factors_nonnegative
        assert fits["NMF"].basis.min() >= 0 and fits["NMF"].coefficients.min() >= 0
        assert fits["NMF"].negative_reconstruction == 0
        for method in ("SVD", "PCA"):
            assert fits[method].negative_basis > 0 and fits[method].negative_coefficients > 0
            assert not fits[method].factors_nonnegative


def test_the_first_svd_basis_vector_is_positive_on_every_demo_data_set():
    # The page: "if the first SVD basis vector is positive everywhere (as on the toy cloud,
    # the images and the faces), every later one has entries of both signs". Not the swimmer:
    # its background pixels are never lit, so the vector is zero there (the page says so).
    data = (
        [comparison_cloud(seed) for seed in range(5)]
        + [image_matrix(name) for name in SAMPLE_IMAGES]
        + [comparison_matrix("faces")]
    )
    for X in data:
        basis = fit_svd(X, 6).basis
        assert basis[0].min() > 0
        for row in basis[1:]:  # orthogonal to a positive vector: must mix signs
            assert row.min() < 0 < row.max()


def test_rank_one_svd_of_the_demo_data_is_nonnegative(demos):
    for X in demos.values():
        assert fit_svd(X, 1).factors_nonnegative


@given(arrays(np.float64, (6, 5), elements=st.floats(0.01, 10)))
@settings(max_examples=25)
def test_rank_one_svd_of_a_positive_matrix_can_be_chosen_nonnegative(X):
    fit = fit_svd(X, 1)
    assert fit.factors_nonnegative


def test_hoyer_rows_are_the_mean_of_the_textbook_formula():
    fit = fit_svd(comparison_cloud(0), 3)

    def hoyer(v):
        m = len(v)
        return (np.sqrt(m) - np.abs(v).sum() / np.linalg.norm(v)) / (np.sqrt(m) - 1)

    assert fit.basis_sparseness == pytest.approx(np.mean([hoyer(w) for w in fit.basis]))
    assert fit.coefficient_sparseness == pytest.approx(
        np.mean([hoyer(h) for h in fit.coefficients.T])
    )


def test_rank_is_capped_at_the_smaller_side():
    X = np.random.default_rng(0).random((5, 3))
    result = compare(X, 7, n_restarts=2)
    assert result.rank == 3
    assert result.fits["SVD"].relative_error == pytest.approx(0.0, abs=1e-12)


# ---- the error inequalities -----------------------------------------------------------------


@pytest.mark.parametrize("name", COMPARISON_DATA)
def test_svd_at_most_nmf_and_pca_between_svd_r_plus_one_and_svd_r(demos, name):
    curves = error_curves(demos[name], 8, seed=0)
    assert np.all(curves.svd <= curves.nmf + EPS)  # rank-r SVD ≤ rank-r NMF
    assert np.all(curves.pca <= curves.svd + EPS)  # PCA never above rank-r SVD
    assert np.all(curves.svd_next <= curves.pca + EPS)  # ... never below rank-(r+1) SVD
    # The page's point: on the demo data PCA is strictly below rank-r SVD at r = 1.
    assert curves.pca[0] < curves.svd[0] - 1e-6


@given(_matrices())
@settings(max_examples=30)
def test_pca_is_sandwiched_between_svd_ranks_on_any_matrix(X):
    if not np.any(X):
        return
    r_max = min(X.shape)
    pca_errors = pca_error_curve(X, r_max)
    svd = np.array([fit_svd(X, r).relative_error for r in range(1, r_max + 1)] + [0.0])
    assert np.all(pca_errors <= svd[:-1] + EPS)
    assert np.all(svd[1:] <= pca_errors + EPS)


@given(_matrices(), st.integers(1, 4), st.integers(0, 50))
@settings(max_examples=20)
def test_rank_r_svd_is_never_worse_than_rank_r_nmf(X, r, seed):
    if not np.any(X):
        return
    r = min(r, min(X.shape))
    assert fit_svd(X, r).relative_error <= fit_nmf(X, r, seed=seed).relative_error + EPS


def test_error_curve_reuses_the_main_fit_consistently():
    X = comparison_cloud(2)
    result = compare(X, 3, seed=7, n_restarts=2, max_rank=5)
    assert result.curves.nmf[2] == result.fits["NMF"].relative_error
    assert result.curves.nmf[1] == pytest.approx(fit_nmf(X, 2, seed=7).relative_error)
    assert np.array_equal(result.curves.ranks, np.arange(1, 6))


# ---- uniqueness -----------------------------------------------------------------------------


# The swimmer's symmetries give it equal singular values (no gap): it is tested on its own.
GAPPED_DATA = tuple(name for name in COMPARISON_DATA if name != "swimmer")


@pytest.mark.parametrize("name", GAPPED_DATA)
def test_svd_and_pca_give_the_same_subspace_from_every_start(demos, name):
    spread = restarts(demos[name], 3, seed=0, n_restarts=4)
    for method in ("SVD", "PCA"):
        assert np.max(spread[method].subspace_angles) < 1e-6
        assert np.max(spread[method].basis_angles) < 1e-4  # vectors agree up to sign
        assert spread[method].error_spread < 1e-12
    # ...while NMF's restarts land on visibly different bases (what the page shows).
    assert np.max(spread["NMF"].basis_angles) > 1.0


def test_the_gap_is_positive_on_the_demo_data(demos):
    # σ_r > σ_{r+1} for every rank the slider offers (1…10), for X and for the centred X.
    for X in (demos[name] for name in GAPPED_DATA):
        for matrix in (X, X - X.mean(axis=0)):
            values = np.linalg.svd(matrix, compute_uv=False)[:11]
            assert np.all(-np.diff(values) / values[0] > 1e-6)
        assert singular_gap(X, 3) > 1e-6 and singular_gap(X, 3, centred=True) > 1e-6


def test_the_swimmers_first_svd_vector_is_not_positive_everywhere(demos):
    assert compare(demos["swimmer"], 3, seed=0, n_restarts=2).first_svd_minimum <= 0


def test_the_swimmer_has_no_gap_where_the_page_says_so(demos):
    # Mirror-image limb positions give equal singular values (σ_2 = σ_3), and rank 13 < 16.
    X = demos["swimmer"]
    assert singular_gap(X, 2) < 1e-9
    assert singular_gap(X, 16) < 1e-9
    assert not compare(X, 16, seed=0, n_restarts=2).has_singular_gap


def test_without_a_gap_svd_subspaces_may_differ():
    # The page: the subspace is unique *exactly* when σ_r > σ_{r+1}. With equal singular
    # values (the identity) an iterative SVD returns different subspaces from different starts.
    X = np.eye(8)
    assert singular_gap(X, 2) == 0
    angles = [
        largest_principal_angle(
            svd_from_random_start(X, 2, seed=0), svd_from_random_start(X, 2, seed=s)
        )
        for s in range(1, 4)
    ]
    assert max(angles) > 1.0


def test_singular_gap_values():
    X = np.diag([3.0, 2.0, 1.0])
    assert singular_gap(X, 1) == pytest.approx(1 / 3)
    assert singular_gap(X, 3) == pytest.approx(1 / 3)  # σ_4 counts as 0
    assert singular_gap(X, 5) == pytest.approx(1 / 3)  # capped at min(n, k)


def test_svd_from_random_start_spans_the_top_singular_subspace():
    X = comparison_cloud(0)
    top = np.linalg.svd(X)[2][:4]
    for s in range(3):
        assert largest_principal_angle(top, svd_from_random_start(X, 4, seed=s)) < 1e-6
    assert svd_from_random_start(X, 12).shape == (12, 12)  # full rank: no ARPACK


def test_matched_angles_ignore_order_and_optionally_sign():
    reference = np.eye(3, 5)
    other = -reference[[2, 0, 1]]
    assert np.allclose(matched_angles(reference, other), 0.0)
    assert np.allclose(matched_angles(reference, -other, up_to_sign=False), 0.0)
    assert np.allclose(matched_angles(reference[:1], -reference[:1], up_to_sign=False), 180.0)
    turn = np.radians(30)
    rotated = reference.copy()
    rotated[0, :2] = [np.cos(turn), np.sin(turn)]
    assert np.allclose(matched_angles(reference, rotated), [30.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="same shape"):
        matched_angles(reference, reference[:2])


def test_principal_angles_see_spans_not_vectors():
    A = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    B = np.array([[1.0, 1.0, 0], [1.0, -1.0, 0]])
    assert largest_principal_angle(A, B) == pytest.approx(0.0, abs=1e-6)
    assert largest_principal_angle(A, np.array([[0, 0, 1.0], [1.0, 0, 0]])) == pytest.approx(90)


# ---- the table of numbers -------------------------------------------------------------------


def test_measure_table_shows_the_computed_numbers():
    result = compare(comparison_cloud(0), 3, seed=0, n_restarts=3, max_rank=4)
    table = measure_table(result)
    for method in METHODS:
        fit = result.fits[method]
        row = table["relative error ‖X − X̂‖_F / ‖X‖_F"]
        assert row[method].endswith(" %")
        assert float(row[method].removesuffix(" %")) / 100 == pytest.approx(
            fit.relative_error, abs=5e-5
        )
        assert float(table["Hoyer sparseness of W (basis rows)"][method]) == pytest.approx(
            fit.basis_sparseness, abs=5e-3
        )
        angle = table["largest angle between matched basis vectors over 3 runs"][method]
        assert float(angle.rstrip("°")) == pytest.approx(
            np.max(result.restarts[method].basis_angles), abs=5e-3
        )
    assert table["factors nonnegative?"] == {"NMF": "yes", "SVD": "no", "PCA": "no"}
    assert table["negative entries in W"]["NMF"] == "0 %"


def test_small_negative_shares_are_never_shown_as_zero():
    from nmf_lab.lessons.nmf_vs_svd_pca import _percent

    assert _percent(0.0) == "0 %"
    assert _percent(1e-5) == "< 0.1 %"
    assert _percent(0.4166) == "41.7 %"


# ---- summaries ------------------------------------------------------------------------------


def test_comparison_summaries_are_the_numbers_they_name():
    result = compare(comparison_cloud(0), 3, seed=0, n_restarts=3, max_rank=5)
    assert result.first_svd_minimum == result.fits["SVD"].basis[0].min()
    for spread in result.restarts.values():
        assert spread.largest_basis_angle == np.max(spread.basis_angles)
        assert spread.largest_subspace_angle == np.max(spread.subspace_angles)
    assert result.has_singular_gap == (min(result.svd_gap, result.pca_gap) > 1e-12)
    curves = result.curves
    assert curves.at_rank(3) == {
        "svd_next": curves.svd_next[2],
        "pca": curves.pca[2],
        "svd": curves.svd[2],
        "nmf": curves.nmf[2],
    }
    with pytest.raises(ValueError, match="cover ranks"):
        curves.at_rank(6)


# ---- checkpoints ----------------------------------------------------------------------------

from nmf_lab.lessons.nmf_vs_svd_pca import (  # noqa: E402
    GAP_QUESTION_RANK,
    matched_order,
    seeds_checkpoint,
    svd_gap_checkpoint,
)


@pytest.mark.parametrize("seed", range(3))
def test_svd_gap_checkpoint_answers_with_an_independent_nmf_and_svd(seed):
    X = comparison_cloud(seed)
    cp = svd_gap_checkpoint(compare(X, 3, seed=seed, n_restarts=2, max_rank=8).curves)
    # Independently: the page's NMF at rank 5 from the same seed, and numpy's SVD.
    nmf_error = fit_nmf(X, GAP_QUESTION_RANK, seed=seed).relative_error
    values = np.linalg.svd(X, compute_uv=False)
    svd_error = np.sqrt(np.sum(values[GAP_QUESTION_RANK:] ** 2) / np.sum(values**2))
    assert nmf_error >= svd_error - 1e-9, "Eckart–Young: NMF never below SVD"
    expected = 1 if nmf_error - svd_error < 0.001 else 2
    assert cp.correct == expected
    assert cp.key == "cmp_svd_gap" and cp.correct != 0
    assert f"NMF {nmf_error:.2%}, SVD {svd_error:.2%}" in cp.explanation


def test_svd_gap_on_the_toy_cloud_is_a_tie_and_on_the_faces_nmf_pays():
    cloud = compare(comparison_cloud(0), 3, seed=0, n_restarts=2, max_rank=8)
    assert svd_gap_checkpoint(cloud.curves).right_label.startswith("The same as SVD's")
    faces = compare(comparison_matrix("faces"), 5, seed=0, n_restarts=2, max_rank=5)
    assert svd_gap_checkpoint(faces.curves).right_label.startswith("Above SVD's")


def test_svd_gap_question_is_capped_at_the_curves_largest_rank():
    X = np.random.default_rng(0).random((6, 4))
    cp = svd_gap_checkpoint(compare(X, 2, seed=0, n_restarts=2, max_rank=8).curves)
    assert cp.question.startswith("At r = 4,")


def _angle_degrees(a, b):
    cos = np.clip(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), -1.0, 1.0)
    return float(np.degrees(np.arccos(cos)))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rank", [2, 3])
def test_seeds_checkpoint_answers_with_two_independent_nmf_runs(seed, rank):
    X = comparison_cloud(seed)
    result = compare(X, rank, seed=seed, n_restarts=3, max_rank=4)
    cp = seeds_checkpoint(result.restarts["NMF"])
    first, second = fit_nmf(X, rank, seed=seed), fit_nmf(X, rank, seed=seed + 1)
    # Best one-to-one pairing by brute force over the (few) permutations.
    import itertools

    best = min(
        max(_angle_degrees(first.basis[i], second.basis[j]) for i, j in enumerate(perm))
        for perm in itertools.permutations(range(rank))
    )
    gap = abs(first.relative_error - second.relative_error)
    expected = 0 if best < 1.0 else (1 if gap < 0.001 else 2)
    assert cp.correct == expected
    assert cp.key == "cmp_seeds"
    assert f"at most {best:.1f}° from run 1's" in cp.explanation
    order = matched_order(first.basis, second.basis)
    matched = max(_angle_degrees(first.basis[i], second.basis[order[i]]) for i in range(rank))
    assert matched == pytest.approx(best, abs=1e-6)


def test_on_the_default_toy_cloud_two_seeds_give_different_but_equally_good_bases():
    result = compare(comparison_cloud(0), 3, seed=0, n_restarts=4, max_rank=8)
    cp = seeds_checkpoint(result.restarts["NMF"])
    assert cp.right_label == "No: a different W, with the same error"
    right, feedback = cp.verdict("Yes: the same W, up to the order of its rows")
    assert not right and "Nothing makes an NMF unique" in feedback
