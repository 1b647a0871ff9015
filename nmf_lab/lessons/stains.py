"""Stains: unmix a real immunohistochemistry slide with NMF, against Ruifrok & Johnston.

The slide is scikit-image's ``data.immunohistochemistry()`` (bundled with the package, no
download): tissue stained with haematoxylin (blue-purple, nuclei) and DAB (brown, the antibody
stain on the membranes). Light passing a stain is absorbed exponentially (Beer–Lambert), so in
optical density ``OD = −log10(I / I₀)`` (per channel, ``I₀ = 255`` the unobstructed light) the
stains add up: each pixel's OD triple is a nonnegative mix of the stains' OD colours. With one
pixel per row of ``X`` (n_pixels × 3), that is exactly ``X ≈ H W``: the rows of ``W`` (r × 3) are
stain colours in OD, the columns of ``H`` are the stains' concentration maps.

The known answer is Ruifrok & Johnston (2001)'s stain matrix, which scikit-image uses in
``skimage.color.rgb2hed`` (its rows: haematoxylin, eosin, DAB). NMF learns ``W`` from the slide
alone; the lesson measures the angle between each learned row and its matched reference row.

Two things the lesson is honest about (and tests):

- This slide carries no eosin: ``rgb2hed``'s eosin map is zero almost everywhere. Two rows of
  ``W`` (the default) find haematoxylin and DAB; the DAB row sits further from the reference,
  the haematoxylin map agrees less closely with ``rgb2hed``'s than the DAB map does.
- With three colour channels, three rows of ``W`` fit every pixel exactly (0 % error) and many
  such ``W`` exist (any cone that holds all pixels): the third row is not eosin.

``W`` is learned on a random sample of tissue pixels (the seed picks it) for speed; ``H`` is
then computed for every pixel by nonnegative least squares with ``W`` fixed
(:func:`nmf_core.nnls_gram`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from nmf_core import check_random_state, nmf, nnls_gram
from nmf_lab.checkpoints import Checkpoint, Choice

__all__ = [
    "BACKGROUND",
    "DEFAULT_RANK",
    "DEFAULT_SAMPLE",
    "EXACT",
    "MAX_RANK",
    "MIN_TISSUE_OD",
    "SAMPLE_SIZES",
    "STAINS",
    "STAIN_NMF",
    "TRIANGLE_PIXELS",
    "EosinAbsence",
    "StainAgreement",
    "StainUnmixing",
    "absorbs_checkpoint",
    "chromaticity",
    "colour_word",
    "eosin_absence",
    "load_slide",
    "optical_density",
    "pair_checkpoint",
    "rank_three_checkpoint",
    "reference_concentrations",
    "reference_stains",
    "stain_agreement",
    "stain_pair",
    "transmitted_colour",
    "triangle_sample",
    "unmix_stains",
]

#: The rows of Ruifrok & Johnston's matrix, in ``skimage.color.rgb_from_hed``'s order.
STAINS = ("haematoxylin", "eosin", "DAB")
#: ``I₀``: the intensity of unobstructed light in 8-bit pixels.
BACKGROUND = 255.0
#: Pixels whose OD vector is shorter than this are background (glass): they carry no stain
#: colour, only noise, and are left out of the sample W is learned from.
MIN_TISSUE_OD = 0.15
DEFAULT_RANK = 2
MAX_RANK = 3
SAMPLE_SIZES = (5_000, 20_000, 50_000)
DEFAULT_SAMPLE = 20_000
#: Pixels drawn in the colour triangle (a fixed sample: the picture of the data never moves).
TRIANGLE_PIXELS = 3_000
#: The solver settings: HALS from NNDSVDa (deterministic given the sample), run far enough
#: that the learned directions no longer move.
STAIN_NMF: dict[str, Any] = {"solver": "hals", "init": "nndsvda", "max_iter": 1000, "tol": 1e-6}


def load_slide() -> np.ndarray:
    """The IHC slide bundled with scikit-image, shape (512, 512, 3), uint8 RGB."""
    import skimage.data

    return np.asarray(skimage.data.immunohistochemistry())


def _check_image(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"Need an RGB image of shape (h, w, 3); got shape {image.shape}.")
    if not np.issubdtype(image.dtype, np.number) or not np.all(np.isfinite(image)):
        raise ValueError("The image must hold finite numbers.")
    return image.astype(np.float64)


def optical_density(image: Any, *, background: float = BACKGROUND) -> np.ndarray:
    """Optical density ``OD = −log10(I / I₀)`` of every pixel and channel.

    Intensities are clipped to ``[1, I₀]`` first: a pixel brighter than the background has no
    stain (OD 0), and a black pixel would have an infinite OD.

    Parameters
    ----------
    image : array_like, shape (h, w, 3)
        RGB intensities on the scale of ``background`` (0 … 255 for 8-bit pixels).
    background : float
        ``I₀``, the intensity of unobstructed light.

    Returns
    -------
    ndarray, shape (h, w, 3), float64, entries in ``[0, log10(I₀)]``

    Examples
    --------
    >>> optical_density(np.array([[[255, 25.5, 0]]])).round(3).tolist()
    [[[0.0, 1.0, 2.407]]]
    """
    image = _check_image(image)
    if not (isinstance(background, numbers.Real) and np.isfinite(background) and background > 1):
        raise ValueError(f"background must be a finite number above 1, got {background!r}.")
    return -np.log10(np.clip(image, 1.0, float(background)) / float(background))


def reference_stains() -> np.ndarray:
    """Ruifrok & Johnston's stain OD colours as unit rows (haematoxylin, eosin, DAB), 3×3."""
    from skimage.color import rgb_from_hed

    matrix = np.asarray(rgb_from_hed, dtype=np.float64)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def reference_concentrations(image: Any) -> np.ndarray:
    """``skimage.color.rgb2hed(image)``: the stain maps of the fixed reference matrix, (h, w, 3)."""
    from skimage.color import rgb2hed

    image = np.asarray(image)
    _check_image(image)
    return np.asarray(rgb2hed(image), dtype=np.float64)


