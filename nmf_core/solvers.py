"""The NMF solvers: ``X ≈ H W`` with ``H ≥ 0`` (n×r) and ``W ≥ 0`` (r×k).

Objective (Frobenius):

    ‖X − HW‖²_F + l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F

Every solver alternates between the two factors; one *iteration* updates ``H`` and then ``W``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import as_nonnegative_matrix, check_random_state, check_rank
from .init import _initialize_validated
from .losses import frobenius_loss, kl_divergence, penalty
from .nnls import nnls_gram

__all__ = ["LOSSES", "SOLVERS", "NMFResult", "nmf"]

SOLVERS = ("mu", "hals", "anls", "als")
LOSSES = ("frobenius", "kl")

Callback = Callable[[int, np.ndarray, np.ndarray, float], Any]

# Below this relative error the cheap trace formula for the loss loses digits to cancellation,
# so the residual is formed explicitly.
_DIRECT_LOSS_BELOW = 1e-8
_EPS = {"f": float(np.finfo(np.float32).eps), "d": float(np.finfo(np.float64).eps)}
_KL_EPS = 1e-12


@dataclass(frozen=True)
class NMFResult:
    """The outcome of :func:`nmf`.

    Attributes
    ----------
    H : ndarray, shape (n, r)
        Coefficients: row ``i`` holds the coordinates of point ``X[i]`` in the learned basis.
    W : ndarray, shape (r, k)
        Basis: each row is one learned basis vector.
    losses : ndarray, shape (n_iter + 1,)
        ``losses[0]`` at the start point, ``losses[i]`` after iteration ``i``: the squared
        Frobenius distance ``‖X − HW‖²_F`` (the generalised KL divergence for ``loss="kl"``).
    objectives : ndarray, shape (n_iter + 1,)
        ``losses`` plus the penalty terms; this is what the solver decreases.
    times : ndarray, shape (n_iter + 1,)
        Cumulative wall-clock seconds since the start point (``times[0] == 0``).
    n_iter : int
        Iterations run.
    converged : bool
        Whether the stopping rule fired before ``max_iter``.
    solver, init, loss : str
        The settings used (``init`` is ``"custom"`` for a given pair).
    """

    H: np.ndarray
    W: np.ndarray
    losses: np.ndarray
    objectives: np.ndarray
    times: np.ndarray
    n_iter: int
    converged: bool
    solver: str
    init: str
    loss: str
    _norm_X: float = field(repr=False, default=float("nan"))
    _final_frobenius: float = field(repr=False, default=float("nan"))

    @property
    def rank(self) -> int:
        """Number of basis vectors ``r``."""
        return self.W.shape[0]

    def reconstruction(self) -> np.ndarray:
        """Return ``H @ W``, shape (n, k)."""
        return self.H @ self.W

    @property
    def relative_error(self) -> float:
        """``‖X − HW‖_F / ‖X‖_F`` at the end (0 for a zero ``X``), for either loss."""
        if self._norm_X == 0:
            return 0.0
        return float(np.sqrt(max(self._final_frobenius, 0.0)) / self._norm_X)

    @property
    def relative_errors(self) -> np.ndarray:
        """``‖X − HW‖_F / ‖X‖_F`` after each iteration, shape (n_iter + 1,); Frobenius only.

        Raises
        ------
        ValueError
            For ``loss="kl"``, whose history holds divergences, not Frobenius distances.
        """
        if self.loss != "frobenius":
            raise ValueError("relative_errors is defined for loss='frobenius' only.")
        if self._norm_X == 0:
            return np.zeros_like(self.losses)
        return np.sqrt(np.maximum(self.losses, 0.0)) / self._norm_X


def _check_penalty(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a nonnegative number, got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a nonnegative number, got {value!r}.") from None
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a nonnegative finite number, got {value!r}.")
    return number


# Cost model for the accelerated HALS inner loop (Gillis & Glineur, 2012), in flop-equivalents
# of a dense GEMM. One sweep over the r rows is r matrix–vector products (2·m·r² flops), each
# reading the whole r×m factor: ~4× slower per flop than GEMM while the factor sits in the
# core's cache, ~16× once it does not. Add a fixed Python/numpy overhead per row (3 numpy
# calls). A product with a mostly-zero X costs 2·r·nnz flops at a rate ~8× below GEMM.
# Constants (not timings of this machine) keep runs deterministic.
_GEMV_FLOP_COST = 4.0
_GEMV_FLOP_COST_OUT_OF_CACHE = 16.0
_CACHE_BYTES = 1024 * 1024
_ROW_OVERHEAD_FLOPS = 1.0e5
_SPARSE_FLOP_COST = 8.0
_SMALL_ROW_PRODUCT = 16384
# A product of X with a factor below this many flops is done on one BLAS thread (~1 ms at the
# single-core GEMM rate of a laptop): sharing it out gains less than waking the threads costs.
_SERIAL_PRODUCT_FLOPS = 1.0e7
# A dense X of at most this many entries keeps a C-ordered copy of Xᵀ (see _Data).
_COPY_TRANSPOSE_UP_TO = 1 << 20
_HALS_ALPHA = 0.5
_HALS_DELTA = 0.1


def _hals_inner_budget(product_flops: float, m: int, r: int, alpha: float | None = None) -> int:
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
    alpha : float, optional
        Share of the product cost to spend on extra sweeps; default ``_HALS_ALPHA`` (read at
        call time, so the benchmark's ``--hals-alpha`` can vary it).

    Returns
    -------
    int
        At least 1.
    """
    if alpha is None:
        alpha = _HALS_ALPHA
    in_cache = 8 * m * r <= _CACHE_BYTES
    gemv_cost = _GEMV_FLOP_COST if in_cache else _GEMV_FLOP_COST_OUT_OF_CACHE
    sweep = gemv_cost * 2.0 * m * r * r + r * _ROW_OVERHEAD_FLOPS
    return max(1, int(1 + alpha * product_flops / sweep))


