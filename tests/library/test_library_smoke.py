"""First smoke tests of the public API; the full suite lives beside this file."""

import numpy as np
import pytest

import nmf_core


@pytest.mark.parametrize("solver", nmf_core.SOLVERS)
def test_each_solver_returns_nonnegative_factors_of_the_right_shape(solver):
    X = np.random.default_rng(0).random((12, 7))
    result = nmf_core.nmf(X, 3, solver=solver, seed=0, max_iter=20)
    assert result.H.shape == (12, 3) and result.W.shape == (3, 7)
    assert result.H.min() >= 0 and result.W.min() >= 0
    assert len(result.losses) == result.n_iter + 1
