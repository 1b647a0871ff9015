"""Texts: NMF finds the topics of a labelled corpus; LSA's signed "topics" beside them.

The corpus is on every machine that runs NMF Lab: the docstrings of the public functions of six
numpy and scipy submodules, written by people, BSD-licensed, and labelled by the submodule they
document — a truth to score the topics against. Each docstring is one row of ``X`` (documents ×
terms, TF-IDF weighted), so with ``X ≈ H W`` a row of ``W`` is a topic (a weight per word: its
top words say what it is about) and a row of ``H`` says how much of each topic a document holds.
A document's topic is its largest entry of ``H``; purity and normalised mutual information (NMI)
measure how well those topics agree with the submodules.

Cleaning, so the words a function's author wrote carry the signal:

- the sections *See Also*, *References* and *Examples* are cut (cross-references, citations
  and code), and so is any other paragraph of example code (``>>>``);
- paragraphs stamped onto many docstrings by decorators and templates (the array-API support
  table, the batching note of ``scipy.linalg``, the ``nan_policy`` text of ``scipy.stats``) are
  dropped: a paragraph found in :data:`TEMPLATE_MIN_DOCS` or more docstrings is not the author's;
- words of the numpydoc layout and of parameter types (``parameters``, ``optional``,
  ``array_like``, ``ndarray``…) and common English words are :data:`STOP_WORDS`.

The TF-IDF matrix is built here with numpy and scipy.sparse (scikit-learn is used only in the
tests, to check it): ``tf`` = raw counts, ``idf = ln((1 + n) / (1 + df)) + 1``, each row scaled to
unit length (scikit-learn's ``TfidfVectorizer`` defaults).
"""

from __future__ import annotations

import importlib
import inspect
import numbers
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from nmf_core import check_rank, nmf
from nmf_lab.checkpoints import Checkpoint, Choice

__all__ = [
    "CORPUS_MODULES",
    "DEFAULT_RANK",
    "DEFAULT_TOP_WORDS",
    "LABELS",
    "MAX_RANK",
    "MIN_RANK",
    "STOP_WORDS",
    "TEMPLATE_MIN_DOCS",
    "TEXT_NMF",
    "Agreement",
    "Corpus",
    "LsaTopics",
    "TermMatrix",
    "TopicCover",
    "TopicModel",
    "agreement_curve",
    "clean_docstring",
    "contingency",
    "load_corpus",
    "lsa_signs_checkpoint",
    "lsa_topics",
    "nmf_topics",
    "normalized_mutual_info",
    "one_each_checkpoint",
    "own_topic",
    "purity",
    "purity_rank_checkpoint",
    "term_svd",
    "tfidf",
    "tokenize",
    "topic_cover",
    "topic_majorities",
    "topic_table",
]

#: The labels (submodules) and the modules whose public functions each one collects.
CORPUS_MODULES: dict[str, tuple[str, ...]] = {
    "numpy.random": ("numpy.random",),
    "scipy.linalg": ("scipy.linalg",),
    "scipy.optimize": ("scipy.optimize",),
    "scipy.signal": ("scipy.signal",),
    "scipy.spatial": ("scipy.spatial", "scipy.spatial.distance"),
    "scipy.stats": ("scipy.stats",),
}
LABELS = tuple(CORPUS_MODULES)
MIN_RANK, MAX_RANK, DEFAULT_RANK = 2, 12, 6
DEFAULT_TOP_WORDS = 8
#: A paragraph that appears verbatim in this many docstrings or more is a template.
TEMPLATE_MIN_DOCS = 5
#: Words kept only if they appear in at least this many documents, and in at most this share.
MIN_DF, MAX_DF_SHARE = 3, 0.5
#: HALS from a random start (the seed draws it): different seeds give different, about
#: equally good topics, as NMF's answers are not unique.
TEXT_NMF: dict[str, Any] = {"solver": "hals", "init": "random", "max_iter": 300, "tol": 1e-4}

_CUT_SECTIONS = re.compile(r"^(See Also|References|Examples)\n-{3,}[ \t]*$", re.MULTILINE)
_WORD = re.compile(r"[a-z][a-z]+")
_DOCTEST = re.compile(r"^\s*>>>", re.MULTILINE)  # example code outside an Examples section
_ROLE = re.compile(r":[a-z]+:`[^`]*`")  # Sphinx roles such as :ref:`linalg_batch`