def transmitted_colour(od: Any, amount: float = 1.0) -> np.ndarray:
    """The RGB colour (uint8) of a pixel whose OD is ``amount × od``: ``I₀ · 10^(−OD)``.

    The colour a stain shows on the slide, for a swatch.

    Examples
    --------
    >>> transmitted_colour([0.0, 1.0, 2.0]).tolist()
    [255, 26, 3]
    """
    od = np.asarray(od, dtype=np.float64)
    if od.shape != (3,) or not np.all(np.isfinite(od)):
        raise ValueError(f"Need one finite OD triple, got {od.shape}.")
    return np.round(BACKGROUND * 10.0 ** (-amount * np.maximum(od, 0.0))).astype(np.uint8)


def colour_word(od: Any) -> str:
    """How a stain with OD colour ``od`` looks: ``"blue"`` or ``"brown"``.

    A stain that absorbs more red than blue lets mostly blue through (haematoxylin); one that
    absorbs more blue than red looks brown (DAB). The checkpoint "which colour will the
    haematoxylin row be?" is answered with this.
    """
    od = np.asarray(od, dtype=np.float64)
    if od.shape != (3,) or not np.all(np.isfinite(od)):
        raise ValueError(f"Need one finite OD triple, got {od.shape}.")
    return "blue" if od[0] > od[2] else "brown"


