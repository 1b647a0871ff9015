"""Figure builders of the Home page (``nmf_lab.figures.home``): the product picture X ≈ HW."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.figures.home import RESIDUAL_FLOOR, product_figure, residual_figure


def test_product_figure_keeps_the_matrices_and_checks_shapes():
    rng = np.random.default_rng(0)
    H, W = rng.random((6, 2)), rng.random((2, 5))
    fig = product_figure(H @ W, H, W)
    np.testing.assert_allclose(
        np.asarray(fig.data[1].z) @ np.asarray(fig.data[2].z), np.asarray(fig.data[0].z)
    )
    with pytest.raises(ValueError, match="Shapes do not fit"):
        product_figure(np.ones((6, 5)), np.ones((6, 2)), np.ones((3, 5)))


def test_residual_figure_shares_one_scale_for_x_and_hw_and_centres_the_residual():
    rng = np.random.default_rng(2)
    H, W = rng.random((6, 2)), rng.random((2, 5))
    X = H @ W + 0.2 * rng.random((6, 5))
    HW = H @ W
    fig = residual_figure(X, HW)
    traces = {t.name: t for t in fig.data}
    assert list(traces) == ["X", "HW", "X − HW"]
    np.testing.assert_allclose(np.asarray(traces["X − HW"].z), X - HW)
    np.testing.assert_allclose(np.asarray(traces["HW"].z), HW)
    # One shared sequential scale for X and HW, shown once.
    top = max(X.max(), HW.max())
    for name in ("X", "HW"):
        assert (traces[name].zmin, traces[name].zmax) == (0.0, pytest.approx(top))
        assert traces[name].colorscale == traces["X"].colorscale
    assert traces["X"].showscale is False and traces["HW"].showscale is not False
    # The residual: diverging, centred on 0, over ±max(max|X − HW|, floor · max X).
    residual = traces["X − HW"]
    bound = max(np.abs(X - HW).max(), RESIDUAL_FLOOR * X.max())
    assert residual.zmid == 0 and residual.zmin == pytest.approx(-bound)
    assert residual.zmax == pytest.approx(bound)
    # A residual larger than the floor widens the bar instead of being clipped.
    wide = residual_figure(X, np.zeros_like(X)).data[2]
    assert wide.zmax == pytest.approx(X.max())
    assert residual.colorscale != traces["X"].colorscale
    # The two colour bars do not sit on top of a panel.
    spans = [fig.layout[a].domain for a in ("xaxis", "xaxis2", "xaxis3")]
    for bar in (traces["HW"].colorbar.x, residual.colorbar.x):
        assert not any(low <= bar <= high for low, high in spans)
    with pytest.raises(ValueError, match="one shape"):
        residual_figure(X, HW[:, :3])


def test_residual_colours_are_red_where_hw_is_too_small():
    # Home caption: "red where HW is too small, blue where it is too large".
    from plotly.colors import hex_to_rgb, unlabel_rgb

    residual = residual_figure(np.ones((2, 2)), np.zeros((2, 2))).data[2]

    def rgb(colour: str) -> tuple:
        return hex_to_rgb(colour) if colour.startswith("#") else unlabel_rgb(colour)

    low, high = rgb(residual.colorscale[0][1]), rgb(residual.colorscale[-1][1])
    assert high[0] > high[2] and low[2] > low[0]  # +: X > HW is red, −: X < HW is blue
