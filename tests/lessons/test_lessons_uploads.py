"""Upload decoding (``nmf_lab.uploads``): CSV matrices, CSV point clouds, PNG/JPEG pictures.

Uploads are untrusted: every bad file gets a ValueError whose message says what is wrong.
Test pictures are generated with Pillow in the test rather than committed as binaries.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nmf_lab import uploads
from nmf_lab.lessons.images import WORKING_SIDE, image_to_png
from nmf_lab.uploads import (
    MAX_CLOUD_ROWS,
    cloud_from_csv,
    comparison_matrix_from_csv,
    parse_csv_matrix,
)

CLOUDS = Path(__file__).resolve().parents[1] / "data" / "clouds"


# ------------------------------------------------------------------ file builders ----------


def png_bytes(pixels: np.ndarray, **save) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def jpeg_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width×height`` gray pixels (but holds almost none)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + _chunk(b"IEND", b"")
    )


def animated_png() -> bytes:
    frames = [Image.fromarray(np.full((32, 32), value, np.uint8)) for value in (0, 128, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def gradient(height: int, width: int) -> np.ndarray:
    rows = np.linspace(0, 255, height)[:, None]
    cols = np.linspace(0, 255, width)[None, :]
    return ((rows + cols) / 2).astype(np.uint8)


def rgb_noise(height: int, width: int, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random((height, width, 3)) * 255).astype(np.uint8)


# ------------------------------------------------------------------ CSV matrices -----------


@pytest.mark.parametrize(
    "text",
    [
        b"x,y\n1,2\n3,4\n",
        b"1;2\n3;4",
        b"1\t2\n3\t4\n",
        b"1 2\n3   4\n\n",
        b"\xef\xbb\xbfa,b\r\n1,2\r\n3,4\r\n",
        b"1,2,\n3,4,\n",
    ],
)
def test_parse_csv_matrix_reads_common_layouts(text):
    np.testing.assert_array_equal(parse_csv_matrix(text), [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (b"", {}, "empty"),
        (b"\n\n  \n", {}, "empty"),
        (b"a,b\n", {}, "header but no rows"),
        (b"1,2\n3\n", {}, "different numbers of values"),
        (b"1,2\n3,x\n", {}, "Row 2, column 2 is not a number: 'x'"),
        (b"1,-2\n3,4\n", {}, "negative"),
        (b"1,nan\n3,4\n", {}, "NaN"),
        (b"1,inf\n3,4\n", {}, "NaN or infinite"),
        (b"\xff\xfe\x00\x01", {}, "not a text CSV"),
        (b"1,2\x00\n", {}, "binary"),
        (b"1,2\n3,4\n5,6\n", {"max_rows": 2}, "limit is 2"),
        (b"1,2,3\n", {"max_columns": 2}, "3 columns; the limit is 2"),
        (b"1,2,3,4\n", {"allowed_columns": (2, 3)}, "needs 2 or 3"),
        (b"1,2\n" * 10, {"max_bytes": 10}, "MB"),
        ("1,2", {}, "bytes"),
    ],
)
def test_parse_csv_matrix_refuses_bad_files_with_a_reason(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        parse_csv_matrix(data, **kwargs)


def test_overflowing_upload_is_refused_when_parsed():
    # A CSV that passes every other check must not reach the solvers (their losses would be inf).
    with pytest.raises(ValueError, match="overflows"):
        parse_csv_matrix(b"1,2\n3,1e200\n")


def test_largest_safe_entries_are_accepted():
    X = parse_csv_matrix(b"1,2\n3,1e150\n")
    assert X[1, 1] == 1e150


def test_comparison_csv_needs_two_rows_two_columns_and_a_nonzero_entry():
    np.testing.assert_array_equal(comparison_matrix_from_csv(b"1,0\n0,2\n"), [[1, 0], [0, 2]])
    for data in (b"1,2,3\n", b"1\n2\n3\n", b"0,0\n0,0\n"):
        with pytest.raises(ValueError, match="at least 2 rows, 2 columns and a nonzero entry"):
            comparison_matrix_from_csv(data)
    with pytest.raises(ValueError, match="the limit is 2"):
        comparison_matrix_from_csv(b"1,2\n3,4\n5,6\n", max_rows=2)


# ------------------------------------------------------------------ CSV point clouds -------


def test_good_csv_files_load():
    cloud = cloud_from_csv((CLOUDS / "good_2d.csv").read_bytes())
    assert cloud.X.shape == (40, 2) and cloud.preset == "upload" and cloud.W is None
    np.testing.assert_allclose(cloud.X, np.loadtxt(CLOUDS / "good_2d.csv", delimiter=","))
    cloud3 = cloud_from_csv((CLOUDS / "good_3d_header.csv").read_bytes())
    assert cloud3.X.shape == (30, 3)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("negative.csv", "negative"),
        ("nan.csv", "NaN"),
        ("four_columns.csv", "4 columns"),
        ("one_column.csv", "1 column"),
        ("words.csv", "not a number"),
        ("binary.csv", "not a text CSV"),
        ("empty.csv", "empty"),
        ("two_points.csv", "at least 3"),
        ("zeros.csv", "origin"),
    ],
)
def test_bad_csv_files_say_what_is_wrong(name, message):
    with pytest.raises(ValueError, match=message):
        cloud_from_csv((CLOUDS / name).read_bytes())


def test_too_large_csv_is_refused():
    rows = b"\n".join(b"1,2" for _ in range(MAX_CLOUD_ROWS + 1))
    with pytest.raises(ValueError, match="limit"):
        cloud_from_csv(rows)
    with pytest.raises(ValueError, match="MB"):
        cloud_from_csv(b"1,2\n" * 200_000)


# ------------------------------------------------------------------ pictures ---------------


def test_grayscale_png_decodes_to_its_pixels_over_255():
    pixels = gradient(40, 60)
    image = uploads.decode_image(png_bytes(pixels))
    assert image.shape == (40, 60)
    np.testing.assert_allclose(image, pixels / 255.0)


def test_rgb_png_keeps_three_channels():
    pixels = rgb_noise(30, 50)
    image = uploads.decode_image(png_bytes(pixels))
    assert image.shape == (30, 50, 3)
    np.testing.assert_allclose(image, pixels / 255.0)


def test_jpeg_decodes_close_to_the_original():
    pixels = np.repeat(gradient(48, 64)[..., None], 3, axis=2)
    image = uploads.decode_image(jpeg_bytes(pixels))
    assert image.shape == (48, 64, 3)
    assert np.abs(image - pixels / 255.0).mean() < 0.02


def test_transparent_pixels_are_flattened_onto_white():
    pixels = np.zeros((20, 20, 4), np.uint8)  # black but fully transparent
    image = uploads.decode_image(png_bytes(pixels))
    np.testing.assert_allclose(image, 1.0)


def test_sixteen_bit_png_keeps_its_scale():
    pixels = (np.arange(64 * 32).reshape(64, 32) * 20).astype(np.uint16)
    image = uploads.decode_image(png_bytes(pixels))
    np.testing.assert_allclose(image, pixels / 65535.0, atol=1e-6)


def test_large_picture_is_scaled_to_the_working_size():
    # Page claim: pictures are factored with the longest side at most 512 pixels.
    image = uploads.decode_image(png_bytes(gradient(600, 900)))
    assert max(image.shape) == WORKING_SIDE == 512
    assert image.shape == (341, 512)  # 600 · 512/900 = 341.3


def test_png_roundtrip_through_image_to_png():
    image = np.random.default_rng(1).random((24, 36, 3))
    back = uploads.decode_image(image_to_png(image))
    assert np.max(np.abs(back - image)) <= 0.5 / 255 + 1e-12


def test_image_to_png_clips_values_outside_the_unit_interval():
    image = np.array([[-0.5, 0.5], [1.5, 1.0]]).repeat(10, 0).repeat(10, 1)
    back = uploads.decode_image(image_to_png(image))
    assert back.min() == 0.0 and back.max() == 1.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, I am a CSV file\n1,2,3\n", "not a PNG or JPEG"),
        (b"GIF89a" + b"\0" * 40, "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "damaged"),
    ],
    ids=["empty", "text", "gif", "garbage-after-png-signature"],
)
def test_non_images_are_rejected(data, message):
    with pytest.raises(ValueError, match=message):
        uploads.decode_image(data)


def test_animated_gif_is_rejected_by_its_magic_bytes():
    frames = [Image.fromarray(np.full((32, 32), v, np.uint8)) for v in (0, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(ValueError, match="not a PNG or JPEG"):
        uploads.decode_image(buffer.getvalue())


def test_file_name_does_not_matter_only_the_bytes():
    with pytest.raises(ValueError, match="not a PNG or JPEG"):
        uploads.sniff_format(b"BM" + b"\0" * 60)  # a BMP, whatever it is called
    assert uploads.sniff_format(png_bytes(gradient(16, 16))) == "PNG"
    assert uploads.sniff_format(jpeg_bytes(gradient(16, 16))) == "JPEG"


def test_truncated_png_is_rejected():
    data = png_bytes(rgb_noise(64, 64))
    with pytest.raises(ValueError, match="truncated or damaged"):
        uploads.decode_image(data[: len(data) // 2])


def test_truncated_jpeg_is_rejected():
    data = jpeg_bytes(rgb_noise(64, 64))
    with pytest.raises(ValueError, match="truncated or damaged"):
        uploads.decode_image(data[: len(data) // 2])


def test_image_bomb_beyond_pillows_limit_is_rejected():
    # 10^10 declared pixels: Pillow's own decompression-bomb error, turned into a ValueError.
    with pytest.raises(ValueError, match="image bomb"):
        uploads.decode_image(png_declaring(100_000, 100_000))


def test_pillows_bomb_warning_is_an_error_too():
    # 10^8 pixels is above Pillow's warning threshold (≈ 8.9·10^7) but below its error: even with
    # our own cap lifted, the warning must stop the decode.
    with pytest.raises(ValueError, match="image bomb"):
        uploads.decode_image(png_declaring(10_000, 10_000), max_pixels=10**12)


def test_declared_size_over_the_cap_is_rejected_before_decoding():
    # The file holds 16 bytes of pixel data: had it been decoded, it would fail as truncated.
    with pytest.raises(ValueError, match="declares 5000×5000"):
        uploads.decode_image(png_declaring(5000, 5000))
    # A perfectly good file, refused on its header alone by a lower cap.
    with pytest.raises(ValueError, match="declares 64×64 = 4,096 pixels"):
        uploads.decode_image(png_bytes(gradient(64, 64)), max_pixels=4000)


@pytest.mark.parametrize(("height", "width"), [(1, 1), (8, 100), (100, 15)])
def test_tiny_images_are_rejected(height, width):
    with pytest.raises(ValueError, match=f"{width}×{height} pixels; both sides need"):
        uploads.decode_image(png_bytes(gradient(height, width)))


def test_extreme_aspect_ratio_is_rejected_after_scaling():
    with pytest.raises(ValueError, match="aspect ratio is too extreme"):
        uploads.decode_image(png_bytes(gradient(20, 4000)))


def test_animated_png_is_rejected():
    with pytest.raises(ValueError, match="animated"):
        uploads.decode_image(animated_png())


def test_uploaded_names_lose_markup_and_path_syntax():
    assert uploads.safe_file_name("cat.png") == "cat.png"
    assert uploads.safe_file_name("../../etc/passwd") == "_.._etc_passwd"
    assert uploads.safe_file_name("**bold** <b>x</b>.jpg") == "__bold____b_x__b_.jpg"
    assert uploads.safe_file_name("") == "upload"
    long = uploads.safe_file_name("a" * 200 + ".png")
    assert len(long) == 60 and long.endswith("…")


def test_oversized_file_and_wrong_type_are_rejected():
    with pytest.raises(ValueError, match="the limit is"):
        uploads.decode_image(png_bytes(gradient(64, 64)), max_bytes=100)
    with pytest.raises(ValueError, match="Expected the file's bytes"):
        uploads.decode_image("not bytes")  # type: ignore[arg-type]


def test_a_non_numeric_cell_is_named_by_row_column_and_value_not_the_whole_row():
    """The message quotes the failing cell ('foo'), never the line ('foo,bar') as one value."""
    with pytest.raises(ValueError) as caught:
        uploads.parse_csv_matrix(b"x,y\n1,2\nfoo,bar\n")
    message = str(caught.value)
    assert "Row 3, column 1" in message
    assert "'foo'" in message
    assert "foo,bar" not in message
    with pytest.raises(ValueError, match=r"Row 2, column 3 is not a number: '7x'"):
        uploads.parse_csv_matrix(b"1;2;3\n4;5;7x\n")
