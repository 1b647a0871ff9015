"""Crafted websocket messages against the real server (``app_server``): what a viewer can do.

No browser: :mod:`streamlit_wire` speaks Streamlit's protocol directly, as a crafted client
would. The server is the shared one of the browser tests (``streamlit run serve.py``, with the
guard of ``server/viewer_guard.py`` among its middleware); every check compares readings
taken before and after the crafted message, so the other tests' visits do not matter.
"""

from __future__ import annotations

import pytest
from e2e_support import SERVER_LOG
from streamlit_wire import WireSession, cache_lookups, uploaded_file_state
from websockets.exceptions import ConnectionClosed

PAGE = "point-clouds"
UPLOAD_QUERY = "pc_source=Upload+CSV"
# The page's cached functions as the server's metrics name them; each runs once per page run.
CACHED = "generated_cloud"


def _log_size() -> int:
    return SERVER_LOG.stat().st_size if SERVER_LOG.exists() else 0


def _log_since(offset: int) -> str:
    with open(SERVER_LOG, "rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def test_a_viewers_clear_cache_leaves_everyone_elses_cache(app_server):
    with WireSession(app_server) as first:
        assert not first.run(PAGE).of_type("exception")
    before = cache_lookups(app_server, CACHED)
    log_start = _log_size()
    with WireSession(app_server) as viewer:
        viewer.clear_cache()
        viewer.heartbeat()  # answered only after the clear_cache was handled (or dropped)
    with WireSession(app_server) as second:
        assert not second.run(PAGE).of_type("exception")
    after = cache_lookups(app_server, CACHED)
    # The second visitor's run was served from the cache: a hit, and no new miss.
    assert after["miss"] == before["miss"], (before, after)
    assert after["hit"] > before["hit"], (before, after)
    assert "Ignored a clear_cache message from a viewer" in _log_since(log_start)


def test_a_text_frame_closes_the_socket_without_a_traceback(app_server):
    log_start = _log_size()
    with WireSession(app_server) as session:
        session.ws.send("hello")
        with pytest.raises(ConnectionClosed) as closed:
            session.receive_until(lambda message: False)
    assert closed.value.rcvd is not None, "the server dropped the connection without a close"
    assert closed.value.rcvd.code == 1003
    # The server keeps serving: a new session gets its answer.
    with WireSession(app_server) as next_visitor:
        next_visitor.heartbeat()
    log = _log_since(log_start)
    assert "Traceback" not in log, log[-3000:]
    assert "Closed a websocket that sent a text frame" in log


def test_a_request_for_100000_upload_urls_gets_a_small_answer(app_server):
    # A session exists from the handshake on; the request needs no page run first.
    with WireSession(app_server) as session:
        urls, answer_bytes = session.request_upload_urls([f"f{i}.csv" for i in range(100_000)])
    assert len(urls) == 100
    assert answer_bytes < 50_000


def test_a_wrong_extension_upload_gets_the_pages_message(app_server):
    with WireSession(app_server) as session:
        first = session.run(PAGE, UPLOAD_QUERY)
        (uploader,) = first.of_type("file_uploader")
        shown = []
        for name, data in [("good.csv", b"1,2\n3,4\n5,6\n"), ("evil.exe", b"1,2\n3,4\n5,7\n")]:
            (urls,), _ = session.request_upload_urls([name])
            assert session.upload(urls, name, data, "text/csv") == 204
            state = uploaded_file_state(uploader.id, urls, name, len(data))
            shown.append(session.run(PAGE, UPLOAD_QUERY, [state]))
    good, wrong = shown
    assert not good.alerts()
    assert not wrong.of_type("exception")
    assert wrong.alerts() == [
        "Could not use **evil.exe**: this page reads .csv, .txt or .tsv files, not .exe files"
    ]
    # The page keeps what it showed: the uploader, the last good file and its figures.
    for run in (good, wrong):
        assert run.of_type("file_uploader") and run.of_type("plotly_chart")
        assert any("Showing **good.csv**: 3 points" in m.body for m in run.of_type("markdown"))