def chromaticity(od_pixels: Any) -> np.ndarray:
    """Each OD row divided by its sum: where it sits in the triangle of the three channels.

    Scaling a pixel's OD (more or less of the same stains) leaves its chromaticity unchanged,
    so every stain is one point of the triangle and a mix of two stains lies on the segment
    between them. Rows that sum to 0 (white) come back as NaN.

    Parameters
    ----------
    od_pixels : array_like, shape (n, 3)

    Returns
    -------
    ndarray, shape (n, 3): nonnegative rows summing to 1 (or NaN)
    """
    od_pixels = np.asarray(od_pixels, dtype=np.float64)
    if od_pixels.ndim != 2 or od_pixels.shape[1] != 3:
        raise ValueError(f"Need OD rows of shape (n, 3); got {od_pixels.shape}.")
    totals = od_pixels.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, od_pixels / np.where(totals > 0, totals, 1.0), np.nan)


@dataclass(frozen=True)
class StainUnmixing:
    """What NMF found on the slide at one rank, matched to the reference stains.

    Rows of ``W`` are listed in the order of their matched reference stain (haematoxylin,
    eosin, DAB), and the columns of ``H`` with them.

    Attributes
    ----------
    W : ndarray, shape (r, 3)
        Learned stain OD colours, unit rows.
    H : ndarray, shape (n_pixels, r)
        Concentrations of every pixel (OD units along the unit rows of ``W``).
    image_shape : tuple of int
        ``(h, w)``: ``H[:, j].reshape(image_shape)`` is stain ``j``'s map.
    matched : tuple of int
        Index into :data:`STAINS` of each row's reference stain (a one-to-one matching that
        minimises the total angle).
    angles : ndarray, shape (r,)
        Angle in degrees between each row and its matched reference row.
    all_angles : ndarray, shape (r, 3)
        Angle of every row to every reference row.
    map_correlations : ndarray, shape (r,)
        Pearson correlation of each concentration map with ``rgb2hed``'s map of the matched
        stain, over all pixels (NaN where the reference map is constant).
    relative_error : float
        ``‖X − HW‖_F / ‖X‖_F`` over all pixels.
    sample_size : int
        Number of tissue pixels ``W`` was learned on.
    """

    W: np.ndarray
    H: np.ndarray
    image_shape: tuple[int, int]
    matched: tuple[int, ...]
    angles: np.ndarray
    all_angles: np.ndarray
    map_correlations: np.ndarray
    relative_error: float
    sample_size: int

    @property
    def rank(self) -> int:
        """Number of learned stains ``r``."""
        return int(self.W.shape[0])

    @property
    def names(self) -> tuple[str, ...]:
        """The matched reference stain of each row."""
        return tuple(STAINS[j] for j in self.matched)

    def maps(self) -> np.ndarray:
        """The concentration maps, shape (r, h, w)."""
        return self.H.T.reshape(self.rank, *self.image_shape)

    def angle_to(self, stain: str) -> float:
        """Angle in degrees of the row matched to ``stain`` (``ValueError`` if none is)."""
        if stain not in self.names:
            raise ValueError(f"No row of W is matched to {stain!r} at r = {self.rank}.")
        return float(self.angles[self.names.index(stain)])


def _check_choice(name: str, value: Any, allowed: tuple[int, ...] | range) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}.")
    return int(value)


