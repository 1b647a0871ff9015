"""Figures for "Watching it learn": an animated run, and the race of the four solvers.

The animation is a plotly figure with ``frames``, play/pause buttons and a slider, so it runs in
the browser without a round trip to the server. To keep the message small, each frame carries
only what changes (the loss curve so far and the factors), pictures travel as small grey PNGs
and curves as float32 binary arrays, and the number of frames is capped upstream
(:data:`nmf_lab.lessons.watching_it_learn.MAX_FRAMES`).
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
    "learning_figure",
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


def _moving_data(
    data: LearningData,
    losses: np.ndarray,
    iteration: int,
    H: np.ndarray,
    W: np.ndarray,
    ray_length: float,
    log_scale: bool,
) -> list[dict]:
    """The arrays that change from frame to frame, one dict per moving trace.

    Order: the loss curve so far, the marker at its end, then the factor traces (cloud:
    reconstructions ``HW`` and rays; faces: the rows of ``W`` as one mosaic; image: ``HW``).
    Frames carry only these; styling is set once on the figure's own traces.
    """
    shown = _plotted(losses[: iteration + 1], log_scale)
    parts = [
        {"type": "scatter", "y": shown},
        {"type": "scatter", "x": [iteration], "y": shown[-1:]},
    ]
    if data.kind == "cloud":
        recon = (H @ W).astype(np.float32)
        rays = _ray_segments(W, ray_length)
        kind = "scatter3d" if data.X.shape[1] == 3 else "scatter"
        names = ("x", "y", "z")[: data.X.shape[1]]
        parts.append({"type": kind, **{name: recon[:, axis] for axis, name in enumerate(names)}})
        parts.append({"type": kind, **{name: rays[axis] for axis, name in enumerate(names)}})
    elif data.kind == "faces":
        parts.append({"type": "image", "source": png_data_uri(face_mosaic(W, data.image_shape))})
    else:
        parts.append(
            {"type": "image", "source": png_data_uri(_to_uint8(H @ W, float(data.X.max())))}
        )
    return parts


def _styled_traces(data: LearningData, parts: list[dict]) -> list:
    """Full traces (style and data) for the figure itself, from :func:`_moving_data`."""
    hover = "iteration %{x}<br>loss %{y:.4g}<extra></extra>"
    traces = [
        go.Scatter(
            y=parts[0]["y"],
            x0=0,
            dx=1,
            mode="lines",
            showlegend=False,
            line={"color": OKABE_ITO[0], "width": 3},
            hovertemplate=hover,
        ),
        go.Scatter(
            x=parts[1]["x"],
            y=parts[1]["y"],
            mode="markers",
            showlegend=False,
            marker={"size": 12, "color": OKABE_ITO[5]},
            hovertemplate=hover,
        ),
    ]
    factors = [{key: value for key, value in part.items() if key != "type"} for part in parts[2:]]
    if data.kind == "cloud":
        recon, rays = factors
        if data.X.shape[1] == 3:
            traces += [
                go.Scatter3d(
                    **recon,
                    mode="markers",
                    marker={"size": 3, "color": RECON_COLOR},
                    name="HW (reconstruction)",
                ),
                go.Scatter3d(
                    **rays,
                    mode="lines",
                    line={"width": 7, "color": RAY_COLOR},
                    name="rows of W (rays)",
                ),
            ]
        else:
            traces += [
                go.Scatter(
                    **recon,
                    mode="markers",
                    marker={"size": 6, "color": RECON_COLOR},
                    name="HW (reconstruction)",
                ),
                go.Scatter(
                    **rays,
                    mode="lines",
                    line={"width": 4, "color": RAY_COLOR},
                    name="rows of W (rays)",
                ),
            ]
    else:
        traces.append(go.Image(**factors[0], hoverinfo="skip"))
    return traces


def _factor_panel_title(data: LearningData) -> str:
    if data.kind == "cloud":
        return ""  # the legend names the three layers
    if data.kind == "faces":
        return "rows of W as basis images"
    return "the reconstruction HW"


def learning_figure(
    recording: Recording, data: LearningData, *, log_scale: bool = False, frame_ms: int = 120
) -> go.Figure:
    """The run as an animation: loss per iteration (left) and the factors in step (right).

    The figure opens on the last frame (the finished run); *Play* replays it from the start,
    *Pause* stops and *Resume* continues; the slider steps frame by frame.

    Parameters
    ----------
    recording : Recording
        Frames from :func:`nmf_lab.lessons.watching_it_learn.record_run` on ``data.X``.
    data : LearningData
        The data the run factored (decides what the right panel draws).
    log_scale : bool
        Log scale for the loss axis.
    frame_ms : int
        Milliseconds per frame when playing.

    Returns
    -------
    plotly.graph_objects.Figure
        With ``frames`` (one per recorded frame, named by iteration), ``updatemenus`` (play,
        pause, resume) and a ``sliders`` entry with one step per frame.
    """
    X = data.X
    losses = recording.result.losses
    three_d = data.kind == "cloud" and X.shape[1] == 3
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.5, 0.5],
        horizontal_spacing=0.08,
        specs=[[{"type": "xy"}, {"type": "scene" if three_d else "xy"}]],
        subplot_titles=(f"{LOSS_HTML} per iteration", _factor_panel_title(data)),
    )
    ray_length = 1.1 * float(np.linalg.norm(X, axis=1).max()) if data.kind == "cloud" else 0.0
    last = recording.n_frames - 1

    static_traces = []
    if data.kind == "cloud":
        points = X.astype(np.float32)
        if three_d:
            static_traces.append(
                go.Scatter3d(
                    x=points[:, 0],
                    y=points[:, 1],
                    z=points[:, 2],
                    mode="markers",
                    marker={"size": 3.5, "color": POINT_COLOR},
                    name="X (data)",
                )
            )
        else:
            static_traces.append(
                go.Scatter(
                    x=points[:, 0],
                    y=points[:, 1],
                    mode="markers",
                    marker={"size": 6, "color": POINT_COLOR},
                    name="X (data)",
                )
            )

    def moving(frame: int) -> list[dict]:
        return _moving_data(
            data,
            losses,
            int(recording.iterations[frame]),
            recording.H[frame],
            recording.W[frame],
            ray_length,
            log_scale,
        )

    styled = _styled_traces(data, moving(last))
    n_loss = 2
    for trace in styled[:n_loss]:
        fig.add_trace(trace, row=1, col=1)
    for trace in static_traces + styled[n_loss:]:
        fig.add_trace(trace, row=1, col=2)
    # Frames update only the traces that move; the static data cloud stays out of them.
    first_factor = n_loss + len(static_traces)
    moving_traces = list(range(n_loss)) + list(
        range(first_factor, first_factor + len(styled) - n_loss)
    )
    # Plain dicts: the figure validates each frame once (go.Frame objects would be twice).
    fig.frames = [
        {
            "data": moving(frame),
            "traces": moving_traces,
            "name": str(int(recording.iterations[frame])),
        }
        for frame in range(recording.n_frames)
    ]

    n_iter = int(recording.result.n_iter)
    fig.update_xaxes(title_text="iteration", range=[-0.5, max(n_iter, 1) + 0.5], row=1, col=1)
    fig.update_yaxes(
        title_text="loss (log scale)" if log_scale else "loss",
        type="log" if log_scale else "linear",
        range=_loss_range(losses, log_scale),
        row=1,
        col=1,
    )
    if data.kind == "cloud":
        top = 1.05 * max(float(X.max()), ray_length)
        if three_d:
            axis = {"range": [0, top], "autorange": False}
            fig.update_scenes(
                xaxis={**axis, "title": "x₁"},
                yaxis={**axis, "title": "x₂"},
                zaxis={**axis, "title": "x₃"},
                aspectmode="cube",
                camera={"eye": {"x": 2.2, "y": -0.6, "z": 0.8}},
            )
        else:
            fig.update_xaxes(range=[0, top], title_text="x₁", row=1, col=2)
            fig.update_yaxes(range=[0, top], title_text="x₂", scaleanchor="x2", row=1, col=2)
    else:
        fig.update_xaxes(visible=False, row=1, col=2)
        fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x2", row=1, col=2)

    play = {
        "frame": {"duration": frame_ms, "redraw": True},
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                # Above the plot, clear of the slider whatever the font size (lecture mode).
                "x": 0.0,
                "y": 1.08,
                "xanchor": "left",
                "yanchor": "bottom",
                "pad": {"r": 10, "b": 10},
                "buttons": [
                    {
                        "label": "▶ Play",
                        "method": "animate",
                        "args": [None, {**play, "fromcurrent": False}],
                    },
                    {
                        "label": "❚❚ Pause",
                        "method": "animate",
                        "args": [
                            [None],
                            {
                                "frame": {"duration": 0, "redraw": False},
                                "transition": {"duration": 0},
                                "mode": "immediate",
                            },
                        ],
                    },
                    {
                        "label": "Resume",
                        "method": "animate",
                        "args": [None, {**play, "fromcurrent": True}],
                    },
                ],
            }
        ],
        sliders=[
            {
                "active": last,
                "x": 0.0,
                "y": -0.14,
                "len": 1.0,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 30},
                "currentvalue": {"prefix": "iteration ", "visible": True},
                "steps": [
                    {
                        "label": str(int(iteration)),
                        "method": "animate",
                        "args": [
                            [str(int(iteration))],
                            {
                                "frame": {"duration": 0, "redraw": True},
                                "transition": {"duration": 0},
                                "mode": "immediate",
                            },
                        ],
                    }
                    for iteration in recording.iterations
                ],
            }
        ],
        legend={"orientation": "h", "x": 0.55, "y": 1.08, "yanchor": "bottom"},
    )
    apply_layout(fig, height=600)
    fig.update_layout(margin={"l": 60, "r": 20, "t": 110, "b": 150})
    return fig


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
