"""Watching a solver learn: frames of one run, and a race between the four solvers.

A *frame* is a snapshot ``(iteration, H, W, loss)`` taken through the ``callback`` of
:func:`nmf_core.nmf`. A run of ``max_iter`` iterations has ``max_iter + 1`` snapshots (the start
point is snapshot 0); an animation only needs a few dozen of them, so :func:`frame_indices` picks
at most :data:`MAX_FRAMES`, always including the start and the end, and spaced more densely at the
beginning, where the loss moves most.

The *race* runs MU, HALS, ANLS and ALS from one and the same start ``(H0, W0)`` and keeps their
loss histories against iteration and against wall-clock time, with the best rank-r loss of any
factorisation (signs allowed), the truncated SVD, as a floor.

Notation as everywhere in NMF Lab: ``X ≈ H W``, ``X`` (n×k) one point per row, ``H`` (n×r),
``W`` (r×k) one basis vector per row, loss ``‖X − HW‖²_F`` (no ½).

>>> import numpy as np
>>> X = np.random.default_rng(0).random((20, 5))
>>> start = initialize_start(X, 2, seed=0)
>>> rec = record_run(X, 2, start=start, solver="mu", max_iter=100, max_frames=10)
>>> rec.iterations.tolist()[0], rec.iterations.tolist()[-1], len(rec.iterations)
(0, 100, 10)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nmf_core import as_nonnegative_matrix, check_rank
from nmf_core.baselines import svd_error_curve
from nmf_core.init import initialize
from nmf_core.losses import frobenius_loss
from nmf_core.solvers import SOLVERS, Callback, NMFResult, nmf
from nmf_lab.checkpoints import Checkpoint, Choice

__all__ = [
    "ALS_RISE_LABELS",
    "INIT_HELP",
    "MAX_FRAMES",
    "MAX_ITER",
    "START_LABELS",
    "START_TIE",
    "Race",
    "Recording",
    "StartComparison",
    "als_rise_checkpoint",
    "frame_indices",
    "initialize_start",
    "loss_increases",
    "race",
    "record_run",
    "start_checkpoint",
    "start_comparison",
    "svd_floor",
]

# Frames sent to the browser per animation. Each frame carries the factors drawn beside the
# loss curve, so this bounds the size of the figure message (a few hundred kB for the faces).
MAX_FRAMES = 60
# Iterations a page may ask for: recording and the race stay well under a few seconds.
MAX_ITER = 500
# Frames are spaced like t**FRAME_SPACING_POWER on [0, 1]: denser at the start.
FRAME_SPACING_POWER = 2.0


def frame_indices(n_snapshots: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """Which of ``n_snapshots`` snapshots (0 = start, ``n_snapshots − 1`` = end) to keep.

    All of them when there are at most ``max_frames``; otherwise exactly ``max_frames``
    distinct, increasing indices that include ``0`` and ``n_snapshots − 1``, placed at
    ``(n_snapshots − 1)·t²`` for evenly spaced ``t`` in [0, 1] (denser early, where the loss
    falls fastest) and nudged apart where rounding would make two of them equal.

    Parameters
    ----------
    n_snapshots : int
        At least 1.
    max_frames : int
        At least 2.

    Returns
    -------
    ndarray of int, shape (min(n_snapshots, max_frames),)

    Examples
    --------
    >>> frame_indices(5, 10).tolist()
    [0, 1, 2, 3, 4]
    >>> frame_indices(101, 5).tolist()
    [0, 6, 25, 56, 100]
    """
    if (
        isinstance(n_snapshots, bool)
        or not isinstance(n_snapshots, int | np.integer)
        or n_snapshots < 1
    ):
        raise ValueError(f"n_snapshots must be a positive integer, got {n_snapshots!r}.")
    if (
        isinstance(max_frames, bool)
        or not isinstance(max_frames, int | np.integer)
        or max_frames < 2
    ):
        raise ValueError(f"max_frames must be an integer of at least 2, got {max_frames!r}.")
    if n_snapshots <= max_frames:
        return np.arange(n_snapshots)
    last = n_snapshots - 1
    targets = np.rint(last * np.linspace(0.0, 1.0, max_frames) ** FRAME_SPACING_POWER)
    indices = np.empty(max_frames, dtype=int)
    for position, target in enumerate(targets.astype(int)):
        earliest = indices[position - 1] + 1 if position else 0
        # Leave room for the frames still to come, so the last one lands on `last`.
        latest = last - (max_frames - 1 - position)
        indices[position] = min(max(target, earliest), latest)
    return indices


def initialize_start(
    X, rank: int, *, init: str = "random", seed: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """The common start ``(H0, W0)`` for a recorded run or a race (see :func:`initialize`).

    Returns
    -------
    H0 : ndarray, shape (n, r)
    W0 : ndarray, shape (r, k)
    """
    return initialize(X, rank, init, seed=seed)


#: The help text of the page's start selector. Its claims (NNDSVDa above a random start and
#: above the zero matrix at the start; below the random start after one MU step) are checked on
#: the page's defaults by the lesson tests through :func:`start_comparison`.
INIT_HELP = (
    "Random: seeded random nonnegative factors, scaled so that HW has about the size of X. "
    "NNDSVDa: the SVD's leading terms with their negative parts cut off, then every zero "
    "filled with the mean of X so that multiplicative updates (MU) can move it. That fill adds "
    "to every entry of HW, so NNDSVDa can *start* worse than a random start, even above "
    "‖X‖²_F (the loss of H = 0); one MU step removes the excess and then it is ahead."
)


@dataclass(frozen=True)
class StartComparison:
    """Losses of the random and the NNDSVDa start on one ``X``, before and after one MU step.

    Attributes
    ----------
    zero_loss : float
        ``‖X‖²_F``, the loss of ``H = 0``.
    start_loss : dict of str to float
        Loss of ``(H0, W0)`` for ``"random"`` and ``"nndsvda"``.
    one_mu_step_loss : dict of str to float
        Loss after one multiplicative update from that start.
    """

    zero_loss: float
    start_loss: dict[str, float]
    one_mu_step_loss: dict[str, float]


def start_comparison(X, rank: int, *, seed: Any = None) -> StartComparison:
    """Compare the two starts the page offers on ``X`` (n×k) at rank ``r``.

    Raises
    ------
    ValueError
        On invalid ``X`` or ``rank`` (see :func:`nmf_core.initialize`).
    """
    X = as_nonnegative_matrix(X)
    rank = check_rank(rank)
    starts, after_one = {}, {}
    for init in ("random", "nndsvda"):
        H0, W0 = initialize(X, rank, init, seed=seed)
        starts[init] = float(frobenius_loss(X, H0, W0))
        result = nmf(X, rank, solver="mu", init=(H0, W0), max_iter=1, tol=0.0)
        after_one[init] = float(result.losses[-1])
    zero = float(np.sum(np.asarray(X, dtype=float) ** 2))
    return StartComparison(zero_loss=zero, start_loss=starts, one_mu_step_loss=after_one)


def _check_iterations(max_iter: Any) -> int:
    if (
        isinstance(max_iter, bool)
        or not isinstance(max_iter, int | np.integer)
        or not 0 <= max_iter <= MAX_ITER
    ):
        raise ValueError(f"max_iter must be an integer from 0 to {MAX_ITER}, got {max_iter!r}.")
    return int(max_iter)


@dataclass(frozen=True)
class Recording:
    """Thinned snapshots of one solver run.

    Attributes
    ----------
    iterations : ndarray of int, shape (m,)
        Iteration of each frame; ``iterations[0] == 0`` (the start), ``iterations[-1]`` the last
        iteration run.
    H : ndarray, shape (m, n, r)
        ``H`` at each frame.
    W : ndarray, shape (m, r, k)
        ``W`` at each frame (each row a basis vector).
    losses : ndarray, shape (m,)
        ``‖X − HW‖²_F`` at each frame, as the solver reported it.
    result : NMFResult
        The full run: ``result.losses`` and ``result.times`` have one entry per iteration.
    max_frames : int
        The cap the frames were thinned to.
    """

    iterations: np.ndarray
    H: np.ndarray
    W: np.ndarray
    losses: np.ndarray
    result: NMFResult
    max_frames: int

    @property
    def n_frames(self) -> int:
        """Number of frames ``m``."""
        return len(self.iterations)


def record_run(
    X,
    rank: int,
    *,
    start: tuple[np.ndarray, np.ndarray],
    solver: str = "mu",
    max_iter: int = 100,
    tol: float = 0.0,
    max_frames: int = MAX_FRAMES,
    callback: Callback | None = None,
) -> Recording:
    """Run one solver from ``start`` and keep at most ``max_frames`` snapshots of it.

    The frames to keep are planned with :func:`frame_indices` for a full run of
    ``max_iter`` iterations, so only those snapshots are stored. If the stopping rule ends the
    run early (``tol > 0``), the last iteration is still added as the final frame.

    Parameters
    ----------
    X : array_like, shape (n, k)
        Nonnegative data, one point per row.
    rank : int
        ``r``.
    start : tuple (H0, W0)
        Start point, shapes (n, r) and (r, k); e.g. from :func:`initialize_start`.
    solver : {"mu", "hals", "anls", "als"}
    max_iter : int
        Iterations, at most :data:`MAX_ITER`.
    tol : float
        Stopping rule of :func:`nmf_core.nmf`; the default 0 runs all ``max_iter`` iterations.
    max_frames : int
        Cap on the number of frames, at least 2.
    callback : callable, optional
        Also called as ``callback(iteration, H, W, loss)`` after each iteration (e.g. a
        progress bar); it can stop the run by raising.

    Returns
    -------
    Recording
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    max_iter = _check_iterations(max_iter)
    planned = set(frame_indices(max_iter + 1, max_frames).tolist())
    H0, W0 = initialize(X, rank, start)
    # Frame 0's loss is filled in from the run's own history below, so every frame shows
    # exactly the number the loss curve plots.
    kept: list[tuple[int, np.ndarray, np.ndarray, float]] = [(0, H0, W0, float("nan"))]
    latest: list[tuple[int, np.ndarray, np.ndarray, float]] = []

    def keep(iteration: int, H: np.ndarray, W: np.ndarray, loss: float) -> bool:
        # nmf passes copies, so storing them is safe.
        snapshot = (iteration, H, W, float(loss))
        if iteration in planned:
            kept.append(snapshot)
        latest[:] = [snapshot]
        if callback is not None:
            callback(iteration, H, W, loss)
        return False

    result = nmf(X, rank, solver=solver, init=(H0, W0), max_iter=max_iter, tol=tol, callback=keep)
    if latest and kept[-1][0] != latest[0][0]:
        if len(kept) == max_frames:
            # Stopped early, exactly on the cap: the end replaces the last planned frame.
            kept.pop()
        kept.append(latest[0])
    kept[0] = (0, H0, W0, float(result.losses[0]))
    return Recording(
        iterations=np.array([frame[0] for frame in kept], dtype=int),
        H=np.stack([frame[1] for frame in kept]),
        W=np.stack([frame[2] for frame in kept]),
        losses=np.array([frame[3] for frame in kept]),
        result=result,
        max_frames=int(max_frames),
    )


