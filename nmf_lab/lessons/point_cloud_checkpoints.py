"""Predict, then check, on the Point clouds page: one ray for a whole cloud, and restarts.

Both answers are read off the cloud on screen: :func:`rank_one_checkpoint` from NMF's single
ray fitted to it (how many points fall far off that half-line), :func:`restarts_checkpoint`
from the random restarts the page runs (do they agree on the loss, on the cone, on both).

>>> import numpy as np
>>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
>>> cp = rank_one_checkpoint(X, np.array([[1.0, 1.0]]), planted_rays=2)
>>> cp.right_label
'Most of them: more than half'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nmf_lab.checkpoints import Checkpoint, Choice, pick
from nmf_lab.lessons.point_clouds import OUTSIDE_REL_TOL, outside_cone

__all__ = [
    "SAME_CONE_DEG",
    "SAME_ERROR",
    "rank_one_checkpoint",
    "restarts_checkpoint",
]

# Shares of the cloud that separate the rank-one answers: "hardly any", "some", "most".
_FEW, _HALF = 0.10, 0.50
# Restarts whose relative errors lie within this of the best one fit equally well (0.1
# percentage point: far below what the table's rounding or the eye can tell apart).
SAME_ERROR = 0.001
# Restarts whose rays all lie within this many degrees of the first restart's share its cone.
SAME_CONE_DEG = 2.0


def rank_one_checkpoint(X: Any, W_one: Any, planted_rays: int | None) -> Checkpoint:
    """Checkpoint: how much of the cloud a single ray can hold.

    Parameters
    ----------
    X : array_like, shape (n, k)
        The cloud on screen.
    W_one : array_like, shape (1, k)
        NMF's ray for ``X`` at ``r = 1`` (same solver, start and seed as the page).
    planted_rays : int or None
        How many rays the toy cloud was built around; None for an upload or a cloud with no
        cone.

    Returns
    -------
    Checkpoint
        Right answer from the share of points that lie farther than
        :data:`~nmf_lab.lessons.point_clouds.OUTSIDE_REL_TOL` of a typical length from the ray.
    """
    far, _ = outside_cone(X, W_one)
    n = len(far)
    n_far = int(far.sum())
    share = n_far / n
    correct = pick([_FEW, _HALF], share)
    built = (
        f"The cloud was built around {planted_rays} planted ray{'s' if planted_rays != 1 else ''}. "
        if planted_rays
        else ""
    )
    one_line = (
        "With r = 1 the cone of W is a single half-line from the origin, and every "
        "reconstruction $H_iW = H_{i1}W_1$ lies on it."
    )
    few = Choice(
        "Hardly any: under 10%",
        (
            f"Right: the points hug one direction, so a single ray passes close to almost "
            f"all of them ({n_far} of {n} are far off it)."
            if correct == 0
            else f"{one_line} The points on screen spread away from any one direction, so "
            f"{n_far} of {n} end far from the line, whichever ray NMF picks."
        ),
    )
    some = Choice(
        "Some: between 10% and half",
        (
            f"Right: the ray NMF picks runs through the bulk of the cloud, and {n_far} of {n} "
            "points spread far enough to one side to miss it."
            if correct == 1
            else (
                f"Fewer than that: the cloud stays close to one direction, and only {n_far} of "
                f"{n} points miss the ray NMF picks."
                if correct == 0
                else f"More than that: {one_line} A line through the middle of a spread-out "
                f"cloud leaves most points to either side, {n_far} of {n} here."
            )
        ),
    )
    most = Choice(
        "Most of them: more than half",
        (
            f"Right: {one_line} The cloud fills a wedge, so a line through its middle "
            f"leaves most points to either side, {n_far} of {n} here."
            if correct == 2
            else f"A single ray is a poor cone, but not that poor here: it runs through the "
            f"bulk of the cloud, and only {n_far} of {n} points are far off it."
        ),
    )
    return Checkpoint(
        key="pc_rank_one",
        question=(
            f"{built}Set the rank to r = 1: how many of the {n} points will be far outside "
            "the cone (red crosses)? Answer, then move the **Rank r** slider to 1."
        ),
        choices=(few, some, most),
        correct=correct,
        explanation=(
            f"At r = 1 on this cloud, **{n_far} of {n}** points ({share:.0%}) are more than "
            f"{OUTSIDE_REL_TOL:.0%} of a typical point's length off the ray. Each point is "
            "reconstructed by its shadow on the line (the residual segments in the figure at "
            "r = 1); the data controls never move the points, so raising r again brings the "
            "same points back into a wider cone."
        ),
    )


def restarts_checkpoint(
    relative_errors: Sequence[float], spreads_deg: Sequence[float], rank: int
) -> Checkpoint:
    """Checkpoint: what random restarts of the same solver find on the cloud on screen.

    Parameters
    ----------
    relative_errors : sequence of float, length n_restarts
        ``‖X − HW‖_F / ‖X‖_F`` of each restart.
    spreads_deg : sequence of float, length n_restarts
        Largest angle between a restart's ray and the matched ray of the first restart
        (:func:`~nmf_lab.lessons.point_clouds.restart_angles`; 0 for the first).
    rank : int
        The rank ``r`` of the restarts.

    Returns
    -------
    Checkpoint
        Right answer: "different losses" when some restart's error is more than
        :data:`SAME_ERROR` above the best; otherwise "the same cone" when every ray lies
        within :data:`SAME_CONE_DEG` of the first restart's, "different cones" when not.
    """
    errors = np.asarray(relative_errors, dtype=float)
    spreads = np.asarray(spreads_deg, dtype=float)
    if errors.ndim != 1 or errors.shape != spreads.shape or len(errors) < 2:
        raise ValueError(
            "relative_errors and spreads_deg need one value per restart (at least two), got "
            f"shapes {errors.shape} and {spreads.shape}"
        )
    n = len(errors)
    best, worst = float(errors.min()), float(errors.max())
    widest = float(spreads.max())
    if worst - best > SAME_ERROR:
        correct = 2
    elif widest < SAME_CONE_DEG:
        correct = 0
    else:
        correct = 1
    errors_text = (
        f"every restart reached {best:.2%}"
        if worst - best < 5e-5
        else f"the errors run from {best:.2%} to {worst:.2%}"
    )
    pinned = (
        "with one ray the best fit is the single direction that holds most of the cloud, and "
        "there is only one such direction"
        if rank == 1
        else "no other cone of these rays holds the points as well, so every start is drawn "
        "to the same rays"
    )
    same = Choice(
        "The same cone every time, with the same loss",
        (
            f"Right: {pinned} (all rays within {widest:.1f}° of each other)."
            if correct == 0
            else (
                f"Only the product HW is fixed by the data: at r = {rank} many cones hold the "
                f"points equally well, and each random start settles on its own (rays up to "
                f"{widest:.1f}° apart)."
                if correct == 1
                else "The restarts do not even agree on the loss: from some random starts "
                "the solver stops at a poorer local solution."
            )
        ),
    )
    twins = Choice(
        "Equally good losses, but different cones",
        (
            f"Right: the data fix only the product HW, and at r = {rank} many cones hold the "
            f"points equally well; each random start settles on its own, rays up to "
            f"{widest:.1f}° apart."
            if correct == 1
            else (
                f"Not on this cloud: {pinned} (all rays within {widest:.1f}° of each other)."
                if correct == 0
                else f"The losses are not equal: {errors_text}. A restart that ends clearly "
                "higher stopped at a poorer local solution."
            )
        ),
    )
    stuck = Choice(
        "Different losses: some restarts end clearly worse",
        (
            f"Right: {errors_text}; the worse restarts stopped at poorer local solutions, "
            "another side of the same non-uniqueness."
            if correct == 2
            else f"On this small problem every random start gets to the same error "
            f"({errors_text}, within {SAME_ERROR:.1%}): restarts of NMF can get stuck, but "
            "not here."
        ),
    )
    return Checkpoint(
        key="pc_restarts",
        question=(
            f"The same solver is run {n} times at r = {rank}, each time from a different "
            "random start. What will the restarts find?"
        ),
        choices=(same, twins, stuck),
        correct=correct,
        explanation=(
            f"On screen: {errors_text}, and the rays of the restarts lie up to "
            f"**{widest:.1f}°** from those of the first (last column of the table). The "
            "figure draws each restart's cone in its own colour."
        ),
    )
