"""The lecture plan in the app: the lecture bar, the sidebar's plan tools and the plan editor.

The plan itself (demos, the default plan, links) is :mod:`nmf_lab.lecture_plan`; this module is
the Streamlit glue, called once from ``app.py`` after the shared sidebar and before the page.

Moving to a demo
----------------
A demo is a page and the query-string values of its bound widgets, so moving to one is a page
switch that carries those values: ``st.switch_page(page, query_params=...)``. Two Streamlit
1.67 rules shape how:

- Bound widgets keep their value under their key when their page is left, and take it back on
  return, over a URL that lacks the key. Before the switch, the stored values of the target
  page's keys are deleted, so a setting the demo does not name comes back at its default.
- ``switch_page`` refuses query parameters bound to a widget of the running page, and a bound
  widget that is on screen keeps its value over the URL. A demo on the page already shown is
  therefore reached through another page: the first switch leaves the page (this run's
  widgets unmount), the second, at the top of that run and before any page draws, opens the
  demo.

Buttons only record the move (``on_click``); :func:`render_lecture_plan` performs it at the top
of the next run. The seed is a sidebar widget, so a demo's seed (or the default one) is set in
the callback, where writing a widget's value is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from app_pages._shared import DEFAULT_SEED, LECTURE_KEY, SEED_KEY, lecture_mode
from nmf_lab.lecture_plan import (
    DEMO_PARAM,
    HOME_PATH,
    MAX_POINT_CHARS,
    MAX_TITLE_CHARS,
    PLAN_PARAM,
    Demo,
    Plan,
    app_base_url,
    clean_line,
    default_plan,
    demo_link,
    demo_query,
    encode_plan,
    plan_from_link,
    settings_from_query,
)

# Session-state slots (not widget keys).
_PLAN = "lp_plan"
_TOKEN = "lp_token"
_LINK_READ = "lp_link_read"
_MESSAGE = "lp_message"
_INDEX = "lp_index"
_PENDING = "lp_pending"
_SEEN_KEYS = "lp_seen_keys"
_REVISION = "lp_revision"


def _pages_by_path(pages: Mapping[str, list[st.Page]] | Iterable[st.Page]) -> dict[str, st.Page]:
    """The app's pages by the ``url_path`` a demo names (the default page is ``"start"``)."""
    flat = [p for group in pages.values() for p in group] if isinstance(pages, Mapping) else pages
    return {(page.url_path or HOME_PATH): page for page in flat}


def _path_of(page: st.Page) -> str:
    return page.url_path or HOME_PATH


def _current_settings() -> dict:
    return settings_from_query({key: st.query_params.get_all(key) for key in st.query_params})


def _plan() -> Plan:
    return st.session_state.get(_PLAN) or default_plan()


def _token() -> str | None:
    return st.session_state.get(_TOKEN)


def _set_plan(plan: Plan) -> None:
    """Keep an edited plan in the session and in the URL (no parameter for the default plan)."""
    try:
        token = None if plan == default_plan() else encode_plan(plan)
    except ValueError as problem:
        st.session_state[_MESSAGE] = str(problem)
        return
    st.session_state[_PLAN] = plan
    st.session_state[_TOKEN] = token
    st.session_state[_MESSAGE] = None
    st.session_state[_LINK_READ] = token
    st.session_state[_REVISION] = st.session_state.get(_REVISION, 0) + 1
    st.session_state[_INDEX] = plan.clamp(st.session_state.get(_INDEX, 0))
    if token:
        st.query_params[PLAN_PARAM] = token
    elif PLAN_PARAM in st.query_params:
        del st.query_params[PLAN_PARAM]


def _read_link() -> None:
    """Load the plan a ``plan`` parameter names (once per new link); remember the position."""
    token = st.query_params.get(PLAN_PARAM)
    if token and token != st.session_state.get(_LINK_READ):
        plan, message = plan_from_link(token)
        st.session_state[_LINK_READ] = token
        st.session_state[_PLAN] = plan
        st.session_state[_TOKEN] = None if message else token
        st.session_state[_MESSAGE] = message
        st.session_state[_REVISION] = st.session_state.get(_REVISION, 0) + 1
    position = st.query_params.get(DEMO_PARAM)
    if position is not None:
        try:
            st.session_state[_INDEX] = _plan().clamp(int(position) - 1)
        except ValueError:
            pass
    st.session_state[_INDEX] = _plan().clamp(st.session_state.get(_INDEX, 0))


