"""SVD and PCA baselines, metrics, losses, CSV parsing and bundled data."""

import numpy as np
import pytest
import scipy.sparse as sp

import nmf_core

RNG = np.random.default_rng(0)
X = RNG.random((30, 12))


# --- SVD ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rank", [1, 3, 12])
def test_truncated_svd_is_numpys_svd_cut_at_rank(rank):
    result = nmf_core.truncated_svd(X, rank)
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    np.testing.assert_allclose(result.S, S[:rank])
    np.testing.assert_allclose(
        result.reconstruction(), (U[:, :rank] * S[:rank]) @ Vt[:rank], atol=1e-12
    )
    direct = np.linalg.norm(X - result.reconstruction()) / np.linalg.norm(X)
    assert result.relative_error == pytest.approx(direct, abs=1e-12)


def test_truncated_svd_caps_the_rank_and_takes_sparse_input():
    result = nmf_core.truncated_svd(sp.csr_matrix(X), 50)
    assert result.U.shape == (30, 12) and result.relative_error == pytest.approx(0, abs=1e-12)


def test_svd_error_curve_matches_the_reconstructions_and_decreases():
    curve = nmf_core.svd_error_curve(X, 14)
    expected = [nmf_core.truncated_svd(X, r).relative_error for r in range(1, 13)]
    np.testing.assert_allclose(curve[:12], expected, atol=1e-12)
    assert np.all(np.diff(curve) <= 1e-15) and curve[-1] == pytest.approx(0, abs=1e-7)
    assert np.all(nmf_core.svd_error_curve(np.zeros((3, 3)), 2) == 0)


@pytest.mark.parametrize("rank", [1, 2, 4, 6])
def test_svd_error_is_a_lower_bound_for_nmf(rank):
    # Eckart–Young: no rank-r factorisation, nonnegative or not, beats the truncated SVD.
    nmf_error = nmf_core.nmf(X, rank, max_iter=100).relative_error
    assert nmf_core.svd_error_curve(X, rank)[-1] <= nmf_error + 1e-12


def test_baselines_refuse_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        nmf_core.truncated_svd(np.ones(3), 1)
    with pytest.raises(ValueError, match="NaN"):
        nmf_core.pca(np.array([[1.0, np.nan], [0.0, 1.0]]), 1)
    with pytest.raises(ValueError, match="numbers"):
        nmf_core.svd_error_curve([["a"]], 1)
    with pytest.raises(ValueError, match="rank"):
        nmf_core.pca(X, 0)


# --- PCA ---------------------------------------------------------------------------------


def test_pca_components_are_orthonormal_and_scores_reconstruct():
    result = nmf_core.pca(X, 12)
    np.testing.assert_allclose(result.components @ result.components.T, np.eye(12), atol=1e-12)
    np.testing.assert_allclose(result.reconstruction(), X, atol=1e-12)
    np.testing.assert_allclose(result.mean, X.mean(axis=0))
    assert result.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert np.all(np.diff(result.explained_variance) <= 0)


def test_pca_variance_is_the_variance_of_the_scores():
    result = nmf_core.pca(X, 3)
    np.testing.assert_allclose(result.explained_variance, result.scores.var(axis=0, ddof=1))
    # Deterministic signs: the largest-magnitude entry of each component is positive.
    biggest = result.components[np.arange(3), np.abs(result.components).argmax(axis=1)]
    assert np.all(biggest > 0)


# --- metrics -----------------------------------------------------------------------------


