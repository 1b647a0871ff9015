"""Fair sharing of heavy runs (nmf_lab.work_limits): capacity, one per session, FIFO, busy."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nmf_lab.work_limits import (
    DerivedCache,
    RerunPacer,
    ResultCache,
    RunSuperseded,
    ServerBusy,
    WorkLimiter,
    approximate_nbytes,
    make_read_only,
)


def test_capacity_bounds_the_runs_and_a_release_lets_the_next_in():
    limiter = WorkLimiter(2)
    a, b, c = (limiter.request(name) for name in "abc")
    assert a.wait(0) and b.wait(0)
    assert not c.wait(0)
    assert c.ahead == 2 and limiter.running == 2 and limiter.waiting == 1
    a.release()
    assert c.wait(0) and c.ahead == 0
    assert limiter.running == 2 and limiter.waiting == 0


def test_first_come_first_served_across_sessions():
    limiter = WorkLimiter(1)
    first = limiter.request("first")
    queued = [limiter.request(name) for name in ("b", "c", "d")]
    assert [t.ahead for t in queued] == [1, 2, 3]
    order = []
    holder = first
    for _ in queued:
        holder.release()
        holder = next(t for t in queued if t.wait(0) and t not in order)
        order.append(holder)
    assert [t.session for t in order] == ["b", "c", "d"]


def test_a_new_request_of_a_session_supersedes_its_queued_one():
    limiter = WorkLimiter(1)
    limiter.request("other")
    old = limiter.request("me")
    new = limiter.request("me")
    assert old.superseded and not old.wait(0)
    with pytest.raises(RunSuperseded):
        old.check()
    assert limiter.waiting == 1 and new.ahead == 1


def test_one_run_per_session_the_running_one_is_told_to_stop():
    limiter = WorkLimiter(4)
    running = limiter.request("me")
    assert running.wait(0)
    newer = limiter.request("me")
    assert running.superseded
    assert not newer.wait(0), "a session never holds two slots, even with slots free"
    running.release()
    assert newer.wait(0)


def test_a_storm_of_one_session_does_not_starve_another():
    limiter = WorkLimiter(1)
    limiter.request("stormy").wait(0)
    bystander = limiter.request("bystander")
    for _ in range(10):
        storm = limiter.request("stormy")
    # The stormy session's old run finishes; the bystander, who asked earlier, goes first.
    limiter._running[0].release()
    assert bystander.wait(0)
    assert not storm.wait(0)
    bystander.release()
    assert storm.wait(0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_slot_reports_the_queue_and_gives_up_when_busy():
    limiter = WorkLimiter(1)
    limiter.request("hog").wait(0)
    clock, seen = FakeClock(), []

    def on_wait(ahead: int) -> None:
        seen.append(ahead)
        clock.now += 1.0

    with pytest.raises(ServerBusy) as busy:
        with limiter.slot("me", on_wait=on_wait, max_wait=3.0, poll=0.001, clock=clock):
            pytest.fail("must not get a slot")
    assert seen == [1, 1, 1] and busy.value.ahead == 1 and busy.value.waited == 3.0
    assert limiter.waiting == 0, "a request that gave up leaves the queue"


def test_slot_is_released_on_error_and_a_waiter_gets_in():
    limiter = WorkLimiter(1)
    with pytest.raises(KeyError), limiter.slot("a"):
        raise KeyError("stopped midway")
    assert limiter.running == 0
    with limiter.slot("b", max_wait=1.0) as ticket:
        assert ticket.granted and limiter.running == 1


def test_slot_waiting_in_a_thread_is_superseded_by_the_same_session():
    limiter = WorkLimiter(1)
    hog = limiter.request("hog")
    hog.wait(0)
    outcome = []
    waiting = threading.Event()

    def older_run() -> None:
        try:
            with limiter.slot("me", on_wait=lambda ahead: waiting.set(), poll=0.01):
                outcome.append("ran")
        except RunSuperseded:
            outcome.append("superseded")

    thread = threading.Thread(target=older_run)
    thread.start()
    assert waiting.wait(5)
    newer = limiter.request("me")
    thread.join(5)
    assert outcome == ["superseded"]
    hog.release()
    assert newer.wait(0)


def test_limiter_refuses_a_bad_capacity():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            WorkLimiter(bad)


def test_result_cache_is_bounded_and_least_recently_used_goes_first():
    cache = ResultCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2 and cache.get("b", "none") == "none"
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        ResultCache(0)


@dataclass
class _Factorization:
    H: np.ndarray
    W: np.ndarray
    losses: list


def test_result_size_counts_each_array_once_and_sees_inside_results():
    H, W = np.zeros((1000, 4)), np.zeros((4, 50))
    result = _Factorization(H, W, [1.0, 0.5])
    size = approximate_nbytes(result)
    assert H.nbytes + W.nbytes <= size <= H.nbytes + W.nbytes + 1024
    # The same array twice, or an array and a view of it, hold its bytes once.
    assert approximate_nbytes((H, H[:10], {"again": H})) < H.nbytes + 1024


@given(st.lists(st.integers(1, 2000), min_size=1, max_size=30), st.integers(1_000, 40_000))
def test_result_cache_never_holds_more_bytes_than_its_bound(sizes, bound):
    cache = ResultCache(1000, max_bytes=bound)
    values = {}
    for number, size in enumerate(sizes):
        value = values[number] = np.zeros(size, dtype=np.uint8)
        cache.put(number, value)
        assert cache.size_bytes <= bound
        held = [approximate_nbytes(v) for k, v in values.items() if k in cache]
        assert cache.size_bytes == sum(held)
        # The newest result stays whenever it fits at all.
        assert (number in cache) == (approximate_nbytes(value) <= bound)


def test_result_cache_drops_least_recently_used_bytes_first_and_refuses_the_oversized():
    cache = ResultCache(10, max_bytes=2_500)
    cache.put("a", np.zeros(1000, dtype=np.uint8))
    cache.put("b", np.zeros(1000, dtype=np.uint8))
    cache.get("a")
    cache.put("c", np.zeros(1000, dtype=np.uint8))
    assert "b" not in cache and "a" in cache and "c" in cache
    cache.put("huge", np.zeros(10_000, dtype=np.uint8))
    assert "huge" not in cache and len(cache) == 2
    cache.put("a", np.zeros(10, dtype=np.uint8))  # replaced: its old bytes are given back
    assert cache.size_bytes < 1_200
    cache.clear()
    assert cache.size_bytes == 0 and len(cache) == 0


@pytest.mark.parametrize("max_bytes", [0, -5, 1.5, True])
def test_result_cache_refuses_a_bad_byte_bound(max_bytes):
    with pytest.raises(ValueError, match="max_bytes"):
        ResultCache(4, max_bytes=max_bytes)


@dataclass(frozen=True)
class _Result:
    values: np.ndarray


def test_a_derived_value_is_built_once_per_source_and_name_and_shared():
    cache = DerivedCache(8)
    result = _Result(np.arange(4.0))
    built = []

    def build():
        built.append(1)
        return {"total": float(result.values.sum())}

    first = cache.get_or_build(result, ("total", 0), build)
    again = cache.get_or_build(result, ("total", 0), build)
    other = cache.get_or_build(result, ("total", 1), build)
    assert first is again, "every session gets the same object, not a copy"
    assert other is not first
    assert len(built) == cache.builds == 2


def test_equal_but_distinct_sources_do_not_share_a_derived_value():
    cache = DerivedCache(8)
    one, two = _Result(np.zeros(2)), _Result(np.zeros(2))
    assert cache.get_or_build(one, "v", lambda: "one") == "one"
    assert cache.get_or_build(two, "v", lambda: "two") == "two"


def test_a_later_source_with_a_recycled_id_gets_its_own_value():
    cache = DerivedCache(8)
    ids = {}
    for attempt in range(200):
        source = _Result(np.full(3, float(attempt)))
        value = cache.get_or_build(source, "first", lambda s=source: float(s.values[0]))
        # Whatever id this source has, the value is its own, never an older source's.
        assert value == float(attempt)
        ids.setdefault(id(source), 0)
        ids[id(source)] += 1
        del source
        gc.collect()
    assert max(ids.values()) > 1, "CPython recycled no id; the check above proved nothing"


def test_a_source_without_weak_references_is_refused():
    with pytest.raises(TypeError, match="weak references"):
        DerivedCache(2).get_or_build((1, 2), "v", lambda: 0)


def test_derived_values_are_bounded_in_bytes():
    cache = DerivedCache(100, max_bytes=10_000)
    sources = [_Result(np.zeros(1)) for _ in range(10)]
    for source in sources:
        cache.get_or_build(source, "big", lambda: np.zeros(500))  # 4,000 bytes each
    assert cache.size_bytes <= 10_000
    assert len(cache) == 2


@dataclass
class _Nested:
    fit: _Result
    parts: list


def test_every_array_of_a_shared_result_becomes_read_only():
    inner = _Result(np.zeros(3))
    value = _Nested(inner, [np.ones(2), {"W": np.ones((2, 2))}, (np.arange(3),)])
    assert make_read_only(value) is value
    arrays = [inner.values, value.parts[0], value.parts[1]["W"], value.parts[2][0]]
    for array in arrays:
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 5
    assert make_read_only(np.ones(1)).flags.writeable is False
    assert make_read_only("text") == "text"


def test_a_run_after_a_stopped_run_waits_for_the_controls_to_settle():
    pacer = RerunPacer(window=1.0, pause=0.3)
    assert pacer.pause_for("student", now=100.0) == 0.0, "a single change starts at once"
    # The next value arrived 0.2 s later: the run of 100.0 was stopped for it (no finished()).
    assert pacer.pause_for("student", now=100.2) == 0.3
    assert pacer.pause_for("student", now=100.4) == 0.3
    pacer.finished("student")  # the value the slider settled on ran to its end
    assert pacer.pause_for("student", now=100.9) == 0.0
    # A stopped run long ago is not a drag.
    assert pacer.pause_for("student", now=105.0) == 0.0


def test_the_next_heavy_run_of_the_same_page_run_does_not_wait():
    pacer = RerunPacer(window=1.0, pause=0.3)
    assert pacer.pause_for("s", now=1.0) == 0.0
    pacer.finished("s")
    assert pacer.pause_for("s", now=1.1) == 0.0  # e.g. the faces after the picture


def test_one_session_dragging_does_not_slow_another():
    pacer = RerunPacer(window=1.0, pause=0.3)
    pacer.pause_for("dragging", now=0.0)
    assert pacer.pause_for("dragging", now=0.1) == 0.3
    assert pacer.pause_for("bystander", now=0.15) == 0.0


def test_the_pacer_remembers_a_bounded_number_of_sessions():
    pacer = RerunPacer(window=10.0, pause=0.3, max_sessions=3)
    for index, session in enumerate("abcd"):
        pacer.pause_for(session, now=float(index))
    # "a" was forgotten (the least recently seen): its next request is a first one.
    assert pacer.pause_for("a", now=4.0) == 0.0
    assert pacer.pause_for("d", now=4.0) == 0.3


@pytest.mark.parametrize(
    "options",
    [{"window": 0}, {"pause": -0.1}, {"max_sessions": 0}, {"max_sessions": True}],
)
def test_the_pacer_refuses_meaningless_settings(options):
    with pytest.raises(ValueError):
        RerunPacer(**options)
