"""Pictures as matrices: safe decoding of uploads, NMF vs SVD on an image, faces as parts.

A grayscale image of ``n`` rows and ``k`` columns *is* a nonnegative matrix ``X`` (n×k): each
image row is a data point, so ``X ≈ H W`` writes every row as a nonnegative mix of the ``r``
rows of ``W``. A colour image is either turned into one grayscale matrix or factored channel by
channel (three independent factorisations at the same rank).

Uploads are untrusted bytes. :func:`decode_image` accepts PNG and JPEG only (recognised by their
magic bytes, not by the file name), reads the declared size from the header and rejects an
oversized image *before* the pixels are decoded, rejects animated, truncated and tiny images,
and scales the result down to the working size (longest side at most :data:`WORKING_SIDE`).

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
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from nmf_core._validation import check_rank
from nmf_core.baselines import PCAResult, SVDResult, pca, truncated_svd
from nmf_core.init import initialize
from nmf_core.metrics import hoyer_sparseness, relative_error
from nmf_core.solvers import nmf

__all__ = [
    "COLOR_MODES",
    "MAX_PIXELS",
    "MAX_UPLOAD_BYTES",
    "MIN_SIDE",
    "NESTED_INITS",
    "WORKING_SIDE",
    "ErrorCurve",
    "FacesComparison",
    "ImageFactorization",
    "compare_faces",
    "decode_image",
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
    "safe_file_name",
    "sniff_format",
    "storage_counts",
    "svd_image_error_curve",
]

#: Longest side (pixels) of the matrix that is factored; larger images are scaled down first.
WORKING_SIDE = 512
#: Pixel cap on the size an upload *declares* in its header, checked before decoding.
MAX_PIXELS = 4096 * 4096
#: Upload size cap in bytes.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Shortest side an image may have (before and after scaling to the working size).
MIN_SIDE = 16
#: "grayscale": one matrix (luminance); "rgb": R, G and B factored separately.
COLOR_MODES = ("grayscale", "rgb")

_MAGIC = {
    "PNG": b"\x89PNG\r\n\x1a\n",
    "JPEG": b"\xff\xd8\xff",
}
# ITU-R BT.709 luminance, the weights skimage.color.rgb2gray uses.
_LUMA = np.array([0.2125, 0.7154, 0.0721])


# --------------------------------------------------------------------------------------------
# Decoding and preparing images
# --------------------------------------------------------------------------------------------


def sniff_format(data: bytes) -> str:
    """Return ``"PNG"`` or ``"JPEG"`` from the file's magic bytes.

    Parameters
    ----------
    data : bytes
        The start of the file (the first 8 bytes suffice).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If the bytes are neither a PNG nor a JPEG signature (whatever the file is called).

    Examples
    --------
    >>> sniff_format(b"\\x89PNG\\r\\n\\x1a\\n....")
    'PNG'
    """
    for name, magic in _MAGIC.items():
        if bytes(data[: len(magic)]) == magic:
            return name
    raise ValueError(
        "This file is not a PNG or JPEG image (its first bytes are not a PNG or "
        "JPEG signature). Upload a .png or .jpg picture."
    )


def safe_file_name(name: str, max_length: int = 60) -> str:
    """A file name fit to show in Markdown and to reuse in download names.

    Uploaded names are chosen by the uploader: everything but letters, digits, ``.``, ``-``
    and ``_`` becomes ``_`` (so no Markdown, HTML or path syntax survives), and long names are
    shortened.

    Examples
    --------
    >>> safe_file_name("my [cat](javascript:x).png")
    'my__cat__javascript_x_.png'
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", str(name)).strip(".") or "upload"
    return cleaned if len(cleaned) <= max_length else cleaned[: max_length - 1] + "…"


def _pixels_as_float(image: Any, max_side: int) -> np.ndarray:
    """Pillow image -> float array in [0, 1], shape (h, w) or (h, w, 3), scaled to ``max_side``."""
    from PIL import Image

    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit grayscale PNG: keep the depth, resample in float mode.
        scaled = np.asarray(image.convert("I"), dtype=np.float32) / 65535.0
        image = Image.fromarray(np.clip(scaled, 0.0, 1.0))  # float32 -> mode "F"
    elif mode in ("1", "L"):
        image = image.convert("L")
    elif mode in (
        "LA",
        "La",
        "PA",
        "P",
        "RGBA",
        "RGBa",
        "RGBX",
        "CMYK",
        "YCbCr",
        "LAB",
        "HSV",
        "RGB",
    ):
        # Transparent pixels are shown over white, as a browser would.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba).convert("RGB")
    else:
        raise ValueError(
            f"Unsupported pixel mode {mode!r}; save the picture as an 8-bit RGB "
            "or grayscale PNG/JPEG."
        )
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    array = np.asarray(image, dtype=np.float64)
    if image.mode != "F":
        array = array / 255.0
    return np.clip(array, 0.0, 1.0)


