"""What NMF costs: wall-clock time per iteration and to convergence against ``n``, ``k`` and ``r``.

One iteration of the Frobenius solvers is dominated by the products ``X Wᵀ`` (n×k by k×r) and
``Hᵀ X`` (r×n by n×k), about ``2·n·k·r`` multiply-adds each, so the time per iteration should
grow like ``n·k·r`` once the matrices are large enough; for small ones a fixed overhead (Python,
memory allocation) dominates. :func:`fit_work` fits ``seconds ≈ overhead + per_unit·n·k·r`` by
least squares so the growth can be read off as a number.

Timings use ``time.perf_counter`` (the clock :func:`nmf_core.nmf` uses for its ``times``), are
repeated, and are summarised by medians, which resist the odd slow run. They depend on the
machine and on what else it is doing: measure, don't hard-code. By default the BLAS library
is held to one thread while timing (when ``threadpoolctl`` is installed): on a busy 2-core
machine a multi-threaded matrix product can stall for tens of milliseconds waiting for a core,
which hides the growth law under noise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import nnls

from nmf_core import check_random_state, check_rank, single_blas_thread
from nmf_core.solvers import SOLVERS, nmf

__all__ = [
    "DIMENSIONS",
    "RELIABLE_R_SQUARED",
    "CostSweep",
    "Extrapolation",
    "PowerFit",
    "Timing",
    "WorkFit",
    "all_on_one_thread",
    "cost_sweep",
    "extrapolate",
    "extrapolation_sentence",
    "fit_power_law",
    "fit_sweeps",
    "fit_work",
    "single_blas_thread",
    "sweep_shape",
    "time_nmf",
]

DIMENSIONS = ("n", "k", "r")


@dataclass(frozen=True)
class Timing:
    """Median timings of :func:`nmf_core.nmf` on one random ``n × k`` matrix at rank ``r``.

    Attributes
    ----------
    n, k, r : int
    seconds_per_iteration : float
        Median over iterations and repeats of the wall-clock time of one iteration.
    seconds_to_converge : float
        Median wall-clock time of a whole run until the stopping rule fires (NaN if not
        measured).
    iterations_to_converge : float
        Median number of iterations of those runs (NaN if not measured).
    """

    n: int
    k: int
    r: int
    seconds_per_iteration: float
    seconds_to_converge: float = float("nan")
    iterations_to_converge: float = float("nan")
    single_thread: bool = False

    @property
    def work(self) -> int:
        """``n·k·r``, the size of the products in one iteration."""
        return self.n * self.k * self.r


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def time_nmf(
    n: int,
    k: int,
    r: int,
    *,
    solver: str = "mu",
    iterations: int = 10,
    repeats: int = 3,
    converge: bool = False,
    tol: float = 1e-4,
    max_iter: int = 1000,
    seed: Any = 0,
    single_thread: bool = True,
) -> Timing:
    """Time :func:`nmf_core.nmf` on a random uniform ``n × k`` matrix at rank ``r``.

    Parameters
    ----------
    n, k, r : int
        Matrix shape and rank.
    solver : {"mu", "hals", "anls", "als"}
    iterations : int
        Iterations per timed run for the per-iteration time (run with ``tol=0``).
    repeats : int
        Independent runs (different random starts); the medians are over these.
    converge : bool
        Also time whole runs until ``|Δobjective| ≤ tol·objective`` (or ``max_iter``).
    tol, max_iter
        Stopping rule of the runs to convergence.
    seed : None, int or numpy.random.Generator
        Draws the matrix and the random starts.
    single_thread : bool
        Hold BLAS to one thread while timing (needs ``threadpoolctl``; see the module notes).
        :attr:`Timing.single_thread` says whether the limit was in force.

    Returns
    -------
    Timing

    Examples
    --------
    >>> timing = time_nmf(50, 20, 3, iterations=3, repeats=2)
    >>> timing.work, bool(timing.seconds_per_iteration > 0)
    (3000, True)
    """
    n, k, r = check_rank(n), check_rank(k), check_rank(r)
    if solver not in SOLVERS:
        raise ValueError(f"Unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}.")
    iterations = _check_count("iterations", iterations)
    repeats = _check_count("repeats", repeats)
    rng = check_random_state(seed)
    X = rng.random((n, k))
    run_seeds = rng.integers(0, 2**31 - 1, size=repeats)
    with single_blas_thread(single_thread) as limited:
        # A first call pays one-off costs (imports, BLAS thread start-up) that are not NMF's.
        nmf(X[: min(n, 8), : min(k, 8)], 1, solver=solver, init="random", seed=0, max_iter=2, tol=0)
        per_iteration = []
        for run_seed in run_seeds:
            result = nmf(
                X, r, solver=solver, init="random", seed=int(run_seed), max_iter=iterations, tol=0
            )
            per_iteration.append(float(np.median(np.diff(result.times))))
        to_converge = iterations_needed = float("nan")
        if converge:
            seconds, counts = [], []
            for run_seed in run_seeds:
                start = time.perf_counter()
                result = nmf(
                    X,
                    r,
                    solver=solver,
                    init="random",
                    seed=int(run_seed),
                    max_iter=max_iter,
                    tol=tol,
                )
                seconds.append(time.perf_counter() - start)
                counts.append(result.n_iter)
            to_converge, iterations_needed = float(np.median(seconds)), float(np.median(counts))
    return Timing(
        n=n,
        k=k,
        r=r,
        seconds_per_iteration=float(np.median(per_iteration)),
        seconds_to_converge=to_converge,
        iterations_to_converge=iterations_needed,
        single_thread=limited,
    )


@dataclass(frozen=True)
class CostSweep:
    """Timings along one dimension with the other two held at ``base``.

    Attributes
    ----------
    dimension : {"n", "k", "r"}
    values : ndarray of int, shape (m,)
    base : tuple of int
        ``(n, k, r)`` for the dimensions that were not varied.
    timings : tuple of Timing
    """

    dimension: str
    values: np.ndarray
    base: tuple[int, int, int]
    timings: tuple[Timing, ...]

    @property
    def work(self) -> np.ndarray:
        """``n·k·r`` of each measurement, shape (m,)."""
        return np.array([timing.work for timing in self.timings], dtype=np.float64)

    @property
    def seconds_per_iteration(self) -> np.ndarray:
        """Shape (m,)."""
        return np.array([timing.seconds_per_iteration for timing in self.timings])

    @property
    def seconds_to_converge(self) -> np.ndarray:
        """Shape (m,); NaN where not measured."""
        return np.array([timing.seconds_to_converge for timing in self.timings])

    @property
    def iterations_to_converge(self) -> np.ndarray:
        """Shape (m,); NaN where not measured."""
        return np.array([timing.iterations_to_converge for timing in self.timings])


def sweep_shape(dimension: str, value: int, base: tuple[int, int, int]) -> tuple[int, int, int]:
    """``base`` with ``dimension`` replaced by ``value``: the ``(n, k, r)`` of one measurement."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, got {dimension!r}.")
    shape = list(base)
    shape[DIMENSIONS.index(dimension)] = check_rank(value)
    return (shape[0], shape[1], shape[2])


