"""The NMF solvers: ``X ≈ H W`` with ``H ≥ 0`` (n×r) and ``W ≥ 0`` (r×k).

Objective (Frobenius):

    ‖X − HW‖²_F + l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F

Every solver alternates between the two factors; one *iteration* updates ``H`` and then ``W``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import as_nonnegative_matrix, check_rank
from .init import initialize
from .losses import frobenius_loss, kl_divergence, penalty
from .nnls import nnls_gram

__all__ = ["LOSSES", "SOLVERS", "NMFResult", "nmf"]

SOLVERS = ("mu", "hals", "anls", "als")
LOSSES = ("frobenius", "kl")

Callback = Callable[[int, np.ndarray, np.ndarray, float], Any]

# Below this relative error the cheap trace formula for the loss loses digits to cancellation,
# so the residual is formed explicitly.
_DIRECT_LOSS_BELOW = 1e-8
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

    @property
    def rank(self) -> int:
        """Number of basis vectors ``r``."""
        return self.W.shape[0]

    def reconstruction(self) -> np.ndarray:
        """Return ``H @ W``, shape (n, k)."""
        return self.H @ self.W

    @property
    def relative_error(self) -> float:
        """``‖X − HW‖_F / ‖X‖_F`` at the end (0 for a zero ``X``); Frobenius loss only."""
        if self._norm_X == 0:
            return 0.0
        return float(np.sqrt(max(self.losses[-1], 0.0)) / self._norm_X)


def _check_penalty(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a nonnegative number, got {value!r}.") from None
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a nonnegative finite number, got {value!r}.")
    return number


def _hals_sweeps(factor: np.ndarray, gram: np.ndarray, cross: np.ndarray, l1: float, l2: float,
                 max_sweeps: int, delta: float = 0.1) -> None:
    """HALS on the rows of ``factor`` (r×m), in place, for ``min ‖M − A·factor‖² + penalties``.

    ``gram = AᵀA`` and ``cross = AᵀM``. Each row update is the exact minimiser of the objective in
    that row with the others fixed:

        F_j ← max(0, (cross_j − Σ_{i≠j} gram_ji F_i − l1/2) / (gram_jj + l2))

    so the objective never increases. Following Gillis & Glineur (2012), the sweep is repeated
    (the products ``gram`` and ``cross`` are the expensive part and are reused) until a sweep
    changes ``factor`` by less than ``delta`` times the first sweep's change.
    """
    first_change = None
    rank = factor.shape[0]
    for _ in range(max_sweeps):
        change = 0.0
        for j in range(rank):
            denominator = gram[j, j] + l2
            if denominator <= 0:
                # This basis vector is unused (its coefficients are all zero); leave it.
                continue
            numerator = cross[j] - gram[j] @ factor - l1 / 2 - l2 * factor[j]
            new_row = np.maximum(factor[j] + numerator / denominator, 0.0)
            step = new_row - factor[j]
            change += float(np.einsum("i,i->", step, step))
            factor[j] = new_row
        if first_change is None:
            first_change = change
        if change <= (delta**2) * first_change or first_change == 0:
            break


def _hals_inner_budget(n_other: int, m: int, r: int, alpha: float = 0.5) -> int:
    """Inner sweeps worth doing: 1 + α·(cost of the products) / (cost of one sweep)."""
    products = n_other * m * r + n_other * r * r
    sweep = m * r * r + m * r
    return max(1, int(1 + alpha * products / max(sweep, 1)))


def _mu_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # 0/0 only happens where a whole basis vector is zero; leave those entries unchanged.
    return np.divide(numerator, denominator, out=np.ones_like(numerator),
                     where=denominator > 0)


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

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, k)
        Nonnegative data; each row is a data point. Ints and bools become float64; float32 stays
        float32.
    rank : int
        Number of basis vectors ``r`` (rows of ``W``). May exceed ``min(n, k)`` with
        ``init="random"``.
    solver : {"hals", "mu", "anls", "als"}
        - ``"hals"``: hierarchical alternating least squares with the accelerated inner loops of
          Gillis & Glineur (2012). Fast; objective never increases.
        - ``"mu"``: Lee & Seung multiplicative updates. Simple; objective never increases.
        - ``"anls"``: alternating nonnegative least squares, each half step solved exactly
          (block principal pivoting). Objective never increases.
        - ``"als"``: unconstrained least squares, then negative entries clipped to zero. The
          classroom counterexample: the clipping can make the objective go *up*.
    init : {"nndsvda", "nndsvd", "nndsvdar", "random", "spa"} or tuple (H0, W0)
        Start point, see :func:`nmf_core.initialize`. A given pair is copied, never modified.
    loss : {"frobenius", "kl"}
        ``"kl"`` (generalised Kullback–Leibler) is available with ``solver="mu"``.
    max_iter : int
        Maximum number of iterations (each updates ``H`` then ``W``).
    tol : float
        Stopping rule: stop after iteration ``i`` when
        ``|objective[i-1] − objective[i]| ≤ tol · objective[i-1]`` (or the objective is 0).
        ``tol=0`` runs exactly ``max_iter`` iterations (unless a callback stops it).
    seed : None, int or numpy.random.Generator
        Randomness of the initialisation.
    l1_H, l1_W, l2_H, l2_W : float
        Nonnegative penalty weights: ``l1·Σ(factor) + l2·‖factor‖²_F`` added to the objective.
    callback : callable, optional
        ``callback(iteration, H, W, loss)`` after each iteration, with copies of the factors;
        returning ``True`` stops the solver.

    Returns
    -------
    NMFResult
        Factors, loss and objective histories, cumulative times, convergence flag.

    Raises
    ------
    ValueError
        Bad data (negative, NaN/inf, not 2-D, empty), bad rank, unknown solver/init/loss, an
        unsupported solver/loss pair, bad penalties or iteration settings.

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
    tol = _check_penalty("tol", tol)
    l1_H, l1_W = _check_penalty("l1_H", l1_H), _check_penalty("l1_W", l1_W)
    l2_H, l2_W = _check_penalty("l2_H", l2_H), _check_penalty("l2_W", l2_W)
    if callback is not None and not callable(callback):
        raise ValueError("callback must be callable as callback(iteration, H, W, loss).")

    init_name = "custom" if isinstance(init, tuple | list) else init
    H, W = initialize(X, rank, init, seed=seed)
    dtype = X.dtype
    sparse_input = sp.issparse(X)
    norm_X2 = float(X.multiply(X).sum()) if sparse_input else float(
        np.einsum("ij,ij->", X, X, dtype=np.float64))
    penalties = {"l1_H": l1_H, "l1_W": l1_W, "l2_H": l2_H, "l2_W": l2_W}

    if loss == "kl":
        dense_X = X.toarray() if sparse_input else X

        def data_loss(H_: np.ndarray, W_: np.ndarray, *_: Any) -> float:
            return kl_divergence(dense_X, H_, W_)
    else:

        def data_loss(H_: np.ndarray, W_: np.ndarray, HtX: np.ndarray | None = None,
                      HtH: np.ndarray | None = None) -> float:
            if HtX is None or HtH is None:
                return frobenius_loss(X, H_, W_)
            # ‖X‖² − 2⟨HᵀX, W⟩ + ⟨HᵀH, WWᵀ⟩ reuses the products the W-update just formed.
            cross = float(np.einsum("ij,ij->", HtX, W_, dtype=np.float64))
            quad = float(np.einsum("ij,ij->", HtH, W_ @ W_.T, dtype=np.float64))
            value = norm_X2 - 2.0 * cross + quad
            if value <= _DIRECT_LOSS_BELOW * norm_X2:
                return frobenius_loss(X, H_, W_)
            return value

    def total(loss_value: float) -> float:
        return loss_value + penalty(H, W, **penalties)

    first_loss = data_loss(H, W)
    losses = [first_loss]
    objectives = [total(first_loss)]
    times = [0.0]
    converged = False
    start = time.perf_counter()
    n, k = X.shape
    budget_H = _hals_inner_budget(k, n, rank)
    budget_W = _hals_inner_budget(n, k, rank)
    identity = np.eye(rank, dtype=dtype)
    dense_for_kl = X.toarray() if (sparse_input and loss == "kl") else X
    iteration = 0
    for iteration in range(1, max_iter + 1):
        HtX = HtH = None
        if solver == "hals":
            # H-update works on Hᵀ so that each basis coordinate is a contiguous row.
            WWt = W @ W.T
            XWt = np.asarray(X @ W.T)
            Ht = np.ascontiguousarray(H.T)
            _hals_sweeps(Ht, WWt, XWt.T, l1_H, l2_H, budget_H)
            H = np.ascontiguousarray(Ht.T)
            HtH = H.T @ H
            HtX = np.asarray((X.T @ H).T) if sparse_input else H.T @ X
            _hals_sweeps(W, HtH, HtX, l1_W, l2_W, budget_W)
        elif solver == "mu" and loss == "frobenius":
            WWt = W @ W.T
            XWt = np.asarray(X @ W.T)
            H *= _mu_ratio(XWt, H @ WWt + l1_H / 2 + l2_H * H)
            HtH = H.T @ H
            HtX = np.asarray((X.T @ H).T) if sparse_input else H.T @ X
            W *= _mu_ratio(HtX, HtH @ W + l1_W / 2 + l2_W * W)
        elif solver == "mu":  # generalised KL divergence
            ratio = dense_for_kl / np.maximum(H @ W, _KL_EPS)
            H *= _mu_ratio(ratio @ W.T, W.sum(axis=1)[None, :] + l1_H + 2 * l2_H * H)
            ratio = dense_for_kl / np.maximum(H @ W, _KL_EPS)
            W *= _mu_ratio(H.T @ ratio, H.sum(axis=0)[:, None] + l1_W + 2 * l2_W * W)
        else:
            WWt = W @ W.T + l2_H * identity
            rhs_H = (np.asarray(X @ W.T) - l1_H / 2).T
            if solver == "anls":
                H = nnls_gram(WWt, rhs_H, start=H.T).T.astype(dtype)
            else:
                H = np.maximum(np.linalg.lstsq(WWt, rhs_H, rcond=None)[0].T, 0).astype(dtype)
            HtH = H.T @ H
            HtX = np.asarray((X.T @ H).T) if sparse_input else H.T @ X
            gram_W = HtH + l2_W * identity
            if solver == "anls":
                W = nnls_gram(gram_W, HtX - l1_W / 2, start=W).astype(dtype)
            else:
                W = np.maximum(np.linalg.lstsq(gram_W, HtX - l1_W / 2, rcond=None)[0],
                               0).astype(dtype)
        H = np.ascontiguousarray(H, dtype=dtype)
        W = np.ascontiguousarray(W, dtype=dtype)
        current_loss = data_loss(H, W, HtX, HtH)
        losses.append(current_loss)
        objectives.append(total(current_loss))
        times.append(time.perf_counter() - start)
        stop_requested = False
        if callback is not None:
            stop_requested = bool(callback(iteration, H.copy(), W.copy(), current_loss))
        previous, now = objectives[-2], objectives[-1]
        if tol > 0 and (now == 0 or abs(previous - now) <= tol * previous):
            converged = True
            break
        if stop_requested:
            break
    n_iter = len(losses) - 1
    return NMFResult(
        H=H, W=W, losses=np.asarray(losses), objectives=np.asarray(objectives),
        times=np.asarray(times), n_iter=n_iter, converged=converged, solver=solver,
        init=str(init_name), loss=loss, _norm_X=float(np.sqrt(norm_X2)),
    )