def svd_floor(X, rank: int) -> float:
    """``min ‖X − M‖²_F`` over all matrices ``M`` of rank at most ``r`` (Eckart–Young).

    It is the sum of the squared singular values beyond the first ``r``. Every NMF of rank
    ``r`` is such an ``M``, so no solver's loss can go below it.

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int

    Returns
    -------
    float
    """
    X = np.asarray(X, dtype=np.float64)
    # svd_error_curve needs the singular values only (no U, V): the cheap SVD.
    relative = float(svd_error_curve(X, check_rank(rank))[-1])
    return relative**2 * float(np.einsum("ij,ij->", X, X))


def loss_increases(
    losses: np.ndarray, *, rtol: float = 1e-9, atol_factor: float = 1e-12
) -> np.ndarray:
    """Iterations ``i`` where ``losses[i] > losses[i − 1]`` by more than rounding.

    Parameters
    ----------
    losses : ndarray, shape (n_iter + 1,)
        A loss history, ``losses[0]`` at the start.
    rtol, atol_factor : float
        An increase counts only beyond ``rtol · losses[i − 1] + atol_factor · max(losses)``.
        The solvers compute the loss as ``‖X‖² − 2⟨HᵀX, W⟩ + ⟨HᵀH, WWᵀ⟩``, whose rounding error
        scales with the largest terms, not with the (possibly tiny) loss itself; this keeps
        that noise from being mistaken for a real increase.

    Returns
    -------
    ndarray of int
        The iterations (1-based: the iteration that produced the higher loss).
    """
    losses = np.asarray(losses, dtype=float)
    if losses.size < 2:
        return np.zeros(0, dtype=int)
    slack = rtol * np.abs(losses[:-1]) + atol_factor * float(np.max(np.abs(losses)))
    rises = np.diff(losses) > slack
    return np.flatnonzero(rises) + 1


