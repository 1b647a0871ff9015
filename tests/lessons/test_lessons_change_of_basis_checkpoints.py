"""The Change of basis checkpoints: answers and numbers read off the data on screen."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_core import nmf
from nmf_lab.demo_data import planted_nmf
from nmf_lab.lessons.change_of_basis.checkpoints import (
    QUESTION_RANK,
    doubled_first_row,
    rank_up_checkpoint,
    scaled_row_checkpoint,
)

DEFAULT_P = np.array([2.0, 1.5])
DEFAULT_B = np.array([[1.0, 0.25], [0.5, 1.0]])


def _vector(values) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("dim", [2, 3])
def test_doubling_the_first_row_halves_c1_and_keeps_the_rest(seed, dim):
    rng = np.random.default_rng(seed)
    P = rng.uniform(-3, 3, dim)
    B = np.eye(dim) + rng.uniform(-0.5, 0.5, (dim, dim))
    cp = scaled_row_checkpoint(P, B)
    # Independent: the inverse, not a solve.
    before = P @ np.linalg.inv(B)
    after = P @ np.linalg.inv(doubled_first_row(B))
    np.testing.assert_allclose(after[0], before[0] / 2, atol=1e-12)
    np.testing.assert_allclose(after[1:], before[1:], atol=1e-12)
    assert cp.right_label == "c₁ halves, the others stay"
    assert _vector(before) in cp.explanation and _vector(after) in cp.explanation
    np.testing.assert_array_equal(doubled_first_row(B)[1:], B[1:])
    assert cp.key == "cob_scaled_row"


def test_doubled_row_at_the_defaults_quotes_the_numbers_on_screen():
    cp = scaled_row_checkpoint(DEFAULT_P, DEFAULT_B)
    assert "c = (1.43, 1.14)" in cp.explanation
    assert "gives (0.71, 1.14)" in cp.explanation
    for label in cp.labels:
        right, feedback = cp.verdict(label)
        assert right == (label == cp.right_label) and feedback


def test_a_singular_basis_gets_an_explanation_without_numbers():
    cp = scaled_row_checkpoint(DEFAULT_P, np.array([[1.0, 2.0], [2.0, 4.0]]))
    assert "singular" in cp.explanation
    assert cp.right_label == "c₁ halves, the others stay"


def _independent_error(n, dim, planted, rank, noise, seed):
    X, _, _ = planted_nmf(n, dim, planted, noise=noise, seed=seed)
    fit = nmf(X, rank, solver="hals", max_iter=400, tol=1e-7, seed=seed)
    return np.linalg.norm(X - fit.H @ fit.W) / np.linalg.norm(X)


@pytest.mark.parametrize("seed", [0, 1, 5])
@pytest.mark.parametrize(
    ("dim", "planted", "noise"),
    [(2, 2, 0.05), (2, 1, 0.3), (3, 2, 0.0), (3, 2, 0.05), (3, 3, 0.05), (3, 1, 0.05)],
)
def test_rank_up_answers_with_the_fits_at_r_1_and_r_2(seed, dim, planted, noise):
    cp = rank_up_checkpoint(24, dim, planted, noise, seed)
    at_one = _independent_error(24, dim, planted, 1, noise, seed)
    at_two = _independent_error(24, dim, planted, QUESTION_RANK, noise, seed)
    expected = 0 if at_two < 0.005 else 2 if at_two >= 0.8 * at_one else 1
    assert cp.correct == expected
    assert f"{at_one:.2%} at r = 1, {at_two:.2%} at r = 2" in cp.explanation
    assert cp.key == "cob_rank_up"


def test_rank_up_at_the_defaults_is_exact_because_r_equals_k():
    for seed in range(3):
        cp = rank_up_checkpoint(24, 2, 2, 0.05, seed)
        assert cp.right_label == "About 0 %"
        assert "r = 2 = k" in cp.explanation
        right, feedback = cp.verdict("Lower, but clearly above 0 %")
        assert not right and "W = I with H = X" in feedback


def test_rank_up_in_3d_with_a_third_direction_stays_above_zero():
    cp = rank_up_checkpoint(24, 3, 3, 0.05, 0)
    assert cp.right_label == "Lower, but clearly above 0 %"
    right, feedback = cp.verdict("About 0 %")
    assert not right and "third planted direction" in feedback
