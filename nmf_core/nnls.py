"""Exact nonnegative least squares with many right-hand sides (block principal pivoting).

ANLS and the SPA initialisation need ``min_{Z ≥ 0} ‖M − A Z‖²_F`` solved exactly. Everything is
done on the normal equations: with ``G = AᵀA`` (r×r) and ``B = AᵀM`` (r×m) each column ``z`` of
``Z`` solves the convex quadratic program ``min_{z ≥ 0} ½ zᵀ G z − bᵀ z``.

All columns are pivoted together (Kim & Park, 2011): each pivoting step solves, for every column
that is not finished yet, the unconstrained problem on its passive set. Columns that share a
passive set share one matrix, and all the small systems go to LAPACK in one batched call, so the
Python-level work per step does not grow with the number of columns.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nnls_gram"]

# Full exchanges allowed without progress before the single-exchange backup rule takes over
# (Kim & Park, 2011, Algorithm 2 use 3).
_FULL_EXCHANGE_BUDGET = 3
# Bound on the memory of one batch of (columns × r × r) matrices, in matrix entries.
_BATCH_ENTRIES = 4_000_000


def _solve_on_passive_sets(gram: np.ndarray, rhs: np.ndarray, passive: np.ndarray) -> np.ndarray:
    """Solve ``G[P, P] z[P] = b[P]``, ``z[~P] = 0`` for every column (batched).

    Parameters
    ----------
    gram : ndarray, shape (r, r)
    rhs : ndarray, shape (r, m)
    passive : ndarray of bool, shape (r, m)

    Returns
    -------
    ndarray, shape (r, m)
    """
    r, m = rhs.shape
    solution = np.zeros((r, m))
    if m == 0:
        return solution
    # Columns with the same passive set share a matrix: factor each distinct one once.
    patterns, which = _distinct_columns(passive)
    mask = patterns[:, :, None] & patterns[:, None, :]
    matrices = np.where(mask, gram, 0.0)
    # Rows outside the passive set become identity rows, so z there is b·0 = 0.
    matrices[:, np.arange(r), np.arange(r)] += ~patterns
    masked_rhs = np.where(passive, rhs, 0.0)
    if len(patterns) * 4 <= m:
        # Few distinct sets: one solve per set with all its columns as right-hand sides.
        order = np.argsort(which, kind="stable")
        bounds = np.searchsorted(which[order], np.arange(len(patterns) + 1))
        for index in range(len(patterns)):
            columns = order[bounds[index] : bounds[index + 1]]
            solution[:, columns] = np.linalg.solve(matrices[index], masked_rhs[:, columns])
        return solution
    # Many distinct sets: one batched LAPACK call over the columns, in bounded chunks.
    step = max(1, _BATCH_ENTRIES // max(r * r, 1))
    stacked_rhs = masked_rhs.T[:, :, None]
    for begin in range(0, m, step):
        end = min(m, begin + step)
        solved = np.linalg.solve(matrices[which[begin:end]], stacked_rhs[begin:end])
        solution[:, begin:end] = solved[:, :, 0].T
    return solution


def _distinct_columns(passive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct columns of a boolean (r, m) matrix, as rows (u, r), and each column's index."""
    r = passive.shape[0]
    if r <= 62:
        # Read each column as the bits of one integer: a 1-D unique is much faster.
        keys = (passive.T.astype(np.int64) << np.arange(r, dtype=np.int64)).sum(axis=1)
        _, first, which = np.unique(keys, return_index=True, return_inverse=True)
        return passive[:, first].T.copy(), np.ravel(which)
    patterns, which = np.unique(passive.T, axis=0, return_inverse=True)
    return patterns, np.ravel(which)


