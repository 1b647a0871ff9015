"""What the Home page computes: a small planted matrix and its NMF, ``X ≈ H W`` in one picture.

>>> example = factor_example(PLANTED_RANK, 0.0, 0)
>>> example.X.shape, example.H.shape, example.W.shape
((8, 10), (8, 3), (3, 10))
>>> bool(example.relative_error < 0.01)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nmf_core import nmf, relative_error
from nmf_lab.checkpoints import Checkpoint, Choice, pick
from nmf_lab.demo_data import planted_nmf

__all__ = [
    "MAX_RANK",
    "NOISE_QUESTION",
    "N_COLUMNS",
    "N_ROWS",
    "PLANTED_RANK",
    "Example",
    "factor_example",
    "noise_checkpoint",
    "rank_drop_checkpoint",
    "residual_spread",
]

# The example: a small matrix with a planted nonnegative rank of 3, so r = 3 fits it exactly.
N_ROWS, N_COLUMNS, PLANTED_RANK = 8, 10, 3
# The page's rank slider goes up to here.
MAX_RANK = 6


@dataclass(frozen=True)
class Example:
    """The planted example and its NMF.

    Attributes
    ----------
    X : ndarray, shape (N_ROWS, N_COLUMNS)
    H : ndarray, shape (N_ROWS, r)
    W : ndarray, shape (r, N_COLUMNS)
    relative_error : float
        ``‖X − HW‖_F / ‖X‖_F``.
    """

    X: np.ndarray
    H: np.ndarray
    W: np.ndarray
    relative_error: float


def factor_example(rank: int, noise: float, seed: Any) -> Example:
    """Draw the planted example (rank :data:`PLANTED_RANK`, plus noise) and factor it at ``rank``.

    Parameters
    ----------
    rank : int
        Rank of the NMF (the planted rank stays :data:`PLANTED_RANK`).
    noise : float
        Gaussian noise relative to the mean of ``X``, clipped at 0.
    seed : None, int or numpy.random.Generator
        Draws the example and the solver's start.

    Returns
    -------
    Example
    """
    X, _, _ = planted_nmf(N_ROWS, N_COLUMNS, PLANTED_RANK, noise=noise, seed=seed)
    result = nmf(X, rank, solver="hals", init="nndsvda", max_iter=500, tol=1e-8, seed=seed)
    return Example(X, result.H, result.W, relative_error(X, result.H @ result.W))


# Below this relative error a fit counts as exact in the checkpoints' answers (the solver stops
# near 1e-4 on the exact examples).
EXACT = 0.005
# The noise level the noise checkpoint asks about.
NOISE_QUESTION = 0.2


def rank_drop_checkpoint(noise: float, seed: Any) -> Checkpoint:
    """Checkpoint: what happens to the error one rank below the planted rank.

    The right answer is read off the factorisation at ``PLANTED_RANK - 1`` of the example on
    screen (same noise, same seed).

    Parameters
    ----------
    noise : float
        The page's noise setting.
    seed : None, int or numpy.random.Generator
        The page's seed.

    Returns
    -------
    Checkpoint
    """
    lower = PLANTED_RANK - 1
    at_planted = factor_example(PLANTED_RANK, noise, seed).relative_error
    below = factor_example(lower, noise, seed).relative_error
    correct = pick([EXACT, 0.10], below)
    return Checkpoint(
        key="home_rank_drop",
        question=(
            f"The example was built from {PLANTED_RANK} basis rows. If you lower the rank to "
            f"r = {lower}, what will the relative error be? Answer, then set r = {lower}."
        ),
        choices=(
            Choice(
                "About 0%, as at the planted rank",
                f"{lower} nonnegative rows of W cannot mix into all {PLANTED_RANK} planted "
                "patterns: every row of HW is a nonnegative mix of the same "
                f"{lower} rows, so rows of X built from the missing pattern cannot be matched.",
            ),
            Choice(
                "Under 10%",
                f"At r = {lower} the solver finds the best compromise: {lower} rows that "
                f"blend the {PLANTED_RANK} patterns, close to most rows of X but exact for none "
                "of those that use all of them."
                if correct == 1
                else f"The missing pattern alone would cost less, but the noise on screen "
                f"adds error that no rank removes: {at_planted:.1%} is left even at "
                f"r = {PLANTED_RANK}.",
            ),
            Choice(
                "10% or more",
                f"The noise on screen adds to the missing pattern: {at_planted:.1%} is left "
                f"even at r = {PLANTED_RANK}."
                if correct == 2
                else f"Losing one of {PLANTED_RANK} patterns costs less than that: the {lower} "
                "rows left blend the patterns and still carry most of the picture.",
            ),
        ),
        correct=correct,
        explanation=(
            f"On screen (noise {noise:g}): {at_planted:.1%} at r = {PLANTED_RANK}, "
            f"{below:.1%} at r = {lower}. At r = {lower} the residual panel X − HW shows the "
            "rows the smaller basis cannot rebuild."
        ),
    )


def residual_spread(residual: np.ndarray) -> float:
    """Share of the residual's energy in its worst row.

    Parameters
    ----------
    residual : ndarray, shape (n, k)
        ``X − HW``.

    Returns
    -------
    float
        ``max_i ‖R_i‖² / ‖R‖²`` in ``[1/n, 1]``: near ``1/n`` when the error is spread over
        every row, 1 when one row holds all of it; ``nan`` when the residual is zero.
    """
    residual = np.asarray(residual, dtype=float)
    if residual.ndim != 2:
        raise ValueError(f"residual must be 2-D, got shape {residual.shape}")
    row_energy = (residual**2).sum(axis=1)
    total = row_energy.sum()
    return float(row_energy.max() / total) if total > 0 else float("nan")


def noise_checkpoint(seed: Any) -> Checkpoint:
    """Checkpoint: where noise shows up in the residual at the planted rank.

    Asked about the example at noise :data:`NOISE_QUESTION` and ``r = PLANTED_RANK`` with the
    page's seed; the right answer is read off that factorisation's residual: blank if the fit
    is exact, "one row" if one row holds more than half of the residual's energy, "spread"
    otherwise. The explanation adds what raising r to 6 does.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        The page's seed.

    Returns
    -------
    Checkpoint
    """
    shown = factor_example(PLANTED_RANK, NOISE_QUESTION, seed)
    residual = shown.X - shown.H @ shown.W
    worst_row_share = residual_spread(residual)
    if shown.relative_error < EXACT:
        correct = 0
    elif worst_row_share > 0.5:
        correct = 2
    else:
        correct = 1
    highest = factor_example(MAX_RANK, NOISE_QUESTION, seed).relative_error
    return Checkpoint(
        key="home_noise",
        question=(
            f"Keep r = {PLANTED_RANK} and set the noise to {NOISE_QUESTION:g}. Where will the "
            "residual panel X − HW show colour?"
        ),
        choices=(
            Choice(
                "Nowhere: r is still the planted rank",
                "The planted rank fits the clean patterns, but the noise is not made of "
                f"them: it has no nonnegative rank {PLANTED_RANK} structure to fit.",
            ),
            Choice(
                "All over, in small patches",
                "Noise is added to every entry independently, so what the "
                f"{PLANTED_RANK} patterns cannot explain is scattered over the whole matrix.",
            ),
            Choice(
                "In one row only",
                "Every entry got its own noise, not one row: no single row can hold most of "
                "what the patterns cannot explain."
                if correct != 2
                else "With this seed one row drew much more noise than the others, and it holds "
                "most of what the patterns cannot explain.",
            ),
        ),
        correct=correct,
        explanation=(
            f"At noise {NOISE_QUESTION:g} and r = {PLANTED_RANK} the error is "
            f"{shown.relative_error:.1%}, and the worst row holds {worst_row_share:.0%} of the "
            f"residual (an even spread would give each of the {N_ROWS} rows {1 / N_ROWS:.0%}). "
            f"Raise r to {MAX_RANK} and the error falls to {highest:.1%}: the extra rows fit "
            "the noise itself, a smaller number that does not describe the data any better."
        ),
    )
