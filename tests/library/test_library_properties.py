"""Property tests (hypothesis) over shapes, ranks, seeds, dtypes and penalties.

Modelled on scikit-learn's ``test_nmf_decreasing``: MU, HALS and ANLS are descent methods, so
the objective (loss plus penalties) may never go up from one iteration to the next. Rounding is
allowed for with a tolerance of a few hundred machine epsilons of the problem's scale ``‖X‖²``
(the size of the numbers the objective is computed from).
"""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import nmf_core
from nmf_core.solvers._types import _Tuning

DTYPES = [np.float64, np.float32, np.int64]


@st.composite
def problems(draw, max_side=12):
    n = draw(st.integers(1, max_side))
    k = draw(st.integers(1, max_side))
    rank = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(seed)
    X = rng.random((n, k)) * draw(st.sampled_from([1.0, 1e-3, 1e3]))
    zeros = draw(st.sampled_from([0.0, 0.3, 0.8]))
    X[rng.random((n, k)) < zeros] = 0.0
    if dtype == np.int64:
        X = np.round(X * 10 / max(X.max(), 1e-300))
    return X.astype(dtype), rank, seed


def _init_for(X, rank):
    return "nndsvda" if rank <= min(X.shape) else "random"


def _expected_dtype(X):
    return np.float32 if X.dtype == np.float32 else np.float64


penalty_sets = st.sampled_from(
    [
        {},
        {"l1_H": 0.1, "l1_W": 0.2},
        {"l2_H": 0.3, "l2_W": 0.1},
        {"l1_H": 0.05, "l1_W": 0.0, "l2_H": 0.0, "l2_W": 0.4},
    ]
)


@settings(max_examples=30)
@given(problem=problems(), solver=st.sampled_from(nmf_core.SOLVERS))
def test_factors_are_nonnegative_with_the_right_shape_and_dtype(problem, solver):
    X, rank, seed = problem
    result = nmf_core.nmf(X, rank, solver=solver, init=_init_for(X, rank), seed=seed, max_iter=15)
    n, k = X.shape
    assert result.H.shape == (n, rank) and result.W.shape == (rank, k)
    assert result.H.dtype == _expected_dtype(X) and result.W.dtype == _expected_dtype(X)
    assert result.H.min() >= 0 and result.W.min() >= 0
    assert np.all(np.isfinite(result.H)) and np.all(np.isfinite(result.W))
    assert np.all(np.isfinite(result.losses)) and np.all(result.losses >= 0)
    assert result.losses.shape == result.times.shape == (result.n_iter + 1,)


@settings(max_examples=25)
@given(
    problem=problems(),
    solver=st.sampled_from(nmf_core.SOLVERS),
    init=st.sampled_from(["random", "nndsvdar", "nndsvda"]),
)
def test_a_fixed_seed_gives_the_same_result(problem, solver, init):
    X, rank, seed = problem
    if rank > min(X.shape):
        init = "random"
    first = nmf_core.nmf(X, rank, solver=solver, init=init, seed=seed, max_iter=10)
    second = nmf_core.nmf(X, rank, solver=solver, init=init, seed=seed, max_iter=10)
    np.testing.assert_array_equal(first.H, second.H)
    np.testing.assert_array_equal(first.W, second.W)
    np.testing.assert_array_equal(first.losses, second.losses)


def _assert_never_increases(X, result):
    scale = float(np.sum(np.asarray(X, dtype=np.float64) ** 2)) + float(result.objectives[0])
    eps = np.finfo(_expected_dtype(X)).eps
    steps = np.diff(result.objectives)
    assert np.all(steps <= 300 * eps * scale), (steps.max(), scale)


@settings(max_examples=40)
@given(problem=problems(), solver=st.sampled_from(["hals", "mu", "anls"]), penalties=penalty_sets)
def test_objective_never_increases(problem, solver, penalties):
    X, rank, seed = problem
    result = nmf_core.nmf(
        X, rank, solver=solver, init=_init_for(X, rank), seed=seed, max_iter=25, tol=0, **penalties
    )
    _assert_never_increases(X, result)


@settings(max_examples=20)
@given(problem=problems(), penalties=penalty_sets)
def test_kl_objective_never_increases(problem, penalties):
    X, rank, seed = problem
    result = nmf_core.nmf(
        X,
        rank,
        solver="mu",
        loss="kl",
        init=_init_for(X, rank),
        seed=seed,
        max_iter=20,
        tol=0,
        **penalties,
    )
    _assert_never_increases(X, result)


@settings(max_examples=20)
@given(problem=problems(), solver=st.sampled_from(["hals", "mu"]))
def test_sparse_and_dense_input_agree(problem, solver):
    X, rank, seed = problem
    X = X.astype(np.float64)
    init = _init_for(X, rank)
    # HALS sizes its inner sweeps from the cost of the products with X, which is lower for a
    # sparse X with zeros: fix the sweep count so both runs do the same arithmetic.
    same = {"_tuning": _Tuning(inner_sweeps=3)}
    dense = nmf_core.nmf(X, rank, solver=solver, init=init, seed=seed, max_iter=10, tol=0, **same)
    sparse = nmf_core.nmf(
        sp.csr_matrix(X), rank, solver=solver, init=init, seed=seed, max_iter=10, tol=0, **same
    )
    scale = max(float(np.abs(dense.H).max()), float(np.abs(dense.W).max()), 1e-300)
    np.testing.assert_allclose(sparse.H, dense.H, rtol=1e-7, atol=1e-9 * scale)
    np.testing.assert_allclose(sparse.W, dense.W, rtol=1e-7, atol=1e-9 * scale)


@settings(max_examples=25)
@given(problem=problems(), init=st.sampled_from(nmf_core.INITS))
def test_initialisations_are_nonnegative_and_finite(problem, init):
    X, rank, seed = problem
    if init != "random" and rank > min(X.shape):
        init = "random"
    H0, W0 = nmf_core.initialize(X, rank, init, seed=seed)
    assert H0.shape == (X.shape[0], rank) and W0.shape == (rank, X.shape[1])
    assert H0.dtype == _expected_dtype(X)
    assert H0.min() >= 0 and W0.min() >= 0
    assert np.all(np.isfinite(H0)) and np.all(np.isfinite(W0))


@settings(max_examples=30)
@given(
    r=st.integers(1, 8), m=st.integers(1, 30), seed=st.integers(0, 2**16), rows=st.integers(1, 20)
)
def test_nnls_meets_the_optimality_conditions(r, m, seed, rows):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((rows, r))
    B = rng.standard_normal((rows, m))
    G, C = A.T @ A + 1e-3 * np.eye(r), A.T @ B
    Z = nmf_core.nnls_gram(G, C)
    gradient = G @ Z - C
    scale = 1e-8 * (1 + np.abs(C).max())
    assert Z.min() >= 0
    assert gradient.min() >= -scale  # no descent direction into the feasible set
    assert np.abs(Z * gradient).max() <= scale * (1 + Z.max())  # complementary slackness
