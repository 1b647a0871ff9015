"""How long will this NMF take? A prior before it starts, an estimate while it runs, and caps.

The pages run NMF while a visitor waits. Three questions have to be answered without Streamlit:

- Before a run: about how many seconds will ``max_iter`` iterations of this solver at this
  size take? :func:`seconds_per_iteration` answers from a fixed cost model per solver,
  ``overhead + products·n·k·r + grams·(n + k)·r² + subproblems·(n + k)·r³`` (the last term
  is ANLS's block-pivoting NNLS solves; the others have none). The coefficients are fixed, not
  measured at run time, so a cap computed from them is the same on every run: the same
  settings always give the same picture.
- During a run: how far along is it, and how long is left? A :class:`RunClock` is planned in
  predicted seconds and told as each step finishes; it scales what is left by the speed
  measured so far, so a busy machine's estimate grows and a fast one's shrinks.
- Which settings cannot be live? :func:`iteration_cap` is the largest number of iterations
  whose predicted time fits a budget (:data:`LIVE_BUDGET_SECONDS`); a page runs that many and
  says why.

The Cost tab of *Choosing r* measures the same kind of law live on the machine. This module's
coefficients are for one BLAS thread of a 2-core laptop: ANLS's are fitted to the runs the pages
make (``python -m benchmarks.solver_cost``; ``benchmarks/README.md`` has the table and the
fit); those of MU, HALS and ALS are older, conservative figures, above what that benchmark
measures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from nmf_core import check_rank
from nmf_core.solvers import SOLVERS

__all__ = [
    "LIVE_BUDGET_SECONDS",
    "SOLVER_COSTS",
    "SVD_SECONDS_PER_UNIT",
    "IterationCap",
    "RunClock",
    "SolverCost",
    "affordable_steps",
    "describe_seconds",
    "iteration_cap",
    "seconds_per_iteration",
    "svd_seconds",
]

#: Longest a single interaction may compute (predicted, on one core) before it is capped.
LIVE_BUDGET_SECONDS = 15.0


@dataclass(frozen=True)
class SolverCost:
    """Seconds per iteration of one solver on an ``n × k`` matrix at rank ``r``.

    ``overhead + products·n·k·r + grams·(n + k)·r² + subproblems·(n + k)·r³``.

    Attributes
    ----------
    overhead : float
        Seconds per iteration that do not grow with the size (Python, allocation).
    products : float
        Seconds per unit of ``n·k·r``: the products ``X Wᵀ`` and ``Hᵀ X``.
    grams : float
        Seconds per unit of ``(n + k)·r²``: the Gram matrices and the factor updates.
    subproblems : float
        Seconds per unit of ``(n + k)·r³``: exact NNLS solves (ANLS only).
    """

    overhead: float
    products: float
    grams: float
    subproblems: float = 0.0

    def predict(self, n: int, k: int, rank: int) -> float:
        """Predicted seconds of one iteration at shape ``(n, k)`` and ``rank``."""
        sides = n + k
        return (
            self.overhead
            + self.products * n * k * rank
            + self.grams * sides * rank**2
            + self.subproblems * sides * rank**3
        )


#: The cost model of each solver, on one BLAS thread.
SOLVER_COSTS: dict[str, SolverCost] = {
    "mu": SolverCost(overhead=2e-4, products=6e-10, grams=2e-9),
    "hals": SolverCost(overhead=5e-4, products=1e-9, grams=3e-9),
    "als": SolverCost(overhead=3e-4, products=1e-9, grams=2e-9),
    "anls": SolverCost(overhead=3e-4, products=1e-9, grams=1e-8, subproblems=1.2e-10),
}


#: Seconds of a full thin SVD per unit of ``n·k·min(n, k)``, on one BLAS thread.
SVD_SECONDS_PER_UNIT = 6e-9


def svd_seconds(n: int, k: int, *, channels: int = 1) -> float:
    """Predicted seconds of the full thin SVD of ``channels`` matrices ``n × k``.

    Examples
    --------
    >>> svd_seconds(512, 512, channels=3) == 3 * svd_seconds(512, 512)
    True
    """
    n, k, channels = check_rank(n), check_rank(k), check_rank(channels)
    return channels * SVD_SECONDS_PER_UNIT * n * k * min(n, k)


def _check_solver(solver: str) -> str:
    if solver not in SOLVERS:
        raise ValueError(f"Unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}.")
    return solver


def seconds_per_iteration(solver: str, n: int, k: int, rank: int, *, channels: int = 1) -> float:
    """Predicted seconds of one iteration of ``solver`` on ``channels`` matrices ``n × k``.

    Parameters
    ----------
    solver : {"mu", "hals", "anls", "als"}
    n, k : int
        Shape of each matrix.
    rank : int
    channels : int
        How many matrices of that shape are factored one after another (3 for an RGB
        picture).

    Returns
    -------
    float
        Seconds, positive.

    Examples
    --------
    >>> seconds_per_iteration("anls", 512, 512, 64) > seconds_per_iteration("hals", 512, 512, 64)
    True
    """
    n, k, rank, channels = check_rank(n), check_rank(k), check_rank(rank), check_rank(channels)
    return channels * SOLVER_COSTS[_check_solver(solver)].predict(n, k, rank)


@dataclass(frozen=True)
class IterationCap:
    """How many of the iterations asked for fit the budget.

    Attributes
    ----------
    asked : int
        Iterations the visitor asked for.
    allowed : int
        Iterations that will run: ``asked`` if it fits, else the most that fit (at least 1).
    seconds_per_iteration : float
        The prediction the cap is based on.
    budget_seconds : float
    """

    asked: int
    allowed: int
    seconds_per_iteration: float
    budget_seconds: float

    @property
    def capped(self) -> bool:
        """Whether fewer iterations run than were asked for."""
        return self.allowed < self.asked

    @property
    def asked_seconds(self) -> float:
        """Predicted seconds of the iterations asked for."""
        return self.asked * self.seconds_per_iteration

    @property
    def allowed_seconds(self) -> float:
        """Predicted seconds of the iterations that will run."""
        return self.allowed * self.seconds_per_iteration


def iteration_cap(
    solver: str,
    n: int,
    k: int,
    rank: int,
    iterations: int,
    *,
    channels: int = 1,
    budget_seconds: float | None = None,
) -> IterationCap:
    """The most iterations (at most ``iterations``) whose predicted time fits the budget.

    Parameters
    ----------
    solver, n, k, rank, channels
        As in :func:`seconds_per_iteration`.
    iterations : int
        Iterations asked for.
    budget_seconds : float, optional
        Positive; :data:`LIVE_BUDGET_SECONDS` (read at call time) by default.

    Returns
    -------
    IterationCap
        At least one iteration is always allowed: a page must show something.

    Examples
    --------
    >>> cap = iteration_cap("hals", 100, 100, 5, 30)
    >>> cap.capped, cap.allowed
    (False, 30)
    """
    iterations = check_rank(iterations)
    if budget_seconds is None:
        budget_seconds = LIVE_BUDGET_SECONDS
    if not (isinstance(budget_seconds, int | float) and budget_seconds > 0):
        raise ValueError(f"budget_seconds must be a positive number, got {budget_seconds!r}.")
    per_iteration = seconds_per_iteration(solver, n, k, rank, channels=channels)
    fitting = max(1, math.floor(budget_seconds / per_iteration))
    return IterationCap(
        asked=iterations,
        allowed=min(iterations, fitting),
        seconds_per_iteration=per_iteration,
        budget_seconds=float(budget_seconds),
    )


def affordable_steps(step_seconds, budget_seconds: float | None = None) -> int:
    """How many of the steps, taken in order, fit the budget together (at least one).

    Parameters
    ----------
    step_seconds : sequence of float
        Predicted cost of each step, e.g. of each rank of an error-against-rank curve.
    budget_seconds : float, optional
        :data:`LIVE_BUDGET_SECONDS` (read at call time) by default.

    Examples
    --------
    >>> affordable_steps([4.0, 5.0, 6.0, 7.0], 15.0)
    3
    >>> affordable_steps([20.0, 1.0], 15.0)
    1
    """
    costs = [float(cost) for cost in step_seconds]
    if not costs:
        raise ValueError("Need at least one step.")
    if any(not math.isfinite(cost) or cost < 0 for cost in costs):
        raise ValueError("Step costs must be finite and >= 0.")
    if budget_seconds is None:
        budget_seconds = LIVE_BUDGET_SECONDS
    if not (isinstance(budget_seconds, int | float) and budget_seconds > 0):
        raise ValueError(f"budget_seconds must be a positive number, got {budget_seconds!r}.")
    total, count = 0.0, 0
    for cost in costs:
        total += cost
        if total > budget_seconds:
            break
        count += 1
    return max(1, count)


class RunClock:
    """Progress and time left of a run planned in predicted seconds.

    The run is a sequence of steps (iterations, ranks, channels) whose predicted costs add up
    to ``planned_seconds``. After each step call :meth:`advance` with that step's predicted
    cost. The time left is the predicted cost still to come, scaled by how fast the run has
    gone so far (measured seconds per predicted second); before the first step it is the plan
    itself.

    Parameters
    ----------
    planned_seconds : float
        Predicted cost of the whole run, positive.
    clock : callable, optional
        Returns the time in seconds (``time.perf_counter`` by default; tests pass a fake).

    Examples
    --------
    >>> now = [0.0]
    >>> run = RunClock(10.0, clock=lambda: now[0])
    >>> now[0] = 2.0; run.advance(1.0)   # one predicted second took two real ones
    >>> run.fraction, run.seconds_left()
    (0.1, 18.0)
    """

    def __init__(self, planned_seconds: float, *, clock: Callable[[], float] = time.perf_counter):
        if not (math.isfinite(planned_seconds) and planned_seconds > 0):
            raise ValueError(f"planned_seconds must be positive, got {planned_seconds!r}.")
        self.planned_seconds = float(planned_seconds)
        self._clock = clock
        self._started = clock()
        self._done = 0.0

    @property
    def elapsed(self) -> float:
        """Seconds since the clock was made."""
        return self._clock() - self._started

    @property
    def fraction(self) -> float:
        """Share of the planned work done, in [0, 1]."""
        return min(1.0, self._done / self.planned_seconds)

    def advance(self, predicted_seconds: float) -> None:
        """Record that a step predicted to take ``predicted_seconds`` has finished."""
        if not (math.isfinite(predicted_seconds) and predicted_seconds >= 0):
            raise ValueError(f"predicted_seconds must be >= 0, got {predicted_seconds!r}.")
        self._done += predicted_seconds

    def seconds_left(self) -> float:
        """Estimated seconds until the planned work is done (0 once it is)."""
        remaining = max(0.0, self.planned_seconds - self._done)
        if self._done <= 0:
            return max(0.0, remaining - self.elapsed)
        return remaining * self.elapsed / self._done


def describe_seconds(seconds: float) -> str:
    """A rounded duration for a progress text: ``"under a second"``, ``"about 21 s"``, ...

    Examples
    --------
    >>> describe_seconds(0.4), describe_seconds(20.6), describe_seconds(150)
    ('under a second', 'about 21 s', 'about 3 min')
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be finite and >= 0, got {seconds!r}.")
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"about {int(seconds + 0.5)} s"
    return f"about {int(seconds / 60 + 0.5)} min"
