"""Initialisations, SPA on separable data, and the batched NNLS solver."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import nnls

import nmf_core
from nmf_core.nnls import nnls_gram


def _separable(n, k, r, seed, noise=0.0):
    """X = H W where r of the rows of X are the (scaled) rows of W, the rest mixtures of them."""
    rng = np.random.default_rng(seed)
    W = rng.random((r, k)) * (0.5 + rng.random((r, 1)))
    weights = rng.dirichlet(np.ones(r), size=n - r) * rng.uniform(0.2, 0.95, (n - r, 1))
    H = np.vstack([np.eye(r), weights])
    order = rng.permutation(n)
    H = H[order]
    extreme = np.sort(np.flatnonzero(order < r))
    X = H @ W + noise * rng.random((n, k))
    return X, extreme


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n", "k", "r"), [(30, 10, 3), (80, 20, 6), (15, 5, 5)])
def test_spa_finds_the_planted_extreme_rows(seed, n, k, r):
    X, extreme = _separable(n, k, r, seed)
    np.testing.assert_array_equal(np.sort(nmf_core.spa(X, r)), extreme)


def test_spa_tolerates_a_little_noise():
    X, extreme = _separable(60, 15, 4, 3, noise=1e-4)
    np.testing.assert_array_equal(np.sort(nmf_core.spa(X, 4)), extreme)


def test_spa_picks_the_largest_row_first_and_accepts_sparse():
    X = np.array([[1.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 2.0]])
    picked = nmf_core.spa(X, 3)
    assert picked[0] == 1 and sorted(picked.tolist()) == [0, 1, 3]
    np.testing.assert_array_equal(nmf_core.spa(sp.csr_matrix(X), 3), picked)


def test_spa_on_rank_deficient_data_still_returns_distinct_rows():
    X = np.outer(np.arange(1, 7), np.ones(4))  # rank one
    picked = nmf_core.spa(X, 3)
    assert len(set(picked.tolist())) == 3


def test_spa_init_uses_the_picked_rows_and_exact_nnls_coefficients():
    X, _ = _separable(40, 12, 4, 1)
    H0, W0 = nmf_core.initialize(X, 4, "spa")
    rows = nmf_core.spa(X, 4)
    np.testing.assert_array_equal(W0, X[rows])
    for i in range(0, 40, 7):
        np.testing.assert_allclose(H0[i], nnls(W0.T, X[i])[0], atol=1e-9)
    # On separable data the start is already an exact factorisation.
    assert np.linalg.norm(X - H0 @ W0) / np.linalg.norm(X) < 1e-10


def test_nndsvd_is_sparse_and_nndsvda_fills_its_zeros_with_the_mean():
    X = np.random.default_rng(0).random((20, 15))
    H, W = nmf_core.initialize(X, 5, "nndsvd")
    Ha, Wa = nmf_core.initialize(X, 5, "nndsvda")
    assert np.count_nonzero(H == 0) > 0 and np.count_nonzero(W == 0) > 0
    np.testing.assert_allclose(Ha[H == 0], X.mean())
    np.testing.assert_allclose(Ha[H > 0], H[H > 0])
    np.testing.assert_allclose(Wa[W == 0], X.mean())


def test_nndsvd_leading_term_is_the_best_rank_one_approximation():
    X = np.random.default_rng(1).random((10, 8))
    H, W = nmf_core.initialize(X, 1, "nndsvd")
    U, S, Vt = np.linalg.svd(X)
    np.testing.assert_allclose(H @ W, S[0] * np.outer(U[:, 0], Vt[0]), atol=1e-12)


def test_random_init_is_seeded_and_scaled():
    X = np.full((50, 40), 4.0)
    H, W = nmf_core.initialize(X, 4, "random", seed=3)
    H2, _ = nmf_core.initialize(X, 4, "random", seed=3)
    np.testing.assert_array_equal(H, H2)
    # Entries are |N(0,1)|·sqrt(mean/r) and E|N| = sqrt(2/π), so H0 W0 averages mean·2/π.
    assert (H @ W).mean() == pytest.approx(4.0 * 2 / np.pi, rel=0.15)


def test_initialize_accepts_a_generator_seed():
    X = np.random.default_rng(2).random((6, 5))
    H, _ = nmf_core.initialize(X, 2, "random", seed=np.random.default_rng(9))
    H2, _ = nmf_core.initialize(X, 2, "random", seed=9)
    np.testing.assert_array_equal(H, H2)


# Shapes cover: one batched solve per column (many distinct passive sets), one solve per
# shared passive set (few sets: r = 1 or 3 with many columns), r above the 62-bit key path, and
# more unknowns than equations (singular Gram).
@pytest.mark.parametrize(
    ("rows", "r", "m"),
    [(50, 5, 30), (200, 20, 300), (30, 40, 20), (8, 1, 5), (40, 3, 400), (120, 70, 6)],
)
def test_nnls_gram_matches_scipy_nnls(rows, r, m):
    rng = np.random.default_rng(rows + r)
    A = rng.standard_normal((rows, r))
    M = rng.standard_normal((rows, m))
    Z = nnls_gram(A.T @ A, A.T @ M)
    reference = np.column_stack([nnls(A, M[:, j])[0] for j in range(m)])
    loss = lambda Z_: np.sum((M - A @ Z_) ** 2)  # noqa: E731
    assert loss(Z) <= loss(reference) * (1 + 1e-10) + 1e-12
    if rows >= r:  # unique minimiser when A has full column rank
        np.testing.assert_allclose(Z, reference, atol=1e-8)


def test_nnls_gram_warm_start_gives_the_same_answer():
    rng = np.random.default_rng(4)
    A, M = rng.random((40, 6)), rng.random((40, 25))
    G, B = A.T @ A, A.T @ M - 0.5
    cold = nnls_gram(G, B)
    np.testing.assert_allclose(nnls_gram(G, B, start=cold), cold, atol=1e-12)
    np.testing.assert_allclose(nnls_gram(G, B, start=np.ones_like(cold)), cold, atol=1e-10)


def test_nnls_gram_handles_a_zero_gram_and_rejects_bad_shapes():
    assert np.all(nnls_gram(np.zeros((3, 3)), np.zeros((3, 4))) == 0)
    with pytest.raises(ValueError, match="gram"):
        nnls_gram(np.eye(3), np.ones((2, 4)))
