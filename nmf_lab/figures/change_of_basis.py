"""Figures of the "Change of basis" page: a point in two bases, a cloud and its learned basis,
rank-one layers, and functions on the sphere in the spherical-harmonics basis."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nmf_lab.figures.common import apply_layout, heatmap_trace
from nmf_lab.figures.style import DIVERGING, OKABE_ITO, SEQUENTIAL
from nmf_lab.lessons.change_of_basis.basis import tip_to_tail
from nmf_lab.lessons.change_of_basis.harmonics import sphere_to_cartesian

__all__ = [
    "cloud_bases_figure",
    "error_curve_figure",
    "layers_figure",
    "matrix_latex",
    "point_in_bases_figure",
    "spectrum_figure",
    "sphere_figure",
]

_IDENTITY_COLOR = "#777777"
_POINT_COLOR = "#000000"


# Top margin that holds two lines of subplot titles (16 px text).
_TWO_LINE_TITLES_PX = 50


def matrix_latex(matrix: np.ndarray, *, digits: int = 2) -> str:
    """A matrix (or row vector) as LaTeX ``pmatrix`` source, rounded to ``digits`` decimals."""
    M = np.atleast_2d(np.asarray(matrix, dtype=float))
    # Values that round to zero print as 0.00: a board shows 0, not −0.00.
    rows = [
        " & ".join(f"{0.0 if round(v, digits) == 0 else v:.{digits}f}" for v in row) for row in M
    ]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


# ---------------------------------------------------------------- one point, two bases


def _arrow_2d(
    fig: go.Figure,
    tail,
    tip,
    color: str,
    *,
    width: float = 3,
    dash: bool = False,
    row: int | None = None,
    col: int | None = None,
) -> None:
    """An arrow annotation in data coordinates (tail → tip)."""
    axis = "" if row is None or (row, col) == (1, 1) else str(col)
    fig.add_annotation(
        x=tip[0],
        y=tip[1],
        ax=tail[0],
        ay=tail[1],
        xref=f"x{axis}",
        yref=f"y{axis}",
        axref=f"x{axis}",
        ayref=f"y{axis}",
        showarrow=True,
        arrowhead=3,
        arrowsize=1.2,
        arrowwidth=width if not dash else max(1.0, width - 1.5),
        arrowcolor=color,
        text="",
        opacity=0.6 if dash else 1.0,
    )


def _line_3d(
    fig: go.Figure,
    tail,
    tip,
    color: str,
    *,
    name: str,
    width: float = 6,
    dash: str = "solid",
    showlegend: bool = True,
    scene: str = "scene",
) -> None:
    fig.add_trace(
        go.Scatter3d(
            x=[tail[0], tip[0]],
            y=[tail[1], tip[1]],
            z=[tail[2], tip[2]],
            mode="lines+markers",
            line={"color": color, "width": width, "dash": dash},
            marker={"size": [0, 5], "color": color, "symbol": "diamond"},
            name=name,
            showlegend=showlegend,
            legendgroup=name,
            scene=scene,
            hoverinfo="name",
        )
    )


def point_in_bases_figure(
    point: np.ndarray,
    basis: np.ndarray | None,
    coordinates: np.ndarray | None,
    *,
    height: int = 520,
) -> go.Figure:
    """The point ``P`` reached two ways: along the identity axes and along the chosen basis rows.

    Grey dashed arrows walk ``P₁e₁ + P₂e₂ (+ P₃e₃)``; coloured arrows walk ``c₁b₁ + c₂b₂ (+ …)``
    tip to tail, and thin arrows from the origin show the basis rows ``b_i`` themselves.

    Parameters
    ----------
    point : ndarray, shape (k,)
        ``k`` is 2 or 3.
    basis : ndarray, shape (k, k) or None
        Rows are the basis vectors; ``None`` (a singular basis) draws the identity walk only.
    coordinates : ndarray, shape (k,) or None
        Coordinates of ``point`` in ``basis``.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    P = np.asarray(point, dtype=float)
    k = P.shape[0]
    if k not in (2, 3):
        raise ValueError(f"Only 2-D and 3-D points can be drawn, got {k}-D.")
    identity_path = tip_to_tail(P, np.eye(k))
    paths = [identity_path]
    if basis is not None and coordinates is not None:
        B = np.asarray(basis, dtype=float)
        basis_path = tip_to_tail(coordinates, B)
        paths += [basis_path, B, np.zeros((1, k))]
    else:
        B, basis_path = None, None
    drawn = np.vstack(paths)
    extent = 1.15 * max(1.0, float(np.max(np.abs(drawn))))
    # Show the quadrants the drawing uses (plus a margin), not always all four.
    margin = 0.15 * extent
    low = np.minimum(drawn.min(axis=0), 0.0) - margin
    high = np.maximum(drawn.max(axis=0), 0.0) + margin
    colors = OKABE_ITO

    fig = go.Figure()
    if k == 2:
        for i in range(k):
            _arrow_2d(fig, identity_path[i], identity_path[i + 1], _IDENTITY_COLOR, dash=True)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name="P₁e₁ + P₂e₂ (identity)",
                line={"color": _IDENTITY_COLOR, "dash": "dash"},
            )
        )
        if B is not None:
            for i in range(k):
                _arrow_2d(fig, np.zeros(2), B[i], colors[i], width=1.5)
                _arrow_2d(fig, basis_path[i], basis_path[i + 1], colors[i], width=4)
                fig.add_trace(
                    go.Scatter(
                        x=[B[i, 0]],
                        y=[B[i, 1]],
                        mode="text",
                        text=[f"b{i + 1}"],
                        textposition="top center",
                        textfont={"color": colors[i], "size": 16},
                        showlegend=False,
                        hoverinfo="skip",
                    )
                )
                fig.add_trace(
                    go.Scatter(
                        x=[None],
                        y=[None],
                        mode="lines",
                        line={"color": colors[i], "width": 4},
                        name=f"c{i + 1}·b{i + 1}  (c{i + 1} = {coordinates[i]:.2f})",
                    )
                )
        fig.add_trace(
            go.Scatter(
                x=[P[0]],
                y=[P[1]],
                mode="markers+text",
                text=["P"],
                textposition="top right",
                name="P",
                marker={"size": 14, "color": _POINT_COLOR},
                textfont={"size": 18},
            )
        )
        fig.update_xaxes(range=[low[0], high[0]], zeroline=True, zerolinecolor="#bbbbbb")
        fig.update_yaxes(
            range=[low[1], high[1]],
            zeroline=True,
            zerolinecolor="#bbbbbb",
            scaleanchor="x",
            scaleratio=1,
        )
    else:
        for i in range(k):
            _line_3d(
                fig,
                identity_path[i],
                identity_path[i + 1],
                _IDENTITY_COLOR,
                name="P₁e₁ + P₂e₂ + P₃e₃ (identity)",
                dash="dash",
                width=4,
                showlegend=i == 0,
            )
        if B is not None:
            for i in range(k):
                _line_3d(fig, np.zeros(3), B[i], colors[i], name=f"b{i + 1}", width=3)
                _line_3d(
                    fig,
                    basis_path[i],
                    basis_path[i + 1],
                    colors[i],
                    width=8,
                    name=f"c{i + 1}·b{i + 1}  (c{i + 1} = {coordinates[i]:.2f})",
                )
        fig.add_trace(
            go.Scatter3d(
                x=[P[0]],
                y=[P[1]],
                z=[P[2]],
                mode="markers+text",
                text=["P"],
                name="P",
                marker={"size": 7, "color": _POINT_COLOR},
            )
        )
        axes = {
            name: {"range": [low[i], high[i]], "zeroline": True}
            for i, name in enumerate(("xaxis", "yaxis", "zaxis"))
        }
        fig.update_layout(scene={**axes, "aspectmode": "data"})
    fig.update_layout(legend={"orientation": "h", "y": -0.08})
    return apply_layout(fig, height=height)


