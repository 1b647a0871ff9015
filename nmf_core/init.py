"""Starting points for the solvers, and the successive projection algorithm (SPA).

All functions use the app's notation: ``X ≈ H W`` with ``H`` of shape (n, r) and ``W`` of
shape (r, k), so each row of ``W`` is a basis vector and each row of ``X`` a data point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import (
    as_nonnegative_matrix,
    check_custom_start,
    check_init_name,
    check_random_state,
    check_rank,
)
from .baselines import truncated_svd
from .nnls import nnls_gram

__all__ = ["INITS", "initialize", "spa"]

INITS = ("random", "nndsvd", "nndsvda", "nndsvdar", "spa")


def spa(X, rank: int) -> np.ndarray:
    """Successive projection algorithm: pick ``rank`` rows of ``X`` that span its cone.

    At each step the row with the largest Euclidean norm (after projection) is chosen, and all
    rows are projected onto the orthogonal complement of it. On separable data
    (``X = H X[J]`` with ``H`` nonnegative and rows summing to at most one) this finds the
    extreme rows ``J`` exactly in exact arithmetic (Gillis & Vavasis, 2014).

    Parameters
    ----------
    X : array_like, shape (n, k)
        Nonnegative data; each row is a point.
    rank : int
        Number of rows to select, at most ``min(n, k)``.

    Returns
    -------
    ndarray of int, shape (rank,)
        Indices of the selected rows, in the order they were picked.

    Raises
    ------
    ValueError
        If ``rank > min(n, k)``: after ``k`` projections nothing is left to pick.

    Examples
    --------
    >>> import numpy as np
    >>> spa(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]), 2).tolist()
    [0, 1]
    """
    X = as_nonnegative_matrix(X)
    rank = check_rank(rank)
    n, k = X.shape
    if rank > min(n, k):
        raise ValueError(
            f"SPA can pick at most min(n, k) = {min(n, k)} rows from X of shape "
            f"{X.shape}; got rank={rank}."
        )
    residual = X.toarray() if sp.issparse(X) else X.astype(np.float64, copy=True)
    norms = np.einsum("ij,ij->i", residual, residual)
    picked: list[int] = []
    for _ in range(rank):
        candidates = norms.copy()
        candidates[picked] = -1.0
        index = int(np.argmax(candidates))
        picked.append(index)
        direction = residual[index]
        length2 = float(direction @ direction)
        if length2 <= 0:
            continue
        # Project every row onto the orthogonal complement of the chosen (residual) row.
        residual -= np.outer(residual @ direction / length2, direction)
        norms = np.einsum("ij,ij->i", residual, residual)
    return np.asarray(picked, dtype=int)


def _nndsvd(X, rank: int, fill: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """NNDSVD of Boutsidis & Gallopoulos (2008) in ``X ≈ H W`` letters."""
    svd = truncated_svd(X, rank)
    U, S, Vt = svd.U, svd.S, svd.Vt
    n, k = X.shape
    H = np.zeros((n, rank))
    W = np.zeros((rank, k))
    # The leading singular pair of a nonnegative matrix can be taken nonnegative.
    H[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    W[0, :] = np.sqrt(S[0]) * np.abs(Vt[0, :])
    for j in range(1, rank):
        u, v = U[:, j], Vt[j, :]
        u_pos, u_neg = np.maximum(u, 0), np.maximum(-u, 0)
        v_pos, v_neg = np.maximum(v, 0), np.maximum(-v, 0)
        u_pos_norm, u_neg_norm = np.linalg.norm(u_pos), np.linalg.norm(u_neg)
        v_pos_norm, v_neg_norm = np.linalg.norm(v_pos), np.linalg.norm(v_neg)
        positive_mass = u_pos_norm * v_pos_norm
        negative_mass = u_neg_norm * v_neg_norm
        # Keep whichever sign pattern carries more of the rank-one term.
        if positive_mass > negative_mass:
            u_part, v_part, mass = (
                u_pos / max(u_pos_norm, 1e-300),
                v_pos / max(v_pos_norm, 1e-300),
                positive_mass,
            )
        else:
            u_part, v_part, mass = (
                u_neg / max(u_neg_norm, 1e-300),
                v_neg / max(v_neg_norm, 1e-300),
                negative_mass,
            )
        scale = np.sqrt(S[j] * mass)
        H[:, j] = scale * u_part
        W[j, :] = scale * v_part
    tiny = 1e-6
    H[H < tiny] = 0.0
    W[W < tiny] = 0.0
    mean = float(X.mean())
    if fill == "a":
        H[H == 0] = mean
        W[W == 0] = mean
    elif fill == "ar":
        # Small random values keep zeros from sticking under multiplicative updates.
        scale = mean / 100.0
        H[H == 0] = np.abs(scale * rng.standard_normal(int(np.sum(H == 0))))
        W[W == 0] = np.abs(scale * rng.standard_normal(int(np.sum(W == 0))))
    return H, W


def initialize(
    X, rank: int, init: Any = "nndsvda", *, seed: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Build a nonnegative starting pair ``(H0, W0)`` for ``X ≈ H W``.

    Parameters
    ----------
    X : array_like or sparse matrix, shape (n, k)
        Nonnegative data; each row is a point.
    rank : int
        Number of basis vectors ``r``.
    init : {"random", "nndsvd", "nndsvda", "nndsvdar", "spa"} or tuple (H0, W0)
        - ``"random"``: entries ``|N(0, 1)| · sqrt(mean(X) / r)``, so ``H0 W0`` has about the
          scale of ``X`` (the convention of scikit-learn).
        - ``"nndsvd"``: nonnegative double SVD (Boutsidis & Gallopoulos, 2008); sparse start.
        - ``"nndsvda"``: NNDSVD with zeros replaced by ``mean(X)`` (better for MU).
        - ``"nndsvdar"``: NNDSVD with zeros replaced by small random values.
        - ``"spa"``: ``W0`` = the rows of ``X`` picked by :func:`spa`, ``H0`` their exact
          nonnegative least-squares coefficients.
        - ``(H0, W0)``: used as given (copied), after shape and sign checks.
    seed : None, int or numpy.random.Generator
        Randomness for ``"random"`` and ``"nndsvdar"``.

    Returns
    -------
    H0 : ndarray, shape (n, r)
    W0 : ndarray, shape (r, k)
        Same float dtype as ``X`` after validation.

    Raises
    ------
    ValueError
        Unknown ``init``; ``nndsvd*`` or ``spa`` with ``rank > min(n, k)``; a custom start of the
        wrong shape, with negative or non-finite entries.
    """
    return _initialize_validated(
        as_nonnegative_matrix(X), check_rank(rank), init, check_random_state(seed)
    )


def _initialize_validated(
    X, rank: int, init: Any, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`initialize` for an ``X`` and ``rank`` that have already been checked."""
    n, k = X.shape
    dtype = X.dtype
    if isinstance(init, tuple | list):
        return check_custom_start(init, X.shape, rank, dtype)
    check_init_name(init, INITS, X.shape, rank)
    if init == "random":
        scale = np.sqrt(float(X.mean()) / rank)
        H = scale * np.abs(rng.standard_normal((n, rank)))
        W = scale * np.abs(rng.standard_normal((rank, k)))
    elif init == "spa":
        rows = spa(X, rank)
        W = (X[rows].toarray() if sp.issparse(X) else X[rows]).astype(np.float64)
        gram = W @ W.T
        cross = np.asarray(X @ W.T)
        H = nnls_gram(gram, cross.T).T
    else:
        H, W = _nndsvd(
            X, rank, fill={"nndsvd": "", "nndsvda": "a", "nndsvdar": "ar"}[init], rng=rng
        )
    return np.ascontiguousarray(H, dtype=dtype), np.ascontiguousarray(W, dtype=dtype)
