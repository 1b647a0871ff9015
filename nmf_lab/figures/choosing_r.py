"""Figures of the "Choosing r and penalties" page: rank selection, penalties, cost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nmf_lab.figures.common import apply_layout
from nmf_lab.figures.style import METHOD_COLORS, OKABE_ITO, SEQUENTIAL
from nmf_lab.lessons.choosing_r.cost import CostSweep, WorkFit, fit_power_law
from nmf_lab.lessons.choosing_r.penalties import PenaltySweep
from nmf_lab.lessons.choosing_r.rank_selection import RankSweep

__all__ = [
    "basis_comparison_figure",
    "consensus_figure",
    "convergence_figure",
    "cost_figure",
    "error_vs_rank_figure",
    "explained_variance_figure",
    "penalty_sweep_figure",
    "stability_figure",
    "tile_basis",
]

_PLANTED_COLOR = OKABE_ITO[7]
_SUGGESTED_COLOR = OKABE_ITO[3]
# Legends above the plot: the side legend takes a third of a half-width column.
_TOP_LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0}
# Under the axis titles of a row of panels (a legend at the side narrows every panel, and the
# subplot titles hold the top).
_BOTTOM_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0}


def _rank_axis(fig: go.Figure, ranks: np.ndarray) -> None:
    fig.update_xaxes(
        title_text="rank r", dtick=1, range=[float(ranks.min()) - 0.5, float(ranks.max()) + 0.5]
    )


def _mark_ranks(
    fig: go.Figure, planted_rank: int | None, suggested_rank: int | None, **position
) -> None:
    if planted_rank is not None:
        fig.add_vline(
            x=planted_rank,
            line_dash="dot",
            line_color=_PLANTED_COLOR,
            annotation_text=f"planted r = {planted_rank}",
            annotation_position="top right",
            **position,
        )
    if suggested_rank is not None:
        fig.add_vline(
            x=suggested_rank,
            line_dash="dash",
            line_color=_SUGGESTED_COLOR,
            annotation_text=f"suggested r = {suggested_rank}",
            annotation_position="bottom right",
            **position,
        )


def error_vs_rank_figure(
    sweep: RankSweep, *, planted_rank: int | None = None, height: int = 380
) -> go.Figure:
    """Relative error of NMF (best and every restart) and of the SVD against the rank.

    Parameters
    ----------
    sweep : RankSweep
    planted_rank : int, optional
        Drawn as a dotted vertical line when the true rank is known.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    runs = sweep.restart_errors
    fig.add_trace(
        go.Scatter(
            x=np.repeat(sweep.ranks, runs.shape[1]),
            y=runs.ravel(),
            mode="markers",
            name="NMF, each restart",
            marker={
                "color": METHOD_COLORS["NMF"],
                "opacity": 0.3,
                "size": 7,
                "symbol": "circle-open",
            },
        )
    )
    fig.add_trace(
        go.Scatter(
            x=sweep.ranks,
            y=sweep.nmf_error,
            mode="lines+markers",
            name="NMF, best restart",
            line={"color": METHOD_COLORS["NMF"]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=sweep.ranks,
            y=sweep.svd_error,
            mode="lines+markers",
            name="SVD (lower bound)",
            line={"color": METHOD_COLORS["SVD"], "dash": "dash"},
            marker={"symbol": "diamond"},
        )
    )
    _mark_ranks(fig, planted_rank, None)
    _rank_axis(fig, sweep.ranks)
    fig.update_yaxes(
        title_text="‖X − HW‖<sub>F</sub> / ‖X‖<sub>F</sub>", rangemode="tozero", tickformat=".0%"
    )
    apply_layout(fig, height=height)
    fig.update_layout(legend=_TOP_LEGEND, margin={"t": 50})
    return fig


def explained_variance_figure(
    sweep: RankSweep, *, planted_rank: int | None = None, height: int = 340
) -> go.Figure:
    """Share of the variance explained by the best NMF and by the SVD at each rank."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=sweep.ranks,
            y=sweep.nmf_explained_variance,
            mode="lines+markers",
            name="NMF",
            line={"color": METHOD_COLORS["NMF"]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=sweep.ranks,
            y=sweep.svd_explained_variance,
            mode="lines+markers",
            name="SVD",
            line={"color": METHOD_COLORS["SVD"], "dash": "dash"},
            marker={"symbol": "diamond"},
        )
    )
    _mark_ranks(fig, planted_rank, None)
    _rank_axis(fig, sweep.ranks)
    fig.update_yaxes(title_text="explained variance", tickformat=".0%")
    apply_layout(fig, height=height)
    fig.update_layout(legend=_TOP_LEGEND, margin={"t": 50})
    return fig


def stability_figure(
    sweep: RankSweep, *, planted_rank: int | None = None, height: int = 340
) -> go.Figure:
    """Cophenetic correlation and dispersion of the consensus matrix against the rank."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=sweep.ranks,
            y=sweep.cophenetic,
            mode="lines+markers",
            name="cophenetic correlation ρ",
            line={"color": OKABE_ITO[2]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=sweep.ranks,
            y=sweep.dispersion,
            mode="lines+markers",
            name="dispersion",
            line={"color": OKABE_ITO[5], "dash": "dash"},
            marker={"symbol": "square"},
        )
    )
    _mark_ranks(fig, planted_rank, sweep.suggested_rank)
    low = float(min(np.min(sweep.cophenetic), np.min(sweep.dispersion)))
    _rank_axis(fig, sweep.ranks)
    fig.update_yaxes(title_text="1 = all restarts agree", range=[min(low - 0.05, 0.8), 1.03])
    apply_layout(fig, height=height)
    fig.update_layout(legend=_TOP_LEGEND, margin={"t": 50})
    return fig


