"""The session sweeper against Streamlit's own media file manager and reconnect store.

The runtime is a stand-in, but the parts the sweeper reads and acts on are Streamlit's real
classes (``MediaFileManager`` with in-memory storage, ``MemorySessionStorage`` and its TTL
cache), so a Streamlit upgrade that renames what the sweeper relies on fails here.
"""

from __future__ import annotations

import gc
import logging
import weakref

import pytest
from streamlit.runtime import media_file_manager as media_module
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.session_manager import SessionInfo

from server.session_sweeper import LOGGER, SessionSweeper


class _Session:
    """Stands for an AppSession: an id, and a shutdown that does what Streamlit's does."""

    def __init__(self, session_id: str, media: MediaFileManager) -> None:
        self.id = session_id
        self._media = media
        self.shut_down = False

    def shutdown(self) -> None:
        self.shut_down = True
        self._media.clear_session_refs(self.id)
        self._media.remove_orphaned_files()


class _SessionManager:
    def __init__(self, storage: MemorySessionStorage) -> None:
        self._session_storage = storage
        self.active: list[SessionInfo] = []

    def list_sessions(self) -> list[SessionInfo]:
        return self.active + self._session_storage.list()


class _Runtime:
    def __init__(self, ttl_seconds: int = 120) -> None:
        self.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/media"))
        self._session_mgr = _SessionManager(MemorySessionStorage(ttl_seconds=ttl_seconds))

    def session(self, session_id: str) -> _Session:
        return _Session(session_id, self.media_file_mgr)


class _PageResult:
    """What a deferred download's closure keeps alive (a page run's matrices, say)."""


def _deferred_download(runtime: _Runtime, session_id: str, monkeypatch) -> weakref.ref:
    """Register a deferred download for ``session_id``; return a weak ref to what it holds."""
    held = _PageResult()
    monkeypatch.setattr(media_module, "_get_session_id", lambda: session_id)
    runtime.media_file_mgr.add_deferred(lambda: repr(held).encode(), "text/csv", "coord-1")
    monkeypatch.undo()
    return weakref.ref(held)


def _clock(storage: MemorySessionStorage, now: list[float]) -> None:
    storage._cache._timer = lambda: now[0]


def test_a_left_session_past_its_reconnect_time_is_shut_down_and_its_download_freed(
    monkeypatch,
):
    runtime = _Runtime(ttl_seconds=120)
    now = [1000.0]
    _clock(runtime._session_mgr._session_storage, now)
    left = runtime.session("left")
    held = _deferred_download(runtime, "left", monkeypatch)
    runtime._session_mgr._session_storage.save(SessionInfo(client=None, session=left))
    sweeper = SessionSweeper(lambda: runtime, trim=None)

    # Within its reconnect time the tab may come back: nothing is touched.
    now[0] += 60
    assert sweeper.sweep() == []
    assert not left.shut_down and held() is not None

    # Past it, nobody writes to the store, which on its own would keep the session forever.
    now[0] += 120
    assert sweeper.sweep() == ["left"]
    assert left.shut_down
    assert runtime._session_mgr._session_storage.list() == []
    gc.collect()
    assert held() is None, "the deferred download still holds the page run"
    assert sweeper.swept_sessions == 1


def test_a_session_dropped_without_shutdown_loses_its_media_references(monkeypatch):
    runtime = _Runtime()
    live = runtime.session("live")
    runtime._session_mgr.active.append(SessionInfo(client=object(), session=live))
    kept = _deferred_download(runtime, "live", monkeypatch)
    # "evicted" was dropped from a full store: the runtime no longer knows it at all.
    dropped = _deferred_download(runtime, "evicted", monkeypatch)
    sweeper = SessionSweeper(lambda: runtime, trim=None)

    assert sweeper.sweep() == ["evicted"]
    gc.collect()
    assert dropped() is None
    assert kept() is not None, "a connected session's download must stay"
    assert not live.shut_down
    assert sweeper.sweep() == []


def test_memory_is_handed_back_only_after_a_sweep_that_let_something_go(monkeypatch):
    runtime = _Runtime()
    trims = []
    sweeper = SessionSweeper(lambda: runtime, trim=lambda: trims.append(1))
    sweeper.sweep()
    assert trims == []
    _deferred_download(runtime, "gone", monkeypatch)
    sweeper.sweep()
    assert trims == [1]


