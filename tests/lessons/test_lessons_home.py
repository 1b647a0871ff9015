"""The Home page's example (``nmf_lab.lessons.home``): a planted matrix and its NMF."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_core import nmf
from nmf_lab.demo_data import planted_nmf
from nmf_lab.lessons.home import N_COLUMNS, N_ROWS, PLANTED_RANK, factor_example


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