_ENGLISH = """
a about above across after afterwards again against all almost alone along already also although
always am among amongst an and another any anyhow anyone anything anyway anywhere are around as
at be became because become becomes becoming been before beforehand behind being below beside
besides between beyond both but by can cannot could did do does doing done down due during each
eg either else elsewhere enough etc even ever every everything except few first for former
formerly from further had has have having he hence her here hereby herein hers herself him
himself his how however ie if in indeed into is it its itself just last latter least less
many may me meanwhile might mine more moreover most mostly much must my myself namely neither
never nevertheless next no nobody none nor not nothing now nowhere of off often on once one only
onto or other others otherwise our ours ourselves out over own per perhaps please rather
same see seem seemed seems several she should since so some something sometime sometimes
somewhere still such than that the their theirs them themselves then thence there thereafter
thereby therefore therein thereupon these they this those though through throughout thru thus
to together too toward towards under until up upon us very via was we well were what whatever
when whence whenever where whereas whereby wherein whether which while whither who whoever
whole whom whose why will with within without would yet you your yours yourself yourselves
"""
_NUMPYDOC = """
parameters parameter returns return returned yields raises raise warns warnings warning notes
note attributes method methods function functions argument arguments keyword keywords kwargs
args optional default defaults none true false int integer integers float floats bool boolean
str string strings ndarray ndarrays array arrays array_like like shape shapes dtype dtypes
object objects tuple tuples list lists dict callable scalar scalars sequence type types
instance instances value values input inputs output outputs result results given use used uses
using new version versionadded versionchanged deprecated added changed removed numpy scipy np
sp two three can also used whether specified specify specifies contain contains containing
provided passed pass calling called call case cases example examples number numbers size
axis axes keepdims nan nans propagate omit policy check finite overwrite performance disabling
crashes termination infinities
"""
#: Paragraphs about how a function is run rather than what it does (array-API backends,
#: batching of stacked arrays, NaN handling): dropped wherever they appear.
_HOUSEKEEPING = re.compile(
    r"Array API|SCIPY_ARRAY_API|CuPy|PyTorch|linalg_batch|nan_policy|``propagate``|``omit``"
)
#: Common English words and the words of numpydoc's layout and of parameter types.
STOP_WORDS = frozenset((_ENGLISH + _NUMPYDOC).split())


@dataclass(frozen=True)
class Corpus:
    """The labelled docstrings.

    Attributes
    ----------
    names : tuple of str
        ``"module.function"`` of each document, sorted by label, then by name.
    labels : tuple of str
        The submodule (one of :data:`LABELS`) of each document.
    texts : tuple of str
        The cleaned docstrings (:func:`clean_docstring`).
    versions : dict of str to str
        ``{"numpy": …, "scipy": …}``: where the texts come from.
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    texts: tuple[str, ...]
    versions: dict[str, str]

    def __len__(self) -> int:
        return len(self.names)

    def label_ids(self) -> np.ndarray:
        """Each document's label as an index into :data:`LABELS`."""
        return np.array([LABELS.index(label) for label in self.labels])

    def counts(self) -> dict[str, int]:
        """Documents per label, in the order of :data:`LABELS`."""
        tally = Counter(self.labels)
        return {label: tally[label] for label in LABELS}


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def _cut_sections(doc: str) -> str:
    found = _CUT_SECTIONS.search(doc)
    return doc[: found.start()] if found else doc


def clean_docstring(doc: str, templates: frozenset[str] = frozenset()) -> str:
    """Cut the See Also / References / Examples sections and drop template paragraphs.

    Parameters
    ----------
    doc : str
        A docstring as :func:`inspect.getdoc` returns it.
    templates : frozenset of str
        Paragraphs (stripped) to drop.

    Returns
    -------
    str
        The paragraphs that are left, joined by blank lines.

    Examples
    --------
    >>> clean_docstring("Solve it.\\n\\nExamples\\n--------\\n>>> solve()")
    'Solve it.'
    """
    if not isinstance(doc, str):
        raise ValueError(f"A docstring must be a string, got {type(doc).__name__}.")
    kept = [
        part
        for part in _paragraphs(_cut_sections(doc))
        if part not in templates and not _HOUSEKEEPING.search(part) and not _DOCTEST.search(part)
    ]
    return "\n\n".join(kept)


