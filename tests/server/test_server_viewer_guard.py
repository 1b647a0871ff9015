"""The websocket guard (server/viewer_guard.py) against a fake ASGI app: no server.

The fake app plays Streamlit's websocket endpoint: it reads every frame through the
middleware's ``receive`` until the client goes, and records what it was given.
"""

from __future__ import annotations

import logging

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from server import viewer_guard as _viewer_guard
from server.viewer_guard import MAX_UPLOAD_URLS, ViewerGuard
from tests.own_loop import run_on_own_loop

STREAM_SCOPE = {"type": "websocket", "path": "/_stcore/stream"}


def _frame(**fields) -> bytes:
    back_msg = BackMsg()
    for name, value in fields.items():
        if name == "file_urls_request":
            back_msg.file_urls_request.request_id = "r1"
            back_msg.file_urls_request.file_names.extend(value)
        elif name == "rerun_script":
            back_msg.rerun_script.query_string = value
        else:
            setattr(back_msg, name, value)
    return back_msg.SerializeToString()


def _receive_message(data: bytes | None = None, text: str | None = None) -> dict:
    if text is not None:
        return {"type": "websocket.receive", "text": text}
    return {"type": "websocket.receive", "bytes": data}


async def _fake_endpoint(scope, receive, send, seen: list) -> None:
    """Accept, then record every message until a disconnect (as Streamlit's loop does)."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        seen.append(message)
        if message["type"] == "websocket.disconnect":
            return
        # Streamlit's sender keeps writing while the loop runs.
        await send({"type": "websocket.send", "bytes": b"forward"})


def _drive(incoming: list[dict], scope=STREAM_SCOPE, **guard_options):
    """Run the guard over ``incoming`` client messages; return (app saw, server sent)."""
    seen: list = []
    sent: list = []
    queue = [{"type": "websocket.connect"}, *incoming, {"type": "websocket.disconnect"}]

    async def receive():
        return queue.pop(0)

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        await _fake_endpoint(scope, receive, send, seen)

    run_on_own_loop(ViewerGuard(app, **guard_options), dict(scope), receive, send)
    return seen, sent


@pytest.fixture
def viewer_toolbar(monkeypatch):
    monkeypatch.setattr(_viewer_guard, "clear_cache_allowed", lambda: False)


@pytest.fixture
def guard_log(caplog):
    # Streamlit's loggers do not propagate to the root logger, so caplog gets its own handler.
    logger = logging.getLogger(_viewer_guard.__name__)
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_a_viewers_clear_cache_never_reaches_streamlit(viewer_toolbar, guard_log):
    rerun = _frame(rerun_script="a=1")
    seen, _ = _drive([_receive_message(_frame(clear_cache=True)), _receive_message(rerun)])
    assert [m.get("bytes") for m in seen] == [rerun, None]
    assert len(guard_log.records) == 1
    assert "clear_cache" in guard_log.records[0].getMessage()


def test_a_clear_cache_hidden_behind_another_field_is_still_dropped(viewer_toolbar):
    # Protobuf keeps the last field of a oneof: a rerun_script followed by clear_cache is a
    # clear_cache, so checking the first byte of a frame would not do.
    crafted = _frame(rerun_script="a=1") + _frame(clear_cache=True)
    assert BackMsg.FromString(crafted).WhichOneof("type") == "clear_cache"
    seen, _ = _drive([_receive_message(crafted)])
    assert [m["type"] for m in seen] == ["websocket.disconnect"]


def test_clear_cache_passes_when_the_toolbar_is_in_developer_mode(monkeypatch):
    monkeypatch.setattr(_viewer_guard, "clear_cache_allowed", lambda: True)
    frame = _frame(clear_cache=True)
    seen, _ = _drive([_receive_message(frame)])
    assert seen[0]["bytes"] is frame


def test_the_app_config_hides_the_menu_so_clear_cache_is_refused():
    # .streamlit/config.toml sets client.toolbarMode = "viewer" (the menu without "Clear cache").
    from streamlit import config

    assert config.get_option("client.toolbarMode") == "viewer"
    assert not _viewer_guard.clear_cache_allowed()


def test_other_frames_pass_as_the_very_same_bytes(viewer_toolbar):
    frames = [
        _frame(rerun_script="seed=3"),
        _frame(app_heartbeat=True),
        _frame(stop_script=True),
        _frame(file_urls_request=["a.csv", "b.csv"]),
    ]
    seen, _ = _drive([_receive_message(f) for f in frames])
    assert all(m["bytes"] is f for m, f in zip(seen, frames, strict=False))
    assert seen[-1]["type"] == "websocket.disconnect"


def test_a_file_urls_request_keeps_at_most_the_cap(viewer_toolbar, guard_log):
    names = [f"f{i}.csv" for i in range(100_000)]
    seen, _ = _drive([_receive_message(_frame(file_urls_request=names))])
    request = BackMsg.FromString(seen[0]["bytes"]).file_urls_request
    assert list(request.file_names) == names[:MAX_UPLOAD_URLS]
    assert request.request_id == "r1"
    assert "100000" in guard_log.records[0].getMessage()


def test_the_cap_is_exact(viewer_toolbar):
    at_cap = _frame(file_urls_request=[f"f{i}" for i in range(3)])
    over = _frame(file_urls_request=[f"f{i}" for i in range(4)])
    seen, _ = _drive([_receive_message(at_cap), _receive_message(over)], max_upload_urls=3)
    assert seen[0]["bytes"] is at_cap
    assert len(BackMsg.FromString(seen[1]["bytes"]).file_urls_request.file_names) == 3


def test_a_text_frame_closes_the_socket_politely(viewer_toolbar, guard_log):
    later = _frame(rerun_script="")
    seen, sent = _drive([_receive_message(text="hello"), _receive_message(later)])
    # The app is told the client left; it never sees the text nor anything after it.
    assert seen == [{"type": "websocket.disconnect", "code": 1003}]
    closes = [m for m in sent if m["type"] == "websocket.close"]
    assert closes == [{"type": "websocket.close", "code": 1003, "reason": ""}]
    assert sent[-1]["type"] == "websocket.close"
    assert len(guard_log.records) == 1


def test_a_frame_that_is_not_a_backmsg_closes_with_protocol_error(viewer_toolbar):
    seen, sent = _drive([_receive_message(b"\xff\xff\xff")])
    assert seen == [{"type": "websocket.disconnect", "code": 1002}]
    assert sent[-1] == {"type": "websocket.close", "code": 1002, "reason": ""}


def test_sends_after_the_guard_closed_are_dropped(viewer_toolbar):
    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        await receive()  # the text frame: the guard closes and reports a disconnect
        await send({"type": "websocket.send", "bytes": b"late"})

    sent = []
    queue = [{"type": "websocket.connect"}, _receive_message(text="x")]

    async def receive():
        return queue.pop(0)

    async def send(message):
        sent.append(message)

    run_on_own_loop(ViewerGuard(app), dict(STREAM_SCOPE), receive, send)
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.close"]


@pytest.mark.parametrize(
    "scope",
    [
        {"type": "http", "path": "/_stcore/stream"},
        {"type": "websocket", "path": "/_stcore/other"},
        {"type": "lifespan"},
    ],
)
def test_other_routes_get_the_original_receive_and_send(scope):
    calls = []

    async def receive():
        return {}

    async def send(message):
        return None

    async def app(scope, got_receive, got_send):
        calls.append((got_receive, got_send))

    run_on_own_loop(ViewerGuard(app), scope, receive, send)
    assert calls == [(receive, send)]


def test_the_stream_behind_a_base_url_is_guarded(viewer_toolbar):
    seen, _ = _drive(
        [_receive_message(_frame(clear_cache=True))],
        scope={"type": "websocket", "path": "/nmf/_stcore/stream"},
    )
    assert [m["type"] for m in seen] == ["websocket.disconnect"]


# ---------------------------------------------------------------- the fast path -------------


def _real_frames() -> list[bytes]:
    return [
        _frame(rerun_script="seed=3&pc_rank=2"),
        _frame(app_heartbeat=True),
        _frame(stop_script=True),
        _frame(load_git_info=True),
        _frame(clear_cache=True),
        _frame(file_urls_request=["a.csv"]),
        _frame(set_run_on_save=True),
    ]


@pytest.mark.parametrize(
    "frame", _real_frames(), ids=lambda f: BackMsg.FromString(f).WhichOneof("type")
)
def test_the_fast_path_sends_every_guarded_kind_to_the_parser(frame):
    kind = BackMsg.FromString(frame).WhichOneof("type")
    looked_at = _viewer_guard._may_need_a_look(frame)
    assert looked_at == (kind in {"clear_cache", "file_urls_request"})


def test_the_fast_path_agrees_with_the_parser_on_crafted_frames():
    # Whenever the walk of the top level says "no need to parse", the real parser must agree:
    # the frame parses and is neither a clear_cache nor a file_urls_request.
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(_real_frames())
    frames = st.one_of(
        st.binary(max_size=64),
        st.lists(pieces, min_size=1, max_size=6).map(b"".join),
        st.tuples(st.lists(pieces, max_size=3).map(b"".join), st.binary(max_size=8)).map(
            lambda parts: parts[0] + parts[1]
        ),
    )

    @settings(max_examples=100, deadline=None, database=None)
    @given(frames)
    def check(frame):
        if _viewer_guard._may_need_a_look(frame):
            return
        kind = BackMsg.FromString(frame).WhichOneof("type")
        assert kind not in {"clear_cache", "file_urls_request"}

    check()


def test_an_overlong_tag_for_clear_cache_is_not_missed():
    # Field 5, varint wire type, written as a two-byte tag (0xA8 0x00) instead of 0x28.
    overlong = b"\xa8\x00\x01"
    assert _viewer_guard._may_need_a_look(overlong)


def test_every_request_but_a_heartbeat_is_reported_to_the_sweeper(viewer_toolbar):
    requests = []
    frames = [
        _frame(rerun_script="seed=3"),
        _frame(app_heartbeat=True),
        _frame(stop_script=True),
        _frame(app_heartbeat=True),
    ]
    _drive([_receive_message(f) for f in frames], on_request=lambda: requests.append(1))
    assert len(requests) == 2
