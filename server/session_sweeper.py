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
become garbage (an evicted cache entry) is then freed at most one interval late instead of
never, and Python's own collections between two sweeps walk only what is newer.

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
from collections.abc import Callable
from typing import Any, Literal

from streamlit.logger import get_logger

LOGGER = get_logger(__name__)

#: Seconds between two sweeps.
SWEEP_INTERVAL = 30.0


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

    Attributes
    ----------
    swept_sessions : int
        Sessions whose leftovers were dropped so far.
    """

    def __init__(
        self,
        runtime_getter: Callable[[], Any],
        *,
        interval: float = SWEEP_INTERVAL,
        trim: Callable[[], object] | Literal["glibc"] | None = "glibc",
        refreeze: bool = False,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be positive, got {interval!r}")
        self._runtime_getter = runtime_getter
        self.interval = interval
        self._trim = _glibc_trim() if trim == "glibc" else trim
        self.refreeze = refreeze
        self.swept_sessions = 0
        self._warned = False

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
        """A full collection; with :attr:`refreeze`, of the frozen heap too, refrozen after."""
        if self.refreeze:
            gc.unfreeze()
        gc.collect()
        if self.refreeze:
            gc.freeze()

    async def run_forever(self) -> None:
        """Sweep every :attr:`interval` seconds until cancelled (a task of the lifespan)."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.sweep()
            except Exception:  # a failed sweep must never take the server down
                LOGGER.exception("session sweeper: a sweep failed")