def nnls_gram(
    gram: np.ndarray,
    rhs: np.ndarray,
    *,
    start: np.ndarray | None = None,
    max_iter: int | None = None,
) -> np.ndarray:
    """Solve ``min_{z ≥ 0} ½ zᵀ G z − bᵀ z`` for every column ``b`` of ``rhs``.

    Block principal pivoting (Kim & Park, 2011): guess the passive set ``P`` (the entries that
    are positive at the solution), solve ``G[P,P] z[P] = b[P]``, compute the gradient
    ``y = G z − b``, and swap every entry that breaks the optimality conditions
    (``z[P] < 0`` or ``y[~P] < 0``) between the two sets. If a full exchange does not reduce the
    number of infeasible entries for three steps in a row, only the last one is swapped (Murty's
    rule), which terminates for positive definite ``G``. All columns are pivoted at once; a tiny
    ridge keeps singular ``G`` (e.g. a zero basis vector) solvable.

    Parameters
    ----------
    gram : ndarray, shape (r, r)
        Symmetric positive semi-definite ``G = AᵀA`` (plus any L2 ridge).
    rhs : ndarray, shape (r, m)
        ``B = AᵀM`` (minus any L1 shift).
    start : ndarray, shape (r, m), optional
        A previous solution: its positive entries seed the passive sets (warm start).
    max_iter : int, optional
        Cap on pivoting steps (default ``5 * r + 10``).

    Returns
    -------
    ndarray, shape (r, m), float64
        The nonnegative minimisers, one per column.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(nnls_gram(np.eye(2), np.array([[1.0], [-2.0]])), 9).ravel().tolist()
    [1.0, 0.0]
    """
    gram = np.asarray(gram, dtype=np.float64)
    rhs = np.asarray(rhs, dtype=np.float64)
    if rhs.ndim != 2 or gram.shape != (rhs.shape[0], rhs.shape[0]):
        raise ValueError(f"gram must be (r, r) and rhs (r, m); got {gram.shape} and {rhs.shape}.")
    r, m = rhs.shape
    if r == 0 or m == 0:
        return np.zeros((r, m))
    scale = float(np.trace(gram)) / r
    if not scale > 0:
        scale = 1.0  # G = 0: the minimiser is max(b, 0)/ridge, i.e. 0 for the b ≤ 0 NMF gives
    # Regularise only what is singular: a relative ridge far below any meaningful curvature.
    gram = gram + (1e-12 * scale) * np.eye(r)
    # Optimality is judged with a tolerance relative to the size of the problem's numbers.
    threshold = 1e-12 * max(scale, float(np.abs(rhs).max(initial=0.0)))
    max_iter = 5 * r + 10 if max_iter is None else int(max_iter)

    if start is not None:
        passive = np.asarray(start) > 0
    else:
        passive = np.zeros((r, m), dtype=bool)
    solution = _solve_on_passive_sets(gram, rhs, passive)
    best_count = np.full(m, r + 1)
    budget = np.full(m, _FULL_EXCHANGE_BUDGET)
    active_columns = np.arange(m)
    for _ in range(max_iter):
        z = solution[:, active_columns]
        P = passive[:, active_columns]
        gradient = gram @ z - rhs[:, active_columns]
        infeasible = (P & (z < 0)) | (~P & (gradient < -threshold))
        counts = infeasible.sum(axis=0)
        unfinished = counts > 0
        if not unfinished.any():
            break
        active_columns = active_columns[unfinished]
        infeasible, counts, P = infeasible[:, unfinished], counts[unfinished], P[:, unfinished]
        improved = counts < best_count[active_columns]
        best_count[active_columns[improved]] = counts[improved]
        budget[active_columns[improved]] = _FULL_EXCHANGE_BUDGET
        full = improved | (budget[active_columns] > 0)
        budget[active_columns[~improved & full]] -= 1
        # Full exchange: swap every infeasible entry. Backup: swap only the last one.
        flips = np.where(full, infeasible, False)
        single = np.flatnonzero(~full)
        if single.size:
            last = r - 1 - np.argmax(infeasible[::-1, single], axis=0)
            flips[last, single] = True
        P = P ^ flips
        passive[:, active_columns] = P
        solution[:, active_columns] = _solve_on_passive_sets(gram, rhs[:, active_columns], P)
    return np.maximum(solution, 0.0)