def unmix_stains(
    image: Any,
    rank: int = DEFAULT_RANK,
    *,
    sample_size: int = DEFAULT_SAMPLE,
    seed: Any = 0,
    reference_maps: np.ndarray | None = None,
) -> StainUnmixing:
    """Learn ``r`` stain colours from the slide with NMF and match them to the reference.

    Steps: OD of every pixel (:func:`optical_density`); a random sample of ``sample_size``
    tissue pixels (OD length above :data:`MIN_TISSUE_OD`), drawn with ``seed``; NMF of the
    sample (:data:`STAIN_NMF`) gives ``W``; its rows are scaled to unit length; ``H`` for every
    pixel solves ``min_{H ≥ 0} ‖X − HW‖²_F`` with that ``W`` fixed (the normal equations
    ``H (W Wᵀ) = X Wᵀ`` under ``H ≥ 0``, by :func:`nmf_core.nnls_gram`). Each row is matched to
    one reference row (one-to-one, smallest total angle).

    Parameters
    ----------
    image : array_like, shape (h, w, 3)
        RGB intensities 0 … 255.
    rank : {1, 2, 3}
        Number of stains to learn.
    sample_size : int
        Pixels to learn ``W`` on (all tissue pixels if there are fewer).
    seed : None, int or numpy.random.Generator
        Draws the sample.
    reference_maps : ndarray, shape (h, w, 3), optional
        :func:`reference_concentrations` of the image, if already computed.

    Returns
    -------
    StainUnmixing

    Raises
    ------
    ValueError
        Not an RGB image; ``rank`` not 1, 2 or 3; ``sample_size`` not a positive integer; fewer
        tissue pixels than ``rank``.
    """
    od = optical_density(image)
    rank = _check_choice("rank", rank, range(1, MAX_RANK + 1))
    if isinstance(sample_size, bool) or not isinstance(sample_size, numbers.Integral):
        raise ValueError(f"sample_size must be a positive integer, got {sample_size!r}.")
    if sample_size < 1:
        raise ValueError(f"sample_size must be a positive integer, got {sample_size!r}.")
    h, w, _ = od.shape
    X = od.reshape(-1, 3)
    tissue = np.flatnonzero(np.linalg.norm(X, axis=1) > MIN_TISSUE_OD)
    if tissue.size < rank:
        raise ValueError(
            f"The image has {tissue.size} stained pixels (OD length above {MIN_TISSUE_OD}); "
            f"need at least r = {rank}."
        )
    rng = check_random_state(seed)
    picked = tissue if tissue.size <= sample_size else rng.choice(tissue, sample_size, False)
    sample = X[np.sort(picked)]
    fit = nmf(sample, rank, seed=rng, **STAIN_NMF)
    norms = np.linalg.norm(fit.W, axis=1)
    W = fit.W[norms > 0] / norms[norms > 0, None]
    if W.shape[0] < rank:  # a row that died: keep the shape, it matches nothing well
        W = np.vstack([W, np.full((rank - W.shape[0], 3), 1 / np.sqrt(3))])

    reference = reference_stains()
    all_angles = np.degrees(np.arccos(np.clip(W @ reference.T, -1.0, 1.0)))
    rows, columns = linear_sum_assignment(all_angles)
    order = np.argsort(columns)
    rows, columns = rows[order], columns[order]
    W, all_angles = W[rows], all_angles[rows]

    H = nnls_gram(W @ W.T, W @ X.T).T
    residual = X - H @ W
    relative_error = float(np.linalg.norm(residual) / np.linalg.norm(X))

    if reference_maps is None:
        reference_maps = reference_concentrations(image)
    reference_maps = np.asarray(reference_maps, dtype=np.float64).reshape(-1, 3)
    correlations = np.array(
        [_correlation(H[:, i], reference_maps[:, j]) for i, j in enumerate(columns)]
    )
    return StainUnmixing(
        W=W,
        H=H,
        image_shape=(h, w),
        matched=tuple(int(j) for j in columns),
        angles=all_angles[np.arange(rank), columns],
        all_angles=all_angles,
        map_correlations=correlations,
        relative_error=relative_error,
        sample_size=int(sample.shape[0]),
    )


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def stain_pair(result: StainUnmixing) -> str:
    """The matched stains of the rows, joined for a sentence: ``"haematoxylin and DAB"``."""
    names = list(result.names)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class EosinAbsence:
    """How little eosin ``rgb2hed`` finds on the slide.

    Attributes
    ----------
    zero_share : float
        Share of pixels whose eosin concentration is 0 (``rgb2hed`` clips negatives to 0).
    largest : float
        The largest eosin concentration.
    dab_largest : float
        The largest DAB concentration, for scale.
    """

    zero_share: float
    largest: float
    dab_largest: float


