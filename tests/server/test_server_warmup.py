"""The warm start's gate and import step, driven as ASGI without a server."""

from __future__ import annotations

import asyncio
import sys

from server.warmup import WARMING_UP_TEXT, WarmGate, WarmStart, import_modules
from tests.own_loop import run_on_own_loop


class _Downstream:
    """Stands for Streamlit's app: records each scope it is handed and answers 200."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.paths.append(scope["path"])
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})


async def _request(gate: WarmGate, path: str, kind: str = "http") -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    await gate({"type": kind, "path": path, "headers": []}, receive, send)
    return sent


def _status(sent: list[dict]) -> int:
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def _body(sent: list[dict]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_health_is_503_while_warming_and_streamlits_own_once_warm():
    async def scenario():
        warm, downstream = WarmStart(), _Downstream()
        gate = WarmGate(downstream, warm_start=warm, health_hold_seconds=0.01)
        cold = await _request(gate, "/_stcore/health")
        warm._ready.set()
        hot = await _request(gate, "/_stcore/health")
        return cold, hot, downstream.paths

    cold, hot, passed = run_on_own_loop(scenario)
    assert _status(cold) == 503 and _body(cold) == WARMING_UP_TEXT
    assert _status(hot) == 200 and _body(hot) == b"ok"
    assert passed == ["/_stcore/health"]


def test_a_held_health_check_is_answered_as_soon_as_the_warm_up_ends():
    async def scenario():
        warm, downstream = WarmStart(), _Downstream()
        gate = WarmGate(downstream, warm_start=warm, health_hold_seconds=30)
        pending = asyncio.create_task(_request(gate, "/nmf/_stcore/health/"))
        await asyncio.sleep(0.05)
        held = not pending.done()
        warm._ready.set()
        return held, await asyncio.wait_for(pending, timeout=5)

    held, sent = run_on_own_loop(scenario)
    assert held
    assert _status(sent) == 200


def test_a_new_session_waits_for_the_warm_up_while_the_page_itself_is_served():
    async def scenario():
        warm, downstream = WarmStart(), _Downstream()
        gate = WarmGate(downstream, warm_start=warm, health_hold_seconds=0.01)
        page = await _request(gate, "/point-clouds")
        session = asyncio.create_task(_request(gate, "/_stcore/stream", kind="websocket"))
        await asyncio.sleep(0.05)
        seen_while_warming = list(downstream.paths)
        warm._ready.set()
        await asyncio.wait_for(session, timeout=5)
        return page, seen_while_warming, downstream.paths

    page, while_warming, after = run_on_own_loop(scenario)
    assert _status(page) == 200
    assert while_warming == ["/point-clouds"]
    assert after == ["/point-clouds", "/_stcore/stream"]


def test_import_modules_imports_in_this_thread_and_reports_what_is_missing():
    sys.modules.pop("colorsys", None)
    failed = import_modules(["colorsys", "no_such_module_for_nmf_lab"])
    assert "colorsys" in sys.modules
    assert failed == ["no_such_module_for_nmf_lab"]


def test_lifespan_imports_first_and_opens_when_done():
    sys.modules.pop("colorsys", None)

    async def scenario():
        warm = WarmStart(imports=("colorsys",), warm_pages=False)
        async with warm.lifespan(None):
            imported_before_serving = "colorsys" in sys.modules
            await asyncio.wait_for(warm.wait_ready(), timeout=5)
            return imported_before_serving, warm.state, warm.ready

    imported, state, ready = run_on_own_loop(scenario)
    assert imported and ready and state == "ready"


def _warm_without_pages(**options) -> WarmStart:
    warm = WarmStart(warm_pages=False, **options)
    run_on_own_loop(warm._warm)
    return warm


def test_once_warm_the_heap_is_frozen_so_each_runs_collection_skips_it():
    import gc

    try:
        gc.unfreeze()
        long_lived = [[index] for index in range(1000)]
        warm = _warm_without_pages(freeze_heap=True)
        assert warm.ready
        assert warm.frozen_objects > len(long_lived)
        assert gc.get_freeze_count() > len(long_lived)
        # Garbage made after the warm start (a visitor's run) is still collected.
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()


def test_freezing_can_be_turned_off_to_compare(monkeypatch):
    import gc

    gc.unfreeze()
    monkeypatch.setenv("NMFLAB_GC_FREEZE", "0")
    warm = _warm_without_pages()
    assert not warm.freeze_heap
    assert warm.ready and warm.frozen_objects == 0 and gc.get_freeze_count() == 0