def _go(index: int) -> None:
    """Button callback: record a move to demo ``index``; set the seed the demo asks for."""
    plan = _plan()
    index = plan.clamp(index)
    demo = plan.demos[index]
    try:
        seed = int(demo.settings.get(SEED_KEY, DEFAULT_SEED))
    except ValueError:
        seed = DEFAULT_SEED
    if st.session_state.get(SEED_KEY, DEFAULT_SEED) != seed:
        st.session_state[SEED_KEY] = seed
    st.session_state[_INDEX] = index
    st.session_state[_PENDING] = {"index": index, "left": False}


def _start_lecture() -> None:
    st.session_state[LECTURE_KEY] = True
    _go(0)


def _perform_pending_move(pages: dict[str, st.Page], current: st.Page) -> None:
    pending = st.session_state.pop(_PENDING, None)
    if pending is None:
        return
    plan = _plan()
    index = plan.clamp(pending["index"])
    demo = plan.demos[index]
    target = pages[demo.url_path]
    position = [(DEMO_PARAM, str(index + 1))] + ([(PLAN_PARAM, _token())] if _token() else [])
    if _path_of(target) == _path_of(current) and not pending["left"]:
        st.session_state[_PENDING] = {"index": index, "left": True}
        detour = next(page for path, page in pages.items() if path != demo.url_path)
        st.switch_page(detour, query_params=position)
    seen = st.session_state.get(_SEEN_KEYS, {}).get(demo.url_path, set())
    for key in set(seen) | set(demo.settings):
        if key != SEED_KEY and key in st.session_state:
            del st.session_state[key]
    query = [
        pair for pair in demo_query(demo, index=index, plan_token=_token()) if pair[0] != SEED_KEY
    ]
    st.switch_page(target, query_params=query)


def _remember_keys(current: st.Page) -> None:
    """Note the keys this page has written to the URL (their values outlive the page)."""
    seen = st.session_state.setdefault(_SEEN_KEYS, {})
    seen.setdefault(_path_of(current), set()).update(
        key for key in _current_settings() if key != SEED_KEY
    )


def _add_view(path: str, title: str, *, new_plan: bool) -> None:
    demo = Demo(path, _current_settings(), clean_line(title, MAX_TITLE_CHARS) or "Demo")
    if new_plan:
        _set_plan(Plan("My lecture", (demo,)))
        st.session_state[_INDEX] = 0
    else:
        plan = _plan().with_demo(demo)
        _set_plan(plan)
        st.session_state[_INDEX] = len(plan) - 1


def _share_link(plan: Plan, current: st.Page) -> str:
    base = app_base_url(st.context.url or "", _path_of(current))
    return base + demo_link(plan.demos[0], index=0, plan_token=_token())


def bar_heading(plan: Plan, index: int, current_path: str, demo_page_title: str) -> str:
    """The lecture bar's first line: the demo shown, or that the page shown is off the plan.

    Parameters
    ----------
    plan : Plan
    index : int
        The current demo (0-based).
    current_path : str
        The ``url_path`` of the page on screen (``"start"`` for Home).
    demo_page_title : str
        The title of the page the current demo is on.
    """
    demo = plan.demos[index]
    if demo.url_path == current_path:
        return f"**Demo {index + 1} of {len(plan)}: {demo.title}**"
    return (
        f"**Off the plan.** Demo {index + 1} of {len(plan)}, *{demo.title}*, is on "
        f"{demo_page_title}."
    )


def _lecture_bar(plan: Plan, index: int, current: st.Page, pages: dict[str, st.Page]) -> None:
    demo = plan.demos[index]
    on_demo = demo.shows(_path_of(current), _current_settings())
    on_its_page = demo.url_path == _path_of(current)
    with st.container(border=True, key="lp_bar"):
        # The title has a line of its own so the buttons keep their places from demo to demo
        # (beside them, a long title pushed "Back" to another row and a short one did not).
        # Off the demo's page the line says so: a lecturer who clicked away sees that the
        # page on screen is not demo k, and the button below takes them back to it.
        st.markdown(bar_heading(plan, index, _path_of(current), pages[demo.url_path].title))
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.button(
                "Previous",
                key="lp_prev",
                icon=":material/skip_previous:",
                shortcut="PageUp",
                disabled=index == 0,
                on_click=_go,
                args=(index - 1,),
            )
            st.button(
                "Next",
                key="lp_next",
                icon=":material/skip_next:",
                shortcut="PageDown",
                disabled=index == len(plan) - 1,
                on_click=_go,
                args=(index + 1,),
            )
            st.button(
                "Back to this demo's settings" if on_its_page else f"Back to demo {index + 1}",
                key="lp_back",
                icon=":material/restart_alt:",
                disabled=on_demo,
                on_click=_go,
                args=(index,),
            )
        if demo.talking_point and on_its_page:
            st.caption(demo.talking_point)


