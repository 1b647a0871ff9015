"""The learning path around every page: the step and its goal above, the next page below.

Called from ``app.py`` around ``current_page.run()``; the order, the goals and the reasons are
:mod:`nmf_lab.learning_path` (tested without Streamlit). The pages of ``app.py``'s navigation
are the steps of the path, in the same order (a test checks it).
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from app_pages._checkpoint import render_checkpoint_progress
from nmf_lab.learning_path import LEARNING_PATH, goal_sentence


def _steps(pages: Mapping[str, list[st.Page]]) -> list[st.Page]:
    flat = [page for group in pages.values() for page in group]
    if len(flat) != len(LEARNING_PATH):
        raise ValueError("app.py's pages and the learning path differ in length")
    return flat


def _position(pages: list[st.Page], current: st.Page) -> int:
    return [page.url_path for page in pages].index(current.url_path)


def render_checkpoint_counts(pages: Mapping[str, list[st.Page]]) -> None:
    """In the sidebar: the answered checkpoints of every page on the path, and a reset."""
    steps = _steps(pages)
    render_checkpoint_progress(
        {page.title: step.checkpoints for page, step in zip(steps, LEARNING_PATH, strict=True)}
    )


def render_goal(pages: Mapping[str, list[st.Page]], current: st.Page) -> None:
    """Above the page: which step of the path this is and what it teaches."""
    steps = _steps(pages)
    st.caption(goal_sentence(LEARNING_PATH[_position(steps, current)].page_file))


def render_next(pages: Mapping[str, list[st.Page]], current: st.Page) -> None:
    """Below the page: the next step and why it follows, and the way back."""
    steps = _steps(pages)
    index = _position(steps, current)
    st.divider()
    with st.container(key="path_next"):
        if index + 1 < len(steps):
            st.page_link(
                steps[index + 1],
                label=f"Next: {steps[index + 1].title}",
                icon=":material/arrow_forward:",
            )
            st.markdown(f"Why next: {LEARNING_PATH[index].why_next}")
        else:
            st.markdown(
                "This is the end of the learning path. Go back to any step from the page list, "
                "or start again at Home."
            )
        if index > 0:
            st.page_link(
                steps[index - 1],
                label=f"Back: {steps[index - 1].title}",
                icon=":material/arrow_back:",
            )
