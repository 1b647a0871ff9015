"""The swimmer: a data set whose parts are known, so "NMF learns parts" can be measured.

After Donoho & Stodden (2003): a figure with four limbs, each limb in one of four positions,
every combination once: 4⁴ = 256 images of 32×32 pixels, 16 limb parts. Each image is one row
of ``X`` (256 × 1024), so the rows of ``W`` are pictures of parts.

The torso. The classic set also draws a torso in every image. Pixels that are on in every
image can be shared out among the limb parts at no cost: with the torso, many exact rank-17
factorisations exist, and in most of them some limb row carries a piece of the torso (see
:func:`torso_leak`). The set factored here therefore leaves the torso out (``torso=False``,
the default), and the 16 limb parts are the whole truth: every limb position has pixels only
it covers (the data are *separable*), which is what lets NMF find the parts.

Everything is drawn in code (no download) and is deterministic.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from nmf_core import nmf, pca
from nmf_lab.checkpoints import Checkpoint, Choice

__all__ = [
    "LIMBS",
    "POSITIONS",
    "RECOVERED_COS",
    "SWIMMER_NMF",
    "SWIMMER_RANK",
    "SWIMMER_RESTARTS",
    "SWIMMER_SHAPE",
    "PartsRecovery",
    "SwimmerRecovery",
    "best_nmf",
    "part_recovery",
    "parts_checkpoint",
    "swimmer_images",
    "swimmer_parts",
    "swimmer_recovery",
    "swimmer_torso",
    "torso_leak",
]

SWIMMER_SHAPE = (32, 32)
LIMBS = 4
POSITIONS = 4
# One row of W per limb position: the nonnegative rank of the torso-free set.
SWIMMER_RANK = LIMBS * POSITIONS
# HALS from random starts reaches an exact fit; 3 restarts (lowest loss kept) guard against
# the rare start that stalls in a local optimum with two positions of one limb merged.
SWIMMER_NMF: dict[str, Any] = {"solver": "hals", "init": "random", "max_iter": 300, "tol": 1e-8}
SWIMMER_RESTARTS = 3
#: A true part counts as recovered when its matched row reaches this |cos|.
RECOVERED_COS = 0.95

_SHOULDER_ROW, _HIP_ROW = 10, 21
_LEFT_JOINT_COL, _RIGHT_JOINT_COL = 14, 17
# Angles from straight up (arms) and the leg angles, turning outwards; 2 pixels off the joint
# and 6 long keeps every limb position on pixels of its own.
_ARM_ANGLES = (0, 45, 90, 135)
_LEG_ANGLES = (180, 150, 120, 90)
_LIMB_START, _LIMB_LENGTH = 2.0, 6.0


def _segment(col: float, row: float, degrees: float, side: int) -> np.ndarray:
    """A 1-pixel line from the joint at ``(row, col)``, ``degrees`` from up, on ``side``."""
    picture = np.zeros(SWIMMER_SHAPE)
    angle = np.deg2rad(degrees)
    steps = np.linspace(_LIMB_START, _LIMB_START + _LIMB_LENGTH, 400)
    cols = np.rint(col + side * np.sin(angle) * steps).astype(int)
    rows = np.rint(row - np.cos(angle) * steps).astype(int)
    picture[rows, cols] = 1.0
    return picture


def swimmer_parts() -> np.ndarray:
    """The 16 true limb parts, flattened: limb ``a`` in position ``p`` is row ``4a + p``.

    Limbs in order: left arm, right arm, left leg, right leg (left = left of the picture).

    Returns
    -------
    ndarray, shape (16, 1024)
        0/1 pictures with disjoint supports.
    """
    parts = []
    for row, angles in ((_SHOULDER_ROW, _ARM_ANGLES), (_HIP_ROW, _LEG_ANGLES)):
        for side, col in ((-1, _LEFT_JOINT_COL), (1, _RIGHT_JOINT_COL)):
            parts.extend(_segment(col, row, degrees, side).ravel() for degrees in angles)
    return np.array(parts)


def swimmer_torso() -> np.ndarray:
    """The classic set's torso, flattened: a 2-pixel-wide bar between shoulders and hips.

    Returns
    -------
    ndarray, shape (1024,)
    """
    torso = np.zeros(SWIMMER_SHAPE)
    torso[_SHOULDER_ROW - 1 : _HIP_ROW + 1, _LEFT_JOINT_COL + 1 : _RIGHT_JOINT_COL] = 1.0
    return torso.ravel()


def swimmer_images(*, torso: bool = False) -> np.ndarray:
    """All 256 swimmers, one flattened 32×32 image per row (deterministic).

    Parameters
    ----------
    torso : bool
        Draw the classic torso in every image (the default leaves it out; see the module
        docstring for why).

    Returns
    -------
    ndarray, shape (256, 1024), entries in {0, 1}
        Row ``i`` has limb ``a`` in position ``p_a`` where ``(p_0, …, p_3)`` is the ``i``-th
        tuple of ``itertools.product(range(4), repeat=4)``.
    """
    parts = swimmer_parts()
    body = swimmer_torso() if torso else np.zeros(parts.shape[1])
    images = [
        body + sum(parts[POSITIONS * limb + p] for limb, p in enumerate(positions))
        for positions in itertools.product(range(POSITIONS), repeat=LIMBS)
    ]
    return np.array(images)


@dataclass(frozen=True)
class PartsRecovery:
    """How well learned rows match the true parts, one true part at a time.

    Attributes
    ----------
    cosines : ndarray, shape (m,)
        For true part ``i``, ``|cos|`` between it and the learned row matched to it.
    matched : ndarray of int, shape (m,)
        The learned row matched to true part ``i`` (an optimal one-to-one matching).
    """

    cosines: np.ndarray
    matched: np.ndarray

    @property
    def worst(self) -> float:
        """The smallest per-part cosine."""
        return float(self.cosines.min())

    @property
    def median(self) -> float:
        """The median per-part cosine."""
        return float(np.median(self.cosines))

    def recovered(self, threshold: float = RECOVERED_COS) -> int:
        """How many true parts reach ``threshold``."""
        return int(np.sum(self.cosines >= threshold))


def part_recovery(true_parts, learned) -> PartsRecovery:
    """Match each true part to one learned row by cosine similarity, optimally.

    Signs are ignored (``|cos|``) so that PCA's components, defined up to sign, get their best
    chance; for nonnegative rows it changes nothing. The one-to-one matching maximises the
    total ``|cos|`` (``scipy.optimize.linear_sum_assignment``).

    Parameters
    ----------
    true_parts : array_like, shape (m, k)
    learned : array_like, shape (r, k), r ≥ m

    Returns
    -------
    PartsRecovery

    Raises
    ------
    ValueError
        Shapes that do not match, fewer learned rows than parts, or a zero true part.
    """
    true_parts = np.asarray(true_parts, dtype=np.float64)
    learned = np.asarray(learned, dtype=np.float64)
    if true_parts.ndim != 2 or learned.ndim != 2 or true_parts.shape[1] != learned.shape[1]:
        raise ValueError(
            f"Need two matrices with the same number of columns; got {true_parts.shape} and "
            f"{learned.shape}."
        )
    if learned.shape[0] < true_parts.shape[0]:
        raise ValueError(
            f"Need at least as many learned rows ({learned.shape[0]}) as true parts "
            f"({true_parts.shape[0]})."
        )
    true_norms = np.linalg.norm(true_parts, axis=1)
    if np.any(true_norms == 0):
        raise ValueError("A true part is all zeros.")
    learned_norms = np.linalg.norm(learned, axis=1)
    # A zero learned row matches nothing (cosine 0) rather than dividing by zero.
    unit_learned = learned / np.where(learned_norms > 0, learned_norms, 1.0)[:, None]
    cosines = np.abs((true_parts / true_norms[:, None]) @ unit_learned.T)
    rows, cols = linear_sum_assignment(-cosines)
    order = np.argsort(rows)
    return PartsRecovery(cosines=cosines[rows, cols][order], matched=cols[order])


def best_nmf(X, rank: int, *, seed: int = 0, restarts: int = SWIMMER_RESTARTS, callback=None):
    """NMF with :data:`SWIMMER_NMF` from ``restarts`` random starts; the lowest loss wins.

    Parameters
    ----------
    X : array_like, shape (n, k), nonnegative
    rank : int
    seed : int
        Start ``j`` uses seed ``seed · restarts + j``, so different seeds never share a start.
    restarts : int
    callback : callable, optional
        Passed to every run of :func:`nmf_core.nmf` (each restart counts from iteration 1).

    Returns
    -------
    nmf_core.NMFResult
    """
    if int(restarts) < 1:
        raise ValueError(f"restarts must be at least 1, got {restarts!r}.")
    fits = [
        nmf(X, rank, seed=int(seed) * int(restarts) + j, callback=callback, **SWIMMER_NMF)
        for j in range(int(restarts))
    ]
    return min(fits, key=lambda fit: fit.losses[-1])


@dataclass(frozen=True)
class SwimmerRecovery:
    """NMF's rows of W and PCA's components on the swimmer, each matched to the true parts.

    Attributes
    ----------
    parts : ndarray, shape (16, 1024)
    nmf_W : ndarray, shape (16, 1024)
        NMF's rows, reordered so row ``i`` is the one matched to true part ``i``.
    pca_components : ndarray, shape (16, 1024)
        PCA's components, reordered the same way (signed).
    nmf, pca : PartsRecovery
    """

    parts: np.ndarray
    nmf_W: np.ndarray
    pca_components: np.ndarray
    nmf: PartsRecovery
    pca: PartsRecovery

    def table(self, digits: int = 3) -> dict[str, list]:
        """Columns of the page's table: the part, NMF's and PCA's cosine with it."""
        names = [
            f"{limb} {p + 1}"
            for limb in ("left arm", "right arm", "left leg", "right leg")
            for p in range(POSITIONS)
        ]
        return {
            "true part": names,
            "NMF |cos|": list(np.round(self.nmf.cosines, digits)),
            "PCA |cos|": list(np.round(self.pca.cosines, digits)),
        }


