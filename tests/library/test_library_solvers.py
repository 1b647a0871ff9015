"""Unit tests of nmf(): histories, stopping, callbacks, penalties, sparse input, planted data."""

import numpy as np
import pytest
import scipy.sparse as sp

import nmf_core
from nmf_lab.demo_data import load_faces, planted_nmf


@pytest.fixture
def data():
    return np.random.default_rng(0).random((30, 20))


def test_losses_start_at_the_start_point_and_match_the_factors(data):
    H0, W0 = nmf_core.initialize(data, 4, "random", seed=1)
    for solver in nmf_core.SOLVERS:
        result = nmf_core.nmf(data, 4, solver=solver, init=(H0, W0), max_iter=7, tol=0)
        assert result.losses[0] == pytest.approx(np.sum((data - H0 @ W0) ** 2), rel=1e-12)
        final = np.sum((data - result.H @ result.W) ** 2)
        assert result.losses[-1] == pytest.approx(final, rel=1e-9)
        assert len(result.losses) == len(result.objectives) == len(result.times) == 8


@pytest.mark.parametrize("storage", ["dense", "sparse", "float32"])
def test_start_loss_is_the_loss_of_the_start_point_however_x_is_stored(storage):
    rng = np.random.default_rng(11)
    X = rng.random((40, 25)) * (rng.random((40, 25)) < 0.4)
    H0, W0 = nmf_core.initialize(X, 3, "random", seed=2)
    expected = np.sum((X - H0 @ W0) ** 2)
    given = {"dense": X, "sparse": sp.csr_matrix(X), "float32": X.astype(np.float32)}[storage]
    rel = 1e-5 if storage == "float32" else 1e-12
    for solver in nmf_core.SOLVERS:
        result = nmf_core.nmf(given, 3, solver=solver, init=(H0, W0), max_iter=2, tol=0)
        assert result.losses[0] == pytest.approx(expected, rel=rel)


def test_start_loss_of_an_exact_factorisation_is_not_lost_to_cancellation():
    # ‖X‖² − 2⟨X, HW⟩ + ‖HW‖² would be rounding noise of size 1e-16·‖X‖² here, possibly negative;
    # the residual is formed instead.
    rng = np.random.default_rng(12)
    H0, W0 = rng.random((30, 3)), rng.random((3, 20))
    X = H0 @ W0
    expected = np.sum((X - H0 @ W0) ** 2)
    for given in (X, sp.csr_matrix(X)):
        result = nmf_core.nmf(given, 3, init=(H0, W0), max_iter=1, tol=0)
        assert 0.0 <= result.losses[0] <= 1e-20 * np.sum(X**2)
        assert result.losses[0] == pytest.approx(expected, abs=1e-24)


@pytest.mark.parametrize("solver", nmf_core.SOLVERS)
def test_iteration_one_reuses_the_product_formed_for_the_start_loss(monkeypatch, solver, data):
    from nmf_core.solvers._frobenius import DataProducts, FrobeniusPass

    calls, passes = [], []
    original_product = DataProducts.cross_H
    monkeypatch.setattr(
        DataProducts, "cross_H", lambda self, W: calls.append(1) or original_product(self, W)
    )
    original_pass = FrobeniusPass.run
    monkeypatch.setattr(
        FrobeniusPass, "run", lambda self, *args: passes.append(1) or original_pass(self, *args)
    )
    H0, W0 = nmf_core.initialize(data, 3, "random", seed=1)
    result = nmf_core.nmf(data, 3, solver=solver, init=(H0, W0), max_iter=4, tol=0)
    # One W Xᵀ per pass, including the one formed before iteration 1 for the start loss (which
    # iteration 1 reuses). One pass per iteration, or two for a rejected extrapolated HALS pass.
    assert len(calls) == len(passes)
    assert len(passes) == 4 if solver != "hals" else len(passes) >= 4
    assert result.losses[0] == pytest.approx(np.sum((data - H0 @ W0) ** 2), rel=1e-12)


def test_every_loss_in_the_history_is_the_loss_of_that_iterate(data):
    seen = []
    result = nmf_core.nmf(
        data, 3, max_iter=6, tol=0, callback=lambda i, H, W, loss: seen.append((i, H, W, loss))
    )
    assert [item[0] for item in seen] == [1, 2, 3, 4, 5, 6]
    for i, H, W, loss in seen:
        assert loss == result.losses[i]
        assert loss == pytest.approx(np.sum((data - H @ W) ** 2), rel=1e-9)
    np.testing.assert_array_equal(seen[-1][1], result.H)


