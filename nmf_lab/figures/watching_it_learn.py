"""Figures for "Watching it learn": one frame of a recorded run, and the race of the four solvers.

The page plays a run frame by frame itself (the server sends one frame at a time), so a frame is
two small figures: the loss curve up to that frame (:func:`loss_frame_figure`) and the factors at
that frame (:func:`factor_frame_figure`). Two figures rather than two subplots: side by side on a
wide screen, stacked on a phone, each at full width. Pictures travel as small grey PNGs and curves
as float32 binary arrays.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from nmf_lab.demo_data import LearningData
from nmf_lab.figures.common import apply_layout
from nmf_lab.figures.style import METHOD_COLORS, OKABE_ITO
from nmf_lab.lessons.watching_it_learn import Race, Recording

__all__ = [
    "SOLVER_DASHES",
    "SOLVER_LABELS",
    "face_mosaic",
    "factor_frame_figure",
    "frame_caption",
    "loss_frame_figure",
    "png_data_uri",
    "race_figure",
]

SOLVER_LABELS = {"mu": "MU", "hals": "HALS", "anls": "ANLS", "als": "ALS"}
# Line styles as well as colours, so the race reads in grey print and for every viewer.
SOLVER_DASHES = {"mu": "solid", "hals": "dash", "anls": "dot", "als": "dashdot"}
RAY_COLOR = OKABE_ITO[5]
POINT_COLOR = "rgba(90, 90, 90, 0.5)"
RECON_COLOR = OKABE_ITO[0]
FACE_GAP = 2  # pixels between basis images in the mosaic
FACE_COLUMNS = 5
LOSS_HTML = "loss ‖X − HW‖<sup>2</sup><sub>F</sub>"
FRAME_FIGURE_HEIGHT = 440
FRAME_FONT_SIZE = 15
_AXIS_STYLE = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "zerolinewidth": 2,
    "ticks": "",
    "automargin": True,
}
_SCENE_AXIS_STYLE = {
    "backgroundcolor": "white",
    "gridcolor": "#DFE8F3",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "showbackground": True,
    "gridwidth": 2,
    "ticks": "",
}
# The look of plotly_white in a template of a dozen entries. A frame figure is built on every
# step of the animation, and plotly validates a named template (defaults for every trace type)
# each time it is set: with plotly_white that validation costs more than the rest of the frame.
FRAME_TEMPLATE = go.layout.Template(
    layout={
        "font": {"color": "#2a3f5f"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "hoverlabel": {"align": "left"},
        "title": {"x": 0.05},
        "xaxis": _AXIS_STYLE,
        "yaxis": _AXIS_STYLE,
        "scene": {
            "xaxis": _SCENE_AXIS_STYLE,
            "yaxis": _SCENE_AXIS_STYLE,
            "zaxis": _SCENE_AXIS_STYLE,
        },
    }
)


def _loss_range(values: np.ndarray, log_scale: bool) -> list[float]:
    """A fixed y-range for the loss axis, so the axis does not jump between frames."""
    values = np.asarray(values, dtype=float)
    if log_scale:
        positive = values[values > 0]
        if positive.size == 0:
            return [-1.0, 1.0]
        low, high = np.log10(positive.min()), np.log10(positive.max())
        pad = max(0.05 * (high - low), 0.05)
        return [float(low - pad), float(high + pad)]
    high = float(values.max()) if values.size else 1.0
    return [0.0, high * 1.05 if high > 0 else 1.0]


def _plotted(values: np.ndarray, log_scale: bool) -> np.ndarray:
    """Losses as float32 for the browser; zeros hidden on a log axis instead of breaking it."""
    values = np.asarray(values, dtype=np.float64)
    if log_scale:
        values = np.where(values > 0, values, np.nan)
    return values.astype(np.float32)


def _to_uint8(image: np.ndarray, top: float) -> np.ndarray:
    scaled = (
        np.clip(np.asarray(image, dtype=float) / top, 0.0, 1.0)
        if top > 0
        else np.zeros_like(image, dtype=float)
    )
    return np.rint(255 * scaled).astype(np.uint8)


def _ray_segments(W: np.ndarray, length: float) -> tuple[np.ndarray, ...]:
    """Coordinates of segments from the origin along each row of ``W``, NaN-separated."""
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    directions = np.divide(W, norms, out=np.zeros_like(W, dtype=float), where=norms > 0)
    r, k = W.shape
    segments = np.full((3 * r, k), np.nan)
    segments[0::3] = 0.0
    segments[1::3] = length * directions
    return tuple(segments[:, axis].astype(np.float32) for axis in range(k))


def face_mosaic(W: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The rows of ``W`` as images in a grid, each scaled to its own maximum, as 8-bit grey.

    A basis vector's scale is arbitrary (``H`` can absorb any factor), so each image is shown
    relative to its own largest entry. Gaps between the images are white.

    Parameters
    ----------
    W : ndarray, shape (r, h·w)
    shape : tuple (h, w)

    Returns
    -------
    ndarray of uint8, shape (rows·(h + gap) − gap, columns·(w + gap) − gap)
    """
    rank = W.shape[0]
    columns = min(rank, FACE_COLUMNS)
    rows = -(-rank // columns)
    h, w = shape
    mosaic = np.full(
        (rows * (h + FACE_GAP) - FACE_GAP, columns * (w + FACE_GAP) - FACE_GAP), 255, dtype=np.uint8
    )
    for index, row in enumerate(W):
        top, left = (index // columns) * (h + FACE_GAP), (index % columns) * (w + FACE_GAP)
        mosaic[top : top + h, left : left + w] = _to_uint8(row.reshape(shape), float(row.max()))
    return mosaic


def png_data_uri(gray: np.ndarray) -> str:
    """An 8-bit grey image as a ``data:image/png;base64,...`` string.

    Pictures travel to the browser as PNG inside an image trace: compact, and plotly's
    animation updates a string reliably (binary-encoded 2-D heatmap arrays in frames are not
    decoded by plotly.js, so frames of heatmaps would draw nothing).
    """
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(gray, dtype=np.uint8), mode="L").save(
        buffer, format="PNG", optimize=True
    )
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _check_frame(recording: Recording, frame: int) -> int:
    if (
        isinstance(frame, bool)
        or not isinstance(frame, int | np.integer)
        or not 0 <= frame < recording.n_frames
    ):
        raise ValueError(
            f"frame must be an integer from 0 to {recording.n_frames - 1}, got {frame!r}."
        )
    return int(frame)


def frame_caption(recording: Recording, frame: int) -> str:
    """What frame ``frame`` shows, in words: its position, iteration and loss.

    Parameters
    ----------
    recording : Recording
    frame : int
        From 0 to ``recording.n_frames − 1``.

    Returns
    -------
    str
        E.g. ``"Frame 12 of 60 · iteration 30 · loss 1234"``.
    """
    frame = _check_frame(recording, frame)
    return (
        f"Frame {frame + 1} of {recording.n_frames} · iteration "
        f"{int(recording.iterations[frame])} · loss {float(recording.losses[frame]):.4g}"
    )


def _frame_figure(traces: list[dict], title: str, margin: dict, **layout) -> go.Figure:
    """A frame figure in one constructor call: plotly then validates each part once, where
    ``update_*`` calls on a built figure would copy and validate it again each time."""
    return go.Figure(
        data=traces,
        layout={
            "template": FRAME_TEMPLATE,
            "title": {"text": title},
            "height": FRAME_FIGURE_HEIGHT,
            "font": {"size": FRAME_FONT_SIZE},
            "margin": margin,
            # The same revision on every frame keeps zoom and a rotated 3-D view as the user
            # left them while the frames change.
            "uirevision": "frames",
            **layout,
        },
    )


def loss_frame_figure(recording: Recording, frame: int, *, log_scale: bool = False) -> go.Figure:
    """The loss per iteration of a recorded run, drawn up to frame ``frame``.

    The axes are fixed to the whole run, so stepping through the frames moves only the curve
    and the marker at its end, never the axes.

    Parameters
    ----------
    recording : Recording
        Frames from :func:`nmf_lab.lessons.watching_it_learn.record_run`.
    frame : int
        From 0 (the start) to ``recording.n_frames − 1`` (the finished run).
    log_scale : bool
        Log scale for the loss axis.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces: the curve ``losses[0 .. iterations[frame]]`` (one point per iteration)
        and a marker at its last point.
    """
    frame = _check_frame(recording, frame)
    losses = recording.result.losses
    iteration = int(recording.iterations[frame])
    shown = _plotted(losses[: iteration + 1], log_scale)
    hover = "iteration %{x}<br>loss %{y:.4g}<extra></extra>"
    traces = [
        {
            "type": "scatter",
            "y": shown,
            "x0": 0,
            "dx": 1,
            "mode": "lines",
            "showlegend": False,
            "line": {"color": OKABE_ITO[0], "width": 3},
            "hovertemplate": hover,
        },
        {
            "type": "scatter",
            "x": [iteration],
            "y": shown[-1:],
            "mode": "markers",
            "showlegend": False,
            "marker": {"size": 12, "color": OKABE_ITO[5]},
            "hovertemplate": hover,
        },
    ]
    n_iter = int(recording.result.n_iter)
    return _frame_figure(
        traces,
        f"{LOSS_HTML} per iteration",
        {"l": 60, "r": 20, "t": 60, "b": 50},
        xaxis={"title": {"text": "iteration"}, "range": [-0.5, max(n_iter, 1) + 0.5]},
        yaxis={
            "title": {"text": "loss (log scale)" if log_scale else "loss"},
            "type": "log" if log_scale else "linear",
            "range": _loss_range(losses, log_scale),
        },
    )


def _factor_panel_title(data: LearningData) -> str:
    if data.kind == "cloud":
        return "data X, reconstructions HW, rows of W"
    if data.kind == "faces":
        return "rows of W as basis images"
    return "the reconstruction HW"


def factor_frame_figure(recording: Recording, data: LearningData, frame: int) -> go.Figure:
    """The factors at frame ``frame`` of a recorded run, drawn the way the data is.

    - cloud: the data points (grey), the reconstructions ``HW`` (blue) and a ray along each
      row of ``W`` (vermillion), in 2-D or 3-D with axes fixed to the whole run;
    - faces: the rows of ``W`` as 25×25 images in one mosaic (:func:`face_mosaic`);
    - image: the reconstruction ``HW`` on the grey scale of ``X``.

    Parameters
    ----------
    recording : Recording
        Frames from :func:`nmf_lab.lessons.watching_it_learn.record_run` on ``data.X``.
    data : LearningData
        The data the run factored.
    frame : int
        From 0 (the start) to ``recording.n_frames − 1`` (the finished run).

    Returns
    -------
    plotly.graph_objects.Figure
        Cloud: traces ``X (data)``, ``HW (reconstruction)``, ``rows of W (rays)``; faces and
        image: one image trace whose ``source`` is a PNG data URI.
    """
    frame = _check_frame(recording, frame)
    X = data.X
    H, W = recording.H[frame], recording.W[frame]
    title = _factor_panel_title(data)
    margin = {"l": 20, "r": 20, "t": 60, "b": 20}
    if data.kind != "cloud":
        if data.kind == "faces":
            picture = face_mosaic(W, data.image_shape)
        else:
            picture = _to_uint8(H @ W, float(X.max()))
        return _frame_figure(
            [{"type": "image", "source": png_data_uri(picture), "hoverinfo": "skip"}],
            title,
            margin,
            xaxis={"visible": False},
            yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
        )
    three_d = X.shape[1] == 3
    ray_length = 1.1 * float(np.linalg.norm(X, axis=1).max())
    names = ("x", "y", "z")[: X.shape[1]]
    points = X.astype(np.float32)
    recon = (H @ W).astype(np.float32)
    rays = _ray_segments(W, ray_length)
    kind = "scatter3d" if three_d else "scatter"
    traces = [
        {
            "type": kind,
            **{name: points[:, axis] for axis, name in enumerate(names)},
            "mode": "markers",
            "marker": {"size": 3.5 if three_d else 6, "color": POINT_COLOR},
            "name": "X (data)",
        },
        {
            "type": kind,
            **{name: recon[:, axis] for axis, name in enumerate(names)},
            "mode": "markers",
            "marker": {"size": 3 if three_d else 6, "color": RECON_COLOR},
            "name": "HW (reconstruction)",
        },
        {
            "type": kind,
            **{name: rays[axis] for axis, name in enumerate(names)},
            "mode": "lines",
            "line": {"width": 7 if three_d else 4, "color": RAY_COLOR},
            "name": "rows of W (rays)",
        },
    ]
    top = 1.05 * max(float(X.max()), ray_length)
    legend = {"orientation": "h", "x": 0.0, "y": 0.0, "yanchor": "top"}
    if three_d:
        axis = {"range": [0, top], "autorange": False}
        return _frame_figure(
            traces,
            title,
            margin,
            legend=legend,
            scene={
                "xaxis": {**axis, "title": {"text": "x₁"}},
                "yaxis": {**axis, "title": {"text": "x₂"}},
                "zaxis": {**axis, "title": {"text": "x₃"}},
                "aspectmode": "cube",
                "camera": {"eye": {"x": 2.2, "y": -0.6, "z": 0.8}},
            },
        )
    return _frame_figure(
        traces,
        title,
        {**margin, "l": 60, "b": 50},
        legend={**legend, "y": -0.15},
        xaxis={"range": [0, top], "title": {"text": "x₁"}},
        yaxis={"range": [0, top], "title": {"text": "x₂"}, "scaleanchor": "x"},
    )


def race_figure(race: Race, *, log_scale: bool = True) -> go.Figure:
    """The four solvers' losses against iteration (top) and wall-clock seconds (below).

    Each solver has its own colour and line style; the dashed black line is the rank-r SVD
    floor, the lowest loss any rank-r factorisation can reach; crosses mark the iterations
    where ALS's loss went up.

    Parameters
    ----------
    race : Race
    log_scale : bool
        Log scale for the shared loss axis.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    # Stacked, so each panel gets the full width of the column beside the update rules.
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.16,
        subplot_titles=("against iteration", "against wall-clock time"),
    )
    all_losses = [race.floor, race.start_loss]
    longest_time = 0.0
    shortest_time = np.inf
    n_iter = 0
    for solver, result in race.results.items():
        label = SOLVER_LABELS.get(solver, solver)
        style = {"color": METHOD_COLORS.get(solver), "dash": SOLVER_DASHES.get(solver), "width": 3}
        losses = _plotted(result.losses, log_scale)
        all_losses.extend(result.losses.tolist())
        longest_time = max(longest_time, float(result.times[-1]))
        if result.n_iter:
            shortest_time = min(shortest_time, float(result.times[1]))
        n_iter = max(n_iter, int(result.n_iter))
        fig.add_trace(
            go.Scatter(
                y=losses,
                x0=0,
                dx=1,
                mode="lines",
                line=style,
                name=label,
                legendgroup=solver,
                hovertemplate=f"{label}<br>iteration %{{x}}<br>loss %{{y:.5g}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        # The time axis is logarithmic (the solvers differ by orders of magnitude per
        # iteration), so it starts at iteration 1: the start point sits at t = 0.
        fig.add_trace(
            go.Scatter(
                x=result.times[1:],
                y=losses[1:],
                mode="lines",
                line=style,
                name=label,
                legendgroup=solver,
                showlegend=False,
                hovertemplate=f"{label}<br>%{{x:.4f}} s<br>loss %{{y:.5g}}<extra></extra>",
            ),
            row=2,
            col=1,
        )
        rises = race.increases(solver)
        if rises.size:
            marker = {
                "symbol": "x",
                "size": 8,
                "color": style["color"],
                "line": {"width": 1, "color": "black"},
            }
            name = f"{label} went up"
            fig.add_trace(
                go.Scatter(
                    x=rises,
                    y=losses[rises],
                    mode="markers",
                    marker=marker,
                    name=name,
                    legendgroup=solver,
                ),
                row=1,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=result.times[rises],
                    y=losses[rises],
                    mode="markers",
                    marker=marker,
                    name=name,
                    legendgroup=solver,
                    showlegend=False,
                ),
                row=2,
                col=1,
            )
    floor_name = f"SVD floor (rank {race.rank})"
    floor_style = {"color": "black", "dash": "longdash", "width": 2}
    if race.floor > 0 or not log_scale:
        left_time = shortest_time if np.isfinite(shortest_time) else 0.0
        for row, (left, right) in ((1, (0, n_iter)), (2, (left_time, longest_time))):
            fig.add_trace(
                go.Scatter(
                    x=[left, right],
                    y=[race.floor, race.floor],
                    mode="lines",
                    line=floor_style,
                    name=floor_name,
                    legendgroup="floor",
                    showlegend=row == 1,
                    hovertemplate=f"{floor_name}: %{{y:.5g}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
    fig.update_xaxes(title_text="iteration", row=1, col=1)
    fig.update_xaxes(title_text="seconds since the start (log scale)", type="log", row=2, col=1)
    fig.update_yaxes(
        title_text="loss" + (" (log)" if log_scale else ""),
        type="log" if log_scale else "linear",
        range=_loss_range(np.asarray(all_losses), log_scale),
    )
    apply_layout(fig, height=720)
    fig.update_layout(
        legend={"orientation": "h", "y": -0.12, "x": 0.0},
        margin={"l": 60, "r": 20, "t": 40, "b": 60},
    )
    return fig
