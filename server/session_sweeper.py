"""Give back what the sessions of closed tabs still hold, so memory comes down after a class.

When a browser tab closes, Streamlit keeps its session for ``server.disconnectedSessionTTL``
seconds (120 by default) so that a reconnecting tab resumes it, in a TTL cache. Two things go
wrong after that:

- The cache only forgets an expired session when it is next written to (another tab closing),
  so the last sessions of a class, with their whole session state, stay until someone else
  leaves.
- When it does forget one, the session is dropped, never shut down: the media file manager
  keeps its references to that session's files and its *deferred* download callables for good.
  A deferred download's callable is a closure over what the page computed (a lambda written in
  a page script holds that page run's whole module: its matrices and figures), so every visitor
  who ever left kept one page run alive: the server's memory grew with each class.

:class:`SessionSweeper` runs beside the server (a task of the ``st.App`` lifespan in
``serve.py``). Every ``interval`` seconds it (1) expires the reconnect cache and shuts each
expired session down the way Streamlit shuts down a session it closes (``AppSession.shutdown``:
its uploads, media references and deferred downloads go); (2) drops the media references of
any other session the runtime no longer knows (one evicted from a full cache), with Streamlit's
own ``clear_session_refs`` and ``remove_orphaned_files``; (3) collects garbage in full and,
after a sweep that let something go, hands the freed heap back to the operating system
(``malloc_trim`` on glibc).

That full collection is the server's: ``.streamlit/config.toml`` turns off Streamlit's own
after every script run of every session (``runner.postScriptGC``), which walked the whole heap
each time. With ``refreeze`` the collection also covers what the warm start froze
(``server.warmup``): ``gc.unfreeze``, collect, ``gc.freeze``. What was frozen and has since
become garbage (an evicted cache entry) is then freed instead of never, and Python's own
collections between two sweeps walk only what is newer.

Walking the whole heap holds the GIL (and the event loop, where sweeps run) for as long as it
takes, which with a class's caches is seconds: every page of every visitor stalls meanwhile.
So the whole heap is walked only when the server is quiet (no visitor has asked for anything
for ``quiet_after`` seconds: :meth:`SessionSweeper.note_request`, called by the viewer guard)
or when the last such walk is ``max_full_interval`` seconds old; the sweeps in between collect
and freeze only what is new since the last one.

The media file manager's per-session index and the session manager are not public API; the
sweeper reads them defensively and logs once if a Streamlit upgrade moved them (it then does
nothing, and the tests of this module fail, which is the signal to look).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import math
import time
from collections.abc import Callable
from typing import Any, Literal

from streamlit.logger import get_logger

LOGGER = get_logger(__name__)

#: Seconds between two sweeps.
SWEEP_INTERVAL = 30.0
#: Seconds without a visitor's request after which the server counts as quiet.
QUIET_AFTER = 5.0
#: Longest time between two collections of the whole heap, however busy the server is.
MAX_FULL_INTERVAL = 600.0


def _known_session_ids(runtime: Any) -> set[str] | None:
    """Ids of the sessions the runtime still has (connected or kept for reconnecting)."""
    manager = getattr(runtime, "_session_mgr", None)
    list_sessions = getattr(manager, "list_sessions", None)
    if list_sessions is None:
        return None
    return {info.session.id for info in list_sessions()}


def _expire_stored_sessions(runtime: Any) -> list[Any] | None:
    """Remove the sessions whose reconnect time is up from the runtime's store; return them."""
    manager = getattr(runtime, "_session_mgr", None)
    cache = getattr(getattr(manager, "_session_storage", None), "_cache", None)
    expire = getattr(cache, "expire", None)
    if expire is None:
        return None
    return [info.session for _session_id, info in expire()]


def _referenced_session_ids(media_file_mgr: Any) -> set[str] | None:
    """Ids of the sessions the media file manager holds files or deferred downloads for."""
    by_session = getattr(media_file_mgr, "_files_by_session_and_coord", None)
    deferred = getattr(media_file_mgr, "_deferred_ids_by_session", None)
    if by_session is None or deferred is None:
        return None
    lock = getattr(media_file_mgr, "_lock", contextlib.nullcontext())
    with lock:
        return set(by_session) | {sid for sid, ids in deferred.items() if ids}


