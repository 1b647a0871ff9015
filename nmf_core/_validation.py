"""Input checks shared by the public functions: clear ``ValueError``s, never a NaN later on."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["as_nonnegative_matrix", "check_random_state", "check_rank", "float_dtype_for"]


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
