"""Figures for the Sounds page: the spectrogram X, note spectra against W, activations against H.

Every picture of a matrix uses the shared sequential map (:data:`~nmf_lab.figures.style.SEQUENTIAL`)
with its own colour bar. Time runs left to right, as in any spectrogram: in the pictures of
``X`` and ``H`` each *column* of pixels is one row of the matrix (one STFT frame).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nmf_lab.figures.common import apply_layout
from nmf_lab.figures.style import SEQUENTIAL

__all__ = ["DB_FLOOR", "activations_figure", "spectra_figure", "spectrogram_figure"]

#: The spectrogram is drawn in dB below its loudest cell, down to this floor.
DB_FLOOR = -60.0
_BAR = {"thickness": 12, "x": 1.02}


def _check_pair(truth: np.ndarray, learned: np.ndarray, axis: int, what: str) -> None:
    if truth.ndim != 2 or learned.ndim != 2 or truth.shape[axis] != learned.shape[axis]:
        raise ValueError(
            f"The true {what} and the learned ones must be 2-D with the same length along "
            f"axis {axis}; got {truth.shape} and {learned.shape}."
        )


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row scaled to a maximum of 1 (a zero row stays zero)."""
    peaks = matrix.max(axis=1, keepdims=True)
    return np.divide(matrix, peaks, out=np.zeros_like(matrix), where=peaks > 0)


def spectrogram_figure(
    X: np.ndarray, times: np.ndarray, frequencies: np.ndarray, *, height: int = 340
) -> go.Figure:
    """The magnitude spectrogram ``X`` in dB below its loudest cell, time left to right.

    Parameters
    ----------
    X : ndarray, shape (n, k)
        Frames × frequency bins, nonnegative.
    times : ndarray, shape (n,)
        Frame centres in seconds.
    frequencies : ndarray, shape (k,)
        Bin centres in Hz.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap: ``z`` is ``Xᵀ`` in dB, clipped at :data:`DB_FLOOR`.

    Raises
    ------
    ValueError
        Axes whose lengths do not match ``X``, or negative entries.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape != (len(times), len(frequencies)):
        raise ValueError(
            f"X must be frames × bins = {len(times)}×{len(frequencies)}, got {X.shape}."
        )
    if (X < 0).any():
        raise ValueError("X must be nonnegative.")
    top = X.max() if X.max() > 0 else 1.0
    decibels = 20 * np.log10(np.maximum(X / top, 10 ** (DB_FLOOR / 20)))
    fig = go.Figure(
        go.Heatmap(
            z=decibels.T,
            x=np.asarray(times),
            y=np.asarray(frequencies),
            colorscale=SEQUENTIAL,
            zmin=DB_FLOOR,
            zmax=0.0,
            colorbar={**_BAR, "title": {"text": "dB"}},
            hovertemplate="%{x:.2f} s, %{y:.0f} Hz: %{z:.0f} dB<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="time (s)")
    fig.update_yaxes(title_text="frequency (Hz)")
    return apply_layout(fig, height=height)


def _pair_figure(
    truth: np.ndarray,
    learned: np.ndarray,
    x: np.ndarray,
    *,
    truth_labels: Sequence[str],
    learned_labels: Sequence[str],
    titles: tuple[str, str],
    x_title: str,
    hover: str,
    height: int,
) -> go.Figure:
    rows_true, rows_learned = truth.shape[0], learned.shape[0]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.16,
        row_heights=[rows_true, max(rows_learned, 1)],
        subplot_titles=titles,
    )
    for row, (matrix, labels) in enumerate(
        ((truth, truth_labels), (learned, learned_labels)), start=1
    ):
        fig.add_trace(
            go.Heatmap(
                z=_unit_rows(matrix),
                x=x,
                y=list(labels),
                colorscale=SEQUENTIAL,
                zmin=0.0,
                zmax=1.0,
                colorbar=dict(_BAR),
                hovertemplate=hover,
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(autorange="reversed", type="category", row=row, col=1)
    fig.update_xaxes(title_text=x_title, row=2, col=1)
    fig = apply_layout(fig, height=height)
    # One colour bar per heatmap, beside its own row (the layout's domains are known now).
    for trace, axis in zip(fig.data, ("yaxis", "yaxis2"), strict=True):
        low, high = fig.layout[axis].domain
        trace.colorbar.update(y=(low + high) / 2, len=high - low, yanchor="middle")
    return fig


def spectra_figure(
    true_spectra: np.ndarray,
    W: np.ndarray,
    frequencies: np.ndarray,
    *,
    names: Sequence[str],
    labels: Sequence[str],
    max_frequency: float | None = None,
    height: int = 460,
) -> go.Figure:
    """True note spectra above the learned rows of ``W``, each row scaled to a maximum of 1.

    Parameters
    ----------
    true_spectra : ndarray, shape (m, k)
    W : ndarray, shape (r, k)
        Rows in the page's order (component ``j`` is row ``j``).
    frequencies : ndarray, shape (k,)
    names : sequence of str, length m
        The notes.
    labels : sequence of str, length r
        What each component holds (e.g. ``"C4"``), shown after its number.
    max_frequency : float, optional
        The frequency axis ends here (all of it when ``None``).
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
        Two heatmaps (rows: notes, then components; x: frequency), one colour bar each.
    """
    true_spectra, W = np.asarray(true_spectra, float), np.asarray(W, float)
    _check_pair(true_spectra, W, 1, "spectra")
    fig = _pair_figure(
        true_spectra,
        W,
        np.asarray(frequencies),
        truth_labels=names,
        learned_labels=[f"{j + 1}: {label}" for j, label in enumerate(labels)],
        titles=("True note spectra", "Rows of W"),
        x_title="frequency (Hz)",
        hover="%{y}, %{x:.0f} Hz: %{z:.2f}<extra></extra>",
        height=height,
    )
    if max_frequency is not None:
        fig.update_xaxes(range=[float(frequencies[0]), float(max_frequency)])
    return fig


def activations_figure(
    true_activations: np.ndarray,
    H: np.ndarray,
    times: np.ndarray,
    *,
    names: Sequence[str],
    labels: Sequence[str],
    height: int = 460,
) -> go.Figure:
    """True activations above the learned columns of ``H`` (drawn as rows), each scaled to 1.

    Parameters
    ----------
    true_activations : ndarray, shape (n, m)
    H : ndarray, shape (n, r)
    times : ndarray, shape (n,)
    names : sequence of str, length m
    labels : sequence of str, length r
        What each component holds (e.g. ``"C4"``), shown after its number.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
        Two heatmaps (rows: notes, then components; x: time), one colour bar each.
    """
    true_activations, H = np.asarray(true_activations, float), np.asarray(H, float)
    _check_pair(true_activations, H, 0, "activations")
    return _pair_figure(
        true_activations.T,
        H.T,
        np.asarray(times),
        truth_labels=names,
        learned_labels=[f"{j + 1}: {label}" for j, label in enumerate(labels)],
        titles=("True activations", "Columns of H"),
        x_title="time (s)",
        hover="%{y}, %{x:.2f} s: %{z:.2f}<extra></extra>",
        height=height,
    )
