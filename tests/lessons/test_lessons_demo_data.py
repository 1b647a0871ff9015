"""Every demo data set (``nmf_lab.demo_data``): shapes, seeds and the promised structure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import nnls

from nmf_lab.demo_data import (
    CLOUD_PRESETS,
    FACE_SHAPE,
    LEARNING_DATA,
    LEARNING_IMAGE_SIDE,
    MAX_CLOUD_POINTS,
    SAMPLE_IMAGES,
    comparison_cloud,
    comparison_matrix,
    image_matrix,
    image_patches,
    learning_data,
    load_faces,
    make_cloud,
    planted_clusters,
    planted_nmf,
    planted_rays,
    sample_image,
)
from nmf_lab.lessons.choosing_r.rank_selection import cluster_labels
from nmf_lab.lessons.point_clouds import in_cone, match_rays

CASES = [
    (preset, dim, rank) for preset in CLOUD_PRESETS for dim in (2, 3) for rank in range(1, dim + 1)
]


def _scipy_distance_to_cone(point: np.ndarray, W: np.ndarray) -> float:
    """Independent check: scipy's NNLS on one point, ``min_{h≥0} ‖point − hW‖``."""
    _, residual = nnls(W.T, point)
    return float(residual)


# ------------------------------------------------------------ pictures


def test_planted_nmf_is_exact_nonnegative_and_seeded():
    X_, H, W = planted_nmf(20, 10, 3, seed=1)
    np.testing.assert_allclose(X_, H @ W)
    assert X_.min() >= 0 and np.linalg.matrix_rank(X_) == 3
    np.testing.assert_array_equal(planted_nmf(20, 10, 3, seed=1)[0], X_)
    noisy, _, _ = planted_nmf(20, 10, 3, noise=0.1, seed=1)
    assert noisy.min() >= 0 and not np.allclose(noisy, X_)
    _, sparse_H, _ = planted_nmf(200, 10, 3, sparsity=0.7, seed=1)
    assert 0.6 < np.mean(sparse_H == 0) < 0.8
    with pytest.raises(ValueError, match="sparsity"):
        planted_nmf(5, 5, 2, sparsity=1.0)
    with pytest.raises(ValueError, match="noise"):
        planted_nmf(5, 5, 2, noise=-1.0)


def test_faces_and_sample_images():
    faces = load_faces()
    assert faces.shape == (100, FACE_SHAPE[0] * FACE_SHAPE[1])
    assert 0 <= faces.min() and faces.max() <= 1
    camera = sample_image("camera")
    assert camera.shape == (512, 512) and 0 <= camera.min() and camera.max() <= 1
    assert "camera" in SAMPLE_IMAGES
    with pytest.raises(ValueError, match="Unknown sample image"):
        sample_image("nope")


def test_image_patches_are_crops_of_the_image():
    image = np.arange(48.0).reshape(6, 8)
    patches = image_patches(image, size=3, count=5, seed=1)
    assert patches.shape == (5, 9)
    for patch in patches.reshape(5, 3, 3):
        top, left = np.argwhere(image == patch[0, 0])[0]
        np.testing.assert_array_equal(image[top : top + 3, left : left + 3], patch)
    np.testing.assert_array_equal(patches, image_patches(image, size=3, count=5, seed=1))


def test_image_patches_average_colour_channels_and_check_sizes():
    colour = np.stack([np.zeros((4, 4)), np.ones((4, 4)), 2 * np.ones((4, 4))], axis=2)
    np.testing.assert_array_equal(image_patches(colour, size=2, count=2), np.ones((2, 4)))
    with pytest.raises(ValueError, match="does not fit"):
        image_patches(np.ones((4, 4)), size=5)
    with pytest.raises(ValueError, match="negative"):
        image_patches(-np.ones((4, 4)), size=2)
    with pytest.raises(ValueError, match="shape"):
        image_patches(np.ones(4), size=2)


# ------------------------------------------------------------ planted clusters (Choosing r)