def test_callback_gets_copies_it_may_keep(data):
    frames = []
    result = nmf_core.nmf(
        data, 3, max_iter=5, tol=0, callback=lambda i, H, W, loss: frames.append(H)
    )
    assert not np.array_equal(frames[0], frames[-1])
    np.testing.assert_array_equal(frames[-1], result.H)
    frames[-1][:] = -1.0
    assert result.H.min() >= 0


@pytest.mark.parametrize("solver", nmf_core.SOLVERS)
def test_callback_returning_true_stops_early(data, solver):
    result = nmf_core.nmf(
        data, 3, solver=solver, max_iter=100, tol=0, callback=lambda i, H, W, loss: i == 4
    )
    assert result.n_iter == 4 and not result.converged
    assert len(result.losses) == 5


@pytest.mark.parametrize("solver", nmf_core.SOLVERS)
def test_tol_zero_runs_exactly_max_iter(solver):
    X, _, _ = planted_nmf(12, 9, 2, seed=0)  # converges fast, so only tol=0 keeps it going
    result = nmf_core.nmf(X, 2, solver=solver, max_iter=37, tol=0)
    assert result.n_iter == 37 and not result.converged


def test_max_iter_zero_returns_the_start(data):
    H0, W0 = nmf_core.initialize(data, 3, "nndsvda")
    result = nmf_core.nmf(data, 3, max_iter=0)
    np.testing.assert_array_equal(result.H, H0)
    np.testing.assert_array_equal(result.W, W0)
    assert result.n_iter == 0 and result.losses.shape == (1,)


def test_stopping_rule_is_the_relative_decrease_of_the_objective(data):
    result = nmf_core.nmf(data, 3, tol=1e-3, max_iter=500, l1_H=0.1)
    assert result.converged and result.n_iter < 500
    objectives = result.objectives
    decreases = np.abs(np.diff(objectives)) / objectives[:-1]
    assert decreases[-1] <= 1e-3
    assert np.all(decreases[:-1] > 1e-3)


def test_objectives_add_the_penalties(data):
    weights = {"l1_H": 0.3, "l1_W": 0.2, "l2_H": 0.5, "l2_W": 0.1}
    seen = []
    result = nmf_core.nmf(
        data, 3, max_iter=5, tol=0, **weights, callback=lambda i, H, W, loss: seen.append((H, W))
    )
    for (H, W), loss, objective in zip(seen, result.losses[1:], result.objectives[1:], strict=True):
        expected = loss + 0.3 * H.sum() + 0.2 * W.sum() + 0.5 * np.sum(H**2) + 0.1 * np.sum(W**2)
        assert objective == pytest.approx(expected, rel=1e-12)
    plain = nmf_core.nmf(data, 3, max_iter=5, tol=0)
    np.testing.assert_array_equal(plain.losses, plain.objectives)


def test_penalties_shrink_the_factors(data):
    plain = nmf_core.nmf(data, 4, max_iter=100, tol=0)
    sparse = nmf_core.nmf(data, 4, max_iter=100, tol=0, l1_H=5.0, l1_W=5.0)
    small = nmf_core.nmf(data, 4, max_iter=100, tol=0, l2_H=5.0, l2_W=5.0)
    assert np.count_nonzero(sparse.H) + np.count_nonzero(sparse.W) < (
        np.count_nonzero(plain.H) + np.count_nonzero(plain.W)
    )
    assert np.sum(small.H**2) + np.sum(small.W**2) < np.sum(plain.H**2) + np.sum(plain.W**2)


def test_huge_l1_penalty_gives_zero_factors_not_nan(data):
    result = nmf_core.nmf(data, 3, max_iter=20, l1_H=1e6, l1_W=1e6)
    assert np.all(result.H == 0) or np.all(result.W == 0)
    assert np.all(np.isfinite(result.objectives))


def test_times_are_cumulative_and_exclude_the_callback(data):
    import time

    result = nmf_core.nmf(
        data, 3, max_iter=5, tol=0, callback=lambda i, H, W, loss: time.sleep(0.02)
    )
    assert result.times[0] == 0.0
    assert np.all(np.diff(result.times) > 0)
    assert result.times[-1] < 0.05


