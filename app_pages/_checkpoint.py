"""Draw a checkpoint (predict, then check) and keep the learner's answers for the session.

A page builds its :class:`~nmf_lab.checkpoints.Checkpoint` with a lesson function (the right
answer computed from the data on screen) and calls :func:`checkpoint` where the question
belongs: before the figure that answers it, or before the control the learner is asked to
change. The learner picks an answer; choosing is committing, and the
verdict, the feedback for that answer and the explanation appear at once (the radio gives way
to the answer given, until "Try again"). ``checkpoint``
returns whether the question is answered, so a page can hold back the figure that gives the
answer away::

    if checkpoint(rank_drop_checkpoint(noise, seed())):
        show_figure(...)

Answers live in ``st.session_state`` under :data:`ANSWERS_KEY` (a plain entry, not a widget, so
it survives page changes); the sidebar counts them per page and can reset them
(:func:`render_checkpoint_progress`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from nmf_lab.checkpoints import Checkpoint, progress_counts

ANSWERS_KEY = "checkpoint_answers"
_CHOICE_PREFIX = "checkpoint_choice_"


def _answers() -> dict[str, str]:
    return st.session_state.setdefault(ANSWERS_KEY, {})


def choice_key(checkpoint_key: str) -> str:
    """The widget key of a checkpoint's radio (AppTest and browser tests find it by it)."""
    return _CHOICE_PREFIX + checkpoint_key


def _record(checkpoint_key: str) -> None:
    label = st.session_state.get(choice_key(checkpoint_key))
    if label is not None:
        _answers()[checkpoint_key] = label


def _forget(checkpoint_key: str) -> None:
    _answers().pop(checkpoint_key, None)
    st.session_state.pop(choice_key(checkpoint_key), None)


def checkpoint(cp: Checkpoint) -> bool:
    """Ask ``cp``; after an answer, say whether it was right and why.

    Returns
    -------
    bool
        Whether the learner has answered (rightly or not) in this session.
    """
    answered = _answers().get(cp.key)
    if answered is not None and answered not in cp.labels:
        # The answers changed under a stored one (a stale session): ask again.
        _forget(cp.key)
        answered = None
    with st.container(border=True, key=f"checkpoint_{cp.key}"):
        st.markdown(f":material/quiz: **Predict, then check.** {cp.question}")
        if answered is None:
            st.radio(
                "Your prediction",
                cp.labels,
                index=None,
                key=choice_key(cp.key),
                on_change=_record,
                args=(cp.key,),
                label_visibility="collapsed",
            )
            st.caption("Choose an answer to see whether it holds.")
            return False
        st.markdown(f"Your prediction: **{answered}**")
        right, feedback = cp.verdict(answered)
        if right:
            st.success(f"**Right.** {feedback}", icon=":material/check_circle:")
        else:
            st.warning(
                f"**Not quite.** {feedback}\n\nThe answer is **{cp.right_label}**.",
                icon=":material/lightbulb:",
            )
        st.markdown(cp.explanation)
        st.button(
            "Try again",
            key=f"checkpoint_again_{cp.key}",
            on_click=_forget,
            args=(cp.key,),
            icon=":material/replay:",
        )
    return True


def _reset_all(keys: Sequence[str]) -> None:
    for key in keys:
        _forget(key)


def render_checkpoint_progress(page_keys: Mapping[str, Sequence[str]]) -> None:
    """The sidebar's count of answered checkpoints per page, and a reset for all of them.

    Parameters
    ----------
    page_keys : mapping of str to sequence of str
        Page title to its checkpoint keys, in path order.
    """
    counts = progress_counts(page_keys.items(), set(_answers()))
    total = sum(count for _, _, count in counts)
    if total == 0:
        return
    done = sum(count for _, count, _ in counts)
    with st.sidebar.expander(f"Checkpoints: {done} of {total} answered", expanded=False):
        for page, answered, count in counts:
            if count:
                mark = ":material/check_circle:" if answered == count else ""
                st.markdown(f"{page}: {answered} of {count} {mark}")
        st.button(
            "Reset my answers",
            key="checkpoint_reset_all",
            on_click=_reset_all,
            args=([key for keys in page_keys.values() for key in keys],),
            disabled=done == 0,
            icon=":material/restart_alt:",
        )
