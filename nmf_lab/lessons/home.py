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
from nmf_lab.demo_data import planted_nmf

__all__ = ["N_COLUMNS", "N_ROWS", "PLANTED_RANK", "Example", "factor_example"]

# The example: a small matrix with a planted nonnegative rank of 3, so r = 3 fits it exactly.
N_ROWS, N_COLUMNS, PLANTED_RANK = 8, 10, 3


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
