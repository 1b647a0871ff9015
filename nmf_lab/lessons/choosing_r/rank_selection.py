"""Choosing the rank ``r``: error against ``r``, explained variance, and consensus over restarts.

The consensus method (Brunet et al., 2004; the R package NMF) runs NMF several times from random
starts at each candidate rank. Each run puts point ``i`` in the cluster of its largest
coefficient, ``argmax_j H[i, j]``; the *connectivity matrix* of a run has a 1 where two points
share a cluster. The *consensus matrix* is the mean connectivity over the runs: entry ``(i, j)``
is the share of runs that put points ``i`` and ``j`` together. Two summaries say how stable the
clustering is at that rank:

- the **cophenetic correlation** ``ρ`` (Brunet et al.): the correlation between the distances
  ``1 − consensus`` and the distances implied by an average-linkage tree built on them. It is 1
  when the consensus is perfectly nested, and falls when points switch clusters between runs;
- the **dispersion** (Kim & Park, 2007): ``mean 4·(consensus − ½)²``, 1 when every entry is 0 or
  1 (all runs agree), smaller when entries drift towards ½.

Notation as everywhere in NMF Lab: ``X`` (n×k, rows are points) ``≈ H W``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import cophenet, leaves_list, linkage
from scipy.spatial.distance import squareform

from nmf_core import as_nonnegative_matrix, check_random_state, check_rank
from nmf_core.baselines import svd_error_curve
from nmf_core.metrics import explained_variance
from nmf_core.solvers import nmf

__all__ = [
    "RankRestarts",
    "RankSweep",
    "cluster_labels",
    "connectivity_matrix",
    "consensus_matrix",
    "consensus_order",
    "cophenetic_correlation",
    "dispersion",
    "rank_restarts",
    "rank_seed",
    "rank_sweep",
    "suggest_rank",
    "summarize_ranks",
]


# --------------------------------------------------------------------------------------------
# Consensus clustering
# --------------------------------------------------------------------------------------------


def cluster_labels(H: np.ndarray) -> np.ndarray:
    """Cluster of each point: the index of its largest coefficient, ``argmax_j H[i, j]``.

    Parameters
    ----------
    H : array_like, shape (n, r)

    Returns
    -------
    ndarray of int, shape (n,)

    Examples
    --------
    >>> cluster_labels([[0.1, 0.9], [2.0, 0.5]]).tolist()
    [1, 0]
    """
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.size == 0:
        raise ValueError(f"H must be a non-empty 2-D array (n, r), got shape {H.shape}.")
    return np.argmax(H, axis=1)


def connectivity_matrix(labels) -> np.ndarray:
    """``C[i, j] = 1`` if points ``i`` and ``j`` share a cluster, else 0.

    Parameters
    ----------
    labels : array_like of int, shape (n,)

    Returns
    -------
    ndarray, shape (n, n)

    Examples
    --------
    >>> connectivity_matrix([0, 1, 0]).tolist()
    [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}.")
    return (labels[:, None] == labels[None, :]).astype(np.float64)


def consensus_matrix(label_runs) -> np.ndarray:
    """Mean connectivity over several runs: the share of runs that cluster ``i`` with ``j``.

    Parameters
    ----------
    label_runs : array_like of int, shape (runs, n)
        One row of cluster labels per run.

    Returns
    -------
    ndarray, shape (n, n)
        Symmetric, ones on the diagonal, entries in [0, 1].

    Examples
    --------
    >>> consensus_matrix([[0, 0, 1], [0, 1, 1]]).tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
    """
    runs = np.asarray(label_runs)
    if runs.ndim != 2 or runs.shape[0] == 0 or runs.shape[1] == 0:
        raise ValueError(
            "label_runs must have shape (runs, n) with at least one run and one "
            f"point, got shape {runs.shape}."
        )
    total = np.zeros((runs.shape[1], runs.shape[1]))
    for labels in runs:
        total += connectivity_matrix(labels)
    return total / runs.shape[0]


def _check_consensus(consensus) -> np.ndarray:
    consensus = np.asarray(consensus, dtype=np.float64)
    if consensus.ndim != 2 or consensus.shape[0] != consensus.shape[1] or consensus.size == 0:
        raise ValueError(f"A consensus matrix is square (n, n), got shape {consensus.shape}.")
    if not np.all(np.isfinite(consensus)) or consensus.min() < 0 or consensus.max() > 1:
        raise ValueError("A consensus matrix has entries in [0, 1].")
    return consensus


