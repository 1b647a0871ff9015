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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from nmf_core import as_nonnegative_matrix, check_rank
from nmf_core.baselines import pca
from nmf_core.init import spa
from nmf_core.nnls import nnls_gram
from nmf_core.solvers import NMFResult, nmf

__all__ = [
    "OUTSIDE_REL_TOL",
    "VISIBLE_SHARE",
    "ConeFit",
    "PCAAxes",
    "RestartCones",
    "SPAStep",
    "Twin",
    "cone_projection",
    "fit_cone",
    "fit_restarts",
    "in_cone",
    "match_rays",
    "normalize_basis",
    "outside_cone",
    "pca_axes",
    "point_in_learned_basis",
    "ray_angles_deg",
    "restart_angles",
    "restart_cones",
    "shown_point_index",
    "spa_basis",
    "spa_containment_gap",
    "spa_found_extreme_rows",
    "spa_steps",
    "squared_size",
    "stretch_factorization",
    "stretch_range",
    "stretched_twin",
]

# A point is "far outside" the cone when its distance to the cone exceeds this fraction of the
# median length of the points: a scale-free threshold that ignores rounding-level misses.
OUTSIDE_REL_TOL = 0.05


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


#: A crossing below 0 smaller than this share of the cloud's largest coordinate cannot be seen
#: at the figure's scale (about a line width), so the page does not claim it.
VISIBLE_SHARE = 0.02


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
    depth_below_zero : ndarray, shape (k,)
        How far the drawn segment's most negative coordinate lies below 0 (0 if it does not).
    visible_depth : float
        The depth from which a crossing can be seen in the figure: :data:`VISIBLE_SHARE` of
        the largest coordinate of the cloud (the figure's scale).
    """

    mean: np.ndarray
    components: np.ndarray
    half_lengths: np.ndarray
    mixed_signs: np.ndarray
    leaves_orthant: np.ndarray
    depth_below_zero: np.ndarray = field(default_factory=lambda: np.zeros(0))
    visible_depth: float = 0.0

    @property
    def visibly_leaves(self) -> np.ndarray:
        """Axes whose drawn segment crosses into negative coordinates by a visible amount."""
        return self.depth_below_zero > self.visible_depth


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
    depth = np.maximum(-ends.min(axis=(0, 2)), 0.0)
    return PCAAxes(
        mean=result.mean,
        components=components,
        half_lengths=half,
        mixed_signs=mixed,
        leaves_orthant=leaves,
        depth_below_zero=depth,
        visible_depth=VISIBLE_SHARE * float(np.max(X)) if X.size else 0.0,
    )


# --------------------------------------------------------------------------------------------
# The numbers the page reports
# --------------------------------------------------------------------------------------------


def shown_point_index(requested: int, n_points: int) -> tuple[int, str | None]:
    """The row to show for a requested point index, and a note when it had to be clamped.

    Parameters
    ----------
    requested : int
        The index the learner typed (0-based, nonnegative).
    n_points : int
        Number of rows ``n`` of ``X``; valid indices are ``0 … n − 1``.

    Returns
    -------
    shown : int
        ``min(requested, n − 1)``.
    note : str or None
        A sentence naming both indices when ``requested`` is out of range, else ``None``.

    Raises
    ------
    ValueError
        If ``requested < 0`` or ``n_points < 1``.

    Examples
    --------
    >>> shown_point_index(5000, 1000)[0]
    999
    """
    requested, n_points = int(requested), int(n_points)
    if requested < 0 or n_points < 1:
        raise ValueError(
            f"Need a point index ≥ 0 and at least one point; got {requested}, {n_points}."
        )
    if requested < n_points:
        return requested, None
    shown = n_points - 1
    return shown, (
        f"There is no point {requested}: the cloud has {n_points} points (rows 0 to {shown}), "
        f"so point {shown}, the last one, is shown."
    )


def point_in_learned_basis(X: Any, H: Any, W: Any, index: int) -> tuple[np.ndarray, float]:
    """Point ``index`` rebuilt from its coordinates: ``H_i W`` and the residual ``‖X_i − H_i W‖``.

    Parameters
    ----------
    X : array_like, shape (n, k)
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)
    index : int
        Row ``i`` of ``X``.

    Returns
    -------
    reconstruction : ndarray, shape (k,)
    residual_length : float
    """
    X, H, W = (np.asarray(a, dtype=np.float64) for a in (X, H, W))
    reconstruction = H[index] @ W
    return reconstruction, float(np.linalg.norm(X[index] - reconstruction))


def restart_angles(bases: Sequence[Any]) -> tuple[list[np.ndarray], np.ndarray]:
    """Ray angles of each restart and how far its cone is from the first restart's.

    Parameters
    ----------
    bases : sequence of array_like, each shape (r, k)
        The ``W`` of each restart; the first is the reference.

    Returns
    -------
    angles : list of ndarray, each shape (r,)
        Each restart's ray angles to the first axis in degrees, sorted.
    spread : ndarray, shape (len(bases),)
        Largest angle in degrees between a restart's ray and the matched ray of the first
        restart (0 for the first).
    """
    reference = bases[0]
    angles = [np.sort(ray_angles_deg(W)) for W in bases]
    spread = np.array([float(np.max(match_rays(W, reference)[1])) for W in bases])
    return angles, spread


@dataclass(frozen=True, eq=False)
class ConeFit:
    """One NMF of a cloud with unit-length rays, and how far each point lies from its cone.

    Attributes
    ----------
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
        Rows of unit length (:func:`normalize_basis`): the same product ``HW`` as the solver's.
    loss : float
        ``‖X − HW‖²_F`` at the end.
    relative_error : float
        ``‖X − HW‖_F / ‖X‖_F``.
    n_iter : int
        Iterations the solver ran.
    far : ndarray of bool, shape (n,)
        Points more than :data:`OUTSIDE_REL_TOL` outside the cone (:func:`outside_cone`).
    distances : ndarray, shape (n,)
        Each point's distance to the cone.
    """

    H: np.ndarray
    W: np.ndarray
    loss: float
    relative_error: float
    n_iter: int
    far: np.ndarray
    distances: np.ndarray


def fit_cone(
    X: Any, rank: int, *, solver: str, init: str, seed: int, max_iter: int, tol: float
) -> ConeFit:
    """NMF of the cloud ``X`` (shape (n, k)) at ``rank``, its rays scaled to unit length.

    ``solver``, ``init``, ``seed``, ``max_iter`` and ``tol`` are passed to :func:`nmf_core.nmf`.
    """
    result = nmf(X, rank, solver=solver, init=init, seed=seed, max_iter=max_iter, tol=tol)
    H, W = normalize_basis(result.H, result.W)
    far, distances = outside_cone(X, W)
    return ConeFit(
        H=H,
        W=W,
        loss=float(result.losses[-1]),
        relative_error=float(result.relative_error),
        n_iter=int(result.n_iter),
        far=far,
        distances=distances,
    )


@dataclass(frozen=True, eq=False)
class RestartCones:
    """NMFs of one cloud from random starts, and how far apart their cones are.

    Attributes
    ----------
    seeds : tuple of int
        One per restart, in order; the first restart is the reference.
    bases : list of ndarray, each shape (r, k)
        Each restart's ``W`` as the solver left it.
    losses, relative_errors : list of float
        Each restart's ``‖X − HW‖²_F`` and ``‖X − HW‖_F / ‖X‖_F``.
    ray_angles : list of ndarray, each shape (r,)
    spreads : ndarray, shape (len(seeds),)
        As :func:`restart_angles` returns them.
    """

    seeds: tuple[int, ...]
    bases: list[np.ndarray]
    losses: list[float]
    relative_errors: list[float]
    ray_angles: list[np.ndarray]
    spreads: np.ndarray


def restart_cones(
    X: Any, rank: int, seeds: Sequence[int], *, solver: str, max_iter: int, tol: float
) -> RestartCones:
    """:func:`fit_restarts` from random starts, with the angles between the cones."""
    runs = fit_restarts(X, rank, seeds, solver=solver, init="random", max_iter=max_iter, tol=tol)
    bases = [run.W for run in runs]
    angles, spreads = restart_angles(bases)
    return RestartCones(
        seeds=tuple(int(s) for s in seeds),
        bases=bases,
        losses=[float(run.losses[-1]) for run in runs],
        relative_errors=[float(run.relative_error) for run in runs],
        ray_angles=angles,
        spreads=spreads,
    )


def squared_size(H: Any, W: Any) -> float:
    """``‖H‖²_F + ‖W‖²_F``, the L2 penalty that tells twins with the same ``HW`` apart."""
    return float(np.sum(np.asarray(H) ** 2) + np.sum(np.asarray(W) ** 2))


@dataclass(frozen=True)
class Twin:
    """A stretched twin of a factorisation: the same product ``HW``, another cone.

    Attributes
    ----------
    t : float
        The stretch applied, in ``[t_min, t_max]``.
    t_min, t_max : float
        The range of :func:`stretch_range`.
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    loss : float
        ``‖X − H W‖²_F`` of the twin.
    """

    t: float
    t_min: float
    t_max: float
    H: np.ndarray
    W: np.ndarray
    loss: float


def stretched_twin(X: Any, H: Any, W: Any, stretch: float) -> Twin:
    """The twin at a slider position: ``stretch`` in [−1, 1] scales ``t_min`` or ``t_max``.

    ``stretch = 1`` opens the cone as far as ``W`` allows (``t = t_max``), ``−1`` closes it as
    far as ``H`` allows (``t = t_min``), 0 leaves the factors as they are.

    Parameters
    ----------
    X : array_like, shape (n, k)
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)
    stretch : float in [-1, 1]

    Returns
    -------
    Twin
    """
    stretch = float(stretch)
    if not -1.0 <= stretch <= 1.0:
        raise ValueError(f"stretch must be in [-1, 1], got {stretch!r}.")
    t_min, t_max = stretch_range(H, W)
    t = stretch * t_max if stretch >= 0 else -stretch * t_min
    H_twin, W_twin = stretch_factorization(H, W, t)
    loss = float(np.sum((np.asarray(X, dtype=np.float64) - H_twin @ W_twin) ** 2))
    return Twin(t=t, t_min=t_min, t_max=t_max, H=H_twin, W=W_twin, loss=loss)


def spa_containment_gap(W_spa: Any, bases: Iterable[Any]) -> float:
    """How far the SPA rays stick out of other cones, relative to their length (worst case).

    Every cone that fits the data holds the data points, so it holds the SPA rays (which are
    data points): on a good fit this is close to 0.

    Parameters
    ----------
    W_spa : array_like, shape (r, k)
        The rays SPA picked.
    bases : iterable of array_like, each shape (r', k)
        The cones to test, e.g. the ``W`` of each restart.

    Returns
    -------
    float
        ``max over cones and rays of dist(ray, cone) / ‖ray‖``.
    """
    W_spa = np.asarray(W_spa, dtype=np.float64)
    lengths = np.linalg.norm(W_spa, axis=1)
    return max(
        float(np.max(cone_projection(W_spa, W)[1] / np.maximum(lengths, 1e-300))) for W in bases
    )


def spa_found_extreme_rows(picks: Any, extreme_rows: Any) -> bool:
    """Whether SPA picked exactly the planted extreme points (in any order)."""
    return set(np.asarray(picks).tolist()) == set(np.asarray(extreme_rows).tolist())