class _SerialBLAS:
    """Context manager holding BLAS to one thread inside; re-entrant and thread-safe.

    The HALS sweeps are hundreds of tiny gemv calls, and the products of a small or sparse X are
    small too. OpenBLAS hands anything above ~9 k entries to all its threads, which sleep
    between calls: on a busy 2-core machine waking them costs milliseconds, far more than the
    work (measured: 10 ms vs 1.2 ms per sweep call on the 5000×2000 sparse benchmark). One
    controller is built once (building one per call costs ~3 ms); entering costs ~10 µs. The
    thread count in force at the outermost entry is restored on the outermost exit, so nested or
    concurrent uses (e.g. two app sessions) cannot leave BLAS stuck at one thread. Without
    ``threadpoolctl`` it does nothing and ``available`` is False.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: list[tuple[Any, int]] = []
        self._libraries: list[Any] | None = None

    def _blas_libraries(self) -> list[Any]:
        if self._libraries is None:
            try:
                from threadpoolctl import ThreadpoolController

                self._libraries = list(
                    ThreadpoolController().select(user_api="blas").lib_controllers
                )
            except Exception:  # optional: without it BLAS keeps its default thread count
                self._libraries = []
        return self._libraries

    @property
    def available(self) -> bool:
        """Whether a BLAS library could be found and limited."""
        return bool(self._blas_libraries())

    def __enter__(self) -> _SerialBLAS:
        with self._lock:
            if self._depth == 0:
                self._saved = []
                for library in self._blas_libraries():
                    threads = library.num_threads
                    if threads != 1:
                        library.set_num_threads(1)
                        self._saved.append((library, threads))
            self._depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                for library, threads in self._saved:
                    library.set_num_threads(threads)
                self._saved = []


_SERIAL_BLAS = _SerialBLAS()


def _products_are_serial(sparse: bool, n: int, k: int, rank: int) -> bool:
    """Whether the products with an n×k X at this rank are formed with BLAS on one thread.

    Products with a sparse X run in scipy's single-threaded kernels anyway, and those of a
    small dense X are too short to pay for waking BLAS threads (see _SerialBLAS).
    """
    return sparse or 2.0 * n * k * rank <= _SERIAL_PRODUCT_FLOPS


def _hals_sweeps(
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
    # Without a way to hold BLAS to one thread (see _SerialBLAS), small row products go through
    # einsum's own loop rather than BLAS gemv: OpenBLAS hands a gemv above ~9 k entries to all
    # its threads, and on a busy 2-core machine waking them for a few microseconds of work
    # stalls far longer than the work itself. With the threads held, gemv is ~3× faster.
    small = not _SERIAL_BLAS.available and factor.size <= _SMALL_ROW_PRODUCT
    # The row loop is numpy-call bound at the sizes a page or the LFW faces use (a 16×100
    # factor: ~0.5 µs of work per call): views made once, functions bound locally. The clip
    # compares with an array of zeros, not a scalar 0: numpy's vectorised loop for two arrays
    # is ~2× faster than its loop for an array and a broadcast scalar (0.9 vs 1.8 µs at 2000).
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


def _mu_update(
    factor: np.ndarray, gram: np.ndarray, cross: np.ndarray, l1: float, l2: float
) -> None:
    """Lee–Seung step on ``factor`` (r×m), in place: ``F ← F ∘ cross / (gram F + l1/2 + l2 F)``.

    The numerator and denominator are the negative and positive parts of the gradient of the
    penalised objective, so the objective never increases (Lee & Seung, 2001). Where the
    denominator is 0 (a zero row of ``F`` and of ``gram``) the entry is left unchanged.
    """
    denominator = gram.astype(factor.dtype, copy=False) @ factor
    if l1:
        denominator += l1 / 2.0
    if l2:
        denominator += l2 * factor
    # Divide everywhere, then put back the few entries over a zero denominator: numpy's masked
    # division (``where=``) is 2× slower when every entry passes and ~9× slower when a few do
    # not (a zero row of X zeroes a column of H: 0.81 vs 0.09 ms at 20×5000).
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.divide(cross, denominator)
    unchanged = denominator == 0
    if unchanged.any():
        ratio[unchanged] = 1.0
    factor *= ratio


class _Data:
    """The data matrix and the products with it that every Frobenius solver needs.

    Factors are kept as ``Ht`` (r×n) and ``W`` (r×k): one row per basis coordinate, so each HALS
    row update reads and writes contiguous memory. ``X`` stays C-ordered; for a large dense X,
    BLAS reads ``Xᵀ`` via its transpose flag, so no copy of it is made.
    """

    def __init__(self, X) -> None:
        self.X = X
        self.sparse = sp.issparse(X)
        # A sparse Xᵀ stays the CSC view of the CSR X: scipy's CSC kernel for Xᵀ H is as fast as
        # the CSR one (1.1–1.3 ms both on the 5000×2000 benchmark), so converting it (0.5 ms and
        # a second copy of X) does not pay. A small dense X gets a C-ordered copy of Xᵀ: BLAS
        # reads it ~1.8× faster than the transposed view at the LFW faces' size (37 vs 68 µs for
        # W Xᵀ), and the copy is at most 8 MB.
        if self.sparse:
            self.XT = X.T
        elif X.size <= _COPY_TRANSPOSE_UP_TO:
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

        ``‖X‖² − 2⟨HᵀX, W⟩ + ⟨HᵀH, WWᵀ⟩`` costs O((n + k)·r²) instead of O(n·k·r). It loses
        digits to cancellation when the fit is very close, and always in float32; then the
        residual is formed (in float64 for accuracy).
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
        """``‖X‖² − 2⟨cross, partner⟩ + ⟨HᵀH, WWᵀ⟩``, or the residual where that loses digits."""
        if Ht.dtype == np.float64:
            # Frobenius inner products of float64 arrays: BLAS dot, ~5× faster than einsum here.
            inner = float(np.vdot(cross, partner))
            quad = float(np.vdot(gram_H, gram_W))
            value = self.norm2 - 2.0 * inner + quad
            if value > _DIRECT_LOSS_BELOW * self.norm2:
                return value
        return frobenius_loss(self.X, Ht.T, W)


def nmf(
    X,
    rank: int,
    *,
    solver: str = "hals",
    init: Any = "nndsvda",
    loss: str = "frobenius",
    max_iter: int = 200,
    tol: float = 1e-4,
    seed: Any = None,
    l1_H: float = 0.0,
    l1_W: float = 0.0,
    l2_H: float = 0.0,
    l2_W: float = 0.0,
    callback: Callback | None = None,
) -> NMFResult:
    """Nonnegative matrix factorisation ``X ≈ H W``.

    Minimises ``‖X − HW‖²_F + l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F`` over ``H ≥ 0``
    (n×r) and ``W ≥ 0`` (r×k), or the generalised KL divergence plus the same penalties.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, k)
        Nonnegative data; each row is a data point. Ints and bools become float64; float32 stays
        float32 (and the solver then computes in float32).
    rank : int
        Number of basis vectors ``r`` (rows of ``W``). May exceed ``min(n, k)`` with
        ``init="random"`` (or a custom start).
    solver : {"hals", "mu", "anls", "als"}
        - ``"hals"``: hierarchical alternating least squares (exact coordinate minimisation
          over one row of ``W`` or column of ``H`` at a time) with the accelerated inner loops
          of Gillis & Glineur (2012) and, in the slow tail of the convergence, safeguarded
          extrapolation (Ang & Gillis, 2019): an extrapolated step is kept only if it lowers
          the objective. Fast; the objective never increases.
        - ``"mu"``: Lee & Seung multiplicative updates. Simple; the objective never increases.
        - ``"anls"``: alternating nonnegative least squares, each half step solved exactly by
          block principal pivoting (Kim & Park, 2011). The objective never increases.
        - ``"als"``: unconstrained least squares, then negative entries clipped to zero. The
          classroom counterexample: the clipping can make the objective go *up*.
    init : {"nndsvda", "nndsvd", "nndsvdar", "random", "spa"} or tuple (H0, W0)
        Start point, see :func:`nmf_core.initialize`. A given pair is copied, never modified.
    loss : {"frobenius", "kl"}
        ``"kl"`` (generalised Kullback–Leibler ``Σ X log(X/HW) − X + HW``) works with
        ``solver="mu"``.
    max_iter : int
        Maximum number of iterations; one iteration updates ``H`` and then ``W``.
    tol : float
        Stopping rule: stop after iteration ``i`` when
        ``|objective[i−1] − objective[i]| ≤ tol · objective[i−1]`` (this includes reaching an
        objective of 0). ``tol=0`` runs exactly ``max_iter`` iterations (unless a callback
        stops earlier).
    seed : None, int or numpy.random.Generator
        Randomness of the initialisation (``"random"``, ``"nndsvdar"``). HALS, MU, ANLS and ALS
        themselves are deterministic.
    l1_H, l1_W, l2_H, l2_W : float
        Nonnegative penalty weights: ``l1·Σ(factor) + l2·‖factor‖²_F`` added to the objective.
    callback : callable, optional
        ``callback(iteration, H, W, loss)`` after each iteration ``1, 2, …``, with copies of
        the factors (safe to keep, e.g. as animation frames) and the data term ``losses[i]``.
        Returning ``True`` stops the solver. Time spent in the callback is not counted in
        ``times``. For a sparse or small X (``2·n·k·r ≤ 10⁷``) the solver holds BLAS to one
        thread for the whole run, where that is faster, so the callback runs on one BLAS
        thread too; the thread count is restored when ``nmf`` returns or raises.

    Returns
    -------
    NMFResult
        Factors, loss and objective histories, cumulative times, convergence flag.

    Raises
    ------
    ValueError
        Bad data (negative, NaN/inf, not numeric, not 2-D, empty), a rank that is not a
        positive integer, an unknown solver/init/loss, an unsupported solver/loss pair,
        ``nndsvd*``/``spa`` with ``rank > min(n, k)``, a bad custom start, bad penalties or
        iteration settings.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((30, 2)) @ rng.random((2, 10))      # exactly rank 2, nonnegative
    >>> result = nmf(X, 2, tol=0, max_iter=300)
    >>> result.H.shape, result.W.shape
    ((30, 2), (2, 10))
    >>> bool(result.relative_error < 1e-6)
    True
    """
    X = as_nonnegative_matrix(X)
    rank = check_rank(rank)
    if not isinstance(solver, str) or solver not in SOLVERS:
        raise ValueError(f"Unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}.")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}; choose one of {', '.join(LOSSES)}.")
    if loss == "kl" and solver != "mu":
        raise ValueError(f"loss='kl' is implemented with solver='mu' only, got solver={solver!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 0:
        raise ValueError(f"max_iter must be a nonnegative integer, got {max_iter!r}.")
    max_iter = int(max_iter)
    tol = _check_penalty("tol", tol)
    l1_H, l1_W = _check_penalty("l1_H", l1_H), _check_penalty("l1_W", l1_W)
    l2_H, l2_W = _check_penalty("l2_H", l2_H), _check_penalty("l2_W", l2_W)
    if callback is not None and not callable(callback):
        raise ValueError("callback must be callable as callback(iteration, H, W, loss).")

    init_name = "custom" if isinstance(init, tuple | list) else init
    H, W = _initialize_validated(X, rank, init, check_random_state(seed))
    dtype = X.dtype
    data = _Data(X)
    if not np.isfinite(data.norm2):
        raise ValueError("X has entries so large that ‖X‖² overflows; rescale X first.")
    n, k = X.shape
    penalties = (l1_H, l1_W, l2_H, l2_W)
    has_penalty = any(penalties)
    dense_X_for_kl = (X.toarray() if data.sparse else X) if loss == "kl" else None

    def objective_of(loss_value: float, Ht_: np.ndarray, W_: np.ndarray) -> float:
        if not has_penalty:
            return loss_value
        return loss_value + penalty(Ht_, W_, l1_H=l1_H, l1_W=l1_W, l2_H=l2_H, l2_W=l2_W)

    # One row per basis coordinate for both factors (see _Data).
    Ht = np.ascontiguousarray(H.T)
    W = np.ascontiguousarray(W)
    del H
    # The budget depends on the matrix, not on how it is stored, so sparse and dense copies of
    # the same X give the same factors: a mostly-zero X is costed like a sparse product.
    product_flops = 2.0 * rank * min(float(n * k), _SPARSE_FLOP_COST * data.nonzeros)
    budget_H = _hals_inner_budget(product_flops + 2.0 * k * rank * rank, n, rank)
    budget_W = _hals_inner_budget(product_flops + 2.0 * n * rank * rank, k, rank)
    identity = np.eye(rank)
    gram_W = W @ W.T  # WWᵀ, carried over from the end of one iteration to the next
    serial_products = _products_are_serial(data.sparse, n, k, rank)
    products_context = _SERIAL_BLAS if serial_products else contextlib.nullcontext()
    # Every Frobenius solver starts iteration 1 with W Xᵀ. Formed here, it also gives the start
    # point's loss for O((n + k)·r²) instead of a product of its own; its time is counted in
    # iteration 1, whose work it is.
    first_cross_H = None
    elapsed = 0.0
    if loss == "kl":
        first_loss = kl_divergence(dense_X_for_kl, Ht.T, W)
    else:
        started = time.perf_counter()
        with products_context:
            first_cross_H = data.cross_H(W)
        elapsed = time.perf_counter() - started
        first_loss = data.start_loss(Ht, W, first_cross_H, gram_W)
    losses = [first_loss]
    objectives = [objective_of(first_loss, Ht, W)]
    times = [0.0]
    converged = False
    extrapolation = _ExtrapolatedHALS(data, budget_H, budget_W, penalties, objective_of)
    # When every product is formed on one BLAS thread (see _products_are_serial), hold BLAS
    # there for the whole run instead of switching per pass: each switch costs ~10 µs and now
    # and then milliseconds (measured: ~1.5 ms of a 20 ms run on the faces set). The callback
    # then runs with BLAS on one thread too.
    with products_context:
        for iteration in range(1, max_iter + 1):
            started = time.perf_counter()
            cross_W = gram_H = None
            # W Xᵀ at the current W, when it is already known (iteration 1 only).
            known_cross_H, first_cross_H = first_cross_H, None
            if loss == "kl":
                Ht, W = _kl_mu_iteration(dense_X_for_kl, Ht, W, l1_H, l1_W, l2_H, l2_W)
                current_loss = kl_divergence(dense_X_for_kl, Ht.T, W)
            elif solver == "hals":
                Ht, W, gram_W, current_loss = extrapolation.step(
                    Ht, W, gram_W, objectives[-1], known_cross_H
                )
            else:
                cross_H = data.cross_H(W) if known_cross_H is None else known_cross_H
                if solver == "mu":
                    _mu_update(Ht, gram_W, cross_H, l1_H, l2_H)
                else:
                    Ht = _least_squares_step(
                        solver,
                        gram_W + l2_H * identity,
                        cross_H - l1_H / 2.0 if l1_H else cross_H,
                        Ht,
                        dtype,
                    )
                gram_H = Ht @ Ht.T
                cross_W = data.cross_W(Ht)
                if solver == "mu":
                    _mu_update(W, gram_H, cross_W, l1_W, l2_W)
                else:
                    W = _least_squares_step(
                        solver,
                        gram_H + l2_W * identity,
                        cross_W - l1_W / 2.0 if l1_W else cross_W,
                        W,
                        dtype,
                    )
                gram_W = W @ W.T
                current_loss = data.loss(Ht, W, cross_W, gram_H, gram_W)
            current_objective = objective_of(current_loss, Ht, W)
            elapsed += time.perf_counter() - started
            losses.append(current_loss)
            objectives.append(current_objective)
            times.append(elapsed)
            stop_requested = False
            if callback is not None:
                stop_requested = bool(
                    callback(iteration, np.ascontiguousarray(Ht.T), W.copy(), current_loss)
                )
            previous = objectives[-2]
            if tol > 0 and abs(previous - current_objective) <= tol * previous:
                converged = True
                break
            if stop_requested:
                break
    H = np.ascontiguousarray(Ht.T)
    final_frobenius = losses[-1] if loss == "frobenius" else frobenius_loss(X, H, W)
    return NMFResult(
        H=H,
        W=W,
        losses=np.asarray(losses, dtype=np.float64),
        objectives=np.asarray(objectives, dtype=np.float64),
        times=np.asarray(times, dtype=np.float64),
        n_iter=len(losses) - 1,
        converged=converged,
        solver=solver,
        init=str(init_name),
        loss=loss,
        _norm_X=float(np.sqrt(data.norm2)),
        _final_frobenius=float(final_frobenius),
    )


# Extrapolation with restarts (Ang & Gillis, 2019): start each HALS pass from
# max(0, F + β·(F − F_previous)) and keep the result only if the objective went down; otherwise
# redo the pass from the last accepted point and shrink β. β grows while steps are accepted.
_EXTRAPOLATE = True
# Extrapolation pays in the slow tail of the convergence; early on, when plain HALS still cuts
# the objective fast, it mostly overshoots. It starts once an iteration gains less than this.
_EXTRAPOLATE_BELOW = 0.2
_BETA_START = 0.5
_BETA_SHRINK = 1.5
_BETA_GROW = 1.05
_BETA_CAP_GROW = 1.01


class _ExtrapolatedHALS:
    """HALS iterations (Gillis–Glineur inner loops) with safeguarded extrapolation.

    Every accepted iterate has an objective no larger than the previous one: an extrapolated
    pass is kept only if it improves on the last accepted objective, else a plain HALS pass
    (monotone by construction) is done from the last accepted point instead.
    """

    def __init__(
        self,
        data: _Data,
        budget_H: int,
        budget_W: int,
        penalties: tuple[float, float, float, float],
        objective_of: Callable[[float, np.ndarray, np.ndarray], float],
    ) -> None:
        self.data = data
        self.budget_H, self.budget_W = budget_H, budget_W
        self.l1_H, self.l1_W, self.l2_H, self.l2_W = penalties
        self.objective_of = objective_of
        self.beta = _BETA_START if _EXTRAPOLATE else 0.0
        self.beta_cap = 1.0
        self.previous: tuple[np.ndarray, np.ndarray] | None = None
        self.last_objective = float("inf")
        self.slow = False
        self.passes = 0

    def _pass(
        self, Ht: np.ndarray, W: np.ndarray, gram_W: np.ndarray, cross_H: np.ndarray | None = None
    ) -> tuple[np.ndarray, float]:
        """One HALS pass on (Ht, W) in place; returns the new WWᵀ and the loss.

        ``cross_H``, if given, is ``W Xᵀ`` at this ``W`` (r×n), already formed. The products
        use BLAS as :func:`nmf` has set it (one thread for a small or sparse X); the sweeps,
        hundreds of tiny calls, always run on one thread.
        """
        self.passes += 1
        if cross_H is None:
            cross_H = self.data.cross_H(W)
        with _SERIAL_BLAS:
            _hals_sweeps(Ht, gram_W, cross_H, self.l1_H, self.l2_H, self.budget_H)
        gram_H = Ht @ Ht.T
        cross_W = self.data.cross_W(Ht)
        with _SERIAL_BLAS:
            _hals_sweeps(W, gram_H, cross_W, self.l1_W, self.l2_W, self.budget_W)
        new_gram_W = W @ W.T
        return new_gram_W, self.data.loss(Ht, W, cross_W, gram_H, new_gram_W)

    def step(
        self,
        Ht: np.ndarray,
        W: np.ndarray,
        gram_W: np.ndarray,
        objective: float,
        cross_H: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Advance from the accepted point (Ht, W) with objective ``objective``.

        ``cross_H``, if given, is ``W Xᵀ`` at this ``W`` (r×n), already formed.
        """
        if not self.slow and objective >= (1.0 - _EXTRAPOLATE_BELOW) * self.last_objective:
            self.slow = True
        self.last_objective = objective
        extrapolated = self.slow and self.beta > 0 and self.previous is not None
        if extrapolated:
            Ht_prev, W_prev = self.previous
            new_Ht = np.maximum(Ht + self.beta * (Ht - Ht_prev), 0.0)
            new_W = np.maximum(W + self.beta * (W - W_prev), 0.0)
            new_gram_W, loss = self._pass(new_Ht, new_W, new_W @ new_W.T)
            # Keep the extrapolated pass only if it wins by more than rounding: a tie decided
            # by the last bit would make equal inputs (e.g. sparse and dense X) diverge.
            margin = 1e3 * _EPS[Ht.dtype.char] * abs(objective)
            if self.objective_of(loss, new_Ht, new_W) < objective - margin:
                self.beta = min(self.beta_cap, _BETA_GROW * self.beta)
                self.beta_cap = min(1.0, _BETA_CAP_GROW * self.beta_cap)
                self.previous = (Ht, W)
                return new_Ht, new_W, new_gram_W, loss
            self.beta_cap = self.beta
            self.beta /= _BETA_SHRINK
        new_Ht, new_W = Ht.copy(), W.copy()
        new_gram_W, loss = self._pass(new_Ht, new_W, gram_W, cross_H)
        self.previous = (Ht, W)
        return new_Ht, new_W, new_gram_W, loss