# ---------------------------------------------------------------- a cloud, two bases


def _cone_2d(W: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Polygon of the cone {a w₁ + b w₂, a, b ≥ 0} cut at ``radius`` (2-D, r = 2)."""
    angles = np.arctan2(W[:, 1], W[:, 0])
    arc = np.linspace(angles.min(), angles.max(), 30)
    return (
        np.concatenate([[0], radius * np.cos(arc), [0]]),
        np.concatenate([[0], radius * np.sin(arc), [0]]),
    )


def _inward_label_position(tip: np.ndarray) -> str:
    """Where the label of an arrow from the origin to ``tip`` goes so it stays inside the axes.

    The tips lie near the edge of the plotted range, so a label centred over the tip of a
    flat arrow, or beside the tip of a steep one, runs off the plot (more so with lecture
    mode's doubled text). Labels go towards the inside: over and left of a flat arrow's tip,
    under and right of a steep one's.

    Parameters
    ----------
    tip : ndarray, shape (2,)

    Returns
    -------
    str
        A plotly ``textposition``.
    """
    return "bottom right" if tip[1] > tip[0] else "top left"


def cloud_bases_figure(
    X: np.ndarray, W: np.ndarray, *, HW: np.ndarray | None = None, height: int = 460
) -> go.Figure:
    """The same nonnegative cloud twice: with the identity basis, and with the learned rows of W.

    Learned rows are drawn at the scale of the cloud (direction is what matters: rescaling a
    row of ``W`` and the matching column of ``H`` leaves ``HW`` unchanged).

    Parameters
    ----------
    X : ndarray, shape (n, k), k in {2, 3}
    W : ndarray, shape (r, k)
    HW : ndarray, shape (n, k), optional
        The reconstructions, drawn as open circles on the right: where the learned basis puts
        each point (on the ray when r = 1).
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    k = X.shape[1]
    if k not in (2, 3) or W.shape[1] != k:
        raise ValueError(
            f"Need a 2-D or 3-D cloud and W with matching columns; got X {X.shape}, W {W.shape}."
        )
    if HW is not None:
        HW = np.asarray(HW, dtype=float)
        if HW.shape != X.shape:
            raise ValueError(f"HW must have the shape of X {X.shape}, got {HW.shape}.")
    radius = 1.1 * float(np.max(np.linalg.norm(X, axis=1))) or 1.0
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    W_drawn = radius * W / np.where(norms > 0, norms, 1.0)
    # Two lines: at 1024 pixels each panel is about 190 pixels wide, the titles 230.
    titles = ("Identity basis:<br>coordinates = X", "Learned rows of W:<br>coordinates = H")
    spec = "xy" if k == 2 else "scene"
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=titles,
        specs=[[{"type": spec}, {"type": spec}]],
        horizontal_spacing=0.08,
    )
    cloud_style = {"size": 6 if k == 2 else 3, "color": OKABE_ITO[4], "opacity": 0.8}
    identity = radius * np.eye(k)
    for col, rows, names, color_of in (
        (1, identity, [f"e{i + 1}" for i in range(k)], lambda i: _IDENTITY_COLOR),
        (
            2,
            W_drawn,
            [f"W row {i + 1}" for i in range(len(W))],
            lambda i: OKABE_ITO[i % len(OKABE_ITO)],
        ),
    ):
        if k == 2:
            fig.add_trace(
                go.Scatter(
                    x=X[:, 0],
                    y=X[:, 1],
                    mode="markers",
                    marker=cloud_style,
                    name="points (rows of X)",
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
            if col == 2 and HW is not None:
                fig.add_trace(
                    go.Scatter(
                        x=HW[:, 0],
                        y=HW[:, 1],
                        mode="markers",
                        marker={"size": 7, "color": OKABE_ITO[5], "symbol": "circle-open"},
                        name="reconstructions H_i W",
                    ),
                    row=1,
                    col=col,
                )
            if col == 2 and len(W) == 2:
                cx, cy = _cone_2d(W, radius)
                fig.add_trace(
                    go.Scatter(
                        x=cx,
                        y=cy,
                        fill="toself",
                        mode="lines",
                        line={"width": 0},
                        fillcolor="rgba(0,114,178,0.12)",
                        name="cone spanned by W",
                        hoverinfo="skip",
                    ),
                    row=1,
                    col=col,
                )
            for i, row in enumerate(rows):
                _arrow_2d(fig, np.zeros(2), row, color_of(i), width=3, row=1, col=col)
                fig.add_trace(
                    go.Scatter(
                        x=[row[0]],
                        y=[row[1]],
                        mode="text",
                        text=[names[i]],
                        textposition=_inward_label_position(row),
                        showlegend=False,
                        textfont={"color": color_of(i), "size": 15},
                        hoverinfo="skip",
                    ),
                    row=1,
                    col=col,
                )
        else:
            scene = "scene" if col == 1 else "scene2"
            fig.add_trace(
                go.Scatter3d(
                    x=X[:, 0],
                    y=X[:, 1],
                    z=X[:, 2],
                    mode="markers",
                    marker=cloud_style,
                    name="points (rows of X)",
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
            if col == 2 and HW is not None:
                fig.add_trace(
                    go.Scatter3d(
                        x=HW[:, 0],
                        y=HW[:, 1],
                        z=HW[:, 2],
                        mode="markers",
                        marker={"size": 3, "color": OKABE_ITO[5], "symbol": "circle-open"},
                        name="reconstructions H_i W",
                    ),
                    row=1,
                    col=col,
                )
            for i, row in enumerate(rows):
                _line_3d(fig, np.zeros(3), row, color_of(i), name=names[i], scene=scene)
    if k == 2:
        for col in (1, 2):
            fig.update_xaxes(range=[-0.05 * radius, radius * 1.05], row=1, col=col)
            fig.update_yaxes(
                range=[-0.05 * radius, radius * 1.05],
                scaleanchor=f"x{col}",
                scaleratio=1,
                row=1,
                col=col,
            )
    else:
        axis = {"range": [0, radius * 1.05]}
        for scene in ("scene", "scene2"):
            fig.layout[scene].update(xaxis=axis, yaxis=axis, zaxis=axis, aspectmode="cube")
    fig.update_layout(legend={"orientation": "h", "y": -0.1})
    apply_layout(fig, height=height)
    return fig.update_layout(margin={"t": _TWO_LINE_TITLES_PX})


# ---------------------------------------------------------------- rank-one layers


def layers_figure(layers: np.ndarray, *, height: int = 300) -> go.Figure:
    """The r rank-one layers ``H[:, i] W[i, :]`` side by side, then their sum ``HW``.

    All panels share one colour scale, so the layers visibly add up to the product.

    Parameters
    ----------
    layers : ndarray, shape (r, n, k)

    Returns
    -------
    plotly.graph_objects.Figure
    """
    layers = np.asarray(layers, dtype=float)
    r = layers.shape[0]
    total = layers.sum(axis=0)
    zmax = float(total.max()) or 1.0
    titles = [f"H[:, {i + 1}] W[{i + 1}, :]" for i in range(r)] + ["HW (the sum)"]
    fig = make_subplots(rows=1, cols=r + 1, subplot_titles=titles, horizontal_spacing=0.04)
    for i, matrix in enumerate([*layers, total]):
        trace = heatmap_trace(matrix, zmax=zmax, showscale=i == r)
        trace.update(xgap=1, ygap=1)
        fig.add_trace(trace, row=1, col=i + 1)
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    # "+" between layers, "=" before the sum, centred in the gaps.
    for i in range(r):
        left = fig.layout[f"xaxis{'' if i == 0 else i + 1}"].domain[1]
        right = fig.layout[f"xaxis{i + 2}"].domain[0]
        fig.add_annotation(
            text="=" if i == r - 1 else "+",
            x=(left + right) / 2,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font={"size": 24},
        )
    return apply_layout(fig, height=height)


# ---------------------------------------------------------------- spherical harmonics


def sphere_figure(
    theta: np.ndarray,
    phi: np.ndarray,
    surfaces: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    height: int = 430,
) -> go.Figure:
    """Functions on the unit sphere as coloured spheres, one scene per function.

    Signed functions use the diverging scale centred on zero; all spheres share one colour
    range so they compare directly.

    Parameters
    ----------
    theta, phi : ndarray, shape (a, b)
        A meshgrid of polar angle and azimuth covering the sphere (include φ = 2π to close it).
    surfaces : sequence of ndarray, each shape (a, b)
    titles : sequence of str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    x, y, z = sphere_to_cartesian(theta, phi)
    bound = max(float(np.max(np.abs(s))) for s in surfaces) or 1.0
    signed = any(float(np.min(s)) < -1e-9 * bound for s in surfaces)
    fig = make_subplots(
        rows=1,
        cols=len(surfaces),
        subplot_titles=list(titles),
        specs=[[{"type": "scene"}] * len(surfaces)],
        horizontal_spacing=0.02,
    )
    for i, values in enumerate(surfaces):
        fig.add_trace(
            go.Surface(
                x=x,
                y=y,
                z=z,
                surfacecolor=values,
                colorscale=DIVERGING if signed else SEQUENTIAL,
                cmin=-bound if signed else 0.0,
                cmax=bound,
                cmid=0 if signed else None,
                showscale=i == len(surfaces) - 1,
                hovertemplate="f = %{surfacecolor:.3f}<extra></extra>",
            ),
            row=1,
            col=i + 1,
        )
    hidden = {"visible": False}
    camera = {"eye": {"x": 1.4, "y": 1.4, "z": 0.9}}
    for i in range(len(surfaces)):
        scene = "scene" if i == 0 else f"scene{i + 1}"
        fig.layout[scene].update(
            xaxis=hidden, yaxis=hidden, zaxis=hidden, aspectmode="data", camera=camera
        )
    return apply_layout(fig, height=height)


def spectrum_figure(coefficients: np.ndarray, *, height: int = 380) -> go.Figure:
    """Coefficients ``f_l^m`` as a triangle: degree ``l`` down, order ``m`` across.

    Parameters
    ----------
    coefficients : ndarray, shape ((l_max + 1)²,)

    Returns
    -------
    plotly.graph_objects.Figure
    """
    coefficients = np.asarray(coefficients, dtype=float)
    l_max = math.isqrt(coefficients.size) - 1
    grid = np.full((l_max + 1, 2 * l_max + 1), np.nan)
    for l in range(l_max + 1):  # noqa: E741
        grid[l, l_max - l : l_max + l + 1] = coefficients[l * l : (l + 1) ** 2]
    bound = float(np.max(np.abs(coefficients))) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=np.arange(-l_max, l_max + 1),
            y=np.arange(l_max + 1),
            colorscale=DIVERGING,
            zmin=-bound,
            zmax=bound,
            zmid=0,
            xgap=1,
            ygap=1,
            hovertemplate="l = %{y}, m = %{x}: f = %{z:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="order m", dtick=1 if l_max <= 8 else 2)
    fig.update_yaxes(title="degree l", autorange="reversed", dtick=1)
    return apply_layout(fig, height=height)


def error_curve_figure(errors: np.ndarray, chosen: int, *, height: int = 380) -> go.Figure:
    """Relative L² error of the truncated expansion against ``l_max``, the chosen one marked.

    Parameters
    ----------
    errors : ndarray, shape (L + 1,)
        ``errors[l]`` for ``l_max = l``.
    chosen : int
        The ``l_max`` picked on the page.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    errors = np.asarray(errors, dtype=float)
    degrees = np.arange(errors.size)
    fig = go.Figure(
        go.Scatter(
            x=degrees,
            y=errors,
            mode="lines+markers",
            name="relative error",
            line={"color": OKABE_ITO[0]},
        )
    )
    if 0 <= chosen < errors.size:
        fig.add_trace(
            go.Scatter(
                x=[chosen],
                y=[errors[chosen]],
                mode="markers",
                marker={"size": 14, "color": OKABE_ITO[5], "symbol": "circle"},
                name=f"l_max = {chosen}",
            )
        )
    fig.update_xaxes(title="l_max", dtick=1)
    fig.update_yaxes(title="‖f − f_lmax‖ / ‖f‖", rangemode="tozero")
    fig.update_layout(showlegend=False)
    return apply_layout(fig, height=height)
