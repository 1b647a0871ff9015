"""PNG data URIs of pictures, encoded once per distinct picture and shared by every visitor.

The Images page draws the same pictures for everyone who opens it at the same settings (the
original, the reconstructions, the factors, the faces), and encoding them as PNG is a large part
of what one visitor's run costs the server. :func:`png_data_uri` keys each picture by a digest of
its pixels, so a picture is encoded once and its URI reused by every later run, whichever
session asks. The cache is bounded by the bytes of the URIs it holds (least recently used
first out), so a class trying a hundred ranks cannot grow the server without limit.

>>> import numpy as np
>>> pixels = np.zeros((2, 3), dtype=np.uint8)
>>> png_data_uri(pixels).startswith("data:image/png;base64,")
True
>>> png_data_uri(pixels) is png_data_uri(pixels.copy())
True
"""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from collections import OrderedDict

import numpy as np

__all__ = ["PngCache", "png_data_uri"]

# Room for the URIs of a few hundred distinct pictures of the page's sizes (a 512×512 picture
# is a few hundred kilobytes as a URI).
DEFAULT_MAX_BYTES = 64 * 2**20


def _encode(pixels: np.ndarray, palette: np.ndarray | None) -> str:
    from PIL import Image

    picture = Image.fromarray(pixels)
    if palette is not None:
        # One byte per pixel plus a palette: a third of the size of the same picture as RGB.
        picture = picture.convert("L")
        picture.putpalette(palette.astype(np.uint8).ravel().tolist())
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class PngCache:
    """Least-recently-used PNG data URIs, bounded by their total size in bytes.

    Parameters
    ----------
    max_bytes : int
        Largest total length of the URIs kept; a URI longer than this is returned but not kept.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self._uris: OrderedDict[bytes, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.encoded = 0  # pictures encoded so far (the misses)

    @property
    def size_bytes(self) -> int:
        """Total length of the URIs held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._uris)

    def uri(self, pixels: np.ndarray, palette: np.ndarray | None = None) -> str:
        """The PNG data URI of ``pixels``, encoded at most once while it stays in the cache.

        Parameters
        ----------
        pixels : ndarray of uint8, shape (h, w) or (h, w, 3)
            Gray or RGB pixels, or palette indices when ``palette`` is given.
        palette : ndarray, shape (256, 3), optional
            RGB colour of each index.

        Returns
        -------
        str
            ``"data:image/png;base64,..."``.
        """
        pixels = np.ascontiguousarray(pixels)
        if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
            raise ValueError(
                f"pixels must be uint8 of shape (h, w) or (h, w, 3), got {pixels.dtype} "
                f"{pixels.shape}"
            )
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr(pixels.shape).encode())
        digest.update(pixels.data)
        if palette is not None:
            digest.update(b"palette")
            digest.update(np.ascontiguousarray(palette, dtype=np.uint8).data)
        key = digest.digest()
        with self._lock:
            found = self._uris.get(key)
            if found is not None:
                self._uris.move_to_end(key)
                return found
        # Encoded outside the lock: two sessions asking for a new picture at once may both
        # encode it, which costs less than making every other session wait.
        uri = _encode(pixels, palette)
        with self._lock:
            self.encoded += 1
            if key not in self._uris and len(uri) <= self.max_bytes:
                self._uris[key] = uri
                self._bytes += len(uri)
                while self._bytes > self.max_bytes:
                    _, dropped = self._uris.popitem(last=False)
                    self._bytes -= len(dropped)
        return uri


_SHARED = PngCache()


def png_data_uri(pixels: np.ndarray, palette: np.ndarray | None = None) -> str:
    """PNG data URI of ``pixels`` from the process-wide cache (see :class:`PngCache`)."""
    return _SHARED.uri(pixels, palette)
