"""Bundled data for the pages: scikit-image samples, the LFW face subset, planted problems.

Everything here loads offline from installed packages or is generated from a seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nmf_core._validation import check_random_state, check_rank

__all__ = ["FACE_SHAPE", "SAMPLE_IMAGES", "load_faces", "planted_nmf", "sample_image"]

# scikit-image samples that ship inside the package (no download needed).
SAMPLE_IMAGES = ("camera", "moon", "coins", "text", "astronaut", "coffee", "chelsea", "rocket")
FACE_SHAPE = (25, 25)


def sample_image(name: str) -> np.ndarray:
    """Return a scikit-image sample as floats in [0, 1], shape (h, w) or (h, w, 3).

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_IMAGES`.

    Returns
    -------
    ndarray, shape (h, w) or (h, w, 3), float64
    """
    import skimage.data

    if name not in SAMPLE_IMAGES:
        raise ValueError(
            f"Unknown sample image {name!r}; choose one of {', '.join(SAMPLE_IMAGES)}."
        )
    image = np.asarray(getattr(skimage.data, name)())
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    return image.astype(np.float64)


def load_faces() -> np.ndarray:
    """The 100 faces of ``skimage.data.lfw_subset()``, one face per row.

    Returns
    -------
    ndarray, shape (100, 625), float64 in [0, 1]
        Reshape a row with ``FACE_SHAPE`` (25×25) to see it.
    """
    import skimage.data

    faces = np.asarray(skimage.data.lfw_subset())[:100]
    return faces.reshape(len(faces), -1).astype(np.float64)


def planted_nmf(
    n: int, k: int, rank: int, *, noise: float = 0.0, sparsity: float = 0.0, seed: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A nonnegative ``X = H W (+ noise)`` whose true rank is known.

    Parameters
    ----------
    n, k : int
        Shape of ``X`` (n points with k features).
    rank : int
        Planted rank ``r``.
    noise : float
        Standard deviation of Gaussian noise, relative to the mean of ``HW``; the result is
        clipped at 0 so it stays nonnegative.
    sparsity : float in [0, 1)
        Fraction of entries of ``H`` set to zero (a mostly-zero ``X`` for large values).
    seed : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, k)
    H : ndarray, shape (n, rank)
    W : ndarray, shape (rank, k)
    """
    rank = check_rank(rank)
    if not (0 <= sparsity < 1):
        raise ValueError(f"sparsity must be in [0, 1), got {sparsity}.")
    if noise < 0:
        raise ValueError(f"noise must be nonnegative, got {noise}.")
    rng = check_random_state(seed)
    H = rng.random((check_rank(n), rank))
    if sparsity:
        H[rng.random(H.shape) < sparsity] = 0.0
    W = rng.random((rank, check_rank(k)))
    X = H @ W
    if noise:
        X = np.maximum(X + noise * X.mean() * rng.standard_normal(X.shape), 0.0)
    return X, H, W