@st.dialog("Edit the lecture plan", width="large")
def _editor() -> None:
    plan = _plan()
    revision = st.session_state.get(_REVISION, 0)
    title = st.text_input(
        "Plan title", plan.title, max_chars=MAX_TITLE_CHARS, key=f"lp_pt_{revision}"
    )
    edited = []
    action = None
    for number, demo in enumerate(plan.demos):
        with st.container(border=True):
            head = st.columns([5, 1, 1, 1], vertical_alignment="bottom")
            demo_title = head[0].text_input(
                f"Demo {number + 1} on {demo.url_path}",
                demo.title,
                max_chars=MAX_TITLE_CHARS,
                key=f"lp_t_{revision}_{number}",
            )
            if head[1].button("↑", key=f"lp_up_{revision}_{number}", disabled=number == 0):
                action = (number, -1)
            last = number == len(plan) - 1
            if head[2].button("↓", key=f"lp_dn_{revision}_{number}", disabled=last):
                action = (number, 1)
            if head[3].button("✕", key=f"lp_rm_{revision}_{number}", disabled=len(plan) == 1):
                action = (number, 0)
            # A text area as tall as the talking point: a one-line input cut most of them.
            point = st.text_area(
                "Talking point",
                demo.talking_point,
                height="content",
                max_chars=MAX_POINT_CHARS,
                key=f"lp_k_{revision}_{number}",
            )
            settings = ", ".join(f"{k}={v}" for k, v in demo.query()) or "the page's defaults"
            st.caption(f"Settings: {settings}")
        edited.append(
            Demo(
                demo.url_path,
                demo.settings,
                clean_line(demo_title, MAX_TITLE_CHARS) or demo.title,
                clean_line(point, MAX_POINT_CHARS),
            )
        )
    changed = Plan(clean_line(title, MAX_TITLE_CHARS) or plan.title, tuple(edited))
    if action is not None:
        number, offset = action
        _set_plan(changed.without(number) if offset == 0 else changed.moved(number, offset))
        st.rerun(scope="fragment")
    buttons = st.columns(2)
    if buttons[0].button("Save and close", key="lp_save", type="primary"):
        _set_plan(changed)
        st.rerun()
    if buttons[1].button("Use the default plan", key="lp_reset"):
        _set_plan(default_plan())
        st.rerun()


def _sidebar(plan: Plan, index: int, current: st.Page) -> None:
    with st.sidebar, st.expander("Lecture plan", expanded=lecture_mode()):
        st.markdown(f"**{plan.title}**: {len(plan)} demos, at demo {index + 1}.")
        if not lecture_mode():
            st.button(
                "Start the lecture",
                key="lp_start",
                icon=":material/slideshow:",
                on_click=_start_lecture,
                help="Turns on lecture mode and opens demo 1. Previous / next demo: "
                "PageUp / PageDown (a presenter clicker sends these).",
            )
        title = current.title
        st.button(
            "Add this view as a demo",
            key="lp_add",
            icon=":material/add:",
            on_click=_add_view,
            args=(_path_of(current), title),
            kwargs={"new_plan": False},
            help="The page and its current settings become the last demo of the plan.",
        )
        st.button(
            "New plan from this view",
            key="lp_new",
            icon=":material/note_add:",
            on_click=_add_view,
            args=(_path_of(current), title),
            kwargs={"new_plan": True},
        )
        # No "…" after the label: on a projector a label ending in an ellipsis reads as cut.
        if st.button("Edit the plan", key="lp_edit", icon=":material/edit:"):
            _editor()
        st.markdown("Share this plan (opens demo 1 in lecture mode):")
        st.code(_share_link(plan, current), language=None, wrap_lines=True)


def render_lecture_plan(
    pages: Mapping[str, list[st.Page]] | Iterable[st.Page], current: st.Page
) -> None:
    """Read the plan from the URL, perform a pending move, draw the plan's bar and tools.

    Call once per run from ``app.py``, after the shared sidebar and before ``current.run()``.

    Parameters
    ----------
    pages : mapping of section to list of st.Page, or iterable of st.Page
        The pages given to ``st.navigation``.
    current : st.Page
        The page ``st.navigation`` returned.
    """
    by_path = _pages_by_path(pages)
    _read_link()
    _perform_pending_move(by_path, current)
    _remember_keys(current)
    plan = _plan()
    index = st.session_state[_INDEX]
    message = st.session_state.get(_MESSAGE)
    if message:
        st.warning(message, icon=":material/link_off:")
    if lecture_mode():
        _lecture_bar(plan, index, current, by_path)
    _sidebar(plan, index, current)
