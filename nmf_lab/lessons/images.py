"""Pictures as matrices: NMF vs SVD on an image, rank-one layers, faces as parts.

A grayscale image of ``n`` rows and ``k`` columns *is* a nonnegative matrix ``X`` (n×k): each
image row is a data point, so ``X ≈ H W`` writes every row as a nonnegative mix of the ``r``
rows of ``W``. A colour image is either turned into one grayscale matrix or factored channel by
channel (three independent factorisations at the same rank).

Pictures are factored at a working size (longest side at most :data:`WORKING_SIDE`); an
uploaded picture is decoded to that size by :func:`nmf_lab.uploads.decode_image`.

>>> import numpy as np
>>> image = np.linspace(0, 1, 64 * 48).reshape(64, 48)
>>> result = factor_image(image, 4, max_iter=20, seed=0)
>>> result.nmf_image.shape, result.svd_image.shape
((64, 48), (64, 48))
>>> bool(result.svd_error <= result.nmf_error + 1e-12)
True
>>> storage_counts(64, 48, 4)
(448, 3072)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from nmf_core import check_rank
from nmf_core.baselines import PCAResult, SVDResult, pca, truncated_svd
from nmf_core.init import initialize
from nmf_core.metrics import hoyer_sparseness, relative_error
from nmf_core.solvers import Callback, nmf
from nmf_lab.checkpoints import Checkpoint, Choice

__all__ = [
    "COLOR_MODES",
    "NESTED_INITS",
    "TOUCH",
    "WORKING_SIDE",
    "ErrorCurve",
    "FacesComparison",
    "ImageFactorization",
    "compare_faces",
    "error_vs_rank",
    "face_parts",
    "factor_image",
    "fit_working_size",
    "image_channels",
    "image_starts",
    "image_svds",
    "image_to_png",
    "layer_order",
    "layer_stack",
    "nmf_image_error",
    "rank_one_checkpoint",
    "storage_counts",
    "svd_image_error_curve",
]

#: Longest side (pixels) of the matrix that is factored; larger images are scaled down first.
WORKING_SIDE = 512
#: "grayscale": one matrix (luminance); "rgb": R, G and B factored separately.
COLOR_MODES = ("grayscale", "rgb")

# ITU-R BT.709 luminance, the weights skimage.color.rgb2gray uses.
_LUMA = np.array([0.2125, 0.7154, 0.0721])


# --------------------------------------------------------------------------------------------
# Preparing images
# --------------------------------------------------------------------------------------------


def fit_working_size(image: np.ndarray, max_side: int = WORKING_SIDE) -> np.ndarray:
    """Scale an image down (anti-aliased) so its longest side is at most ``max_side``.

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, c), values in [0, 1]
    max_side : int

    Returns
    -------
    ndarray, same number of dimensions, float64 in [0, 1]
        The input (as float64) if it already fits.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim not in (2, 3) or min(image.shape[:2]) < 1:
        raise ValueError(f"Expected an image of shape (h, w) or (h, w, c), got {image.shape}.")
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return image
    from skimage.transform import resize

    scale = max_side / longest
    shape = (max(1, round(height * scale)), max(1, round(width * scale)), *image.shape[2:])
    return np.clip(resize(image, shape, anti_aliasing=True, preserve_range=True), 0.0, 1.0)


def image_channels(image: np.ndarray, color: str = "grayscale") -> list[np.ndarray]:
    """The matrices to factor: one (luminance) for ``"grayscale"``, R, G, B for ``"rgb"``.

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, 3 or 4), values in [0, 1]
    color : {"grayscale", "rgb"}
        A grayscale image has one channel in either mode.

    Returns
    -------
    list of ndarray, each shape (h, w), float64
    """
    if color not in COLOR_MODES:
        raise ValueError(f"Unknown colour mode {color!r}; choose one of {', '.join(COLOR_MODES)}.")
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        return [image]
    if image.ndim != 3 or image.shape[2] < 3:
        raise ValueError(f"Expected an image of shape (h, w) or (h, w, 3), got {image.shape}.")
    rgb = image[..., :3]
    if color == "grayscale":
        return [rgb @ _LUMA]
    return [np.ascontiguousarray(rgb[..., c]) for c in range(3)]