def cost_sweep(
    dimension: str,
    values: Sequence[int],
    *,
    base: tuple[int, int, int] = (400, 200, 10),
    progress: Callable[[float], Any] | None = None,
    **time_options,
) -> CostSweep:
    """Time NMF for each value of one dimension, the others fixed at ``base``.

    Parameters
    ----------
    dimension : {"n", "k", "r"}
    values : sequence of int
    base : tuple of int
        ``(n, k, r)``.
    progress : callable, optional
        ``progress(fraction_done)`` after each measurement.
    **time_options
        Passed to :func:`time_nmf`.

    Returns
    -------
    CostSweep
    """
    values = [check_rank(value) for value in values]
    if not values:
        raise ValueError("Need at least one value to time.")
    timings = []
    for index, value in enumerate(values):
        timings.append(time_nmf(*sweep_shape(dimension, value, base), **time_options))
        if progress is not None:
            progress((index + 1) / len(values))
    return CostSweep(
        dimension=dimension, values=np.asarray(values), base=tuple(base), timings=tuple(timings)
    )


def _r_squared(observed: np.ndarray, predicted: np.ndarray) -> float:
    spread = float(np.sum((observed - observed.mean()) ** 2))
    if spread == 0:
        return 1.0 if np.allclose(observed, predicted) else 0.0
    return 1.0 - float(np.sum((observed - predicted) ** 2)) / spread


