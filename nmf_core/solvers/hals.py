"""HALS: hierarchical alternating least squares, with the accelerations that make it fast.

**The update.** With everything but one row ``F_j`` of a factor ``F`` (r×m, ``Hᵀ`` or ``W``)
fixed, the penalised objective is a separable quadratic in ``F_j``. Setting its derivative to
zero and clipping gives the exact minimiser

    F_j ← max(0, (cross_j − l1/2 − Σ_{i≠j} gram_ji F_i) / (gram_jj + l2)),

so a sweep over the rows ``j = 1 … r`` never increases the objective (Cichocki & Phan, 2009).

**Inner sweeps** (Gillis & Glineur, 2012). ``gram`` and ``cross`` are the expensive part of a
half step and a sweep is cheap, so the sweep is repeated with them while it still moves ``F``
(:func:`hals_sweeps`), up to a budget set by a cost model (:func:`inner_sweep_budget`).

**Extrapolation** (Ang & Gillis, 2019). In the slow tail of the convergence each pass starts
from ``max(0, F + β·(F − F_previous))``; the result is kept only if the objective went down,
otherwise the pass is redone from the last accepted point and ``β`` shrinks
(:class:`ExtrapolatedHALS`). The objective of every accepted iterate never increases.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import numpy as np

from .._blas import SERIAL_BLAS
from ._frobenius import FrobeniusPass
from ._types import Iterate, _Tuning

__all__ = ["ExtrapolatedHALS", "hals_half_step", "hals_sweeps", "inner_sweep_budget"]

_EPS = {"f": float(np.finfo(np.float32).eps), "d": float(np.finfo(np.float64).eps)}

# Cost model for the inner sweeps, in flop-equivalents of a dense GEMM. One sweep over the r
# rows is r matrix–vector products (2·m·r² flops), each reading the whole r×m factor: gemv runs
# several times slower per flop than GEMM while the factor sits in the core's cache, and slower
# still once it does not. Each row also costs a fixed Python/numpy overhead (3 numpy calls). A
# product with a mostly-zero X costs 2·r·nnz flops at a rate well below GEMM's.
# Fixed constants, not timings taken at run time, keep runs deterministic; the measurements
# behind them are in benchmarks/README.md.
_GEMV_FLOP_COST = 4.0
_GEMV_FLOP_COST_OUT_OF_CACHE = 16.0
_CACHE_BYTES = 1024 * 1024
_ROW_OVERHEAD_FLOPS = 1.0e5
SPARSE_FLOP_COST = 8.0
# Below this many entries a row product without BLAS goes through einsum (see hals_sweeps).
_SMALL_ROW_PRODUCT = 16384
# A sweep stops the inner loop once it moves the factor by less than this share of the first.
_HALS_DELTA = 0.1

# Extrapolation pays in the slow tail of the convergence; early on, when plain HALS still cuts
# the objective fast, it mostly overshoots. It starts once an iteration gains less than this.
_EXTRAPOLATE_BELOW = 0.2
_BETA_START = 0.5
_BETA_SHRINK = 1.5
_BETA_GROW = 1.05
_BETA_CAP_GROW = 1.01


def inner_sweep_budget(product_flops: float, m: int, r: int, alpha: float = _Tuning.alpha) -> int:
    """Inner sweeps worth doing: ``1 + α · (cost of the products) / (cost of one sweep)``.

    Parameters
    ----------
    product_flops : float
        Cost of forming the products ``gram`` and ``cross`` for this half step (≈ 2·n·k·r for
        dense ``X``).
    m : int
        Number of columns of the factor being updated (``n`` for Hᵀ, ``k`` for W).
    r : int
        Rank.
    alpha : float
        Share of the product cost to spend on extra sweeps.

    Returns
    -------
    int
        At least 1.
    """
    in_cache = 8 * m * r <= _CACHE_BYTES
    gemv_cost = _GEMV_FLOP_COST if in_cache else _GEMV_FLOP_COST_OUT_OF_CACHE
    sweep = gemv_cost * 2.0 * m * r * r + r * _ROW_OVERHEAD_FLOPS
    return max(1, int(1 + alpha * product_flops / sweep))


def inner_sweep_budgets(
    n: int, k: int, rank: int, nonzeros: int, tuning: _Tuning
) -> tuple[int, int]:
    """The sweep budgets of the ``Hᵀ`` and the ``W`` half steps for an n×k X at this rank.

    The budget depends on the matrix, not on how it is stored, so sparse and dense copies of
    the same X give the same factors: a mostly-zero X is costed like a sparse product.
    """
    if tuning.inner_sweeps is not None:
        return tuning.inner_sweeps, tuning.inner_sweeps
    product_flops = 2.0 * rank * min(float(n * k), SPARSE_FLOP_COST * nonzeros)
    budget_H = inner_sweep_budget(product_flops + 2.0 * k * rank * rank, n, rank, tuning.alpha)
    budget_W = inner_sweep_budget(product_flops + 2.0 * n * rank * rank, k, rank, tuning.alpha)
    return budget_H, budget_W


def hals_sweeps(
    factor: np.ndarray,
    gram: np.ndarray,
    cross: np.ndarray,
    l1: float,
    l2: float,
    max_sweeps: int,
    delta: float = _HALS_DELTA,
) -> None:
    """Accelerated HALS on the rows of ``factor`` (r×m), in place.

    Minimises ``‖M − Aᵀ·factor‖²_F + l1·Σ factor + l2·‖factor‖²_F`` over ``factor ≥ 0`` given
    ``gram = A Aᵀ`` (r×r) and ``cross = A M`` (r×m), one row ``F_j`` at a time with the others
    fixed. Setting the derivative in ``F_j`` to zero and clipping gives the exact minimiser

        F_j ← max(0, (cross_j − l1/2 − Σ_{i≠j} gram_ji F_i) / (gram_jj + l2)),

    so the objective never increases. The products ``gram`` and ``cross`` are the expensive
    part, so the sweep over all rows is repeated with them (Gillis & Glineur, 2012) until a sweep
    moves ``factor`` by less than ``delta`` times the first sweep did, or ``max_sweeps`` is hit.

    Parameters
    ----------
    factor : ndarray, shape (r, m), C-contiguous
        Updated in place.
    gram : ndarray, shape (r, r)
    cross : ndarray, shape (r, m)
        Not modified.
    l1, l2 : float
        Penalty weights for this factor.
    max_sweeps : int
    delta : float
    """
    rank = factor.shape[0]
    curvature = gram.diagonal()
    diagonal = curvature + l2 if l2 else curvature
    # A row of the other factor that is zero, or negligible next to the largest one, leaves
    # F_j (almost) out of the fit: dividing by its tiny curvature would only amplify rounding.
    # Such rows are skipped, which never increases the objective; exactly zero ones with an L1
    # penalty go to 0, their exact minimiser.
    negligible = _EPS[factor.dtype.char] * float(curvature.max(initial=0.0))
    active = (curvature > negligible) | (l2 > 0)
    if not active.all():
        if l1 > 0:
            factor[curvature == 0] = 0.0
        rows = np.flatnonzero(active)
        safe = np.where(active, diagonal, 1.0)
    else:
        rows = range(rank)
        safe = diagonal
    # Divide once per call instead of once per row and sweep: row j of ``coupling`` holds
    # gram_ji / (gram_jj + l2) for i ≠ j, and ``target`` holds (cross_j − l1/2) / (gram_jj + l2).
    coupling = gram / safe[:, None]
    coupling.flat[:: rank + 1] = 0.0
    coupling = coupling.astype(factor.dtype, copy=False)
    target = (cross - l1 / 2.0) if l1 else cross
    target = (target / safe[:, None]).astype(factor.dtype, copy=False)
    buffer = np.empty(factor.shape[1], dtype=factor.dtype)
    previous = np.empty_like(factor) if max_sweeps > 1 else factor
    # Without a way to hold BLAS to one thread (see nmf_core._blas), small row products go
    # through einsum's own loop rather than BLAS gemv, whose threads would wake for microseconds
    # of work; with the threads held, gemv is the faster of the two.
    small = not SERIAL_BLAS.available and factor.size <= _SMALL_ROW_PRODUCT
    # The row loop is numpy-call bound at the sizes a page uses, so views are made once and
    # functions bound locally. The clip compares with an array of zeros, not a scalar 0:
    # numpy's loop for two arrays is faster than its loop for an array and a broadcast scalar.
    if isinstance(rows, range):
        # Views made by numpy's own iterator: cheaper than indexing row by row.
        row_views = list(zip(coupling, target, factor, strict=True))
    else:
        row_views = [(coupling[j], target[j], factor[j]) for j in rows]
    subtract, maximum = np.subtract, np.maximum
    zero = np.zeros(factor.shape[1], dtype=factor.dtype)
    first_change = None
    for sweep in range(max_sweeps):
        # The last allowed sweep needs no snapshot: nothing would read its change.
        last = sweep == max_sweeps - 1
        if not last:
            np.copyto(previous, factor)
        if small:
            for coupling_j, target_j, factor_j in row_views:
                np.einsum("i,ij->j", coupling_j, factor, out=buffer)
                subtract(target_j, buffer, out=buffer)
                maximum(buffer, zero, out=factor_j)
        else:
            dot = np.dot
            for coupling_j, target_j, factor_j in row_views:
                dot(coupling_j, factor, out=buffer)
                subtract(target_j, buffer, out=buffer)
                maximum(buffer, zero, out=factor_j)
        if last:
            break
        np.subtract(factor, previous, out=previous)
        change = float(np.vdot(previous, previous))
        if first_change is None:
            first_change = change
        if change <= (delta**2) * first_change:
            break


def hals_half_step(
    factor: np.ndarray,
    gram: np.ndarray,
    cross: np.ndarray,
    l1: float,
    l2: float,
    max_sweeps: int,
) -> np.ndarray:
    """The HALS half step: :func:`hals_sweeps` on ``factor`` in place, on one BLAS thread.

    The sweeps are hundreds of tiny matrix–vector products, which always run on one thread
    (see :mod:`nmf_core._blas`); the products before them use BLAS as :func:`nmf_core.nmf` set it.

    Returns
    -------
    ndarray, shape (r, m)
        ``factor`` itself.
    """
    with SERIAL_BLAS:
        hals_sweeps(factor, gram, cross, l1, l2, max_sweeps)
    return factor


class ExtrapolatedHALS:
    """HALS iterations (Gillis–Glineur inner loops) with safeguarded extrapolation.

    Every accepted iterate has an objective no larger than the previous one: an extrapolated
    pass is kept only if it improves on the last accepted objective, else a plain HALS pass
    (monotone by construction) is done from the last accepted point instead.

    Parameters
    ----------
    frobenius_pass : FrobeniusPass
        A pass made of two :func:`hals_half_step` s.
    objective_of : callable
        ``objective_of(loss, Ht, W)``: the penalised objective at a point.
    extrapolate : bool
        ``False`` gives plain HALS with inner sweeps.
    """

    def __init__(
        self,
        frobenius_pass: FrobeniusPass,
        objective_of: Callable[[float, np.ndarray, np.ndarray], float],
        extrapolate: bool = _Tuning.extrapolate,
    ) -> None:
        self.frobenius_pass = frobenius_pass
        self.objective_of = objective_of
        self.beta = _BETA_START if extrapolate else 0.0
        self.beta_cap = 1.0
        self.previous: tuple[np.ndarray, np.ndarray] | None = None
        self.last_objective = float("inf")
        self.slow = False

    def start(
        self, Ht: np.ndarray, W: np.ndarray, blas: AbstractContextManager
    ) -> tuple[Iterate, float, float]:
        """See :meth:`FrobeniusPass.start`."""
        return self.frobenius_pass.start(Ht, W, blas)

    def step(self, point: Iterate, objective: float) -> tuple[Iterate, float]:
        """Advance from the accepted point ``point`` with objective ``objective``."""
        Ht, W = point.Ht, point.W
        if not self.slow and objective >= (1.0 - _EXTRAPOLATE_BELOW) * self.last_objective:
            self.slow = True
        self.last_objective = objective
        extrapolated = self.slow and self.beta > 0 and self.previous is not None
        if extrapolated:
            Ht_prev, W_prev = self.previous
            new_Ht = np.maximum(Ht + self.beta * (Ht - Ht_prev), 0.0)
            new_W = np.maximum(W + self.beta * (W - W_prev), 0.0)
            new_Ht, new_W, new_gram_W, loss = self.frobenius_pass.run(
                new_Ht, new_W, new_W @ new_W.T
            )
            # Keep the extrapolated pass only if it wins by more than rounding: a tie decided
            # by the last bit would make equal inputs (e.g. sparse and dense X) diverge.
            margin = 1e3 * _EPS[Ht.dtype.char] * abs(objective)
            if self.objective_of(loss, new_Ht, new_W) < objective - margin:
                self.beta = min(self.beta_cap, _BETA_GROW * self.beta)
                self.beta_cap = min(1.0, _BETA_CAP_GROW * self.beta_cap)
                self.previous = (Ht, W)
                return Iterate(new_Ht, new_W, new_gram_W), loss
            self.beta_cap = self.beta
            self.beta /= _BETA_SHRINK
        new_Ht, new_W, new_gram_W, loss = self.frobenius_pass.run(
            Ht.copy(), W.copy(), point.gram_W, point.cross_H
        )
        self.previous = (Ht, W)
        return Iterate(new_Ht, new_W, new_gram_W), loss