def decode_image(
    data: bytes,
    *,
    max_side: int = WORKING_SIDE,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    min_side: int = MIN_SIDE,
) -> np.ndarray:
    """Decode an uploaded PNG or JPEG safely into a float image at the working size.

    The checks run in this order, so a hostile file is rejected as early as possible:
    byte size; magic bytes (PNG/JPEG only); the header is opened lazily and the *declared*
    size compared with ``max_pixels`` (Pillow's own decompression-bomb check is turned into an
    error too); too-small and animated images; only then the pixels are decoded (a truncated
    or corrupt file fails here), transposed by the EXIF orientation, and scaled down so the
    longest side is at most ``max_side``.

    Parameters
    ----------
    data : bytes
        The file's contents.
    max_side : int
        Longest side of the returned image (aspect ratio kept).
    max_pixels : int
        Largest declared width × height accepted.
    max_bytes : int
        Largest file accepted.
    min_side : int
        Shortest side accepted, in the file and after scaling.

    Returns
    -------
    ndarray, shape (h, w) or (h, w, 3), float64 in [0, 1]
        2-D for grayscale files, 3-D (RGB) otherwise; transparency is flattened onto white.

    Raises
    ------
    ValueError
        Empty, too large, not PNG/JPEG, an image bomb, too small, animated, truncated or
        otherwise undecodable; the message says which.
    """
    from PIL import Image, ImageOps

    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"Expected the file's bytes, got {type(data).__name__}.")
    data = bytes(data)
    if not data:
        raise ValueError("The file is empty.")
    if len(data) > max_bytes:
        raise ValueError(
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB."
        )
    kind = sniff_format(data)
    with warnings.catch_warnings():
        # Pillow warns (and above twice its limit raises) on huge declared sizes: both are errors.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=(kind,))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValueError(
                f"This {kind} declares an enormous size (an 'image bomb'); "
                f"the limit is {max_pixels:,} pixels."
            ) from error
        except Exception as error:  # any parser failure: damaged file
            raise ValueError(
                f"This {kind} file is damaged: its header cannot be read ({error})."
            ) from error
        with image:
            width, height = image.size
            if width * height > max_pixels:
                raise ValueError(
                    f"This {kind} declares {width}×{height} = {width * height:,} "
                    f"pixels; the limit is {max_pixels:,} pixels. Scale it down "
                    "first."
                )
            if min(width, height) < min_side:
                raise ValueError(
                    f"This image is {width}×{height} pixels; both sides need at "
                    f"least {min_side} pixels to be worth factoring."
                )
            if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
                raise ValueError(
                    f"This {kind} is animated or holds several frames; upload a "
                    "single still picture."
                )
            try:
                if kind == "JPEG":
                    # Let the JPEG decoder skip detail we would throw away anyway.
                    image.draft("RGB" if image.mode == "RGB" else image.mode, (max_side, max_side))
                image.load()
                image = ImageOps.exif_transpose(image)
                pixels = _pixels_as_float(image, max_side)
            except ValueError as error:
                if "Unsupported pixel mode" in str(error):
                    raise
                raise ValueError(
                    f"This {kind} file is truncated or damaged and cannot be decoded ({error})."
                ) from error
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
                raise ValueError(
                    f"This {kind} expands to too many pixels (an 'image bomb')."
                ) from error
            except Exception as error:  # decoder errors vary by codec
                raise ValueError(
                    f"This {kind} file is truncated or damaged and cannot be decoded ({error})."
                ) from error
    if min(pixels.shape[:2]) < min_side:
        raise ValueError(
            f"At the working size (longest side {max_side} px) this image is only "
            f"{pixels.shape[1]}×{pixels.shape[0]} pixels; its aspect ratio is too "
            "extreme."
        )
    return pixels


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
) -> ErrorCurve:
    """NMF and SVD relative errors at ranks 1 … ``max_rank``.

    Parameters
    ----------
    image : ndarray, shape (n, k) or (n, k, 3)
    max_rank : int
        At most the image's shorter side.
    color, solver, init, max_iter, seed
        As in :func:`factor_image`.

    Returns
    -------
    ErrorCurve
    """
    channels = image_channels(image, color)
    max_rank = _check_image_rank(max_rank, channels[0].shape)
    ranks = np.arange(1, max_rank + 1)
    starts = image_starts(image, max_rank, color=color, init=init, seed=seed)
    nmf_errors = np.array(
        [
            nmf_image_error(
                image,
                int(r),
                color=color,
                solver=solver,
                init=init,
                max_iter=max_iter,
                seed=seed,
                starts=starts,
            )
            for r in ranks
        ]
    )
    return ErrorCurve(
        ranks=ranks, nmf=nmf_errors, svd=svd_image_error_curve(image_svds(image, color), max_rank)
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


def compare_faces(
    faces: np.ndarray,
    rank: int,
    *,
    solver: str = "hals",
    init: str = "nndsvda",
    max_iter: int = 100,
    seed: Any = 0,
) -> FacesComparison:
    """NMF (parts) and PCA (eigenfaces) of a face matrix at rank ``r``.

    Parameters
    ----------
    faces : ndarray, shape (m, p)
        Nonnegative, one flattened face per row (e.g. :func:`nmf_lab.demo_data.load_faces`).
    rank : int
    solver, init, max_iter, seed
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
    result = nmf(faces, rank, solver=solver, init=init, max_iter=max_iter, seed=seed)
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
