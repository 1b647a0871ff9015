"""Decoding what a visitor uploads: CSV matrices, CSV point clouds, PNG/JPEG pictures.

Uploads are untrusted bytes. Every reader here checks sizes before it parses, accepts only what
a page can use, and raises :class:`ValueError` with a message a student can act on; the pages
show that message and keep the last good upload.

:func:`decode_image` accepts PNG and JPEG only (recognised by their magic bytes, not by the file
name), reads the declared size from the header and rejects an oversized image *before* the
pixels are decoded, rejects animated, truncated and tiny images, and scales the result down to
the working size (longest side at most :data:`nmf_lab.lessons.images.WORKING_SIDE`)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from nmf_core import as_nonnegative_matrix
from nmf_lab.demo_data import Cloud
from nmf_lab.lessons.images import WORKING_SIDE

__all__ = [
    "MAX_CLOUD_BYTES",
    "MAX_CLOUD_ROWS",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MIN_IMAGE_SIDE",
    "check_file_extension",
    "cloud_from_csv",
    "comparison_matrix_from_csv",
    "decode_image",
    "parse_csv_matrix",
    "safe_file_name",
    "sniff_format",
]

#: Largest point cloud a visitor may upload, in rows and in bytes.
MAX_CLOUD_ROWS = 3000
MAX_CLOUD_BYTES = 500_000
#: Pixel cap on the size an uploaded picture *declares* in its header, checked before decoding.
MAX_IMAGE_PIXELS = 4096 * 4096
#: Upload size cap of a picture in bytes.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
#: Shortest side a picture may have (before and after scaling to the working size).
MIN_IMAGE_SIDE = 16

_MAGIC = {
    "PNG": b"\x89PNG\r\n\x1a\n",
    "JPEG": b"\xff\xd8\xff",
}


# --------------------------------------------------------------------------------------------
# CSV tables
# --------------------------------------------------------------------------------------------


def _first_non_number(fields: list[str]) -> int | None:
    """Index of the first field that ``float`` cannot read, or ``None`` if all can."""
    for index, field in enumerate(fields):
        try:
            float(field)
        except ValueError:
            return index
    return None


def parse_csv_matrix(
    data: bytes,
    *,
    max_rows: int = 5000,
    max_columns: int = 2000,
    allowed_columns: tuple[int, ...] | None = None,
    max_bytes: int = 5_000_000,
) -> np.ndarray:
    """Parse an uploaded CSV of nonnegative numbers into a float64 matrix (rows are points).

    A first line that is not numeric is treated as a header and skipped. Commas, semicolons,
    tabs or spaces separate the values.

    Parameters
    ----------
    data : bytes
        The file's contents.
    max_rows, max_columns : int
        Size caps; larger files are refused.
    allowed_columns : tuple of int, optional
        Accepted numbers of columns (e.g. ``(2, 3)`` for point clouds).
    max_bytes : int
        Refuse files larger than this before parsing anything.

    Returns
    -------
    ndarray, shape (n, k)

    Raises
    ------
    ValueError
        Not text, empty, ragged, non-numeric, too large, wrong column count, NaN/inf or
        negative values. The message says which.

    Examples
    --------
    >>> parse_csv_matrix(b"x,y\\n1,2\\n3,4\\n").tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    if not isinstance(data, bytes | bytearray):
        raise ValueError("The upload must be raw bytes of a CSV file.")
    if len(data) > max_bytes:
        raise ValueError(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB."
        )
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not a text CSV (it could not be read as UTF-8).") from None
    if "\x00" in text:
        raise ValueError("The file is not a text CSV (it contains binary data).")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("The file is empty: it needs at least one row of numbers.")
    if len(lines) > max_rows + 1:
        raise ValueError(f"The file has {len(lines)} rows; the limit is {max_rows}.")
    rows: list[list[float]] = []
    for number, line in enumerate(lines, start=1):
        fields = [field for field in _split(line) if field != ""]
        bad = _first_non_number(fields)
        if bad is not None:
            if number == 1 and not rows:
                continue  # a header line
            # Name the one cell that failed, not the whole line: a student fixes a cell.
            raise ValueError(
                f"Row {number}, column {bad + 1} is not a number: {fields[bad][:40]!r}."
            )
        rows.append([float(field) for field in fields])
    if not rows:
        raise ValueError("The file has a header but no rows of numbers.")
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ValueError(
            f"Rows have different numbers of values ({sorted(widths)}); every row "
            "needs the same number of columns."
        )
    width = widths.pop()
    if width > max_columns:
        raise ValueError(f"The file has {width} columns; the limit is {max_columns}.")
    if allowed_columns is not None and width not in allowed_columns:
        wanted = " or ".join(str(count) for count in allowed_columns)
        raise ValueError(
            f"The file has {width} column{'s' if width != 1 else ''}; this page needs {wanted}."
        )
    if len(rows) > max_rows:
        raise ValueError(f"The file has {len(rows)} rows; the limit is {max_rows}.")
    return as_nonnegative_matrix(
        np.asarray(rows, dtype=np.float64), name="The uploaded matrix", allow_sparse=False
    )