def eosin_absence(reference_maps: Any) -> EosinAbsence:
    """Measure the eosin channel of :func:`reference_concentrations` (shape (h, w, 3))."""
    maps = np.asarray(reference_maps, dtype=np.float64)
    if maps.ndim != 3 or maps.shape[2] != 3:
        raise ValueError(f"Need rgb2hed maps of shape (h, w, 3); got {maps.shape}.")
    eosin = maps[..., STAINS.index("eosin")]
    return EosinAbsence(
        zero_share=float(np.mean(eosin <= 0)),
        largest=float(eosin.max()),
        dab_largest=float(maps[..., STAINS.index("DAB")].max()),
    )


def triangle_sample(n_pixels: int, count: int = TRIANGLE_PIXELS) -> np.ndarray:
    """Sorted indices of a fixed random sample of pixels (seed 0) for the colour triangle."""
    if isinstance(n_pixels, bool) or not isinstance(n_pixels, numbers.Integral) or n_pixels < 1:
        raise ValueError(f"n_pixels must be a positive integer, got {n_pixels!r}.")
    count = min(int(count), int(n_pixels))
    return np.sort(np.random.default_rng(0).choice(int(n_pixels), count, replace=False))


@dataclass(frozen=True)
class StainAgreement:
    """Which learned stain is closest to its reference, and whose map agrees best.

    Rows matched to eosin are left out when r = 3 (the slide has none: that row is not a
    stain), so every name here is a stain the slide carries.

    Attributes
    ----------
    closest, furthest : tuple of (str, float)
        Stain name and angle (degrees) of the rows nearest to / furthest from their reference.
    best_map, worst_map : tuple of (str, float)
        Stain name and map correlation with ``rgb2hed`` of the best / worst agreeing map.
    """

    closest: tuple[str, float]
    furthest: tuple[str, float]
    best_map: tuple[str, float]
    worst_map: tuple[str, float]


def stain_agreement(result: StainUnmixing) -> StainAgreement:
    """Rank the rows of ``result`` by angle and by map correlation (``ValueError`` below r = 2)."""
    rows = [index for index, name in enumerate(result.names) if name != "eosin"]
    if len(rows) < 2:
        raise ValueError(f"Need two matched stains other than eosin; got {result.names}.")
    by_angle = sorted(rows, key=lambda index: result.angles[index])
    by_map = sorted(rows, key=lambda index: -result.map_correlations[index])

    def named(index: int, values: np.ndarray) -> tuple[str, float]:
        return result.names[index], float(values[index])

    return StainAgreement(
        closest=named(by_angle[0], result.angles),
        furthest=named(by_angle[-1], result.angles),
        best_map=named(by_map[0], result.map_correlations),
        worst_map=named(by_map[-1], result.map_correlations),
    )


# ---- checkpoints ---------------------------------------------------------------------------

#: Below this relative error a fit counts as exact in the checkpoints' answers.
EXACT = 0.005
_CHANNELS = ("Red", "Green", "Blue")


def absorbs_checkpoint(at_two: StainUnmixing) -> Checkpoint:
    """Checkpoint: which channel the haematoxylin row of W is largest in.

    Answered from ``at_two``, the unmixing at r = 2 with the page's sample and seed: the
    channel of the largest entry of the row matched to haematoxylin.
    """
    row = at_two.W[at_two.names.index("haematoxylin")]
    correct = int(np.argmax(row))
    values = ", ".join(
        f"{name.lower()} {value:.2f}" for name, value in zip(_CHANNELS, row, strict=True)
    )
    return Checkpoint(
        key="stains_absorbs",
        question=(
            "Haematoxylin makes nuclei look blue. In the row of W that NMF matches to "
            "haematoxylin (its colour in optical density), which channel will be largest?"
        ),
        choices=(
            Choice(
                "Red",
                "Optical density measures the light a stain takes away. A stain that looks "
                "blue takes away red (and some green) and lets blue through.",
            ),
            Choice(
                "Green",
                "Green is absorbed too, but less than red. A stain that took away green most "
                "would let red and blue through and look magenta, not blue.",
            ),
            Choice(
                "Blue",
                "Blue is the light that gets *through* haematoxylin, so its optical density "
                "in blue is the smallest, not the largest: OD counts what is absorbed.",
            ),
        ),
        correct=correct,
        explanation=(
            f"On screen (r = 2) the haematoxylin row of W is ({values}): largest in "
            f"{_CHANNELS[correct].lower()}. The swatches below turn it back into the colour it "
            "lets through."
        ),
    )