@dataclass(frozen=True)
class Race:
    """MU, HALS, ANLS and ALS run from the same start.

    Attributes
    ----------
    results : dict of str to NMFResult
        One run per solver, in :data:`nmf_core.SOLVERS` order.
    start_loss : float
        ``‖X − H0 W0‖²_F``, where every solver starts.
    floor : float
        :func:`svd_floor` at the same rank.
    rank : int
    """

    results: dict[str, NMFResult]
    start_loss: float
    floor: float
    rank: int

    def increases(self, solver: str) -> np.ndarray:
        """Iterations at which ``solver``'s loss went up (see :func:`loss_increases`)."""
        return loss_increases(self.results[solver].losses)

    def total_seconds(self) -> float:
        """Wall-clock time of all runs together."""
        return float(sum(result.times[-1] for result in self.results.values()))

    def above_floor(self, solver: str) -> float | None:
        """``(final loss − floor) / floor`` of ``solver``, at least 0; None when the floor is 0.

        A solver can reach the floor itself, and rounding would then give a tiny negative share.
        """
        if self.floor <= 0:
            return None
        return max(self.results[solver].losses[-1] - self.floor, 0.0) / self.floor

    def seconds_per_iteration(self, solver: str) -> float:
        """Mean wall-clock seconds per iteration of ``solver``'s run."""
        result = self.results[solver]
        return float(result.times[-1] / max(result.n_iter, 1))


