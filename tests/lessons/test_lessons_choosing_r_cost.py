"""Cost measurement and fits. No assertions on how fast real runs are: speed claims belong to
the benchmark; here only the bookkeeping and the fits (on synthetic timings) are checked."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmf_lab.lessons.choosing_r.cost import (
    CostSweep,
    Timing,
    all_on_one_thread,
    cost_sweep,
    extrapolate,
    fit_power_law,
    fit_sweeps,
    fit_work,
    single_blas_thread,
    sweep_shape,
    time_nmf,
)


def test_fit_work_recovers_overhead_and_rate_from_exact_timings():
    work = np.array([1e5, 4e5, 1e6, 3e6, 8e6])
    seconds = 2e-5 + 3e-10 * work
    fit = fit_work(work, seconds)
    assert fit.overhead == pytest.approx(2e-5, rel=1e-6)
    assert fit.per_unit == pytest.approx(3e-10, rel=1e-6)
    assert fit.r_squared == pytest.approx(1.0)
    np.testing.assert_allclose(fit.predict(work), seconds, rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(overhead=st.floats(0, 1e-3), rate=st.floats(1e-12, 1e-8), seed=st.integers(0, 10**6))
def test_fit_work_is_close_under_small_multiplicative_noise(overhead, rate, seed):
    rng = np.random.default_rng(seed)
    work = np.geomspace(1e4, 1e7, 12)
    seconds = (overhead + rate * work) * np.exp(0.02 * rng.standard_normal(work.size))
    fit = fit_work(work, seconds)
    assert fit.overhead >= 0 and fit.per_unit >= 0
    # The large sizes pin the rate down.
    assert fit.per_unit == pytest.approx(rate, rel=0.15, abs=2e-3 / 1e7)
    if rate * work.max() > 10 * overhead:
        # When the growing part dominates, the line explains the timings.
        assert fit.r_squared > 0.9


def test_fit_work_keeps_both_terms_nonnegative():
    # Decreasing timings would give a negative slope; the fit clamps it to 0 instead, and the
    # overhead is the constant with the smallest relative residuals.
    seconds = np.array([3.0, 2.0, 1.0])
    fit = fit_work([1.0, 2.0, 3.0], seconds)
    assert fit.per_unit == 0.0
    best_constant = np.sum(1 / seconds) / np.sum(1 / seconds**2)
    assert fit.overhead == pytest.approx(best_constant)


def test_fit_work_weighs_small_timings_as_much_as_large_ones():
    # Pure overhead at the small sizes, pure growth at the large ones: a relative fit keeps
    # the overhead that the small runs show, instead of letting the big runs set it to ~0.
    work = np.array([1e3, 1e4, 1e5, 1e6, 1e7])
    seconds = 1e-5 + 1e-10 * work
    seconds[-1] *= 1.2  # one noisy large run
    fit = fit_work(work, seconds)
    assert fit.overhead == pytest.approx(1e-5, rel=0.2)


def test_fit_power_law_recovers_exponents():
    sizes = np.array([100, 200, 400, 800, 1600])
    for exponent in (0.5, 1.0, 2.0, 3.0):
        fit = fit_power_law(sizes, 1e-6 * sizes**exponent)
        assert fit.exponent == pytest.approx(exponent)
        assert fit.scale == pytest.approx(1e-6)
        assert fit.r_squared == pytest.approx(1.0)
    # Overhead flattens the curve: the exponent of overhead + linear is below 1.
    flattened = fit_power_law(sizes, 1e-3 + 1e-6 * sizes)
    assert 0 < flattened.exponent < 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fit_work([1.0], [1.0]), "at least 2"),
        (lambda: fit_work([1.0, 2.0], [1.0, np.nan]), "finite"),
        (lambda: fit_work([1.0, -2.0], [1.0, 1.0]), "nonnegative"),
        (lambda: fit_work([1.0, 2.0], [1.0, 0.0]), "positive"),
        (lambda: fit_power_law([1.0, 2.0], [0.0, 1.0]), "positive"),
        (lambda: fit_power_law([3.0, 3.0], [1.0, 2.0]), "two different sizes"),
        (lambda: time_nmf(10, 10, 2, solver="magic"), "Unknown solver"),
        (lambda: time_nmf(10, 10, 2, repeats=0), "repeats"),
        (lambda: sweep_shape("z", 3, (1, 2, 3)), "dimension"),
        (lambda: cost_sweep("n", []), "at least one"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_sweep_shape_replaces_one_dimension():
    assert sweep_shape("n", 50, (1, 2, 3)) == (50, 2, 3)
    assert sweep_shape("k", 50, (1, 2, 3)) == (1, 50, 3)
    assert sweep_shape("r", 50, (1, 2, 3)) == (1, 2, 50)


def test_time_nmf_reports_positive_times_and_the_shape():
    timing = time_nmf(40, 12, 3, iterations=3, repeats=2, converge=True, max_iter=50)
    assert (timing.n, timing.k, timing.r, timing.work) == (40, 12, 3, 40 * 12 * 3)
    assert timing.seconds_per_iteration > 0
    assert timing.seconds_to_converge > 0
    assert 1 <= timing.iterations_to_converge <= 50


def test_time_nmf_without_convergence_leaves_nan():
    timing = time_nmf(20, 8, 2, iterations=2, repeats=1, solver="hals")
    assert np.isnan(timing.seconds_to_converge) and np.isnan(timing.iterations_to_converge)


def test_cost_sweep_varies_one_dimension_and_reports_progress():
    fractions = []
    sweep = cost_sweep(
        "r", [2, 4], base=(30, 10, 99), iterations=2, repeats=1, progress=fractions.append
    )
    assert fractions == [0.5, 1.0]
    assert [(t.n, t.k, t.r) for t in sweep.timings] == [(30, 10, 2), (30, 10, 4)]
    np.testing.assert_array_equal(sweep.work, [600.0, 1200.0])
    assert sweep.seconds_per_iteration.shape == (2,)


def test_cost_sweep_arrays_come_from_the_timings():
    timings = (Timing(10, 10, 2, 0.5, 2.0, 40.0), Timing(20, 10, 2, 1.0, 3.0, 30.0))
    sweep = CostSweep("n", np.array([10, 20]), (10, 10, 2), timings)
    np.testing.assert_array_equal(sweep.seconds_per_iteration, [0.5, 1.0])
    np.testing.assert_array_equal(sweep.seconds_to_converge, [2.0, 3.0])
    np.testing.assert_array_equal(sweep.iterations_to_converge, [40.0, 30.0])


def test_single_blas_thread_limits_and_restores():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [
            pool["num_threads"]
            for pool in threadpoolctl.threadpool_info()
            if pool["user_api"] == "blas"
        ]

    before = blas_threads()
    with single_blas_thread() as limited:
        assert limited
        assert all(count == 1 for count in blas_threads())
    assert blas_threads() == before
    with single_blas_thread(False) as limited:
        assert not limited


def test_fit_sweeps_fits_every_measurement_of_every_sweep():
    base = (100, 50, 5)
    sweeps = []
    for dimension, values in (("n", (100, 200, 400)), ("k", (50, 100)), ("r", (5, 10, 20))):
        timings = []
        for value in values:
            shape = dict(zip("nkr", base, strict=True))
            shape[dimension] = value
            work = shape["n"] * shape["k"] * shape["r"]
            timings.append(Timing(shape["n"], shape["k"], shape["r"], 1e-5 + 2e-9 * work))
        sweeps.append(CostSweep(dimension, np.asarray(values), base, tuple(timings)))
    fit = fit_sweeps(sweeps)
    work = np.concatenate([sweep.work for sweep in sweeps])
    direct = fit_work(work, np.concatenate([sweep.seconds_per_iteration for sweep in sweeps]))
    assert fit == direct
    assert fit.overhead == pytest.approx(1e-5, rel=1e-6)
    assert fit.per_unit == pytest.approx(2e-9, rel=1e-6)


def test_extrapolate_multiplies_the_fitted_rate_and_sizes_the_data():
    fit = fit_work([1e5, 2e5, 4e5], [0.0011, 0.0021, 0.0041])
    cost = extrapolate(fit, 100_000, 1_000, 50, 500)
    assert cost.seconds_per_iteration == pytest.approx(float(fit.predict(100_000 * 1_000 * 50)))
    assert cost.total_seconds == pytest.approx(500 * cost.seconds_per_iteration)
    assert cost.data_gigabytes == pytest.approx(0.8)  # 10⁸ float64 entries


def test_all_on_one_thread_needs_every_timing_limited():
    limited = Timing(10, 10, 2, 1e-4, single_thread=True)
    free = Timing(20, 10, 2, 2e-4, single_thread=False)
    one = CostSweep("n", np.array([10]), (10, 10, 2), (limited,))
    mixed = CostSweep("n", np.array([10, 20]), (10, 10, 2), (limited, free))
    assert all_on_one_thread([one, one])
    assert not all_on_one_thread([one, mixed])


@pytest.mark.parametrize("r_squared", [0.089, 0.5, 0.79])
def test_a_poor_fit_gives_a_warning_and_no_precise_figure(r_squared):
    from nmf_lab.lessons.choosing_r.cost import (
        RELIABLE_R_SQUARED,
        WorkFit,
        extrapolation_sentence,
    )

    fit = WorkFit(1e-4, 1e-8, r_squared)
    cost = extrapolate(fit, 100_000, 1_000, 50, 500)
    text, reliable = extrapolation_sentence(fit, cost, 100_000, 1_000, 50, 500)
    assert r_squared < RELIABLE_R_SQUARED and not reliable
    assert "unreliable" in text and f"R² = {r_squared:.3f}" in text
    assert f"{cost.total_seconds / 60:.3g} min" not in text  # no precise minutes
    power = int(np.floor(np.log10(cost.total_seconds)))
    assert f"between {10.0**power:,.3g} s and {10.0 ** (power + 1):,.3g} s" in text
    assert 10**power <= cost.total_seconds < 10 ** (power + 1)


def test_a_good_fit_states_the_precise_figures_with_its_r_squared():
    from nmf_lab.lessons.choosing_r.cost import WorkFit, extrapolation_sentence

    fit = WorkFit(1e-4, 1e-8, 0.95)
    cost = extrapolate(fit, 100_000, 1_000, 50, 500)
    text, reliable = extrapolation_sentence(fit, cost, 100_000, 1_000, 50, 500)
    assert reliable and "unreliable" not in text and "R² = 0.950" in text
    assert f"**{cost.total_seconds:.3g} s" in text
