"""The Texts lesson: the docstring corpus, TF-IDF, NMF topics, purity and NMI, and LSA.

TF-IDF, purity and NMI are implemented with numpy/scipy; here they are checked against
scikit-learn (used in the tests only).
"""

from __future__ import annotations

import numpy as np
import pytest

from nmf_lab.lessons.texts import (
    DEFAULT_RANK,
    LABELS,
    MAX_RANK,
    MIN_RANK,
    STOP_WORDS,
    agreement_curve,
    clean_docstring,
    contingency,
    load_corpus,
    lsa_signs_checkpoint,
    lsa_topics,
    nmf_topics,
    normalized_mutual_info,
    one_each_checkpoint,
    own_topic,
    purity,
    purity_rank_checkpoint,
    term_svd,
    tfidf,
    tokenize,
    topic_cover,
    topic_majorities,
    topic_table,
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def terms(corpus):
    return tfidf([tokenize(text) for text in corpus.texts])


def test_corpus_is_labelled_sorted_and_from_the_installed_versions(corpus):
    import scipy

    assert corpus.versions == {"numpy": np.__version__, "scipy": scipy.__version__}
    assert set(corpus.labels) == set(LABELS)
    keys = list(zip(corpus.labels, corpus.names, strict=True))
    assert keys == sorted(keys)
    assert len(set(corpus.names)) == len(corpus) == len(corpus.texts)
    assert all(name.startswith(label) for label, name in keys)
    assert min(corpus.counts().values()) >= 30
    assert load_corpus() == corpus  # deterministic


def test_cleaning_removes_sections_templates_and_housekeeping(corpus):
    joined = "\n".join(corpus.texts)
    for gone in ("Array API", "linalg_batch", "``propagate``", ">>>", "See Also\n---"):
        assert gone not in joined, gone
    doc = "Summary.\n\nParameters\n----------\nx : int\n\nSee Also\n--------\nother\n"
    assert clean_docstring(doc) == "Summary.\n\nParameters\n----------\nx : int"
    assert clean_docstring("A.\n\nB.", frozenset({"B."})) == "A."
    with pytest.raises(ValueError):
        clean_docstring(None)


def test_tokenize_drops_stop_words_roles_and_short_tokens():
    words = tokenize("Parameters: x : array_like, optional. The Cholesky :ref:`linalg_batch` A")
    assert words == ["cholesky"]
    assert {"parameters", "optional", "ndarray", "the", "axis"} <= STOP_WORDS


def test_tfidf_matches_scikit_learn(corpus, terms):
    from sklearn.feature_extraction.text import TfidfVectorizer

    tokens = [tokenize(text) for text in corpus.texts]
    reference = TfidfVectorizer(
        analyzer=lambda document: document, vocabulary=list(terms.vocabulary)
    ).fit_transform(tokens)
    np.testing.assert_allclose(terms.X.toarray(), reference.toarray(), atol=1e-12)
    assert terms.X.shape == (len(corpus), len(terms.vocabulary))
    assert list(terms.vocabulary) == sorted(terms.vocabulary)
    # Frequency limits: every kept term is in 3 … 50 % of the documents.
    assert terms.document_frequency.min() >= 3
    assert terms.document_frequency.max() <= 0.5 * len(corpus)


def test_tfidf_chooses_its_vocabulary_like_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [["a", "b", "b"], ["b", "c"], ["a", "c", "c"], ["a", "d"]]
    ours = tfidf(documents, min_df=2, max_df_share=0.75)
    theirs = TfidfVectorizer(analyzer=lambda d: d, min_df=2, max_df=0.75)
    matrix = theirs.fit_transform(documents)
    assert list(ours.vocabulary) == list(theirs.get_feature_names_out())
    np.testing.assert_allclose(ours.X.toarray(), matrix.toarray())


@pytest.mark.parametrize(
    "kwargs", [{"min_df": 0}, {"min_df": 2.5}, {"max_df_share": 0}, {"max_df_share": 1.5}]
)
def test_tfidf_refuses_bad_limits(kwargs):
    with pytest.raises(ValueError):
        tfidf([["a"], ["a"]], **kwargs)


def test_tfidf_refuses_no_documents_or_no_terms():
    with pytest.raises(ValueError, match="document"):
        tfidf([])
    with pytest.raises(ValueError, match="term"):
        tfidf([["a"], ["b"]], min_df=2)


@pytest.mark.parametrize("seed", range(5))
def test_purity_and_nmi_equal_scikit_learns(seed):
    from sklearn.metrics import normalized_mutual_info_score
    from sklearn.metrics.cluster import contingency_matrix

    rng = np.random.default_rng(seed)
    true = rng.integers(0, 5, 200)
    predicted = np.where(rng.random(200) < 0.6, true, rng.integers(0, 7, 200))
    reference = contingency_matrix(true, predicted)
    np.testing.assert_array_equal(contingency(true, predicted), reference.T)
    assert purity(true, predicted) == pytest.approx(reference.max(axis=0).sum() / 200)
    assert normalized_mutual_info(true, predicted) == pytest.approx(
        normalized_mutual_info_score(true, predicted)
    )


def test_purity_and_nmi_edge_cases_like_scikit_learn():
    from sklearn.metrics import normalized_mutual_info_score

    for true, predicted in [
        ([0, 0, 0], [1, 1, 1]),
        ([0, 0, 1], [1, 1, 1]),
        ([0, 1, 2], [0, 1, 2]),
        (["a", "b"], [7, 7]),
    ]:
        assert normalized_mutual_info(true, predicted) == pytest.approx(
            normalized_mutual_info_score(true, predicted)
        )
    assert purity([0, 1, 2], [0, 1, 2]) == 1.0
    with pytest.raises(ValueError):
        purity([0, 1], [0])
    with pytest.raises(ValueError):
        normalized_mutual_info([], [])


def test_nmf_topics_shapes_order_and_words(terms, corpus):
    model = nmf_topics(terms, DEFAULT_RANK, seed=0, n_top=8)
    assert model.H.shape == (len(corpus), 6) and model.W.shape == (6, len(terms.vocabulary))
    assert np.all(model.W >= 0) and np.all(model.H >= 0)
    np.testing.assert_allclose(np.linalg.norm(model.W, axis=1), 1.0)
    totals = model.H.sum(axis=0)
    assert np.all(np.diff(totals) <= 1e-12)  # topics by weight, largest first
    for words, weights, row in zip(model.top_words, model.top_weights, model.W, strict=True):
        assert len(words) == 8 and np.all(np.diff(weights) <= 0)
        assert weights[0] == pytest.approx(row.max())
    np.testing.assert_array_equal(model.assignment, model.H.argmax(axis=1))
    table = topic_table(model, corpus.labels)
    assert table.shape == (6, len(LABELS)) and table.sum() == len(corpus)
    majorities = topic_majorities(model, corpus.labels)
    assert [count for _, count, _ in majorities] == table.max(axis=1).tolist()


@pytest.mark.parametrize(("rank", "n_top"), [(0, 8), (10_000, 8), (2, 0), (2.5, 8)])
def test_nmf_topics_refuses_bad_settings(terms, rank, n_top):
    with pytest.raises(ValueError):
        nmf_topics(terms, rank, n_top=n_top)


def test_the_default_view_numbers(terms, corpus):
    """What the page states at its defaults (seed 0, r = 6, 8 words)."""
    model = nmf_topics(terms, DEFAULT_RANK, seed=0)
    assert f"{purity(corpus.labels, model.assignment):.2f}" == "0.76"
    assert 0.6 < normalized_mutual_info(corpus.labels, model.assignment) < 0.65
    curve = agreement_curve(terms, corpus.labels, seed=0)
    assert curve.ranks.tolist() == list(range(MIN_RANK, MAX_RANK + 1))
    assert curve.at(6) == pytest.approx(
        (
            purity(corpus.labels, model.assignment),
            normalized_mutual_info(corpus.labels, model.assignment),
        )
    )
    assert f"{curve.majority_share:.2f}" == "0.28"
    assert curve.best_nmi_rank == 8
    assert curve.purity[-1] > curve.purity[0]
    with pytest.raises(ValueError):
        curve.at(1)


@pytest.mark.slow
def test_topics_agree_with_the_submodules_far_above_chance_over_seeds(terms, corpus):
    """Measured over seeds 0-4: purity 0.73-0.86 and NMI 0.57-0.67 for r = 6 … 8."""
    rng = np.random.default_rng(0)
    for seed in range(5):
        curve = agreement_curve(terms, corpus.labels, ranks=(6, 7, 8), seed=seed)
        assert np.all(curve.purity > 0.7) and np.all(curve.nmi > 0.55), (seed, curve)
        shuffled = rng.permutation(np.array(corpus.labels))
        model = nmf_topics(terms, 6, seed=seed)
        assert normalized_mutual_info(shuffled, model.assignment) < 0.05


def test_at_r6_the_topics_do_not_give_each_submodule_one_topic(terms, corpus):
    """Six topics for six submodules: over seeds 0-4 some submodule always leads two topics."""
    for seed in range(5):
        model = nmf_topics(terms, 6, seed=seed)
        cover = topic_cover(model, corpus.labels)
        assert not cover.one_each and cover.split, (seed, cover)
        leaders = [name for name, _, size in topic_majorities(model, corpus.labels) if size]
        assert len(leaders) - len(set(leaders)) >= len(cover.missing)
    label, share = own_topic(nmf_topics(terms, 6, seed=0), corpus.labels)
    assert label in LABELS and 0 < share <= 1


def test_lsa_components_are_signed_but_the_first(terms):
    lsa = lsa_topics(terms, 6, n_top=8)
    assert lsa.components.shape == (6, len(terms.vocabulary))
    np.testing.assert_allclose(lsa.components @ lsa.components.T, np.eye(6), atol=1e-10)
    assert lsa.negative_share[0] == 0 and lsa.negative_words[0] == ()
    assert np.all(lsa.negative_share[1:] > 0.1)
    assert all(np.all(w > 0) for w in lsa.positive_weights)
    assert all(np.all(w < 0) for w in lsa.negative_weights)
    again = lsa_topics(terms, 3, n_top=8, svd=term_svd(terms))
    np.testing.assert_allclose(again.components, lsa.components[:3])
    with pytest.raises(ValueError):
        lsa_topics(terms, 10_000)


# ---- checkpoints ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_checkpoint_answers_come_from_the_fits_on_screen(terms, corpus, seed):
    at_six = nmf_topics(terms, 6, seed=seed)
    cover = topic_cover(at_six, corpus.labels)
    one_each = one_each_checkpoint(at_six, corpus.labels)
    assert one_each.correct == (0 if cover.one_each else 1)
    assert one_each.right_label.startswith("No")  # measured: never one topic each
    for name in cover.split + cover.missing:
        assert name in one_each.explanation
    curve = agreement_curve(terms, corpus.labels, seed=seed)
    rank_question = purity_rank_checkpoint(curve, 6, MAX_RANK)
    assert rank_question.right_label == "Higher"
    assert f"{curve.at(MAX_RANK)[0]:.2f} at r = {MAX_RANK}" in rank_question.explanation
    lsa = lsa_topics(terms, 2)
    signs = lsa_signs_checkpoint(lsa)
    assert signs.right_label == "No, positive and negative weights"
    assert f"{lsa.negative_share[1]:.0%}" in signs.explanation
    for cp in (one_each, rank_question, signs):
        assert cp.key.startswith("texts_")
