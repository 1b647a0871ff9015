"""UI pieces every page shares: the sidebar, lecture mode, figure and download helpers.

Only Streamlit glue lives here (widgets, layout, caching wrappers); anything that computes
belongs in ``nmf_lab`` (lessons and figures) or ``nmf_core``, where it is tested without
Streamlit.

Conventions for page authors
----------------------------
- Widgets whose value shapes the picture are created with ``key=...`` and
  ``bind="query-params"``, so the URL reproduces the page, and through
  ``url_widget(st.slider, ...)`` (``app_pages/_url_state.py``), so that a hostile or stale
  link opens at the nearest valid setting and says so. Keys are short, lower-case, unique
  within the page, and never one of :data:`SIDEBAR_KEYS`.
- Read the global seed with :func:`seed`; wrap long explanations in :func:`explain` so lecture
  mode can hide them; show figures with :func:`show_figure` (caption + PNG export), figures
  that belong side by side with :func:`show_figure_row` (a phone stacks them).
- Uploads and typed-in text go through :func:`last_good`: a bad input shows the page's message
  and the page keeps working on the last input that parsed. An uploader takes
  ``type=upload_types(EXTENSIONS)`` and its parse is wrapped in
  ``checked_upload(parse, upload, EXTENSIONS)``, so a file under another name gets that
  message too (not Streamlit's error page).

Cache keys
----------
``st.cache_data`` hashes every argument whose name does not start with an underscore. Arrays
are never hashed (Streamlit would hash big arrays slowly, or sample them): a cached function
takes its array arguments with a leading underscore (``_X``, ``_image``) and, before them, an
explicit hashable key that names the content exactly: the settings that made the data
(``"planted:4:0.3:0"``, ``"sample:camera"``) or the SHA-256 digest of an upload's bytes
(``"upload:<digest>"``, :attr:`GoodInput.digest`). Everything else (ranks, solvers, seeds) is
passed as plain hashable arguments. Results computed from other cached results (start points,
factorisations) are passed underscored too, since the key arguments already determine them.
:func:`shared_result` follows the same rules; use it instead of ``st.cache_data`` for results
that figures (:func:`shared_figure`) or other values (:func:`shared_value`) are drawn from, so
that every session shares one copy.
"""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app_pages._projector import apply_lecture_style, apply_page_style, projector_figure
from app_pages._url_state import url_widget
from nmf_lab.figures.shared import share_figures
from nmf_lab.work_limits import DerivedCache, make_read_only

SEED_KEY = "seed"
LECTURE_KEY = "lecture"
SIDEBAR_KEYS = (SEED_KEY, LECTURE_KEY)
DEFAULT_SEED = 0
MAX_SEED = 2**31 - 1

REFERENCES = {
    "Gillis (2014), The Why and How of Nonnegative Matrix Factorization": "https://arxiv.org/abs/1401.5226",
    "Lee & Seung (1999), Learning the parts of objects by NMF": "https://www.nature.com/articles/44565",
    "Gillis & Glineur (2012), Accelerated multiplicative updates and HALS": "https://arxiv.org/abs/1107.5194",
    "Real spherical harmonics": "https://en.wikipedia.org/wiki/Spherical_harmonics",
}


def render_shared_sidebar() -> None:
    """Draw the sidebar every page shares: global seed, lecture mode and references."""
    with st.sidebar:
        url_widget(
            st.number_input,
            "Seed",
            min_value=0,
            max_value=MAX_SEED,
            value=DEFAULT_SEED,
            step=1,
            key=SEED_KEY,
            bind="query-params",
            help="Same seed and settings give the same picture: random starts and toy data "
            "are drawn from it.",
        )
        url_widget(
            st.toggle,
            "Lecture mode",
            value=False,
            key=LECTURE_KEY,
            bind="query-params",
            help="For a projector: hides the long explanations and enlarges text.",
        )
        with st.expander("References"):
            for title, url in REFERENCES.items():
                st.markdown(f"- [{title}]({url})")
    apply_page_style()
    if lecture_mode():
        apply_lecture_style()


def seed() -> int:
    """Return the global seed chosen in the sidebar (``DEFAULT_SEED`` before it exists)."""
    value = st.session_state.get(SEED_KEY, DEFAULT_SEED)
    try:
        return int(value)
    except (TypeError, ValueError):
        return DEFAULT_SEED


def lecture_mode() -> bool:
    """Return whether lecture mode is on."""
    return bool(st.session_state.get(LECTURE_KEY, False))