def test_hoyer_sparseness_extremes_and_axes():
    assert nmf_core.hoyer_sparseness(np.ones(7)) == pytest.approx(0.0)
    assert nmf_core.hoyer_sparseness([0, 0, 3.0, 0]) == pytest.approx(1.0)
    assert nmf_core.hoyer_sparseness(np.zeros(5)) == 0.0
    assert nmf_core.hoyer_sparseness([4.0]) == 0.0
    assert 0 < nmf_core.hoyer_sparseness([1.0, 2.0, 0.0, 0.5]) < 1
    M = np.array([[1.0, 1.0, 1.0], [0.0, 5.0, 0.0]])
    np.testing.assert_allclose(nmf_core.hoyer_sparseness(M, axis=1), [0.0, 1.0], atol=1e-12)
    assert nmf_core.hoyer_sparseness(M, axis=0).shape == (3,)
    # Scale invariant; the value of a known vector from the formula.
    v = np.array([1.0, 2.0, 0.0, 0.5])
    expected = (2 - v.sum() / np.linalg.norm(v)) / (2 - 1)
    assert nmf_core.hoyer_sparseness(10 * v) == pytest.approx(expected)


def test_relative_error_and_explained_variance():
    assert nmf_core.relative_error([[3.0, 4.0]], [[3.0, 0.0]]) == pytest.approx(0.8)
    assert nmf_core.relative_error(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0
    assert nmf_core.relative_error(np.zeros((2, 2)), np.ones((2, 2))) == float("inf")
    assert nmf_core.explained_variance(X, X) == 1.0
    mean_only = np.broadcast_to(X.mean(axis=0), X.shape)
    assert nmf_core.explained_variance(X, mean_only) == pytest.approx(0.0, abs=1e-12)
    assert nmf_core.explained_variance(X, np.zeros_like(X)) < 0
    pca = nmf_core.pca(X, 3)
    assert nmf_core.explained_variance(X, pca.reconstruction()) == pytest.approx(
        pca.explained_variance_ratio.sum()
    )
    with pytest.raises(ValueError, match="same shape"):
        nmf_core.relative_error(X, X[:3])
    with pytest.raises(ValueError, match="same shape"):
        nmf_core.explained_variance(X, X[:, :2])


# --- losses ------------------------------------------------------------------------------


def test_losses_match_their_formulas_dense_and_sparse():
    H, W = RNG.random((30, 3)), RNG.random((3, 12))
    Xs = X * (X > 0.5)
    direct = np.sum((Xs - H @ W) ** 2)
    assert nmf_core.frobenius_loss(Xs, H, W) == pytest.approx(direct, rel=1e-12)
    assert nmf_core.frobenius_loss(sp.csr_matrix(Xs), H, W) == pytest.approx(direct, rel=1e-10)
    product = H @ W
    positive = Xs > 0
    kl = np.sum(Xs[positive] * np.log(Xs[positive] / product[positive])) - Xs.sum() + product.sum()
    assert nmf_core.kl_divergence(Xs, H, W) == pytest.approx(kl, rel=1e-12)
    assert nmf_core.kl_divergence(sp.csr_matrix(Xs), H, W) == pytest.approx(kl, rel=1e-12)
    assert nmf_core.kl_divergence(H @ W, H, W) == pytest.approx(0.0, abs=1e-10)
    weights = {"l1_H": 1.0, "l1_W": 2.0, "l2_H": 3.0, "l2_W": 4.0}
    penalty = H.sum() + 2 * W.sum() + 3 * np.sum(H**2) + 4 * np.sum(W**2)
    assert nmf_core.penalty(H, W, **weights) == pytest.approx(penalty)
    assert nmf_core.objective(Xs, H, W, **weights) == pytest.approx(direct + penalty)
    assert nmf_core.objective(Xs, H, W, loss="kl") == pytest.approx(kl)


def test_float32_frobenius_loss_is_computed_in_float64():
    H, W = RNG.random((30, 3)), RNG.random((3, 12))
    exact = nmf_core.frobenius_loss(H @ W, H, W)
    single = nmf_core.frobenius_loss(
        (H @ W).astype(np.float32), H.astype(np.float32), W.astype(np.float32)
    )
    assert exact == pytest.approx(0.0, abs=1e-20)
    assert single < 1e-9 * np.sum((H @ W) ** 2)


# --- CSV parsing -------------------------------------------------------------------------