def tokenize(text: str) -> list[str]:
    """Lower-case words of two letters or more, without Sphinx roles and :data:`STOP_WORDS`.

    Examples
    --------
    >>> tokenize("Compute the QR decomposition of a matrix; see :ref:`linalg_batch`.")
    ['compute', 'qr', 'decomposition', 'matrix']
    """
    words = _WORD.findall(_ROLE.sub(" ", text).lower())
    return [word for word in words if word not in STOP_WORDS]


def _public_functions(module_name: str) -> list[tuple[str, str]]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in dir(module) if not name.startswith("_")]
    found = []
    for name in sorted(set(names)):
        thing = getattr(module, name, None)
        if name.startswith("_") or not inspect.isroutine(thing):
            continue
        doc = inspect.getdoc(thing)
        if doc:
            found.append((f"{module_name}.{name}", doc))
    return found


def load_corpus(modules: dict[str, tuple[str, ...]] | None = None) -> Corpus:
    """Collect and clean the docstrings of the public functions of ``modules``.

    Parameters
    ----------
    modules : dict, optional
        Label -> the modules whose public functions (their ``__all__``, routines only) it
        collects; default :data:`CORPUS_MODULES`. The same docstring under two names is kept
        once, under the first.

    Returns
    -------
    Corpus
        Sorted by label, then by name: the same installation always gives the same corpus.
    """
    import scipy

    modules = CORPUS_MODULES if modules is None else modules
    raw: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for label in sorted(modules):
        entries = sorted(
            (entry for module_name in modules[label] for entry in _public_functions(module_name)),
            key=lambda entry: entry[0],
        )
        for name, doc in entries:
            if doc in seen:
                continue
            seen.add(doc)
            raw.append((label, name, _cut_sections(doc)))
    tally = Counter(part for _, _, doc in raw for part in set(_paragraphs(doc)))
    templates = frozenset(part for part, count in tally.items() if count >= TEMPLATE_MIN_DOCS)
    texts = [clean_docstring(doc, templates) for _, _, doc in raw]
    return Corpus(
        names=tuple(name for _, name, _ in raw),
        labels=tuple(label for label, _, _ in raw),
        texts=tuple(texts),
        versions={"numpy": np.__version__, "scipy": scipy.__version__},
    )


@dataclass(frozen=True)
class TermMatrix:
    """A TF-IDF document–term matrix.

    Attributes
    ----------
    X : scipy.sparse.csr_matrix, shape (n_documents, n_terms)
        Nonnegative; each nonzero row has unit Euclidean length.
    vocabulary : tuple of str
        The term of each column, sorted.
    idf : ndarray, shape (n_terms,)
    document_frequency : ndarray of int, shape (n_terms,)
    """

    X: sp.csr_matrix
    vocabulary: tuple[str, ...]
    idf: np.ndarray
    document_frequency: np.ndarray


