"""SVD and PCA baselines, metrics, losses, CSV parsing and bundled data."""

import numpy as np
import pytest
import scipy.sparse as sp

import nmf_core
from nmf_lab.demo_data import FACE_SHAPE, SAMPLE_IMAGES, load_faces, planted_nmf, sample_image
from nmf_lab.uploads import parse_csv_matrix

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


@pytest.mark.parametrize(
    "text",
    [
        b"x,y\n1,2\n3,4\n",
        b"1;2\n3;4",
        b"1\t2\n3\t4\n",
        b"1 2\n3   4\n\n",
        b"\xef\xbb\xbfa,b\r\n1,2\r\n3,4\r\n",
        b"1,2,\n3,4,\n",
    ],
)
def test_parse_csv_matrix_reads_common_layouts(text):
    np.testing.assert_array_equal(parse_csv_matrix(text), [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (b"", {}, "empty"),
        (b"\n\n  \n", {}, "empty"),
        (b"a,b\n", {}, "header but no rows"),
        (b"1,2\n3\n", {}, "different numbers of values"),
        (b"1,2\n3,x\n", {}, "Row 2 has a value that is not a number"),
        (b"1,-2\n3,4\n", {}, "negative"),
        (b"1,nan\n3,4\n", {}, "NaN"),
        (b"1,inf\n3,4\n", {}, "NaN or infinite"),
        (b"\xff\xfe\x00\x01", {}, "not a text CSV"),
        (b"1,2\x00\n", {}, "binary"),
        (b"1,2\n3,4\n5,6\n", {"max_rows": 2}, "limit is 2"),
        (b"1,2,3\n", {"max_columns": 2}, "3 columns; the limit is 2"),
        (b"1,2,3,4\n", {"allowed_columns": (2, 3)}, "needs 2 or 3"),
        (b"1,2\n" * 10, {"max_bytes": 10}, "MB"),
        ("1,2", {}, "bytes"),
    ],
)
def test_parse_csv_matrix_refuses_bad_files_with_a_reason(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        parse_csv_matrix(data, **kwargs)


# --- bundled data ------------------------------------------------------------------------


def test_planted_nmf_is_exact_nonnegative_and_seeded():
    X_, H, W = planted_nmf(20, 10, 3, seed=1)
    np.testing.assert_allclose(X_, H @ W)
    assert X_.min() >= 0 and np.linalg.matrix_rank(X_) == 3
    np.testing.assert_array_equal(planted_nmf(20, 10, 3, seed=1)[0], X_)
    noisy, _, _ = planted_nmf(20, 10, 3, noise=0.1, seed=1)
    assert noisy.min() >= 0 and not np.allclose(noisy, X_)
    _, sparse_H, _ = planted_nmf(200, 10, 3, sparsity=0.7, seed=1)
    assert 0.6 < np.mean(sparse_H == 0) < 0.8
    with pytest.raises(ValueError, match="sparsity"):
        planted_nmf(5, 5, 2, sparsity=1.0)
    with pytest.raises(ValueError, match="noise"):
        planted_nmf(5, 5, 2, noise=-1.0)


def test_faces_and_sample_images():
    faces = load_faces()
    assert faces.shape == (100, FACE_SHAPE[0] * FACE_SHAPE[1])
    assert 0 <= faces.min() and faces.max() <= 1
    camera = sample_image("camera")
    assert camera.shape == (512, 512) and 0 <= camera.min() and camera.max() <= 1
    assert "camera" in SAMPLE_IMAGES
    with pytest.raises(ValueError, match="Unknown sample image"):
        sample_image("nope")