def _least_squares_step(
    solver: str, gram: np.ndarray, rhs: np.ndarray, factor: np.ndarray, dtype: np.dtype
) -> np.ndarray:
    """One half step of ANLS (exact NNLS, warm-started) or ALS (least squares, then clip).

    ``gram`` (r×r) and ``rhs`` (r×m) are the normal equations of the half step; returns the new
    factor (r×m) in ``dtype``. For ANLS the result is kept only where it does not make the half
    step's objective ``½ fᵀ G f − bᵀ f`` worse than the current factor: with a singular ``G``
    (rank above ``min(n, k)``) pivoting can stop early, and ANLS must never go uphill.
    """
    if solver == "als":
        new = np.maximum(
            np.linalg.lstsq(
                np.asarray(gram, dtype=np.float64), np.asarray(rhs, dtype=np.float64), rcond=None
            )[0],
            0.0,
        )
        return np.ascontiguousarray(new, dtype=dtype)
    new = np.ascontiguousarray(nnls_gram(gram, rhs, start=factor), dtype=dtype)
    gram64, rhs64 = np.asarray(gram, dtype=np.float64), np.asarray(rhs, dtype=np.float64)

    def column_objectives(F: np.ndarray) -> np.ndarray:
        F = F.astype(np.float64)
        return 0.5 * np.einsum("ij,ij->j", F, gram64 @ F) - np.einsum("ij,ij->j", rhs64, F)

    worse = column_objectives(new) > column_objectives(factor)
    if worse.any():
        new[:, worse] = factor[:, worse]
    return new


