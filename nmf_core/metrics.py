"""Quality and shape measures for factorisations."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validation import check_same_shape

__all__ = ["explained_variance", "hoyer_sparseness", "relative_error"]


def _dense(X) -> np.ndarray:
    return (X.toarray() if sp.issparse(X) else np.asarray(X)).astype(np.float64)


def relative_error(X, X_hat) -> float:
    """``‖X − X̂‖_F / ‖X‖_F`` (0 when both are zero, inf when only ``X`` is).

    Parameters
    ----------
    X, X_hat : array_like, shape (n, k)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> relative_error(np.array([[3.0, 4.0]]), np.array([[3.0, 0.0]]))
    0.8
    """
    X, X_hat = _dense(X), _dense(X_hat)
    check_same_shape(X, X_hat)
    norm = float(np.linalg.norm(X))
    residual = float(np.linalg.norm(X - X_hat))
    if norm == 0:
        return 0.0 if residual == 0 else float("inf")
    return residual / norm


def hoyer_sparseness(values, axis: int | None = None):
    """Hoyer's sparseness ``(√m − ‖v‖₁/‖v‖₂) / (√m − 1)``: 0 for a flat vector, 1 for one spike.

    Parameters
    ----------
    values : array_like
        A vector, or a matrix measured along ``axis``.
    axis : int or None
        ``None`` measures the flattened array; ``1`` gives one number per row (e.g. per basis
        vector of ``W``), ``0`` per column.

    Returns
    -------
    float or ndarray
        A zero vector, or one of length 1, counts as 0.

    Examples
    --------
    >>> hoyer_sparseness([0.0, 0.0, 5.0, 0.0])
    1.0
    >>> hoyer_sparseness([1.0, 1.0, 1.0, 1.0])
    0.0
    """
    array = np.abs(np.asarray(values, dtype=np.float64))
    if axis is None:
        array = array.reshape(1, -1)
        reduce_axis = 1
    else:
        reduce_axis = axis
    m = array.shape[reduce_axis]
    if m < 2:
        result = np.zeros(np.delete(array.shape, reduce_axis))
    else:
        l1 = array.sum(axis=reduce_axis)
        l2 = np.sqrt((array**2).sum(axis=reduce_axis))
        ratio = np.divide(l1, l2, out=np.full_like(l1, np.sqrt(m)), where=l2 > 0)
        result = (np.sqrt(m) - ratio) / (np.sqrt(m) - 1)
        result = np.clip(result, 0.0, 1.0)
    if axis is None:
        return float(result[0])
    return result


def explained_variance(X, X_hat) -> float:
    """Share of the variance around the column means that ``X̂`` explains.

    ``1 − ‖X − X̂‖²_F / ‖X − mean(X)‖²_F``; it can be negative for a poor fit.

    Parameters
    ----------
    X, X_hat : array_like, shape (n, k)

    Returns
    -------
    float
    """
    X, X_hat = _dense(X), _dense(X_hat)
    check_same_shape(X, X_hat)
    spread = float(np.sum((X - X.mean(axis=0)) ** 2))
    residual = float(np.sum((X - X_hat) ** 2))
    if spread == 0:
        return 1.0 if residual == 0 else float("-inf")
    return 1.0 - residual / spread