def effective_color(image: np.ndarray, color: str) -> str:
    """The colour mode that decides the result: ``"grayscale"`` for a one-channel picture.

    A grayscale picture has one channel in either mode, so asking for ``"rgb"`` gives the same
    factorisation; pages key their caches by this, so switching computes nothing new.

    Examples
    --------
    >>> effective_color(np.zeros((4, 4)), "rgb"), effective_color(np.zeros((4, 4, 3)), "rgb")
    ('grayscale', 'rgb')
    """
    if color not in COLOR_MODES:
        raise ValueError(f"Unknown colour mode {color!r}; choose one of {', '.join(COLOR_MODES)}.")
    return "grayscale" if np.ndim(image) == 2 else color


def _stack(channels: Sequence[np.ndarray]) -> np.ndarray:
    return channels[0] if len(channels) == 1 else np.stack(channels, axis=-1)


def image_to_png(image: np.ndarray) -> bytes:
    """Encode an image with values in [0, 1] as PNG bytes (values outside are clipped).

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, 3)

    Returns
    -------
    bytes
    """
    from PIL import Image

    image = np.asarray(image, dtype=np.float64)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"Expected an image of shape (h, w) or (h, w, 3), got {image.shape}.")
    pixels = np.round(np.clip(np.nan_to_num(image), 0.0, 1.0) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def storage_counts(n: int, k: int, rank: int, channels: int = 1) -> tuple[int, int]:
    """Numbers stored by a rank-``r`` factorisation against the full matrix.

    ``H`` (n×r) and ``W`` (r×k) hold ``r·(n + k)`` numbers; ``X`` holds ``n·k``; both are
    multiplied by the number of channels factored.

    Parameters
    ----------
    n, k : int
        Matrix shape (image height and width).
    rank : int
    channels : int

    Returns
    -------
    factors, original : int

    Examples
    --------
    >>> storage_counts(512, 512, 20)
    (20480, 262144)
    """
    for name, value in (("n", n), ("k", k), ("channels", channels)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    rank = check_rank(rank)
    return int(channels * rank * (n + k)), int(channels * n * k)


# --------------------------------------------------------------------------------------------
# One image: NMF against SVD
# --------------------------------------------------------------------------------------------


def image_svds(image: np.ndarray, color: str = "grayscale") -> list[SVDResult]:
    """Full thin SVD of each channel matrix (every rank's SVD reconstruction comes from it).

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, 3)
    color : {"grayscale", "rgb"}

    Returns
    -------
    list of SVDResult
        One per channel, keeping all ``min(h, w)`` singular triplets.
    """
    return [truncated_svd(channel, min(channel.shape)) for channel in image_channels(image, color)]


#: Inits whose rank-r start is the first r terms of any higher-rank start (NNDSVD builds one
#: term per singular triplet), so one SVD serves every rank.
NESTED_INITS = ("nndsvd", "nndsvda")


def image_starts(
    image: np.ndarray,
    max_rank: int,
    *,
    color: str = "grayscale",
    init: str = "nndsvda",
    seed: Any = 0,
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Start points at ``max_rank`` that can be cut down to any lower rank, one per channel.

    For ``init`` in :data:`NESTED_INITS` the rank-r start of :func:`nmf_core.initialize` equals
    the first r columns of ``H0`` and rows of ``W0`` of the rank-``max_rank`` start; computing it
    once saves an SVD per rank (the error-vs-rank curve, or moving the rank slider).

    Parameters
    ----------
    image : ndarray, shape (n, k) or (n, k, 3)
    max_rank : int
        At most the shorter side.
    color, init, seed
        As in :func:`factor_image`.

    Returns
    -------
    list of (H0, W0) or None
        ``H0`` of shape (n, max_rank) and ``W0`` of shape (max_rank, k) per channel; ``None``
        for inits that are not nested (they are computed per rank instead).
    """
    if init not in NESTED_INITS:
        return None
    channels = image_channels(image, color)
    max_rank = _check_image_rank(max_rank, channels[0].shape)
    return [initialize(channel, max_rank, init, seed=seed) for channel in channels]


def _start(init: str, starts, index: int, rank: int):
    if starts is None:
        return init
    H0, W0 = starts[index]
    if H0.shape[1] < rank:
        raise ValueError(f"The start points have rank {H0.shape[1]} < {rank}.")
    return (H0[:, :rank], W0[:rank])


def _check_image_rank(rank: int, shape: tuple[int, int]) -> int:
    rank = check_rank(rank)
    if rank > min(shape):
        raise ValueError(
            f"rank {rank} is larger than the image's shorter side "
            f"({shape[0]}×{shape[1]} pixels); choose r ≤ {min(shape)}."
        )
    return rank


@dataclass(frozen=True)
class ImageFactorization:
    """NMF ``X ≈ H W`` and the rank-r SVD of one image, channel by channel.

    Attributes
    ----------
    original : ndarray, shape (n, k) or (n, k, 3)
        The image that was factored (grayscale or RGB), values in [0, 1].
    H : tuple of ndarray, each shape (n, r)
        NMF coefficients per channel (row ``i`` mixes the basis rows into image row ``i``).
    W : tuple of ndarray, each shape (r, k)
        NMF basis per channel (each row is a nonnegative "row pattern").
    svd_left : tuple of ndarray, each shape (n, r)
        ``U·diag(S)`` per channel: SVD's signed coefficients.
    svd_right : tuple of ndarray, each shape (r, k)
        ``Vᵀ`` per channel: SVD's signed basis rows.
    n_iter : int
        Most iterations any channel's solver ran.
    """

    original: np.ndarray
    H: tuple[np.ndarray, ...]
    W: tuple[np.ndarray, ...]
    svd_left: tuple[np.ndarray, ...]
    svd_right: tuple[np.ndarray, ...]
    n_iter: int = 0

    @property
    def rank(self) -> int:
        """The rank ``r``."""
        return self.W[0].shape[0]

    @property
    def channels(self) -> int:
        """Number of matrices factored (1 for grayscale, 3 for RGB)."""
        return len(self.W)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n, k)``: image height and width."""
        return self.H[0].shape[0], self.W[0].shape[1]

    @cached_property
    def nmf_image(self) -> np.ndarray:
        """``HW`` per channel, shape like ``original`` (not clipped)."""
        return _stack([H @ W for H, W in zip(self.H, self.W, strict=True)])

    @cached_property
    def svd_image(self) -> np.ndarray:
        """The best rank-r approximation per channel, shape like ``original`` (not clipped)."""
        return _stack([L @ R for L, R in zip(self.svd_left, self.svd_right, strict=True)])

    @property
    def nmf_error(self) -> float:
        """``‖X − HW‖_F / ‖X‖_F`` over all channels."""
        return relative_error(
            self.original.reshape(self.shape[0], -1), self.nmf_image.reshape(self.shape[0], -1)
        )

    @property
    def svd_error(self) -> float:
        """Relative error of the rank-r SVD over all channels (the smallest any rank r gets)."""
        return relative_error(
            self.original.reshape(self.shape[0], -1), self.svd_image.reshape(self.shape[0], -1)
        )

    @property
    def nmf_error_map(self) -> np.ndarray:
        """Per-pixel error ``|X − HW|`` (RMS over channels), shape (n, k)."""
        return _error_map(self.original, self.nmf_image)

    @property
    def svd_error_map(self) -> np.ndarray:
        """Per-pixel error of the SVD reconstruction (RMS over channels), shape (n, k)."""
        return _error_map(self.original, self.svd_image)

    @property
    def storage(self) -> tuple[int, int]:
        """``(channels·r·(n + k), channels·n·k)``: numbers in the factors and in the image."""
        n, k = self.shape
        return storage_counts(n, k, self.rank, self.channels)

    @property
    def storage_per_channel(self) -> tuple[int, int]:
        """``(r·(n + k), n·k)``: the same counts for one channel."""
        n, k = self.shape
        return storage_counts(n, k, self.rank)

    @property
    def storage_share(self) -> float:
        """Numbers in the factors over numbers in the image: what the factorisation keeps."""
        stored, full = self.storage
        return stored / full


def _error_map(original: np.ndarray, approximation: np.ndarray) -> np.ndarray:
    difference = original - approximation
    if difference.ndim == 2:
        return np.abs(difference)
    return np.sqrt(np.mean(difference**2, axis=-1))


def factor_image(
    image: np.ndarray,
    rank: int,
    *,
    color: str = "grayscale",
    solver: str = "hals",
    init: str = "nndsvda",
    max_iter: int = 30,
    seed: Any = 0,
    tol: float = 1e-4,
    svds: Sequence[SVDResult] | None = None,
    starts: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    callback: Callback | None = None,
) -> ImageFactorization:
    """Factor an image at rank ``r`` with NMF and with the SVD.

    Parameters
    ----------
    image : ndarray, shape (n, k) or (n, k, 3), values in [0, 1]
    rank : int
        At most the shorter side.
    color : {"grayscale", "rgb"}
        ``"rgb"`` factors each channel separately (three NMFs at rank ``r``).
    solver, init, max_iter, seed, tol
        Passed to :func:`nmf_core.nmf`.
    svds : list of SVDResult, optional
        Full SVDs from :func:`image_svds` (same image and colour mode), to avoid recomputing.
    starts : list of (H0, W0), optional
        From :func:`image_starts` with the same image, colour mode and ``init`` (same result as
        starting from ``init``, without its SVD).
    callback : callable, optional
        Passed to every :func:`nmf_core.nmf` run (one per channel, in order): it sees
        iterations ``1, 2, …`` of each channel in turn, and can stop a run by raising.

    Returns
    -------
    ImageFactorization
    """
    channels = image_channels(image, color)
    rank = _check_image_rank(rank, channels[0].shape)
    if svds is None:
        svds = image_svds(image, color)
    if len(svds) != len(channels):
        raise ValueError(f"Got {len(svds)} SVDs for {len(channels)} channels.")
    Hs, Ws, lefts, rights, iterations = [], [], [], [], 0
    for index, (channel, svd) in enumerate(zip(channels, svds, strict=True)):
        result = nmf(
            channel,
            rank,
            solver=solver,
            init=_start(init, starts, index, rank),
            max_iter=max_iter,
            seed=seed,
            tol=tol,
            callback=callback,
        )
        Hs.append(result.H)
        Ws.append(result.W)
        iterations = max(iterations, result.n_iter)
        lefts.append(svd.U[:, :rank] * svd.S[:rank])
        rights.append(svd.Vt[:rank])
    return ImageFactorization(
        original=_stack(channels),
        H=tuple(Hs),
        W=tuple(Ws),
        svd_left=tuple(lefts),
        svd_right=tuple(rights),
        n_iter=iterations,
    )


def nmf_image_error(
    image: np.ndarray,
    rank: int,
    *,
    color: str = "grayscale",
    solver: str = "hals",
    init: str = "nndsvda",
    max_iter: int = 30,
    seed: Any = 0,
    tol: float = 1e-4,
    starts: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    callback: Callback | None = None,
) -> float:
    """Relative error ``‖X − HW‖_F / ‖X‖_F`` of NMF at one rank, over all channels.

    Parameters as in :func:`factor_image`.
    """
    channels = image_channels(image, color)
    rank = _check_image_rank(rank, channels[0].shape)
    squared_residual = squared_norm = 0.0
    for index, channel in enumerate(channels):
        result = nmf(
            channel,
            rank,
            solver=solver,
            init=_start(init, starts, index, rank),
            max_iter=max_iter,
            seed=seed,
            tol=tol,
            callback=callback,
        )
        squared_residual += float(np.sum((channel - result.H @ result.W) ** 2))
        squared_norm += float(np.sum(channel**2))
    return float(np.sqrt(squared_residual / squared_norm)) if squared_norm > 0 else 0.0


def svd_image_error_curve(svds: Sequence[SVDResult], max_rank: int) -> np.ndarray:
    """SVD relative error at ranks 1 … ``max_rank`` over all channels (Eckart–Young).

    Parameters
    ----------
    svds : list of SVDResult
        Full SVDs from :func:`image_svds`.
    max_rank : int

    Returns
    -------
    ndarray, shape (max_rank,)
    """
    max_rank = check_rank(max_rank)
    tails = np.zeros(max_rank)
    total = 0.0
    for svd in svds:
        energy = np.asarray(svd.singular_values, dtype=np.float64) ** 2
        total += float(energy.sum())
        tail = np.concatenate([np.cumsum(energy[::-1])[::-1], [0.0]])
        ranks = np.minimum(np.arange(1, max_rank + 1), len(energy))
        tails += tail[ranks]
    if total == 0:
        return np.zeros(max_rank)
    return np.sqrt(np.maximum(tails, 0.0) / total)


@dataclass(frozen=True)
class ErrorCurve:
    """Relative error against rank for NMF and SVD.

    Attributes
    ----------
    ranks : ndarray of int, shape (R,)
    nmf : ndarray, shape (R,)
    svd : ndarray, shape (R,)
        Never above ``nmf`` (the SVD is the best rank-r approximation).
    """

    ranks: np.ndarray
    nmf: np.ndarray
    svd: np.ndarray


def error_vs_rank(
    image: np.ndarray,
    max_rank: int,
    *,
    color: str = "grayscale",
    solver: str = "hals",
    init: str = "nndsvda",
    max_iter: int = 30,
    seed: Any = 0,
    svds: Sequence[SVDResult] | None = None,
    starts: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    nmf_error: Callable[[int], float] | None = None,
    on_rank: Callable[[int, int], None] | None = None,
) -> ErrorCurve:
    """NMF and SVD relative errors at ranks 1 … ``max_rank``: one fresh NMF per rank.

    Parameters
    ----------
    image : ndarray, shape (n, k) or (n, k, 3)
    max_rank : int
        At most the image's shorter side.
    color, solver, init, max_iter, seed
        As in :func:`factor_image`.
    svds, starts : optional
        Precomputed :func:`image_svds` and :func:`image_starts` (at a rank ≥ ``max_rank``).
    nmf_error : callable, optional
        ``nmf_error(rank)`` returns the NMF error at one rank (e.g. a cached call of
        :func:`nmf_image_error`); by default :func:`nmf_image_error` with the settings above.
    on_rank : callable, optional
        Called as ``on_rank(rank, max_rank)`` after each rank, e.g. to move a progress bar.

    Returns
    -------
    ErrorCurve
    """
    channels = image_channels(image, color)
    max_rank = _check_image_rank(max_rank, channels[0].shape)
    ranks = np.arange(1, max_rank + 1)
    if nmf_error is None:
        if starts is None:
            starts = image_starts(image, max_rank, color=color, init=init, seed=seed)

        def nmf_error(rank: int) -> float:
            return nmf_image_error(
                image,
                rank,
                color=color,
                solver=solver,
                init=init,
                max_iter=max_iter,
                seed=seed,
                starts=starts,
            )

    errors = []
    for rank in ranks:
        errors.append(nmf_error(int(rank)))
        if on_rank is not None:
            on_rank(int(rank), max_rank)
    if svds is None:
        svds = image_svds(image, color)
    return ErrorCurve(
        ranks=ranks,
        nmf=np.asarray(errors, dtype=np.float64),
        svd=svd_image_error_curve(svds, max_rank),
    )


def layer_order(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Order of the rank-one layers ``left[:, i] right[i, :]`` by Frobenius norm, largest first.

    Parameters
    ----------
    left : ndarray, shape (n, r)
    right : ndarray, shape (r, k)

    Returns
    -------
    ndarray of int, shape (r,)
    """
    weights = np.linalg.norm(left, axis=0) * np.linalg.norm(right, axis=1)
    return np.argsort(-weights, kind="stable")


def layer_stack(
    left: np.ndarray,
    right: np.ndarray,
    order: Sequence[int] | None = None,
    *,
    max_side: int | None = None,
    cumulative: bool = False,
) -> np.ndarray:
    """The rank-one layers ``left[:, i] ⊗ right[i, :]``, optionally thinned and summed up.

    The layers add up to ``left @ right``. Thinning takes every s-th row and column, which for
    an outer product is exactly the layer of the thinned factors (cheap thumbnails).

    Parameters
    ----------
    left : ndarray, shape (n, r)
    right : ndarray, shape (r, k)
    order : sequence of int, optional
        Which layers, in which order (default: all, in index order).
    max_side : int, optional
        Thin so that the longest side is at most this.
    cumulative : bool
        Return running sums (layer 1, layers 1+2, …) instead of single layers.

    Returns
    -------
    ndarray, shape (len(order), n', k')
    """
    left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    if left.ndim != 2 or right.ndim != 2 or left.shape[1] != right.shape[0]:
        raise ValueError(
            f"left (n, r) and right (r, k) do not fit: {left.shape} and {right.shape}."
        )
    order = np.arange(left.shape[1]) if order is None else np.asarray(order, dtype=int)
    step = 1
    if max_side is not None:
        step = max(1, int(np.ceil(max(left.shape[0], right.shape[1]) / max_side)))
    thin_left, thin_right = left[::step][:, order], right[order][:, ::step]
    layers = np.einsum("ni,ik->ink", thin_left, thin_right)
    return np.cumsum(layers, axis=0) if cumulative else layers


# --------------------------------------------------------------------------------------------
# Faces: parts against eigenfaces
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacesComparison:
    """NMF parts and PCA eigenfaces of a face set at the same rank.

    Attributes
    ----------
    faces : ndarray, shape (m, p)
        One flattened face per row.
    H : ndarray, shape (m, r)
        NMF coefficients, columns ordered by how much of the faces each part carries.
    W : ndarray, shape (r, p)
        NMF parts (nonnegative rows), same order as the columns of ``H``.
    pca : PCAResult
        Eigenfaces ``pca.components`` (signed rows), scores and mean face.
    nmf_sparseness, pca_sparseness : ndarray, shape (r,)
        Hoyer sparseness of each NMF part and each eigenface (of its absolute values).
    """

    faces: np.ndarray
    H: np.ndarray
    W: np.ndarray
    pca: PCAResult
    nmf_sparseness: np.ndarray
    pca_sparseness: np.ndarray

    @property
    def nmf_error(self) -> float:
        """``‖X − HW‖_F / ‖X‖_F``."""
        return relative_error(self.faces, self.H @ self.W)

    @property
    def pca_error(self) -> float:
        """Relative error of ``mean + scores @ components``."""
        return relative_error(self.faces, self.pca.reconstruction())

    @property
    def mean_sparseness(self) -> tuple[float, float]:
        """Mean Hoyer sparseness of the NMF parts and of the eigenfaces."""
        return float(self.nmf_sparseness.mean()), float(self.pca_sparseness.mean())

    def sparseness_table(self, digits: int = 3) -> dict[str, np.ndarray]:
        """Columns of the page's table: basis number, Hoyer sparseness of part and eigenface."""
        return {
            "basis j": np.arange(1, len(self.nmf_sparseness) + 1),
            "NMF part (Hoyer)": np.round(self.nmf_sparseness, digits),
            "PCA eigenface (Hoyer)": np.round(self.pca_sparseness, digits),
        }

    def rebuilt_face(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Face ``index``, its NMF reconstruction ``H_i W`` and its PCA one ``x̄ + s_i V``.

        Returns
        -------
        face, nmf_face, pca_face : ndarray, each shape (p,)
        """
        face = self.faces[index]
        nmf_face = self.H[index] @ self.W
        pca_face = self.pca.mean + self.pca.scores[index] @ self.pca.components
        return face, nmf_face, pca_face

    def face_errors(self, index: int) -> tuple[float, float]:
        """Relative errors ``‖x − x̂‖ / ‖x‖`` of face ``index`` rebuilt by NMF and by PCA."""
        face, nmf_face, pca_face = self.rebuilt_face(index)
        size = np.linalg.norm(face)
        return float(np.linalg.norm(face - nmf_face) / size), float(
            np.linalg.norm(face - pca_face) / size
        )


def compare_faces(
    faces: np.ndarray,
    rank: int,
    *,
    solver: str = "hals",
    init: str = "nndsvda",
    max_iter: int = 100,
    seed: Any = 0,
    callback: Callback | None = None,
) -> FacesComparison:
    """NMF (parts) and PCA (eigenfaces) of a face matrix at rank ``r``.

    Parameters
    ----------
    faces : ndarray, shape (m, p)
        Nonnegative, one flattened face per row (e.g. :func:`nmf_lab.demo_data.load_faces`).
    rank : int
    solver, init, max_iter, seed, callback
        Passed to :func:`nmf_core.nmf`.

    Returns
    -------
    FacesComparison
    """
    faces = np.asarray(faces, dtype=np.float64)
    rank = check_rank(rank)
    if faces.ndim != 2 or rank > min(faces.shape):
        raise ValueError(
            f"Need a 2-D face matrix with rank ≤ min(m, p); got shape "
            f"{faces.shape} and rank {rank}."
        )
    result = nmf(
        faces, rank, solver=solver, init=init, max_iter=max_iter, seed=seed, callback=callback
    )
    order = layer_order(result.H, result.W)
    H, W = result.H[:, order], result.W[order]
    components = pca(faces, rank)
    return FacesComparison(
        faces=faces,
        H=H,
        W=W,
        pca=components,
        nmf_sparseness=np.asarray(hoyer_sparseness(W, axis=1)),
        pca_sparseness=np.asarray(hoyer_sparseness(components.components, axis=1)),
    )


def face_parts(
    weights: np.ndarray, basis: np.ndarray, top: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One face's weighted parts ``weights[j] · basis[j]``, the strongest first.

    Parameters
    ----------
    weights : ndarray, shape (r,)
        The face's coefficients (a row of ``H``, or its PCA scores).
    basis : ndarray, shape (r, p)
        Parts or eigenfaces.
    top : int, optional
        Keep only the ``top`` strongest (by Frobenius norm of the weighted part).

    Returns
    -------
    indices : ndarray of int, shape (t,)
    parts : ndarray, shape (t, p)
        Summed over all ``r`` they give ``weights @ basis``.
    """
    weights, basis = np.asarray(weights, dtype=np.float64), np.asarray(basis, dtype=np.float64)
    if weights.ndim != 1 or basis.ndim != 2 or len(weights) != basis.shape[0]:
        raise ValueError(
            f"weights (r,) and basis (r, p) do not fit: {weights.shape} and {basis.shape}."
        )
    parts = weights[:, None] * basis
    order = np.argsort(-np.linalg.norm(parts, axis=1), kind="stable")
    if top is not None:
        order = order[: max(0, int(top))]
    return order, parts[order]


# ---------------------------------------------------------------- checkpoints -----------------

#: Relative errors closer than this (0.05 percentage points) count as equal: the page shows
#: errors to 0.01 %, and a solver that stops by its tolerance lands a hair above its optimum.
TOUCH = 5e-4


def rank_one_checkpoint(
    nmf_error: float, svd_error: float, *, solver: str, init: str, iterations: int
) -> Checkpoint:
    """Checkpoint: at r = 1, is NMF's error above, equal to or below the truncated SVD's?

    The right answer compares the two errors of the page's picture at r = 1 (NMF with the
    page's settings, the first point of the error-against-rank chart): equal when they are
    within :data:`TOUCH`, otherwise above or below. The SVD is the floor at every rank
    (Eckart–Young), and at r = 1 the floor is nonnegative itself (Perron–Frobenius), so a
    solver that converges reaches it.

    Parameters
    ----------
    nmf_error, svd_error : float
        Relative errors ``‖X − X̂‖_F / ‖X‖_F`` at r = 1.
    solver, init : str
        The page's NMF settings (quoted in the feedback).
    iterations : int
        The iterations NMF was allowed.

    Returns
    -------
    Checkpoint
    """
    gap = float(nmf_error) - float(svd_error)
    correct = 2 if gap < -TOUCH else 0 if gap > TOUCH else 1
    numbers = f"NMF {nmf_error:.2%}, SVD {svd_error:.2%}"
    points = f"{abs(gap) * 100:.2f} percentage points"
    perron = (
        "The best rank-one approximation σ₁u₁v₁ᵀ of a nonnegative matrix is nonnegative "
        "itself: by Perron–Frobenius its leading singular vectors can be taken ≥ 0, which "
        "makes it an NMF with r = 1"
    )
    eckart = (
        "No rank-r matrix comes closer to X than the truncated SVD (Eckart–Young), and HW is "
        "a rank-r matrix"
    )
    run = f"{solver.upper()} from {init} with at most {iterations} iterations"
    return Checkpoint(
        key="img_rank_one",
        question=(
            "Before you compute the chart: at **r = 1**, where will NMF's error ‖X − HW‖/‖X‖ "
            "be against the truncated SVD's?"
        ),
        choices=(
            Choice(
                "Above it: the constraint H, W ≥ 0 costs accuracy",
                f"Here it does: {numbers}, {points} above. {perron}, but {run} has not reached it."
                if correct == 0
                else f"Not at r = 1: {numbers}. {perron}, so the constraint costs nothing "
                "yet; it starts to cost once more layers are needed, because the SVD's "
                "further layers have signs.",
            ),
            Choice(
                "Equal to it",
                f"{numbers}. {perron}, and {run} finds it."
                if correct == 1
                else f"It could be ({perron.lower()}), but not in this run: {numbers}, "
                f"{points} {'above' if correct == 0 else 'below'}.",
            ),
            Choice(
                "Below it",
                f"{numbers}: {points} below, which only rounding can explain. {eckart}."
                if correct == 2
                else f"{eckart}: {numbers}.",
            ),
        ),
        correct=correct,
        explanation=(
            f"At r = 1 NMF's error is **{nmf_error:.2%}** and the SVD's **{svd_error:.2%}** "
            f"(within {TOUCH * 100:.2f} percentage points counts as equal). The SVD's error is "
            "the floor at every rank; at r = 1 the floor is a nonnegative matrix, so NMF can "
            "reach it. At higher ranks the SVD's layers add and subtract (see the layers "
            "above), NMF's can only add, and its curve lifts off the floor: the chart below "
            "(once switched on) shows where."
        ),
    )