def _distances(consensus: np.ndarray) -> np.ndarray:
    # squareform wants an exactly symmetric matrix with a zero diagonal.
    distance = 1.0 - (consensus + consensus.T) / 2
    np.fill_diagonal(distance, 0.0)
    return squareform(distance, checks=False)


def cophenetic_correlation(consensus) -> float:
    """Cophenetic correlation coefficient of a consensus matrix (Brunet et al., 2004).

    Builds an average-linkage tree on the distances ``1 − consensus`` and returns the Pearson
    correlation between those distances and the tree's cophenetic distances
    (``scipy.cluster.hierarchy.cophenet``).

    Parameters
    ----------
    consensus : array_like, shape (n, n)
        Symmetric, entries in [0, 1].

    Returns
    -------
    float
        At most 1. When all the distances are equal (fewer than three points, or every pair
        clustered the same way in every run) the tree reproduces them exactly and 1.0 is
        returned.

    Examples
    --------
    >>> cophenetic_correlation(consensus_matrix([[0, 0, 1, 1], [0, 0, 1, 1]]))
    1.0
    """
    consensus = _check_consensus(consensus)
    distances = _distances(consensus)
    if distances.size < 2 or np.ptp(distances) == 0:
        return 1.0
    tree = linkage(distances, method="average")
    correlation, _ = cophenet(tree, distances)
    return float(min(correlation, 1.0))


def dispersion(consensus) -> float:
    """Dispersion coefficient ``mean 4·(consensus − ½)²`` (Kim & Park, 2007).

    1 when every entry is 0 or 1 (all runs agree on every pair), 0 when every entry is ½.

    Parameters
    ----------
    consensus : array_like, shape (n, n)

    Returns
    -------
    float

    Examples
    --------
    >>> dispersion([[1.0, 0.5], [0.5, 1.0]])
    0.5
    """
    consensus = _check_consensus(consensus)
    return float(np.mean(4.0 * (consensus - 0.5) ** 2))


def consensus_order(consensus) -> np.ndarray:
    """An order of the points that puts stable clusters next to each other (tree leaf order).

    Parameters
    ----------
    consensus : array_like, shape (n, n)

    Returns
    -------
    ndarray of int, shape (n,)
        A permutation; show ``consensus[np.ix_(order, order)]``.
    """
    consensus = _check_consensus(consensus)
    if consensus.shape[0] < 3:
        return np.arange(consensus.shape[0])
    return leaves_list(linkage(_distances(consensus), method="average"))


# --------------------------------------------------------------------------------------------
# Restarts at one rank, and a sweep over ranks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRestarts:
    """Several NMF runs from random starts at one rank.

    Attributes
    ----------
    rank : int
    errors : ndarray, shape (restarts,)
        Relative error ``‖X − HW‖_F / ‖X‖_F`` of each run.
    labels : ndarray of int, shape (restarts, n)
        Cluster of each point in each run (``argmax`` of its row of ``H``).
    best_H : ndarray, shape (n, rank)
    best_W : ndarray, shape (rank, k)
        Factors of the run with the smallest error.
    consensus : ndarray, shape (n, n)
    cophenetic : float
    dispersion : float
    """

    rank: int
    errors: np.ndarray
    labels: np.ndarray
    best_H: np.ndarray
    best_W: np.ndarray
    consensus: np.ndarray
    cophenetic: float
    dispersion: float

    @property
    def best_error(self) -> float:
        """Smallest relative error over the restarts."""
        return float(self.errors.min())

    @property
    def clusters_used(self) -> float:
        """Mean number of distinct clusters per run (can be below ``rank``)."""
        return float(np.mean([len(np.unique(row)) for row in self.labels]))


def _check_restarts(n_restarts: Any) -> int:
    if (
        isinstance(n_restarts, bool)
        or not isinstance(n_restarts, int | np.integer)
        or n_restarts < 1
    ):
        raise ValueError(f"n_restarts must be a positive integer, got {n_restarts!r}.")
    return int(n_restarts)


