"""Exact nonnegative least squares with many right-hand sides (block principal pivoting).

ANLS and the SPA initialisation need ``min_{Z ≥ 0} ‖M − A Z‖²_F`` solved exactly. Everything is
done on the normal equations: with ``G = AᵀA`` (r×r) and ``B = AᵀM`` (r×m) each column ``z`` of
``Z`` solves the convex quadratic program ``min_{z ≥ 0} ½ zᵀ G z − bᵀ z``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nnls_gram"]


def nnls_gram(gram: np.ndarray, rhs: np.ndarray, *, start: np.ndarray | None = None,
              max_iter: int | None = None) -> np.ndarray:
    """Solve ``min_{z ≥ 0} ½ zᵀ G z − bᵀ z`` for every column ``b`` of ``rhs``.

    Uses block principal pivoting (Kim & Park, 2011) with the full-exchange rule and Murty's
    single-exchange backup, which terminates in a finite number of steps for positive definite
    ``G``. A tiny ridge is added when ``G`` is singular so each step stays well defined.

    Parameters
    ----------
    gram : ndarray, shape (r, r)
        Symmetric positive semi-definite ``G = AᵀA`` (plus any L2 ridge).
    rhs : ndarray, shape (r, m)
        ``B = AᵀM`` (minus any L1 shift).
    start : ndarray, shape (r, m), optional
        A previous solution: its positive entries seed the passive sets (warm start).
    max_iter : int, optional
        Cap on pivoting steps per column (default ``5 * r + 10``).

    Returns
    -------
    ndarray, shape (r, m)
        The nonnegative minimisers, one per column.
    """
    gram = np.asarray(gram, dtype=np.float64)
    rhs = np.asarray(rhs, dtype=np.float64)
    r, m = rhs.shape
    scale = max(float(np.trace(gram)) / max(r, 1), 1.0)
    # Regularise only what is singular: a relative ridge far below any meaningful curvature.
    gram = gram + (1e-12 * scale) * np.eye(r)
    max_iter = 5 * r + 10 if max_iter is None else max_iter
    solution = np.zeros((r, m))
    passive_all = (start > 0) if start is not None else np.zeros((r, m), dtype=bool)
    for column in range(m):
        b = rhs[:, column]
        passive = passive_all[:, column].copy()
        best_infeasible = r + 1
        backup_left = 3
        z = np.zeros(r)
        for _ in range(max_iter):
            z = np.zeros(r)
            if passive.any():
                idx = np.flatnonzero(passive)
                z[idx] = np.linalg.solve(gram[np.ix_(idx, idx)], b[idx])
            gradient = gram @ z - b
            infeasible = (passive & (z < 0)) | (~passive & (gradient < -1e-12 * scale))
            count = int(infeasible.sum())
            if count == 0:
                break
            if count < best_infeasible:
                best_infeasible = count
                backup_left = 3
                passive ^= infeasible
            elif backup_left > 0:
                backup_left -= 1
                passive ^= infeasible
            else:
                last = np.flatnonzero(infeasible)[-1]
                passive[last] = not passive[last]
        solution[:, column] = np.maximum(z, 0.0)
    return solution
