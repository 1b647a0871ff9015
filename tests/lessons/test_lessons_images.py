"""The Images page's computations (``nmf_lab.lessons.images``): NMF vs SVD on pictures, faces.

Every claim the Images page makes in its text about its numbers has a test here (marked "page
claim"); its figure builders are tested in tests/figures/test_figures_images.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from nmf_core import initialize, nmf, pca, truncated_svd
from nmf_lab.demo_data import FACE_SHAPE, SAMPLE_IMAGES, load_faces, sample_image
from nmf_lab.figures import images as figs
from nmf_lab.lessons import images as im

# The page's defaults (app_pages/images.py); the claims are checked at these settings.
PAGE_RANK, PAGE_ITERS, PAGE_SOLVER, PAGE_INIT, PAGE_SEED = 20, 30, "hals", "nndsvda", 0
FACE_RANK, FACE_ITERS = 16, 100


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """One BLAS thread: on a busy 2-core machine oversubscribed BLAS threads make these small
    SVDs and NMFs tens of times slower."""
    with threadpool_limits(limits=1):
        yield


# ------------------------------------------------------------------ preparing --------------


@pytest.mark.parametrize("name", SAMPLE_IMAGES)
def test_samples_fit_the_working_size_and_keep_their_aspect(name):
    original = sample_image(name)
    fitted = im.fit_working_size(original)
    assert max(fitted.shape[:2]) <= im.WORKING_SIDE
    assert fitted.shape[2:] == original.shape[2:]
    assert abs(fitted.shape[0] / fitted.shape[1] - original.shape[0] / original.shape[1]) < 0.01
    assert fitted.min() >= 0 and fitted.max() <= 1


def test_small_image_is_left_as_it_is():
    image = np.random.default_rng(0).random((40, 30))
    np.testing.assert_array_equal(im.fit_working_size(image), image)


def test_grayscale_channel_is_the_bt709_luminance():
    from skimage.color import rgb2gray

    image = sample_image("coffee")[:50, :60]
    (gray,) = im.image_channels(image, "grayscale")
    np.testing.assert_allclose(gray, rgb2gray(image), atol=1e-12)
    _, green, _ = im.image_channels(image, "rgb")
    np.testing.assert_array_equal(green, image[..., 1])
    assert len(im.image_channels(image[..., 0], "rgb")) == 1
    with pytest.raises(ValueError, match="colour mode"):
        im.image_channels(image, "sepia")


# ------------------------------------------------------------------ storage ----------------


def test_storage_of_the_default_view_by_hand():
    # Page default: camera 512×512 at r = 20 -> 20·(512 + 512) = 20480 numbers vs 512² = 262144.
    assert im.storage_counts(512, 512, 20) == (20480, 262144)
    assert im.storage_counts(300, 451, 5, channels=3) == (3 * 5 * 751, 3 * 300 * 451)


@settings(max_examples=25)
@given(n=st.integers(1, 2000), k=st.integers(1, 2000), r=st.integers(1, 100), c=st.integers(1, 3))
def test_storage_formula(n, k, r, c):
    factors, original = im.storage_counts(n, k, r, c)
    assert factors == c * (n * r + r * k)  # entries of H (n×r) plus W (r×k)
    assert original == c * n * k


@pytest.mark.parametrize("bad", [(0, 5, 1), (5, 5, 0), (5, 5, 2.5), (True, 5, 1)])
def test_storage_rejects_bad_sizes(bad):
    with pytest.raises(ValueError):
        im.storage_counts(*bad)


# ------------------------------------------------------------------ one image --------------


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    return im.fit_working_size(sample_image("camera"))


@pytest.fixture(scope="module")
def camera_result(camera) -> im.ImageFactorization:
    return im.factor_image(
        camera, PAGE_RANK, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=PAGE_ITERS, seed=PAGE_SEED
    )


def test_reconstruction_shapes_grayscale(camera_result):
    result = camera_result
    assert result.shape == (512, 512) and result.rank == 20 and result.channels == 1
    assert result.H[0].shape == (512, 20) and result.W[0].shape == (20, 512)
    assert result.nmf_image.shape == result.svd_image.shape == result.original.shape
    assert result.nmf_error_map.shape == result.svd_error_map.shape == (512, 512)
    assert result.storage == (20480, 262144)


def test_reconstruction_shapes_per_channel():
    image = im.fit_working_size(sample_image("chelsea"))[:60, :80]
    result = im.factor_image(image, 4, color="rgb", max_iter=10)
    assert result.channels == 3 and result.original.shape == (60, 80, 3)
    assert result.nmf_image.shape == result.svd_image.shape == (60, 80, 3)
    assert [H.shape for H in result.H] == [(60, 4)] * 3
    assert result.storage == (3 * 4 * 140, 3 * 60 * 80)
    # Each channel is its own matrix: the red reconstruction is the red channel's HW.
    np.testing.assert_allclose(result.nmf_image[..., 0], result.H[0] @ result.W[0])


def test_nmf_factors_are_nonnegative_and_svd_factors_are_signed(camera_result):
    # Page claim: NMF (left) is all ≥ 0; SVD needs signs.
    assert min(camera_result.H[0].min(), camera_result.W[0].min()) >= 0
    right = camera_result.svd_right[0]
    assert all((row < 0).any() and (row > 0).any() for row in right[1:])


def test_svd_reconstruction_is_the_truncated_svd(camera, camera_result):
    expected = truncated_svd(camera, PAGE_RANK).reconstruction()
    np.testing.assert_allclose(camera_result.svd_image, expected, atol=1e-10)
    errors_by_hand = np.linalg.norm(camera - expected) / np.linalg.norm(camera)
    assert camera_result.svd_error == pytest.approx(errors_by_hand)


def test_relative_error_and_error_map_by_hand(camera, camera_result):
    residual = camera - camera_result.H[0] @ camera_result.W[0]
    assert camera_result.nmf_error == pytest.approx(
        np.linalg.norm(residual) / np.linalg.norm(camera)
    )
    np.testing.assert_allclose(camera_result.nmf_error_map, np.abs(residual))


def test_colour_error_map_is_rms_over_channels():
    original = np.zeros((2, 2, 3))
    approx = np.zeros((2, 2, 3))
    approx[0, 0] = [3.0, 0.0, 0.0]
    error = im.ImageFactorization(
        original,
        (np.zeros((2, 1)),) * 3,
        (np.zeros((1, 2)),) * 3,
        (np.zeros((2, 1)),) * 3,
        (np.zeros((1, 2)),) * 3,
    )
    assert error.nmf_error_map.shape == (2, 2)
    from nmf_lab.lessons.images import _error_map

    np.testing.assert_allclose(_error_map(original, approx), [[np.sqrt(3.0), 0], [0, 0]])


def test_rank_larger_than_the_picture_is_a_clear_error():
    with pytest.raises(ValueError, match="shorter side"):
        im.factor_image(np.random.default_rng(0).random((20, 30)), 21)


@pytest.mark.parametrize("name", SAMPLE_IMAGES)
def test_svd_error_never_above_nmf_error_on_sample_images(name):
    # Page claim (Eckart–Young): at every rank the SVD's error is at most NMF's. Checked on each
    # sample (at half the working size and 10 iterations to keep the suite fast; the bound holds
    # for any rank-r matrix), ranks 1…8, with the page's solver and init.
    image = im.fit_working_size(sample_image(name), im.WORKING_SIDE // 2)
    curve = im.error_vs_rank(
        image, 8, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=10, seed=PAGE_SEED
    )
    np.testing.assert_array_equal(curve.ranks, np.arange(1, 9))
    assert np.all(curve.svd <= curve.nmf + 1e-12)
    assert np.all(np.diff(curve.svd) <= 1e-12)  # more rank never hurts the SVD


def test_svd_error_never_above_nmf_at_the_page_default_curve(camera):
    # The page's error-vs-rank chart at its defaults (r = 1…20, 30 HALS iterations).
    curve = im.error_vs_rank(
        camera, 20, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=PAGE_ITERS, seed=PAGE_SEED
    )
    assert np.all(curve.svd <= curve.nmf)


def test_svd_error_never_above_nmf_per_channel():
    image = im.fit_working_size(sample_image("astronaut"))[::4, ::4]
    curve = im.error_vs_rank(image, 6, color="rgb", max_iter=10)
    assert np.all(curve.svd <= curve.nmf + 1e-12)


def test_svd_error_curve_matches_explicit_reconstructions():
    image = sample_image("coins")[:80, :90]
    svds = im.image_svds(image)
    curve = im.svd_image_error_curve(svds, 5)
    for r in range(1, 6):
        approx = truncated_svd(image, r).reconstruction()
        assert curve[r - 1] == pytest.approx(np.linalg.norm(image - approx) / np.linalg.norm(image))


@pytest.mark.parametrize("init", im.NESTED_INITS)
def test_nested_starts_equal_the_per_rank_init(init):
    # The shortcut must not change results: a cut-down start is exactly the rank-r init.
    image = sample_image("coins")[::3, ::3]
    (big,) = im.image_starts(image, 12, init=init)
    for rank in (1, 5, 12):
        H0, W0 = initialize(image, rank, init)
        np.testing.assert_array_equal(big[0][:, :rank], H0)
        np.testing.assert_array_equal(big[1][:rank], W0)
    assert im.image_starts(image, 12, init="random") is None
    direct = nmf(image, 5, init=init, max_iter=15, seed=0)
    shortcut = im.factor_image(
        image, 5, init=init, max_iter=15, seed=0, starts=im.image_starts(image, 12, init=init)
    )
    np.testing.assert_allclose(shortcut.H[0], direct.H)
    with pytest.raises(ValueError, match="start points have rank"):
        im.factor_image(image, 13, init=init, starts=im.image_starts(image, 12, init=init))


def test_nmf_image_error_matches_factor_image(camera, camera_result):
    error = im.nmf_image_error(
        camera, PAGE_RANK, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=PAGE_ITERS, seed=PAGE_SEED
    )
    assert error == pytest.approx(camera_result.nmf_error, rel=1e-9)


def test_layers_add_up_to_the_reconstruction(camera_result):
    # Page claim: the r rank-one layers H[:, j] W[j, :] add up to HW.
    H, W = camera_result.H[0], camera_result.W[0]
    layers = im.layer_stack(H, W)
    np.testing.assert_allclose(layers.sum(axis=0), H @ W, atol=1e-10)
    running = im.layer_stack(H, W, im.layer_order(H, W), cumulative=True)
    np.testing.assert_allclose(running[-1], H @ W, atol=1e-10)
    left, right = camera_result.svd_left[0], camera_result.svd_right[0]
    np.testing.assert_allclose(
        im.layer_stack(left, right).sum(axis=0), camera_result.svd_image, atol=1e-10
    )


def test_nmf_layers_are_nonnegative_and_svd_layers_signed(camera_result):
    assert im.layer_stack(camera_result.H[0], camera_result.W[0], max_side=64).min() >= 0
    svd_layers = im.layer_stack(camera_result.svd_left[0], camera_result.svd_right[0], max_side=64)
    assert all((layer < 0).any() for layer in svd_layers[1:])


def test_nmf_running_sums_only_add_light(camera_result):
    # Page claim (running-sum view): NMF only ever adds light, the SVD also subtracts it.
    H, W = camera_result.H[0], camera_result.W[0]
    running = im.layer_stack(H, W, im.layer_order(H, W), max_side=64, cumulative=True)
    assert np.all(np.diff(running, axis=0) >= 0)
    signed = im.layer_stack(
        camera_result.svd_left[0], camera_result.svd_right[0], max_side=64, cumulative=True
    )
    assert np.any(np.diff(signed, axis=0) < 0)


def test_thinned_layers_are_the_thinned_reconstruction(camera_result):
    H, W = camera_result.H[0], camera_result.W[0]
    thin = im.layer_stack(H, W, max_side=128)
    assert thin.shape == (20, 128, 128)
    np.testing.assert_allclose(thin.sum(axis=0), (H @ W)[::4, ::4], atol=1e-10)


def test_layer_order_is_by_layer_size():
    H = np.array([[1.0, 0.0, 3.0], [1.0, 2.0, 0.0]])
    W = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    order = im.layer_order(H, W)
    sizes = [np.linalg.norm(np.outer(H[:, j], W[j])) for j in order]
    assert sizes == sorted(sizes, reverse=True)
    np.testing.assert_array_equal(order, [2, 0, 1])  # sizes 3, 2, 2 (ties keep order)
    with pytest.raises(ValueError, match="do not fit"):
        im.layer_stack(H, W[:2])


# ------------------------------------------------------------------ faces ------------------


@pytest.fixture(scope="module")
def face_set() -> np.ndarray:
    return load_faces()


@pytest.fixture(scope="module")
def default_faces(face_set) -> im.FacesComparison:
    return im.compare_faces(
        face_set, FACE_RANK, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=FACE_ITERS, seed=PAGE_SEED
    )


def test_face_set_is_100_faces_of_25_by_25(face_set):
    # Page text: 100 faces, 25×25 pixels, one per row of X (100×625).
    assert face_set.shape == (100, 625) and FACE_SHAPE == (25, 25)


def test_nmf_parts_are_nonnegative(default_faces):
    # Page claim: NMF's rows of W (and the coefficients H_i) are nonnegative.
    assert default_faces.W.min() >= 0 and default_faces.H.min() >= 0
    assert default_faces.W.shape == (FACE_RANK, 625) and default_faces.H.shape == (100, 16)


def test_every_eigenface_has_negative_and_positive_pixels(default_faces):
    # Page claim: eigenfaces are signed (each one has pixels of both signs).
    components = default_faces.pca.components
    assert components.shape == (FACE_RANK, 625)
    assert all((c < 0).any() and (c > 0).any() for c in components)


@pytest.mark.parametrize("rank", [9, FACE_RANK, 25])
def test_nmf_parts_are_sparser_than_eigenfaces_at_moderate_ranks(face_set, rank):
    # Page claim: at moderate ranks (the default r = 16 among them) the parts are localised:
    # their mean Hoyer sparseness is higher than the eigenfaces'.
    result = im.compare_faces(
        face_set, rank, solver=PAGE_SOLVER, init=PAGE_INIT, max_iter=FACE_ITERS, seed=PAGE_SEED
    )
    assert result.nmf_sparseness.mean() > result.pca_sparseness.mean()


def test_sparseness_numbers_are_hoyer_per_basis_vector(default_faces):
    m = default_faces.W.shape[1]
    row = default_faces.W[3]
    by_hand = (np.sqrt(m) - np.abs(row).sum() / np.linalg.norm(row)) / (np.sqrt(m) - 1)
    assert default_faces.nmf_sparseness[3] == pytest.approx(by_hand)
    assert default_faces.pca_sparseness.shape == (FACE_RANK,)


def test_parts_are_ordered_by_what_they_carry(default_faces):
    weights = np.linalg.norm(default_faces.H, axis=0) * np.linalg.norm(default_faces.W, axis=1)
    assert np.all(np.diff(weights) <= 1e-12)


def test_faces_reconstructions_match_the_decomposition(face_set, default_faces):
    expected = pca(face_set, FACE_RANK).reconstruction()
    np.testing.assert_allclose(default_faces.pca.reconstruction(), expected)
    assert default_faces.nmf_error == pytest.approx(
        np.linalg.norm(face_set - default_faces.H @ default_faces.W) / np.linalg.norm(face_set)
    )
    assert 0 < default_faces.pca_error < 1


def test_a_face_is_the_sum_of_its_weighted_parts(default_faces):
    i = 7
    order, parts = im.face_parts(default_faces.H[i], default_faces.W)
    np.testing.assert_allclose(parts.sum(axis=0), default_faces.H[i] @ default_faces.W, atol=1e-12)
    norms = np.linalg.norm(parts, axis=1)
    assert np.all(np.diff(norms) <= 1e-12)
    top_order, top_parts = im.face_parts(default_faces.H[i], default_faces.W, 3)
    np.testing.assert_array_equal(top_order, order[:3])
    assert top_parts.shape == (3, 625)
    with pytest.raises(ValueError, match="do not fit"):
        im.face_parts(default_faces.H[i][:3], default_faces.W)


def test_compare_faces_rejects_too_high_rank():
    with pytest.raises(ValueError, match="rank"):
        im.compare_faces(np.ones((5, 8)), 6)


# ------------------------------------------------------------------ the page's numbers -----


def test_error_vs_rank_takes_the_pages_cached_pieces_and_reports_progress(camera):
    small = camera[::8, ::8]
    plain = im.error_vs_rank(small, 5, max_iter=10)
    svds = im.image_svds(small)
    starts = im.image_starts(small, 8, init="nndsvda", seed=0)
    calls, progress = [], []

    def error_at(rank):
        calls.append(rank)
        return im.nmf_image_error(small, rank, max_iter=10, starts=starts)

    curve = im.error_vs_rank(
        small,
        5,
        svds=svds,
        nmf_error=error_at,
        on_rank=lambda rank, last: progress.append((rank, last)),
    )
    assert calls == [1, 2, 3, 4, 5] and progress == [(r, 5) for r in range(1, 6)]
    np.testing.assert_array_equal(curve.ranks, plain.ranks)
    np.testing.assert_allclose(curve.nmf, plain.nmf)
    np.testing.assert_allclose(curve.svd, plain.svd)


def test_a_rebuilt_face_and_its_errors_match_the_decomposition(default_faces):
    face, nmf_face, pca_face = default_faces.rebuilt_face(3)
    np.testing.assert_array_equal(face, default_faces.faces[3])
    np.testing.assert_allclose(nmf_face, default_faces.H[3] @ default_faces.W)
    np.testing.assert_allclose(pca_face, default_faces.pca.reconstruction()[3])
    nmf_error, pca_error = default_faces.face_errors(3)
    assert nmf_error == pytest.approx(np.linalg.norm(face - nmf_face) / np.linalg.norm(face))
    assert pca_error == pytest.approx(np.linalg.norm(face - pca_face) / np.linalg.norm(face))


def test_storage_per_channel_and_share(camera_result):
    stored, full = camera_result.storage
    n, k = camera_result.shape
    rank = camera_result.rank
    assert camera_result.storage_per_channel == (rank * (n + k), n * k)
    assert camera_result.storage_share == pytest.approx(stored / full)
    colour = im.factor_image(
        np.random.default_rng(0).random((32, 24, 3)), 4, color="rgb", max_iter=5
    )
    per_channel, pixels = colour.storage_per_channel
    assert colour.storage == (3 * per_channel, 3 * pixels) == (3 * 4 * (32 + 24), 3 * 32 * 24)


def test_mean_sparseness_and_square_mosaics(default_faces):
    table = default_faces.sparseness_table()
    np.testing.assert_array_equal(table["basis j"], np.arange(1, FACE_RANK + 1))
    np.testing.assert_array_equal(
        table["NMF part (Hoyer)"], np.round(default_faces.nmf_sparseness, 3)
    )
    np.testing.assert_array_equal(
        table["PCA eigenface (Hoyer)"], np.round(default_faces.pca_sparseness, 3)
    )
    nmf_mean, pca_mean = default_faces.mean_sparseness
    assert nmf_mean == pytest.approx(np.mean(default_faces.nmf_sparseness))
    assert pca_mean == pytest.approx(np.mean(default_faces.pca_sparseness))
    assert [figs.square_columns(count) for count in (1, 2, 4, 5, 16, 17, 49)] == [
        1,
        2,
        2,
        3,
        4,
        5,
        7,
    ]
