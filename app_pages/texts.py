"""Texts: NMF's topics of scipy's and numpy's docstrings against their submodules; LSA beside."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._shared import (
    download_matrices,
    explain,
    seed,
    shared_figure,
    shared_result,
    shared_value,
    show_figure,
)
from app_pages._url_state import url_widget
from nmf_lab.checkpoints import Checkpoint
from nmf_lab.figures.texts import (
    agreement_figure,
    contingency_figure,
    document_topics_figure,
    lsa_figure,
    topics_figure,
)
from nmf_lab.lessons.texts import (
    DEFAULT_RANK,
    DEFAULT_TOP_WORDS,
    LABELS,
    MAX_DF_SHARE,
    MAX_RANK,
    MIN_DF,
    MIN_RANK,
    Agreement,
    LsaTopics,
    TopicModel,
    agreement_curve,
    load_corpus,
    lsa_signs_checkpoint,
    lsa_topics,
    nmf_topics,
    normalized_mutual_info,
    one_each_checkpoint,
    purity,
    purity_rank_checkpoint,
    term_svd,
    tfidf,
    tokenize,
    topic_majorities,
    topic_table,
)


@st.cache_resource(show_spinner="Reading the docstrings…")
def cached_corpus() -> dict[str, Any]:
    """The corpus, its TF-IDF matrix and its SVD: the same for every visitor, made once."""
    corpus = load_corpus()
    terms = tfidf([tokenize(text) for text in corpus.texts])
    return {"corpus": corpus, "terms": terms, "svd": term_svd(terms)}


@shared_result(max_entries=64, show_spinner="Finding the topics…")
def cached_topics(rank: int, run_seed: int, n_top: int) -> TopicModel:
    return nmf_topics(cached_corpus()["terms"], rank, seed=run_seed, n_top=n_top)


@shared_result(max_entries=16, show_spinner="Scoring every rank…")
def cached_curve(run_seed: int) -> Agreement:
    data = cached_corpus()
    return agreement_curve(data["terms"], data["corpus"].labels, seed=run_seed)


@shared_result(max_entries=32)
def cached_lsa(rank: int, n_top: int) -> LsaTopics:
    data = cached_corpus()
    return lsa_topics(data["terms"], rank, n_top=n_top, svd=data["svd"])


@shared_result(max_entries=16)
def cached_checkpoints(run_seed: int) -> tuple[Checkpoint, ...]:
    """The page's checkpoints, answered from the fits on screen for this seed."""
    labels = cached_corpus()["corpus"].labels
    return (
        one_each_checkpoint(cached_topics(DEFAULT_RANK, run_seed, DEFAULT_TOP_WORDS), labels),
        purity_rank_checkpoint(cached_curve(run_seed), DEFAULT_RANK, MAX_RANK),
        lsa_signs_checkpoint(cached_lsa(MIN_RANK, DEFAULT_TOP_WORDS)),
    )


data = cached_corpus()
corpus, terms = data["corpus"], data["terms"]
labels = np.array(corpus.labels)

st.title("Texts: find the topics")
st.markdown(
    f"A real corpus with known labels that is on every machine running this app: the "
    f"docstrings of the public functions of six submodules of **numpy {corpus.versions['numpy']}"
    f"** and **scipy {corpus.versions['scipy']}**, **{len(corpus)} documents** written by "
    "their authors, each labelled by its submodule. Each document is a row of $X$ (its words, "
    "TF-IDF weighted), so a row of $W$ is a **topic** — a weight for every word — and a row of "
    "$H$ says how much of each topic a document holds. Does NMF find the submodules without "
    "being told?"
)
st.latex(r"X_{\text{documents} \times \text{terms}} \approx H\,W,\qquad H, W \ge 0")
st.table({"documents": corpus.counts()})
explain(
    "How the texts are prepared. The sections *See Also*, *References* and *Examples* are cut "
    "(cross-references, citations and code), and so are paragraphs that are not the author's: "
    "those stamped onto many docstrings by templates (found verbatim in five or more) and "
    "the notes on array-API backends, batching and NaN handling. Words are lower-cased; common "
    "English words and the words of the docstring layout and of parameter types "
    "(*parameters*, *optional*, *array_like*, *ndarray*, *axis*…) are dropped. A word is kept "
    f"if it appears in at least {MIN_DF} documents and in at most {MAX_DF_SHARE:.0%} of them: "
    f"**{len(terms.vocabulary):,} terms**. TF-IDF: the count of a word in a document times "
    r"$\ln\frac{1 + n}{1 + \mathrm{df}} + 1$ (rare words weigh more), each row scaled to "
    "length 1. All of it is numpy and scipy.sparse."
)

