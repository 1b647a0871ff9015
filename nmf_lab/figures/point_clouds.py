"""Figures for the point-cloud page: the cone of ``W``, tip-to-tail sums, restarts, SPA steps.

All builders take plain arrays in the app's notation (``X`` n×k with points as rows, ``H`` n×r,
``W`` r×k with rays as rows) and work for k = 2 (flat plots) and k = 3 (3-D scenes; the
:func:`simplex_figure` view slices the cones with the plane ``x + y + z = 1``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nmf_lab.figures.common import apply_layout
from nmf_lab.figures.style import METHOD_COLORS, OKABE_ITO
from nmf_lab.lessons.point_clouds import PCAAxes, SPAStep

__all__ = [
    "cloud_figure",
    "cones_figure",
    "simplex_figure",
    "spa_step_figure",
]

POINT_COLOR = OKABE_ITO[4]  # sky blue
FAR_COLOR = OKABE_ITO[5]  # vermillion
RAY_COLOR = METHOD_COLORS["NMF"]  # blue
PCA_COLOR = METHOD_COLORS["PCA"]  # bluish green
TIP_COLOR = OKABE_ITO[1]  # orange
PICK_COLOR = OKABE_ITO[3]  # reddish purple
AXIS_COLOR = "#7f7f7f"
PLANTED_COLOR = "#000000"
# Colours for several cones on one figure (restarts); blue first, like the single-fit figure.
CONE_COLORS = (OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[3], OKABE_ITO[5], OKABE_ITO[7])


def _rgba(hex_color: str, alpha: float) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-300)


def _extent(*arrays: np.ndarray) -> float:
    lengths = [float(np.max(np.linalg.norm(a, axis=1))) for a in arrays if a is not None and len(a)]
    return 1.15 * max([*lengths, 1e-9])


def _segments(starts: np.ndarray, ends: np.ndarray) -> list[np.ndarray]:
    """Coordinates of many segments as one trace: start, end, gap, start, end, gap, …"""
    n, k = starts.shape
    stacked = np.full((3 * n, k), np.nan)
    stacked[0::3] = starts
    stacked[1::3] = ends
    return [stacked[:, j] for j in range(k)]


def _wedge_2d(W: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Outline of the 2-D cone of ``W`` (origin, arc between the outermost rays, origin)."""
    if W.shape[0] < 2:
        return None
    angles = np.arctan2(W[:, 1], W[:, 0])
    arc = np.linspace(angles.min(), angles.max(), 40)
    xs = np.concatenate([[0.0], radius * np.cos(arc), [0.0]])
    ys = np.concatenate([[0.0], radius * np.sin(arc), [0.0]])
    return xs, ys


def _arrow(
    fig: go.Figure,
    tail: np.ndarray,
    tip: np.ndarray,
    color: str,
    *,
    width: float = 2.5,
    text: str = "",
) -> None:
    fig.add_annotation(
        x=float(tip[0]),
        y=float(tip[1]),
        ax=float(tail[0]),
        ay=float(tail[1]),
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        showarrow=True,
        arrowhead=2,
        arrowsize=1.2,
        arrowwidth=width,
        arrowcolor=color,
        text="",
    )
    if text:
        fig.add_annotation(
            x=float(tip[0]),
            y=float(tip[1]),
            text=text,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"color": color},
        )


def _legend_line(
    fig: go.Figure, name: str, color: str, dash: str = "solid", scene: bool = False
) -> None:
    """A legend entry for things drawn as annotations (arrows have no legend of their own)."""
    if scene:
        fig.add_trace(
            go.Scatter3d(
                x=[None],
                y=[None],
                z=[None],
                mode="lines",
                name=name,
                line={"color": color, "dash": dash, "width": 4},
            )
        )
    else:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=name,
                line={"color": color, "dash": dash, "width": 3},
            )
        )


