"""The Change of basis page's checkpoints (predict, then check), built from the data on screen.

- :func:`scaled_row_checkpoint`: double the first basis row; what happens to the coordinates?
  (A longer basis row needs a smaller coordinate: the trade NMF makes between a row of ``W``
  and a column of ``H``.)
- :func:`rank_up_checkpoint`: the cloud of "Many points at once" refitted at ``r = 2``; what
  will the error be? (Read off the fit of the same points, same seed.)

>>> import numpy as np
>>> cp = scaled_row_checkpoint(np.array([2.0, 1.5]), np.array([[1.0, 0.25], [0.5, 1.0]]))
>>> cp.right_label
'c₁ halves, the others stay'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nmf_lab.checkpoints import Checkpoint, Choice, pick
from nmf_lab.lessons.change_of_basis.basis import coordinates_in_basis, fit_planted_cloud

__all__ = [
    "EXACT",
    "QUESTION_RANK",
    "SAME_SHARE",
    "doubled_first_row",
    "rank_up_checkpoint",
    "scaled_row_checkpoint",
]

# Below this relative error a fit counts as exact (the solver stops near 1e-4 on exact clouds).
EXACT = 0.005
# The rank the rank-up question asks about (the page's default is r = 1).
QUESTION_RANK = 2
# At r = 2 the error counts as "about what it is at r = 1" above this share of it.
SAME_SHARE = 0.8


def _vector(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


def doubled_first_row(basis: Any) -> np.ndarray:
    """The basis with its first row doubled (``b₁ → 2 b₁``), the others unchanged."""
    doubled = np.array(basis, dtype=float)
    doubled[0] *= 2.0
    return doubled


def scaled_row_checkpoint(point: Any, basis: Any) -> Checkpoint:
    """Checkpoint: P's coordinates after the first row of the basis is doubled.

    The answer holds for every invertible basis (``c B = P`` stays true with ``c₁/2`` and
    ``2 b₁``, and coordinates are unique); the explanation quotes the coordinates of the point
    on screen before and after, each solved from its own basis.

    Parameters
    ----------
    point : array_like, shape (k,)
        The page's point P.
    basis : array_like, shape (k, k)
        The page's basis, one row per basis vector.

    Returns
    -------
    Checkpoint
    """
    point = np.asarray(point, dtype=float)
    basis = np.asarray(basis, dtype=float)
    others = "c₂" if basis.shape[0] == 2 else "c₂ and c₃"
    try:
        before = coordinates_in_basis(point, basis)
        after = coordinates_in_basis(point, doubled_first_row(basis))
    except ValueError:
        explanation = (
            "Your basis is singular at the moment, so P has no unique coordinates to compare. "
            "Make the rows independent and try it: the rule holds for every basis."
        )
    else:
        explanation = (
            f"On screen: P = {_vector(point)} has coordinates c = {_vector(before)} in the "
            f"basis above; doubling its b₁ gives {_vector(after)}. The step c₁b₁ along the first "
            "row is the same length either way. NMF has the same freedom: a row of W can be "
            "made longer if the matching column of H is made smaller, without changing HW."
        )
    return Checkpoint(
        key="cob_scaled_row",
        question=(
            "Double the first row of your basis (b₁ → 2b₁) and keep P. What happens to P's "
            "coordinates? Answer, then double the first row's entries above."
        ),
        choices=(
            Choice(
                "c₁ doubles too",
                "A longer b₁ covers twice the ground per unit, so half as many units reach "
                "the same point: c₁ shrinks, it does not grow.",
            ),
            Choice(
                "c₁ halves, the others stay",
                f"(c₁/2)·(2b₁) = c₁b₁: the walk along the first row is unchanged, and {others} "
                "still do the rest of the way.",
            ),
            Choice(
                "Every coordinate changes",
                f"Halving c₁ and keeping {others} already gives P again, and coordinates in a "
                "basis are unique: the other coordinates have no reason to move.",
            ),
        ),
        correct=1,
        explanation=explanation,
    )


def rank_up_checkpoint(
    n_points: int, dim: int, planted_rank: int, noise: float, seed: Any
) -> Checkpoint:
    """Checkpoint: the error of the cloud on screen at ``r = 2``, predicted from ``r = 1``.

    Both fits are the page's (:func:`fit_planted_cloud` with the same data settings and seed);
    the right answer is "about 0 %" below :data:`EXACT`, "about what it is at r = 1" above
    :data:`SAME_SHARE` of the error at ``r = 1``, "lower, but not 0 %" between.

    Parameters
    ----------
    n_points, dim, planted_rank : int
        The cloud's settings on the page (``planted_rank ≤ dim``).
    noise : float
    seed : None, int or numpy.random.Generator

    Returns
    -------
    Checkpoint
    """
    r = QUESTION_RANK
    at_one = fit_planted_cloud(n_points, dim, planted_rank, 1, noise, seed).relative_error
    at_r = fit_planted_cloud(n_points, dim, planted_rank, r, noise, seed).relative_error
    if at_r < EXACT:
        correct = 0
    else:
        correct = 1 + pick([SAME_SHARE], at_r / at_one)
    plural = "s" if planted_rank != 1 else ""
    if dim == r:
        exact_reason = (
            f"in {dim}-D, {r} rows are as many as the dimension: W = I with H = X is one exact "
            "answer for any nonnegative cloud, so nothing is left over"
        )
    elif planted_rank <= r and noise == 0:
        exact_reason = (
            f"the points were built from {planted_rank} direction{plural} without noise, so "
            f"{r} rows can hold every one of them"
        )
    else:
        exact_reason = f"{r} rows hold these points to within {at_r:.2%}"
    if correct == 0:
        zero_feedback = f"Right: {exact_reason}."
        lower_feedback = f"Nothing is left over here: {exact_reason}."
    else:
        off_plane = (
            "the third planted direction" if planted_rank > r else "the noise"
        ) + " lifts points off it"
        zero_feedback = (
            f"In {dim}-D the cone of {r} rows is a flat wedge through the origin, and "
            f"{off_plane}: what sticks out of the wedge stays as error."
        )
        lower_feedback = (
            f"The second row opens the ray into a wedge that holds the cloud much better, but "
            f"in {dim}-D a wedge is flat and {off_plane}."
            if correct == 1
            else "The cloud is already close to one ray: a second row has little left to "
            "explain, so the error hardly moves."
        )
    same_feedback = (
        f"One ray already holds these points to {at_one:.2%}: what is left is spread in "
        "every direction, and one more row removes only a little of it."
        if correct == 2
        else f"The cloud was planted from {planted_rank} direction{plural}: one ray leaves "
        "the points along the other direction unexplained, and a second row takes them in."
    )
    explanation = (
        f"On these {n_points} points (planted from {planted_rank} direction{plural}, noise "
        f"{noise:g}): relative error {at_one:.2%} at r = 1, {at_r:.2%} at r = {r}. The points "
        "stay where they are; only the basis W and the coordinates H change."
    )
    if dim == r:
        explanation += (
            f" In {dim}-D, r = {r} = k: an error near 0 % is guaranteed here and says nothing "
            "about the data; the interesting part is the wedge NMF chose."
        )
    return Checkpoint(
        key="cob_rank_up",
        question=(
            f"These points were planted from {planted_rank} direction{plural}. With r = 1 every "
            f"reconstruction lies on one ray. At r = {r}, what will the relative error be? "
            f"Answer, then set r = {r}."
        ),
        choices=(
            Choice("About 0 %", zero_feedback),
            Choice("Lower, but clearly above 0 %", lower_feedback),
            Choice("About what it is at r = 1", same_feedback),
        ),
        correct=correct,
        explanation=explanation,
    )