def test_planted_clusters_have_the_promised_structure():
    data = planted_clusters(40, 20, 4, noise=0.0, seed=1)
    assert data.X.shape == (40, 20) and data.rank == 4
    np.testing.assert_allclose(data.X, data.H @ data.W)
    # Evenly sized clusters, each point's largest coefficient is its cluster.
    assert np.bincount(data.labels).tolist() == [10, 10, 10, 10]
    np.testing.assert_array_equal(cluster_labels(data.H), data.labels)
    # Noise-free data has exactly the planted rank.
    assert np.linalg.matrix_rank(data.X) == 4


def test_planted_clusters_are_reproducible_and_nonnegative():
    first = planted_clusters(30, 12, 3, noise=0.8, seed=7)
    second = planted_clusters(30, 12, 3, noise=0.8, seed=7)
    np.testing.assert_array_equal(first.X, second.X)
    assert first.X.min() >= 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 3, "k": 10, "rank": 4}, "n ≥ rank"),
        ({"n": 10, "k": 10, "rank": 2, "noise": -1.0}, "noise"),
        ({"n": 10, "k": 10, "rank": 2, "mixing": 1.0}, "mixing"),
    ],
)
def test_planted_clusters_reject_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        planted_clusters(**kwargs)


# ------------------------------------------------------------ toy point clouds


@pytest.mark.parametrize(("preset", "dim", "rank"), CASES)
def test_generator_shapes_nonnegativity_and_planted_product(preset, dim, rank):
    cloud = make_cloud(preset, dim=dim, n_points=60, noise=0.0, rank=rank, seed=3)
    planted_rank = dim if preset == "no_cone" else rank
    assert cloud.X.shape == (60, dim)
    assert cloud.H.shape == (60, planted_rank)
    assert cloud.W.shape == (planted_rank, dim)
    assert cloud.X.min() >= 0 and cloud.H.min() >= 0 and cloud.W.min() >= 0
    # Without noise the cloud is exactly the planted product.
    np.testing.assert_allclose(cloud.X, cloud.H @ cloud.W, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(cloud.W, axis=1), 1.0)


@pytest.mark.parametrize(("preset", "dim", "rank"), CASES)
def test_every_planted_point_lies_in_the_planted_cone(preset, dim, rank):
    cloud = make_cloud(preset, dim=dim, n_points=80, noise=0.0, rank=rank, seed=11)
    assert in_cone(cloud.X, cloud.W).all()
    distances = [_scipy_distance_to_cone(x, cloud.W) for x in cloud.X]
    assert max(distances) < 1e-9


@pytest.mark.parametrize("preset", CLOUD_PRESETS)
@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_generators_are_deterministic_per_seed(preset, noise):
    first = make_cloud(preset, dim=3, n_points=50, noise=noise, rank=2, seed=5)
    again = make_cloud(preset, dim=3, n_points=50, noise=noise, rank=2, seed=5)
    other = make_cloud(preset, dim=3, n_points=50, noise=noise, rank=2, seed=6)
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.extreme_rows, again.extreme_rows)
    assert not np.array_equal(first.X, other.X)


def test_noise_keeps_points_nonnegative_and_moves_them():
    clean = make_cloud("cone", dim=2, n_points=200, noise=0.0, rank=2, seed=0)
    noisy = make_cloud("cone", dim=2, n_points=200, noise=0.2, rank=2, seed=0)
    assert noisy.X.min() >= 0
    assert not np.allclose(clean.X, noisy.X)


def test_cone_points_are_strictly_inside_and_rays_stay_off_the_axes():
    for dim in (2, 3):
        cloud = make_cloud("cone", dim=dim, n_points=300, noise=0.0, rank=dim, seed=2)
        assert cloud.H.min() > 0
        # Rays at least 8 degrees from every coordinate face: every entry >= sin(8°).
        assert cloud.W.min() >= np.sin(np.deg2rad(8.0)) - 1e-12


def test_planted_rays_are_spread_apart():
    for seed in range(20):
        for dim in (2, 3):
            W = planted_rays(dim, dim, seed=seed)
            _, angles = match_rays(W, W)
            cosines = W @ W.T
            off = cosines[~np.eye(dim, dtype=bool)]
            assert np.degrees(np.arccos(off.max())) >= 25.0 - 1e-9
            assert np.allclose(angles, 0.0, atol=1e-6)


