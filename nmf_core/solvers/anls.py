"""Alternating (nonnegative) least squares: each half step solves for one whole factor.

With the other factor fixed, the penalised objective in ``F`` (r×m) is a least-squares problem
with the normal equations

    (gram + l2·I) F = cross − l1/2.

- **ANLS** solves it exactly over ``F ≥ 0`` (block principal pivoting, Kim & Park, 2011, see
  :func:`nmf_core.nnls_gram`), so the objective never increases.
- **ALS** solves it without the constraint and clips the negative entries to 0. Clipping is not
  the projection onto the best nonnegative solution, so the objective can go *up*: the classroom
  counterexample.
"""

from __future__ import annotations

import numpy as np

from ..nnls import nnls_gram

__all__ = ["als_half_step", "anls_half_step"]


def _normal_equations(
    gram: np.ndarray, cross: np.ndarray, l1: float, l2: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(gram + l2·I, cross − l1/2)``, the penalised normal equations of a half step."""
    return gram + l2 * np.eye(len(gram)), (cross - l1 / 2.0 if l1 else cross)


def anls_half_step(
    factor: np.ndarray, gram: np.ndarray, cross: np.ndarray, l1: float, l2: float
) -> np.ndarray:
    """ANLS: the exact nonnegative minimiser of the half step, warm-started at ``factor``.

    The result is kept only where it does not make the half step's objective
    ``½ fᵀ G f − bᵀ f`` (per column ``f``) worse than the current factor: with a singular ``G``
    (rank above ``min(n, k)``) pivoting can stop early, and ANLS must never go uphill.

    Parameters
    ----------
    factor : ndarray, shape (r, m)
        The current ``Hᵀ`` or ``W`` (not modified).
    gram : ndarray, shape (r, r)
    cross : ndarray, shape (r, m)
    l1, l2 : float
        Penalty weights on this factor.

    Returns
    -------
    ndarray, shape (r, m)
        The new factor, in ``factor``'s dtype.
    """
    gram, rhs = _normal_equations(gram, cross, l1, l2)
    new = np.ascontiguousarray(nnls_gram(gram, rhs, start=factor), dtype=factor.dtype)
    gram64, rhs64 = np.asarray(gram, dtype=np.float64), np.asarray(rhs, dtype=np.float64)

    def column_objectives(F: np.ndarray) -> np.ndarray:
        F = F.astype(np.float64)
        return 0.5 * np.einsum("ij,ij->j", F, gram64 @ F) - np.einsum("ij,ij->j", rhs64, F)

    worse = column_objectives(new) > column_objectives(factor)
    if worse.any():
        new[:, worse] = factor[:, worse]
    return new


def als_half_step(
    factor: np.ndarray, gram: np.ndarray, cross: np.ndarray, l1: float, l2: float
) -> np.ndarray:
    """ALS: ``F ← max(0, (gram + l2·I)⁺ (cross − l1/2))``, least squares then clipping.

    Parameters
    ----------
    factor : ndarray, shape (r, m)
        The current ``Hᵀ`` or ``W`` (only its dtype is used).
    gram : ndarray, shape (r, r)
    cross : ndarray, shape (r, m)
    l1, l2 : float
        Penalty weights on this factor.

    Returns
    -------
    ndarray, shape (r, m)
        The new factor, in ``factor``'s dtype.
    """
    gram, rhs = _normal_equations(gram, cross, l1, l2)
    solution = np.linalg.lstsq(
        np.asarray(gram, dtype=np.float64), np.asarray(rhs, dtype=np.float64), rcond=None
    )[0]
    return np.ascontiguousarray(np.maximum(solution, 0.0), dtype=factor.dtype)
