"""Figures for the Texts page: topics as word bars, topics × submodules, H, the agreement curve,
and LSA's signed topics.

Word weights of NMF are nonnegative (one colour); LSA's are signed (the two ends of the
diverging scale: positive and negative words). The heatmaps use the sequential scale with a
colour bar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from nmf_lab.figures.common import apply_layout
from nmf_lab.figures.style import DIVERGING, METHOD_COLORS, OKABE_ITO, SEQUENTIAL
from nmf_lab.lessons.texts import Agreement, LsaTopics, TopicModel

__all__ = [
    "agreement_figure",
    "contingency_figure",
    "document_topics_figure",
    "lsa_figure",
    "topic_columns",
    "topics_figure",
]

# The two ends of the diverging scale: negative and positive weights.
_NEGATIVE, _POSITIVE = sample_colorscale(DIVERGING, [0.1, 0.9])


def topic_columns(count: int) -> int:
    """Panels per row for ``count`` topics: 2 up to 6 topics (readable on a phone), else 3."""
    return 2 if count <= 6 else 3


# Bars light enough for the word written over them.
_BAR_OPACITY = 0.45


def _words_inside(fig: go.Figure) -> None:
    """Write each bar's word inside its panel, over the bar's start, in dark text.

    An explicit word size: the projector copy doubles it, and 32 px a word still holds it.
    """
    fig.update_yaxes(
        autorange="reversed",
        automargin=True,
        ticklabelposition="inside",
        tickfont={"size": 11, "color": "#1a1a1a"},
    )


def _bar_grid(titles: Sequence[str], *, rows_of_words: int) -> tuple[go.Figure, int]:
    count = len(titles)
    columns = topic_columns(count)
    rows = math.ceil(count / columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=list(titles),
        # The words sit inside their panel (see _words_inside), so the gap needs no room for
        # them: on a phone (two panels in 358 pixels) words in the gap ran onto the next panel.
        horizontal_spacing=0.04,
        vertical_spacing=min(0.12, 0.5 / rows),
    )
    height = rows * (32 * rows_of_words + 70) + 40
    return fig, height


def topics_figure(model: TopicModel, titles: Sequence[str] | None = None) -> go.Figure:
    """One bar chart per topic (row of W): its top words and their weights, largest on top."""
    titles = list(titles or [f"topic {j + 1}" for j in range(model.rank)])
    words_per_topic = max(len(words) for words in model.top_words)
    fig, height = _bar_grid(titles, rows_of_words=words_per_topic)
    columns = topic_columns(model.rank)
    for topic, (words, weights) in enumerate(zip(model.top_words, model.top_weights, strict=True)):
        fig.add_trace(
            go.Bar(
                x=weights,
                y=list(words),
                orientation="h",
                marker={"color": METHOD_COLORS["NMF"], "opacity": _BAR_OPACITY},
                name=titles[topic],
                showlegend=False,
                hovertemplate="%{y}: %{x:.3f}<extra></extra>",
            ),
            row=topic // columns + 1,
            col=topic % columns + 1,
        )
    _words_inside(fig)
    fig.update_xaxes(rangemode="tozero", nticks=3)
    apply_layout(fig, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 20})
    return fig


def lsa_figure(lsa: LsaTopics) -> go.Figure:
    """One diverging bar chart per SVD component: top positive words right, negative left."""
    rank = lsa.components.shape[0]
    titles = [f"{j + 1}: {lsa.negative_share[j]:.0%} negative" for j in range(rank)]
    rows_of_words = max(
        len(pos) + len(neg) for pos, neg in zip(lsa.positive_words, lsa.negative_words, strict=True)
    )
    fig, height = _bar_grid(titles, rows_of_words=max(rows_of_words, 1))
    columns = topic_columns(rank)
    for j in range(rank):
        words = list(lsa.positive_words[j]) + list(lsa.negative_words[j])
        weights = np.concatenate([lsa.positive_weights[j], lsa.negative_weights[j]])
        fig.add_trace(
            go.Bar(
                x=weights,
                y=words,
                orientation="h",
                marker={
                    "color": [_POSITIVE if w >= 0 else _NEGATIVE for w in weights],
                    "opacity": _BAR_OPACITY,
                },
                showlegend=False,
                name=titles[j],
                hovertemplate="%{y}: %{x:.3f}<extra></extra>",
            ),
            row=j // columns + 1,
            col=j % columns + 1,
        )
    _words_inside(fig)
    fig.update_xaxes(zeroline=True, zerolinecolor="black", nticks=3)
    apply_layout(fig, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 20})
    return fig


def contingency_figure(
    table: np.ndarray, labels: Sequence[str], topic_names: Sequence[str], *, height: int = 0
) -> go.Figure:
    """Documents per topic (rows) and submodule (columns), counts written in the cells."""
    table = np.asarray(table)
    fig = go.Figure(
        go.Heatmap(
            z=table,
            x=list(labels),
            y=list(topic_names),
            colorscale=SEQUENTIAL,
            zmin=0,
            text=table,
            texttemplate="%{text}",
            colorbar={"title": {"text": "documents"}, "thickness": 14},
            hovertemplate="%{y}, %{x}: %{z} documents<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True)
    apply_layout(fig, height=height or 28 * len(topic_names) + 170)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 90, "b": 10})
    return fig


def document_topics_figure(H: np.ndarray, labels: Sequence[str], *, height: int = 460) -> go.Figure:
    """``H`` as a picture, documents (rows) grouped by submodule, each row scaled to max 1.

    Ticks mark where each submodule's documents start; a block of one colour per submodule in
    one column means that topic is that submodule's.
    """
    H = np.asarray(H, dtype=np.float64)
    labels = list(labels)
    order = np.argsort(np.array(labels), kind="stable")
    peaks = H.max(axis=1, keepdims=True)
    shares = np.divide(H, peaks, out=np.zeros_like(H), where=peaks > 0)[order]
    sorted_labels = [labels[i] for i in order]
    starts = [i for i, name in enumerate(sorted_labels) if i == 0 or sorted_labels[i - 1] != name]
    middles = [
        (start + (starts[k + 1] if k + 1 < len(starts) else len(sorted_labels))) / 2
        for k, start in enumerate(starts)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=[f"topic {j + 1}" for j in range(H.shape[1])],
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "share of<br>row max"}, "thickness": 14},
            hovertemplate="document %{y}, %{x}: %{z:.2f}<extra></extra>",
        )
    )
    for start in starts[1:]:
        fig.add_hline(y=start - 0.5, line={"color": "white", "width": 2})
    fig.update_yaxes(
        autorange="reversed",
        tickvals=middles,
        ticktext=[sorted_labels[start] for start in starts],
        automargin=True,
    )
    apply_layout(fig, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 40})
    return fig


def agreement_figure(agreement: Agreement, *, rank: int, height: int = 360) -> go.Figure:
    """Purity and NMI of NMF's topics against the rank; the one-topic purity as a baseline."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=agreement.ranks,
            y=agreement.purity,
            mode="lines+markers",
            name="purity",
            line={"color": OKABE_ITO[0]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=agreement.ranks,
            y=agreement.nmi,
            mode="lines+markers",
            name="NMI",
            line={"color": OKABE_ITO[1]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[agreement.ranks.min(), agreement.ranks.max()],
            y=[agreement.majority_share] * 2,
            mode="lines",
            name="purity of one topic for all",
            line={"color": OKABE_ITO[7], "dash": "dot"},
        )
    )
    fig.add_vline(x=rank, line={"color": "gray", "dash": "dash"})
    fig.update_xaxes(title={"text": "rank r (topics)"}, dtick=1)
    fig.update_yaxes(title={"text": "purity, NMI"}, range=[0, 1])
    apply_layout(fig, height=height)
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return fig