def test_custom_start_is_copied_not_modified(data):
    H0, W0 = nmf_core.initialize(data, 3, "random", seed=0)
    H_copy, W_copy = H0.copy(), W0.copy()
    for solver in nmf_core.SOLVERS:
        result = nmf_core.nmf(data, 3, solver=solver, init=(H0, W0), max_iter=5)
        np.testing.assert_array_equal(H0, H_copy)
        np.testing.assert_array_equal(W0, W_copy)
        assert result.init == "custom"
        assert not np.shares_memory(result.H, H0)


def test_custom_start_of_another_dtype_is_cast_to_the_data_dtype(data):
    H0, W0 = nmf_core.initialize(data, 3, "random", seed=0)
    result = nmf_core.nmf(data.astype(np.float32), 3, init=(H0, W0), max_iter=3)
    assert result.H.dtype == np.float32 and result.W.dtype == np.float32


def test_same_seed_same_result_and_other_seed_other_result(data):
    a = nmf_core.nmf(data, 3, init="random", seed=5, max_iter=20)
    b = nmf_core.nmf(data, 3, init="random", seed=5, max_iter=20)
    c = nmf_core.nmf(data, 3, init="random", seed=6, max_iter=20)
    np.testing.assert_array_equal(a.H, b.H)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.allclose(a.H, c.H)


def test_result_helpers(data):
    result = nmf_core.nmf(data, 3, max_iter=30)
    np.testing.assert_allclose(result.reconstruction(), result.H @ result.W)
    expected = np.linalg.norm(data - result.H @ result.W) / np.linalg.norm(data)
    assert result.relative_error == pytest.approx(expected, rel=1e-9)
    assert result.relative_errors[-1] == pytest.approx(expected, rel=1e-9)
    assert result.relative_errors[0] == pytest.approx(
        np.sqrt(result.losses[0]) / np.linalg.norm(data)
    )
    assert result.rank == 3 and result.solver == "hals" and result.init == "nndsvda"


def test_kl_result_reports_kl_losses_and_frobenius_relative_error(data):
    result = nmf_core.nmf(data, 3, solver="mu", loss="kl", max_iter=40)
    assert result.losses[-1] == pytest.approx(
        nmf_core.kl_divergence(data, result.H, result.W), rel=1e-9
    )
    expected = np.linalg.norm(data - result.H @ result.W) / np.linalg.norm(data)
    assert result.relative_error == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ValueError, match="frobenius"):
        _ = result.relative_errors


@pytest.mark.parametrize("solver", ["hals", "mu", "anls", "als"])
def test_sparse_input_gives_the_same_factors_as_dense(solver):
    rng = np.random.default_rng(3)
    X = rng.random((40, 25)) * (rng.random((40, 25)) < 0.3)
    dense = nmf_core.nmf(X, 4, solver=solver, max_iter=40, tol=0)
    for fmt in ("csr", "csc", "coo"):
        sparse = nmf_core.nmf(sp.csr_matrix(X).asformat(fmt), 4, solver=solver, max_iter=40, tol=0)
        np.testing.assert_allclose(sparse.H, dense.H, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sparse.W, dense.W, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sparse.losses, dense.losses, rtol=1e-9)


def test_sparse_input_with_kl_and_float32():
    rng = np.random.default_rng(4)
    X = rng.random((20, 15)) * (rng.random((20, 15)) < 0.4)
    dense = nmf_core.nmf(X, 3, solver="mu", loss="kl", max_iter=20, tol=0)
    sparse = nmf_core.nmf(sp.csr_matrix(X), 3, solver="mu", loss="kl", max_iter=20, tol=0)
    np.testing.assert_allclose(sparse.W, dense.W, rtol=1e-9)
    single = nmf_core.nmf(sp.csr_matrix(X, dtype=np.float32), 3, max_iter=20)
    assert single.W.dtype == np.float32


def _planted_unique(n, k, r, seed):
    """Exactly rank-r X = H W whose NMF is unique up to scale and order.

    Both factors contain an identity block (the data is separable both ways) and many zeros,
    which makes the factorisation essentially unique, so the solvers converge linearly to it.
    """
    rng = np.random.default_rng(seed)
    H = rng.random((n, r)) * (rng.random((n, r)) < 0.6)
    H[:r] = np.eye(r)
    W = rng.random((r, k)) * (rng.random((r, k)) < 0.6)
    W[:, :r] = np.eye(r)
    return H @ W, H, W