def _glibc_trim() -> Callable[[], object] | None:
    """glibc's ``malloc_trim(0)``, or ``None`` where there is no glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


class SessionSweeper:
    """Shut down the sessions of closed tabs and drop the downloads they still hold.

    Parameters
    ----------
    runtime_getter : callable
        Returns Streamlit's running ``Runtime`` (``Runtime.instance``), or raises while there
        is none.
    interval : float
        Seconds between two sweeps of :meth:`run_forever`.
    trim : callable, "glibc" or None
        Called after a sweep that let something go, to hand freed memory back to the
        operating system; ``"glibc"`` is glibc's ``malloc_trim(0)`` where it exists (else
        nothing), ``None`` never trims.
    refreeze : bool
        Whether a sweep's full collection covers the frozen heap too: ``gc.unfreeze()``, the
        collection, ``gc.freeze()`` (for a server whose warm start froze the heap).
    quiet_after : float
        With ``refreeze``: the frozen heap is collected only when no request came for this
        many seconds (:meth:`note_request`), or when ``max_full_interval`` has passed since
        it last was; otherwise a sweep collects and freezes only what is newer.
    max_full_interval : float
        See ``quiet_after``.
    clock : callable
        Seconds, monotonic (``time.monotonic``; a test passes its own).

    Attributes
    ----------
    swept_sessions : int
        Sessions whose leftovers were dropped so far.
    whole_heap_collections : int
        Sweeps that collected the frozen heap too.
    """

    def __init__(
        self,
        runtime_getter: Callable[[], Any],
        *,
        interval: float = SWEEP_INTERVAL,
        trim: Callable[[], object] | Literal["glibc"] | None = "glibc",
        refreeze: bool = False,
        quiet_after: float = QUIET_AFTER,
        max_full_interval: float = MAX_FULL_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (
            ("interval", interval),
            ("quiet_after", quiet_after),
            ("max_full_interval", max_full_interval),
        ):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        self._runtime_getter = runtime_getter
        self.interval = interval
        self._trim = _glibc_trim() if trim == "glibc" else trim
        self.refreeze = refreeze
        self.quiet_after = quiet_after
        self.max_full_interval = max_full_interval
        self._clock = clock
        self._last_request = -math.inf
        self._last_whole_heap = clock()
        self.swept_sessions = 0
        self.whole_heap_collections = 0
        self._warned = False

    def note_request(self) -> None:
        """A visitor asked for something just now (the server is not quiet)."""
        self._last_request = self._clock()

    def sweep(self) -> list[str]:
        """One sweep now (on the server's event loop); return the ids of the sessions let go."""
        try:
            runtime = self._runtime_getter()
        except Exception:  # no runtime yet (or any more): nothing to sweep
            return []
        expired = _expire_stored_sessions(runtime)
        for session in expired or []:
            session.shutdown()
        media_file_mgr = getattr(runtime, "media_file_mgr", None)
        known = _known_session_ids(runtime)
        referenced = _referenced_session_ids(media_file_mgr)
        if expired is None or known is None or referenced is None:
            self._collect()
            if not self._warned:
                LOGGER.warning(
                    "session sweeper: this Streamlit version does not expose the session "
                    "or media indexes it reads; left sessions' files are not swept"
                )
                self._warned = True
            return []
        gone = sorted(referenced - known)
        for session_id in gone:
            media_file_mgr.clear_session_refs(session_id)
        if gone:
            media_file_mgr.remove_orphaned_files()
        dropped = sorted({session.id for session in expired} | set(gone))
        self._collect()
        if dropped:
            self.swept_sessions += len(dropped)
            if self._trim is not None:
                self._trim()
            LOGGER.info("session sweeper: let go of %d closed sessions", len(dropped))
        return dropped

    def _collect(self) -> None:
        """A full collection; with :attr:`refreeze`, of the frozen heap too when it is quiet
        (or overdue), and what survives frozen."""
        if not self.refreeze:
            gc.collect()
            return
        now = self._clock()
        quiet = now - self._last_request >= self.quiet_after
        overdue = now - self._last_whole_heap >= self.max_full_interval
        whole_heap = quiet or overdue
        started = time.perf_counter()
        if whole_heap:
            gc.unfreeze()
            self._last_whole_heap = now
            self.whole_heap_collections += 1
        gc.collect()
        gc.freeze()
        took = time.perf_counter() - started
        # A collection long enough to be felt is worth a line in the server log.
        log = LOGGER.info if took >= 0.5 else LOGGER.debug
        log(
            "session sweeper: collected %s in %.2f s",
            f"the whole heap ({'quiet' if quiet else 'overdue'})" if whole_heap else "what is new",
            took,
        )

    async def run_forever(self) -> None:
        """Sweep every :attr:`interval` seconds until cancelled (a task of the lifespan)."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.sweep()
            except Exception:  # a failed sweep must never take the server down
                LOGGER.exception("session sweeper: a sweep failed")