def test_separable_cloud_has_the_rays_among_its_points():
    cloud = make_cloud("separable", dim=3, n_points=100, noise=0.0, rank=3, seed=4)
    np.testing.assert_allclose(cloud.X[cloud.extreme_rows], cloud.W)
    assert (cloud.H.sum(axis=1) <= 1 + 1e-12).all()


def test_clusters_put_each_point_near_one_ray():
    cloud = make_cloud("clusters", dim=3, n_points=200, noise=0.0, rank=3, seed=1)
    weights = cloud.H / cloud.H.sum(axis=1, keepdims=True)
    # One ray carries at least 80% of every point's coefficients.
    assert weights.max(axis=1).min() >= 0.8


@pytest.mark.parametrize(
    "kwargs",
    [
        {"preset": "banana"},
        {"dim": 4},
        {"dim": 2.0},
        {"rank": 0},
        {"rank": 3, "dim": 2},
        {"rank": 1.5},
        {"n_points": 2},
        {"n_points": MAX_CLOUD_POINTS + 1},
        {"n_points": 10.0},
        {"noise": -0.1},
        {"noise": float("nan")},
        {"noise": 1.5},
        {"noise": "lots"},
        {"seed": -1},
    ],
)
def test_bad_generator_parameters_raise_value_error(kwargs):
    arguments = {"preset": "cone", "dim": 2, "n_points": 50, "noise": 0.0, "rank": 2, "seed": 0}
    arguments.update(kwargs)
    preset = arguments.pop("preset")
    with pytest.raises(ValueError):
        make_cloud(preset, **arguments)


# ------------------------------------------------------------ the comparison page's data


def test_demo_data_have_the_shapes_the_page_names():
    assert comparison_cloud(0).shape == (60, 12)
    assert image_matrix("camera").shape == (64, 64)
    assert comparison_matrix("faces").shape == (100, 625)
    for name in SAMPLE_IMAGES:  # colour images become grey levels in [0, 1]
        image = image_matrix(name)
        assert image.shape == (64, 64) and image.min() >= 0 and image.max() <= 1


def test_toy_cloud_is_the_planted_problem_the_page_describes():
    # "60 points in 12-D from a planted rank-3 NMF plus noise (5 % of the mean entry)"
    X, H, W = planted_nmf(60, 12, 3, noise=0.05, seed=4)
    assert np.array_equal(comparison_cloud(4), X)
    assert H.shape == (60, 3) and W.shape == (3, 12)
    clean = H @ W
    noise = X - clean
    unclipped = X > 0
    assert np.std(noise[unclipped]) == pytest.approx(0.05 * clean.mean(), rel=0.15)


def test_toy_cloud_follows_the_seed():
    assert np.array_equal(comparison_cloud(3), comparison_cloud(3))
    assert not np.array_equal(comparison_cloud(3), comparison_cloud(4))


@pytest.mark.parametrize("bad", ["moon!", "video"])
def test_unknown_demo_names_are_refused(bad):
    with pytest.raises(ValueError, match="Unknown"):
        comparison_matrix(bad)
    with pytest.raises(ValueError, match="Unknown sample image"):
        comparison_matrix("image", image=bad)


# ------------------------------------------------------------ the data of Watching it learn


@pytest.mark.parametrize("key", LEARNING_DATA)
def test_demo_data_are_nonnegative_and_repeatable(key):
    first, again = learning_data(key, seed=5), learning_data(key, seed=5)
    assert np.all(first.X >= 0) and np.all(np.isfinite(first.X))
    np.testing.assert_array_equal(first.X, again.X)
    expected = {
        "faces": (100, 625),
        "cloud3": (100, 3),
        "cloud2": (100, 2),
        "image": (LEARNING_IMAGE_SIDE, LEARNING_IMAGE_SIDE),
    }[key]
    assert first.X.shape == expected


def test_toy_clouds_follow_the_seed():
    assert not np.array_equal(learning_data("cloud2", seed=1).X, learning_data("cloud2", seed=2).X)


def test_unknown_demo_data_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown demo data"):
        learning_data("banana")