@pytest.mark.parametrize(
    ("solver", "init"),
    [("hals", "nndsvda"), ("hals", "nndsvd"), ("hals", "random"), ("anls", "nndsvda")],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_planted_exact_rank_is_recovered(solver, init, seed):
    X, _, W = _planted_unique(40, 30, 3, seed)
    result = nmf_core.nmf(X, 3, solver=solver, init=init, seed=seed, max_iter=300, tol=0)
    assert result.relative_error < 1e-6
    assert np.linalg.norm(X - result.H @ result.W) / np.linalg.norm(X) < 1e-6
    # The planted basis rows come back, up to scale and order (cosine ≈ 1).
    unit = lambda M: M / np.linalg.norm(M, axis=1, keepdims=True)  # noqa: E731
    assert np.all((unit(W) @ unit(result.W).T).max(axis=1) > 1 - 1e-9)


def test_mu_approaches_the_planted_factorisation():
    # MU converges sublinearly (entries that should be 0 only shrink geometrically), so it is
    # only asked to get close, not to machine precision.
    X, _, _ = _planted_unique(40, 30, 3, 0)
    result = nmf_core.nmf(X, 3, solver="mu", max_iter=2000, tol=0)
    assert result.relative_error < 1e-3


def test_als_can_increase_the_objective():
    # The classroom counterexample: clipping a least-squares solution is not a projection
    # onto the best nonnegative one, so ALS is not monotone (found by searching seeds).
    X = np.random.default_rng(0).random((30, 20))
    increases = 0
    for seed in range(10):
        result = nmf_core.nmf(X, 6, solver="als", init="random", seed=seed, max_iter=30, tol=0)
        increases += int(np.any(np.diff(result.objectives) > 1e-9 * result.objectives[0]))
    assert increases > 0


def test_float32_runs_in_float32_and_agrees_with_float64(data):
    single = nmf_core.nmf(data.astype(np.float32), 3, max_iter=50, tol=0)
    double = nmf_core.nmf(data, 3, max_iter=50, tol=0)
    assert single.H.dtype == np.float32
    assert single.relative_error == pytest.approx(double.relative_error, rel=1e-3)


@pytest.mark.parametrize("penalties", [{}, {"l1_H": 0.2, "l2_W": 0.3}])
def test_extrapolated_hals_is_monotone_and_needs_fewer_iterations(penalties):
    from nmf_core.solvers import _Tuning

    X = load_faces()[:60, ::3]
    result = nmf_core.nmf(X, 8, max_iter=300, tol=0, **penalties)
    steps = np.diff(result.objectives)
    assert np.all(steps <= 1e-13 * result.objectives[0])
    target = result.objectives[150]
    plain = nmf_core.nmf(X, 8, max_iter=300, tol=0, **penalties, _tuning=_Tuning(extrapolate=False))
    assert np.all(np.diff(plain.objectives) <= 1e-13 * plain.objectives[0])
    # Plain HALS needs clearly more than 150 iterations to get where extrapolation is at 150.
    assert plain.objectives[200] > target


# Regression cases hypothesis found: a singular Gram matrix (rank above min(n, k), or a factor
# wiped out by L1) in ANLS, and an L2 penalty with the KL loss.
@pytest.mark.parametrize(
    ("X", "rank", "settings"),
    [
        (np.array([[0.00063696]]), 2, {"solver": "anls", "l1_H": 0.1, "l1_W": 0.2}),
        (np.array([[0.26161215]], dtype=np.float32), 2, {"solver": "anls"}),
        (
            np.array([[0.51182162], [0.0], [0.0]]),
            3,
            {"solver": "mu", "loss": "kl", "l2_H": 0.3, "l2_W": 0.1},
        ),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2, 6])
def test_degenerate_problems_stay_finite_and_monotone(X, rank, settings, seed):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = nmf_core.nmf(X, rank, init="random", seed=seed, max_iter=25, tol=0, **settings)
    assert np.all(np.isfinite(result.objectives))
    eps = np.finfo(result.H.dtype).eps
    assert np.all(np.diff(result.objectives) <= 300 * eps * (result.objectives[0] + 1.0))


def test_nnls_gram_with_a_zero_gram_and_negative_rhs_returns_zeros():
    Z = nmf_core.nnls_gram(np.zeros((2, 2)), np.array([[-1.0, 0.0], [0.0, -2.0]]))
    np.testing.assert_array_equal(Z, np.zeros((2, 2)))


# ------------------------------------------------------- BLAS threads and the transposed copy ----


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_serial_blas_holds_one_thread_inside_and_restores_the_count_after_nesting():
    from threadpoolctl import threadpool_limits

    from nmf_core._blas import _SerialBLAS

    serial = _SerialBLAS()
    assert serial.available
    # Start from 2 threads even on a 1-core runner, so "restored" is distinguishable from 1.
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        assert before and all(count == 2 for count in before)
        with serial:
            assert all(count == 1 for count in _blas_threads())
            with serial:  # re-entrant: the inner exit must not restore yet
                pass
            assert all(count == 1 for count in _blas_threads())
        assert _blas_threads() == before


def test_serial_blas_restores_the_count_after_an_exception():
    from threadpoolctl import threadpool_limits

    from nmf_core._blas import _SerialBLAS

    serial = _SerialBLAS()
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with pytest.raises(RuntimeError), serial:
            raise RuntimeError("boom")
        assert _blas_threads() == before


def test_single_blas_thread_limits_only_when_wanted_and_restores():
    from threadpoolctl import threadpool_limits

    from nmf_core._blas import single_blas_thread

    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with single_blas_thread() as limited:
            assert limited and all(count == 1 for count in _blas_threads())
            with single_blas_thread() as nested:  # the same limiter nmf() uses: re-entrant
                assert nested
            assert all(count == 1 for count in _blas_threads())
        assert _blas_threads() == before
        with single_blas_thread(False) as limited:
            assert not limited and _blas_threads() == before


@pytest.mark.parametrize("solver", ["hals", "mu"])
def test_a_small_run_holds_blas_to_one_thread_throughout_and_restores_it(solver):
    from threadpoolctl import threadpool_limits

    X = np.random.default_rng(6).random((40, 25))
    seen = []
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        nmf_core.nmf(
            X,
            3,
            solver=solver,
            max_iter=3,
            tol=0,
            callback=lambda *args: seen.append(_blas_threads()),
        )
        assert _blas_threads() == before
        # The callback runs inside the run, so it sees the one-thread setting.
        assert seen and all(all(count == 1 for count in counts) for counts in seen)

        def fail(*args):
            raise RuntimeError("stop here")

        with pytest.raises(RuntimeError, match="stop here"):
            nmf_core.nmf(X, 3, solver=solver, max_iter=3, tol=0, callback=fail)
        assert _blas_threads() == before


def test_a_large_dense_run_leaves_blas_threads_alone_between_passes():
    from threadpoolctl import threadpool_limits

    from nmf_core._blas import products_are_serial

    n, k, r = 400, 300, 50  # 2·n·k·r above the one-thread limit for products
    assert not products_are_serial(False, n, k, r)
    X = np.random.default_rng(7).random((n, k))
    seen = []
    with threadpool_limits(limits=2, user_api="blas"):
        nmf_core.nmf(X, r, max_iter=2, tol=0, callback=lambda *args: seen.append(_blas_threads()))
    assert seen and all(all(count == 2 for count in counts) for counts in seen)


@pytest.mark.parametrize("solver", nmf_core.SOLVERS)
def test_the_transposed_copy_of_a_small_dense_x_changes_only_rounding(solver):
    from nmf_core.solvers import _Tuning
    from nmf_core.solvers._frobenius import DataProducts

    X = np.random.default_rng(5).random((40, 25))
    copied, viewed = _Tuning(copy_transpose_up_to=X.size), _Tuning(copy_transpose_up_to=X.size - 1)
    # The two settings really take different paths: a C-ordered copy of Xᵀ, or a view of it.
    assert DataProducts(X, copied.copy_transpose_up_to).XT.flags["C_CONTIGUOUS"]
    assert not DataProducts(X, viewed.copy_transpose_up_to).XT.flags["C_CONTIGUOUS"]
    with_copy = nmf_core.nmf(X, 4, solver=solver, max_iter=30, tol=0, _tuning=copied)
    with_view = nmf_core.nmf(X, 4, solver=solver, max_iter=30, tol=0, _tuning=viewed)
    np.testing.assert_allclose(with_view.H, with_copy.H, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(with_view.W, with_copy.W, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(with_view.losses, with_copy.losses, rtol=1e-9)
    # By default an X this small is copied.
    default = nmf_core.nmf(X, 4, solver=solver, max_iter=30, tol=0)
    np.testing.assert_array_equal(default.H, with_copy.H)


def test_hals_sweep_budget_counts_a_factor_that_fits_a_1mb_cache_as_in_cache():
    from nmf_core.solvers.hals import SPARSE_FLOP_COST, inner_sweep_budget

    # The 5000×2000 benchmark matrix at r = 20: Hᵀ is 800 kB. Its sparse products
    # (2·r·8·nnz flops) are worth a second sweep over Hᵀ (see benchmarks/README.md).
    nonzeros, n, k, r = 197_479, 5000, 2000, 20
    product = 2.0 * r * SPARSE_FLOP_COST * nonzeros
    assert inner_sweep_budget(product + 2.0 * k * r * r, n, r) >= 2
    # A factor twice the cache size is costed out of cache: fewer sweeps for the same products.
    assert inner_sweep_budget(product, 2 * n, r) < inner_sweep_budget(product, n, r)
    # A larger alpha buys more sweeps for the same products.
    assert inner_sweep_budget(product, n, r, alpha=5.0) > inner_sweep_budget(product, n, r)


# ----------------------------------------------------------- the private tuning of nmf() ----


def test_tuning_defaults_are_the_library_defaults():
    from nmf_core.solvers import _Tuning

    X = load_faces()[:40, ::4]
    default = nmf_core.nmf(X, 5, max_iter=40, tol=0)
    tuned = nmf_core.nmf(X, 5, max_iter=40, tol=0, _tuning=_Tuning())
    np.testing.assert_array_equal(default.H, tuned.H)
    np.testing.assert_array_equal(default.objectives, tuned.objectives)


@pytest.mark.parametrize(
    "tuning",
    [{"alpha": 20.0}, {"extrapolate": False}, {"inner_sweeps": 3}, {"inner_sweeps": 6}],
)
def test_each_hals_tuning_option_changes_the_run_and_keeps_it_monotone(tuning):
    from nmf_core.solvers import _Tuning

    X = load_faces()[:40, ::4]  # small: by default one inner sweep per half step
    default = nmf_core.nmf(X, 5, max_iter=60, tol=0)
    tuned = nmf_core.nmf(X, 5, max_iter=60, tol=0, _tuning=_Tuning(**tuning))
    assert not np.array_equal(default.objectives, tuned.objectives)
    assert np.all(np.diff(tuned.objectives) <= 1e-13 * tuned.objectives[0])


def test_hals_tuning_leaves_the_other_solvers_alone():
    from nmf_core.solvers import _Tuning

    X = np.random.default_rng(8).random((30, 20))
    tuning = _Tuning(alpha=20.0, extrapolate=False, inner_sweeps=3)
    for solver in ("mu", "anls", "als"):
        plain = nmf_core.nmf(X, 3, solver=solver, max_iter=10, tol=0)
        tuned = nmf_core.nmf(X, 3, solver=solver, max_iter=10, tol=0, _tuning=tuning)
        np.testing.assert_array_equal(plain.H, tuned.H)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"alpha": -1.0}, "alpha"),
        ({"alpha": float("nan")}, "alpha"),
        ({"inner_sweeps": 0}, "inner_sweeps"),
        ({"inner_sweeps": 1.5}, "inner_sweeps"),
        ({"copy_transpose_up_to": None}, "copy_transpose_up_to"),
    ],
)
def test_bad_tuning_is_refused(settings, message):
    from nmf_core.solvers import _Tuning

    with pytest.raises(ValueError, match=message):
        _Tuning(**settings)


def test_tuning_must_be_a_tuning():
    with pytest.raises(TypeError, match="_tuning"):
        nmf_core.nmf(np.ones((3, 3)), 1, _tuning={"alpha": 1.0})


# ------------------------------------------------------------------------------ NMFResult ----


def test_nmf_result_is_built_from_its_public_fields_only():
    import dataclasses

    names = [item.name for item in dataclasses.fields(nmf_core.NMFResult) if item.init]
    assert names == [
        "H",
        "W",
        "losses",
        "objectives",
        "times",
        "n_iter",
        "converged",
        "solver",
        "init",
        "loss",
    ]
    H, W = np.ones((3, 2)), np.ones((2, 4))
    result = nmf_core.NMFResult(
        H, W, np.zeros(1), np.zeros(1), np.zeros(1), 0, False, "hals", "custom", "frobenius"
    )
    assert result.rank == 2 and result.reconstruction().shape == (3, 4)
    # A hand-made result does not know X: no relative error to report.
    assert np.isnan(result.relative_error)
    with pytest.raises(TypeError):
        nmf_core.NMFResult(
            H, W, np.zeros(1), np.zeros(1), np.zeros(1), 0, False, "hals", "custom", "frobenius",
            _norm_X=1.0,
        )  # fmt: skip