def cloud_figure(
    X: np.ndarray,
    W: np.ndarray,
    H: np.ndarray,
    *,
    planted_W: np.ndarray | None = None,
    far: np.ndarray | None = None,
    selected: int | None = None,
    show_reconstruction: bool = True,
    pca: PCAAxes | None = None,
    height: int = 560,
) -> go.Figure:
    """The cloud, the identity basis, the learned rays and their cone, and reconstructions.

    Parameters
    ----------
    X : ndarray, shape (n, k), k in {2, 3}
        The points.
    W : ndarray, shape (r, k)
        Learned rays (rows), drawn as arrows of their real length and as rays to the edge.
    H : ndarray, shape (n, r)
        Learned coefficients: ``H_i W`` is point ``i``'s reconstruction.
    planted_W : ndarray, shape (r', k), optional
        Planted rays, dashed.
    far : ndarray of bool, shape (n,), optional
        Points far outside the cone, highlighted.
    selected : int, optional
        A point whose sum ``H_i1 W_1 + … + H_ir W_r`` is drawn tip to tail, next to its
        identity-basis path ``X_i1 e_1 + … + X_ik e_k``.
    show_reconstruction : bool
        Draw each ``H_i W`` and the residual segment from ``X_i`` to it.
    pca : PCAAxes, optional
        Signed PCA axes through the mean.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    H = np.asarray(H, dtype=float)
    k = X.shape[1]
    if k not in (2, 3) or W.shape[1] != k or H.shape != (X.shape[0], W.shape[0]):
        raise ValueError(
            f"Need X (n, 2 or 3), W (r, k), H (n, r); got {X.shape}, {W.shape}, {H.shape}."
        )
    far = np.zeros(len(X), dtype=bool) if far is None else np.asarray(far, dtype=bool)
    if k == 2:
        return _cloud_2d(X, W, H, planted_W, far, selected, show_reconstruction, pca, height)
    return _cloud_3d(X, W, H, planted_W, far, selected, show_reconstruction, pca, height)


def _cloud_2d(X, W, H, planted_W, far, selected, show_reconstruction, pca, height):
    fig = go.Figure()
    radius = _extent(X, W, np.eye(2))
    ray_end = 3.0 * radius  # rays run past the visible box: they are half-lines
    wedge = _wedge_2d(W, ray_end)
    if wedge is not None:
        fig.add_trace(
            go.Scatter(
                x=wedge[0],
                y=wedge[1],
                fill="toself",
                mode="lines",
                line={"width": 0},
                fillcolor=_rgba(RAY_COLOR, 0.12),
                name="cone of W",
                hoverinfo="skip",
            )
        )
    unit_W = _unit(W)
    xs, ys = _segments(np.zeros_like(W), ray_end * unit_W)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="rays of W (half-lines)",
            line={"color": RAY_COLOR, "width": 1.5},
            hoverinfo="skip",
        )
    )
    if planted_W is not None:
        xs, ys = _segments(np.zeros_like(planted_W), ray_end * _unit(np.asarray(planted_W)))
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name="planted rays",
                line={"color": PLANTED_COLOR, "width": 1.5, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    if show_reconstruction:
        recon = H @ W
        xs, ys = _segments(X, recon)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name="residual X_i − H_i W",
                line={"color": AXIS_COLOR, "width": 1},
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=recon[:, 0],
                y=recon[:, 1],
                mode="markers",
                name="reconstruction H_i W",
                marker={"color": RAY_COLOR, "size": 4, "symbol": "circle-open"},
                hovertemplate="H_i W = (%{x:.3f}, %{y:.3f})<extra></extra>",
            )
        )
    index = np.arange(len(X))
    fig.add_trace(
        go.Scatter(
            x=X[~far, 0],
            y=X[~far, 1],
            mode="markers",
            name="points X_i",
            customdata=index[~far],
            marker={"color": POINT_COLOR, "size": 7, "line": {"width": 0.5, "color": "#333333"}},
            hovertemplate="point %{customdata}: (%{x:.3f}, %{y:.3f})<extra></extra>",
        )
    )
    if far.any():
        fig.add_trace(
            go.Scatter(
                x=X[far, 0],
                y=X[far, 1],
                mode="markers",
                name="far outside the cone",
                customdata=index[far],
                marker={"color": FAR_COLOR, "size": 10, "symbol": "x"},
                hovertemplate="point %{customdata} (outside): (%{x:.3f}, %{y:.3f})<extra></extra>",
            )
        )
    low = 0.0
    if pca is not None:
        low = _add_pca_2d(fig, pca)
    for j, row in enumerate(W):
        _arrow(fig, np.zeros(2), row, RAY_COLOR, width=3, text=f"W<sub>{j + 1}</sub>")
    _legend_line(fig, "learned rows W_j", RAY_COLOR)
    for j in range(2):
        _arrow(fig, np.zeros(2), np.eye(2)[j], AXIS_COLOR, width=2, text=f"e<sub>{j + 1}</sub>")
    _legend_line(fig, "identity basis e_1, e_2", AXIS_COLOR)
    if selected is not None:
        _add_tip_to_tail_2d(fig, X[selected], H[selected], W, selected)
    pad = 0.05 * radius
    # constrain="domain": keep equal scales by shrinking the plot, not by widening the range.
    fig.update_xaxes(
        range=[min(low, 0.0) - pad, radius], zeroline=True, title="x₁", constrain="domain"
    )
    fig.update_yaxes(
        range=[min(low, 0.0) - pad, radius],
        zeroline=True,
        title="x₂",
        scaleanchor="x",
        scaleratio=1,
    )
    apply_layout(fig, height=height)
    fig.update_layout(legend={"orientation": "h", "y": -0.15})
    return fig


def _add_pca_2d(fig: go.Figure, pca: PCAAxes) -> float:
    ends = []
    for j, (component, half) in enumerate(zip(pca.components, pca.half_lengths, strict=True)):
        start, stop = pca.mean - half * component, pca.mean + half * component
        ends.extend([start, stop])
        fig.add_trace(
            go.Scatter(
                x=[start[0], stop[0]],
                y=[start[1], stop[1]],
                mode="lines",
                name=f"PCA axis {j + 1} (signed)" if j == 0 else f"PCA axis {j + 1}",
                line={"color": PCA_COLOR, "width": 3, "dash": "solid" if j == 0 else "dot"},
            )
        )
        _arrow(fig, pca.mean, stop, PCA_COLOR, width=2, text=f"PC{j + 1}")
    return float(np.min(ends))


def _add_tip_to_tail_2d(
    fig: go.Figure, point: np.ndarray, h: np.ndarray, W: np.ndarray, index: int
) -> None:
    # Identity basis: x_1 e_1 then x_2 e_2, dashed grey.
    corner = np.array([point[0], 0.0])
    fig.add_trace(
        go.Scatter(
            x=[0, corner[0], point[0]],
            y=[0, corner[1], point[1]],
            mode="lines",
            name=f"point {index}: x₁e₁ + x₂e₂",
            line={"color": AXIS_COLOR, "width": 2, "dash": "dash"},
        )
    )
    tail = np.zeros(2)
    for j, (weight, row) in enumerate(zip(h, W, strict=True)):
        tip = tail + weight * row
        if weight > 0:
            _arrow(fig, tail, tip, TIP_COLOR, width=3)
            fig.add_annotation(
                x=float((tail[0] + tip[0]) / 2),
                y=float((tail[1] + tip[1]) / 2),
                text=f"H<sub>{index},{j + 1}</sub>W<sub>{j + 1}</sub>",
                showarrow=False,
                font={"color": TIP_COLOR},
                xanchor="right",
                yanchor="bottom",
            )
        tail = tip
    _legend_line(fig, f"point {index}: H_i1 W_1 + … + H_ir W_r", TIP_COLOR)
    fig.add_trace(
        go.Scatter(
            x=[point[0]],
            y=[point[1]],
            mode="markers",
            name=f"selected point {index}",
            marker={"color": PICK_COLOR, "size": 14, "symbol": "circle-open", "line": {"width": 3}},
        )
    )


def _line3d(fig, starts, ends, *, name, color, width=4, dash="solid", showlegend=True):
    xs, ys, zs = _segments(np.asarray(starts, dtype=float), np.asarray(ends, dtype=float))
    fig.add_trace(
        go.Scatter3d(
            x=xs,
            y=ys,
            z=zs,
            mode="lines",
            name=name,
            showlegend=showlegend,
            hoverinfo="skip",
            line={"color": color, "width": width, "dash": dash},
        )
    )


def _cone_faces(W: np.ndarray, radius: float) -> go.Mesh3d | None:
    """Shaded sides of the 3-D cone of ``W`` (a flat wedge for two rays)."""
    rank = W.shape[0]
    if rank < 2:
        return None
    tips = radius * _unit(W)
    vertices = np.vstack([np.zeros(3), tips])
    if rank == 2:
        faces = [(0, 1, 2)]
    else:
        # Order the rays around their mean direction so neighbouring rays share a face.
        centre = tips.mean(axis=0)
        axis_a = tips[0] - centre
        axis_b = np.cross(centre, axis_a)
        angles = np.arctan2((tips - centre) @ axis_b, (tips - centre) @ axis_a)
        order = np.argsort(angles) + 1
        faces = [(0, int(order[i]), int(order[(i + 1) % rank])) for i in range(rank)]
    i, j, k = (list(column) for column in zip(*faces, strict=True))
    return go.Mesh3d(
        x=vertices[:, 0],
        y=vertices[:, 1],
        z=vertices[:, 2],
        i=i,
        j=j,
        k=k,
        color=RAY_COLOR,
        opacity=0.18,
        name="cone of W",
        showlegend=True,
        hoverinfo="skip",
        flatshading=True,
    )


def _cloud_3d(X, W, H, planted_W, far, selected, show_reconstruction, pca, height):
    fig = go.Figure()
    radius = _extent(X, W, np.eye(3))
    faces = _cone_faces(W, 1.2 * radius)
    if faces is not None:
        fig.add_trace(faces)
    _line3d(
        fig,
        np.zeros_like(W),
        1.2 * radius * _unit(W),
        name="rays of W (half-lines)",
        color=RAY_COLOR,
        width=2,
    )
    _line3d(fig, np.zeros_like(W), W, name="learned rows W_j", color=RAY_COLOR, width=8)
    fig.add_trace(
        go.Scatter3d(
            x=W[:, 0],
            y=W[:, 1],
            z=W[:, 2],
            mode="markers+text",
            text=[f"W{j + 1}" for j in range(len(W))],
            showlegend=False,
            marker={"color": RAY_COLOR, "size": 5, "symbol": "diamond"},
            textfont={"color": RAY_COLOR},
            hoverinfo="skip",
        )
    )
    # Slice of the cone by the plane x + y + z = 1, and the same slice of the whole orthant.
    simplex = np.vstack([np.eye(3), np.eye(3)[:1]])
    fig.add_trace(
        go.Scatter3d(
            x=simplex[:, 0],
            y=simplex[:, 1],
            z=simplex[:, 2],
            mode="lines",
            name="slice x₁+x₂+x₃=1 of the orthant",
            hoverinfo="skip",
            line={"color": AXIS_COLOR, "width": 2, "dash": "dot"},
        )
    )
    if W.shape[0] >= 2:
        slice_pts = W / np.maximum(W.sum(axis=1, keepdims=True), 1e-300)
        slice_pts = np.vstack([slice_pts, slice_pts[:1]])
        fig.add_trace(
            go.Scatter3d(
                x=slice_pts[:, 0],
                y=slice_pts[:, 1],
                z=slice_pts[:, 2],
                mode="lines",
                name="slice of the cone of W",
                hoverinfo="skip",
                line={"color": RAY_COLOR, "width": 5},
            )
        )
    _line3d(
        fig,
        np.zeros((3, 3)),
        np.eye(3),
        name="identity basis e_1, e_2, e_3",
        color=AXIS_COLOR,
        width=6,
    )
    if planted_W is not None:
        planted = np.asarray(planted_W, dtype=float)
        _line3d(
            fig,
            np.zeros_like(planted),
            1.2 * radius * _unit(planted),
            name="planted rays",
            color=PLANTED_COLOR,
            width=3,
            dash="dash",
        )
    if show_reconstruction:
        recon = H @ W
        _line3d(fig, X, recon, name="residual X_i − H_i W", color=AXIS_COLOR, width=2)
        fig.add_trace(
            go.Scatter3d(
                x=recon[:, 0],
                y=recon[:, 1],
                z=recon[:, 2],
                mode="markers",
                name="reconstruction H_i W",
                hoverinfo="skip",
                marker={"color": RAY_COLOR, "size": 2},
            )
        )
    index = np.arange(len(X))
    fig.add_trace(
        go.Scatter3d(
            x=X[~far, 0],
            y=X[~far, 1],
            z=X[~far, 2],
            mode="markers",
            name="points X_i",
            customdata=index[~far],
            marker={"color": POINT_COLOR, "size": 3.5},
            hovertemplate="point %{customdata}<extra></extra>",
        )
    )
    if far.any():
        fig.add_trace(
            go.Scatter3d(
                x=X[far, 0],
                y=X[far, 1],
                z=X[far, 2],
                mode="markers",
                name="far outside the cone",
                customdata=index[far],
                marker={"color": FAR_COLOR, "size": 5, "symbol": "x"},
                hovertemplate="point %{customdata} (outside)<extra></extra>",
            )
        )
    low = 0.0
    if pca is not None:
        starts = pca.mean - pca.half_lengths[:, None] * pca.components
        stops = pca.mean + pca.half_lengths[:, None] * pca.components
        _line3d(fig, starts, stops, name="PCA axes (signed)", color=PCA_COLOR, width=6)
        low = float(min(starts.min(), stops.min()))
    if selected is not None:
        point, h = X[selected], H[selected]
        path = np.vstack([np.zeros(3), np.cumsum(h[:, None] * W, axis=0)])
        fig.add_trace(
            go.Scatter3d(
                x=path[:, 0],
                y=path[:, 1],
                z=path[:, 2],
                mode="lines+markers",
                line={"color": TIP_COLOR, "width": 8},
                marker={"size": 3, "color": TIP_COLOR},
                name=f"point {selected}: H_i1 W_1 + … + H_ir W_r",
            )
        )
        identity_path = np.array([[0, 0, 0], [point[0], 0, 0], [point[0], point[1], 0], point])
        fig.add_trace(
            go.Scatter3d(
                x=identity_path[:, 0],
                y=identity_path[:, 1],
                z=identity_path[:, 2],
                mode="lines",
                line={"color": AXIS_COLOR, "width": 4, "dash": "dash"},
                name=f"point {selected}: x₁e₁ + x₂e₂ + x₃e₃",
            )
        )
        fig.add_trace(
            go.Scatter3d(
                x=[point[0]],
                y=[point[1]],
                z=[point[2]],
                mode="markers",
                name=f"selected point {selected}",
                marker={"color": PICK_COLOR, "size": 8, "symbol": "circle-open"},
            )
        )
    axis_range = [min(low, 0.0), 1.2 * radius]
    fig.update_layout(
        scene={
            "xaxis": {"range": axis_range, "title": "x₁"},
            "yaxis": {"range": axis_range, "title": "x₂"},
            "zaxis": {"range": axis_range, "title": "x₃"},
            "aspectmode": "cube",
            "camera": {"eye": {"x": 1.5, "y": 1.5, "z": 1.1}},
        }
    )
    # 3-D scenes need more room than flat plots; the long legend goes to the side.
    apply_layout(fig, height=height + 120)
    fig.update_layout(legend={"orientation": "v", "x": 1.0, "y": 1.0})
    return fig


def _ternary_coordinates(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=float)
    totals = rows.sum(axis=1, keepdims=True)
    keep = totals[:, 0] > 0
    return rows[keep] / totals[keep]


def simplex_figure(
    X: np.ndarray,
    cones: Sequence[tuple[str, np.ndarray]],
    *,
    far: np.ndarray | None = None,
    height: int = 480,
) -> go.Figure:
    """3-D cloud seen on the slice ``x₁ + x₂ + x₃ = 1``: each cone becomes a polygon.

    A point ``X_i`` is drawn at ``X_i / ΣX_i``; a cone of rays ``W_j`` becomes the polygon with
    corners ``W_j / ΣW_j``. A point is inside a cone exactly when its dot is inside the polygon.
    Points at the origin have no direction and are left out.

    Parameters
    ----------
    X : ndarray, shape (n, 3)
    cones : sequence of (label, W) with W of shape (r, 3)
        The first is drawn filled; planted cones (label starting with "planted") dashed black.
    far : ndarray of bool, shape (n,), optional
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    X = np.asarray(X, dtype=float)
    if X.shape[1] != 3:
        raise ValueError(f"The simplex view needs 3-D points, got shape {X.shape}.")
    far = np.zeros(len(X), dtype=bool) if far is None else np.asarray(far, dtype=bool)
    fig = go.Figure()
    for index, (label, W) in enumerate(cones):
        W = np.asarray(W, dtype=float)
        corners = _ternary_coordinates(W)
        if len(corners) == 0:
            continue
        closed = np.vstack([corners, corners[:1]]) if len(corners) > 2 else corners
        planted = label.lower().startswith("planted")
        color = PLANTED_COLOR if planted else CONE_COLORS[index % len(CONE_COLORS)]
        fig.add_trace(
            go.Scatterternary(
                a=closed[:, 0],
                b=closed[:, 1],
                c=closed[:, 2],
                mode="lines+markers",
                name=label,
                fill="toself" if index == 0 and len(corners) > 2 else "none",
                fillcolor=_rgba(color, 0.12),
                line={"color": color, "width": 3, "dash": "dash" if planted else "solid"},
                marker={"size": 9, "symbol": "diamond"},
            )
        )
    points = _ternary_coordinates(X[~far])
    fig.add_trace(
        go.Scatterternary(
            a=points[:, 0],
            b=points[:, 1],
            c=points[:, 2],
            mode="markers",
            name="points (direction only)",
            marker={"color": POINT_COLOR, "size": 6, "line": {"width": 0.5, "color": "#333333"}},
        )
    )
    if far.any():
        outside = _ternary_coordinates(X[far])
        fig.add_trace(
            go.Scatterternary(
                a=outside[:, 0],
                b=outside[:, 1],
                c=outside[:, 2],
                mode="markers",
                name="far outside the cone",
                marker={"color": FAR_COLOR, "size": 9, "symbol": "x"},
            )
        )
    fig.update_layout(
        ternary={
            "sum": 1,
            "aaxis": {"title": "x₁"},
            "baxis": {"title": "x₂"},
            "caxis": {"title": "x₃"},
        }
    )
    apply_layout(fig, height=height)
    return fig


