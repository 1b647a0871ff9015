"""Bound widgets that survive any link: the URL value is checked before Streamlit reads it.

Every widget created with ``bind="query-params"`` goes through :func:`url_widget`::

    rank = url_widget(st.slider, "Rank r", 1, 64, 20, key="img_rank", bind="query-params")

Before the widget exists, :func:`url_widget` reads the URL value for its key as Streamlit will
seed the widget from it, checks it against the widget's own arguments at that moment (range,
step, options, length) with :mod:`nmf_lab.url_values`, and writes the nearest valid setting
back where Streamlit seeds from (and into the browser's URL). A hostile value (``inf``,
``1e309``, ``?k=1&k=inf``, junk) therefore never reaches a deserializer, and a stale one (a
rank above today's maximum, a renamed option) opens at the nearest valid setting. Whatever was
changed is listed in one message at the top of the page (:func:`start_url_checks`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st

from nmf_lab.url_values import (
    ChoiceSpec,
    NumberSpec,
    RawValue,
    Resolution,
    Spec,
    TextSpec,
    ToggleSpec,
    escape_markdown,
)

T = TypeVar("T")

BIND = "query-params"
# Session-state slot of this run's notice (not a widget key).
_NOTICE_STATE = "_url_state_notice"
NOTICE_TITLE = (
    "This link asked for settings this page cannot show as they are, so it opens with the "
    "nearest valid ones:"
)

# Old option label -> current label, per widget key, for options renamed since links were
# shared (from the git history: the URL stores the shown label).
OPTION_ALIASES: dict[str, dict[str, str]] = {
    "img_src": {"Upload your own…": "upload"},
    "img_color": {
        "Grayscale (one matrix)": "grayscale",
        "Each channel separately (R, G, B)": "rgb",
    },
    "img_solver": {
        "HALS": "hals",
        "Multiplicative updates": "mu",
        "ANLS": "anls",
        "ALS (clipped least squares)": "als",
    },
    "img_view": {
        "single layers H[:, j] W[j, :]": "layers",
        "running sum of the layers": "running sum",
    },
    "learn_data": {"Toy cloud 3-D": "Cloud 3-D", "Toy cloud 2-D": "Cloud 2-D"},
    "cr_solver_c": {
        "multiplicative updates (mu)": "mu",
        "HALS": "hals",
        "ANLS": "anls",
        "ALS (clipped)": "als",
    },
    "cr_pen_data": {"100 faces (LFW subset)": "faces"},
}

_NUMBER_WIDGETS = {"slider", "number_input"}
_CHOICE_WIDGETS = {"selectbox", "radio", "select_slider"}
_TOGGLE_WIDGETS = {"toggle", "checkbox"}


class _Notice:
    """The message slot at the top of the page and the notes shown in it this run."""

    def __init__(self, slot: Any) -> None:
        self.slot = slot
        self.notes: list[str] = []

    def add(self, label: str, note: str) -> None:
        line = f"- **{escape_markdown(label)}**: {escape_markdown(note)}"
        if line in self.notes:
            return
        self.notes.append(line)
        if self.slot is not None:
            self.slot.info(
                "\n".join([escape_markdown(NOTICE_TITLE), "", *self.notes]), icon=":material/link:"
            )


def start_url_checks() -> None:
    """Reserve the message slot at the top of the main area; call once per run before any widget."""
    st.session_state[_NOTICE_STATE] = _Notice(st.empty())


def url_notes() -> list[str]:
    """The notes shown in this run so far (markdown lines), for tests and the page."""
    notice = st.session_state.get(_NOTICE_STATE)
    return list(notice.notes) if notice is not None else []


def _note(label: str, note: str) -> None:
    notice = st.session_state.get(_NOTICE_STATE)
    if notice is None:
        # A page run without app.py (e.g. a test of one script): notes go to a slot here.
        notice = _Notice(st.empty())
        st.session_state[_NOTICE_STATE] = notice
    notice.add(label, note)


def exchange_url_value(key: str, resolve: Callable[[RawValue], Resolution]) -> Resolution:
    """Read the URL value Streamlit will seed widget ``key`` from, and replace it by a valid one.

    This is the one place that touches Streamlit's private state, read from Streamlit 1.67.0:
    a bound widget is not seeded from ``st.query_params`` but from a snapshot of the query
    string taken when the run starts (``QueryParams._initial_query_params``; set in
    ``ScriptRunContext.reset`` on a same-page rerun and in ``ScriptRunner._run_script`` on a page
    change; read by ``SessionState._handle_query_param_binding`` through
    ``QueryParams.get_initial_value``). Changing ``st.query_params`` therefore does not reach the
    seeding, and ``?seed=inf`` reached ``int(float("inf"))`` in the number input's deserializer
    (an ``OverflowError`` Streamlit does not catch). Here the snapshot gets the resolved text
    (or loses the key when the setting is the default) and the current parameters are updated
    the same way, which also sends the corrected URL to the browser.
    ``tests/app/test_app_url_state.py`` pins this behaviour: an upgrade that moves the
    snapshot makes it fail.

    Parameters
    ----------
    key : str
        The widget key (= the query parameter).
    resolve : callable
        Maps the raw value (``None``, a text or a list of texts) to a :class:`Resolution`.

    Returns
    -------
    Resolution
        What ``resolve`` returned for the raw value.
    """
    from streamlit.runtime.state import get_session_state

    with get_session_state().query_params() as query_params:
        raw = query_params.get_initial_value(key)
        resolution = resolve(raw)
        if raw is None or (isinstance(raw, str) and raw == resolution.text):
            return resolution
        if resolution.text is None:
            query_params._initial_query_params.pop(key, None)
            query_params.remove_param(key)
        else:
            query_params._initial_query_params[key] = [resolution.text]
            query_params.set_corrected_value(key, resolution.text, "string_value")
    return resolution


def _format(format_func: Callable[[Any], Any], option: Any) -> str:
    return str(format_func(option))


def spec_for(kind: str, arguments: Mapping[str, Any], key: str) -> Spec:
    """The :mod:`nmf_lab.url_values` spec of one widget call, from its own arguments.

    Parameters
    ----------
    kind : str
        The widget function's name (``"slider"``, ``"selectbox"``...).
    arguments : mapping
        The call's arguments by parameter name (defaults not filled in).
    key : str
        The widget key (picks the option aliases).

    Raises
    ------
    TypeError
        For a widget kind or form this layer does not know yet (a range slider, a
        ``value=None`` number input...): a new kind of bound widget must be taught here.
    """
    if kind in _NUMBER_WIDGETS:
        minimum, maximum = arguments.get("min_value"), arguments.get("max_value")
        if minimum is None or maximum is None:
            raise TypeError(f"{key}: url_widget needs min_value and max_value")
        value = arguments.get("value", minimum)
        value = minimum if value in (None, "min") else value
        if isinstance(value, (list, tuple)):
            raise TypeError(f"{key}: range sliders are not supported by url_widget")
        step = arguments.get("step")
        numbers = [minimum, maximum, value] + ([step] if step is not None else [])
        integer = all(
            isinstance(number, int) and not isinstance(number, bool) for number in numbers
        )
        if kind == "slider" and step is None:
            step = 1 if integer else 0.01
        return NumberSpec(
            minimum=minimum,
            maximum=maximum,
            default=value,
            step=step,
            integer=integer,
            on_grid=kind == "slider",
        )
    if kind in _CHOICE_WIDGETS:
        options = list(arguments["options"])
        format_func = arguments.get("format_func", str)
        labels = tuple(_format(format_func, option) for option in options)
        if kind == "select_slider":
            value = arguments.get("value", options[0])
            if isinstance(value, (list, tuple)):
                raise TypeError(f"{key}: range select sliders are not supported by url_widget")
            default = _format(format_func, value)
            numeric = all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in options)
        else:
            index = arguments.get("index", 0)
            if index is None:
                raise TypeError(f"{key}: url_widget needs a default option (index)")
            default = labels[index]
            numeric = False
        return ChoiceSpec(labels, default, OPTION_ALIASES.get(key, {}), numeric=numeric)
    if kind == "tabs":
        labels = tuple(str(label) for label in arguments["tabs"])
        default = arguments.get("default") or labels[0]
        return ChoiceSpec(labels, default, OPTION_ALIASES.get(key, {}))
    if kind in _TOGGLE_WIDGETS:
        return ToggleSpec(bool(arguments.get("value", False)))
    if kind == "text_input":
        value = arguments.get("value", "")
        return TextSpec("" if value is None else str(value), arguments.get("max_chars"))
    raise TypeError(f"{key}: url_widget does not know {kind!r} widgets yet")


def _label(kind: str, arguments: Mapping[str, Any], key: str) -> str:
    if kind == "tabs":
        return key
    return str(arguments.get("label", key)).strip() or key


def url_widget(widget: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Create the bound widget ``widget(*args, **kwargs)`` after checking its URL value.

    ``widget`` is a Streamlit widget function or a container's (``st.slider``,
    ``columns[0].selectbox``, ``st.tabs``); the arguments are the widget's own and must include
    ``key`` and ``bind="query-params"``. The URL value for ``key`` is resolved against these
    arguments (see :func:`spec_for`) before Streamlit sees it; a changed value is listed in the
    message at the top of the page.

    Returns
    -------
    Whatever ``widget`` returns.
    """
    kind = getattr(widget, "__name__", "")
    arguments = inspect.signature(widget).bind_partial(*args, **kwargs).arguments
    key = arguments.get("key")
    if arguments.get("bind") != BIND or not isinstance(key, str):
        raise TypeError("url_widget is for widgets with a str key and bind='query-params'")
    spec = spec_for(kind, arguments, key)
    resolution = exchange_url_value(key, spec.resolve)
    if resolution.note:
        _note(_label(kind, arguments, key), resolution.note)
    return widget(*args, **kwargs)