@dataclass(frozen=True)
class WorkFit:
    """``seconds ≈ overhead + per_unit · work`` with ``work = n·k·r``.

    Attributes
    ----------
    overhead : float
        Seconds per iteration that do not grow with the size.
    per_unit : float
        Seconds per unit of ``n·k·r``.
    r_squared : float
        Share of the variance of the timings the line explains.
    """

    overhead: float
    per_unit: float
    r_squared: float

    def predict(self, work) -> np.ndarray:
        """Predicted seconds for ``work`` (array_like of ``n·k·r``)."""
        return self.overhead + self.per_unit * np.asarray(work, dtype=np.float64)


def fit_work(work, seconds) -> WorkFit:
    """Least-squares fit of ``seconds ≈ overhead + per_unit·work`` with both terms ≥ 0.

    The residuals are measured relative to each timing, ``(prediction − seconds) / seconds``,
    so a 0.05 ms run counts as much as a 5 ms one: on the log–log plots every point matters,
    and plain least squares would let the few largest sizes decide the overhead alone.

    Parameters
    ----------
    work : array_like, shape (m,)
        ``n·k·r`` of each measurement.
    seconds : array_like, shape (m,)
        Measured times, positive.

    Returns
    -------
    WorkFit
        ``r_squared`` is that of the fitted line on the seconds themselves.

    Examples
    --------
    >>> fit = fit_work([1e5, 2e5, 4e5], [0.0011, 0.0021, 0.0041])
    >>> round(fit.overhead, 6), round(fit.per_unit * 1e9, 3)
    (0.0001, 10.0)
    """
    work = np.asarray(work, dtype=np.float64)
    seconds = np.asarray(seconds, dtype=np.float64)
    if work.ndim != 1 or work.shape != seconds.shape or work.size < 2:
        raise ValueError(
            "work and seconds must be 1-D of the same length, at least 2, got "
            f"{work.shape} and {seconds.shape}."
        )
    if not (np.all(np.isfinite(work)) and np.all(np.isfinite(seconds))):
        raise ValueError("work and seconds must be finite.")
    if np.any(work < 0) or np.any(seconds <= 0):
        raise ValueError("work must be nonnegative and seconds positive.")
    # Dividing each row by its timing turns absolute residuals into relative ones; scaling the
    # work column keeps nnls away from numbers of wildly different size (1e6 against 1).
    work_scale = float(work.max()) or 1.0
    design = np.column_stack([np.ones_like(work), work / work_scale]) / seconds[:, None]
    coefficients, _ = nnls(design, np.ones_like(seconds))
    overhead = float(coefficients[0])
    per_unit = float(coefficients[1] / work_scale)
    predicted = overhead + per_unit * work
    return WorkFit(overhead=overhead, per_unit=per_unit, r_squared=_r_squared(seconds, predicted))


def all_on_one_thread(sweeps: Sequence[CostSweep]) -> bool:
    """Whether every timing of every sweep ran with BLAS held to one thread."""
    return all(timing.single_thread for sweep in sweeps for timing in sweep.timings)


def fit_sweeps(sweeps: Sequence[CostSweep]) -> WorkFit:
    """:func:`fit_work` on the time per iteration of every measurement of every sweep."""
    work = np.concatenate([sweep.work for sweep in sweeps])
    seconds = np.concatenate([sweep.seconds_per_iteration for sweep in sweeps])
    return fit_work(work, seconds)


@dataclass(frozen=True)
class Extrapolation:
    """What one run on a bigger problem would cost at a fitted rate.

    Attributes
    ----------
    seconds_per_iteration : float
    total_seconds : float
        For all the iterations.
    data_gigabytes : float
        Memory of ``X`` alone as float64 (8 bytes per entry).
    """

    seconds_per_iteration: float
    total_seconds: float
    data_gigabytes: float


def extrapolate(fit: WorkFit, n: int, k: int, rank: int, iterations: int) -> Extrapolation:
    """The fitted line at ``n·k·r``, times ``iterations``; and the size of ``X`` in GB.

    Examples
    --------
    >>> cost = extrapolate(WorkFit(1e-4, 1e-8, 1.0), 1000, 100, 10, 50)
    >>> round(cost.seconds_per_iteration, 6), round(cost.total_seconds, 4), cost.data_gigabytes
    (0.0101, 0.505, 0.0008)
    """
    per_iteration = float(fit.predict(float(n) * k * rank))
    return Extrapolation(
        seconds_per_iteration=per_iteration,
        total_seconds=per_iteration * iterations,
        data_gigabytes=8 * float(n) * k / 1e9,
    )