# ---- controls -------------------------------------------------------------------------------
left, right = st.columns(2)
rank = url_widget(
    left.slider,
    "Topics r",
    MIN_RANK,
    MAX_RANK,
    DEFAULT_RANK,
    key="texts_rank",
    bind="query-params",
    help="Rows of W. The corpus has six submodules.",
)
n_top = url_widget(
    right.slider,
    "Words per topic",
    5,
    15,
    DEFAULT_TOP_WORDS,
    key="texts_words",
    bind="query-params",
    help="How many of each topic's heaviest words are listed.",
)
model = cached_topics(rank, seed(), n_top)
one_each_question, purity_question, signs_question = cached_checkpoints(seed())
majorities, topic_purity, topic_nmi = shared_value(
    model,
    "scores",
    lambda: (
        topic_majorities(model, labels),
        purity(labels, model.assignment),
        normalized_mutual_info(labels, model.assignment),
    ),
)

# ---- NMF topics -----------------------------------------------------------------------------
st.subheader(f"NMF: {rank} topics")
# Each checkpoint holds back the figures below it that answer it.
if checkpoint(one_each_question):
    titles = [
        f"{j + 1}: {name.split('.')[-1]} {count}/{size}" if size else f"{j + 1}: no documents"
        for j, (name, count, size) in enumerate(majorities)
    ]
    show_figure(
        shared_figure(model, "topics", lambda: topics_figure(model, titles)),
        f"Each panel is a topic, a row of W: the {n_top} words it weighs most. Its title: the "
        "topic's number, the submodule most of its documents come from, and how many of its "
        "documents (those whose largest entry of H is this topic) come from there. All weights "
        "are ≥ 0: a topic is a list of words that occur together.",
        key="texts_fig_topics",
    )
    baseline = cached_curve(seed()).majority_share
    st.markdown(
        f"Each document goes to its largest entry of $H$. At r = {rank}: **purity "
        f"{topic_purity:.2f}** (share of documents whose topic's most common submodule is their "
        f"own; putting everything in one topic scores {baseline:.2f}) and **NMI "
        f"{topic_nmi:.2f}** (normalised mutual information: 1 when the topics are the "
        "submodules, 0 when they say nothing about them)."
    )
    show_figure(
        shared_figure(
            model,
            "contingency",
            lambda: contingency_figure(
                topic_table(model, labels), LABELS, [f"topic {j + 1}" for j in range(rank)]
            ),
        ),
        f"Documents per topic (rows) and submodule (columns) at r = {rank}. A submodule found by "
        "NMF is one bright cell in its column; a column spread over several rows is a submodule "
        "split into several topics, a row with two bright cells two submodules that share one.",
        key="texts_fig_table",
    )

