"""SVD and PCA baselines, in the same ``rows are points`` convention as NMF."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_finite_matrix, check_rank

__all__ = ["PCAResult", "SVDResult", "pca", "svd_error_curve", "truncated_svd"]


@dataclass(frozen=True)
class SVDResult:
    """Rank-r truncated SVD ``X ≈ U diag(S) Vt``.

    Attributes
    ----------
    U : ndarray, shape (n, r)
    S : ndarray, shape (r,)
        Leading singular values, decreasing.
    Vt : ndarray, shape (r, k)
        Right singular vectors as rows (the SVD "basis", signed).
    singular_values : ndarray, shape (min(n, k),)
        All singular values, for error curves.
    """

    U: np.ndarray
    S: np.ndarray
    Vt: np.ndarray
    singular_values: np.ndarray

    def reconstruction(self) -> np.ndarray:
        """Return ``U diag(S) Vt``, shape (n, k): the best rank-r approximation."""
        return (self.U * self.S) @ self.Vt

    @property
    def relative_error(self) -> float:
        """``‖X − X_r‖_F / ‖X‖_F`` from the discarded singular values (Eckart–Young)."""
        total = float(np.sum(self.singular_values**2))
        if total == 0:
            return 0.0
        rest = float(np.sum(self.singular_values[len(self.S) :] ** 2))
        return float(np.sqrt(rest / total))


def truncated_svd(X, rank: int) -> SVDResult:
    """Best rank-``rank`` approximation of ``X`` in the Frobenius norm (Eckart–Young).

    Parameters
    ----------
    X : array_like or sparse matrix, shape (n, k)
    rank : int
        Kept singular triplets; capped at ``min(n, k)``.

    Returns
    -------
    SVDResult
    """
    X = as_finite_matrix(X)
    rank = min(check_rank(rank), min(X.shape))
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    return SVDResult(U=U[:, :rank], S=S[:rank], Vt=Vt[:rank], singular_values=S)


def svd_error_curve(X, max_rank: int) -> np.ndarray:
    """Relative error ``‖X − X_r‖_F / ‖X‖_F`` of the rank-r SVD for r = 1 … max_rank.

    Parameters
    ----------
    X : array_like, shape (n, k)
    max_rank : int

    Returns
    -------
    ndarray, shape (max_rank,)
        Entry ``r − 1`` is the error at rank ``r`` (0 beyond ``min(n, k)``).
    """
    X = as_finite_matrix(X)
    max_rank = check_rank(max_rank)
    singular_values = np.linalg.svd(X, compute_uv=False)
    energy = singular_values**2
    total = float(energy.sum())
    if total == 0:
        return np.zeros(max_rank)
    tail = np.concatenate([np.cumsum(energy[::-1])[::-1], [0.0]])
    ranks = np.minimum(np.arange(1, max_rank + 1), len(singular_values))
    return np.sqrt(np.maximum(tail[ranks], 0.0) / total)


@dataclass(frozen=True)
class PCAResult:
    """PCA on centred data: ``X ≈ mean + scores @ components``.

    Attributes
    ----------
    components : ndarray, shape (r, k)
        Principal axes as rows (orthonormal, signed).
    scores : ndarray, shape (n, r)
        Coordinates of the centred points on the axes.
    mean : ndarray, shape (k,)
        Column means that were subtracted.
    explained_variance : ndarray, shape (r,)
        Variance along each axis (divided by ``n − 1``).
    explained_variance_ratio : ndarray, shape (r,)
        Share of the total variance per axis.
    """

    components: np.ndarray
    scores: np.ndarray
    mean: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray

    def reconstruction(self) -> np.ndarray:
        """Return ``mean + scores @ components``, shape (n, k), in the units of ``X``."""
        return self.scores @ self.components + self.mean


def pca(X, rank: int) -> PCAResult:
    """Principal component analysis with ``rank`` components.

    Signs are fixed so the largest-magnitude entry of each component is positive, which makes
    the output deterministic.

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int
        Capped at ``min(n, k)``.

    Returns
    -------
    PCAResult
    """
    X = as_finite_matrix(X)
    rank = min(check_rank(rank), min(X.shape))
    n = X.shape[0]
    mean = X.mean(axis=0)
    centred = X - mean
    U, S, Vt = np.linalg.svd(centred, full_matrices=False)
    signs = np.sign(Vt[np.arange(len(S)), np.argmax(np.abs(Vt), axis=1)])
    signs[signs == 0] = 1.0
    U, Vt = U * signs, Vt * signs[:, None]
    variance = S**2 / max(n - 1, 1)
    total = float(variance.sum())
    ratio = variance / total if total > 0 else np.zeros_like(variance)
    return PCAResult(
        components=Vt[:rank],
        scores=U[:, :rank] * S[:rank],
        mean=mean,
        explained_variance=variance[:rank],
        explained_variance_ratio=ratio[:rank],
    )
