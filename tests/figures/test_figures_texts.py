"""Figures of the Texts page: word bars, the topic × submodule table, H, the curve, LSA."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.figures.style import for_projector
from nmf_lab.figures.texts import (
    agreement_figure,
    contingency_figure,
    document_topics_figure,
    lsa_figure,
    topic_columns,
    topics_figure,
)
from nmf_lab.lessons.texts import (
    LABELS,
    agreement_curve,
    load_corpus,
    lsa_topics,
    nmf_topics,
    tfidf,
    tokenize,
    topic_table,
)


@pytest.fixture(scope="module")
def data():
    corpus = load_corpus()
    return corpus, tfidf([tokenize(text) for text in corpus.texts])


@pytest.mark.parametrize("rank", [2, 5, 12])
def test_topics_figure_has_one_bar_chart_per_topic(data, rank):
    _, terms = data
    model = nmf_topics(terms, rank, seed=0, n_top=6)
    fig = topics_figure(model)
    bars = [trace for trace in fig.data if trace.type == "bar"]
    assert len(bars) == rank
    assert list(bars[0].y) == list(model.top_words[0])
    assert all(np.all(np.asarray(bar.x) >= 0) for bar in bars)
    assert topic_columns(rank) == (2 if rank <= 6 else 3)
    for_projector(fig)


def test_lsa_figure_colours_bars_by_sign(data):
    _, terms = data
    lsa = lsa_topics(terms, 4, n_top=5)
    fig = lsa_figure(lsa)
    assert len(fig.data) == 4
    second = fig.data[1]
    x = np.asarray(second.x)
    assert (x > 0).any() and (x < 0).any()
    colours = list(second.marker.color)
    assert len({c for c, v in zip(colours, x, strict=True) if v > 0}) == 1
    assert len(set(colours)) == 2
    assert fig.layout.annotations[1].text.startswith("2: ")
    for_projector(fig)


def test_table_documents_and_curve(data):
    corpus, terms = data
    model = nmf_topics(terms, 6, seed=0)
    table = topic_table(model, corpus.labels)
    heat = contingency_figure(table, LABELS, [f"topic {j + 1}" for j in range(6)])
    assert heat.data[0].type == "heatmap" and heat.data[0].zmin == 0
    assert heat.data[0].colorbar.title.text == "documents"
    np.testing.assert_array_equal(np.asarray(heat.data[0].z), table)
    documents = document_topics_figure(model.H, corpus.labels)
    z = np.asarray(documents.data[0].z)
    assert z.shape == model.H.shape and z.max() == pytest.approx(1.0) and z.min() >= 0
    assert documents.data[0].colorbar.title.text.startswith("share")
    assert list(documents.layout.yaxis.ticktext) == list(LABELS)
    curve = agreement_curve(terms, corpus.labels, ranks=(2, 3, 4), seed=0)
    fig = agreement_figure(curve, rank=3)
    assert [trace.name for trace in fig.data] == ["purity", "NMI", "purity of one topic for all"]
    np.testing.assert_allclose(fig.data[0].y, curve.purity)
    for figure in (heat, documents, fig):
        for_projector(figure)
