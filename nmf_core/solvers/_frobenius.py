"""The products with ``X`` every Frobenius solver needs, and the pass they all share.

One *pass* updates ``Hᵀ`` with the products of ``W`` and then ``W`` with those of the new ``Hᵀ``:

    cross_H = W Xᵀ,   Hᵀ ← half_step(Hᵀ, W Wᵀ, cross_H)
    cross_W = Hᵀ X,   W  ← half_step(W, Hᵀ H, cross_W)

The solvers differ only in ``half_step`` (MU, HALS sweeps, ANLS, ALS); the two products with
``X`` are the expensive part, and the loss of the new point comes almost free from them.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager

import numpy as np
import scipy.sparse as sp

from ..losses import frobenius_loss, trace_formula_loss
from ._types import HalfStep, Iterate, _Tuning

__all__ = ["DataProducts", "FrobeniusPass", "PlainIteration"]


class DataProducts:
    """The data matrix and the products with it that every Frobenius solver needs.

    Factors are kept as ``Ht`` (r×n) and ``W`` (r×k): one row per basis coordinate, so each HALS
    row update reads and writes contiguous memory. ``X`` stays C-ordered; for a large dense X,
    BLAS reads ``Xᵀ`` via its transpose flag, so no copy of it is made.

    Parameters
    ----------
    X : ndarray or scipy.sparse.csr_matrix, shape (n, k)
        Validated data.
    copy_transpose_up_to : int
        A dense ``X`` of at most this many entries keeps a C-ordered copy of ``Xᵀ``.
    """

    def __init__(self, X, copy_transpose_up_to: int = _Tuning.copy_transpose_up_to) -> None:
        self.X = X
        self.sparse = sp.issparse(X)
        # A sparse Xᵀ stays the CSC view of the CSR X: scipy's CSC kernel for Xᵀ H is as fast as
        # the CSR one, so a converted copy would not pay for itself. BLAS reads a C-ordered copy
        # of a small dense Xᵀ faster than the transposed view, and the copy is small
        # (benchmarks/README.md has the measurements).
        if self.sparse:
            self.XT = X.T
        elif X.size <= copy_transpose_up_to:
            self.XT = np.ascontiguousarray(X.T)
        else:
            self.XT = X.T
        if self.sparse:
            self.norm2 = float(np.dot(X.data, X.data))
            self.nonzeros = int(np.count_nonzero(X.data))
        else:
            self.norm2 = float(np.einsum("ij,ij->", X, X, dtype=np.float64))
            self.nonzeros = int(np.count_nonzero(X))

    def cross_H(self, W: np.ndarray) -> np.ndarray:
        """``W Xᵀ``, shape (r, n)."""
        if self.sparse:
            return np.ascontiguousarray((self.X @ W.T).T)
        return W @ self.XT

    def cross_W(self, Ht: np.ndarray) -> np.ndarray:
        """``Hᵀ X``, shape (r, k)."""
        if self.sparse:
            return np.ascontiguousarray((self.XT @ Ht.T).T)
        return Ht @ self.X

    def loss(
        self,
        Ht: np.ndarray,
        W: np.ndarray,
        cross_W: np.ndarray | None = None,
        gram_H: np.ndarray | None = None,
        gram_W: np.ndarray | None = None,
    ) -> float:
        """``‖X − HW‖²_F``, from the products of the last W-update when they are given.

        ``‖X‖² − 2⟨HᵀX, W⟩ + ⟨HᵀH, WWᵀ⟩`` (see :func:`nmf_core.losses.trace_formula_loss`)
        costs O((n + k)·r²) instead of O(n·k·r). Where it loses digits to cancellation, and
        always in float32, the residual is formed (in float64 for accuracy).
        """
        if cross_W is not None and gram_H is not None and gram_W is not None:
            return self._from_traces(cross_W, W, gram_H, gram_W, Ht, W)
        return frobenius_loss(self.X, Ht.T, W)

    def start_loss(
        self, Ht: np.ndarray, W: np.ndarray, cross_H: np.ndarray, gram_W: np.ndarray
    ) -> float:
        """``‖X − HW‖²_F`` at a start point, from ``cross_H = W Xᵀ`` (r×n) and ``gram_W``.

        The same trace formula as :meth:`loss`, with ``⟨W Xᵀ, Hᵀ⟩ = ⟨HᵀX, W⟩``: the first
        product every Frobenius solver forms then also gives the loss of the start point.
        """
        return self._from_traces(cross_H, Ht, Ht @ Ht.T, gram_W, Ht, W)

    def _from_traces(
        self,
        cross: np.ndarray,
        partner: np.ndarray,
        gram_H: np.ndarray,
        gram_W: np.ndarray,
        Ht: np.ndarray,
        W: np.ndarray,
    ) -> float:
        """The trace formula from ``⟨cross, partner⟩``, or the residual where that loses digits."""
        if Ht.dtype == np.float64:
            # Frobenius inner products of float64 arrays through BLAS dot (faster than einsum).
            inner = float(np.vdot(cross, partner))
            quad = float(np.vdot(gram_H, gram_W))
            value = trace_formula_loss(self.norm2, inner, quad)
            if value is not None:
                return value
        return frobenius_loss(self.X, Ht.T, W)


class FrobeniusPass:
    """One alternating pass ``Hᵀ ← half_step_H(…)``, ``W ← half_step_W(…)`` and its loss.

    Parameters
    ----------
    data : DataProducts
    half_step_H, half_step_W : HalfStep
        One solver's half step with the penalty weights (and any solver setting) of ``H`` and
        of ``W`` bound in.
    """

    def __init__(self, data: DataProducts, half_step_H: HalfStep, half_step_W: HalfStep) -> None:
        self.data = data
        self.half_step_H, self.half_step_W = half_step_H, half_step_W

    def run(
        self, Ht: np.ndarray, W: np.ndarray, gram_W: np.ndarray, cross_H: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """One pass from ``(Ht, W)``; returns the new ``Ht``, ``W``, ``W Wᵀ`` and the loss.

        ``gram_W`` is ``W Wᵀ`` at this ``W``; ``cross_H``, if given, is ``W Xᵀ``, already
        formed. The half steps may update ``Ht`` and ``W`` in place.
        """
        if cross_H is None:
            cross_H = self.data.cross_H(W)
        Ht = self.half_step_H(Ht, gram_W, cross_H)
        gram_H = Ht @ Ht.T
        cross_W = self.data.cross_W(Ht)
        W = self.half_step_W(W, gram_H, cross_W)
        new_gram_W = W @ W.T
        return Ht, W, new_gram_W, self.data.loss(Ht, W, cross_W, gram_H, new_gram_W)

    def start(
        self, Ht: np.ndarray, W: np.ndarray, blas: AbstractContextManager
    ) -> tuple[Iterate, float, float]:
        """The start point with ``W Wᵀ`` and ``W Xᵀ``, its loss, and the seconds of ``W Xᵀ``.

        Every pass begins with ``W Xᵀ``. Formed here, it also gives the start point's loss for
        O((n + k)·r²) instead of a product of its own; its time belongs to iteration 1.
        """
        gram_W = W @ W.T
        started = time.perf_counter()
        with blas:
            cross_H = self.data.cross_H(W)
        seconds = time.perf_counter() - started
        loss = self.data.start_loss(Ht, W, cross_H, gram_W)
        return Iterate(Ht, W, gram_W, cross_H), loss, seconds


class PlainIteration:
    """An iteration that is one pass (MU, ANLS, ALS)."""

    def __init__(self, frobenius_pass: FrobeniusPass) -> None:
        self.frobenius_pass = frobenius_pass

    def start(
        self, Ht: np.ndarray, W: np.ndarray, blas: AbstractContextManager
    ) -> tuple[Iterate, float, float]:
        """See :meth:`FrobeniusPass.start`."""
        return self.frobenius_pass.start(Ht, W, blas)

    def step(self, point: Iterate, objective: float) -> tuple[Iterate, float]:
        """One pass from ``point``; ``objective`` is not needed."""
        Ht, W, gram_W, loss = self.frobenius_pass.run(
            point.Ht, point.W, point.gram_W, point.cross_H
        )
        return Iterate(Ht, W, gram_W), loss
