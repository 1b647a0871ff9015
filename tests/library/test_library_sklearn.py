"""Cross-checks against scikit-learn (a test-only dependency).

Letters are swapped there: sklearn factors ``X ≈ W_sk H_sk`` with ``W_sk = our H`` (n×r) and
``components_ = H_sk = our W`` (r×k). Its objective also carries a factor ½ and its own penalty
parametrisation; see ``_sklearn_penalties``.
"""

import warnings

import numpy as np
import pytest
from sklearn.decomposition import NMF, PCA
from sklearn.decomposition._nmf import _initialize_nmf
from sklearn.exceptions import ConvergenceWarning

import nmf_core
from nmf_core.solvers import _Tuning
from nmf_core.solvers.hals import inner_sweep_budget


def _data(seed=0, n=40, k=30, r=4, noise=0.05):
    rng = np.random.default_rng(seed)
    X = rng.random((n, r)) @ rng.random((r, k))
    return np.maximum(X + noise * rng.standard_normal((n, k)), 0.0)


def _sklearn(X, rank, H0, W0, *, solver="cd", max_iter=50, **params):
    model = NMF(
        n_components=rank,
        init="custom",
        solver=solver,
        max_iter=max_iter,
        tol=0.0,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        H = model.fit_transform(X, W=H0.copy(), H=W0.copy())
    return H, model.components_


def _sklearn_penalties(alpha_W, alpha_H, l1_ratio, n, k):
    """sklearn's ½‖X − W_sk H_sk‖² + penalties, doubled and written in our letters."""
    return {
        "l1_H": 2 * alpha_W * l1_ratio * k,
        "l2_H": alpha_W * (1 - l1_ratio) * k,
        "l1_W": 2 * alpha_H * l1_ratio * n,
        "l2_W": alpha_H * (1 - l1_ratio) * n,
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("iterations", [5, 30, 100])
def test_hals_reaches_a_loss_no_worse_than_sklearn_cd_in_as_many_iterations(seed, iterations):
    X = _data(seed)
    H0, W0 = nmf_core.initialize(X, 4, "nndsvda")
    H_sk, W_sk = _sklearn(X, 4, H0, W0, max_iter=iterations)
    ours = nmf_core.nmf(X, 4, init=(H0, W0), max_iter=iterations, tol=0)
    assert ours.losses[-1] <= nmf_core.frobenius_loss(X, H_sk, W_sk) * (1 + 1e-12)


def test_hals_on_a_large_enough_problem_beats_sklearn_cd_per_iteration():
    # Here the products are expensive enough for the Gillis–Glineur inner loop to kick in, so
    # HALS is strictly better than scikit-learn's single coordinate sweep per iteration.
    X = _data(3, n=600, k=400, r=10)
    H0, W0 = nmf_core.initialize(X, 10, "nndsvda")
    assert inner_sweep_budget(2.0 * 600 * 400 * 10, 600, 10) > 1
    H_sk, W_sk = _sklearn(X, 10, H0, W0, max_iter=20)
    ours = nmf_core.nmf(X, 10, init=(H0, W0), max_iter=20, tol=0)
    assert ours.losses[-1] < nmf_core.frobenius_loss(X, H_sk, W_sk)


@pytest.mark.parametrize(
    ("alpha_W", "alpha_H", "l1_ratio"),
    [(0.0, 0.0, 0.0), (0.01, 0.02, 0.5), (0.03, 0.0, 1.0), (0.0, 0.02, 0.0)],
)
def test_single_sweep_hals_is_sklearn_cd_including_penalties(alpha_W, alpha_H, l1_ratio):
    # With one inner sweep per half step and no extrapolation HALS is exactly scikit-learn's
    # coordinate descent (no shuffling): same start, same factors after every iteration.
    X = _data(4)
    n, k = X.shape
    H0, W0 = nmf_core.initialize(X, 4, "nndsvda")
    H_sk, W_sk = _sklearn(
        X, 4, H0, W0, max_iter=25, alpha_W=alpha_W, alpha_H=alpha_H, l1_ratio=l1_ratio
    )
    ours = nmf_core.nmf(
        X,
        4,
        init=(H0, W0),
        max_iter=25,
        tol=0,
        **_sklearn_penalties(alpha_W, alpha_H, l1_ratio, n, k),
        _tuning=_Tuning(inner_sweeps=1, extrapolate=False),
    )
    np.testing.assert_allclose(ours.H, H_sk, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.W, W_sk, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(("alpha_W", "alpha_H", "l1_ratio"), [(0.0, 0.0, 0.0), (0.01, 0.02, 0.5)])
def test_mu_follows_sklearn_mu(alpha_W, alpha_H, l1_ratio):
    # sklearn adds a tiny epsilon to its denominators; otherwise the updates are the same.
    X = _data(5)
    n, k = X.shape
    H0, W0 = nmf_core.initialize(X, 4, "nndsvda")
    H_sk, W_sk = _sklearn(
        X, 4, H0, W0, solver="mu", max_iter=30, alpha_W=alpha_W, alpha_H=alpha_H, l1_ratio=l1_ratio
    )
    ours = nmf_core.nmf(
        X,
        4,
        solver="mu",
        init=(H0, W0),
        max_iter=30,
        tol=0,
        **_sklearn_penalties(alpha_W, alpha_H, l1_ratio, n, k),
    )
    np.testing.assert_allclose(ours.H, H_sk, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.W, W_sk, rtol=1e-6, atol=1e-9)


def test_kl_mu_follows_sklearn_kl_mu():
    X = _data(6)
    H0, W0 = nmf_core.initialize(X, 3, "nndsvda")
    model = NMF(
        n_components=3,
        init="custom",
        solver="mu",
        beta_loss="kullback-leibler",
        max_iter=30,
        tol=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        H_sk = model.fit_transform(X, W=H0.copy(), H=W0.copy())
    ours = nmf_core.nmf(X, 3, solver="mu", loss="kl", init=(H0, W0), max_iter=30, tol=0)
    np.testing.assert_allclose(ours.H, H_sk, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(ours.W, model.components_, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("init", ["nndsvd", "nndsvda"])
@pytest.mark.parametrize(("shape", "rank"), [((40, 30), 4), ((25, 60), 6), ((12, 12), 12)])
def test_nndsvd_agrees_with_sklearn(init, shape, rank):
    # sklearn uses a randomized SVD; on a matrix of exactly `rank` plus tiny noise with well
    # separated singular values it matches the exact SVD closely.
    X = _data(7, n=shape[0], k=shape[1], r=rank, noise=1e-3)
    H, W = nmf_core.initialize(X, rank, init)
    H_sk, W_sk = _initialize_nmf(X, rank, init=init, random_state=0)
    np.testing.assert_allclose(H, H_sk, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(W, W_sk, rtol=1e-5, atol=1e-6)


def test_nndsvdar_agrees_with_sklearn_where_it_is_deterministic():
    X = _data(8, noise=1e-3)
    H, W = nmf_core.initialize(X, 4, "nndsvdar", seed=0)
    H_sk, W_sk = _initialize_nmf(X, 4, init="nndsvdar", random_state=0)
    H_plain, W_plain = nmf_core.initialize(X, 4, "nndsvd")
    for ours, theirs, plain in [(H, H_sk, H_plain), (W, W_sk, W_plain)]:
        support = plain > 0
        # Where NNDSVD is positive all three agree.
        np.testing.assert_allclose(ours[support], plain[support])
        np.testing.assert_allclose(theirs[support], plain[support], rtol=1e-5, atol=1e-6)
        # The zeros of NNDSVD are filled with small positive noise, |N(0,1)|·mean(X)/100.
        for filled in (ours[~support], theirs[~support]):
            assert np.all(filled >= 0) and np.all(filled < 6 * X.mean() / 100)
            assert np.mean(filled) == pytest.approx(X.mean() / 100 * np.sqrt(2 / np.pi), rel=0.5)


def test_random_init_has_sklearns_scale():
    X = _data(9)
    H, W = nmf_core.initialize(X, 4, "random", seed=0)
    H_sk, W_sk = _initialize_nmf(X, 4, init="random", random_state=0)
    # Different random streams, same distribution: |N(0,1)|·sqrt(mean(X)/r).
    expected = np.sqrt(X.mean() / 4) * np.sqrt(2 / np.pi)
    for ours, theirs in [(H, H_sk), (W, W_sk)]:
        assert ours.mean() == pytest.approx(expected, rel=0.2)
        assert theirs.mean() == pytest.approx(expected, rel=0.2)


@pytest.mark.parametrize("rank", [1, 3, 8])
def test_pca_agrees_with_sklearn(rank):
    X = np.random.default_rng(10).random((50, 8)) * np.arange(1, 9)
    ours = nmf_core.pca(X, rank)
    theirs = PCA(n_components=rank, svd_solver="full").fit(X)
    signs = np.sign(np.sum(ours.components * theirs.components_, axis=1))
    np.testing.assert_allclose(ours.components, theirs.components_ * signs[:, None], atol=1e-10)
    np.testing.assert_allclose(ours.scores, theirs.transform(X) * signs, atol=1e-10)
    np.testing.assert_allclose(ours.mean, theirs.mean_)
    np.testing.assert_allclose(ours.explained_variance, theirs.explained_variance_)
    np.testing.assert_allclose(ours.explained_variance_ratio, theirs.explained_variance_ratio_)
