"""Rank selection: consensus matrix, cophenetic correlation, dispersion, planted data, and the
claims the "Choosing r" page makes about its default planted data set."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import cophenet, linkage
from scipy.spatial.distance import squareform

from nmf_core import nmf, svd_error_curve, truncated_svd
from nmf_lab.demo_data import planted_clusters
from nmf_lab.lessons.choosing_r.rank_selection import (
    cluster_labels,
    connectivity_matrix,
    consensus_matrix,
    consensus_order,
    cophenetic_correlation,
    dispersion,
    rank_restarts,
    rank_seed,
    rank_sweep,
    suggest_rank,
    summarize_ranks,
)

# The page's defaults: 60 × 30 planted data, 4 clusters, noise 0.3, ranks 2..7, 8 restarts.
PAGE_SHAPE = (60, 30)
PAGE_RANK, PAGE_NOISE, PAGE_MAX_RANK, PAGE_RESTARTS = 4, 0.3, 7, 8


def page_sweep(planted_rank: int = PAGE_RANK, seed: int = 0, noise: float = PAGE_NOISE):
    data = planted_clusters(*PAGE_SHAPE, planted_rank, noise=noise, seed=seed)
    sweep = rank_sweep(data.X, range(2, PAGE_MAX_RANK + 1), n_restarts=PAGE_RESTARTS, seed=seed)
    return data, sweep


@pytest.fixture(scope="module")
def default_page():
    return page_sweep()


# ------------------------------------------------------------------ consensus building blocks


def test_cluster_labels_take_the_largest_coefficient():
    H = np.array([[0.2, 0.7, 0.1], [3.0, 0.0, 1.0], [0.0, 0.1, 0.2]])
    assert cluster_labels(H).tolist() == [1, 0, 2]


def test_connectivity_matrix_marks_pairs_in_the_same_cluster():
    C = connectivity_matrix([2, 0, 2, 1])
    expected = np.array([[1, 0, 1, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]], dtype=float)
    np.testing.assert_array_equal(C, expected)


label_runs = st.integers(2, 12).flatmap(
    lambda n: st.lists(st.lists(st.integers(0, 3), min_size=n, max_size=n), min_size=1, max_size=6)
)


@settings(max_examples=40, deadline=None)
@given(label_runs)
def test_consensus_is_symmetric_with_unit_diagonal_and_entries_in_unit_interval(runs):
    C = consensus_matrix(runs)
    n = len(runs[0])
    assert C.shape == (n, n)
    np.testing.assert_array_equal(C, C.T)
    np.testing.assert_array_equal(np.diag(C), np.ones(n))
    assert C.min() >= 0 and C.max() <= 1
    # Each entry is a share of runs, so a multiple of 1/runs.
    np.testing.assert_allclose(C * len(runs), np.round(C * len(runs)), atol=1e-12)
    rho = cophenetic_correlation(C)
    assert rho <= 1.0 + 1e-12 and np.isfinite(rho)
    assert 0.0 <= dispersion(C) <= 1.0


def test_consensus_counts_the_share_of_runs():
    C = consensus_matrix([[0, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]])
    # Points 0 and 1 together in runs 1, 3, 4 (3 of 4); points 0 and 2 only in run 4.
    assert C[0, 1] == 0.75 and C[0, 2] == 0.25 and C[1, 2] == 0.5


def test_identical_restarts_give_cophenetic_one_and_dispersion_one():
    labels = [0, 0, 1, 1, 1, 2, 2, 0, 2]
    C = consensus_matrix([labels] * 5)
    assert cophenetic_correlation(C) == pytest.approx(1.0, abs=1e-12)
    assert dispersion(C) == 1.0


def test_relabelled_identical_clusterings_still_agree():
    # Cluster names are arbitrary: swapping them must not change the consensus.
    C = consensus_matrix([[0, 0, 1, 1, 2], [1, 1, 2, 2, 0], [2, 2, 0, 0, 1]])
    assert dispersion(C) == 1.0
    assert cophenetic_correlation(C) == pytest.approx(1.0)


def test_cophenetic_matches_scipy_on_a_noisy_consensus():
    rng = np.random.default_rng(3)
    runs = rng.integers(0, 3, size=(7, 15))
    C = consensus_matrix(runs)
    distances = squareform(1 - C, checks=False)
    expected = cophenet(linkage(distances, "average"), distances)[0]
    assert cophenetic_correlation(C) == pytest.approx(expected)
    assert cophenetic_correlation(C) < 1.0


def test_unstable_clusterings_have_lower_dispersion_than_stable_ones():
    stable = consensus_matrix([[0, 0, 1, 1]] * 4)
    unstable = consensus_matrix([[0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1]])
    assert dispersion(unstable) < dispersion(stable) == 1.0


def test_dispersion_formula():
    C = np.array([[1.0, 0.25], [0.25, 1.0]])
    assert dispersion(C) == pytest.approx(np.mean(4 * (C - 0.5) ** 2))


def test_consensus_order_puts_planted_blocks_together():
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    C = consensus_matrix([labels] * 3)
    order = consensus_order(C)
    assert sorted(order.tolist()) == list(range(9))
    ordered_labels = labels[order]
    # Each cluster forms one contiguous run in the new order.
    assert np.count_nonzero(np.diff(ordered_labels)) == 2


@pytest.mark.parametrize(
    "bad", [np.ones((2, 3)), np.full((2, 2), 1.5), [[1.0, np.nan], [np.nan, 1.0]]]
)
def test_bad_consensus_is_refused(bad):
    with pytest.raises(ValueError, match="consensus"):
        cophenetic_correlation(bad)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="runs"):
        consensus_matrix([])
    with pytest.raises(ValueError, match="labels"):
        connectivity_matrix([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="H"):
        cluster_labels(np.ones(3))
    with pytest.raises(ValueError, match="n_restarts"):
        rank_restarts(np.ones((4, 3)), 2, n_restarts=0)
    with pytest.raises(ValueError, match="seed"):
        rank_seed(-1, 2)
    with pytest.raises(ValueError, match="same length"):
        suggest_rank([2, 3], [1.0])
    with pytest.raises(ValueError, match="increasing"):
        X = np.random.default_rng(0).random((10, 5))
        summarize_ranks(X, [rank_restarts(X, 3, n_restarts=2), rank_restarts(X, 2, n_restarts=2)])


def test_suggest_rank_prefers_the_larger_of_tied_ranks():
    assert suggest_rank([2, 3, 4, 5], [1.0, 0.7, 1.0, 0.95]) == 4
    assert suggest_rank([2, 3, 4], [0.6, 0.9, 0.8]) == 3


# ------------------------------------------------------------------ planted data


def test_noise_free_planted_data_is_found_by_every_restart():
    data = planted_clusters(40, 20, 3, noise=0.0, seed=2)
    result = rank_restarts(data.X, 3, n_restarts=5, seed=0)
    assert result.dispersion == 1.0
    assert result.cophenetic == pytest.approx(1.0)
    # The consensus blocks are the planted clusters.
    np.testing.assert_array_equal(result.consensus, connectivity_matrix(data.labels))


def test_rank_restarts_are_reproducible_and_keep_the_best_run():
    X = planted_clusters(30, 15, 3, seed=0).X
    first = rank_restarts(X, 3, n_restarts=4, seed=5)
    second = rank_restarts(X, 3, n_restarts=4, seed=5)
    np.testing.assert_array_equal(first.labels, second.labels)
    assert first.labels.shape == (4, 30)
    best_error = np.linalg.norm(X - first.best_H @ first.best_W) / np.linalg.norm(X)
    assert best_error == pytest.approx(first.errors.min())
    assert first.best_error == first.errors.min()


def test_rank_sweep_reports_progress_and_keeps_runs_per_rank_independent():
    X = planted_clusters(24, 12, 3, seed=0).X
    fractions = []
    short = rank_sweep(X, [2, 3], n_restarts=3, seed=4, progress=fractions.append)
    longer = rank_sweep(X, [2, 3, 4], n_restarts=3, seed=4)
    assert fractions == [0.5, 1.0]
    # Adding rank 4 does not change the runs at ranks 2 and 3.
    np.testing.assert_array_equal(short.restart_errors, longer.restart_errors[:2])


# ------------------------------------------------------------------ the page's claims


@pytest.mark.parametrize("planted_rank, seed", [(4, 0), (4, 1), (3, 0), (5, 0), (6, 0)])
def test_consensus_picks_the_planted_rank_on_the_planted_data(planted_rank, seed):
    # Page: "The consensus finds the planted rank" with the default settings (seed 0, rank 4),
    # and for the other planted ranks the slider offers.
    _, sweep = page_sweep(planted_rank, seed)
    assert sweep.suggested_rank == planted_rank


def test_default_page_consensus_at_the_planted_rank_is_the_planted_clustering(default_page):
    data, sweep = default_page
    index = list(sweep.ranks).index(PAGE_RANK)
    assert sweep.dispersion[index] == pytest.approx(1.0)
    assert sweep.cophenetic[index] == pytest.approx(1.0)
    result = rank_restarts(
        data.X, PAGE_RANK, n_restarts=PAGE_RESTARTS, seed=rank_seed(0, PAGE_RANK)
    )
    np.testing.assert_array_equal(result.consensus, connectivity_matrix(data.labels))


def test_svd_error_is_a_floor_for_nmf_at_every_rank(default_page):
    # Page: "no rank-r factorisation, nonnegative or not, can have a smaller error".
    data, sweep = default_page
    assert np.all(sweep.svd_error <= sweep.nmf_error + 1e-12)
    assert np.all(sweep.svd_explained_variance >= sweep.nmf_explained_variance - 1e-12)
    np.testing.assert_allclose(sweep.svd_error, svd_error_curve(data.X, 7)[1:])
    for rank, error in zip(sweep.ranks, sweep.svd_error, strict=True):
        X_r = truncated_svd(data.X, int(rank)).reconstruction()
        assert error == pytest.approx(np.linalg.norm(data.X - X_r) / np.linalg.norm(data.X))


def test_svd_floor_holds_for_a_fresh_nmf_on_random_data():
    X = np.random.default_rng(11).random((25, 10))
    floor = svd_error_curve(X, 6)
    for rank in range(1, 7):
        assert nmf(X, rank, seed=0).relative_error >= floor[rank - 1] - 1e-12


def test_explained_variance_matches_its_definition(default_page):
    data, sweep = default_page
    X = data.X
    spread = np.sum((X - X.mean(axis=0)) ** 2)
    expected = 1 - (sweep.svd_error**2) * np.sum(X**2) / spread
    np.testing.assert_allclose(sweep.svd_explained_variance, expected)


def test_error_elbow_sits_at_the_planted_rank(default_page):
    # Page: the error falls steeply up to the elbow, then crawls.
    _, sweep = default_page
    drops = -np.diff(sweep.nmf_error)  # drop from r to r + 1, r = 2 .. 6
    # "The best relative error can only fall as r grows": true of the restarts found here.
    assert np.all(drops >= 0)
    into_planted = drops[PAGE_RANK - 3]  # 3 -> 4
    after_planted = drops[PAGE_RANK - 2 :]  # 4 -> 5 and beyond
    assert into_planted > 10 * after_planted.max()


def test_cophenetic_stays_close_to_one_above_the_planted_rank(default_page):
    # Page: "Above the planted rank ρ stays close to 1" while the dispersion drops more.
    _, sweep = default_page
    above = sweep.ranks > PAGE_RANK
    assert np.all(sweep.cophenetic[above] > 0.98)
    index = list(sweep.ranks).index(PAGE_RANK)
    cophenetic_fall = sweep.cophenetic[index] - sweep.cophenetic[above].min()
    dispersion_fall = sweep.dispersion[index] - sweep.dispersion[above].min()
    assert dispersion_fall > 5 * cophenetic_fall


def test_above_the_planted_rank_some_basis_vectors_win_no_point(default_page):
    # Page: "a basis vector that no point picks as its largest coefficient does not change the
    # clusters" -- above the planted rank, runs use fewer clusters than basis vectors.
    _, sweep = default_page
    above = sweep.ranks > PAGE_RANK
    assert np.all(sweep.clusters_used[above] < sweep.ranks[above])
    assert np.all(
        sweep.clusters_used[sweep.ranks <= PAGE_RANK] == sweep.ranks[sweep.ranks <= PAGE_RANK]
    )


def test_below_the_planted_rank_restarts_can_agree_on_a_merge(default_page):
    # Page: "Below the planted rank the restarts may all merge the same clusters, which is why
    # ties go to the larger rank" -- on the default data, r = 2 is as stable as r = 4.
    _, sweep = default_page
    assert sweep.dispersion[0] == pytest.approx(1.0)
    assert sweep.dispersion[list(sweep.ranks).index(PAGE_RANK)] == pytest.approx(1.0)
    assert sweep.suggested_rank == PAGE_RANK


@pytest.mark.slow
def test_faces_have_no_clear_elbow_and_their_most_stable_clustering_is_r2():
    # Page (faces source, default settings): "no clear elbow ... the most stable clustering is
    # the coarsest one, r = 2".
    from nmf_lab.demo_data import load_faces

    sweep = rank_sweep(load_faces(), range(2, PAGE_MAX_RANK + 1), n_restarts=PAGE_RESTARTS, seed=0)
    assert sweep.suggested_rank == 2
    drops = -np.diff(sweep.nmf_error)
    assert np.all(drops > 0)
    # No single step dominates: each drop is within a factor 2 of the next one.
    assert np.all(drops[:-1] < 2 * drops[1:])


@pytest.mark.parametrize("X", [np.zeros((5, 4)), np.ones((6, 5)), np.eye(4)])
def test_degenerate_uploads_give_finite_or_nan_summaries(X):
    sweep = rank_sweep(X, [2, 3], n_restarts=3)
    assert np.all(np.isfinite(sweep.nmf_error)) and np.all(np.isfinite(sweep.cophenetic))
    for values in (sweep.nmf_explained_variance, sweep.svd_explained_variance):
        assert np.all(np.isfinite(values) | np.isnan(values))
    if np.ptp(X, axis=0).max() == 0:  # identical rows: nothing to explain
        assert np.all(np.isnan(sweep.nmf_explained_variance))


def test_suggested_index_points_at_the_suggested_rank(default_page):
    _, sweep = default_page
    assert sweep.ranks[sweep.suggested_index] == sweep.suggested_rank