#: Below this R² the straight line explains too little of the measured times to extrapolate
#: a precise figure from it; the page then gives only the order of magnitude, with a warning.
RELIABLE_R_SQUARED = 0.8


def extrapolation_sentence(
    fit: WorkFit, cost: Extrapolation, n: int, k: int, rank: int, iterations: int
) -> tuple[str, bool]:
    """What the page says about the extrapolated cost, and whether the fit is reliable.

    Returns
    -------
    text : str
        Markdown. With ``fit.r_squared >= RELIABLE_R_SQUARED`` the precise figures; below it a
        warning naming R² and only the power of ten of the total.
    reliable : bool

    Examples
    --------
    >>> cost = extrapolate(WorkFit(1e-4, 1e-8, 0.2), 1000, 100, 10, 50)
    >>> text, reliable = extrapolation_sentence(WorkFit(1e-4, 1e-8, 0.2), cost, 1000, 100, 10, 50)
    >>> reliable, "unreliable" in text
    (False, True)
    """
    where = f"on a {n:,} × {k:,} matrix at r = {rank}"
    if fit.r_squared >= RELIABLE_R_SQUARED:
        return (
            f"At the fitted rate (R² = {fit.r_squared:.3f}), one iteration {where} takes "
            f"about **{cost.seconds_per_iteration:.3g} s**, and {iterations:,} iterations "
            f"about **{cost.total_seconds:.3g} s** (≈ {cost.total_seconds / 60:.3g} min)",
            True,
        )
    total = max(cost.total_seconds, 1e-12)
    power = int(np.floor(np.log10(total)))
    return (
        f"At the fitted rate the extrapolation is **unreliable here**: the straight line "
        f"explains only R² = {fit.r_squared:.3f} of the measured times (below "
        f"{RELIABLE_R_SQUARED}), so no precise figure follows from it (measure again, or pick "
        "a solver whose time grows more evenly with n·k·r). Taken at face value, "
        f"{iterations:,} iterations {where} would take between {10.0**power:,.3g} s and "
        f"{10.0 ** (power + 1):,.3g} s",
        False,
    )


@dataclass(frozen=True)
class PowerFit:
    """``seconds ≈ scale · size^exponent`` fitted on log–log axes.

    Attributes
    ----------
    exponent : float
        1 means time doubles when the size doubles; below 1, overhead still matters.
    scale : float
    r_squared : float
        Of the straight line on log–log axes.
    """

    exponent: float
    scale: float
    r_squared: float

    def predict(self, size) -> np.ndarray:
        """Predicted seconds for ``size`` (array_like)."""
        return self.scale * np.asarray(size, dtype=np.float64) ** self.exponent


def fit_power_law(sizes, seconds) -> PowerFit:
    """Least-squares straight line through ``(log size, log seconds)``.

    Parameters
    ----------
    sizes, seconds : array_like, shape (m,)
        Positive numbers, at least two distinct sizes.

    Returns
    -------
    PowerFit

    Examples
    --------
    >>> round(fit_power_law([10, 20, 40], [1.0, 4.0, 16.0]).exponent, 6)
    2.0
    """
    sizes = np.asarray(sizes, dtype=np.float64)
    seconds = np.asarray(seconds, dtype=np.float64)
    if sizes.ndim != 1 or sizes.shape != seconds.shape or sizes.size < 2:
        raise ValueError(
            "sizes and seconds must be 1-D of the same length, at least 2, got "
            f"{sizes.shape} and {seconds.shape}."
        )
    if not (
        np.all(sizes > 0)
        and np.all(seconds > 0)
        and np.all(np.isfinite(sizes))
        and np.all(np.isfinite(seconds))
    ):
        raise ValueError("sizes and seconds must be positive finite numbers for a log–log fit.")
    if np.ptp(sizes) == 0:
        raise ValueError("Need at least two different sizes to fit an exponent.")
    log_size, log_time = np.log(sizes), np.log(seconds)
    exponent, intercept = np.polyfit(log_size, log_time, 1)
    predicted = intercept + exponent * log_size
    return PowerFit(
        exponent=float(exponent),
        scale=float(np.exp(intercept)),
        r_squared=_r_squared(log_time, predicted),
    )
