"""The classroom load client and the multi-process server, run for real (loopback, small).

A smoke test, not a benchmark: the client runs a few sessions against the suite's server and
reports them all finished; ``server.cluster`` starts two app processes behind HAProxy, which
serves pages over the websocket and keeps a visitor on the process its cookie names.
"""

from __future__ import annotations

import urllib.request

import pytest
from e2e_support import ROOT

from benchmarks.class_load import main as load_main
from benchmarks.class_load import own_server
from server.cluster import STICKY_COOKIE

pytestmark = pytest.mark.e2e


def test_the_load_client_reports_every_session_of_a_small_class(app_server, capsys):
    assert load_main(["--url", app_server, "--sessions", "3", "--page", "point-clouds"]) == 0
    printed = capsys.readouterr().out
    assert "sessions 3, finished 3, errors: none" in printed
    assert "p50" in printed and "bytes per run" in printed


def _answer(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.headers


@pytest.fixture(scope="module")
def cluster(browser):
    with own_server(2, ROOT / ".pytest_cache" / "e2e-cluster.log") as (url, _pids):
        yield url


def test_two_processes_behind_haproxy_serve_pages_and_keep_a_visitor_on_one(cluster, capsys):
    status, headers = _answer(f"{cluster}/")
    assert status == 200
    cookie = headers.get("Set-Cookie", "")
    assert cookie.startswith(f"{STICKY_COOKIE}=app"), cookie
    for process in ("app1", "app2"):
        for _visit in range(3):
            _, headers = _answer(f"{cluster}/_stcore/health", f"{STICKY_COOKIE}={process}")
            assert headers["X-NMF-Lab-Process"] == process
    assert load_main(["--url", cluster, "--sessions", "4"]) == 0
    assert "sessions 4, finished 4, errors: none" in capsys.readouterr().out
