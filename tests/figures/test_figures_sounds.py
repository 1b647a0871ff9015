"""Figure builders of the Sounds page (``nmf_lab.figures.sounds``)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from nmf_lab.figures.sounds import (
    DB_FLOOR,
    activations_figure,
    spectra_figure,
    spectrogram_figure,
)
from nmf_lab.figures.style import SEQUENTIAL, for_projector
from nmf_lab.lessons import sounds as snd


@cache
def piece_and_fit():
    piece = snd.synthesize_piece()
    return piece, snd.factor_piece(piece, 6, loss="KL")


def _uses_sequential(trace) -> bool:
    # plotly expands a named scale into its colours: compare the expanded scales
    import plotly.graph_objects as go

    return go.Heatmap(colorscale=SEQUENTIAL).colorscale == trace.colorscale


def test_spectrogram_is_x_transposed_in_db_with_a_colour_bar():
    piece, _ = piece_and_fit()
    fig = spectrogram_figure(piece.X, piece.times, piece.frequencies)
    (trace,) = fig.data
    z = np.asarray(trace.z)
    assert z.shape == (piece.X.shape[1], piece.X.shape[0])  # time runs along x
    assert z.max() == pytest.approx(0.0) and z.min() >= DB_FLOOR
    loudest = np.unravel_index(piece.X.argmax(), piece.X.shape)
    assert z[loudest[1], loudest[0]] == pytest.approx(0.0)
    assert (trace.zmin, trace.zmax) == (DB_FLOOR, 0.0)
    assert _uses_sequential(trace) and trace.showscale is not False
    assert trace.colorbar.title.text == "dB"
    np.testing.assert_allclose(np.asarray(trace.x), piece.times)
    with pytest.raises(ValueError, match="frames × bins"):
        spectrogram_figure(piece.X[:, :5], piece.times, piece.frequencies)
    with pytest.raises(ValueError, match="nonnegative"):
        spectrogram_figure(-piece.X, piece.times, piece.frequencies)


def _check_pair(fig, truth, learned):
    top, bottom = fig.data
    np.testing.assert_allclose(np.asarray(top.z), truth / truth.max(axis=1, keepdims=True))
    np.testing.assert_allclose(np.asarray(bottom.z), learned / learned.max(axis=1, keepdims=True))
    for trace, axis in zip(fig.data, ("yaxis", "yaxis2"), strict=True):
        assert _uses_sequential(trace) and (trace.zmin, trace.zmax) == (0.0, 1.0)
        # every heatmap has its colour bar, beside its own row
        low, high = fig.layout[axis].domain
        assert trace.showscale is not False
        assert trace.colorbar.y == pytest.approx((low + high) / 2)
        assert trace.colorbar.len == pytest.approx(high - low)
        assert trace.colorbar.x > 1.0


def test_spectra_figure_puts_the_true_notes_above_the_rows_of_w():
    piece, fit = piece_and_fit()
    labels = [fit.component_label(j) for j in range(fit.rank)]
    fig = spectra_figure(piece.spectra, fit.W, piece.frequencies, names=piece.names, labels=labels)
    _check_pair(fig, piece.spectra, fit.W)
    assert list(fig.data[0].y) == list(piece.names)
    assert list(fig.data[1].y) == [f"{j + 1}: {label}" for j, label in enumerate(labels)]
    with pytest.raises(ValueError, match="same length"):
        spectra_figure(piece.spectra, fit.W[:, :10], piece.frequencies, names=(), labels=())


def test_activations_figure_draws_the_columns_of_h_as_rows_over_time():
    piece, fit = piece_and_fit()
    labels = [fit.component_label(j) for j in range(fit.rank)]
    fig = activations_figure(
        piece.activations, fit.H, piece.times, names=piece.names, labels=labels
    )
    _check_pair(fig, piece.activations.T, fit.H.T)
    np.testing.assert_allclose(np.asarray(fig.data[1].x), piece.times)
    with pytest.raises(ValueError, match="same length"):
        activations_figure(piece.activations, fit.H[:10], piece.times, names=(), labels=())


def test_a_zero_row_stays_zero_instead_of_dividing_by_zero():
    fig = spectra_figure(
        np.ones((2, 3)),
        np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 4.0]]),
        np.arange(3),
        names=("a", "b"),
        labels=("x", "y"),
    )
    np.testing.assert_allclose(np.asarray(fig.data[1].z), [[0, 0, 0], [0.25, 0.5, 1.0]])


def test_the_projector_version_keeps_each_colour_bar_beside_its_row():
    piece, fit = piece_and_fit()
    fig = for_projector(
        activations_figure(
            piece.activations,
            fit.H,
            piece.times,
            names=piece.names,
            labels=[fit.component_label(j) for j in range(fit.rank)],
        )
    )
    for trace, axis in zip(fig.data, ("yaxis", "yaxis2"), strict=True):
        low, high = fig.layout[axis].domain
        assert low - 1e-6 <= trace.colorbar.y <= high + 1e-6


def test_the_frequency_axis_can_end_above_the_highest_partial():
    piece, fit = piece_and_fit()
    fig = spectra_figure(
        piece.spectra,
        fit.W,
        piece.frequencies,
        names=piece.names,
        labels=[fit.component_name(j) for j in range(fit.rank)],
        max_frequency=3600.0,
    )
    assert tuple(fig.layout.xaxis2.range) == (0.0, 3600.0)
