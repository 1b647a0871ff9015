"""Runs that take seconds: a progress bar with the time left, a stop on any new input, fair turns.

Only Streamlit glue; the estimates come from :mod:`nmf_lab.lessons.run_cost` and the sharing
rules from :mod:`nmf_lab.work_limits`, both tested without Streamlit.

How a page uses it::

    result = run_cached(
        ("images", image_key, rank, ...),            # everything the result depends on
        f"Factoring the picture with ANLS, r = {rank}",
        planned_seconds,                              # from run_cost.seconds_per_iteration
        lambda progress: factor_image(..., callback=progress.nmf_callback(per_iteration, iters)),
    )

- Same key, same result: a finished result is kept in :data:`RESULTS` and returned at once.
- While it runs, the bar is redrawn at most every :data:`DRAW_INTERVAL` seconds. Each redraw
  is an ``st.*`` call, which is where Streamlit stops a script whose visitor changed a control
  (it raises its rerun exception there), so a superseded run unwinds within about one
  iteration instead of computing to the end. The exception passes through the solver and
  :func:`run_cached`, so an interrupted run never stores a partial result.
- While a control is dragged (the session's previous heavy run was stopped for a newer value
  less than a second ago) a run first waits :data:`PACER`'s 0.3 s, redrawing, so the next
  value stops it before it computes anything; only the value the control settles on runs.
- At most one heavy run per session and :data:`LIMITER`'s capacity (the number of cores) for
  the server, each on one BLAS thread; a run that has to wait says so, and gives up with "the
  server is busy" after :data:`QUEUE_SECONDS`.

Results here are kept by this module rather than ``st.cache_data``: ``st.cache_data`` records
every ``st.*`` call made inside a cached function to replay it on a cache hit, and a progress
bar must not be replayed.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import streamlit as st
from streamlit.logger import get_logger

from nmf_core import single_blas_thread
from nmf_lab.lessons.run_cost import RunClock, describe_seconds
from nmf_lab.work_limits import (
    RerunPacer,
    ResultCache,
    RunSuperseded,
    ServerBusy,
    Ticket,
    WorkLimiter,
)

T = TypeVar("T")

#: Seconds between two redraws of a bar (and so between two chances to stop).
DRAW_INTERVAL = 0.2
#: Seconds a run waits for a free slot before the page says the server is busy.
QUEUE_SECONDS = 45.0
#: Heavy runs at once on this server: one per core, each on one BLAS thread.
LIMITER = WorkLimiter(max(1, os.cpu_count() or 1))
#: Finished results of every page, keyed by tuples that start with the page's name; bounded
#: in bytes too, since one Images result in colour at the largest rank holds hundreds of MB.
RESULTS = ResultCache(96, max_bytes=1_000_000_000)
#: Holds a session's heavy run for a moment while its controls are being dragged.
PACER = RerunPacer(window=1.0, pause=0.3)
#: Seconds between two redraws while a run waits for the controls to settle.
SETTLE_STEP = 0.05

# One line per heavy run in the server log: how it ended, and where (the browser tests read it).
_LOG = get_logger(__name__)
_SESSION_KEY = "_work_session"
_MISSING = object()


def session_token() -> str:
    """An id for this browser session (kept in its session state)."""
    if _SESSION_KEY not in st.session_state:
        st.session_state[_SESSION_KEY] = uuid.uuid4().hex
    return st.session_state[_SESSION_KEY]


class Progress:
    """The bar of one running computation: what it does, how far it is, how long is left.

    Parameters
    ----------
    what : str
        What the run does, e.g. ``"Factoring the picture with ANLS, r = 64"``.
    planned_seconds : float
        Predicted cost of the whole run (see :class:`nmf_lab.lessons.run_cost.RunClock`).
    bar : DeltaGenerator
        The ``st.progress`` element to redraw.
    ticket : Ticket, optional
        The run's slot; a superseded ticket stops the run.
    """

    def __init__(self, what: str, planned_seconds: float, bar, ticket: Ticket | None = None):
        self.what = what
        self.clock = RunClock(planned_seconds)
        self._bar = bar
        self._ticket = ticket
        self._last_draw = -float("inf")
        self.status = "starting"

    def advance(self, predicted_seconds: float, status: str) -> None:
        """A step predicted to cost ``predicted_seconds`` is done; redraw if it is time."""
        self.clock.advance(predicted_seconds)
        self.status = status
        if self._ticket is not None:
            self._ticket.check()
        now = time.monotonic()
        if now - self._last_draw >= DRAW_INTERVAL:
            self._last_draw = now
            self.draw(status)

    def draw(self, status: str) -> None:
        """Redraw the bar now (an ``st.*`` call: Streamlit may stop the run here)."""
        left = describe_seconds(self.clock.seconds_left())
        self._bar.progress(self.clock.fraction, text=f"{self.what}: {status}, {left} left")

    def nmf_callback(
        self,
        seconds_per_iteration: float,
        max_iter: int,
        *,
        stages: tuple[str, ...] = (),
        label: str = "",
    ) -> Callable[[int, np.ndarray, np.ndarray, float], None]:
        """A callback for :func:`nmf_core.nmf` that reports each iteration on the bar.

        Parameters
        ----------
        seconds_per_iteration : float
            Predicted cost of one iteration (of one stage).
        max_iter : int
            Iterations each stage runs at most.
        stages : tuple of str
            Names of consecutive runs sharing the callback (``("R", "G", "B")``: one NMF per
            channel); a new stage starts whenever the solver reports iteration 1 again.
        label : str
            Put before the iteration count (e.g. ``"r = 3 of 20, "``).
        """
        stage = [-1]

        def callback(iteration: int, H: np.ndarray, W: np.ndarray, loss: float) -> None:
            if iteration == 1:
                stage[0] += 1
            where = label
            if len(stages) > 1:
                where += f"{stages[min(stage[0], len(stages) - 1)]}, "
            self.advance(seconds_per_iteration, f"{where}iteration {iteration} of {max_iter}")

        return callback


def run_cached(
    key: Hashable,
    what: str,
    planned_seconds: float,
    compute: Callable[[Progress], T],
) -> T:
    """The result stored under ``key``, or compute it with a progress bar and store it.

    Parameters
    ----------
    key : hashable
        Everything the result depends on; starts with the page's name.
    what : str
        The bar's text, e.g. ``"Factoring the picture with ANLS, r = 64"``.
    planned_seconds : float
        Predicted cost of the run, positive.
    compute : callable
        ``compute(progress)`` returns the result; it reports steps on ``progress``.

    Returns
    -------
    The result. When the server stays busy the page shows a warning and the script stops
    (``st.stop``) with what it has drawn so far.
    """
    found = RESULTS.get(key, _MISSING)
    if found is not _MISSING:
        return found
    spot = st.empty()
    session = session_token()
    settle_for = PACER.pause_for(session)
    if settle_for:
        wait_for_the_controls(spot, what, settle_for)

    def show_queue(ahead: int) -> None:
        spot.info(
            f"The server is busy: your run is queued ({ahead} ahead of it). It starts "
            "by itself when a slot frees up."
        )

    try:
        with (
            LIMITER.slot(session, on_wait=show_queue, max_wait=QUEUE_SECONDS) as ticket,
            single_blas_thread(),
        ):
            progress = Progress(what, planned_seconds, spot, ticket)
            progress.draw("starting")
            try:
                result = compute(progress)
            except BaseException as stop:  # Streamlit stops a superseded run by raising
                _LOG.info("Stopped: %s at %s (%s)", what, progress.status, type(stop).__name__)
                raise
            _LOG.info("Finished: %s at %s in %.1f s", what, progress.status, progress.clock.elapsed)
    except ServerBusy as busy:
        spot.warning(
            f"The server is busy ({busy.ahead} runs ahead after {busy.waited:.0f} s): "
            "please try again in a minute, or pick smaller settings."
        )
        st.stop()
    except RunSuperseded:
        st.stop()
    PACER.finished(session)
    spot.empty()
    RESULTS.put(key, result)
    return result


def wait_for_the_controls(spot, what: str, seconds: float) -> None:
    """Hold a run for ``seconds``, redrawing ``spot`` (where a newer value stops it)."""
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        spot.caption(f"{what}: waiting for the controls to settle")
        time.sleep(min(SETTLE_STEP, left))


def cached_value(key: Hashable, default: Any = None) -> Any:
    """A stored result without computing anything (``default`` when there is none)."""
    return RESULTS.get(key, default)
