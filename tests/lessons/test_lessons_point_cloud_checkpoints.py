"""Point clouds' checkpoints: each right answer is read off the cloud and the fits on screen."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_core import nmf
from nmf_lab.demo_data import make_cloud
from nmf_lab.lessons.point_cloud_checkpoints import (
    SAME_CONE_DEG,
    SAME_ERROR,
    rank_one_checkpoint,
    restarts_checkpoint,
)
from nmf_lab.lessons.point_clouds import fit_restarts, outside_cone, restart_angles


def _ray(X) -> np.ndarray:
    return nmf(X, 1, solver="hals", init="nndsvda", seed=0, max_iter=400, tol=1e-7).W


def _far_count(X, W) -> int:
    return int(outside_cone(X, W)[0].sum())


@pytest.mark.parametrize(
    ("planted", "expected"),
    [(2, "Most of them: more than half"), (1, "Hardly any: under 10%")],
)
def test_rank_one_answer_follows_how_many_rays_the_cloud_was_built_around(planted, expected):
    cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=planted, seed=0)
    W_one = _ray(cloud.X)
    cp = rank_one_checkpoint(cloud.X, W_one, planted)
    assert cp.right_label == expected
    n_far = _far_count(cloud.X, W_one)
    assert f"**{n_far} of 150**" in cp.explanation
    assert f"built around {planted} planted ray" in cp.question
    assert len({choice.feedback for choice in cp.choices}) == 3, "each answer has its own reason"


def test_rank_one_answer_between_the_extremes_is_some():
    # Most points along x1, a few along x2: the best single ray runs through the bulk and
    # misses exactly the few.
    X = np.vstack([np.tile([1.0, 0.05], (80, 1)), np.tile([0.05, 1.0], (20, 1))])
    cp = rank_one_checkpoint(X, _ray(X), None)
    assert cp.right_label == "Some: between 10% and half"
    assert "planted" not in cp.question
    assert "**20 of 100**" in cp.explanation


def test_restarts_answer_at_the_default_cloud_is_equal_losses_different_cones():
    cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    runs = fit_restarts(cloud.X, 2, range(4), max_iter=200, tol=1e-6)
    errors = [run.relative_error for run in runs]
    _, spreads = restart_angles([run.W for run in runs])
    cp = restarts_checkpoint(errors, spreads, 2)
    assert max(errors) - min(errors) <= SAME_ERROR and spreads.max() >= SAME_CONE_DEG
    assert cp.right_label == "Equally good losses, but different cones"
    assert f"**{spreads.max():.1f}°**" in cp.explanation
    assert "4 times at r = 2" in cp.question


def test_restarts_answer_at_rank_one_is_the_same_cone():
    cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    runs = fit_restarts(cloud.X, 1, range(3), max_iter=200, tol=1e-6)
    _, spreads = restart_angles([run.W for run in runs])
    cp = restarts_checkpoint([run.relative_error for run in runs], spreads, 1)
    assert spreads.max() < SAME_CONE_DEG
    assert cp.right_label == "The same cone every time, with the same loss"
    assert "one ray" in cp.verdict(cp.right_label)[1]


def test_restarts_answer_with_a_worse_restart_is_different_losses():
    cp = restarts_checkpoint([0.10, 0.10 + 2 * SAME_ERROR, 0.10], [0.0, 30.0, 1.0], 2)
    assert cp.right_label == "Different losses: some restarts end clearly worse"
    assert "from 10.00% to 10.20%" in cp.explanation
    right, feedback = cp.verdict("Equally good losses, but different cones")
    assert not right and "10.20%" in feedback


def test_restarts_checkpoint_refuses_mismatched_inputs():
    with pytest.raises(ValueError, match="one value per restart"):
        restarts_checkpoint([0.1, 0.1], [0.0], 2)
    with pytest.raises(ValueError, match="at least two"):
        restarts_checkpoint([0.1], [0.0], 2)
