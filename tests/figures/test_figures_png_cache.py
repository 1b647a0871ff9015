"""The shared PNG cache: each distinct picture encoded once, bounded in bytes, exact pixels."""

from __future__ import annotations

import base64
import io
import threading

import numpy as np
import pytest
from PIL import Image

from nmf_lab.figures.png_cache import PngCache


def _decode(uri: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :])))


def _picture(seed: int, shape=(40, 60)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


def test_the_uri_holds_the_exact_pixels_gray_rgb_and_palette():
    cache = PngCache()
    gray = _picture(0)
    np.testing.assert_array_equal(np.asarray(_decode(cache.uri(gray))), gray)
    rgb = _picture(1, (20, 30, 3))
    np.testing.assert_array_equal(np.asarray(_decode(cache.uri(rgb))), rgb)
    palette = np.stack([np.arange(256), 255 - np.arange(256), np.zeros(256)], axis=1)
    indexed = _decode(cache.uri(gray, palette)).convert("RGB")
    np.testing.assert_array_equal(np.asarray(indexed), palette.astype(np.uint8)[gray])


def test_the_same_pixels_are_encoded_once_whoever_asks():
    cache = PngCache()
    first = cache.uri(_picture(0))
    again = cache.uri(_picture(0))  # equal pixels, another array
    assert again is first and cache.encoded == 1
    cache.uri(_picture(0).T.copy())  # same bytes' multiset, another shape
    cache.uri(_picture(0), np.zeros((256, 3)))  # same indices, another palette
    assert cache.encoded == 3 and len(cache) == 3


def test_the_cache_is_bounded_in_bytes_and_drops_the_least_recently_used():
    probe = PngCache()
    size = len(probe.uri(_picture(0)))
    cache = PngCache(max_bytes=int(2.5 * size))
    uris = [cache.uri(_picture(seed)) for seed in range(2)]
    cache.uri(_picture(0))  # picture 0 is now the most recently used
    cache.uri(_picture(2))  # over the bound: picture 1 goes
    assert len(cache) == 2 and cache.size_bytes <= cache.max_bytes
    assert cache.uri(_picture(0)) is uris[0], "kept: used recently"
    encoded = cache.encoded
    cache.uri(_picture(1))
    assert cache.encoded == encoded + 1, "dropped: encoded again"


def test_a_uri_larger_than_the_whole_cache_is_returned_but_not_kept():
    cache = PngCache(max_bytes=10)
    assert cache.uri(_picture(0)).startswith("data:image/png;base64,")
    assert len(cache) == 0 and cache.size_bytes == 0


def test_sessions_asking_at_once_all_get_the_picture():
    cache = PngCache()
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.uri(_picture(7)))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 8 and len(set(results)) == 1
    assert len(cache) == 1 and cache.size_bytes == len(results[0])


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4)), np.zeros((4,), dtype=np.uint8), np.zeros((2, 2, 2, 2), np.uint8)]
)
def test_refuses_what_is_not_a_picture(bad):
    with pytest.raises(ValueError, match="uint8"):
        PngCache().uri(bad)
