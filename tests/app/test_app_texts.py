"""AppTest of the Texts page: every control, the numbers in the text, checkpoints, downloads."""

from __future__ import annotations

import pytest
from apptest_support import answer_checkpoints, assert_clean, figure_by_key, open_page

from app_pages._checkpoint import choice_key
from nmf_lab.lessons.texts import (
    LABELS,
    agreement_curve,
    load_corpus,
    lsa_topics,
    nmf_topics,
    normalized_mutual_info,
    purity,
    tfidf,
    tokenize,
)

PAGE = "app_pages/texts.py"
# Each checkpoint holds back the figures that answer it: the topics and their table, the
# agreement curve, the SVD's components.
GATES = ("texts_one_each", "texts_purity_rank", "texts_lsa_signs")


def _open(query=None):
    """The page with every checkpoint answered, so every figure is shown."""
    return answer_checkpoints(open_page(PAGE, query=query), *GATES)


@pytest.fixture(scope="module")
def data():
    corpus = load_corpus()
    return corpus, tfidf([tokenize(text) for text in corpus.texts])


def _markdown_with(at, needle):
    hits = [block.value for block in at.markdown if needle in block.value]
    assert hits, f"no markdown containing {needle!r}"
    return hits[0]


def _check_numbers(at, data, rank=6, n_top=8, seed=0):
    corpus, terms = data
    model = nmf_topics(terms, rank, seed=seed, n_top=n_top)
    sentence = _markdown_with(at, "Each document goes to its largest entry")
    assert f"At r = {rank}: **purity {purity(corpus.labels, model.assignment):.2f}**" in sentence
    assert f"**NMI {normalized_mutual_info(corpus.labels, model.assignment):.2f}**" in sentence
    topics = figure_by_key(at, "texts_fig_topics")
    bars = [trace for trace in topics["data"] if trace["type"] == "bar"]
    assert len(bars) == rank and bars[0]["y"] == list(model.top_words[0])
    curve = agreement_curve(terms, corpus.labels, seed=seed)
    caption = next(c.value for c in at.caption if c.value.startswith("Purity and NMI"))
    assert f"NMI is highest at r = {curve.best_nmi_rank} ({curve.nmi.max():.2f})" in caption
    assert f"{curve.purity[-1]:.2f} at r = 12" in caption
    lsa = lsa_topics(terms, rank, n_top=n_top)
    mixed = _markdown_with(at, "SVD components")
    assert f"Of the {rank} SVD components, **{int((lsa.negative_share > 0).sum())}**" in mixed
    assert f"**{', '.join(lsa.positive_words[1][:3])}**" in mixed
    return model


def test_before_the_answers_only_the_documents_are_drawn():
    at = open_page(PAGE)
    assert_clean(at)
    (chart,) = at.get("plotly_chart")
    assert chart.proto.id.endswith("-texts_fig_documents")
    assert not [block for block in at.markdown if "Each document goes to" in block.value]
    assert not [block for block in at.markdown if "SVD components" in block.value]
    # Answering each one adds its figures: the topics with their table, the curve, the LSA.
    for key, figures, total in (
        ("texts_one_each", ("topics", "table"), 3),
        ("texts_purity_rank", ("curve",), 4),
        ("texts_lsa_signs", ("lsa",), 5),
    ):
        at = answer_checkpoints(at, key)
        assert_clean(at)
        for figure in figures:
            figure_by_key(at, f"texts_fig_{figure}")
        assert len(at.get("plotly_chart")) == total


def test_default_view_states_the_corpus_and_the_scores(data):
    corpus, terms = data
    at = _open()
    assert_clean(at)
    intro = _markdown_with(at, "docstrings of the public functions")
    assert f"numpy {corpus.versions['numpy']}" in intro and f"**{len(corpus)} documents**" in intro
    counts = at.table[0].value
    assert counts["documents"].to_dict() == corpus.counts()
    assert f"**{len(terms.vocabulary):,} terms**" in _markdown_with(at, "How the texts")
    _check_numbers(at, data)
    assert len(at.get("plotly_chart")) == 5
    # H and W as CSV and NPY, the document list and the vocabulary.
    assert len(at.get("download_button")) == 6
    table = figure_by_key(at, "texts_fig_table")
    assert table["data"][0]["x"] == list(LABELS)


@pytest.mark.parametrize(("rank", "n_top"), [(2, 5), (12, 15), (4, 10)])
def test_rank_and_words_follow_the_controls(data, rank, n_top):
    at = _open()
    at.slider(key="texts_rank").set_value(rank).run()
    at.slider(key="texts_words").set_value(n_top).run()
    assert_clean(at)
    _check_numbers(at, data, rank=rank, n_top=n_top)
    assert any(f"at r = {rank}." in c.value for c in at.caption)


def test_the_seed_draws_other_topics(data):
    at = _open()
    at.number_input(key="seed").set_value(2).run()
    assert_clean(at)
    _check_numbers(at, data, seed=2)


def test_a_shared_link_reproduces_the_view_and_a_hostile_one_opens_valid(data):
    at = open_page(PAGE, query={"texts_rank": "9", "texts_words": "12"})
    assert_clean(at)
    assert at.slider(key="texts_rank").value == 9 and at.slider(key="texts_words").value == 12
    at = open_page(PAGE, query={"texts_rank": "inf", "texts_words": "-4"})
    assert not at.exception
    assert at.slider(key="texts_rank").value == 6 and at.slider(key="texts_words").value == 5


def test_answering_the_checkpoints_explains_with_the_numbers_on_screen(data):
    _, terms = data
    at = open_page(PAGE)
    at.radio(key=choice_key("texts_one_each")).set_value(
        "No: some submodule gets two topics, another none"
    ).run()
    at.radio(key=choice_key("texts_lsa_signs")).set_value("Yes, only positive weights").run()
    assert_clean(at)
    assert any(s.value.startswith("**Right.**") for s in at.success)
    assert any(
        "only positive weights" not in w.value and "Not quite" in w.value for w in at.warning
    )
    lsa = lsa_topics(terms, 2)
    assert f"{lsa.negative_share[1]:.0%} of its squared weight" in _markdown_with(
        at, "On screen the second component"
    )


def test_lecture_mode_hides_the_long_explanations():
    at = open_page(PAGE, query={"lecture": "true"})
    assert_clean(at)
    assert not [block for block in at.markdown if "How the texts are prepared" in block.value]
