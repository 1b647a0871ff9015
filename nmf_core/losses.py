"""Loss functions, in the app's notation ``X ≈ H W`` (no factor 1/2)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["frobenius_loss", "kl_divergence", "objective", "penalty"]

# A Kullback–Leibler ratio X / HW divides by at least this, so a zero HW where X > 0 stays finite.
KL_EPS = 1e-12
# Below this relative error the trace formula for the loss (see trace_formula_loss) has lost too
# many digits to cancellation; the residual is formed instead.
_DIRECT_LOSS_BELOW = 1e-8


def trace_formula_loss(norm2: float, inner: float, quad: float) -> float | None:
    """``‖X − HW‖²_F = ‖X‖² − 2⟨X, HW⟩ + ‖HW‖²``, or ``None`` where it cannot be trusted.

    With ``inner = ⟨HᵀX, W⟩`` and ``quad = ⟨HᵀH, WWᵀ⟩`` this costs O((n + k)·r²) once the
    products with ``X`` are known, instead of the O(n·k·r) of forming ``HW``. When the fit is
    very close the difference of large numbers loses its digits; then ``None`` tells the caller
    to sum the residual itself.

    Parameters
    ----------
    norm2 : float
        ``‖X‖²_F``.
    inner : float
        ``⟨X, HW⟩``.
    quad : float
        ``‖HW‖²_F``.

    Returns
    -------
    float or None
    """
    value = norm2 - 2.0 * inner + quad
    if value > _DIRECT_LOSS_BELOW * norm2:
        return value
    return None


def frobenius_loss(X, H: np.ndarray, W: np.ndarray) -> float:
    """Squared Frobenius distance ``‖X − HW‖²_F = Σ (X − HW)²``.

    Parameters
    ----------
    X : ndarray or sparse matrix, shape (n, k)
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> frobenius_loss(np.ones((2, 2)), np.ones((2, 1)), np.ones((1, 2)))
    0.0
    """
    if sp.issparse(X):
        return _sparse_frobenius_loss(sp.csr_matrix(X), H, W)
    residual = np.asarray(X, dtype=np.float64) - H.astype(np.float64) @ W.astype(np.float64)
    return float(np.einsum("ij,ij->", residual, residual))


def _sparse_frobenius_loss(X: sp.csr_matrix, H: np.ndarray, W: np.ndarray) -> float:
    """‖X‖² − 2⟨HᵀX, W⟩ + ⟨HᵀH, WWᵀ⟩ for sparse X, never forming the dense n×k product.

    The cross term is one sparse product. When the fit is so close that this difference loses
    its digits to cancellation, the residual on the nonzeros is summed directly instead.
    """
    H = np.asarray(H, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    data = X.data.astype(np.float64)
    norm2 = float(data @ data)
    quad = float(np.sum((H.T @ H) * (W @ W.T)))
    cross = float(np.sum(np.asarray(X.T @ H).T * W))
    value = trace_formula_loss(norm2, cross, quad)
    if value is not None:
        return value
    X = X.copy()
    X.sum_duplicates()
    # Σ over stored entries of (X − HW)², plus Σ (HW)² over the entries that are not stored,
    # which is ‖HW‖² minus Σ (HW)² over the stored ones. Row blocks bound the memory.
    on_stored, fitted_on_stored = 0.0, 0.0
    rows_per_block = max(1, 2_000_000 // max(1, H.shape[1] * max(1, X.nnz // X.shape[0])))
    for start in range(0, X.shape[0], rows_per_block):
        block = X[start : start + rows_per_block]
        rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr)) + start
        fitted = np.einsum("ij,ji->i", H[rows], W[:, block.indices])
        on_stored += float(np.sum((block.data.astype(np.float64) - fitted) ** 2))
        fitted_on_stored += float(fitted @ fitted)
    if X.nnz == X.shape[0] * X.shape[1]:
        return on_stored
    return on_stored + max(quad - fitted_on_stored, 0.0)


def kl_divergence(X, H: np.ndarray, W: np.ndarray) -> float:
    """Generalised Kullback–Leibler divergence ``Σ X log(X / HW) − X + HW``.

    Entries with ``X = 0`` contribute ``HW``; a zero ``HW`` where ``X > 0`` is clipped to a tiny
    number so the result stays finite.

    Parameters
    ----------
    X : ndarray or sparse matrix, shape (n, k)
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)

    Returns
    -------
    float
    """
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    X = X.astype(np.float64)
    product = H.astype(np.float64) @ W.astype(np.float64)
    positive = X > 0
    log_term = np.zeros_like(X)
    log_term[positive] = X[positive] * np.log(X[positive] / np.maximum(product[positive], KL_EPS))
    return float(np.sum(log_term) - X.sum() + product.sum())


def penalty(
    H: np.ndarray,
    W: np.ndarray,
    *,
    l1_H: float = 0.0,
    l1_W: float = 0.0,
    l2_H: float = 0.0,
    l2_W: float = 0.0,
) -> float:
    """Penalty ``l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F`` (factors are nonnegative).

    Parameters
    ----------
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    l1_H, l1_W, l2_H, l2_W : float

    Returns
    -------
    float
    """
    total = 0.0
    if l1_H:
        total += l1_H * float(H.sum(dtype=np.float64))
    if l1_W:
        total += l1_W * float(W.sum(dtype=np.float64))
    if l2_H:
        total += l2_H * float(np.einsum("ij,ij->", H, H, dtype=np.float64))
    if l2_W:
        total += l2_W * float(np.einsum("ij,ij->", W, W, dtype=np.float64))
    return total


def objective(
    X,
    H: np.ndarray,
    W: np.ndarray,
    *,
    loss: str = "frobenius",
    l1_H: float = 0.0,
    l1_W: float = 0.0,
    l2_H: float = 0.0,
    l2_W: float = 0.0,
) -> float:
    """The penalised objective the solvers minimise: data term plus :func:`penalty`.

    Parameters
    ----------
    X : ndarray or sparse matrix, shape (n, k)
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    loss : {"frobenius", "kl"}
    l1_H, l1_W, l2_H, l2_W : float

    Returns
    -------
    float
    """
    data_term = frobenius_loss(X, H, W) if loss == "frobenius" else kl_divergence(X, H, W)
    return data_term + penalty(H, W, l1_H=l1_H, l1_W=l1_W, l2_H=l2_H, l2_W=l2_W)