def swimmer_recovery(*, seed: int = 0, rank: int = SWIMMER_RANK, callback=None) -> SwimmerRecovery:
    """Factor the torso-free swimmer with NMF (:func:`best_nmf`) and PCA; match both to the parts.

    Parameters
    ----------
    seed : int
        NMF's random starts (PCA has none).
    rank : int
        At least 16 (one learned row per true part is needed for the matching).
    callback : callable, optional
        Passed to NMF's runs (:func:`best_nmf`), e.g. to move a progress bar.

    Returns
    -------
    SwimmerRecovery
    """
    if int(rank) < SWIMMER_RANK:
        raise ValueError(f"The rank must be at least {SWIMMER_RANK} to match 16 parts.")
    X = swimmer_images()
    parts = swimmer_parts()
    fit = best_nmf(X, int(rank), seed=seed, callback=callback)
    components = pca(X, int(rank)).components
    nmf_match = part_recovery(parts, fit.W)
    pca_match = part_recovery(parts, components)
    return SwimmerRecovery(
        parts=parts,
        nmf_W=fit.W[nmf_match.matched],
        pca_components=components[pca_match.matched],
        nmf=nmf_match,
        pca=pca_match,
    )


def torso_leak(*, seed: int = 0) -> PartsRecovery:
    """The classic set with its torso, NMF at r = 17: how well the 16 limbs come out.

    With a torso in every image, rank 17 fits exactly, but so do factorisations in which
    limb rows carry a share of the torso; the limb cosines show how much leaked.

    Returns
    -------
    PartsRecovery
        Of the 16 limb parts only.
    """
    fit = best_nmf(swimmer_images(torso=True), SWIMMER_RANK + 1, seed=seed)
    return part_recovery(swimmer_parts(), fit.W)