def cones_figure(
    X: np.ndarray,
    cones: Sequence[tuple[str, np.ndarray]],
    *,
    highlight: Sequence[int] = (),
    height: int = 480,
) -> go.Figure:
    """Several cones over one cloud (restarts, a stretched cone, SPA vs planted).

    In 2-D each cone is drawn as its rays plus a light wedge; in 3-D as polygons on the simplex
    slice (see :func:`simplex_figure`).

    Parameters
    ----------
    X : ndarray, shape (n, k)
    cones : sequence of (label, W) with W of shape (r, k)
        Labels starting with "planted" are drawn dashed black.
    highlight : sequence of int
        Points to circle (e.g. the rows SPA picked).
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    X = np.asarray(X, dtype=float)
    highlight = list(highlight)
    if X.shape[1] == 3:
        fig = simplex_figure(X, cones, height=height)
        if highlight:
            picked = _ternary_coordinates(X[highlight])
            fig.add_trace(
                go.Scatterternary(
                    a=picked[:, 0],
                    b=picked[:, 1],
                    c=picked[:, 2],
                    mode="markers",
                    name="picked points",
                    marker={
                        "color": PICK_COLOR,
                        "size": 16,
                        "symbol": "circle-open",
                        "line": {"width": 3},
                    },
                )
            )
        return fig
    fig = go.Figure()
    radius = _extent(X, np.eye(2))
    ray_end = 3.0 * radius
    for index, (label, W) in enumerate(cones):
        W = np.asarray(W, dtype=float)
        planted = label.lower().startswith("planted")
        color = PLANTED_COLOR if planted else CONE_COLORS[index % len(CONE_COLORS)]
        wedge = _wedge_2d(W, ray_end)
        if wedge is not None and not planted:
            fig.add_trace(
                go.Scatter(
                    x=wedge[0],
                    y=wedge[1],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor=_rgba(color, 0.07),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        xs, ys = _segments(np.zeros_like(W), ray_end * _unit(W))
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=label,
                hoverinfo="skip",
                line={"color": color, "width": 2.5, "dash": "dash" if planted else "solid"},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=X[:, 0],
            y=X[:, 1],
            mode="markers",
            name="points X_i",
            marker={"color": POINT_COLOR, "size": 6, "line": {"width": 0.5, "color": "#333333"}},
        )
    )
    if highlight:
        fig.add_trace(
            go.Scatter(
                x=X[highlight, 0],
                y=X[highlight, 1],
                mode="markers",
                name="picked points",
                marker={
                    "color": PICK_COLOR,
                    "size": 16,
                    "symbol": "circle-open",
                    "line": {"width": 3},
                },
            )
        )
    fig.update_xaxes(range=[0, radius], title="x₁", constrain="domain")
    fig.update_yaxes(range=[0, radius], title="x₂", scaleanchor="x", scaleratio=1)
    apply_layout(fig, height=height)
    return fig


def spa_step_figure(
    X: np.ndarray,
    steps: Sequence[SPAStep],
    step: int,
    *,
    planted_W: np.ndarray | None = None,
    height: int = 480,
) -> go.Figure:
    """One SPA step: the residual cloud, the row of largest length, and the picks so far.

    Parameters
    ----------
    X : ndarray, shape (n, k)
        The original points (drawn faded with the rays picked so far).
    steps : sequence of SPAStep
        From :func:`nmf_lab.lessons.point_clouds.spa_steps`.
    step : int
        Which step to show (0-based).
    planted_W : ndarray, shape (r, k), optional
        Planted rays, dashed.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if not 0 <= step < len(steps):
        raise ValueError(f"step must be in 0 … {len(steps) - 1}, got {step}.")
    X = np.asarray(X, dtype=float)
    state = steps[step]
    residual = state.residual
    k = X.shape[1]
    chosen = [*state.picked_before, state.picked]
    radius = _extent(X, np.eye(k))
    biggest = float(np.sqrt(state.norms[state.picked]))
    fig = go.Figure()
    if k == 2:
        fig.add_trace(
            go.Scatter(
                x=X[:, 0],
                y=X[:, 1],
                mode="markers",
                name="original points",
                marker={"color": _rgba(POINT_COLOR, 0.25), "size": 6},
            )
        )
        if step > 0:
            fig.add_trace(
                go.Scatter(
                    x=residual[:, 0],
                    y=residual[:, 1],
                    mode="markers",
                    name="residuals after projection",
                    marker={
                        "color": POINT_COLOR,
                        "size": 7,
                        "line": {"width": 0.5, "color": "#333333"},
                    },
                )
            )
        circle = np.linspace(0, 2 * np.pi, 120)
        fig.add_trace(
            go.Scatter(
                x=biggest * np.cos(circle),
                y=biggest * np.sin(circle),
                mode="lines",
                name="largest residual length",
                line={"color": PICK_COLOR, "width": 1.5, "dash": "dot"},
                hoverinfo="skip",
            )
        )
        xs, ys = _segments(np.zeros((len(chosen), 2)), X[chosen])
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name="picked rays X_j",
                line={"color": RAY_COLOR, "width": 3},
            )
        )
        if planted_W is not None:
            xs, ys = _segments(
                np.zeros_like(planted_W), 1.5 * radius * _unit(np.asarray(planted_W))
            )
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name="planted rays",
                    line={"color": PLANTED_COLOR, "width": 1.5, "dash": "dash"},
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[residual[state.picked, 0]],
                y=[residual[state.picked, 1]],
                mode="markers",
                name=f"step {step + 1} picks point {state.picked}",
                marker={
                    "color": PICK_COLOR,
                    "size": 16,
                    "symbol": "circle-open",
                    "line": {"width": 3},
                },
            )
        )
        low = float(min(residual.min(), 0.0))
        pad = 0.05 * radius
        fig.update_xaxes(
            range=[min(low, -biggest) - pad, radius], title="x₁", zeroline=True, constrain="domain"
        )
        fig.update_yaxes(
            range=[min(low, -biggest) - pad, radius],
            title="x₂",
            zeroline=True,
            scaleanchor="x",
            scaleratio=1,
        )
    else:
        fig.add_trace(
            go.Scatter3d(
                x=X[:, 0],
                y=X[:, 1],
                z=X[:, 2],
                mode="markers",
                name="original points",
                opacity=0.35,
                marker={"color": POINT_COLOR, "size": 3},
            )
        )
        if step > 0:
            fig.add_trace(
                go.Scatter3d(
                    x=residual[:, 0],
                    y=residual[:, 1],
                    z=residual[:, 2],
                    mode="markers",
                    name="residuals after projection",
                    marker={"color": POINT_COLOR, "size": 3.5},
                )
            )
        _line3d(
            fig,
            np.zeros((len(chosen), 3)),
            X[chosen],
            name="picked rays X_j",
            color=RAY_COLOR,
            width=8,
        )
        if planted_W is not None:
            planted = np.asarray(planted_W, dtype=float)
            _line3d(
                fig,
                np.zeros_like(planted),
                1.2 * radius * _unit(planted),
                name="planted rays",
                color=PLANTED_COLOR,
                width=3,
                dash="dash",
            )
        tip = residual[state.picked]
        fig.add_trace(
            go.Scatter3d(
                x=[tip[0]],
                y=[tip[1]],
                z=[tip[2]],
                mode="markers",
                name=f"step {step + 1} picks point {state.picked}",
                marker={"color": PICK_COLOR, "size": 9, "symbol": "circle-open"},
            )
        )
        low = float(min(residual.min(), 0.0))
        axis_range = [low, 1.2 * radius]
        fig.update_layout(
            scene={
                "xaxis": {"range": axis_range, "title": "x₁"},
                "yaxis": {"range": axis_range, "title": "x₂"},
                "zaxis": {"range": axis_range, "title": "x₃"},
                "aspectmode": "cube",
            }
        )
    apply_layout(fig, height=height)
    return fig