def explain(markdown: str) -> None:
    """Render a longer explanation, hidden in lecture mode."""
    if not lecture_mode():
        st.markdown(markdown)


def shared_result(*, max_entries: int, show_spinner: bool | str = False):
    """``st.cache_resource`` for a page's results: one read-only object for every session.

    ``st.cache_data`` hands every call its own unpickled copy, so a class of 40 held 40 copies
    of the same arrays and drew each figure from them 40 times. A shared result is the same
    object for every session with the same arguments (hashed as ``st.cache_data`` hashes
    them), so :func:`shared_figure` draws from it once; its arrays are made read-only
    (:func:`nmf_lab.work_limits.make_read_only`), so no page can change it for everyone.
    """

    def decorate(compute):
        @functools.wraps(compute)
        def shared(*args, **kwargs):
            return make_read_only(compute(*args, **kwargs))

        return st.cache_resource(max_entries=max_entries, show_spinner=show_spinner)(shared)

    return decorate


#: Figures drawn from the shared results (``_progress.RESULTS`` and :func:`shared_result`), held
#: once for every session: a class opening the same view gets the same figure objects.
FIGURES = DerivedCache(192, max_bytes=400_000_000)


def shared_figure(source: Any, name: Hashable, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``build()`` draws of ``source``, built by the first session that shows it.

    Parameters
    ----------
    source : object
        The shared result the figure shows (what ``run_cached`` or a :func:`shared_result`
        function returned), the same object for every session with the same settings.
    name : hashable
        Which figure of it, with every setting of the view that is not in ``source`` (a
        channel, a face index).
    build : callable
        Draws the figure (or a tuple or list of figures); it must depend on nothing but
        ``source`` and what ``name`` says. The figure is shared: nothing may modify it
        (:func:`show_figure` enlarges a copy). It is kept as a
        :class:`nmf_lab.figures.shared.SharedFigure`, so its plotly JSON is encoded once.
    """
    return FIGURES.get_or_build(source, name, lambda: share_figures(build()))


#: What pages compute from the shared results besides figures (distances to a cone, a sound's
#: WAV bytes, a checkpoint's question), held once for every session as :data:`FIGURES` is.
VALUES = DerivedCache(256, max_bytes=200_000_000)


def shared_value(source: Any, name: Hashable, build: Callable[[], Any]) -> Any:
    """The value ``build()`` computes from ``source``, computed by the first session that asks.

    As :func:`shared_figure`, for anything that is not a figure: the value is shared by every
    session with the same settings, so nothing may modify it (its arrays are made read-only).
    """
    return VALUES.get_or_build(source, name, lambda: make_read_only(build()))


def show_figure(fig: go.Figure, caption: str, *, key: str | None = None) -> None:
    """Show a plotly figure with plotly's PNG export and a caption that says what to look at.

    In lecture mode the figure's text is enlarged for a projector (on a copy: cached figures
    are not modified).
    """
    _plotly_chart(fig, key=key)
    st.caption(caption)


def show_figure_row(figures: Sequence[go.Figure], caption: str, *, keys: Sequence[str]) -> None:
    """Show figures that belong together side by side, one per column, with one caption.

    A narrow screen (a phone) stacks the columns, so each figure keeps the full width instead
    of sharing it as panels of one figure; lecture mode stacks them at 1024 pixels too.
    """
    if len(keys) != len(figures):
        raise ValueError(f"{len(figures)} figures need as many keys, got {len(keys)}")
    for column, fig, key in zip(st.columns(len(figures)), figures, keys, strict=True):
        with column:
            _plotly_chart(fig, key=key)
    st.caption(caption)


def _plotly_chart(fig: go.Figure, *, key: str | None) -> None:
    if lecture_mode():
        fig = projector_figure(fig)
    st.plotly_chart(
        fig,
        key=key,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "scale": 2},
        },
    )


def _csv_bytes(matrix: np.ndarray) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, np.asarray(matrix), delimiter=",", fmt="%.8g")
    return buffer.getvalue().encode()


def _npy_bytes(matrix: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(matrix), allow_pickle=False)
    return buffer.getvalue()


def download_matrices(
    matrices: Mapping[str, np.ndarray], *, prefix: str, deferred: bool = False
) -> None:
    """Offer each named matrix as CSV and as NPY (e.g. ``{"H": H, "W": W}``).

    ``deferred=True`` writes the files only when a button is clicked (Streamlit runs the
    callable then), for matrices too large to encode on every run (an H of 262,144 rows takes
    0.3 s and 6 MB as CSV).
    """
    columns = st.columns(2 * len(matrices))
    for index, (name, matrix) in enumerate(matrices.items()):
        csv_data = (lambda m=matrix: _csv_bytes(m)) if deferred else _csv_bytes(matrix)
        npy_data = (lambda m=matrix: _npy_bytes(m)) if deferred else _npy_bytes(matrix)
        columns[2 * index].download_button(
            f"{name} (CSV)",
            data=csv_data,
            file_name=f"{prefix}_{name}.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"dl_{prefix}_{name}_csv",
        )
        columns[2 * index + 1].download_button(
            f"{name} (NPY)",
            data=npy_data,
            file_name=f"{prefix}_{name}.npy",
            mime="application/octet-stream",
            on_click="ignore",
            key=f"dl_{prefix}_{name}_npy",
        )


@dataclass(frozen=True)
class GoodInput:
    """The last input of one upload or text box that parsed.

    Attributes
    ----------
    name : str
        What the page calls it (e.g. the uploaded file's name).
    digest : str
        SHA-256 of the raw bytes: a content key for cached functions.
    value : Any
        What ``parse`` returned.
    """

    name: str
    digest: str
    value: Any


def input_digest(raw: bytes | str) -> str:
    """SHA-256 hex digest of raw upload bytes (text is encoded as UTF-8 first)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    return hashlib.sha256(data).hexdigest()


# The MIME type that goes with each extension an uploader of the app accepts (upload_types).
_MIME_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "txt": "text/plain",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def upload_types(extensions: Sequence[str]) -> list[str]:
    """The ``type=`` of an uploader for ``extensions``: them, and the MIME type of the first.

    Streamlit (1.67) checks an uploaded file's extension while it reads the widget states,
    before the page script runs. A wrong extension (a hand-made upload: the file picker offers
    only these types) raises there, out of reach of the page, and the viewer gets the error
    page on that run and every later one. With a MIME type among the types Streamlit leaves
    the check to the app, which makes it in :func:`checked_upload`; the MIME type is the
    first extension's own, so the file picker offers the same files as before.
    """
    return [*extensions, _MIME_TYPES[extensions[0]]]


def checked_upload(
    parse: Callable[[Any], Any], upload: Any, extensions: Sequence[str]
) -> Callable[[Any], Any]:
    """``parse`` for :func:`last_good` that first refuses a name with another extension.

    ``upload`` is what ``st.file_uploader`` returned (``None`` before a file). The refusal is
    a ``ValueError``, so the page shows its own message for it and keeps the last good
    upload, as for a file that does not parse.
    """

    def parse_if_named_right(raw: Any) -> Any:
        # Imported here: app.py imports this module, and nmf_lab.uploads brings in scipy.
        from nmf_lab.uploads import check_file_extension

        check_file_extension("" if upload is None else upload.name, extensions)
        return parse(raw)

    return parse_if_named_right


def last_good(
    key: str,
    raw: bytes | str | None,
    parse: Callable[[Any], Any],
    *,
    name: str = "",
    message: str = "Could not use **{name}**: {error}",
    kept_in_message: str = "",
    kept_caption: str = "",
) -> GoodInput | None:
    """Parse new input, or keep the last input that parsed; return it (None before any).

    The parsed value lives in ``st.session_state[key]`` together with the digest of its raw
    bytes, so the same input is parsed once per session. When ``parse`` raises ``ValueError``
    the page shows ``message`` in an error box and keeps the previous good value.

    Parameters
    ----------
    key : str
        Session-state slot (not a widget key).
    raw : bytes, str or None
        The upload's bytes or the typed text; ``None`` (nothing uploaded) keeps the last value.
    parse : callable
        ``parse(raw)`` returns the value or raises ``ValueError`` with a message for the user.
    name : str
        Shown in ``message`` as ``{name}``.
    message : str
        The error text; ``{name}`` and ``{error}`` (the ValueError's message) are filled in.
    kept_in_message, kept_caption : str
        When an earlier good input is kept: text appended to the error, or shown as a caption
        under it; ``{name}`` is the kept input's name.
    """
    if raw is not None:
        digest = input_digest(raw)
        last = st.session_state.get(key)
        if last is None or last.digest != digest:
            try:
                value = parse(raw)
            except ValueError as error:
                text = message.format(name=name, error=error)
                if last is not None:
                    text += kept_in_message.format(name=last.name)
                st.error(text)
                if last is not None and kept_caption:
                    st.caption(kept_caption.format(name=last.name))
            else:
                st.session_state[key] = GoodInput(name=name, digest=digest, value=value)
    return st.session_state.get(key)
