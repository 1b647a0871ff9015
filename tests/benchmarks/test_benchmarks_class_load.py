"""The classroom load client and the balancer's configuration, without a server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.class_load import (
    MAX_SESSIONS,
    ROOT,
    format_summary,
    main,
    percentile,
    require_loopback,
    summarize,
    visits,
)
from server.cluster import STICKY_COOKIE, haproxy_config
from server.protocol import RunReport


@given(
    st.lists(st.floats(0, 1e3, allow_nan=False), min_size=1, max_size=50),
    st.floats(0, 1),
)
def test_percentile_is_numpys_linear_interpolation(values, share):
    assert percentile(values, share) == pytest.approx(np.percentile(values, 100 * share))


def test_percentile_of_nothing_is_nan_and_a_share_outside_0_1_is_refused():
    assert np.isnan(percentile([], 0.5))
    with pytest.raises(ValueError, match="share"):
        percentile([1.0], 1.5)


def _report(seconds: float, **fields) -> RunReport:
    return RunReport(page="", status=fields.pop("status", "ok"), seconds=seconds, **fields)


def test_summary_times_the_healthy_sessions_and_counts_each_failure_by_reason():
    reports = [
        _report(1.0, bytes_received=100),
        _report(3.0, bytes_received=300),
        _report(2.0, bytes_received=200),
        _report(9.0, page_not_found=True),
        _report(8.0, exceptions=["ValueError: x"]),
        _report(7.0, status="disconnected"),
        _report(60.0, status="incomplete"),
    ]
    summary = summarize(reports)
    assert (summary.sessions, summary.finished) == (7, 3)
    assert summary.errors == {
        "page not found": 1,
        "exception on the page": 1,
        "connection closed": 1,
        "timed out": 1,
    }
    assert (summary.p50, summary.max) == (2.0, 3.0)
    assert summary.p95 == pytest.approx(np.percentile([1, 2, 3], 95))
    text = format_summary(summary, (300.0, 320.0))
    assert "finished 3" in text and "1 timed out" in text and "300 MB before" in text


def test_visits_run_each_session_through_the_values_of_vary():
    planned = visits(5, "choosing-r", "cr_solver=mu", "cr_rank:2:4")
    assert planned == [
        ("choosing-r", "cr_solver=mu&cr_rank=2"),
        ("choosing-r", "cr_solver=mu&cr_rank=3"),
        ("choosing-r", "cr_solver=mu&cr_rank=4"),
        ("choosing-r", "cr_solver=mu&cr_rank=2"),
        ("choosing-r", "cr_solver=mu&cr_rank=3"),
    ]
    assert visits(2, "", "", None) == [("", ""), ("", "")]


@pytest.mark.parametrize("sessions", [0, MAX_SESSIONS + 1])
def test_the_number_of_sessions_is_bounded(sessions):
    with pytest.raises(ValueError, match="sessions"):
        visits(sessions, "", "", None)


@pytest.mark.parametrize("vary", ["rank", "rank:a:3", "rank:5:2", ":1:2"])
def test_a_malformed_vary_is_refused(vary):
    with pytest.raises(ValueError, match="vary"):
        visits(3, "", "", vary)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8501", "http://localhost:1", "http://[::1]:80"])
def test_loopback_addresses_are_accepted(url):
    require_loopback(url)


@pytest.mark.parametrize("url", ["http://10.0.0.7:8501", "http://example.org", "http://0.0.0.0:1"])
def test_any_other_address_is_refused(url):
    with pytest.raises(ValueError, match="loopback"):
        require_loopback(url)


def test_the_command_refuses_a_remote_server_before_connecting(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--url", "http://192.0.2.1:8501", "--sessions", "2"])
    assert exit_.value.code == 2
    assert "loopback" in capsys.readouterr().err


def test_the_balancer_config_has_one_checked_sticky_server_per_process():
    config = haproxy_config([8601, 8602, 8603], port=8501)
    servers = [line.split() for line in config.splitlines() if line.strip().startswith("server ")]
    assert [words[2] for words in servers] == ["127.0.0.1:8601", "127.0.0.1:8602", "127.0.0.1:8603"]
    assert all("check" in words and "cookie" in words for words in servers)
    assert f"cookie {STICKY_COOKIE} insert" in config
    assert "option httpchk GET /_stcore/health" in config
    assert "bind 127.0.0.1:8501" in config


@pytest.mark.parametrize("ports", [[], [0], [70000]])
def test_the_balancer_config_refuses_no_process_or_a_bad_port(ports):
    with pytest.raises(ValueError):
        haproxy_config(ports, port=8501)


def _haproxy() -> str:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not shutil.which(haproxy):
        message = "haproxy is not installed (`make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message + " -- CI must install it, so this is a setup error")
        pytest.skip(message)
    return haproxy


def _check(config: Path) -> None:
    checked = subprocess.run([_haproxy(), "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_haproxy_accepts_the_config_of_make_serve(tmp_path):
    path = tmp_path / "haproxy.cfg"
    path.write_text(haproxy_config([8601, 8602], port=8501))
    _check(path)


def test_haproxy_accepts_the_config_of_the_compose_file():
    _check(ROOT / "deploy" / "haproxy-compose.cfg")
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "./haproxy-compose.cfg:/usr/local/etc/haproxy/haproxy.cfg" in compose


def test_cpu_seconds_counts_the_cpu_a_process_spends():
    import os
    import time

    from benchmarks.class_load import cpu_seconds

    before = cpu_seconds([os.getpid()])
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    spent = cpu_seconds([os.getpid()]) - before
    assert 0.2 <= spent < 5.0


def test_the_summary_gives_the_server_cpu_per_session():
    from benchmarks.class_load import LoadSummary

    summary = LoadSummary(
        sessions=40, finished=40, errors={}, p50=1.0, p95=2.0, max=3.0, bytes_per_run=1e5
    )
    assert "server CPU: 8.00 s, 0.200 s per session" in format_summary(summary, None, 8.0)
    assert "server CPU" not in format_summary(summary, None)