def consensus_figure(
    consensus: np.ndarray, order: Sequence[int] | None = None, *, height: int = 420
) -> go.Figure:
    """The consensus matrix as a heatmap, points reordered so stable clusters form blocks.

    Parameters
    ----------
    consensus : ndarray, shape (n, n)
        Share of restarts that put two points in the same cluster.
    order : sequence of int, optional
        A permutation of the points (e.g.
        :func:`nmf_lab.lessons.choosing_r.rank_selection.consensus_order`).
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    consensus = np.asarray(consensus, dtype=np.float64)
    order = np.arange(len(consensus)) if order is None else np.asarray(order)
    shown = consensus[np.ix_(order, order)]
    labels = [str(index) for index in order]
    fig = go.Figure(
        go.Heatmap(
            z=shown,
            x=labels,
            y=labels,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "share of<br>restarts"}},
            hovertemplate="points %{y} and %{x}: together in %{z:.0%} of restarts<extra></extra>",
        )
    )
    fig.update_xaxes(
        title_text="points (reordered)", showticklabels=False, type="category", showgrid=False
    )
    fig.update_yaxes(
        title_text="points (reordered)",
        showticklabels=False,
        type="category",
        autorange="reversed",
        showgrid=False,
    )
    return apply_layout(fig, height=height)


def tile_basis(
    W: np.ndarray, image_shape: tuple[int, int], *, columns: int | None = None, gap: int = 1
) -> np.ndarray:
    """Arrange the rows of ``W`` as images in one mosaic, each scaled to its own maximum.

    Parameters
    ----------
    W : ndarray, shape (r, h·w)
    image_shape : tuple of int
        ``(h, w)``.
    columns : int, optional
        Images per mosaic row (default: all in one row).
    gap : int
        Pixels of NaN (drawn blank) between images.

    Returns
    -------
    ndarray, shape (rows·(h+gap)−gap, columns·(w+gap)−gap)
    """
    W = np.asarray(W, dtype=np.float64)
    height, width = image_shape
    if W.ndim != 2 or W.shape[1] != height * width:
        raise ValueError(
            f"W must have shape (r, {height * width}) for images of shape "
            f"{image_shape}, got {W.shape}."
        )
    count = W.shape[0]
    columns = count if columns is None else max(1, min(columns, count))
    rows = -(-count // columns)
    mosaic = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan)
    for index, row in enumerate(W):
        peak = float(row.max())
        picture = (row / peak if peak > 0 else row).reshape(height, width)
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        mosaic[top : top + height, left : left + width] = picture
    return mosaic


def basis_comparison_figure(
    W_before: np.ndarray,
    W_after: np.ndarray,
    image_shape: tuple[int, int],
    *,
    titles: tuple[str, str] = ("without penalties", "with penalties"),
    columns: int | None = None,
    height: int = 420,
) -> go.Figure:
    """Basis images (rows of ``W``) before and after penalties, one mosaic above the other.

    Each image is scaled to its own maximum so shapes, not brightness, are compared; a basis
    vector switched off by the penalty shows as a black tile.
    """
    fig = make_subplots(rows=2, cols=1, subplot_titles=titles, vertical_spacing=0.08)
    for row, W in enumerate((W_before, W_after), start=1):
        fig.add_trace(
            go.Heatmap(
                z=tile_basis(W, image_shape, columns=columns),
                colorscale="gray",
                zmin=0,
                zmax=1,
                showscale=row == 1,
                colorbar={"title": {"text": "share of<br>max"}},
                hovertemplate="%{z:.2f}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(
            autorange="reversed",
            scaleanchor=f"x{row if row > 1 else ''}",
            showticklabels=False,
            showgrid=False,
            zeroline=False,
            row=row,
            col=1,
        )
        fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, row=row, col=1)
    return apply_layout(fig, height=height)


# 1-2-5 ticks over eight decades, for log axes of times.
_NICE_TICKS = np.array(
    [mantissa * 10.0**exponent for exponent in range(-4, 4) for mantissa in (1, 2, 5)]
)


def _value_labels(values: np.ndarray) -> list[str]:
    return [f"{value:g}" for value in values]


def penalty_sweep_figure(
    sweep: PenaltySweep, *, current: float | None = None, height: int = 380
) -> go.Figure:
    """Sparseness of ``W`` and ``H``, relative error and active basis vectors along a penalty.

    The weights are placed evenly (a categorical axis), since they span several decades and
    include 0.
    """
    labels = _value_labels(sweep.values)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=sweep.sparseness_W,
            mode="lines+markers",
            name="sparseness of W (basis)",
            line={"color": OKABE_ITO[0]},
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=sweep.sparseness_H,
            mode="lines+markers",
            name="sparseness of H (coefficients)",
            line={"color": OKABE_ITO[2], "dash": "dot"},
            marker={"symbol": "square"},
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=sweep.relative_error,
            mode="lines+markers",
            name="relative error",
            line={"color": OKABE_ITO[5], "dash": "dash"},
            marker={"symbol": "diamond"},
            customdata=sweep.active,
            hovertemplate="error %{y:.2%}, %{customdata} basis vectors active<extra></extra>",
        ),
        secondary_y=True,
    )
    if current is not None and float(current) in set(sweep.values.tolist()):
        # On a categorical axis plotly places shapes by category position, not by label.
        fig.add_vline(
            x=sweep.values.tolist().index(float(current)),
            line_dash="dot",
            line_color=_PLANTED_COLOR,
            annotation_text="sliders' value",
            annotation_position="top right",
        )
    fig.update_xaxes(title_text=f"{sweep.name} (other penalties fixed)", type="category")
    fig.update_yaxes(title_text="Hoyer sparseness", range=[0, 1], secondary_y=False)
    fig.update_yaxes(
        title_text="relative error",
        rangemode="tozero",
        tickformat=".0%",
        showgrid=False,
        secondary_y=True,
    )
    apply_layout(fig, height=height)
    fig.update_layout(legend=_TOP_LEGEND, margin={"t": 50})
    return fig


def cost_figure(sweeps: Sequence[CostSweep], fit: WorkFit, *, height: int = 400) -> go.Figure:
    """Median time per iteration against ``n``, ``k`` and ``r`` with the fitted ``a + b·nkr``.

    One panel per sweep, log–log axes; the panel title gives the slope of a straight line
    through that panel's points (1 = time proportional to that dimension).
    """
    titles = []
    for sweep in sweeps:
        slope = fit_power_law(sweep.values, sweep.seconds_per_iteration).exponent
        titles.append(f"vary {sweep.dimension} (slope {slope:.2f})")
    fig = make_subplots(
        rows=1, cols=len(sweeps), subplot_titles=titles, shared_yaxes=True, horizontal_spacing=0.05
    )
    for column, sweep in enumerate(sweeps, start=1):
        grid = np.geomspace(sweep.values.min(), sweep.values.max(), 40)
        base = dict(zip(("n", "k", "r"), sweep.base, strict=True))
        others = np.prod([base[name] for name in ("n", "k", "r") if name != sweep.dimension])
        fig.add_trace(
            go.Scatter(
                x=sweep.values,
                y=1e3 * sweep.seconds_per_iteration,
                mode="markers",
                marker={"color": OKABE_ITO[0], "size": 10},
                name="measured (median)",
                showlegend=column == 1,
                hovertemplate=f"{sweep.dimension} = %{{x}}: %{{y:.3f}} ms<extra></extra>",
            ),
            row=1,
            col=column,
        )
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=1e3 * fit.predict(grid * others),
                mode="lines",
                line={"color": OKABE_ITO[1]},
                name="fit a + b·n·k·r",
                showlegend=column == 1,
                hoverinfo="skip",
            ),
            row=1,
            col=column,
        )
        fixed = ", ".join(
            f"{name}={base[name]}" for name in ("n", "k", "r") if name != sweep.dimension
        )
        fig.update_xaxes(
            type="log",
            tickvals=sweep.values,
            ticktext=_value_labels(sweep.values),
            title_text=f"{sweep.dimension} ({fixed})",
            row=1,
            col=column,
        )
        fig.update_yaxes(
            type="log", tickvals=_NICE_TICKS, ticktext=_value_labels(_NICE_TICKS), row=1, col=column
        )
    fig.update_yaxes(title_text="ms per iteration", row=1, col=1)
    apply_layout(fig, height=height)
    return fig.update_layout(legend=_BOTTOM_LEGEND, margin={"b": 90})


def convergence_figure(sweeps: Sequence[CostSweep], *, height: int = 380) -> go.Figure:
    """Median seconds and iterations until the stopping rule fires, against ``n``, ``k``, ``r``."""
    fig = make_subplots(
        rows=1,
        cols=len(sweeps),
        shared_yaxes=True,
        horizontal_spacing=0.05,
        subplot_titles=[f"vary {sweep.dimension}" for sweep in sweeps],
    )
    for column, sweep in enumerate(sweeps, start=1):
        fig.add_trace(
            go.Scatter(
                x=sweep.values,
                y=sweep.seconds_to_converge,
                mode="lines+markers",
                marker={"color": OKABE_ITO[0]},
                line={"color": OKABE_ITO[0]},
                name="seconds to converge",
                showlegend=column == 1,
                customdata=sweep.iterations_to_converge,
                hovertemplate=f"{sweep.dimension} = %{{x}}: %{{y:.3f}} s, "
                "%{customdata:.0f} iterations<extra></extra>",
            ),
            row=1,
            col=column,
        )
        fig.update_xaxes(
            type="log",
            tickvals=sweep.values,
            ticktext=_value_labels(sweep.values),
            title_text=sweep.dimension,
            row=1,
            col=column,
        )
        fig.update_yaxes(
            type="log", tickvals=_NICE_TICKS, ticktext=_value_labels(_NICE_TICKS), row=1, col=column
        )
    fig.update_yaxes(title_text="seconds to converge", row=1, col=1)
    apply_layout(fig, height=height)
    return fig.update_layout(legend=_BOTTOM_LEGEND, margin={"b": 90})
