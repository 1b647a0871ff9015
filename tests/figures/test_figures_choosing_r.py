"""Figure builders of the "Choosing r and penalties" page: the right data in the right traces."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nmf_lab.demo_data import planted_clusters
from nmf_lab.figures.choosing_r import (
    basis_comparison_figure,
    consensus_figure,
    convergence_figure,
    cost_figure,
    error_vs_rank_figure,
    explained_variance_figure,
    penalty_sweep_figure,
    stability_figure,
    tile_basis,
)
from nmf_lab.lessons.choosing_r.cost import CostSweep, Timing, fit_work
from nmf_lab.lessons.choosing_r.penalties import PenaltySweep, fit_with_penalties
from nmf_lab.lessons.choosing_r.rank_selection import rank_sweep


@pytest.fixture(scope="module")
def sweep():
    data = planted_clusters(24, 12, 3, noise=0.1, seed=0)
    return rank_sweep(data.X, [2, 3, 4], n_restarts=3, seed=0)


def test_error_figure_draws_every_restart_the_best_and_the_svd_floor(sweep):
    fig = error_vs_rank_figure(sweep, planted_rank=3)
    restarts, best, svd = fig.data
    assert len(restarts.y) == sweep.restart_errors.size
    np.testing.assert_allclose(best.y, sweep.nmf_error)
    np.testing.assert_allclose(svd.y, sweep.svd_error)
    assert "lower bound" in svd.name
    assert [shape.x0 for shape in fig.layout.shapes] == [3]


def test_variance_and_stability_figures_plot_the_sweep(sweep):
    variance = explained_variance_figure(sweep)
    np.testing.assert_allclose(variance.data[0].y, sweep.nmf_explained_variance)
    np.testing.assert_allclose(variance.data[1].y, sweep.svd_explained_variance)
    stability = stability_figure(sweep, planted_rank=3)
    np.testing.assert_allclose(stability.data[0].y, sweep.cophenetic)
    np.testing.assert_allclose(stability.data[1].y, sweep.dispersion)
    # Planted and suggested ranks are both marked.
    assert sorted(shape.x0 for shape in stability.layout.shapes) == sorted(
        [3, sweep.suggested_rank]
    )


def test_consensus_figure_reorders_rows_and_columns_together():
    consensus = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    fig = consensus_figure(consensus, order=[0, 2, 1])
    heat = fig.data[0]
    np.testing.assert_array_equal(np.asarray(heat.z), [[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    assert (heat.zmin, heat.zmax) == (0, 1)
    assert heat.colorscale[0][1] != heat.colorscale[-1][1]


def test_tile_basis_scales_each_image_and_keeps_dead_vectors_black():
    W = np.array([[0.0, 2.0, 4.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    mosaic = tile_basis(W, (2, 2), gap=1)
    assert mosaic.shape == (2, 5)
    np.testing.assert_allclose(mosaic[:, :2], [[0.0, 0.5], [1.0, 0.25]])
    assert np.all(np.isnan(mosaic[:, 2]))
    np.testing.assert_array_equal(mosaic[:, 3:], 0.0)  # a switched-off basis vector
    with pytest.raises(ValueError, match="shape"):
        tile_basis(W, (3, 3))


def test_basis_comparison_shows_before_above_after():
    rng = np.random.default_rng(0)
    before, after = rng.random((3, 16)), rng.random((3, 16))
    fig = basis_comparison_figure(before, after, (4, 4))
    np.testing.assert_allclose(np.asarray(fig.data[0].z), tile_basis(before, (4, 4)))
    np.testing.assert_allclose(np.asarray(fig.data[1].z), tile_basis(after, (4, 4)))


def test_penalty_sweep_figure_marks_the_current_value_by_position():
    X = np.random.default_rng(2).random((15, 8))
    values = [0.0, 0.1, 1.0]
    fits = [fit_with_penalties(X, 2, {"l1_W": value}) for value in values]
    fig = penalty_sweep_figure(PenaltySweep.from_fits("l1_W", values, fits), current=1.0)
    assert list(fig.data[0].x) == ["0", "0.1", "1"]
    np.testing.assert_allclose(fig.data[2].y, [fit.relative_error for fit in fits])
    # Category axes place shapes by index: 1.0 is the third category.
    assert fig.layout.shapes[0].x0 == 2


def _fake_sweep(dimension, values, base, per_unit=1e-9, overhead=1e-5):
    timings = []
    for value in values:
        shape = dict(zip("nkr", base, strict=True))
        shape[dimension] = value
        work = shape["n"] * shape["k"] * shape["r"]
        timings.append(
            Timing(
                shape["n"], shape["k"], shape["r"], overhead + per_unit * work, 0.1 * value, 50.0
            )
        )
    return CostSweep(dimension, np.asarray(values), base, tuple(timings))


def test_cost_figure_plots_medians_in_ms_and_the_shared_fit():
    base = (100, 50, 5)
    sweeps = [
        _fake_sweep("n", [100, 200, 400], base),
        _fake_sweep("k", [50, 100], base),
        _fake_sweep("r", [5, 10, 20], base),
    ]
    work = np.concatenate([s.work for s in sweeps])
    fit = fit_work(work, np.concatenate([s.seconds_per_iteration for s in sweeps]))
    fig = cost_figure(sweeps, fit)
    measured = [trace for trace in fig.data if trace.mode == "markers"]
    lines = [trace for trace in fig.data if trace.mode == "lines"]
    assert len(measured) == len(lines) == 3
    np.testing.assert_allclose(measured[0].y, 1e3 * sweeps[0].seconds_per_iteration)
    # The fitted line goes through exact synthetic timings.
    np.testing.assert_allclose(lines[2].y[0], 1e3 * (1e-5 + 1e-9 * 100 * 50 * 5), rtol=1e-6)
    assert "slope" in fig.layout.annotations[0].text
    converge = convergence_figure(sweeps)
    np.testing.assert_allclose(converge.data[0].y, [10.0, 20.0, 40.0])


def test_cost_figures_in_lecture_style_keep_their_log_tick_labels_apart():
    from nmf_lab.figures.style import NARROW_FIGURE_PX, for_projector

    base = (200, 200, 10)
    sweeps = [
        _fake_sweep("n", [200, 400, 800, 1600, 3200], base),
        _fake_sweep("k", [50, 100, 200, 400, 800], base),
        _fake_sweep("r", [2, 5, 10, 20, 40], base),
    ]
    work = np.concatenate([s.work for s in sweeps])
    fit = fit_work(work, np.concatenate([s.seconds_per_iteration for s in sweeps]))
    for fig in (cost_figure(sweeps, fit), convergence_figure(sweeps)):
        big = for_projector(fig)
        for column, sweep in enumerate(sweeps, start=1):
            axis = big.layout[f"xaxis{column if column > 1 else ''}"]
            shown = [
                (value, text)
                for value, text in zip(axis.tickvals, axis.ticktext, strict=True)
                if text
            ]
            assert len(shown) >= 2, shown
            width = (NARROW_FIGURE_PX - big.layout.margin.l - big.layout.margin.r) * (
                axis.domain[1] - axis.domain[0]
            )
            per_decade = width / np.ptp(np.log10(sweep.values))
            for (left, a), (right, b) in itertools.pairwise(shown):
                room = 0.55 * axis.tickfont.size * (len(a) + len(b)) / 2
                assert (np.log10(right) - np.log10(left)) * per_decade >= room, shown
        # The legend sits under the panels, not beside them.
        assert big.layout.legend.orientation == "h" and big.layout.legend.y < 0
