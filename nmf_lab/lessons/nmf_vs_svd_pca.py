"""NMF, SVD and PCA on the same data at the same rank, with outputs that line up.

Every method is written in the app's notation ``X ≈ (offset) + H W``: rows of ``X`` are points,
``H`` (n×r) holds coefficients and the rows of ``W`` (r×k) are basis vectors.

- NMF: ``X ≈ H W`` with ``H ≥ 0``, ``W ≥ 0``.
- SVD: ``X ≈ (U diag(S)) Vt``, so ``H = U diag(S)`` and ``W = Vt``.
- PCA: ``X ≈ mean + scores @ components``, so ``H = scores`` and ``W = components``; the error
  is measured on the *uncentred* ``X``, after adding the mean back.

Facts the comparison rests on (tested in ``tests/lessons/test_lessons_nmf_vs_svd_pca.py``), for
``e_M(r) = ‖X − X̂‖_F / ‖X‖_F``:

- ``e_SVD(r) ≤ e_NMF(r)``: ``HW`` has rank at most ``r`` and the truncated SVD is the best
  rank-r fit (Eckart–Young).
- ``e_SVD(r + 1) ≤ e_PCA(r) ≤ e_SVD(r)``: ``mean + scores @ components`` has rank at most
  ``r + 1``, and PCA is the best fit by an r-dimensional *affine* subspace, of which the
  subspaces through the origin that SVD searches are special cases.

>>> import numpy as np
>>> X = np.random.default_rng(0).random((30, 8))
>>> fits = fit_all(X, 2, seed=0)
>>> [fit.method for fit in fits.values()]
['NMF', 'SVD', 'PCA']
>>> bool(fits["SVD"].relative_error <= fits["NMF"].relative_error)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse.linalg

from nmf_core import as_nonnegative_matrix, check_rank
from nmf_core.baselines import pca, truncated_svd
from nmf_core.metrics import hoyer_sparseness, relative_error
from nmf_core.solvers import nmf
from nmf_lab.checkpoints import Checkpoint, Choice, pick

__all__ = [
    "GAP_QUESTION_RANK",
    "METHODS",
    "NMF_SETTINGS",
    "Comparison",
    "ErrorCurves",
    "MethodFit",
    "Restarts",
    "compare",
    "error_curves",
    "fit_all",
    "fit_nmf",
    "fit_pca",
    "fit_svd",
    "largest_principal_angle",
    "matched_angles",
    "matched_order",
    "measure_table",
    "pca_error_curve",
    "restarts",
    "seeds_checkpoint",
    "singular_gap",
    "svd_from_random_start",
    "svd_gap_checkpoint",
]

METHODS = ("NMF", "SVD", "PCA")
# One NMF recipe for every fit on the page, so the main fit, the restarts and the error curve
# agree: HALS from a random start drawn from the seed.
NMF_SETTINGS: dict[str, Any] = {"solver": "hals", "init": "random", "max_iter": 200, "tol": 1e-5}
# Entries more negative than this (relative to the largest magnitude) count as negative, so
# round-off around zero (e.g. -1e-17) is not called a sign.
_SIGN_TOLERANCE = 1e-9


def _check_data(X) -> np.ndarray:
    X = np.asarray(as_nonnegative_matrix(X, allow_sparse=False), dtype=np.float64)
    if min(X.shape) < 2:
        raise ValueError(
            f"The comparison needs at least 2 rows and 2 columns; got shape {X.shape}."
        )
    if not np.any(X):
        raise ValueError("The matrix is all zeros: there is nothing to factorise.")
    return X


# --------------------------------------------------------------------------------------------
# One fit per method, in the same shape
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodFit:
    """One method's answer, in the shared layout ``X ≈ offset + H W``.

    Basis rows are scaled to unit length (for NMF the scale moves into ``H``, which leaves
    ``HW`` unchanged), so the three bases can share one colour scale.

    Attributes
    ----------
    method : {"NMF", "SVD", "PCA"}
    basis : ndarray, shape (r, k)
        ``W``: one unit-length basis vector per row.
    coefficients : ndarray, shape (n, r)
        ``H``: the coordinates of each point.
    offset : ndarray, shape (k,)
        Added to every row of ``HW`` (the column means for PCA, zeros otherwise).
    reconstruction : ndarray, shape (n, k)
        ``offset + H W``.
    relative_error : float
        ``‖X − reconstruction‖_F / ‖X‖_F`` on the uncentred ``X``.
    basis_sparseness : float
        Mean Hoyer sparseness of the basis vectors (rows of ``W``).
    coefficient_sparseness : float
        Mean Hoyer sparseness of the columns of ``H`` (how each basis vector is used across the
        points).
    negative_basis, negative_coefficients, negative_reconstruction : float
        Share of entries below zero in ``W``, ``H`` and the reconstruction.
    """

    method: str
    basis: np.ndarray
    coefficients: np.ndarray
    offset: np.ndarray
    reconstruction: np.ndarray
    relative_error: float
    basis_sparseness: float
    coefficient_sparseness: float
    negative_basis: float
    negative_coefficients: float
    negative_reconstruction: float

    @property
    def rank(self) -> int:
        """Number of basis vectors ``r``."""
        return self.basis.shape[0]

    @property
    def factors_nonnegative(self) -> bool:
        """Whether both ``H`` and ``W`` have no negative entry."""
        return self.negative_basis == 0 and self.negative_coefficients == 0


def _negative_share(matrix: np.ndarray) -> float:
    scale = float(np.max(np.abs(matrix))) if matrix.size else 0.0
    if scale == 0:
        return 0.0
    return float(np.mean(matrix < -_SIGN_TOLERANCE * scale))


def _fix_signs(coefficients: np.ndarray, basis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flip pairs ``(h_j, w_j)`` so each basis row's largest-magnitude entry is positive.

    ``h_j w_j = (−h_j)(−w_j)``: the fit is unchanged, the picture becomes deterministic.
    """
    if basis.size == 0:
        return coefficients, basis
    signs = np.sign(basis[np.arange(basis.shape[0]), np.argmax(np.abs(basis), axis=1)])
    signs[signs == 0] = 1.0
    return coefficients * signs, basis * signs[:, None]


