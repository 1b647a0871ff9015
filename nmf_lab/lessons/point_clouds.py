"""The geometry of ``X ≈ H W`` on point clouds: cones, stretches, SPA, matching rays.

The clouds are nonnegative ``X`` (n×k, one point per row, k = 2 or 3); the toy ones come from
:func:`nmf_lab.demo_data.make_cloud`, built from a planted nonnegative ``H`` (n×r) and ``W``
(r×k) plus noise, so the page can compare what NMF learns with what was planted. The *cone of
W* is ``{h W : h ≥ 0}``: every nonnegative combination of the rows of ``W``. ``H_i W`` always
lies in it, so a point outside the cone cannot be reconstructed exactly, whatever ``H`` is.

>>> from nmf_lab.demo_data import make_cloud
>>> cloud = make_cloud("cone", dim=2, n_points=50, noise=0.0, rank=2, seed=0)
>>> cloud.X.shape, cloud.W.shape
((50, 2), (2, 2))
>>> bool(in_cone(cloud.X, cloud.W).all())
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from nmf_core._validation import as_nonnegative_matrix, check_rank
from nmf_core.baselines import pca
from nmf_core.init import spa
from nmf_core.nnls import nnls_gram
from nmf_core.solvers import NMFResult, nmf
from nmf_lab.demo_data import Cloud
from nmf_lab.uploads import parse_csv_matrix

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_ROWS",
    "OUTSIDE_REL_TOL",
    "PCAAxes",
    "SPAStep",
    "cloud_from_csv",
    "cone_projection",
    "fit_restarts",
    "in_cone",
    "match_rays",
    "normalize_basis",
    "outside_cone",
    "pca_axes",
    "ray_angles_deg",
    "spa_basis",
    "spa_steps",
    "stretch_factorization",
    "stretch_range",
]

MAX_UPLOAD_ROWS = 3000
MAX_UPLOAD_BYTES = 500_000
# A point is "far outside" the cone when its distance to the cone exceeds this fraction of the
# median length of the points: a scale-free threshold that ignores rounding-level misses.
OUTSIDE_REL_TOL = 0.05


def cloud_from_csv(
    data: bytes, *, max_rows: int = MAX_UPLOAD_ROWS, max_bytes: int = MAX_UPLOAD_BYTES
) -> Cloud:
    """Read an uploaded CSV of nonnegative 2-D or 3-D points into a :class:`Cloud`.

    Parameters
    ----------
    data : bytes
        The file's contents: 2 or 3 numbers per row, an optional header line.
    max_rows : int
        At most this many points.
    max_bytes : int
        Files larger than this are refused before parsing.

    Returns
    -------
    Cloud
        ``preset == "upload"``, no planted factors.

    Raises
    ------
    ValueError
        Everything :func:`nmf_lab.uploads.parse_csv_matrix` refuses (binary or non-numeric text,
        empty, ragged, negative, NaN/inf, wrong number of columns, too many rows or bytes), and
        clouds with fewer than 3 points or only zero points.
    """
    X = parse_csv_matrix(data, allowed_columns=(2, 3), max_rows=max_rows, max_bytes=max_bytes)
    if X.shape[0] < 3:
        raise ValueError(
            f"The file has {X.shape[0]} point{'s' if X.shape[0] != 1 else ''}; "
            "a cloud needs at least 3."
        )
    if not np.any(X):
        raise ValueError("Every point in the file is at the origin; there is nothing to fit.")
    return Cloud(X=X, H=None, W=None, preset="upload", extreme_rows=np.zeros(0, dtype=int))


def _as_basis(W: Any, k: int) -> np.ndarray:
    W = as_nonnegative_matrix(W, name="W", allow_sparse=False).astype(np.float64)
    if W.shape[1] != k:
        raise ValueError(f"W must have {k} columns to match X, got shape {W.shape}.")
    return W


def cone_projection(X: Any, W: Any) -> tuple[np.ndarray, np.ndarray]:
    """Closest point of the cone of ``W`` to each point: nonnegative least squares per row.

    Parameters
    ----------
    X : array_like, shape (n, k)
    W : array_like, shape (r, k)
        Rays as rows.

    Returns
    -------
    H : ndarray, shape (n, r)
        ``H_i = argmin_{h ≥ 0} ‖X_i − h W‖``.
    distances : ndarray, shape (n,)
        ``‖X_i − H_i W‖``: 0 for points inside the cone.
    """
    X = as_nonnegative_matrix(X, allow_sparse=False).astype(np.float64)
    W = _as_basis(W, X.shape[1])
    H = nnls_gram(W @ W.T, W @ X.T).T
    distances = np.linalg.norm(X - H @ W, axis=1)
    return H, distances


def in_cone(X: Any, W: Any, *, atol: float = 1e-9) -> np.ndarray:
    """Which points lie in the cone of ``W`` (up to ``atol`` times the point's length).

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    _, distances = cone_projection(X, W)
    return distances <= atol * np.maximum(np.linalg.norm(X, axis=1), 1.0)


def outside_cone(
    X: Any, W: Any, *, rel_tol: float = OUTSIDE_REL_TOL
) -> tuple[np.ndarray, np.ndarray]:
    """Points far outside the cone of ``W``, and how far every point is from it.

    Parameters
    ----------
    X : array_like, shape (n, k)
    W : array_like, shape (r, k)
    rel_tol : float
        "Far" means farther than ``rel_tol`` times the median length of the points.

    Returns
    -------
    far : ndarray of bool, shape (n,)
    distances : ndarray, shape (n,)
        Distance of each point to the cone (see :func:`cone_projection`).
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    _, distances = cone_projection(X, W)
    scale = float(np.median(np.linalg.norm(X, axis=1)))
    return distances > rel_tol * scale, distances


def stretch_range(H: Any, W: Any) -> tuple[float, float]:
    """How far :func:`stretch_factorization` can go while both factors stay nonnegative.

    Parameters
    ----------
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)

    Returns
    -------
    t_min, t_max : float
        ``t_min ≤ 0 ≤ t_max``; for ``t`` in between, the stretched ``H'`` and ``W'`` are
        nonnegative. Both are 0 when ``r == 1`` (one ray can only be rescaled). ``t_max`` is
        capped at 10 and ``t_min`` at −0.9.
    """
    H = as_nonnegative_matrix(H, name="H", allow_sparse=False).astype(np.float64)
    W = as_nonnegative_matrix(W, name="W", allow_sparse=False).astype(np.float64)
    if H.shape[1] != W.shape[0]:
        raise ValueError(f"H has {H.shape[1]} columns but W has {W.shape[0]} rows.")
    if W.shape[0] == 1:
        return 0.0, 0.0
    mean_ray = W.mean(axis=0)
    # W'_j = (1 + t) W_j − t W̄ is nonnegative while t ≤ W_jc / (W̄_c − W_jc) where W_jc < W̄_c.
    below = W < mean_ray - 1e-15
    t_max = (
        float(np.min(W[below] / (np.broadcast_to(mean_ray, W.shape)[below] - W[below])))
        if below.any()
        else np.inf
    )
    # H' = (H + t h̄ 1ᵀ)/(1 + t) is nonnegative while t ≥ −H_ij / h̄_i (h̄_i the row mean).
    row_mean = H.mean(axis=1, keepdims=True)
    used = row_mean[:, 0] > 0
    t_min = -float(np.min(H[used] / row_mean[used])) if used.any() else -np.inf
    # Adding 0.0 turns a -0.0 into 0.0 for display.
    return max(t_min, -0.9) + 0.0, min(t_max, 10.0) + 0.0


def stretch_factorization(H: Any, W: Any, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Another factorisation with exactly the same product: ``H' W' = H W``.

    The rays move away from (``t > 0``) or towards (``t < 0``) their mean ``W̄``:

    ``W' = Q W`` with ``Q = (1 + t) I − (t / r) 11ᵀ``, i.e. ``W'_j = (1 + t) W_j − t W̄``,
    ``H' = H Q⁻¹`` with ``Q⁻¹ = (I + (t / r) 11ᵀ) / (1 + t)``.

    Opening the cone (``t > 0``) keeps ``H'`` nonnegative automatically; ``W'`` stays
    nonnegative up to ``t_max`` of :func:`stretch_range`. Closing it keeps ``W'`` nonnegative and
    ``H'`` stays so down to ``t_min``.

    Parameters
    ----------
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)
    t : float
        Stretch, in ``[t_min, t_max]`` of :func:`stretch_range`.

    Returns
    -------
    H_new : ndarray, shape (n, r)
    W_new : ndarray, shape (r, k)

    Raises
    ------
    ValueError
        If ``t`` is outside ``stretch_range(H, W)`` (a factor would turn negative).
    """
    t_min, t_max = stretch_range(H, W)
    t = float(t)
    if not t_min - 1e-12 <= t <= t_max + 1e-12:
        raise ValueError(
            f"t={t:.4g} is outside [{t_min:.4g}, {t_max:.4g}]: a factor would get negative entries."
        )
    H = np.asarray(H, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    rank = W.shape[0]
    averaging = np.full((rank, rank), 1.0 / rank)
    Q = (1.0 + t) * np.eye(rank) - t * averaging
    Q_inv = (np.eye(rank) + t * averaging) / (1.0 + t)
    # Clip rounding-level negatives at the ends of the range.
    return np.maximum(H @ Q_inv, 0.0), np.maximum(Q @ W, 0.0)


def normalize_basis(H: Any, W: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rescale so every row of ``W`` has unit length, keeping ``H W`` unchanged.

    NMF cannot tell ``(H, W)`` from ``(H D⁻¹, D W)`` for a positive diagonal ``D``; unit rays
    make pictures and coordinates comparable across fits. Zero rows of ``W`` are left as they
    are.

    Parameters
    ----------
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)

    Returns
    -------
    H_scaled : ndarray, shape (n, r)
    W_unit : ndarray, shape (r, k)
    """
    H = np.asarray(H, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    if H.ndim != 2 or W.ndim != 2 or H.shape[1] != W.shape[0]:
        raise ValueError(f"Need H (n, r) and W (r, k); got shapes {H.shape} and {W.shape}.")
    lengths = np.linalg.norm(W, axis=1)
    scale = np.where(lengths > 0, lengths, 1.0)
    return H * scale, W / scale[:, None]


def ray_angles_deg(W: Any) -> np.ndarray:
    """Angle of each ray to the first axis, in degrees (in 2-D, its polar angle).

    Returns
    -------
    ndarray, shape (r,)
    """
    W = np.asarray(W, dtype=np.float64)
    lengths = np.maximum(np.linalg.norm(W, axis=1), 1e-300)
    return np.degrees(np.arccos(np.clip(W[:, 0] / lengths, -1.0, 1.0)))


def match_rays(W_learned: Any, W_reference: Any) -> tuple[np.ndarray, np.ndarray]:
    """Pair each reference ray with a learned ray so the total angle between pairs is smallest.

    Parameters
    ----------
    W_learned : array_like, shape (r, k)
    W_reference : array_like, shape (r, k)

    Returns
    -------
    order : ndarray of int, shape (r,)
        ``W_learned[order[j]]`` is matched with ``W_reference[j]``.
    angles : ndarray, shape (r,)
        Angle in degrees between each matched pair (0 = same direction; lengths are ignored, as
        NMF cannot pin them down).
    """
    A = np.asarray(W_learned, dtype=np.float64)
    B = np.asarray(W_reference, dtype=np.float64)
    if A.ndim != 2 or A.shape != B.shape:
        raise ValueError(f"Both bases need the same shape (r, k); got {A.shape} and {B.shape}.")
    A_unit = A / np.maximum(np.linalg.norm(A, axis=1, keepdims=True), 1e-300)
    B_unit = B / np.maximum(np.linalg.norm(B, axis=1, keepdims=True), 1e-300)
    # 2·atan2(‖a − b‖, ‖a + b‖) is the angle between unit vectors a and b, accurate near 0
    # (arccos of the dot product loses half the digits there).
    differences = np.linalg.norm(B_unit[:, None, :] - A_unit[None, :, :], axis=2)
    sums = np.linalg.norm(B_unit[:, None, :] + A_unit[None, :, :], axis=2)
    angles = np.degrees(2.0 * np.arctan2(differences, sums))  # (reference, learned)
    rows, cols = linear_sum_assignment(angles)
    order = np.empty(len(rows), dtype=int)
    order[rows] = cols
    return order, angles[rows, cols][np.argsort(rows)]


def fit_restarts(
    X: Any,
    rank: int,
    seeds: Iterable[int],
    *,
    solver: str = "hals",
    init: str = "random",
    max_iter: int = 400,
    tol: float = 1e-7,
) -> list[NMFResult]:
    """Run NMF once per seed from random starts: equally good fits, often different cones.

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int
    seeds : iterable of int
    solver, init, max_iter, tol
        Passed to :func:`nmf_core.nmf`.

    Returns
    -------
    list of NMFResult, one per seed, in the order given.
    """
    return [
        nmf(X, rank, solver=solver, init=init, seed=int(s), max_iter=max_iter, tol=tol)
        for s in seeds
    ]


@dataclass(frozen=True)
class SPAStep:
    """The state of SPA just before it picks its ``step``-th row (0-based).

    Attributes
    ----------
    step : int
    residual : ndarray, shape (n, k)
        The rows after projecting out every earlier pick (step 0: ``X`` itself).
    norms : ndarray, shape (n,)
        Squared lengths of the residual rows.
    picked : int
        The row chosen at this step: the largest residual not chosen before.
    picked_before : tuple of int
        Rows chosen at earlier steps, in order.
    """

    step: int
    residual: np.ndarray
    norms: np.ndarray
    picked: int
    picked_before: tuple[int, ...]


def spa_steps(X: Any, rank: int) -> list[SPAStep]:
    """The successive projection algorithm one step at a time (same picks as ``spa``).

    Each step picks the row with the largest residual length, then projects every row onto the
    orthogonal complement of the picked residual, so the next pick points somewhere new.

    Parameters
    ----------
    X : array_like, shape (n, k)
        Nonnegative points.
    rank : int
        Number of steps, at most ``min(n, k)``.

    Returns
    -------
    list of SPAStep, length ``rank``
        ``[s.picked for s in spa_steps(X, r)] == list(nmf_core.spa(X, r))``.
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    rank = check_rank(rank)
    n, k = X.shape
    if rank > min(n, k):
        raise ValueError(
            f"SPA can pick at most min(n, k) = {min(n, k)} rows from X of shape "
            f"{X.shape}; got rank={rank}."
        )
    residual = X.astype(np.float64, copy=True)
    steps: list[SPAStep] = []
    picked: list[int] = []
    for step in range(rank):
        norms = np.einsum("ij,ij->i", residual, residual)
        candidates = norms.copy()
        candidates[picked] = -1.0
        index = int(np.argmax(candidates))
        steps.append(
            SPAStep(
                step=step,
                residual=residual.copy(),
                norms=norms,
                picked=index,
                picked_before=tuple(picked),
            )
        )
        picked.append(index)
        direction = residual[index]
        length2 = float(direction @ direction)
        if length2 > 0:
            residual = residual - np.outer(residual @ direction / length2, direction)
    return steps


def spa_basis(X: Any, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """SPA's picks and the basis they make: ``W = X[picks]``.

    Returns
    -------
    picks : ndarray of int, shape (rank,)
    W : ndarray, shape (rank, k)
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    picks = spa(X, rank)
    return picks, X[picks].astype(np.float64)


@dataclass(frozen=True)
class PCAAxes:
    """Signed PCA axes drawn through the mean of a cloud.

    Attributes
    ----------
    mean : ndarray, shape (k,)
    components : ndarray, shape (k, k)
        Unit axes as rows, signed.
    half_lengths : ndarray, shape (k,)
        Each axis is drawn from ``mean − half_length·c`` to ``mean + half_length·c``
        (``2`` standard deviations along it).
    mixed_signs : ndarray of bool, shape (k,)
        The axis has entries of both signs: as a direction, it points out of the nonnegative
        orthant one way or the other.
    leaves_orthant : ndarray of bool, shape (k,)
        The drawn segment reaches a negative coordinate.
    """

    mean: np.ndarray
    components: np.ndarray
    half_lengths: np.ndarray
    mixed_signs: np.ndarray
    leaves_orthant: np.ndarray


def pca_axes(X: Any, *, n_std: float = 2.0) -> PCAAxes:
    """PCA of the cloud (centred), as axes through its mean for drawing next to NMF rays.

    Parameters
    ----------
    X : array_like, shape (n, k)
    n_std : float
        Half-length of each drawn axis in standard deviations.

    Returns
    -------
    PCAAxes
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    result = pca(X, X.shape[1])
    components = result.components
    half = n_std * np.sqrt(result.explained_variance)
    tol = 1e-12
    mixed = (components.max(axis=1) > tol) & (components.min(axis=1) < -tol)
    ends = np.stack(
        [result.mean - half[:, None] * components, result.mean + half[:, None] * components]
    )
    leaves = (ends < -tol).any(axis=(0, 2))
    return PCAAxes(
        mean=result.mean,
        components=components,
        half_lengths=half,
        mixed_signs=mixed,
        leaves_orthant=leaves,
    )