def _split(line: str) -> list[str]:
    for separator in (",", ";", "\t"):
        if separator in line:
            return [field.strip() for field in line.split(separator)]
    return line.split()


def cloud_from_csv(
    data: bytes, *, max_rows: int = MAX_CLOUD_ROWS, max_bytes: int = MAX_CLOUD_BYTES
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
        Everything :func:`parse_csv_matrix` refuses (binary or non-numeric text,
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


def comparison_matrix_from_csv(
    data: bytes, *, max_rows: int = 2000, max_columns: int = 1000
) -> np.ndarray:
    """Read an uploaded CSV for the comparison page: at least 2×2, with a nonzero entry.

    Parameters
    ----------
    data : bytes
        The file's contents, one data point per row, an optional header line.
    max_rows, max_columns : int
        Size caps.

    Returns
    -------
    ndarray, shape (n, k), n ≥ 2 and k ≥ 2

    Raises
    ------
    ValueError
        Everything :func:`parse_csv_matrix` refuses, fewer than 2 rows or columns, all zeros.
    """
    matrix = parse_csv_matrix(data, max_rows=max_rows, max_columns=max_columns)
    if min(matrix.shape) < 2 or not np.any(matrix):
        raise ValueError(
            "The matrix needs at least 2 rows, 2 columns and a nonzero entry; "
            f"got shape {matrix.shape}."
        )
    return matrix


# --------------------------------------------------------------------------------------------
# Pictures
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


def check_file_extension(name: str, extensions: Sequence[str]) -> None:
    """Raise ``ValueError`` unless the file name ends with one of ``extensions``.

    The uploader's file picker already offers only these types; a file that arrives under
    another name was sent by hand, and gets the page's message like any other bad upload.

    Parameters
    ----------
    name : str
        The uploaded file's name, as the uploader sent it.
    extensions : sequence of str
        Accepted extensions without the dot (``("csv", "txt")``); the match ignores case.

    Examples
    --------
    >>> check_file_extension("Points.CSV", ("csv", "txt"))
    >>> check_file_extension("points.exe", ("csv", "txt"))
    Traceback (most recent call last):
    ...
    ValueError: this page reads .csv or .txt files, not .exe files
    """
    accepted = [f".{extension.lower().lstrip('.')}" for extension in extensions]
    listing = ", ".join(accepted[:-1]) + " or " + accepted[-1] if len(accepted) > 1 else accepted[0]
    name = str(name)
    if "\0" not in name and name.lower().endswith(tuple(accepted)):
        return
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    # The suffix is the sender's text and the message is shown as Markdown: letters and digits only.
    shown = re.sub(r"[^a-z0-9]", "_", suffix[1:])[:12]
    got = f"not .{shown} files" if shown else "and this file's name has no such extension"
    raise ValueError(f"this page reads {listing} files, {got}")


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
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_bytes: int = MAX_IMAGE_BYTES,
    min_side: int = MIN_IMAGE_SIDE,
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