def _package(
    method: str,
    X: np.ndarray,
    coefficients: np.ndarray,
    basis: np.ndarray,
    offset: np.ndarray | None = None,
) -> MethodFit:
    offset = np.zeros(X.shape[1]) if offset is None else np.asarray(offset, dtype=np.float64)
    reconstruction = coefficients @ basis + offset
    return MethodFit(
        method=method,
        basis=basis,
        coefficients=coefficients,
        offset=offset,
        reconstruction=reconstruction,
        relative_error=relative_error(X, reconstruction),
        basis_sparseness=float(np.mean(hoyer_sparseness(basis, axis=1))),
        coefficient_sparseness=float(np.mean(hoyer_sparseness(coefficients, axis=0))),
        negative_basis=_negative_share(basis),
        negative_coefficients=_negative_share(coefficients),
        negative_reconstruction=_negative_share(reconstruction),
    )


def fit_nmf(X, rank: int, *, seed: Any = 0) -> MethodFit:
    """NMF with :data:`NMF_SETTINGS`, basis rows normalised and sorted by their weight.

    Components are ordered by ``‖h_j‖ ‖w_j‖`` (largest first), like singular values.

    Parameters
    ----------
    X : array_like, shape (n, k), nonnegative
    rank : int
    seed : None, int or numpy.random.Generator
        The random start.

    Returns
    -------
    MethodFit
    """
    X = _check_data(X)
    result = nmf(X, check_rank(rank), seed=seed, **NMF_SETTINGS)
    norms = np.linalg.norm(result.W, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    H = result.H * norms  # (h_j ‖w_j‖)(w_j / ‖w_j‖) = h_j w_j
    W = result.W / safe[:, None]
    order = np.argsort(-np.linalg.norm(H, axis=0), kind="stable")
    return _package("NMF", X, H[:, order], W[order])


def fit_svd(X, rank: int) -> MethodFit:
    """Truncated SVD: ``H = U diag(S)``, ``W = Vt`` (signs fixed for a stable picture).

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int
        Capped at ``min(n, k)``.

    Returns
    -------
    MethodFit
    """
    X = _check_data(X)
    result = truncated_svd(X, rank)
    H, W = _fix_signs(result.U * result.S, result.Vt)
    return _package("SVD", X, H, W)


def fit_pca(X, rank: int) -> MethodFit:
    """PCA: ``H = scores``, ``W = components``, offset = column means; error on uncentred X.

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int
        Capped at ``min(n, k)``.

    Returns
    -------
    MethodFit
    """
    X = _check_data(X)
    result = pca(X, rank)
    return _package("PCA", X, result.scores, result.components, offset=result.mean)


def fit_all(X, rank: int, *, seed: Any = 0) -> dict[str, MethodFit]:
    """The three fits of ``X`` at rank ``rank``, keyed by :data:`METHODS` in that order."""
    return {"NMF": fit_nmf(X, rank, seed=seed), "SVD": fit_svd(X, rank), "PCA": fit_pca(X, rank)}


# --------------------------------------------------------------------------------------------
# Uniqueness over restarts
# --------------------------------------------------------------------------------------------


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def matched_angles(
    reference: np.ndarray, other: np.ndarray, *, up_to_sign: bool = True
) -> np.ndarray:
    """Angles between basis vectors after pairing them up as well as possible.

    The rows of ``other`` are matched one-to-one to the rows of ``reference`` maximising the
    total ``|cos|`` (Hungarian algorithm), since restarts may list the same vectors in another
    order.

    Parameters
    ----------
    reference, other : ndarray, shape (r, k)
        Basis vectors as rows.
    up_to_sign : bool
        Treat ``w`` and ``−w`` as the same vector (SVD and PCA fix a direction only up to sign).

    Returns
    -------
    ndarray, shape (r,)
        Angle in degrees for each row of ``reference``, in [0, 90] with ``up_to_sign`` and
        [0, 180] without.
    """
    reference, other = np.asarray(reference, float), np.asarray(other, float)
    if reference.shape != other.shape:
        raise ValueError(
            f"Both bases need the same shape, got {reference.shape} and {other.shape}."
        )
    cosines = _unit_rows(reference) @ _unit_rows(other).T
    if up_to_sign:
        cosines = np.abs(cosines)
    rows, cols = scipy.optimize.linear_sum_assignment(-cosines)
    angles = np.empty(reference.shape[0])
    angles[rows] = np.degrees(np.arccos(np.clip(cosines[rows, cols], -1.0, 1.0)))
    return angles


def matched_order(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The rows of ``other`` in the order that pairs them with the rows of ``reference``.

    The same matching as :func:`matched_angles` without signs (``other[order][i]`` is the
    partner of ``reference[i]``), for showing two NMF runs side by side.

    Returns
    -------
    ndarray of int, shape (r,)
    """
    reference, other = np.asarray(reference, float), np.asarray(other, float)
    if reference.shape != other.shape:
        raise ValueError(
            f"Both bases need the same shape, got {reference.shape} and {other.shape}."
        )
    cosines = _unit_rows(reference) @ _unit_rows(other).T
    rows, cols = scipy.optimize.linear_sum_assignment(-cosines)
    order = np.empty(reference.shape[0], dtype=int)
    order[rows] = cols
    return order


def largest_principal_angle(A: np.ndarray, B: np.ndarray) -> float:
    """Largest principal angle, in degrees, between the spans of the rows of ``A`` and ``B``.

    0 means the two sets of basis vectors span the same subspace.

    Parameters
    ----------
    A, B : ndarray, shape (r, k)

    Returns
    -------
    float
    """
    A, B = np.asarray(A, float), np.asarray(B, float)
    if not np.any(A) or not np.any(B):
        return 90.0
    return float(np.degrees(np.max(scipy.linalg.subspace_angles(A.T, B.T))))


def svd_from_random_start(X, rank: int, *, seed: Any = 0) -> np.ndarray:
    """The top ``rank`` right singular vectors, found by ARPACK from a random start vector.

    A different seed starts the Lanczos iteration elsewhere; where the answer is unique the
    result is the same subspace every time (its vectors may flip sign).

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int
    seed : None, int or numpy.random.Generator

    Returns
    -------
    ndarray, shape (min(rank, min(n, k)), k)
        Right singular vectors as rows, largest singular value first.
    """
    X = np.asarray(X, dtype=np.float64)
    rank = min(check_rank(rank), min(X.shape))
    if rank >= min(X.shape):
        # ARPACK needs rank < min(n, k); at full rank the span is the whole row space anyway.
        return np.linalg.svd(X, full_matrices=False)[2][:rank]
    rng = np.random.default_rng(seed)
    start = rng.standard_normal(min(X.shape))
    try:
        _, values, Vt = scipy.sparse.linalg.svds(X, k=rank, v0=start, tol=0, solver="arpack")
    except (scipy.sparse.linalg.ArpackError, scipy.sparse.linalg.ArpackNoConvergence):
        return np.linalg.svd(X, full_matrices=False)[2][:rank]
    return Vt[np.argsort(-values, kind="stable")]


@dataclass(frozen=True)
class Restarts:
    """One method run from several seeds, compared with its first run.

    Attributes
    ----------
    method : str
    seeds : ndarray, shape (m,)
    relative_errors : ndarray, shape (m,)
    subspace_angles : ndarray, shape (m,)
        Largest principal angle (degrees) between run ``i``'s basis span and run 0's.
    basis_angles : ndarray, shape (m,)
        Largest angle (degrees) between matched basis vectors of run ``i`` and run 0 (up to
        sign for SVD and PCA).
    bases : tuple of ndarray, shape (r, k) each
        The basis of each run (unit rows), in run order.
    """

    method: str
    seeds: np.ndarray
    relative_errors: np.ndarray
    subspace_angles: np.ndarray
    basis_angles: np.ndarray
    bases: tuple[np.ndarray, ...] = ()

    @property
    def error_spread(self) -> float:
        """``max − min`` of the relative errors over the runs."""
        return float(np.ptp(self.relative_errors))

    @property
    def largest_basis_angle(self) -> float:
        """Largest of :attr:`basis_angles`, in degrees."""
        return float(np.max(self.basis_angles))

    @property
    def largest_subspace_angle(self) -> float:
        """Largest of :attr:`subspace_angles`, in degrees."""
        return float(np.max(self.subspace_angles))


def _restart_summary(
    method: str, seeds: np.ndarray, bases: list[np.ndarray], errors: list[float], up_to_sign: bool
) -> Restarts:
    reference = bases[0]
    return Restarts(
        method=method,
        seeds=seeds,
        relative_errors=np.asarray(errors, dtype=np.float64),
        subspace_angles=np.array([largest_principal_angle(reference, basis) for basis in bases]),
        basis_angles=np.array(
            [
                float(np.max(matched_angles(reference, basis, up_to_sign=up_to_sign)))
                for basis in bases
            ]
        ),
        bases=tuple(np.asarray(basis, dtype=np.float64) for basis in bases),
    )


def restarts(
    X, rank: int, *, seed: int = 0, n_restarts: int = 4, first_nmf: MethodFit | None = None
) -> dict[str, Restarts]:
    """Run each method from ``n_restarts`` seeds ``seed, seed + 1, …`` and measure the spread.

    NMF restarts from a new random start each time. SVD and PCA find their top ``rank``
    singular vectors with ARPACK from a random start vector (:func:`svd_from_random_start`;
    PCA on the centred data).

    Parameters
    ----------
    X : array_like, shape (n, k), nonnegative
    rank : int
    seed : int
        First seed.
    n_restarts : int
        Runs per method (at least 2).
    first_nmf : MethodFit, optional
        The NMF fit for ``seed`` if already computed (saves one fit).

    Returns
    -------
    dict of str to Restarts
        Keyed by :data:`METHODS`.
    """
    X = _check_data(X)
    rank = check_rank(rank)
    if (
        isinstance(n_restarts, bool)
        or not isinstance(n_restarts, int | np.integer)
        or n_restarts < 2
    ):
        raise ValueError(f"n_restarts must be an integer of at least 2, got {n_restarts!r}.")
    seeds = np.arange(int(seed), int(seed) + n_restarts)
    nmf_fits = [
        first_nmf if (index == 0 and first_nmf is not None) else fit_nmf(X, rank, seed=int(s))
        for index, s in enumerate(seeds)
    ]
    summary = {
        "NMF": _restart_summary(
            "NMF",
            seeds,
            [fit.basis for fit in nmf_fits],
            [fit.relative_error for fit in nmf_fits],
            up_to_sign=False,
        )
    }
    mean = X.mean(axis=0)
    for method, matrix, offset in (("SVD", X, np.zeros_like(mean)), ("PCA", X - mean, mean)):
        bases, errors = [], []
        for s in seeds:
            basis = svd_from_random_start(matrix, rank, seed=int(s))
            # Orthogonal projection onto the span, then the offset back: the method's fit.
            reconstruction = (matrix @ basis.T) @ basis + offset
            bases.append(basis)
            errors.append(relative_error(X, reconstruction))
        summary[method] = _restart_summary(method, seeds, bases, errors, up_to_sign=True)
    return summary


def singular_gap(X, rank: int, *, centred: bool = False) -> float:
    """Relative gap ``(σ_r − σ_{r+1}) / σ_1`` that makes the rank-r subspace unique.

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int
    centred : bool
        Use ``X − mean`` (the PCA case).

    Returns
    -------
    float
        Positive when ``σ_r > σ_{r+1}``; ``σ_{r+1}`` counts as 0 beyond ``min(n, k)``.
    """
    X = np.asarray(X, dtype=np.float64)
    if centred:
        X = X - X.mean(axis=0)
    values = np.linalg.svd(X, compute_uv=False)
    rank = check_rank(rank)
    if values[0] == 0:
        return 0.0
    padded = np.concatenate([values, [0.0]])
    rank = min(rank, len(values))
    return float((padded[rank - 1] - padded[rank]) / values[0])


# --------------------------------------------------------------------------------------------
# Error against rank
# --------------------------------------------------------------------------------------------


def pca_error_curve(X, max_rank: int) -> np.ndarray:
    """Relative error of ``mean + rank-r PCA`` on the uncentred ``X``, for r = 1 … max_rank.

    ``‖X − (mean + P_r)‖²_F`` is the energy of the centred data beyond its first ``r``
    singular values, divided here by ``‖X‖²_F`` (not by the centred energy).

    Parameters
    ----------
    X : array_like, shape (n, k)
    max_rank : int

    Returns
    -------
    ndarray, shape (max_rank,)
    """
    X = np.asarray(X, dtype=np.float64)
    max_rank = check_rank(max_rank)
    total = float(np.sum(X**2))
    centred = X - X.mean(axis=0)
    energy = np.linalg.svd(centred, compute_uv=False) ** 2
    tail = np.concatenate([np.cumsum(energy[::-1])[::-1], [0.0]])
    ranks = np.minimum(np.arange(1, max_rank + 1), len(energy))
    if total == 0:
        return np.zeros(max_rank)
    return np.sqrt(np.maximum(tail[ranks], 0.0) / total)


@dataclass(frozen=True)
class ErrorCurves:
    """Relative error against rank for the three methods.

    Attributes
    ----------
    ranks : ndarray, shape (m,)
        1 … max_rank.
    nmf, svd, pca : ndarray, shape (m,)
        Relative errors ``‖X − X̂‖_F / ‖X‖_F`` at each rank (PCA with the mean added back).
    svd_next : ndarray, shape (m,)
        Rank-(r+1) SVD error: the floor under PCA with ``r`` components.
    """

    ranks: np.ndarray
    nmf: np.ndarray
    svd: np.ndarray
    pca: np.ndarray
    svd_next: np.ndarray

    def at_rank(self, rank: int) -> dict[str, float]:
        """The four errors at ``rank``: ``{"svd_next", "pca", "svd", "nmf"}``."""
        index = int(np.searchsorted(self.ranks, rank))
        if index >= len(self.ranks) or self.ranks[index] != rank:
            raise ValueError(
                f"The curves cover ranks {self.ranks[0]}…{self.ranks[-1]}, not {rank}."
            )
        return {
            "svd_next": float(self.svd_next[index]),
            "pca": float(self.pca[index]),
            "svd": float(self.svd[index]),
            "nmf": float(self.nmf[index]),
        }


def _svd_curve(X: np.ndarray, max_rank: int) -> np.ndarray:
    energy = np.linalg.svd(X, compute_uv=False) ** 2
    tail = np.concatenate([np.cumsum(energy[::-1])[::-1], [0.0]])
    ranks = np.minimum(np.arange(1, max_rank + 1), len(energy))
    return np.sqrt(np.maximum(tail[ranks], 0.0) / float(energy.sum()))


def error_curves(
    X, max_rank: int, *, seed: Any = 0, known_nmf: dict[int, float] | None = None
) -> ErrorCurves:
    """Error against rank r = 1 … max_rank for NMF, SVD and PCA on the same ``X``.

    Parameters
    ----------
    X : array_like, shape (n, k), nonnegative
    max_rank : int
    seed : None, int or numpy.random.Generator
        The NMF start (the same at every rank).
    known_nmf : dict of int to float, optional
        NMF errors already computed for some ranks (with the same seed and settings).

    Returns
    -------
    ErrorCurves
    """
    X = _check_data(X)
    max_rank = check_rank(max_rank)
    known_nmf = known_nmf or {}
    ranks = np.arange(1, max_rank + 1)
    nmf_errors = np.array(
        [
            known_nmf[r] if r in known_nmf else fit_nmf(X, int(r), seed=seed).relative_error
            for r in ranks
        ]
    )
    both = _svd_curve(X, max_rank + 1)
    return ErrorCurves(
        ranks=ranks,
        nmf=nmf_errors,
        svd=both[:-1],
        pca=pca_error_curve(X, max_rank),
        svd_next=both[1:],
    )


# --------------------------------------------------------------------------------------------
# Everything the page shows, in one call
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The full side-by-side comparison at one rank.

    Attributes
    ----------
    rank : int
        The rank used (the requested one capped at ``min(n, k)``).
    fits : dict of str to MethodFit
    restarts : dict of str to Restarts
    curves : ErrorCurves
    svd_gap, pca_gap : float
        :func:`singular_gap` of ``X`` and of the centred ``X``.
    """

    rank: int
    fits: dict[str, MethodFit]
    restarts: dict[str, Restarts]
    curves: ErrorCurves
    svd_gap: float
    pca_gap: float

    @property
    def first_svd_minimum(self) -> float:
        """Smallest entry of the first SVD basis vector (> 0: positive everywhere)."""
        return float(self.fits["SVD"].basis[0].min())

    @property
    def has_singular_gap(self) -> bool:
        """Whether both ``σ_r > σ_{r+1}`` gaps (SVD and centred PCA) are clearly above zero."""
        return min(self.svd_gap, self.pca_gap) > 1e-12


def compare(X, rank: int, *, seed: int = 0, n_restarts: int = 4, max_rank: int = 8) -> Comparison:
    """Fit NMF, SVD and PCA at ``rank``, restart each, and trace error against rank.

    Parameters
    ----------
    X : array_like, shape (n, k), nonnegative
        At least 2×2 and not all zeros.
    rank : int
        Capped at ``min(n, k)``.
    seed : int
        The NMF start of the main fit; restarts use ``seed + 1, seed + 2, …``.
    n_restarts : int
        Runs per method for the uniqueness check (the main fit is run 0).
    max_rank : int
        The error curve goes up to ``max(max_rank, rank)`` capped at ``min(n, k)``.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        Negative, non-finite, all-zero or too small data; a bad rank or restart count.
    """
    X = _check_data(X)
    rank = min(check_rank(rank), min(X.shape))
    fits = fit_all(X, rank, seed=seed)
    spread = restarts(X, rank, seed=seed, n_restarts=n_restarts, first_nmf=fits["NMF"])
    top = min(max(check_rank(max_rank), rank), min(X.shape))
    curves = error_curves(X, top, seed=seed, known_nmf={rank: fits["NMF"].relative_error})
    return Comparison(
        rank=rank,
        fits=fits,
        restarts=spread,
        curves=curves,
        svd_gap=singular_gap(X, rank),
        pca_gap=singular_gap(X, rank, centred=True),
    )


# --------------------------------------------------------------------------------------------
# The numbers table of the page
# --------------------------------------------------------------------------------------------


def _percent(share: float) -> str:
    """A share as a percentage that never rounds a nonzero share down to "0 %"."""
    if share == 0:
        return "0 %"
    if share < 0.001:
        return "< 0.1 %"
    return f"{100 * share:.1f} %"


def measure_table(comparison: Comparison) -> dict[str, dict[str, str]]:
    """The rows of numbers under the three columns, as display strings.

    Parameters
    ----------
    comparison : Comparison

    Returns
    -------
    dict
        ``{row label: {method: text}}`` with the methods in :data:`METHODS` order.
    """
    fits, spread = comparison.fits, comparison.restarts
    runs = len(spread["NMF"].seeds)
    rows: dict[str, dict[str, str]] = {
        "relative error ‖X − X̂‖_F / ‖X‖_F": {
            m: f"{100 * fits[m].relative_error:.2f} %" for m in METHODS
        },
        "Hoyer sparseness of W (basis rows)": {
            m: f"{fits[m].basis_sparseness:.2f}" for m in METHODS
        },
        "Hoyer sparseness of H (columns)": {
            m: f"{fits[m].coefficient_sparseness:.2f}" for m in METHODS
        },
        "negative entries in W": {m: _percent(fits[m].negative_basis) for m in METHODS},
        "negative entries in H": {m: _percent(fits[m].negative_coefficients) for m in METHODS},
        "negative entries in X̂": {m: _percent(fits[m].negative_reconstruction) for m in METHODS},
        "factors nonnegative?": {
            m: "yes" if fits[m].factors_nonnegative else "no" for m in METHODS
        },
        f"error spread over {runs} runs (max − min, percentage points)": {
            m: f"{100 * spread[m].error_spread:.1e}" for m in METHODS
        },
        f"largest angle between matched basis vectors over {runs} runs": {
            m: f"{np.max(spread[m].basis_angles):.2f}°" for m in METHODS
        },
        f"largest principal angle between spans over {runs} runs": {
            m: f"{np.max(spread[m].subspace_angles):.2f}°" for m in METHODS
        },
    }
    return rows


# --------------------------------------------------------------------------------------------
# Checkpoints (predict, then check)
# --------------------------------------------------------------------------------------------

#: The rank the error checkpoint asks about (capped at the curves' largest rank).
GAP_QUESTION_RANK = 5
#: Errors closer than this (0.1 percentage point) count as "the same".
SAME_ERROR = 0.001
#: Basis vectors closer than this (degrees) count as "the same W".
SAME_BASIS_DEGREES = 1.0

_GAP_LABELS = (
    "Below SVD's",
    "The same as SVD's, to within 0.1 percentage point",
    "Above SVD's by more than 0.1 percentage point",
)
_SEED_LABELS = (
    "Yes: the same W, up to the order of its rows",
    "No: a different W, with the same error",
    "No: a different W, and a clearly different error",
)


def svd_gap_checkpoint(curves: ErrorCurves) -> Checkpoint:
    """Checkpoint: NMF's error against SVD's at rank :data:`GAP_QUESTION_RANK`.

    The answer is read off the error curves of the data on screen (the page's
    :class:`Comparison`; their NMF fit at each rank is the one the page shows at that rank).
    NMF can never be below SVD (Eckart–Young); within :data:`SAME_ERROR` counts as the same.

    Parameters
    ----------
    curves : ErrorCurves

    Returns
    -------
    Checkpoint
    """
    rank = int(min(GAP_QUESTION_RANK, curves.ranks[-1]))
    errors = curves.at_rank(rank)
    nmf_error, svd_error = errors["nmf"], errors["svd"]
    gap = nmf_error - svd_error
    correct = 1 + pick([SAME_ERROR], gap)
    points = 100 * gap
    both = f"NMF {nmf_error:.2%}, SVD {svd_error:.2%}"
    return Checkpoint(
        key="cmp_svd_gap",
        question=(
            f"At r = {rank}, will NMF's relative error be below, the same as or above SVD's? "
            f"Answer, then set **Rank r** to {rank} and read the table."
        ),
        choices=(
            Choice(
                _GAP_LABELS[0],
                f"No matrix of rank {rank}, nonnegative or not, fits better than the truncated "
                "SVD (Eckart–Young), and NMF's HW is such a matrix: NMF can at best tie. "
                f"Here: {both}.",
            ),
            Choice(
                _GAP_LABELS[1],
                f"On this data the best nonnegative fit is almost the best fit of all: {both}, "
                f"{points:.3f} points apart."
                if correct == 1
                else f"Here the sign constraint costs {points:.2f} percentage points: {both}. "
                "SVD may subtract; NMF may only add.",
            ),
            Choice(
                _GAP_LABELS[2],
                f"The sign constraint costs {points:.2f} percentage points here: {both}. SVD "
                "may subtract; NMF may only add."
                if correct == 2
                else f"Here NMF comes within {points:.3f} percentage points of the floor: {both}. "
                "The data is close to a nonnegative matrix of low rank, so adding alone does "
                "almost as well as adding and subtracting.",
            ),
        ),
        correct=correct,
        explanation=(
            f"At r = {rank}: {both}, PCA (with its mean) {errors['pca']:.2%}. The error curve "
            "at the bottom of the page shows every rank: the NMF curve never goes below SVD's."
        ),
    )


def seeds_checkpoint(spread: Restarts) -> Checkpoint:
    """Checkpoint: does NMF from a second seed give the same basis as the run shown?

    The answer is read off the page's restarts (:func:`restarts`): run 2's matched basis
    vectors against run 1's (:attr:`Restarts.basis_angles`, same within
    :data:`SAME_BASIS_DEGREES`) and their errors (same within :data:`SAME_ERROR`).

    Parameters
    ----------
    spread : Restarts
        NMF's restarts on the data on screen (at least two runs).

    Returns
    -------
    Checkpoint
    """
    if len(spread.seeds) < 2:
        raise ValueError("seeds_checkpoint needs at least two runs")
    angle = float(spread.basis_angles[1])
    first, second = (float(e) for e in spread.relative_errors[:2])
    error_gap = abs(second - first)
    if angle < SAME_BASIS_DEGREES:
        correct = 0
    else:
        correct = 1 if error_gap < SAME_ERROR else 2
    seed_1, seed_2 = int(spread.seeds[0]), int(spread.seeds[1])
    errors = f"{first:.3%} (seed {seed_1}) and {second:.3%} (seed {seed_2})"
    return Checkpoint(
        key="cmp_seeds",
        question=(
            f"NMF's W above came from seed {seed_1}. Will a second run from seed {seed_2} give "
            "the same W (its rows matched up, each scaled to length 1)? Answer to see the two "
            "side by side."
        ),
        choices=(
            Choice(
                _SEED_LABELS[0],
                f"Here the matched rows are at most {angle:.2f}° apart: the data pins NMF's "
                "basis down (as on separable data, or parts that each appear alone)."
                if correct == 0
                else "Nothing makes an NMF unique: besides reordering and rescaling, other "
                f"nonnegative pairs (H, W) can fit as well. Here the matched rows differ by up "
                f"to {angle:.1f}°.",
            ),
            Choice(
                _SEED_LABELS[1],
                f"The matched rows differ by up to {angle:.1f}°, and yet the errors are "
                f"{errors}: equally good answers, not one answer."
                if correct == 1
                else (
                    f"The matched rows are only {angle:.2f}° apart: the same W."
                    if correct == 0
                    else f"The errors differ by {100 * error_gap:.2f} percentage points: "
                    f"{errors}; one run stopped at a worse local optimum."
                ),
            ),
            Choice(
                _SEED_LABELS[2],
                f"Here one run stopped at a worse local optimum: the errors are {errors}, and "
                f"the matched rows differ by up to {angle:.1f}°."
                if correct == 2
                else (
                    f"The errors are {errors}: less than 0.1 percentage point apart."
                    if correct == 1
                    else f"The matched rows are only {angle:.2f}° apart: the same W (errors "
                    f"{errors})."
                ),
            ),
        ),
        correct=correct,
        explanation=(
            f"Run 2's rows of W are at most {angle:.1f}° from run 1's after matching; errors "
            f"{errors}. SVD from two random starts spans the same subspace when "
            "σ_r > σ_{r+1}: the uniqueness section below compares all runs."
        ),
    )