def pair_checkpoint(at_two: StainUnmixing) -> Checkpoint:
    """Checkpoint: which reference stains the two rows of W match at r = 2."""
    pairs = (("haematoxylin", "DAB"), ("haematoxylin", "eosin"), ("eosin", "DAB"))
    found = tuple(sorted(at_two.names, key=STAINS.index))
    correct = pairs.index(found) if found in pairs else 0
    angles = ", ".join(
        f"{name} {angle:.1f}°" for name, angle in zip(at_two.names, at_two.angles, strict=True)
    )
    return Checkpoint(
        key="stains_pair",
        question=(
            "The reference has three stains: haematoxylin, eosin and DAB. With r = 2 rows of "
            "W, which two will NMF's rows be closest to?"
        ),
        choices=(
            Choice(
                "haematoxylin and DAB",
                "These are the stains on this slide: blue nuclei and brown membranes. NMF "
                "can only find colours that the pixels are made of.",
            ),
            Choice(
                "haematoxylin and eosin",
                "Eosin is the usual partner of haematoxylin (H&E), but this slide was stained "
                "for DAB instead: nothing on it is pink.",
            ),
            Choice(
                "eosin and DAB",
                "The blue nuclei are everywhere on the slide; a row of W must go to "
                "haematoxylin. Eosin (pink) is not on this slide.",
            ),
        ),
        correct=correct,
        explanation=(
            f"At r = 2 the rows match {stain_pair(at_two)} ({angles} from the reference), "
            f"with {at_two.relative_error:.2%} error: two stains explain the slide."
        ),
    )


def rank_three_checkpoint(at_two: StainUnmixing, at_three: StainUnmixing) -> Checkpoint:
    """Checkpoint: what the error does at r = 3 (three rows for three channels)."""
    correct = (
        0
        if at_three.relative_error < EXACT
        else (1 if at_three.relative_error < 0.8 * at_two.relative_error else 2)
    )
    eosin = at_three.names.index("eosin")
    return Checkpoint(
        key="stains_rank_three",
        question=(
            f"At r = 2 the error is {at_two.relative_error:.2%}. The slide has no eosin. What "
            "will the error be at r = 3? Answer, then set r = 3."
        ),
        choices=(
            Choice(
                "About 0%",
                "Three rows in three channels span every direction a pixel can have: any "
                "three rows whose cone holds all the pixels fit them exactly, stain or not.",
            ),
            Choice(
                "About the same as at r = 2",
                "With no third stain there is nothing left to find, but the third row does "
                "not need a stain: it only has to widen the cone until it holds every pixel.",
            ),
            Choice(
                "Larger than at r = 2",
                "Adding a row never makes the best fit worse: the r = 2 answer with a zero "
                "third row is still available to the solver.",
            ),
        ),
        correct=correct,
        explanation=(
            f"At r = 3 the error is {at_three.relative_error:.2%}, but the row matched to "
            f"eosin is {at_three.angles[eosin]:.1f}° from eosin and its map correlates with "
            f"rgb2hed's at {at_three.map_correlations[eosin]:.2f}: an exact fit, and not a "
            "stain. A perfect fit is not a right answer."
        ),
    )
