"""Input checks shared by the public functions: clear ``ValueError``s, never a NaN later on."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "PENALTY_NAMES",
    "as_finite_matrix",
    "as_nonnegative_matrix",
    "check_callback",
    "check_custom_start",
    "check_init_name",
    "check_max_iter",
    "check_penalty_names",
    "check_penalty_weight",
    "check_random_state",
    "check_rank",
    "check_same_shape",
    "check_solver_and_loss",
    "check_tol",
    "float_dtype_for",
]

PENALTY_NAMES = ("l1_H", "l1_W", "l2_H", "l2_W")


def float_dtype_for(dtype: np.dtype) -> np.dtype:
    """float32 stays float32, float64 stays float64; everything else becomes float64."""
    if dtype == np.float32:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def as_nonnegative_matrix(X: Any, *, name: str = "X", allow_sparse: bool = True):
    """Return ``X`` as a 2-D, finite, nonnegative float matrix.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, k)
        Numbers: a numpy array, nested lists, or (if ``allow_sparse``) a sparse matrix.
    name : str
        The name used in error messages.
    allow_sparse : bool
        Keep sparse input sparse (as CSR) instead of rejecting it.

    Returns
    -------
    ndarray or scipy.sparse.csr_matrix, shape (n, k)
        float32 if the input was float32, float64 otherwise.

    Raises
    ------
    ValueError
        If ``X`` is not numeric, not 2-D, empty, or has NaN, inf or negative entries.
    """
    if sp.issparse(X):
        if not allow_sparse:
            raise ValueError(f"{name} must be a dense array here, got a sparse matrix.")
        if X.ndim != 2:
            raise ValueError(
                f"{name} must be 2-D (rows are points), got {X.ndim}-D with shape {X.shape}."
            )
        X = sp.csr_matrix(X)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"{name} is empty (shape {X.shape}); it needs at least one row and one column."
            )
        if not np.issubdtype(X.dtype, np.number) and X.dtype != bool:
            raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}.")
        X = X.astype(float_dtype_for(X.dtype))
        X.sum_duplicates()
        _check_values(X.data, name)
        return X
    try:
        array = np.asarray(X)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} must be a 2-D array of numbers ({error}).") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{name} must be a 2-D array of numbers, got dtype {array.dtype}.")
    if np.iscomplexobj(array):
        raise ValueError(f"{name} must be real, got complex values.")
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (rows are points), got {array.ndim}-D with shape {array.shape}."
        )
    if array.size == 0:
        raise ValueError(
            f"{name} is empty (shape {array.shape}); it needs at least one row and one column."
        )
    array = np.ascontiguousarray(array, dtype=float_dtype_for(array.dtype))
    _check_values(array, name)
    return array


def _check_values(values: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(values)):
        bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
        raise ValueError(
            f"{name} has {bad} NaN or infinite entr{'y' if bad == 1 else 'ies'}; "
            "NMF needs finite numbers."
        )
    if values.size and values.min() < 0:
        count = int(np.count_nonzero(values < 0))
        raise ValueError(
            f"{name} has {count} negative entr{'y' if count == 1 else 'ies'} "
            f"(smallest {values.min():.4g}); NMF needs a nonnegative matrix."
        )
    # Entries above about 1.3e154 square to inf in float64: every loss would be inf or NaN.
    with np.errstate(over="ignore"):
        total = float(np.sum(np.square(values, dtype=np.float64)))
    if not np.isfinite(total):
        raise ValueError(
            f"{name} has entries so large that its sum of squares overflows "
            f"(largest {values.max():.3g}); rescale it first."
        )


def check_rank(rank: Any) -> int:
    """Return ``rank`` as an int, or raise ``ValueError`` unless it is a positive integer."""
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral):
        raise ValueError(f"rank must be a positive integer, got {rank!r}.")
    if rank < 1:
        raise ValueError(f"rank must be a positive integer, got {rank}.")
    return int(rank)


def check_random_state(seed: Any) -> np.random.Generator:
    """Turn ``None``, an int or a ``Generator`` into a ``numpy.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a nonnegative integer or None, got {seed}.")
        return np.random.default_rng(seed)
    raise ValueError(
        f"seed must be None, a nonnegative integer or a numpy Generator, got {seed!r}."
    )


def as_finite_matrix(X: Any) -> np.ndarray:
    """Return ``X`` as a dense, finite float64 matrix (signs allowed: for SVD and PCA).

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, k)

    Returns
    -------
    ndarray, shape (n, k), float64
        A new array.

    Raises
    ------
    ValueError
        If ``X`` is not numeric, not 2-D, empty, or has NaN or infinite entries.
    """
    array = X.toarray() if sp.issparse(X) else np.asarray(X)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"X must be a 2-D array of numbers, got dtype {array.dtype}.")
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"X must be a non-empty 2-D array, got shape {array.shape}.")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError("X has NaN or infinite entries.")
    return array


