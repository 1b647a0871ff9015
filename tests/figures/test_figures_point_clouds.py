"""Figure builders of the Point clouds page (``nmf_lab.figures.point_clouds``).

The cloud with its rays and far points, the tip-to-tail sum to a reconstruction, the cones,
the simplex view and the SPA steps.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from nmf_core import nmf
from nmf_lab.demo_data import make_cloud
from nmf_lab.figures.point_clouds import (
    cloud_figure,
    cones_figure,
    simplex_figure,
    spa_step_figure,
)
from nmf_lab.lessons.point_clouds import outside_cone, pca_axes, spa_steps


@pytest.mark.parametrize("dim", [2, 3])
def test_cloud_figure_draws_points_rays_and_far_points(dim):
    cloud = make_cloud("cone", dim=dim, n_points=40, noise=0.1, rank=1, seed=0)
    result = nmf(cloud.X, 1, max_iter=100)
    far, _ = outside_cone(cloud.X, result.W)
    assert far.any()
    fig = cloud_figure(
        cloud.X, result.W, result.H, planted_W=cloud.W, far=far, selected=0, pca=pca_axes(cloud.X)
    )
    names = [trace.name for trace in fig.data]
    assert "far outside the cone" in names and "points X_i" in names
    points = next(trace for trace in fig.data if trace.name == "points X_i")
    outside = next(trace for trace in fig.data if trace.name == "far outside the cone")
    assert len(points.x) + len(outside.x) == 40
    assert isinstance(fig, go.Figure)


def test_cloud_figure_draws_the_tip_to_tail_sum_to_the_reconstruction():
    cloud = make_cloud("cone", dim=3, n_points=30, noise=0.0, rank=3, seed=0)
    H, W = cloud.H, cloud.W
    fig = cloud_figure(cloud.X, W, H, selected=4)
    path = next(t for t in fig.data if t.name and t.name.startswith("point 4: H_i1"))
    end = np.array([path.x[-1], path.y[-1], path.z[-1]])
    np.testing.assert_allclose(end, H[4] @ W)
    with pytest.raises(ValueError):
        cloud_figure(cloud.X, W, H[:, :2])


def test_cone_and_simplex_figures_and_spa_steps():
    cloud = make_cloud("separable", dim=3, n_points=50, noise=0.0, rank=3, seed=0)
    fig = cones_figure(cloud.X, [("a", cloud.W), ("planted rays", cloud.W)], highlight=[0])
    assert any(isinstance(t, go.Scatterternary) for t in fig.data)
    simplex = simplex_figure(cloud.X, [("cone of W", cloud.W)])
    corners = simplex.data[0]
    np.testing.assert_allclose(
        np.c_[corners.a, corners.b, corners.c][:3], cloud.W / cloud.W.sum(axis=1, keepdims=True)
    )
    steps = spa_steps(cloud.X, 3)
    for step in range(3):
        assert spa_step_figure(cloud.X, steps, step, planted_W=cloud.W).data
    with pytest.raises(ValueError):
        spa_step_figure(cloud.X, steps, 3)
    flat = make_cloud("cone", dim=2, n_points=20, noise=0.0, rank=2, seed=0)
    assert cones_figure(flat.X, [("a", flat.W)], highlight=[1]).data
    assert spa_step_figure(flat.X, spa_steps(flat.X, 2), 1).data