def _kl_mu_iteration(
    X: np.ndarray, Ht: np.ndarray, W: np.ndarray, l1_H: float, l1_W: float, l2_H: float, l2_W: float
) -> tuple[np.ndarray, np.ndarray]:
    """One Lee–Seung iteration for ``Σ X log(X/HW) − X + HW`` plus penalties (dense ``X``)."""
    _kl_mu_update(Ht, W, X.T, l1_H, l2_H)
    _kl_mu_update(W, Ht, X, l1_W, l2_W)
    return Ht, W


def _kl_mu_update(
    factor: np.ndarray, other: np.ndarray, data: np.ndarray, l1: float, l2: float
) -> None:
    """Majorise–minimise step for one factor (r×m) of the penalised KL objective, in place.

    With ``a = F ∘ (other · (data / otherᵀF))`` (Jensen's bound on the log term) and
    ``c = other·1 + l1``, each entry minimises ``c·f − a·log f + l2·f²``, whose minimiser is
    ``f = 2a / (c + sqrt(c² + 8·l2·a))`` — Lee & Seung's ``a / c`` when ``l2 = 0``. Being the
    exact minimiser of a majoriser, it never increases the objective. Entries with ``c = 0``
    (a zero row of ``other`` and no penalty) are left unchanged.
    """
    ratio = data / np.maximum(other.T @ factor, _KL_EPS)  # shape (n_other, m)
    a = factor * (other @ ratio)
    c = other.sum(axis=1)[:, None] + l1
    if l2:
        denominator = c + np.sqrt(c * c + 8.0 * l2 * a)
        np.divide(2.0 * a, denominator, out=factor, where=denominator > 0)
    else:
        c = np.broadcast_to(c, factor.shape)
        np.divide(a, c, out=factor, where=c > 0)