def rank_restarts(
    X,
    rank: int,
    *,
    n_restarts: int = 8,
    seed: Any = 0,
    solver: str = "hals",
    max_iter: int = 100,
    tol: float = 1e-4,
) -> RankRestarts:
    """Run NMF ``n_restarts`` times from random starts at one rank and build the consensus.

    Parameters
    ----------
    X : array_like, shape (n, k)
        Nonnegative data, rows are points.
    rank : int
    n_restarts : int
    seed : None, int or numpy.random.Generator
        Seeds of the restarts are drawn from it, so the same seed gives the same runs.
    solver, max_iter, tol
        Passed to :func:`nmf_core.nmf` (with ``init="random"``).

    Returns
    -------
    RankRestarts
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    rank = check_rank(rank)
    n_restarts = _check_restarts(n_restarts)
    rng = check_random_state(seed)
    run_seeds = rng.integers(0, 2**31 - 1, size=n_restarts)
    errors, labels = [], []
    best = None
    for run_seed in run_seeds:
        result = nmf(
            X, rank, solver=solver, init="random", seed=int(run_seed), max_iter=max_iter, tol=tol
        )
        errors.append(result.relative_error)
        labels.append(cluster_labels(result.H))
        if best is None or result.relative_error < best.relative_error:
            best = result
    label_runs = np.asarray(labels)
    consensus = consensus_matrix(label_runs)
    return RankRestarts(
        rank=rank,
        errors=np.asarray(errors),
        labels=label_runs,
        best_H=best.H,
        best_W=best.W,
        consensus=consensus,
        cophenetic=cophenetic_correlation(consensus),
        dispersion=dispersion(consensus),
    )


def suggest_rank(
    ranks: Sequence[int], dispersions: Sequence[float], *, tolerance: float = 1e-3
) -> int:
    """The largest rank whose restarts agree best: highest dispersion, ties to the larger rank.

    A rank where every restart finds the same clusters has dispersion 1. Below the true rank
    the runs may agree on which clusters to merge (also dispersion 1), so ties go to the larger
    rank; above it the runs split clusters in different ways and the dispersion falls.

    Parameters
    ----------
    ranks : sequence of int
    dispersions : sequence of float
        Same length as ``ranks``.
    tolerance : float
        Dispersions within ``tolerance`` of the best count as tied.

    Returns
    -------
    int

    Examples
    --------
    >>> suggest_rank([2, 3, 4, 5], [1.0, 0.8, 1.0, 0.95])
    4
    """
    ranks = np.asarray(ranks)
    dispersions = np.asarray(dispersions, dtype=np.float64)
    if ranks.ndim != 1 or ranks.size == 0 or ranks.shape != dispersions.shape:
        raise ValueError(
            "ranks and dispersions must be non-empty 1-D sequences of the same "
            f"length, got {ranks.shape} and {dispersions.shape}."
        )
    best = float(np.max(dispersions))
    return int(np.max(ranks[dispersions >= best - tolerance]))


@dataclass(frozen=True)
class RankSweep:
    """Rank-selection summaries for a list of candidate ranks.

    Attributes
    ----------
    ranks : ndarray of int, shape (m,)
    nmf_error : ndarray, shape (m,)
        Best relative NMF error over the restarts at each rank.
    restart_errors : ndarray, shape (m, restarts)
        Every restart's relative error (the spread shows local minima).
    svd_error : ndarray, shape (m,)
        Relative error of the rank-r truncated SVD: a lower bound for any rank-r factorisation.
    nmf_explained_variance, svd_explained_variance : ndarray, shape (m,)
        ``1 − ‖X − X̂‖²_F / ‖X − mean(X)‖²_F`` of the best NMF and of the SVD (NaN when all
        rows of ``X`` are equal: nothing to explain).
    cophenetic, dispersion, clusters_used : ndarray, shape (m,)
    suggested_rank : int
        :func:`suggest_rank` applied to the dispersions.
    """

    ranks: np.ndarray
    nmf_error: np.ndarray
    restart_errors: np.ndarray
    svd_error: np.ndarray
    nmf_explained_variance: np.ndarray
    svd_explained_variance: np.ndarray
    cophenetic: np.ndarray
    dispersion: np.ndarray
    clusters_used: np.ndarray
    suggested_rank: int

    @property
    def suggested_index(self) -> int:
        """Position of :attr:`suggested_rank` in :attr:`ranks`."""
        return int(np.flatnonzero(self.ranks == self.suggested_rank)[0])


def summarize_ranks(X, restarts: Sequence[RankRestarts]) -> RankSweep:
    """Collect the runs of :func:`rank_restarts` at several ranks into a :class:`RankSweep`.

    Parameters
    ----------
    X : array_like, shape (n, k)
        The data the runs were fitted to.
    restarts : sequence of RankRestarts
        One entry per rank, in increasing rank order.

    Returns
    -------
    RankSweep
    """
    X = as_nonnegative_matrix(X, allow_sparse=False).astype(np.float64)
    if not restarts:
        raise ValueError("Need the restarts of at least one rank.")
    ranks = np.array([entry.rank for entry in restarts])
    if np.any(np.diff(ranks) <= 0):
        raise ValueError(f"Ranks must be increasing, got {ranks.tolist()}.")
    svd_curve = svd_error_curve(X, int(ranks.max()))[ranks - 1]
    # Eckart–Young: ‖X − X_r‖² = (svd error)²·‖X‖², so the SVD's explained variance follows.
    total = float(np.sum(X**2))
    spread = float(np.sum((X - X.mean(axis=0)) ** 2))
    if spread > 1e-12 * total:
        svd_ev = 1.0 - (svd_curve**2) * total / spread
        nmf_ev = np.array(
            [explained_variance(X, entry.best_H @ entry.best_W) for entry in restarts]
        )
    else:
        # Identical rows: there is no variance to explain, so the measure is undefined.
        svd_ev = nmf_ev = np.full(len(ranks), np.nan)
    dispersions = np.array([entry.dispersion for entry in restarts])
    n_runs = min(len(entry.errors) for entry in restarts)
    return RankSweep(
        ranks=ranks,
        nmf_error=np.array([entry.best_error for entry in restarts]),
        restart_errors=np.array([entry.errors[:n_runs] for entry in restarts]),
        svd_error=svd_curve,
        nmf_explained_variance=nmf_ev,
        svd_explained_variance=np.asarray(svd_ev, dtype=np.float64),
        cophenetic=np.array([entry.cophenetic for entry in restarts]),
        dispersion=dispersions,
        clusters_used=np.array([entry.clusters_used for entry in restarts]),
        suggested_rank=suggest_rank(ranks, dispersions),
    )


def rank_sweep(
    X,
    ranks: Sequence[int],
    *,
    n_restarts: int = 8,
    seed: int = 0,
    solver: str = "hals",
    max_iter: int = 100,
    tol: float = 1e-4,
    progress: Callable[[float], Any] | None = None,
) -> RankSweep:
    """Consensus, cophenetic correlation, dispersion and errors for each candidate rank.

    Parameters
    ----------
    X : array_like, shape (n, k)
    ranks : sequence of int
        Candidate ranks, increasing (e.g. ``range(2, 8)``).
    n_restarts, seed, solver, max_iter, tol
        See :func:`rank_restarts`; rank ``r`` uses the seed ``(seed, r)`` so adding ranks does
        not change the runs at the others.
    progress : callable, optional
        ``progress(fraction_done)`` after each rank.

    Returns
    -------
    RankSweep

    Examples
    --------
    >>> from nmf_lab.demo_data import planted_clusters
    >>> data = planted_clusters(24, 12, 3, noise=0.1, seed=0)
    >>> sweep = rank_sweep(data.X, [2, 3, 4], n_restarts=4)
    >>> sweep.ranks.tolist()
    [2, 3, 4]
    """
    ranks = [check_rank(rank) for rank in ranks]
    results = []
    for index, rank in enumerate(ranks):
        results.append(
            rank_restarts(
                X,
                rank,
                n_restarts=n_restarts,
                seed=rank_seed(seed, rank),
                solver=solver,
                max_iter=max_iter,
                tol=tol,
            )
        )
        if progress is not None:
            progress((index + 1) / len(ranks))
    return summarize_ranks(X, results)


def rank_seed(seed: int, rank: int) -> np.random.Generator:
    """The random generator used for the restarts at ``rank`` under the global ``seed``.

    Seeding with the pair ``(seed, rank)`` keeps each rank's runs the same when other ranks are
    added or removed.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a nonnegative integer, got {seed!r}.")
    return np.random.default_rng([int(seed), check_rank(rank)])