def check_solver_and_loss(
    solver: Any, loss: Any, solvers: tuple[str, ...], losses: tuple[str, ...]
) -> None:
    """Raise ``ValueError`` unless ``solver`` and ``loss`` are known and work together.

    Only the multiplicative updates are implemented for the KL loss.
    """
    if not isinstance(solver, str) or solver not in solvers:
        raise ValueError(f"Unknown solver {solver!r}; choose one of {', '.join(solvers)}.")
    if not isinstance(loss, str) or loss not in losses:
        raise ValueError(f"Unknown loss {loss!r}; choose one of {', '.join(losses)}.")
    if loss == "kl" and solver != "mu":
        raise ValueError(f"loss='kl' is implemented with solver='mu' only, got solver={solver!r}.")


def check_max_iter(max_iter: Any) -> int:
    """Return ``max_iter`` as an int, or raise ``ValueError`` unless it is an integer ≥ 0."""
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 0:
        raise ValueError(f"max_iter must be a nonnegative integer, got {max_iter!r}.")
    return int(max_iter)


def _nonnegative_finite(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a nonnegative number, got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a nonnegative number, got {value!r}.") from None
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a nonnegative finite number, got {value!r}.")
    return number


def check_tol(tol: Any) -> float:
    """Return the stopping tolerance as a float, or raise ``ValueError`` unless finite and ≥ 0.

    ``tol=0`` is allowed: it switches the stopping rule off.
    """
    return _nonnegative_finite("tol", tol)


def check_penalty_weight(name: str, value: Any) -> float:
    """Return one penalty weight as a float, or raise ``ValueError`` unless finite and ≥ 0.

    Parameters
    ----------
    name : str
        The weight's name (``"l1_H"``, …), used in the message.
    value : number
        A bool is refused: ``True`` is far more likely a mistake than a weight of 1.
    """
    return _nonnegative_finite(name, value)


def check_penalty_names(names: Any) -> None:
    """Raise ``ValueError`` if any of ``names`` is not one of :data:`PENALTY_NAMES`."""
    unknown = set(names) - set(PENALTY_NAMES)
    if unknown:
        raise ValueError(
            f"Unknown penalty {sorted(unknown)}; choose from {', '.join(PENALTY_NAMES)}."
        )


def check_callback(callback: Any) -> None:
    """Raise ``TypeError`` unless ``callback`` is ``None`` or callable."""
    if callback is not None and not callable(callback):
        raise TypeError(
            f"callback must be callable as callback(iteration, H, W, loss), got {callback!r}."
        )


def check_init_name(init: Any, inits: tuple[str, ...], shape: tuple[int, int], rank: int) -> None:
    """Raise ``ValueError`` for an unknown init name, or an SVD/SPA init above ``min(n, k)``."""
    if not isinstance(init, str) or init not in inits:
        raise ValueError(
            f"Unknown init {init!r}; choose one of {', '.join(inits)} or pass a pair (H0, W0)."
        )
    n, k = shape
    if init != "random" and rank > min(n, k):
        raise ValueError(
            f"init={init!r} needs rank <= min(n, k) = {min(n, k)} for X of shape "
            f"{shape}; got rank={rank}. Use init='random' for a larger rank."
        )


def check_custom_start(
    start: Any, shape: tuple[int, int], rank: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """Return copies of a given start pair ``(H0, W0)`` in ``dtype``, after checking it.

    Parameters
    ----------
    start : tuple or list (H0, W0)
    shape : tuple (n, k)
        The shape of ``X``.
    rank : int
    dtype : numpy dtype
        The float dtype of the validated ``X``.

    Returns
    -------
    H0 : ndarray, shape (n, rank)
    W0 : ndarray, shape (rank, k)

    Raises
    ------
    ValueError
        Not a pair, a factor of the wrong shape, with negative or non-finite entries.
    """
    if len(start) != 2:
        raise ValueError("A custom init must be a pair (H0, W0).")
    n, k = shape
    H0 = as_nonnegative_matrix(start[0], name="H0", allow_sparse=False)
    W0 = as_nonnegative_matrix(start[1], name="W0", allow_sparse=False)
    if H0.shape != (n, rank) or W0.shape != (rank, k):
        raise ValueError(
            f"A custom init for X of shape {shape} at rank {rank} needs H0 of shape "
            f"{(n, rank)} and W0 of shape {(rank, k)}; got {H0.shape} and {W0.shape}."
        )
    return H0.astype(dtype, copy=True), W0.astype(dtype, copy=True)


def check_same_shape(X: np.ndarray, X_hat: np.ndarray) -> None:
    """Raise ``ValueError`` unless a matrix and its approximation have the same shape."""
    if X.shape != X_hat.shape:
        raise ValueError(f"X and X_hat must have the same shape, got {X.shape} and {X_hat.shape}.")
