"""Every demo data set of NMF Lab: samples, faces, planted problems, toy clouds, page data.

Everything here loads offline from installed packages (scikit-image's samples and its LFW face
subset) or is generated from a seed: the same seed and settings always give the same data.
One section per kind of data, then the data sets of single pages (the comparison page and
*Watching it learn*) built from them. Uploads are decoded in :mod:`nmf_lab.uploads`.

Notation as everywhere in NMF Lab: ``X`` (n×k) holds one data point per row, ``X ≈ H W`` with
``H`` (n×r) and ``W`` (r×k), one basis vector per row.

>>> cloud = make_cloud("cone", dim=2, n_points=50, noise=0.0, rank=2, seed=0)
>>> cloud.X.shape, cloud.W.shape
((50, 2), (2, 2))
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from nmf_core import as_nonnegative_matrix, check_random_state, check_rank
from nmf_lab.lessons.images import fit_working_size, image_channels
from nmf_lab.lessons.swimmer import swimmer_images

__all__ = [
    "CLOUD_PRESETS",
    "CLOUD_PRESET_LABELS",
    "COMPARISON_CLOUD_NOISE",
    "COMPARISON_CLOUD_RANK",
    "COMPARISON_CLOUD_SHAPE",
    "COMPARISON_DATA",
    "COMPARISON_IMAGE_SIZE",
    "FACE_SHAPE",
    "LEARNING_CLOUD_NOISE",
    "LEARNING_CLOUD_POINTS",
    "LEARNING_DATA",
    "LEARNING_IMAGE_SIDE",
    "MAX_CLOUD_POINTS",
    "SAMPLE_IMAGES",
    "Cloud",
    "LearningData",
    "PlantedClusters",
    "comparison_cloud",
    "comparison_matrix",
    "image_matrix",
    "image_patches",
    "learning_data",
    "load_faces",
    "make_cloud",
    "planted_clusters",
    "planted_nmf",
    "planted_rays",
    "sample_image",
]

# scikit-image samples that ship inside the package (no download needed).
SAMPLE_IMAGES = ("camera", "moon", "coins", "text", "astronaut", "coffee", "chelsea", "rocket")
FACE_SHAPE = (25, 25)

CLOUD_PRESETS = ("cone", "separable", "no_cone", "clusters")
# Short labels: bound selectboxes put the label itself into the shareable URL.
CLOUD_PRESET_LABELS = {
    "cone": "Inside a cone",
    "separable": "Separable",
    "no_cone": "Spread out",
    "clusters": "Clusters",
}
MAX_CLOUD_POINTS = 5000

# The comparison page (NMF vs SVD vs PCA): a planted cloud, a small sample image, the faces.
COMPARISON_DATA = ("cloud", "image", "faces", "swimmer")
COMPARISON_CLOUD_SHAPE = (60, 12)
COMPARISON_CLOUD_RANK = 3
COMPARISON_CLOUD_NOISE = 0.05
COMPARISON_IMAGE_SIZE = 64

# Watching it learn: the faces, two toy clouds and the camera, small enough to animate.
LEARNING_DATA = ("faces", "cloud3", "cloud2", "image")
# Longest side of the sample image after downscaling: 64×64 keeps every solver fast.
LEARNING_IMAGE_SIDE = 64
LEARNING_CLOUD_POINTS = 100
LEARNING_CLOUD_NOISE = 0.03


# --------------------------------------------------------------------------------------------
# Pictures: scikit-image samples, the faces, patches
# --------------------------------------------------------------------------------------------


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


def image_matrix(name: str = "camera", size: int = COMPARISON_IMAGE_SIZE) -> np.ndarray:
    """A scikit-image sample as a small grey-level matrix: each image row is a data point.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_IMAGES`.
    size : int
        Side of the square result; the picture is resized with anti-aliasing.

    Returns
    -------
    ndarray, shape (size, size), values in [0, 1]
    """
    from skimage.transform import resize

    size = check_rank(size)
    (image,) = image_channels(sample_image(name), "grayscale")
    small = resize(image, (size, size), anti_aliasing=True)
    return np.clip(small, 0.0, 1.0)


def image_patches(image, *, size: int = 12, count: int = 500, seed: Any = 0) -> np.ndarray:
    """Square patches cut at random places from an image, one flattened patch per row.

    Natural-image patches are the classic data set for sparse, parts-like bases: NMF of the
    patches learns small blobs and edges, and an L1 penalty makes them more local.

    Parameters
    ----------
    image : array_like, shape (h, w) or (h, w, channels)
        Nonnegative intensities; colour images are averaged over their channels.
    size : int
        Side of a patch in pixels, at most ``min(h, w)``.
    count : int
        Number of patches.
    seed : None, int or numpy.random.Generator
        Chooses the patch positions.

    Returns
    -------
    ndarray, shape (count, size·size)
        Reshape a row with ``(size, size)`` to see the patch.

    Examples
    --------
    >>> import numpy as np
    >>> image_patches(np.arange(16.0).reshape(4, 4), size=2, count=3, seed=0).shape
    (3, 4)
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 3:
        image = image.mean(axis=2)
    if image.ndim != 2:
        raise ValueError(f"image must have shape (h, w) or (h, w, channels), got {image.shape}.")
    image = as_nonnegative_matrix(image, name="image", allow_sparse=False)
    size, count = check_rank(size), check_rank(count)
    height, width = image.shape
    if size > min(height, width):
        raise ValueError(f"A {size}×{size} patch does not fit in an image of shape {image.shape}.")
    rng = check_random_state(seed)
    tops = rng.integers(0, height - size + 1, size=count)
    lefts = rng.integers(0, width - size + 1, size=count)
    return np.stack(
        [
            image[top : top + size, left : left + size].ravel()
            for top, left in zip(tops, lefts, strict=True)
        ]
    )


# --------------------------------------------------------------------------------------------
# Planted problems: a known rank, known factors, known clusters
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class PlantedClusters:
    """Data ``X = H W + noise`` with a known rank and one planted cluster per basis vector.

    Attributes
    ----------
    X : ndarray, shape (n, k)
        Nonnegative data, one point per row.
    H : ndarray, shape (n, rank)
        Planted coefficients; row ``i`` is dominated by the entry of its cluster.
    W : ndarray, shape (rank, k)
        Planted basis; basis vector ``j`` is large on its own block of features.
    labels : ndarray of int, shape (n,)
        The planted cluster of each point, ``argmax_j H[i, j]``.
    """

    X: np.ndarray
    H: np.ndarray
    W: np.ndarray
    labels: np.ndarray

    @property
    def rank(self) -> int:
        """The planted rank."""
        return self.W.shape[0]


def planted_clusters(
    n: int = 60,
    k: int = 30,
    rank: int = 4,
    *,
    noise: float = 0.3,
    mixing: float = 0.05,
    seed: Any = None,
) -> PlantedClusters:
    """Nonnegative data with ``rank`` planted clusters, for checking rank-selection heuristics.

    The ``k`` features are cut into ``rank`` contiguous blocks; basis vector ``j`` is large on
    block ``j`` and small elsewhere (think of ``rank`` hidden "types", each with its own
    features). The points are split evenly between the types: a point of type ``j`` has a
    coefficient near 1 on basis vector ``j`` and small ``mixing`` weights on the others. Gaussian
    noise is added and the result clipped at zero.

    Parameters
    ----------
    n, k : int
        Shape of ``X``; ``n ≥ rank`` and ``k ≥ rank`` so every cluster and block is non-empty.
    rank : int
        Planted rank (number of clusters).
    noise : float
        Noise standard deviation relative to the mean of ``HW``.
    mixing : float
        Largest off-cluster coefficient, relative to the cluster coefficient (about 1).
    seed : None, int or numpy.random.Generator

    Returns
    -------
    PlantedClusters

    Examples
    --------
    >>> data = planted_clusters(12, 6, 3, seed=0)
    >>> data.X.shape, data.rank, sorted(set(data.labels.tolist()))
    ((12, 6), 3, [0, 1, 2])
    """
    rank = check_rank(rank)
    n, k = check_rank(n), check_rank(k)
    if n < rank or k < rank:
        raise ValueError(f"Need n ≥ rank and k ≥ rank to plant {rank} clusters, got n={n}, k={k}.")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a nonnegative number, got {noise!r}.")
    if not np.isfinite(mixing) or not 0 <= mixing < 1:
        raise ValueError(f"mixing must be in [0, 1), got {mixing!r}.")
    rng = check_random_state(seed)
    labels = np.arange(n) % rank
    rng.shuffle(labels)
    H = mixing * rng.random((n, rank))
    # Cluster coefficients in [0.75, 1.25]: always the largest entry of the row.
    H[np.arange(n), labels] = 0.75 + 0.5 * rng.random(n)
    block_of_feature = np.arange(k) * rank // k
    W = 0.05 * rng.random((rank, k))
    W[block_of_feature, np.arange(k)] += 0.5 + rng.random(k)
    X = H @ W
    if noise:
        X = np.maximum(X + noise * X.mean() * rng.standard_normal(X.shape), 0.0)
    return PlantedClusters(X=X, H=H, W=W, labels=labels)


# --------------------------------------------------------------------------------------------
# Toy point clouds in 2-D and 3-D
# --------------------------------------------------------------------------------------------


# Planted rays keep away from the axes (so the learned basis visibly differs from the identity)
# and from each other (so the cone is a real wedge, not a sliver).
_AXIS_MARGIN_DEG = 8.0
_MIN_RAY_GAP_DEG = 25.0


@dataclass(frozen=True)
class Cloud:
    """A nonnegative point cloud and, when it was generated, the factors planted in it.

    Attributes
    ----------
    X : ndarray, shape (n, k)
        The points, one per row, all entries ≥ 0 (k is 2 or 3).
    H : ndarray, shape (n, r), or None
        Planted coefficients (None for an upload). Without noise ``X == H @ W``.
    W : ndarray, shape (r, k), or None
        Planted basis vectors as rows, each of unit length (None for an upload).
    preset : str
        One of :data:`CLOUD_PRESETS`, or ``"upload"``.
    extreme_rows : ndarray of int, shape (r,)
        For ``"separable"``: ``X[extreme_rows[j]]`` is the point planted on ray ``W[j]``. Empty
        otherwise.
    """

    X: np.ndarray
    H: np.ndarray | None
    W: np.ndarray | None
    preset: str
    extreme_rows: np.ndarray

    @property
    def dim(self) -> int:
        """Dimension ``k`` of the points."""
        return int(self.X.shape[1])

    @property
    def n_points(self) -> int:
        """Number of points ``n``."""
        return int(self.X.shape[0])


def _check_dim(dim: Any) -> int:
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}.")
    return int(dim)


def _check_noise(noise: Any) -> float:
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number in [0, 1], got {noise!r}.") from None
    if not np.isfinite(value) or not 0 <= value <= 1:
        raise ValueError(f"noise must be a number in [0, 1], got {noise!r}.")
    return value


def planted_rays(dim: int, rank: int, *, seed: Any = None) -> np.ndarray:
    """Unit-length nonnegative rays, away from the axes and from each other.

    Parameters
    ----------
    dim : {2, 3}
        Dimension ``k``.
    rank : int
        Number of rays ``r``, at most ``dim``.
    seed : None, int or numpy.random.Generator

    Returns
    -------
    ndarray, shape (rank, dim)
        Rows of unit Euclidean length with all entries > 0; in 2-D sorted by angle.
    """
    dim = _check_dim(dim)
    rank = check_rank(rank)
    if rank > dim:
        raise ValueError(f"A cloud in {dim}-D holds at most {dim} planted rays; got rank={rank}.")
    rng = check_random_state(seed)
    margin = np.deg2rad(_AXIS_MARGIN_DEG)
    gap = np.deg2rad(_MIN_RAY_GAP_DEG)
    if dim == 2:
        for _ in range(1000):
            angles = np.sort(rng.uniform(margin, np.pi / 2 - margin, rank))
            if rank == 1 or np.min(np.diff(angles)) >= gap:
                return np.column_stack([np.cos(angles), np.sin(angles)])
        angles = np.linspace(margin, np.pi / 2 - margin, rank + 2)[1:-1]
        return np.column_stack([np.cos(angles), np.sin(angles)])
    min_cos_axis = np.cos(np.pi / 2 - margin)  # every entry ≥ sin(margin): off the faces
    for _ in range(1000):
        rays = np.abs(rng.standard_normal((rank, dim))) + 0.2
        rays /= np.linalg.norm(rays, axis=1, keepdims=True)
        if rays.min() < min_cos_axis:
            continue
        cosines = rays @ rays.T
        off_diagonal = cosines[~np.eye(rank, dtype=bool)]
        if rank == 1 or np.max(off_diagonal) <= np.cos(gap):
            return rays
    fallback = np.array([[0.8, 0.4, 0.2], [0.2, 0.8, 0.4], [0.4, 0.2, 0.8]])[:rank]
    return fallback / np.linalg.norm(fallback, axis=1, keepdims=True)


def make_cloud(
    preset: str = "cone",
    *,
    dim: int = 2,
    n_points: int = 150,
    noise: float = 0.02,
    rank: int = 2,
    seed: Any = None,
) -> Cloud:
    """Generate a toy nonnegative cloud ``X = H W + noise`` from planted factors.

    Parameters
    ----------
    preset : {"cone", "separable", "no_cone", "clusters"}
        - ``"cone"``: points strictly inside the cone of ``r`` planted rays (every ``H_ij > 0``).
        - ``"separable"``: as ``"cone"``, but ``r`` of the points sit exactly on the rays
          (``X[extreme_rows] == W`` before noise) and every row of ``H`` sums to at most 1, the
          setting in which SPA provably finds the rays.
        - ``"no_cone"``: points spread over the whole nonnegative orthant; the planted basis is
          the identity (``W = I``, rank = ``dim``), so no cone of fewer than ``dim`` rays fits.
        - ``"clusters"``: tight groups of points, one group around each planted ray.
    dim : {2, 3}
        Dimension ``k`` of the points.
    n_points : int
        Number of points ``n``, between max(3, rank) and :data:`MAX_CLOUD_POINTS`.
    noise : float in [0, 1]
        Standard deviation of the Gaussian noise added to each coordinate (the points have
        length ≤ 1). Noisy coordinates are clipped at 0 so ``X`` stays nonnegative.
    rank : int
        Number of planted rays ``r`` (1 … dim); ignored by ``"no_cone"``, which plants ``dim``.
    seed : None, int or numpy.random.Generator
        The same seed and parameters give the same cloud.

    Returns
    -------
    Cloud

    Raises
    ------
    ValueError
        Unknown preset; ``dim`` not 2 or 3; ``rank`` outside 1 … dim; ``n_points`` outside the
        allowed range; ``noise`` outside [0, 1].
    """
    if not isinstance(preset, str) or preset not in CLOUD_PRESETS:
        raise ValueError(f"Unknown preset {preset!r}; choose one of {', '.join(CLOUD_PRESETS)}.")
    dim = _check_dim(dim)
    rank = check_rank(rank)
    if rank > dim:
        raise ValueError(f"rank must be at most the dimension {dim}, got rank={rank}.")
    if (
        isinstance(n_points, bool)
        or not isinstance(n_points, numbers.Integral)
        or not max(3, rank) <= n_points <= MAX_CLOUD_POINTS
    ):
        raise ValueError(
            f"n_points must be an integer from {max(3, rank)} to {MAX_CLOUD_POINTS}, "
            f"got {n_points!r}."
        )
    n_points = int(n_points)
    noise = _check_noise(noise)
    rng = check_random_state(seed)

    extreme_rows = np.zeros(0, dtype=int)
    if preset == "no_cone":
        W = np.eye(dim)
        # Directions uniform over the quarter circle / octant sphere, lengths in [0.35, 1].
        directions = np.abs(rng.standard_normal((n_points, dim)))
        directions /= np.maximum(np.linalg.norm(directions, axis=1, keepdims=True), 1e-12)
        H = directions * rng.uniform(0.35, 1.0, (n_points, 1))
    else:
        W = planted_rays(dim, rank, seed=rng)
        if preset == "cone":
            # Dirichlet(1.5) weights are strictly positive: every point is inside the cone.
            H = rng.dirichlet(np.full(rank, 1.5), n_points) * rng.uniform(0.35, 1.0, (n_points, 1))
        elif preset == "separable":
            mixed = rng.dirichlet(np.ones(rank), n_points - rank) * rng.uniform(
                0.2, 0.9, (n_points - rank, 1)
            )
            H = np.vstack([np.eye(rank), mixed])
            order = rng.permutation(n_points)
            H = H[order]
            # Position of each planted extreme point after the shuffle.
            extreme_rows = np.argsort(order)[:rank]
        else:  # clusters
            labels = rng.integers(0, rank, n_points)
            spread = 0.1 * rng.dirichlet(np.ones(rank), n_points)
            H = (np.eye(rank)[labels] + spread) * rng.uniform(0.55, 0.95, (n_points, 1))
    X = H @ W
    if noise:
        X = np.maximum(X + noise * rng.standard_normal(X.shape), 0.0)
    return Cloud(X=X, H=H, W=W, preset=preset, extreme_rows=extreme_rows)


# --------------------------------------------------------------------------------------------
# The comparison page (NMF vs SVD vs PCA)
# --------------------------------------------------------------------------------------------


def comparison_cloud(seed: Any = 0) -> np.ndarray:
    """The comparison page's toy cloud: 60 points in 12-D from a planted rank-3 NMF, 5 % noise.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator

    Returns
    -------
    ndarray, shape (60, 12), nonnegative
    """
    X, _, _ = planted_nmf(
        *COMPARISON_CLOUD_SHAPE, COMPARISON_CLOUD_RANK, noise=COMPARISON_CLOUD_NOISE, seed=seed
    )
    return X


def comparison_matrix(name: str, *, seed: Any = 0, image: str = "camera") -> np.ndarray:
    """One of the comparison page's demo matrices.

    Parameters
    ----------
    name : {"cloud", "image", "faces", "swimmer"}
    seed : None, int or numpy.random.Generator
        Draws the toy cloud (the image and the faces are fixed).
    image : str
        Which sample image for ``name="image"``.

    Returns
    -------
    ndarray, shape (n, k), nonnegative
    """
    if name == "cloud":
        return comparison_cloud(seed)
    if name == "image":
        if image not in SAMPLE_IMAGES:
            raise ValueError(
                f"Unknown sample image {image!r}; choose one of {', '.join(SAMPLE_IMAGES)}."
            )
        return image_matrix(image)
    if name == "faces":
        return load_faces()
    if name == "swimmer":
        return swimmer_images()
    raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(COMPARISON_DATA)}.")


# --------------------------------------------------------------------------------------------
# Watching it learn
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearningData:
    """A data matrix of *Watching it learn*, with what the figures need to draw it.

    Attributes
    ----------
    key : str
        One of :data:`LEARNING_DATA`.
    X : ndarray, shape (n, k)
        Nonnegative, one point (or face, or image row) per row.
    image_shape : tuple of int or None
        For faces: the shape each row (and each basis vector) reshapes to; for the image: the
        shape of ``X`` itself; ``None`` for point clouds.
    """

    key: str
    X: np.ndarray
    image_shape: tuple[int, int] | None

    @property
    def kind(self) -> str:
        """``"cloud"``, ``"faces"`` or ``"image"``."""
        return "cloud" if self.key.startswith("cloud") else self.key


def learning_data(key: str, *, seed: Any = 0) -> LearningData:
    """Build one of the data sets of *Watching it learn*.

    - ``"faces"``: :func:`load_faces`, 100×625.
    - ``"cloud3"`` / ``"cloud2"``: 100 points inside the cone of 3 / 2 planted rays, with a
      little noise, from :func:`make_cloud` (preset ``"cone"``, seeded).
    - ``"image"``: scikit-image's ``camera``, downscaled to :data:`LEARNING_IMAGE_SIDE` pixels a
      side.

    Parameters
    ----------
    key : str
    seed : None, int or numpy.random.Generator
        Used by the toy clouds only.

    Returns
    -------
    LearningData
    """
    if key == "faces":
        return LearningData(key, load_faces(), FACE_SHAPE)
    if key in ("cloud3", "cloud2"):
        dim = 3 if key == "cloud3" else 2
        cloud = make_cloud(
            "cone",
            dim=dim,
            n_points=LEARNING_CLOUD_POINTS,
            noise=LEARNING_CLOUD_NOISE,
            rank=dim,
            seed=seed,
        )
        return LearningData(key, cloud.X, None)
    if key == "image":
        (X,) = image_channels(fit_working_size(sample_image("camera"), LEARNING_IMAGE_SIDE))
        return LearningData(key, X, X.shape)
    raise ValueError(f"Unknown demo data {key!r}; choose one of {', '.join(LEARNING_DATA)}.")