def tfidf(
    documents: Sequence[Sequence[str]],
    *,
    min_df: int = MIN_DF,
    max_df_share: float = MAX_DF_SHARE,
    vocabulary: Sequence[str] | None = None,
) -> TermMatrix:
    """TF-IDF of tokenised documents: counts × ``ln((1 + n)/(1 + df)) + 1``, rows to unit length.

    Parameters
    ----------
    documents : sequence of sequences of str
        Each document's tokens (:func:`tokenize`).
    min_df : int
        Keep terms found in at least this many documents …
    max_df_share : float
        … and in at most this share of them (words that are everywhere tell nothing apart).
    vocabulary : sequence of str, optional
        Use exactly these terms (in this order) instead of choosing them by frequency.

    Returns
    -------
    TermMatrix

    Raises
    ------
    ValueError
        No documents, bad thresholds, or no term left.
    """
    n = len(documents)
    if n == 0:
        raise ValueError("Need at least one document.")
    if isinstance(min_df, bool) or not isinstance(min_df, numbers.Integral) or min_df < 1:
        raise ValueError(f"min_df must be a positive integer, got {min_df!r}.")
    if not (isinstance(max_df_share, numbers.Real) and 0 < max_df_share <= 1):
        raise ValueError(f"max_df_share must be in (0, 1], got {max_df_share!r}.")
    frequency = Counter(word for document in documents for word in set(document))
    if vocabulary is None:
        terms = sorted(
            word for word, count in frequency.items() if min_df <= count <= max_df_share * n
        )
    else:
        terms = list(vocabulary)
    if not terms:
        raise ValueError("No term is left after the document-frequency limits.")
    index = {term: column for column, term in enumerate(terms)}
    rows, columns, counts = [], [], []
    for row, document in enumerate(documents):
        for term, count in Counter(word for word in document if word in index).items():
            rows.append(row)
            columns.append(index[term])
            counts.append(count)
    tf = sp.csr_matrix(
        (np.asarray(counts, dtype=np.float64), (rows, columns)), shape=(n, len(terms))
    )
    df = np.array([frequency[term] for term in terms], dtype=np.int64)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    weighted = tf.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    X = sp.csr_matrix(sp.diags(scale) @ weighted)
    X.sort_indices()
    return TermMatrix(X=X, vocabulary=tuple(terms), idf=idf, document_frequency=df)


# ---- agreement with the labels ---------------------------------------------------------------