# ---- agreement against the rank -------------------------------------------------------------
st.subheader("Agreement with the submodules against the rank")
if checkpoint(purity_question):
    curve = cached_curve(seed())
    best = curve.best_nmi_rank
    first_rank, last_rank = int(curve.ranks[0]), int(curve.ranks[-1])
    show_figure(
        shared_figure(curve, ("agreement", rank), lambda: agreement_figure(curve, rank=rank)),
        f"Purity and NMI of the topics for r = {first_rank} … {last_rank} (this seed); the dashed "
        f"line is the r = {rank} shown above. Purity goes from {curve.purity[0]:.2f} at "
        f"r = {first_rank} to {curve.purity[-1]:.2f} at r = {last_rank} (small topics are purer); "
        f"NMI is highest at r = {best} ({curve.nmi.max():.2f}) and {curve.nmi[-1]:.2f} at "
        f"r = {last_rank}, where submodules are split into several topics.",
        key="texts_fig_curve",
    )
    explain(
        "Purity counts, for each topic, the documents of its most common submodule, and divides "
        "by all documents. It cannot fall when a topic is split in two, so on its own it favours "
        "many topics. NMI is $I(T;P)$ over the mean of the entropies $H(T)$ and $H(P)$ of the "
        "true labels $T$ and the topics $P$: splitting a submodule over several topics raises "
        "$H(P)$ without adding information about $T$, so NMI falls. Both are computed here with "
        "numpy and checked against scikit-learn's in the tests."
    )

# ---- documents ------------------------------------------------------------------------------
st.subheader("Documents: the rows of H")
show_figure(
    shared_figure(model, "documents", lambda: document_topics_figure(model.H, labels)),
    f"Each row is a document ({len(corpus)}, grouped by submodule), each column a topic; "
    "each row is divided by its largest entry. A submodule whose block is bright in one "
    "column only has a topic of its own; a document bright in two columns mixes two topics.",
    key="texts_fig_documents",
)

# ---- LSA ------------------------------------------------------------------------------------
st.subheader("The SVD's signed topics (LSA)")
if checkpoint(signs_question):
    lsa = cached_lsa(rank, n_top)
    mixed = int(np.sum(lsa.negative_share > 0))
    explain(
        "Latent semantic analysis reads the truncated SVD $X \\approx U\\Sigma V^\\top$ the "
        "same way: the rows of $V^\\top$ as topics. They are orthogonal, so after the first they "
        "must have both signs: a component says *these words, and not those*. A document's "
        "coordinates in $U$ are signed too, so it can hold a negative amount of a topic."
    )
    show_figure(
        shared_figure(lsa, "lsa", lambda: lsa_figure(lsa)),
        f"The first {rank} right singular vectors of X: the {n_top} largest positive weights "
        "(red, right) and the most negative ones (blue, left); each title gives the component's "
        "number and the share of its squared weight on negative entries.",
        key="texts_fig_lsa",
    )
    st.markdown(
        f"Of the {rank} SVD components, **{mixed}** mix positive and negative words (the first, "
        f"with {lsa.negative_share[0]:.0%} negative weight, is the corpus's average direction). "
        f"Component 2, for instance, puts **{', '.join(lsa.positive_words[1][:3])}** against "
        f"**{', '.join(lsa.negative_words[1][:3])}**: a contrast between two groups of documents, "
        "not a topic. NMF cannot subtract, so each of its topics is a list of words that appear "
        "together; that is what makes them readable."
    )

# ---- downloads ------------------------------------------------------------------------------
with st.expander("Download the factors"):
    st.markdown(
        f"H is {model.H.shape[0]}×{rank} (documents in the order of the list below), W is "
        f"{rank}×{model.W.shape[1]:,} (terms in the order of the vocabulary)."
    )
    download_matrices({"H": model.H, "W": model.W}, prefix="texts")
    columns = st.columns(2)
    columns[0].download_button(
        "documents (TXT)",
        data="\n".join(
            f"{name}\t{label}" for name, label in zip(corpus.names, corpus.labels, strict=True)
        ),
        file_name="texts_documents.txt",
        mime="text/plain",
        on_click="ignore",
        key="dl_texts_documents",
    )
    columns[1].download_button(
        "vocabulary (TXT)",
        data="\n".join(terms.vocabulary),
        file_name="texts_vocabulary.txt",
        mime="text/plain",
        on_click="ignore",
        key="dl_texts_vocabulary",
    )
