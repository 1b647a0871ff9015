"""Choosing r's checkpoints: the elbow of the error curve and what the penalties do to W, each
answer read off the sweep or the fits on screen."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.demo_data import load_faces, planted_clusters
from nmf_lab.lessons.choosing_r.checkpoints import (
    ELBOW_RATIO,
    MORE_ZEROS_HIGHER,
    MORE_ZEROS_LOWER,
    NO_ELBOW,
    NO_MORE_ZEROS_HIGHER,
    NO_MORE_ZEROS_LOWER,
    elbow_checkpoint,
    error_elbow,
    penalty_checkpoint,
)
from nmf_lab.lessons.choosing_r.penalties import fit_with_penalties
from nmf_lab.lessons.choosing_r.rank_selection import rank_sweep


def _sweep(planted_rank, max_rank=7, noise=0.3):
    # The page's planted data and sweep (60 × 30, 8 restarts, seed 0).
    X = planted_clusters(60, 30, planted_rank, noise=noise, seed=0).X
    return rank_sweep(X, range(2, max_rank + 1), n_restarts=8, seed=0)


def _distinct_feedback(cp) -> bool:
    return len({choice.feedback for choice in cp.choices}) == len(cp.choices)


# ---------------------------------------------------------------------------- elbow


def test_error_elbow_needs_a_drop_several_times_every_later_one():
    assert error_elbow([2, 3, 4, 5, 6], [0.6, 0.4, 0.1, 0.09, 0.08]) == 4
    # A steady fall, a curve still steep at the last rank, or too few ranks: no elbow.
    assert error_elbow([2, 3, 4, 5], [0.3, 0.28, 0.26, 0.24]) is None
    assert error_elbow([2, 3, 4], [0.6, 0.5, 0.1]) is None
    assert error_elbow([2, 3], [0.6, 0.1]) is None
    # Just below and just above the ratio.
    below = 0.1 * ELBOW_RATIO * 0.99
    assert error_elbow([2, 3, 4, 5], [1.0, 1.0 - below, 0.9 - below, 0.8 - below]) is None
    above = 0.1 * ELBOW_RATIO * 1.01
    assert error_elbow([2, 3, 4, 5], [1.0, 1.0 - above, 0.9 - above, 0.8 - above]) == 3
    # Of two bends, the sharper one; an exact fit after the bend is still one.
    assert error_elbow([2, 3, 4, 5, 6], [0.9, 0.5, 0.45, 0.44, 0.43]) == 3
    assert error_elbow([2, 3, 4, 5], [0.6, 0.4, 0.0, 0.0]) == 4


def test_at_the_page_defaults_the_elbow_is_the_planted_rank_with_the_live_drops():
    sweep = _sweep(4)
    cp = elbow_checkpoint(sweep.ranks, sweep.nmf_error, 4, planted=True)
    assert cp.key == "cr_elbow"
    assert cp.labels == ("Before r = 4", "At r = 4", "After r = 4", NO_ELBOW)
    assert cp.right_label == "At r = 4"
    assert "4 planted clusters" in cp.question
    drops = -np.diff(sweep.nmf_error)
    assert f"falls by {100 * drops[1]:.1f} percentage points on the way to r = 4" in cp.explanation
    assert f"at most {100 * drops[2:].max():.1f} points per basis vector" in cp.explanation
    assert ", ".join(f"{e:.1%}" for e in sweep.nmf_error) + " at r = 2 … 7" in cp.explanation
    assert _distinct_feedback(cp)
    steps = f"{100 * drops[0]:.1f}, {100 * drops[1]:.1f} percentage points"
    assert steps in cp.verdict("Before r = 4")[1]


def test_the_answer_flips_when_the_curve_is_still_falling_at_the_last_rank():
    # Six planted clusters, ranks tried up to 6: the big drop comes last, nothing after it.
    sweep = _sweep(6, max_rank=6)
    cp = elbow_checkpoint(sweep.ranks, sweep.nmf_error, 6, planted=True)
    assert cp.right_label == NO_ELBOW
    assert "After r = 6" not in cp.labels  # no rank after 6 was tried
    last_drop = sweep.nmf_error[-2] - sweep.nmf_error[-1]
    still = f"still falls by {100 * last_drop:.1f} percentage points on the way to r = 6"
    assert still in cp.explanation
    assert "try larger ranks" in cp.verdict(NO_ELBOW)[1]
    assert _distinct_feedback(cp)


def test_before_and_after_the_anchor_and_unplanted_data():
    ranks, errors = [2, 3, 4, 5, 6, 7], [0.6, 0.2, 0.19, 0.18, 0.17, 0.16]
    early = elbow_checkpoint(ranks, errors, 5, planted=False)
    assert early.right_label == "Before r = 5" and "consensus suggests r = 5" in early.question
    assert "Past r = 3" in early.verdict("Before r = 5")[1]
    late = elbow_checkpoint([2, 3, 4, 5, 6, 7], [0.9, 0.8, 0.7, 0.2, 0.19, 0.18], 3, True)
    assert late.right_label == "After r = 3"
    assert "50.0 percentage points on the way to r = 5" in late.verdict("After r = 3")[1]
    assert "Before r = 3" not in late.labels  # no elbow can show at the first rank, 2
    for cp in (early, late):
        assert _distinct_feedback(cp)


def test_an_anchor_at_the_first_rank_says_why_no_bend_shows_there():
    ranks, errors = [2, 3, 4, 5], [0.3, 0.28, 0.26, 0.24]
    cp = elbow_checkpoint(ranks, errors, 2, planted=False)
    assert cp.right_label == NO_ELBOW
    assert "first rank tried" in cp.verdict("At r = 2")[1]


# ---------------------------------------------------------------------------- penalties


@pytest.fixture(scope="module")
def faces_fits():
    """The page's default penalty data (faces at r = 8) without penalties, and a cache."""
    faces = load_faces()
    fits = {}

    def fit(weights):
        key = tuple(sorted(weights.items()))
        if key not in fits:
            fits[key] = fit_with_penalties(faces, 8, weights)
        return fits[key]

    return fit({}), fit


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({"l1_W": 1.0, "l2_H": 1.0}, MORE_ZEROS_HIGHER),  # the page's defaults
        ({"l1_W": 0.1, "l2_H": 1.0}, MORE_ZEROS_LOWER),  # another, better local minimum
        ({"l2_W": 1.0, "l2_H": 1.0}, NO_MORE_ZEROS_HIGHER),  # L2 spreads W out
        ({}, NO_MORE_ZEROS_LOWER),  # no penalty: the same run
    ],
)
def test_penalty_answer_follows_the_table(faces_fits, weights, expected):
    before, fit = faces_fits
    after = fit(weights)
    cp = penalty_checkpoint(before, after, weights)
    assert cp.key == "cr_penalty_zeros"
    # The right answer, as the table's rounded numbers show it.
    more = float(f"{100 * after.zeros_W:.1f}") > float(f"{100 * before.zeros_W:.1f}")
    higher = float(f"{after.relative_error:.4f}") > float(f"{before.relative_error:.4f}")
    assert cp.right_label == expected
    assert (expected in (MORE_ZEROS_HIGHER, MORE_ZEROS_LOWER)) == more
    assert (expected in (MORE_ZEROS_HIGHER, NO_MORE_ZEROS_HIGHER)) == higher
    assert f"{100 * before.zeros_W:.1f} % → {100 * after.zeros_W:.1f} %" in cp.explanation
    assert f"{before.relative_error:.2%} → {after.relative_error:.2%}" in cp.explanation
    assert f"{after.active} of the 8 basis vectors" in cp.explanation
    assert _distinct_feedback(cp)
    for choice in cp.choices:
        assert f"{after.relative_error:.2%}" in choice.feedback


def test_penalty_question_names_the_weights_set():
    from nmf_lab.lessons.choosing_r.checkpoints import _weights_text

    assert _weights_text({"l1_W": 1.0, "l2_H": 1.0}) == "l1_W = 1 and l2_H = 1"
    assert _weights_text({"l1_H": 0.03, "l1_W": 10.0, "l2_H": 1.0}) == (
        "l1_H = 0.03, l1_W = 10 and l2_H = 1"
    )
    assert "no penalty at all" in _weights_text({"l1_W": 0.0})
