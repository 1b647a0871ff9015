"""Coordinates in a basis: the linear algebra behind ``X = H W``.

A basis of ``R^k`` is written as a k×k matrix ``B`` whose **rows** are the basis vectors, the
same convention as ``W`` in ``X ≈ H W``. The coordinates ``c`` of a point ``P`` (a row vector)
in that basis solve ``c B = P``; for the identity basis they are the entries of ``P`` itself.
Stacking many points as the rows of ``X`` gives ``X = C B``: coordinates times basis.

>>> import numpy as np
>>> B = np.array([[1.0, 1.0], [0.0, 2.0]])
>>> coordinates_in_basis([3.0, 5.0], B)
array([3., 1.])
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from nmf_core import nmf, relative_error
from nmf_lab.demo_data import planted_nmf

__all__ = [
    "SINGULAR_TOLERANCE",
    "CloudFit",
    "check_basis",
    "coordinates_in_basis",
    "distance_from_identity",
    "fit_planted_cloud",
    "largest_gap",
    "layers_gap",
    "rank_one_layers",
    "rebuild_gap",
    "tip_to_tail",
]

# Reciprocal condition number below which a basis counts as singular: coordinates would then
# be dominated by rounding (or not exist), so the page says so instead of drawing nonsense.
SINGULAR_TOLERANCE = 1e-10


def check_basis(basis: Any) -> np.ndarray:
    """Validate a basis given as rows and return it as a float array.

    Parameters
    ----------
    basis : array_like, shape (k, k)
        Row ``i`` is the i-th basis vector.

    Returns
    -------
    ndarray, shape (k, k)

    Raises
    ------
    ValueError
        If the matrix is not square, has non-finite entries, or its rows are linearly
        dependent (then no unique coordinates exist); the message names the rank found.
    """
    B = np.asarray(basis, dtype=float)
    if B.ndim != 2 or B.shape[0] != B.shape[1] or B.shape[0] == 0:
        raise ValueError(
            f"A basis of R^k needs k rows of length k; got an array of shape {B.shape}."
        )
    if not np.all(np.isfinite(B)):
        raise ValueError("The basis contains a non-finite entry (NaN or infinity).")
    k = B.shape[0]
    singular_values = np.linalg.svd(B, compute_uv=False)
    largest = singular_values[0]
    if largest == 0 or singular_values[-1] / largest < SINGULAR_TOLERANCE:
        rank = int(np.sum(singular_values > largest * SINGULAR_TOLERANCE)) if largest else 0
        raise ValueError(
            f"These {k} rows are linearly dependent (they span only {rank} "
            f"dimension{'s' if rank != 1 else ''} of R^{k}), so they are not a basis: "
            "some points have no coordinates in them, others infinitely many. "
            "Change a row so that no row is a combination of the others."
        )
    return B


def coordinates_in_basis(points: Any, basis: Any) -> np.ndarray:
    """Coordinates of points in a basis given as rows: solve ``C B = P``.

    Parameters
    ----------
    points : array_like, shape (k,) or (n, k)
        One point, or one point per row.
    basis : array_like, shape (k, k)
        Row ``i`` is the i-th basis vector.

    Returns
    -------
    ndarray, shape (k,) or (n, k)
        Coordinates with the same shape as ``points``; ``coords @ basis`` gives the points back.

    Raises
    ------
    ValueError
        If the basis is singular (see :func:`check_basis`) or the shapes do not match.
    """
    B = check_basis(basis)
    P = np.asarray(points, dtype=float)
    if P.shape[-1] != B.shape[0] or P.ndim not in (1, 2):
        raise ValueError(
            f"Points of shape {P.shape} do not live in R^{B.shape[0]} (basis {B.shape})."
        )
    # C B = P  <=>  Bᵀ Cᵀ = Pᵀ; a solve is more accurate than forming the inverse.
    return np.linalg.solve(B.T, P.T).T


def tip_to_tail(coordinates: Any, basis: Any) -> np.ndarray:
    """The path 0 → c₁b₁ → c₁b₁ + c₂b₂ → … → P, one arrow per basis row.

    Parameters
    ----------
    coordinates : array_like, shape (r,)
    basis : array_like, shape (r, k)
        Rows ``b_i``; need not be square (a learned ``W`` works too).

    Returns
    -------
    ndarray, shape (r + 1, k)
        Row 0 is the origin, row ``i`` the sum of the first ``i`` terms ``c_j b_j``; the last
        row is ``coordinates @ basis``.
    """
    c = np.asarray(coordinates, dtype=float)
    B = np.asarray(basis, dtype=float)
    if c.ndim != 1 or B.ndim != 2 or B.shape[0] != c.shape[0]:
        raise ValueError(f"Need r coordinates for r basis rows; got {c.shape} and basis {B.shape}.")
    steps = c[:, None] * B
    return np.vstack([np.zeros(B.shape[1]), np.cumsum(steps, axis=0)])


def rank_one_layers(H: Any, W: Any) -> np.ndarray:
    """The r rank-one matrices ``H[:, i] W[i, :]`` whose sum is ``H W``.

    Parameters
    ----------
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)

    Returns
    -------
    ndarray, shape (r, n, k)
        ``layers[i]`` is the outer product of column ``i`` of ``H`` with row ``i`` of ``W``;
        ``layers.sum(axis=0)`` equals ``H @ W`` up to rounding.
    """
    H = np.asarray(H, dtype=float)
    W = np.asarray(W, dtype=float)
    if H.ndim != 2 or W.ndim != 2 or H.shape[1] != W.shape[0]:
        raise ValueError(f"H {H.shape} and W {W.shape} do not multiply (need n×r and r×k).")
    return np.einsum("ni,ik->ink", H, W)


def largest_gap(A: Any, B: Any) -> float:
    """``max |A − B|`` over all entries: how closely two routes reach the same numbers.

    Examples
    --------
    >>> largest_gap([1.0, 2.0], [1.0, 2.5])
    0.5
    """
    return float(np.max(np.abs(np.asarray(A, dtype=np.float64) - np.asarray(B, dtype=np.float64))))


def rebuild_gap(point: Any, coordinates: Any, basis: Any) -> float:
    """How closely the coordinates rebuild the point: ``max |c B − P|``."""
    return largest_gap(np.asarray(coordinates) @ np.asarray(basis), point)


def layers_gap(layers: Any, H: Any, W: Any) -> float:
    """How closely the rank-one layers add up to ``HW``: ``max |Σ layers − HW|``."""
    return largest_gap(np.asarray(layers).sum(axis=0), np.asarray(H) @ np.asarray(W))


@dataclass(frozen=True)
class CloudFit:
    """A planted nonnegative cloud and its NMF at a rank chosen separately.

    Attributes
    ----------
    X : ndarray, shape (n, k)
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    relative_error : float
        ``‖X − HW‖_F / ‖X‖_F``.
    """

    X: np.ndarray
    H: np.ndarray
    W: np.ndarray
    relative_error: float


def fit_planted_cloud(
    n_points: int, dim: int, planted_rank: int, rank: int, noise: float, seed: Any
) -> CloudFit:
    """A nonnegative cloud built from ``planted_rank`` directions, and its NMF at ``rank``.

    The cloud depends only on the data settings (``n_points``, ``dim``, ``planted_rank``,
    ``noise``, ``seed``): refitting at another ``rank`` keeps ``X`` byte for byte.

    Parameters
    ----------
    n_points, dim : int
        Shape of ``X``.
    planted_rank : int
        Number of nonnegative directions the cloud is built from.
    rank : int
        Rank ``r`` of the NMF (rows of ``W``).
    noise : float
        Gaussian noise relative to the mean of ``X``, clipped at 0.
    seed : None, int or numpy.random.Generator
        Draws the cloud and the solver's start.

    Returns
    -------
    CloudFit
    """
    X, _, _ = planted_nmf(n_points, dim, planted_rank, noise=noise, seed=seed)
    result = nmf(X, rank, solver="hals", max_iter=400, tol=1e-7, seed=seed)
    return CloudFit(X, result.H, result.W, relative_error(X, result.H @ result.W))


def distance_from_identity(W: np.ndarray) -> float:
    """How far the learned basis is from the identity basis, whatever the order and scale.

    Rows of ``W`` are scaled to unit length (a row's length is traded with its column of
    ``H``), then matched to distinct rows of the identity in the best order:
    ``min over injective σ of ‖W_unit − I[σ]‖_F``. Zero means the rows of ``W`` are the axes
    themselves (then ``H`` is just ``X`` rescaled); two orthogonal unit vectors are √2 apart.

    Parameters
    ----------
    W : ndarray, shape (r, k), r ≤ k
        Rows with positive length.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``W`` not 2-D, more rows than columns, or a row of length zero.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] > W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"W must be r×k with 1 ≤ r ≤ k, got shape {W.shape}.")
    lengths = np.linalg.norm(W, axis=1)
    if not np.all(lengths > 0):
        raise ValueError("Every row of W needs a positive length to have a direction.")
    unit = W / lengths[:, None]
    identity = np.eye(W.shape[1])
    return float(
        min(
            np.linalg.norm(unit - identity[list(rows)])
            for rows in itertools.permutations(range(W.shape[1]), W.shape[0])
        )
    )