def test_without_a_runtime_or_with_moved_internals_a_sweep_does_nothing():
    def no_runtime():
        raise RuntimeError("Runtime hasn't been created!")

    assert SessionSweeper(no_runtime, trim=None).sweep() == []

    class _Moved:
        media_file_mgr = None

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    LOGGER.addHandler(handler)
    try:
        sweeper = SessionSweeper(lambda: _Moved(), trim=None)
        assert sweeper.sweep() == []
        assert sweeper.sweep() == []
    finally:
        LOGGER.removeHandler(handler)
    # Said once, not on every sweep.
    assert ["does not expose" in record.getMessage() for record in records] == [True]


def test_the_interval_must_be_positive():
    with pytest.raises(ValueError, match="interval"):
        SessionSweeper(lambda: None, interval=0)


class _Cycle:
    """Garbage only the collector can free: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def unfrozen_afterwards():
    yield
    gc.unfreeze()


@pytest.mark.parametrize("refreeze", [True, False])
def test_a_refreezing_sweep_frees_what_was_frozen_and_has_become_garbage(
    refreeze, unfrozen_afterwards
):
    runtime = _Runtime()
    cycle = _Cycle()
    left = weakref.ref(cycle)
    gc.collect()
    gc.freeze()  # what the warm start does
    del cycle
    gc.collect()  # Streamlit's collection after a run: frozen garbage stays
    assert left() is not None
    SessionSweeper(lambda: runtime, trim=None, refreeze=refreeze).sweep()
    assert (left() is None) is refreeze
    # Refrozen: the heap is back in the permanent generation, so a run's collection skips it.
    assert gc.get_freeze_count() > 0


def test_a_refreezing_sweep_freezes_what_came_after_the_warm_start(unfrozen_afterwards):
    runtime = _Runtime()
    gc.freeze()
    cached_since = _PageResult()  # a result cached after the warm start
    assert any(tracked is cached_since for tracked in gc.get_objects())
    SessionSweeper(lambda: runtime, trim=None, refreeze=True).sweep()
    # The collector's generations no longer hold it: a run's collection does not walk it.
    assert not any(tracked is cached_since for tracked in gc.get_objects())


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _frozen_garbage() -> weakref.ref:
    """A cycle frozen as the warm start freezes the heap, then dropped: garbage only a
    collection of the frozen heap frees."""
    cycle = _Cycle()
    left = weakref.ref(cycle)
    gc.collect()
    gc.freeze()
    del cycle
    return left


def test_while_visitors_ask_a_sweep_collects_only_what_is_new(unfrozen_afterwards):
    clock = _Clock()
    sweeper = SessionSweeper(
        lambda: _Runtime(), trim=None, refreeze=True, quiet_after=5.0, clock=clock
    )
    frozen_left = _frozen_garbage()
    new = _Cycle()
    new_left = weakref.ref(new)
    del new
    sweeper.note_request()
    clock.now += 1.0
    sweeper.sweep()
    assert new_left() is None, "what is newer than the last freeze is collected"
    assert frozen_left() is not None, "the frozen heap is not walked while visitors ask"
    assert sweeper.whole_heap_collections == 0
    # Quiet for quiet_after seconds: the next sweep walks the whole heap.
    clock.now += 5.0
    sweeper.sweep()
    assert frozen_left() is None
    assert sweeper.whole_heap_collections == 1
    assert gc.get_freeze_count() > 0


def test_a_busy_server_still_walks_the_whole_heap_once_per_max_full_interval(
    unfrozen_afterwards,
):
    clock = _Clock()
    sweeper = SessionSweeper(
        lambda: _Runtime(),
        trim=None,
        refreeze=True,
        quiet_after=5.0,
        max_full_interval=60.0,
        clock=clock,
    )
    frozen_left = _frozen_garbage()
    for _ in range(3):  # requests all the time, a sweep every 30 s
        clock.now += 30.0
        sweeper.note_request()
        sweeper.sweep()
    assert sweeper.whole_heap_collections == 1
    assert frozen_left() is None


@pytest.mark.parametrize("name", ["interval", "quiet_after", "max_full_interval"])
@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf")])
def test_the_times_must_be_positive_numbers_of_seconds(name, value):
    with pytest.raises(ValueError, match=name):
        SessionSweeper(lambda: None, **{name: value})