def race(
    X,
    rank: int,
    *,
    start: tuple[np.ndarray, np.ndarray],
    solvers: tuple[str, ...] = SOLVERS,
    max_iter: int = 50,
    callback: Callback | None = None,
) -> Race:
    """Run each solver for exactly ``max_iter`` iterations from the same ``start``.

    Parameters
    ----------
    X : array_like, shape (n, k)
        Nonnegative data, one point per row.
    rank : int
    start : tuple (H0, W0)
        Shared start point, shapes (n, r) and (r, k).
    solvers : tuple of str
        Any of ``"mu", "hals", "anls", "als"``.
    max_iter : int
        At most :data:`MAX_ITER`; no early stopping (``tol=0``), so the curves are comparable
        iteration by iteration.
    callback : callable, optional
        Passed to every :func:`nmf_core.nmf` run, one solver after the other (its time is
        not counted in the solvers' ``times``).

    Returns
    -------
    Race
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    max_iter = _check_iterations(max_iter)
    H0, W0 = initialize(X, rank, start)
    results = {
        solver: nmf(
            X, rank, solver=solver, init=(H0, W0), max_iter=max_iter, tol=0, callback=callback
        )
        for solver in solvers
    }
    return Race(
        results=results,
        start_loss=frobenius_loss(X, H0, W0),
        floor=svd_floor(X, rank),
        rank=int(rank),
    )


# ------------------------------------------------------------------ checkpoints ----------


def _num(value: float) -> str:
    """A loss as the checkpoints quote it: whole numbers with separators from 1,000 on."""
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


#: The answers of :func:`start_checkpoint`, in order.
START_LABELS = (
    "NNDSVDa: it is built from the SVD, the best rank-r fit",
    "Random",
    "About the same (within 10%)",
)
#: Start losses within this share of each other count as "about the same".
START_TIE = 0.10


def start_checkpoint(comparison: StartComparison, rank: int) -> Checkpoint:
    """Checkpoint: which of the page's two starts begins at the lower loss on the data on screen.

    The answer is read off :func:`start_comparison` for the data, rank and seed on screen: the
    two start losses within :data:`START_TIE` of each other are "about the same", else the
    lower one wins. The learner checks by switching the page's start control.

    Parameters
    ----------
    comparison : StartComparison
        From :func:`start_comparison` on the data on screen.
    rank : int
        The rank on screen (quoted in the text).

    Returns
    -------
    Checkpoint
    """
    random_loss = comparison.start_loss["random"]
    svd_loss = comparison.start_loss["nndsvda"]
    zero = comparison.zero_loss
    ratio = svd_loss / random_loss if random_loss > 0 else float("inf")
    if abs(ratio - 1) <= START_TIE:
        correct = 2
    else:
        correct = 0 if svd_loss < random_loss else 1
    above_zero = f", even above ‖X‖²_F = {_num(zero)}, the loss of H = 0" if svd_loss > zero else ""
    fill = (
        "NNDSVDa keeps only the positive parts of the SVD's leading terms and then fills every "
        "zero with the mean of X, so that multiplicative updates can move it; that fill adds "
        "to every entry of HW."
    )
    if correct == 0:
        svd_feedback = (
            f"Here the cut SVD terms stay close to the best rank-{rank} fit: NNDSVDa starts at "
            f"{_num(svd_loss)}, the random start at {_num(random_loss)}."
        )
        random_feedback = (
            f"A random start is only scaled so that HW has about the size of X; here it starts "
            f"at {_num(random_loss)}, {1 / ratio:.1f} times NNDSVDa's {_num(svd_loss)}."
        )
    else:
        svd_feedback = (
            f"The SVD's leading terms are the best rank-{rank} fit, but that is not what "
            f"NNDSVDa hands to the solver. {fill} Here it starts at {_num(svd_loss)}{above_zero}."
        )
        random_feedback = (
            f"{fill} Here that costs more than a random guess scaled to the size of X: "
            f"NNDSVDa starts at {_num(svd_loss)}, the random start at {_num(random_loss)}."
            if correct == 1
            else f"Random starts at {_num(random_loss)}, NNDSVDa at {_num(svd_loss)}: less than "
            f"{START_TIE:.0%} apart."
        )
    tie_feedback = (
        f"They are {abs(ratio - 1):.0%} apart: random {_num(random_loss)}, NNDSVDa "
        f"{_num(svd_loss)}, within {START_TIE:.0%} of each other."
        if correct == 2
        else f"They are far apart: NNDSVDa starts at {ratio:.2g} times the random start's loss."
    )
    return Checkpoint(
        key="learn_start",
        question=(
            f"The page offers two starts (H₀, W₀). At r = {rank} on this data, which one begins "
            "at the lower loss? Answer, then switch **Start (H₀, W₀)** and compare "
            "*Loss at the start*."
        ),
        choices=(
            Choice(START_LABELS[0], svd_feedback),
            Choice(START_LABELS[1], random_feedback),
            Choice(START_LABELS[2], tie_feedback),
        ),
        correct=correct,
        explanation=(
            f"At the start: random {_num(random_loss)}, NNDSVDa {_num(svd_loss)}; "
            f"‖X‖²_F = {_num(zero)} is the loss of H = 0. After one MU step: random "
            f"{_num(comparison.one_mu_step_loss['random'])}, NNDSVDa "
            f"{_num(comparison.one_mu_step_loss['nndsvda'])}. A start is only where the solver "
            "begins: what matters is where it is after a few steps."
        ),
    )


#: The answers of :func:`als_rise_checkpoint`, in order.
ALS_RISE_LABELS = (
    "No: it falls at every iteration",
    "Yes, at the first step only",
    "Yes, and not only at the first step",
)


def als_rise_checkpoint(als_losses: np.ndarray) -> Checkpoint:
    """Checkpoint: will ALS's loss go up, in a run with the settings on screen?

    The answer is read off ``als_losses``, the loss history of ALS from the page's start with
    the page's number of iterations (:func:`loss_increases`): no increase, an increase at
    iteration 1 only, or increases at later iterations. The learner checks by switching the
    page's solver to ALS.

    Parameters
    ----------
    als_losses : ndarray, shape (n_iter + 1,)
        ``NMFResult.losses`` of that ALS run.

    Returns
    -------
    Checkpoint
    """
    losses = np.asarray(als_losses, dtype=float)
    n_iter = losses.size - 1
    rises = loss_increases(losses)
    if rises.size == 0:
        correct = 0
    elif rises.tolist() == [1]:
        correct = 1
    else:
        correct = 2
    clip = (
        "ALS solves for H (then W) without the sign constraint and sets the negative entries "
        "to zero; the clipped factor is not the best nonnegative one and can be worse than the "
        "one before the step."
    )
    if correct == 0:
        never = (
            f"In these {n_iter} iterations the clipping never cost more than the step gained: "
            f"the loss fell from {_num(losses[0])} to {_num(losses[-1])} without a rise. Nothing "
            "guarantees that, though (try the faces with a random start)."
        )
        first_only = f"{clip} Here it never happened: not even at the first step."
        several = f"{clip} Here it never happened in {n_iter} iterations."
    else:
        first = int(rises[0])
        never = f"{clip} Here the loss went up at {rises.size} of {n_iter} iterations."
        first_only = (
            f"The first step took the loss from {_num(losses[0])} to {_num(losses[1])}, "
            "and from then on it only fell."
            if correct == 1
            else f"It went up at {rises.size} iterations"
            + (
                f", not only the first (from {_num(losses[0])} to {_num(losses[1])})"
                if first == 1
                else f", first at iteration {first}"
            )
            + "."
        )
        several = (
            f"{clip} Here the loss went up at {rises.size} of {n_iter} iterations, first at "
            f"iteration {first}."
            if correct == 2
            else "Only once: at the first step, from "
            f"{_num(losses[0])} to {_num(losses[1])}; after that it fell at every iteration."
        )
    if rises.size:
        told = (
            f"In this run ALS went up at {rises.size} of its {n_iter} iterations (first at "
            f"iteration {int(rises[0])})"
        )
    else:
        told = f"In this run ALS did not go up in {n_iter} iterations"
    return Checkpoint(
        key="learn_als_rise",
        question=(
            "ALS solves each half-step by least squares and then sets negative entries to zero. "
            "From this start, with these settings, will its loss ever go **up** from one "
            "iteration to the next? Answer, then set **Solver** to ALS and step through the "
            "frames."
        ),
        choices=(
            Choice(ALS_RISE_LABELS[0], never),
            Choice(ALS_RISE_LABELS[1], first_only),
            Choice(ALS_RISE_LABELS[2], several),
        ),
        correct=correct,
        explanation=(
            f"{told}: {_num(losses[0])} at the start, {_num(losses[min(1, n_iter)])} after one "
            f"step, {_num(losses[-1])} at the end. MU, HALS and ANLS cannot go up: each of their "
            "half-steps never increases the loss (the race below marks every rise with a "
            "cross)."
        ),
    )
