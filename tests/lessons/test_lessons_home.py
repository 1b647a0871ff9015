"""The Home page's example (``nmf_lab.lessons.home``): a planted matrix and its NMF."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_core import nmf
from nmf_lab.demo_data import planted_nmf
from nmf_lab.lessons.home import (
    MAX_RANK,
    N_COLUMNS,
    N_ROWS,
    NOISE_QUESTION,
    PLANTED_RANK,
    factor_example,
    noise_checkpoint,
    rank_drop_checkpoint,
    residual_spread,
)


def test_the_example_is_the_planted_matrix_and_its_nmf():
    example = factor_example(2, 0.1, 4)
    X, _, _ = planted_nmf(N_ROWS, N_COLUMNS, PLANTED_RANK, noise=0.1, seed=4)
    np.testing.assert_array_equal(example.X, X)
    direct = nmf(X, 2, solver="hals", init="nndsvda", max_iter=500, tol=1e-8, seed=4)
    np.testing.assert_array_equal(example.H, direct.H)
    np.testing.assert_array_equal(example.W, direct.W)
    product = example.H @ example.W
    assert example.relative_error == pytest.approx(
        np.linalg.norm(X - product) / np.linalg.norm(X), rel=1e-12
    )


def test_at_the_planted_rank_without_noise_the_fit_is_essentially_exact():
    # The page: "With r equal to the rank the example was built with and no noise, the fit
    # is essentially exact; a smaller r forces a compromise".
    exact = factor_example(PLANTED_RANK, 0.0, 0)
    assert exact.relative_error < 1e-3
    assert factor_example(PLANTED_RANK - 1, 0.0, 0).relative_error > 10 * exact.relative_error
    assert min(exact.H.min(), exact.W.min()) >= 0


# The checkpoints: their right answers are read off the example on screen.


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("noise", [0.0, 0.2, 0.5])
def test_rank_drop_checkpoint_answers_with_the_error_one_rank_below(seed, noise):
    cp = rank_drop_checkpoint(noise, seed)
    below = factor_example(PLANTED_RANK - 1, noise, seed).relative_error
    expected = 0 if below < 0.005 else 1 if below < 0.10 else 2
    assert cp.correct == expected
    assert f"{below:.1%} at r = {PLANTED_RANK - 1}" in cp.explanation
    assert cp.key == "home_rank_drop"


def test_rank_drop_without_noise_is_a_few_percent_not_zero():
    # What the default page teaches: one pattern short costs a few percent.
    for seed in range(4):
        assert rank_drop_checkpoint(0.0, seed).right_label == "Under 10%"


def test_heavy_noise_makes_the_rank_drop_cost_ten_percent_or_more():
    cp = rank_drop_checkpoint(0.5, 0)
    assert cp.right_label == "10% or more"
    right, feedback = cp.verdict("Under 10%")
    assert not right and "noise" in feedback


@pytest.mark.parametrize("seed", range(4))
def test_noise_checkpoint_reads_the_residual_at_the_planted_rank(seed):
    cp = noise_checkpoint(seed)
    shown = factor_example(PLANTED_RANK, NOISE_QUESTION, seed)
    residual = shown.X - shown.H @ shown.W
    share = residual_spread(residual)
    assert shown.relative_error > 0.005
    assert cp.correct == (2 if share > 0.5 else 1)
    assert f"worst row holds {share:.0%}" in cp.explanation
    highest = factor_example(MAX_RANK, NOISE_QUESTION, seed).relative_error
    assert highest < shown.relative_error, "the text says the extra rows lower the error"
    assert f"falls to {highest:.1%}" in cp.explanation


def test_noise_spreads_over_every_row_at_the_default_seeds():
    for seed in range(4):
        assert noise_checkpoint(seed).right_label == "All over, in small patches"


def test_residual_spread_is_one_for_a_single_row_and_one_over_n_when_even():
    one_row = np.zeros((4, 3))
    one_row[2] = [1.0, -2.0, 0.5]
    assert residual_spread(one_row) == pytest.approx(1.0)
    assert residual_spread(np.ones((4, 3))) == pytest.approx(0.25)
    assert np.isnan(residual_spread(np.zeros((4, 3))))
    with pytest.raises(ValueError, match="2-D"):
        residual_spread(np.ones(3))
