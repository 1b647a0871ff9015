"""The Choosing r page's checkpoints (predict, then check), answered from the data on screen.

- :func:`elbow_checkpoint`: where the curve of the best relative error against ``r`` bends,
  read off the sweep the rank tab computed (:func:`error_elbow`);
- :func:`penalty_checkpoint`: whether the penalties set on the sliders leave more exact zeros
  in ``W``, and a higher or lower error, than the same fit without penalties, read off the
  two fits the penalty table compares, at the precision the table shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nmf_lab.checkpoints import Checkpoint, Choice
from nmf_lab.lessons.choosing_r.penalties import PENALTY_NAMES, PenaltyFit

__all__ = [
    "ELBOW_RATIO",
    "NO_ELBOW",
    "elbow_checkpoint",
    "error_elbow",
    "penalty_checkpoint",
]

# An elbow at r: the drop in error on the way to r is at least this many times every later one.
ELBOW_RATIO = 4.0
NO_ELBOW = "No clear elbow among the ranks tried"


def _drops(errors: np.ndarray) -> np.ndarray:
    return errors[:-1] - errors[1:]


def error_elbow(ranks: Sequence[int], errors: Sequence[float], ratio: float = ELBOW_RATIO):
    """The rank where the error curve bends, or ``None`` if it does not bend clearly.

    The elbow is a rank ``r`` (not the first or the last tried) whose drop in error, from the
    rank before it, is at least ``ratio`` times every drop after it; of several such ranks, the
    one with the largest such ratio. The first rank tried has no drop into it and the last none
    after it, so neither can be an elbow: a curve flat from the start, or still falling steeply
    at the end, has none among the ranks tried.

    Parameters
    ----------
    ranks : sequence of int
        Increasing.
    errors : sequence of float
        The error at each rank.
    ratio : float

    Returns
    -------
    int or None

    Examples
    --------
    >>> error_elbow([2, 3, 4, 5, 6], [0.6, 0.4, 0.1, 0.09, 0.08])
    4
    >>> error_elbow([2, 3, 4, 5], [0.3, 0.28, 0.26, 0.24]) is None
    True
    """
    ranks = np.asarray(ranks)
    errors = np.asarray(errors, dtype=np.float64)
    if ranks.ndim != 1 or ranks.shape != errors.shape:
        raise ValueError(
            f"ranks and errors must be 1-D of one length, got {ranks.shape}, {errors.shape}."
        )
    drops = _drops(errors)
    best, best_ratio = None, ratio
    # drops[i - 1] is the drop into ranks[i]; ranks[i] needs at least one drop after it.
    for i in range(1, len(ranks) - 1):
        into, later = drops[i - 1], float(drops[i:].max())
        if into <= 0:
            continue
        contrast = np.inf if later <= 0 else into / later
        if contrast >= best_ratio and (best is None or contrast > best_ratio):
            best, best_ratio = int(ranks[i]), contrast
    return best


def _points(drop: float) -> str:
    """A drop in relative error in percentage points, one decimal."""
    return f"{100 * drop:.1f}"


def _values(ranks: np.ndarray, errors: np.ndarray) -> str:
    return ", ".join(f"{e:.1%}" for e in errors) + f" at r = {ranks[0]} … {ranks[-1]}"


def elbow_checkpoint(
    ranks: Sequence[int], errors: Sequence[float], anchor: int, planted: bool
) -> Checkpoint:
    """Checkpoint: where will the curve of the error against ``r`` bend?

    The answers are placed around ``anchor`` (the planted rank, or the consensus's suggestion
    for data without one); the right one is :func:`error_elbow` of the curve on screen, before,
    at or after ``anchor``, or none.

    Parameters
    ----------
    ranks : sequence of int
        The ranks tried, increasing.
    errors : sequence of float
        The best relative NMF error at each rank (the blue line of the figure).
    anchor : int
        The rank the answers are placed around.
    planted : bool
        Whether ``anchor`` is the number of planted clusters (else the consensus's suggestion).

    Returns
    -------
    Checkpoint
    """
    ranks = np.asarray(ranks)
    errors = np.asarray(errors, dtype=np.float64)
    if len(ranks) < 2:
        raise ValueError("An error curve needs at least two ranks.")
    elbow = error_elbow(ranks, errors)
    drops = _drops(errors)
    first, last = int(ranks[0]), int(ranks[-1])

    def drop_into(rank: int) -> float:
        return float(drops[list(ranks).index(rank) - 1])

    def later_max(rank: int) -> float:
        index = list(ranks).index(rank)
        return float(drops[index:].max()) if index < len(drops) else 0.0

    before = f"Before r = {anchor}"
    at = f"At r = {anchor}"
    after = f"After r = {anchor}"
    labels = []
    if anchor - 1 > first:  # an elbow needs a drop into it: none below the second rank
        labels.append(before)
    labels.append(at)
    if anchor + 1 < last:  # ... and a drop after it: none at the last rank
        labels.append(after)
    labels.append(NO_ELBOW)
    if elbow is None:
        right = NO_ELBOW
    else:
        right = at if elbow == anchor else before if elbow < anchor else after

    bend = (
        ""
        if elbow is None
        else f"the error falls by {_points(drop_into(elbow))} percentage points on the way to "
        f"r = {elbow}, then by at most {_points(later_max(elbow))} points per basis vector"
    )
    largest = int(np.argmax(drops)) + 1  # index into ranks of the rank the largest drop reaches
    steady = (
        f"the largest drop, {_points(drops[largest - 1])} percentage points on the way to "
        f"r = {ranks[largest]}, is not "
        f"{ELBOW_RATIO:g} times every later one"
        if largest < len(drops)
        else f"the error still falls by {_points(drops[-1])} percentage points on the way to "
        f"r = {last}, the largest "
        "rank tried"
    )
    what = "the planted clusters" if planted else "the consensus suggests"

    feedback = {}
    if elbow is not None and elbow < anchor:
        feedback[before] = (
            f"Past r = {elbow} the extra basis vectors buy little: {bend}. Fewer basis vectors "
            f"than {what} fit almost as well."
        )
    else:
        steps = [_points(drop_into(rank)) for rank in ranks[1:] if rank <= anchor]
        feedback[before] = (
            f"There is no bend before r = {anchor}: on the way to it the error falls by "
            f"{', '.join(steps)} percentage points."
        )
    if elbow == anchor:
        feedback[at] = (
            "Each cluster needs a basis vector of its own, and after that only noise is left "
            f"to fit: {bend}."
            if planted
            else f"The error curve agrees with the consensus: {bend}."
        )
    elif elbow is None and anchor == first:
        feedback[at] = (
            f"r = {anchor} is the first rank tried, so the curve shows no drop into it to "
            f"compare with; after it {steady}."
        )
    elif elbow is None:
        feedback[at] = f"The curve does not bend there: {steady}."
    elif elbow < anchor:
        feedback[at] = f"The bend comes earlier: {bend}."
    else:
        feedback[at] = f"At r = {anchor} the error is still falling steeply: {bend}."
    if elbow is not None and elbow > anchor:
        feedback[after] = f"More basis vectors than {what} still pay off here: {bend}."
    elif anchor + 1 < last:  # the label exists: anchor is a rank tried, with drops after it
        later = ", ".join(_points(d) for d in drops[list(ranks).index(anchor) :])
        feedback[after] = f"Past r = {anchor} the error falls by {later} percentage points: " + (
            "the curve is already flat."
            if elbow == anchor
            else "flatter still, the bend came before."
            if elbow is not None
            else "no drop stands out."
        )
    if elbow is None and largest == len(drops):
        feedback[NO_ELBOW] = f"Here {steady}: try larger ranks to see where it flattens."
    elif elbow is None:
        feedback[NO_ELBOW] = (
            f"Here {steady}: no extra basis vector stands out, so r is a choice between "
            "detail and cost, not something the curve decides."
        )
    elif later_max(elbow) > 0:
        times = drop_into(elbow) / later_max(elbow)
        feedback[NO_ELBOW] = f"There is one: {bend}, {times:.0f} times less."
    else:
        feedback[NO_ELBOW] = f"There is one: {bend}."

    choices = tuple(Choice(label, feedback[label]) for label in labels)
    subject = "planted clusters" if planted else "clusters the consensus suggests"
    question = (
        f"The data hold {anchor} {subject}. The best relative error can only fall as r "
        "grows; past which r will it stop falling much (the *elbow*)?"
        if planted
        else f"The consensus suggests r = {anchor}. The best relative error can only fall as "
        "r grows; past which r will it stop falling much (the *elbow*)?"
    )
    explanation = f"The blue line: {_values(ranks, errors)}. " + (
        f"The elbow is at r = {elbow}: {bend}." if elbow is not None else f"No elbow: {steady}."
    )
    return Checkpoint(
        key="cr_elbow",
        question=question,
        choices=choices,
        correct=labels.index(right),
        explanation=explanation,
    )


# ---------------------------------------------------------------------------------------------
# Penalties
# ---------------------------------------------------------------------------------------------

MORE_ZEROS_HIGHER = "More zeros in W, and a higher error"
MORE_ZEROS_LOWER = "More zeros in W, and the same or a lower error"
NO_MORE_ZEROS_HIGHER = "No more zeros in W, and a higher error"
NO_MORE_ZEROS_LOWER = "No more zeros in W, and the same or a lower error"


def _shown_percent(share: float) -> float:
    """A share as the table shows it (one decimal of a percent)."""
    return float(f"{100 * share:.1f}")


def _shown_error(error: float) -> float:
    """A relative error as the table shows it (a percentage with two decimals)."""
    return float(f"{error:.4f}")


def _weights_text(weights: Mapping[str, float]) -> str:
    set_ = [f"{name} = {weights[name]:g}" for name in PENALTY_NAMES if weights.get(name, 0) > 0]
    if not set_:
        return "no penalty at all (every weight is 0)"
    return set_[0] if len(set_) == 1 else ", ".join(set_[:-1]) + " and " + set_[-1]


def penalty_checkpoint(
    before: PenaltyFit, after: PenaltyFit, weights: Mapping[str, float]
) -> Checkpoint:
    """Checkpoint: do the penalties on the sliders give W more exact zeros, and a higher error?

    Both are compared as the page's table shows them: the share of zeros in all of ``W`` to a
    tenth of a percent, the relative error to four decimals. Equal shown values count as "no
    more zeros" and "the same error".

    Parameters
    ----------
    before : PenaltyFit
        The fit without penalties (the table's first column).
    after : PenaltyFit
        The fit with ``weights``, from the same start (the table's second column).
    weights : mapping
        The four penalty weights the sliders set.

    Returns
    -------
    Checkpoint
    """
    zeros_before, zeros_after = _shown_percent(before.zeros_W), _shown_percent(after.zeros_W)
    error_before = _shown_error(before.relative_error)
    error_after = _shown_error(after.relative_error)
    more_zeros = zeros_after > zeros_before
    higher = error_after > error_before
    zeros = f"{zeros_before:.1f} % of W is exactly zero without penalties, {zeros_after:.1f} % with"
    errors = f"the relative error is {error_before:.2%} without, {error_after:.2%} with"
    l1_W = weights.get("l1_W", 0.0)
    off = after.switched_off

    def zeros_sentence(claim_more: bool) -> str:
        if claim_more == more_zeros:
            if more_zeros:
                return (
                    "An L1 penalty charges for every unit of W, so the solver sets small "
                    f"entries to exactly zero: {zeros}"
                    + (f", and {off} basis vectors are switched off entirely." if off else ".")
                    if l1_W > 0
                    else f"More zeros: {zeros}."
                )
            if not any(weights.get(name, 0) > 0 for name in PENALTY_NAMES):
                return f"With every weight at 0 both columns are the same run: {zeros}."
            return (
                "No L1 penalty on W here; an L2 penalty shrinks large entries and spreads the "
                f"weight out rather than zeroing it: {zeros}."
                if l1_W == 0
                else f"Not more zeros: {zeros}."
            )
        if claim_more:
            return (
                f"There is no L1 penalty on W to push entries to zero: {zeros}."
                if l1_W == 0
                else f"Not here: {zeros}."
            )
        return f"The L1 penalty on W ({l1_W:g}) zeroes small entries: {zeros}."

    def error_sentence(claim_higher: bool) -> str:
        if claim_higher == higher:
            if higher:
                return (
                    "The penalties pull the fit away from the smallest ‖X − HW‖, so it fits "
                    f"worse: {errors}."
                )
            return (
                f"The error did not go up: {errors}. From the same start, the penalised run "
                "took another path and ended in a local minimum at least as good: NMF has "
                "many."
                if error_after < error_before
                else f"The same error: {errors}."
            )
        if claim_higher:
            return (
                f"Not here: {errors}. A penalty also changes the path the solver takes, and "
                "this one led to a local minimum at least as good."
            )
        return f"A penalty is paid for with fit: {errors}."

    claims = {
        MORE_ZEROS_HIGHER: (True, True),
        MORE_ZEROS_LOWER: (True, False),
        NO_MORE_ZEROS_HIGHER: (False, True),
        NO_MORE_ZEROS_LOWER: (False, False),
    }
    choices = tuple(
        Choice(label, f"{zeros_sentence(more)} {error_sentence(high)}")
        for label, (more, high) in claims.items()
    )
    correct = list(claims.values()).index((more_zeros, higher))
    rank = after.W.shape[0]
    explanation = (
        f"In the table below: zeros in all of W {zeros_before:.1f} % → {zeros_after:.1f} %, "
        f"relative error {error_before:.2%} → {error_after:.2%}, sparseness of W (mean over "
        f"active rows) {before.sparseness_W:.3f} → {after.sparseness_W:.3f}; "
        f"{after.active} of the {rank} basis vectors stay active."
    )
    return Checkpoint(
        key="cr_penalty_zeros",
        question=(
            f"The bottom row of basis images is fitted with {_weights_text(weights)}, from the "
            "same start as the top row, which has no penalties. Compared with the top row, "
            "will W have more entries that are exactly zero, and will the relative error "
            "be higher?"
        ),
        choices=choices,
        correct=correct,
        explanation=explanation,
    )