def _check_labelings(labels_true: Any, labels_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    labels_true, labels_pred = np.asarray(labels_true), np.asarray(labels_pred)
    if labels_true.ndim != 1 or labels_pred.shape != labels_true.shape:
        raise ValueError(
            f"Need two labelings of the same length; got shapes {labels_true.shape} and "
            f"{labels_pred.shape}."
        )
    if labels_true.size == 0:
        raise ValueError("Need at least one labelled document.")
    return labels_true, labels_pred


def contingency(labels_true: Any, labels_pred: Any) -> np.ndarray:
    """Counts ``C[i, j]``: documents with predicted cluster ``i`` and true label ``j``.

    Rows follow the sorted distinct predicted values, columns the sorted distinct true ones.
    """
    labels_true, labels_pred = _check_labelings(labels_true, labels_pred)
    _, true_ids = np.unique(labels_true, return_inverse=True)
    _, pred_ids = np.unique(labels_pred, return_inverse=True)
    table = np.zeros((pred_ids.max() + 1, true_ids.max() + 1), dtype=np.int64)
    np.add.at(table, (pred_ids, true_ids), 1)
    return table


def purity(labels_true: Any, labels_pred: Any) -> float:
    """Share of documents whose cluster's most common true label is their own.

    ``Σ_clusters max_label |cluster ∩ label| / n``: 1 when every cluster holds one label. It
    rewards many small clusters (n clusters of one document each have purity 1), so read it
    with NMI.

    Examples
    --------
    >>> purity(["a", "a", "b", "b"], [0, 0, 0, 1])
    0.75
    """
    table = contingency(labels_true, labels_pred)
    return float(table.max(axis=1).sum() / table.sum())


def _entropy(counts: np.ndarray) -> float:
    shares = counts[counts > 0] / counts.sum()
    return float(-np.sum(shares * np.log(shares)))


def normalized_mutual_info(labels_true: Any, labels_pred: Any) -> float:
    """Mutual information of two labelings over the mean of their entropies (0 … 1).

    ``NMI = I(T; P) / ((H(T) + H(P)) / 2)``, scikit-learn's default (``"arithmetic"``). 1 when
    the clusters are the labels (renamed), about 0 when they are unrelated. Two labelings that
    each put everything in one group are identical: NMI 1.

    Examples
    --------
    >>> round(normalized_mutual_info(["a", "a", "b", "b"], [1, 1, 0, 0]), 6)
    1.0
    """
    table = contingency(labels_true, labels_pred).astype(np.float64)
    n = table.sum()
    h_true, h_pred = _entropy(table.sum(axis=0)), _entropy(table.sum(axis=1))
    if h_true == 0 and h_pred == 0:
        return 1.0
    if h_true == 0 or h_pred == 0:
        return 0.0
    joint = table / n
    outer = np.outer(table.sum(axis=1), table.sum(axis=0)) / n**2
    nonzero = joint > 0
    mutual = float(np.sum(joint[nonzero] * np.log(joint[nonzero] / outer[nonzero])))
    return float(np.clip(mutual / ((h_true + h_pred) / 2), 0.0, 1.0))


# ---- topics --------------------------------------------------------------------------------


def _check_top(n_top: Any, n_terms: int) -> int:
    if isinstance(n_top, bool) or not isinstance(n_top, numbers.Integral) or n_top < 1:
        raise ValueError(f"n_top must be a positive integer, got {n_top!r}.")
    return min(int(n_top), n_terms)


@dataclass(frozen=True)
class TopicModel:
    """NMF of a TF-IDF matrix: topics (rows of ``W``) and the documents' mixes (rows of ``H``).

    Attributes
    ----------
    H : ndarray, shape (n_documents, r)
    W : ndarray, shape (r, n_terms)
        Topics, ordered by their total weight in ``H`` (largest first).
    top_words : tuple of tuple of str
        Each topic's words with the largest weights, largest first.
    top_weights : tuple of ndarray
        Their weights in ``W``.
    assignment : ndarray of int, shape (n_documents,)
        Each document's topic: its largest entry of ``H``.
    relative_error : float
        ``‖X − HW‖_F / ‖X‖_F``.
    """

    H: np.ndarray
    W: np.ndarray
    top_words: tuple[tuple[str, ...], ...]
    top_weights: tuple[np.ndarray, ...]
    assignment: np.ndarray
    relative_error: float

    @property
    def rank(self) -> int:
        return int(self.W.shape[0])


def _top(
    row: np.ndarray, vocabulary: Sequence[str], n_top: int, *, positive_only: bool = False
) -> tuple[tuple[str, ...], np.ndarray]:
    """The ``n_top`` largest entries of ``row`` (only those above 0 if ``positive_only``)."""
    # Largest first; ties broken by the column, so the list is deterministic.
    order = np.lexsort((np.arange(row.size), -row))[:n_top]
    if positive_only:
        order = order[row[order] > 0]
    return tuple(vocabulary[i] for i in order), row[order]


def nmf_topics(
    terms: TermMatrix, rank: int, *, seed: Any = 0, n_top: int = DEFAULT_TOP_WORDS
) -> TopicModel:
    """Factor the TF-IDF matrix with NMF (:data:`TEXT_NMF`) and read off the topics.

    Parameters
    ----------
    terms : TermMatrix
    rank : int
        Number of topics ``r``, at most the number of documents and of terms.
    seed : None, int or numpy.random.Generator
        Draws the random start.
    n_top : int
        Words listed per topic.

    Returns
    -------
    TopicModel
    """
    rank = check_rank(rank)
    n, m = terms.X.shape
    if rank > min(n, m):
        raise ValueError(
            f"rank must be at most min(n_documents, n_terms) = {min(n, m)}, got {rank}."
        )
    n_top = _check_top(n_top, m)
    fit = nmf(terms.X, rank, seed=seed, **TEXT_NMF)
    # Rows of W to unit length (the scale moves into H), then topics by their weight in H.
    norms = np.linalg.norm(fit.W, axis=1)
    norms = np.where(norms > 0, norms, 1.0)
    W, H = fit.W / norms[:, None], fit.H * norms[None, :]
    order = np.argsort(-H.sum(axis=0), kind="stable")
    W, H = W[order], H[:, order]
    tops = [_top(row, terms.vocabulary, n_top) for row in W]
    return TopicModel(
        H=H,
        W=W,
        top_words=tuple(words for words, _ in tops),
        top_weights=tuple(weights for _, weights in tops),
        assignment=np.argmax(H, axis=1),
        relative_error=float(fit.relative_error),
    )


@dataclass(frozen=True)
class LsaTopics:
    """LSA: the truncated SVD ``X ≈ U Σ Vᵀ``; its "topics" are the rows of ``Vᵀ``, signed.

    Attributes
    ----------
    components : ndarray, shape (r, n_terms)
        Rows of ``Vᵀ``, each signed so that its largest-magnitude entry is positive.
    singular_values : ndarray, shape (r,)
    positive_words, negative_words : tuple of tuple of str
        Each component's words with the largest positive / most negative weights.
    positive_weights, negative_weights : tuple of ndarray
    negative_share : ndarray, shape (r,)
        Share of each component's squared weight on negative entries (0 for an NMF topic).
    """

    components: np.ndarray
    singular_values: np.ndarray
    positive_words: tuple[tuple[str, ...], ...]
    negative_words: tuple[tuple[str, ...], ...]
    positive_weights: tuple[np.ndarray, ...]
    negative_weights: tuple[np.ndarray, ...]
    negative_share: np.ndarray


def term_svd(terms: TermMatrix) -> tuple[np.ndarray, np.ndarray]:
    """Singular values and right singular vectors (rows of ``Vᵀ``) of the TF-IDF matrix."""
    _, singular_values, Vt = np.linalg.svd(terms.X.toarray(), full_matrices=False)
    return singular_values, Vt


def lsa_topics(
    terms: TermMatrix,
    rank: int,
    *,
    n_top: int = DEFAULT_TOP_WORDS,
    svd: tuple[np.ndarray, np.ndarray] | None = None,
) -> LsaTopics:
    """The first ``rank`` right singular vectors of the TF-IDF matrix, read as topics.

    ``svd`` may hold :func:`term_svd` of ``terms``, computed once.
    """
    rank = check_rank(rank)
    n, m = terms.X.shape
    if rank > min(n, m):
        raise ValueError(
            f"rank must be at most min(n_documents, n_terms) = {min(n, m)}, got {rank}."
        )
    n_top = _check_top(n_top, m)
    singular_values, Vt = term_svd(terms) if svd is None else svd
    Vt, singular_values = Vt[:rank], singular_values[:rank]
    signs = np.sign(Vt[np.arange(rank), np.argmax(np.abs(Vt), axis=1)])
    Vt = Vt * np.where(signs == 0, 1.0, signs)[:, None]
    positive = [_top(row, terms.vocabulary, n_top, positive_only=True) for row in Vt]
    negative = [_top(-row, terms.vocabulary, n_top, positive_only=True) for row in Vt]
    squares = Vt**2
    return LsaTopics(
        components=Vt,
        singular_values=singular_values,
        positive_words=tuple(words for words, _ in positive),
        negative_words=tuple(words for words, _ in negative),
        positive_weights=tuple(weights for _, weights in positive),
        negative_weights=tuple(-weights for _, weights in negative),
        negative_share=np.sum(squares * (Vt < 0), axis=1) / np.sum(squares, axis=1),
    )


@dataclass(frozen=True)
class Agreement:
    """Purity and NMI of NMF's topics with the labels, rank by rank.

    Attributes
    ----------
    ranks : ndarray of int
    purity, nmi : ndarray of float
    majority_share : float
        Purity of putting every document in one topic: the share of the largest label.
    """

    ranks: np.ndarray
    purity: np.ndarray
    nmi: np.ndarray
    majority_share: float

    def at(self, rank: int) -> tuple[float, float]:
        """``(purity, nmi)`` at ``rank``."""
        where = np.flatnonzero(self.ranks == rank)
        if where.size == 0:
            raise ValueError(f"Rank {rank} is not on the curve ({self.ranks.tolist()}).")
        return float(self.purity[where[0]]), float(self.nmi[where[0]])

    @property
    def best_nmi_rank(self) -> int:
        """The rank with the highest NMI (the smallest such rank on ties)."""
        return int(self.ranks[int(np.argmax(self.nmi))])


def agreement_curve(
    terms: TermMatrix,
    labels: Sequence[str],
    ranks: Sequence[int] = tuple(range(MIN_RANK, MAX_RANK + 1)),
    *,
    seed: Any = 0,
    models: dict[int, TopicModel] | None = None,
) -> Agreement:
    """Purity and NMI of the NMF topics (argmax of each row of ``H``) against ``labels``.

    ``models`` may hold fits already made (rank -> :class:`TopicModel`), which are reused.
    """
    labels = np.asarray(labels)
    if labels.shape != (terms.X.shape[0],):
        raise ValueError(
            f"Need one label per document ({terms.X.shape[0]}), got shape {labels.shape}."
        )
    ranks = np.array([check_rank(rank) for rank in ranks])
    purities, nmis = [], []
    for rank in ranks:
        model = (models or {}).get(int(rank)) or nmf_topics(terms, int(rank), seed=seed)
        purities.append(purity(labels, model.assignment))
        nmis.append(normalized_mutual_info(labels, model.assignment))
    _, counts = np.unique(labels, return_counts=True)
    return Agreement(
        ranks=ranks,
        purity=np.array(purities),
        nmi=np.array(nmis),
        majority_share=float(counts.max() / counts.sum()),
    )


def own_topic(model: TopicModel, labels: Sequence[str]) -> tuple[str, float]:
    """The label that has a topic most to itself, and how pure that topic is.

    For each topic, the share of its documents that carry its most common label; the purest
    topic's label is returned with that share. At r = 2 this answers the checkpoint "which
    submodule gets a topic of its own?".
    """
    labels = np.asarray(labels)
    if labels.shape != model.assignment.shape:
        raise ValueError(
            f"Need one label per document ({model.assignment.size}), got shape {labels.shape}."
        )
    best_label, best_share = "", -1.0
    for topic in range(model.rank):
        members = labels[model.assignment == topic]
        if members.size == 0:
            continue
        names, counts = np.unique(members, return_counts=True)
        share = float(counts.max() / members.size)
        if share > best_share:
            best_label, best_share = str(names[int(np.argmax(counts))]), share
    return best_label, best_share


def topic_majorities(model: TopicModel, labels: Sequence[str]) -> tuple[tuple[str, int, int], ...]:
    """For each topic: its most common label, that label's documents in it, all its documents."""
    labels = np.asarray(labels)
    result = []
    for topic in range(model.rank):
        members = labels[model.assignment == topic]
        if members.size == 0:
            result.append(("", 0, 0))
            continue
        names, counts = np.unique(members, return_counts=True)
        best = int(np.argmax(counts))
        result.append((str(names[best]), int(counts[best]), int(members.size)))
    return tuple(result)


def topic_table(model: TopicModel, labels: Sequence[str]) -> np.ndarray:
    """Documents per topic (rows, all ``r``) and label (columns, in :data:`LABELS` order)."""
    labels = np.asarray(labels)
    if labels.shape != model.assignment.shape:
        raise ValueError(
            f"Need one label per document ({model.assignment.size}), got shape {labels.shape}."
        )
    table = np.zeros((model.rank, len(LABELS)), dtype=np.int64)
    for column, name in enumerate(LABELS):
        table[:, column] = np.bincount(model.assignment[labels == name], minlength=model.rank)
    return table


@dataclass(frozen=True)
class TopicCover:
    """Whether each label is the majority of exactly one topic (the r = 6 checkpoint).

    Attributes
    ----------
    one_each : bool
        Every label leads exactly one topic.
    split : tuple of str
        Labels that lead two or more topics.
    missing : tuple of str
        Labels that lead none (their documents sit in other labels' topics).
    """

    one_each: bool
    split: tuple[str, ...]
    missing: tuple[str, ...]


def topic_cover(model: TopicModel, labels: Sequence[str]) -> TopicCover:
    """Which labels lead no topic, and which lead several (majorities of the topics)."""
    leaders = Counter(name for name, _, size in topic_majorities(model, labels) if size)
    names = sorted(set(np.asarray(labels).tolist()))
    split = tuple(name for name in names if leaders[name] > 1)
    missing = tuple(name for name in names if leaders[name] == 0)
    return TopicCover(one_each=not split and not missing, split=split, missing=missing)


# ---- checkpoints ---------------------------------------------------------------------------


def _short(label: str) -> str:
    return label.split(".")[-1]


def one_each_checkpoint(at_six: TopicModel, labels: Sequence[str]) -> Checkpoint:
    """Checkpoint: with six topics for six submodules, does each get one topic of its own?

    Answered from ``at_six``, the NMF at r = 6 with the page's seed, by :func:`topic_cover`.
    """
    cover = topic_cover(at_six, labels)
    correct = 0 if cover.one_each else 1
    leaders = ", ".join(
        f"topic {j + 1}: {_short(name)} {count}/{size}"
        for j, (name, count, size) in enumerate(topic_majorities(at_six, labels))
        if size
    )
    if cover.one_each:
        detail = "each submodule leads exactly one topic"
    else:
        parts = []
        if cover.split:
            parts.append(
                f"{', '.join(cover.split)} lead{'s' if len(cover.split) == 1 else ''} "
                "two or more topics"
            )
        if cover.missing:
            parts.append(
                f"{', '.join(cover.missing)} lead{'s' if len(cover.missing) == 1 else ''} none"
            )
        detail = " and ".join(parts)
    return Checkpoint(
        key="texts_one_each",
        question=(
            "The corpus has six submodules. With r = 6 topics, will NMF give each submodule "
            "one topic whose documents it leads? Answer, then look at the table of topics and "
            "submodules at r = 6."
        ),
        choices=(
            Choice(
                "Yes, one topic each",
                "Here it does: each submodule's words are distinct enough to take one topic."
                if cover.one_each
                else "NMF is never told the labels: it finds groups of words that occur "
                "together. A large submodule with two vocabularies can take two topics, and "
                "a small one whose words it shares with another can get none.",
            ),
            Choice(
                "No: some submodule gets two topics, another none",
                "NMF is never told the labels, and nothing makes a topic follow a submodule: "
                "a submodule with more than one vocabulary takes several topics, and each "
                "topic spent on it is missing elsewhere."
                if not cover.one_each
                else "Here the vocabularies happen to line up with the submodules one to one.",
            ),
        ),
        correct=correct,
        explanation=f"At r = 6 on screen: {detail} ({leaders}).",
    )


def purity_rank_checkpoint(curve: Agreement, rank: int = 6, higher: int = MAX_RANK) -> Checkpoint:
    """Checkpoint: is purity higher at r = ``higher`` than at r = ``rank``?"""
    low_purity, low_nmi = curve.at(rank)
    high_purity, high_nmi = curve.at(higher)
    correct = 0 if high_purity > low_purity else 1
    return Checkpoint(
        key="texts_purity_rank",
        question=(
            f"Purity counts the documents that sit in a topic led by their own submodule. Will "
            f"it be higher at r = {higher} than at r = {rank}, though there are only six "
            "submodules?"
        ),
        choices=(
            Choice(
                "Higher",
                "Smaller topics are easier to keep pure: splitting a topic never lowers "
                "purity, so more topics tend to score higher even past the number of labels.",
            ),
            Choice(
                "Lower",
                "Purity does not punish splitting a submodule over several topics: each piece "
                "is still led by its own submodule. That is why NMI is shown beside it.",
            ),
        ),
        correct=correct,
        explanation=(
            f"On screen: purity {low_purity:.2f} at r = {rank} and {high_purity:.2f} at "
            f"r = {higher}; NMI {low_nmi:.2f} and {high_nmi:.2f}. NMI, which does count the "
            "splitting, is highest at r = "
            f"{curve.best_nmi_rank}."
        ),
    )


def lsa_signs_checkpoint(lsa: LsaTopics) -> Checkpoint:
    """Checkpoint: will the second SVD component have only positive weights?"""
    share = float(lsa.negative_share[1])
    correct = 0 if share == 0 else 1
    return Checkpoint(
        key="texts_lsa_signs",
        question=(
            "The SVD's first component is the corpus's average direction, all weights ≥ 0. "
            "Will the second component also have only positive weights, like an NMF topic?"
        ),
        choices=(
            Choice(
                "Yes, only positive weights",
                "The second singular vector is orthogonal to the first, whose weights are all "
                "positive; a vector orthogonal to a positive vector must have negative entries.",
            ),
            Choice(
                "No, positive and negative weights",
                "Orthogonal to an all-positive first component, the second must have both "
                "signs: it contrasts one group of words with another.",
            ),
        ),
        correct=correct,
        explanation=(
            f"On screen the second component puts {share:.0%} of its squared weight on "
            f"negative entries: {', '.join(lsa.positive_words[1][:3])} against "
            f"{', '.join(lsa.negative_words[1][:3])}."
        ),
    )
