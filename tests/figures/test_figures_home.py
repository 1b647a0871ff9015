"""Figure builders of the Home page (``nmf_lab.figures.home``): the product picture X ≈ HW."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.figures.home import product_figure


def test_product_figure_keeps_the_matrices_and_checks_shapes():
    rng = np.random.default_rng(0)
    H, W = rng.random((6, 2)), rng.random((2, 5))
    fig = product_figure(H @ W, H, W)
    np.testing.assert_allclose(
        np.asarray(fig.data[1].z) @ np.asarray(fig.data[2].z), np.asarray(fig.data[0].z)
    )
    with pytest.raises(ValueError, match="Shapes do not fit"):
        product_figure(np.ones((6, 5)), np.ones((6, 2)), np.ones((3, 5)))