def parts_checkpoint(recovery: SwimmerRecovery) -> Checkpoint:
    """Checkpoint: how many of the 16 true parts NMF and PCA each recover.

    The four answers split the outcomes by who recovers all 16 (|cos| ≥ :data:`RECOVERED_COS`
    with the matched row); the right one is read off ``recovery``, the page's factorisations.

    Parameters
    ----------
    recovery : SwimmerRecovery

    Returns
    -------
    Checkpoint
    """
    m = len(recovery.parts)
    n_nmf, n_pca = recovery.nmf.recovered(), recovery.pca.recovered()
    nmf_all, pca_all = n_nmf == m, n_pca == m
    correct = {(True, True): 0, (True, False): 1, (False, True): 2, (False, False): 3}[
        (nmf_all, pca_all)
    ]
    cos = f"|cos| ≥ {RECOVERED_COS}"
    nmf_count = (
        f"NMF recovers {n_nmf} of {m} (worst {recovery.nmf.worst:.3f}, median "
        f"{recovery.nmf.median:.3f})"
    )
    pca_count = (
        f"PCA {n_pca} of {m} (best {float(recovery.pca.cosines.max()):.3f}, median "
        f"{recovery.pca.median:.3f})"
    )
    counts = f"{nmf_count}; {pca_count}"
    why_pca = (
        "PCA's components are orthogonal, each taking as much of the remaining variance as "
        "it can, so one component mixes several limb positions with both signs"
    )
    why_nmf = (
        "NMF's rows can only add, and every limb position has pixels no other part covers, so "
        f"the way to build all {POSITIONS**LIMBS} images from {m} nonnegative rows is "
        "the limbs themselves"
    )
    return Checkpoint(
        key="img_swimmer_parts",
        question=(
            f"NMF and PCA each get {m} rows for the {m} true parts. Which of them will recover "
            f"all {m}, that is match every true part with a row at {cos}?"
        ),
        choices=(
            Choice(
                f"Both: {m} rows for {m} parts",
                f"{counts}: here both sets of rows line up with the parts."
                if correct == 0
                else f"{counts}. "
                + (f"{why_pca}." if not pca_all else "NMF's run stopped short of the limbs."),
            ),
            Choice(
                "NMF all, PCA fewer",
                f"{counts}. {why_nmf}; {why_pca}."
                if correct == 1
                else f"Not here: {counts}. {why_nmf}, but this run stopped short of them."
                if not nmf_all
                else f"Not here: {counts}: PCA's components line up with the parts too.",
            ),
            Choice(
                "PCA all, NMF fewer",
                f"{counts}: PCA's orthogonal components happen to be the parts here."
                if correct == 2
                else f"{why_pca}: {pca_count}, against {n_nmf} of {m} for NMF."
                if not pca_all
                else f"Not here: {counts}: NMF recovers every part too.",
            ),
            Choice(
                "Neither",
                f"{counts}: {m} rows are not enough here."
                if correct == 3
                else f"{counts}." + (f" {why_nmf}." if nmf_all else ""),
            ),
        ),
        correct=correct,
        explanation=(
            f"With {cos} as the mark, NMF recovers **{n_nmf} of {m}** true parts (worst "
            f"|cos| {recovery.nmf.worst:.3f}, median {recovery.nmf.median:.3f}) and PCA "
            f"**{n_pca} of {m}** (median {recovery.pca.median:.3f}, best "
            f"{float(recovery.pca.cosines.max()):.3f}). The figure below puts each true part "
            "beside its matched NMF row and PCA component."
        ),
    )
