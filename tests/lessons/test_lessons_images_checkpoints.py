"""Images' r = 1 checkpoint: the right answer is read off NMF's and the SVD's errors at r = 1."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nmf_lab.demo_data import sample_image
from nmf_lab.lessons import images as im


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def camera():
    image = im.fit_working_size(sample_image("camera"))
    return image, float(im.svd_image_error_curve(im.image_svds(image), 1)[0])


def _checkpoint(image, svd_error, *, init="nndsvda", iters=30):
    error = im.nmf_image_error(image, 1, solver="hals", init=init, max_iter=iters, seed=0)
    return error, im.rank_one_checkpoint(
        error, svd_error, solver="hals", init=init, iterations=iters
    )


def test_at_the_page_default_nmf_reaches_the_svd_at_rank_one(camera):
    image, svd_error = camera
    error, cp = _checkpoint(image, svd_error)
    assert abs(error - svd_error) <= im.TOUCH
    assert cp.key == "img_rank_one"
    assert cp.right_label == "Equal to it"
    assert f"NMF's error is **{error:.2%}** and the SVD's **{svd_error:.2%}**" in cp.explanation
    assert len({choice.feedback for choice in cp.choices}) == 3, "each answer has its own reason"
    assert all(f"NMF {error:.2%}, SVD {svd_error:.2%}" in c.feedback for c in cp.choices)


def test_one_iteration_from_a_random_start_stays_above(camera):
    image, svd_error = camera
    error, cp = _checkpoint(image, svd_error, init="random", iters=1)
    assert error - svd_error > im.TOUCH
    assert cp.right_label.startswith("Above it")
    right, feedback = cp.verdict(cp.right_label)
    assert right and f"{(error - svd_error) * 100:.2f} percentage points above" in feedback
    assert "with at most 1 iterations" in feedback
    assert len({choice.feedback for choice in cp.choices}) == 3


@pytest.mark.parametrize(
    ("nmf_error", "svd_error", "expected"),
    [
        (0.36, 0.36 + 0.9 * im.TOUCH, "Equal to it"),
        (0.36, 0.36 - 1.1 * im.TOUCH, "Above it: the constraint H, W ≥ 0 costs accuracy"),
        (0.36, 0.36 + 1.1 * im.TOUCH, "Below it"),
    ],
)
def test_the_answer_follows_the_gap(nmf_error, svd_error, expected):
    cp = im.rank_one_checkpoint(nmf_error, svd_error, solver="mu", init="random", iterations=5)
    assert cp.right_label == expected
    assert f"**{nmf_error:.2%}**" in cp.explanation and f"**{svd_error:.2%}**" in cp.explanation
    assert len({choice.feedback for choice in cp.choices}) == 3
    assert np.isclose(im.TOUCH, 5e-4)
