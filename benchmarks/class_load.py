"""A class opening one link at once: the classroom load client (loopback only).

Each session is a new browser tab as the server sees it: a websocket to ``/_stcore/stream``
that asks for one page with one query string and reads Streamlit's answers until the run has
finished (``server.protocol``). All sessions start together; the client reports the time from
connecting to a finished page (p50, p95, max), the sessions that failed (an exception on the
page, "Page not found", a closed connection or a run cut by the timeout), the bytes each run
sent, the resident memory of the server processes before and after, and the CPU time the
server processes spent on the burst (in all and per session: what one visitor costs).

Unless ``--url`` names a running server, the client starts its own (``streamlit run serve.py``,
as ``make run`` does, on a free port), waits for it to be healthy and stops it at the end; with
``--processes N`` it starts N of them behind HAProxy (``server.cluster``, as ``make serve``).
It refuses any address that is not this machine's loopback, and is bounded in sessions and in
time: it stops by itself.

    python -m benchmarks.class_load --sessions 40 --page factor-an-image
    python -m benchmarks.class_load --sessions 40 --page choosing-r --vary rank=cr_rank:2:12
    python -m benchmarks.class_load --sessions 40 --page choosing-r --processes 2
    python -m benchmarks.class_load --sessions 40 --page factor-an-image --fresh-starts 5

``--fresh-starts K`` measures a class that opens the link right after a restart: K times it
starts a server, and the sessions connect as soon as its port accepts connections (not when it
reports healthy), as a class does whose lecturer has just restarted it; it prints the failed
sessions of every start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from server.cluster import free_port
from server.protocol import RunReport, run_pages

ROOT = Path(__file__).resolve().parents[1]
MAX_SESSIONS = 200
MAX_SECONDS = 600.0
START_TIMEOUT = 300.0


@dataclass(frozen=True)
class LoadSummary:
    """What a burst of sessions measured.

    Attributes
    ----------
    sessions : int
        Sessions started.
    finished : int
        Sessions whose page run finished healthy (no exception, no "Page not found").
    errors : dict of str to int
        Failed sessions by reason.
    p50, p95, max : float
        Seconds from connecting to the finished page, over the healthy sessions (``nan`` when
        none finished).
    bytes_per_run : float
        Median websocket bytes one run sent.
    """

    sessions: int
    finished: int
    errors: dict[str, int]
    p50: float
    p95: float
    max: float
    bytes_per_run: float


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values`` by linear interpolation; ``nan`` if empty."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must lie in [0, 1], got {share}")
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def failure(report: RunReport) -> str | None:
    """Why a session failed, or ``None`` for a healthy one."""
    if report.page_not_found:
        return "page not found"
    if report.exceptions:
        return "exception on the page"
    if report.status == "disconnected":
        return "connection closed"
    if report.status != "ok":
        return "timed out" if report.status == "incomplete" else report.status
    return None


def summarize(reports: Sequence[RunReport]) -> LoadSummary:
    """Reduce the reports of one burst to a :class:`LoadSummary`."""
    errors: dict[str, int] = {}
    times = []
    for report in reports:
        reason = failure(report)
        if reason is None:
            times.append(report.seconds)
        else:
            errors[reason] = errors.get(reason, 0) + 1
    return LoadSummary(
        sessions=len(reports),
        finished=len(times),
        errors=errors,
        p50=percentile(times, 0.5),
        p95=percentile(times, 0.95),
        max=max(times, default=float("nan")),
        bytes_per_run=statistics.median([r.bytes_received for r in reports]) if reports else 0.0,
    )


def visits(sessions: int, page: str, query: str, vary: str | None) -> list[tuple[str, str]]:
    """The (page, query string) of each session.

    ``vary`` is ``KEY:LOW:HIGH``: session ``i`` adds ``KEY=v`` with ``v`` running through
    ``LOW..HIGH`` in turn (each session another rank, say).
    """
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must lie in 1..{MAX_SESSIONS}, got {sessions}")
    if vary is None:
        return [(page, query)] * sessions
    try:
        key, low, high = vary.split(":")
        values = list(range(int(low), int(high) + 1))
    except ValueError:
        raise ValueError(f"--vary takes KEY:LOW:HIGH with integers, got {vary!r}") from None
    if not key or not values:
        raise ValueError(f"--vary takes KEY:LOW:HIGH with LOW <= HIGH, got {vary!r}")
    joined = [f"{query}&" if query else "" for _ in range(sessions)]
    return [(page, f"{joined[i]}{key}={values[i % len(values)]}") for i in range(sessions)]


def require_loopback(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` points at this machine's loopback interface."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the load client only talks to loopback addresses, not {host!r}")


def resident_mb(pids: Sequence[int]) -> float:
    """Resident memory of the processes ``pids`` and their children, in MB (Linux /proc)."""
    total = 0
    for pid in _with_children(pids):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/statm").read_text().split()
            total += int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    return total / 1e6


def cpu_seconds(pids: Sequence[int]) -> float:
    """CPU time (user + system) the processes ``pids`` and their children used so far, in s."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _with_children(pids):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name (field 2) may hold spaces; the fields after it are fixed.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _with_children(pids: Sequence[int]) -> set[int]:
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        for task in Path(f"/proc/{pid}/task").glob("*") if Path(f"/proc/{pid}").exists() else []:
            with contextlib.suppress(OSError, ValueError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def _wait_for(
    ready: Callable[[], bool],
    processes: Sequence[subprocess.Popen],
    timeout: float,
    poll: float,
    failure: str,
) -> None:
    """Poll ``ready`` every ``poll`` seconds until it is true; raise if a process dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode} while starting")
        with contextlib.suppress(OSError):
            if ready():
                return
        time.sleep(poll)
    raise RuntimeError(f"{failure} within {timeout:.0f} s")


def wait_healthy(url: str, processes: Sequence[subprocess.Popen], timeout: float) -> None:
    """Wait until ``url``'s ``/_stcore/health`` answers 200; raise if a process died first."""

    def healthy() -> bool:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=15) as answer:
            return answer.status == 200

    _wait_for(healthy, processes, timeout, 0.5, f"{url} was not healthy")


def wait_listening(url: str, processes: Sequence[subprocess.Popen], timeout: float) -> None:
    """Wait until ``url``'s port accepts TCP connections; raise if a process died first."""
    parts = urlsplit(url)

    def listening() -> bool:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True

    _wait_for(listening, processes, timeout, 0.05, f"{url} did not listen")


@contextlib.contextmanager
def own_server(
    processes: int, log: Path, *, until: str = "healthy"
) -> Iterator[tuple[str, list[int]]]:
    """Start the app (one process, or ``processes`` behind HAProxy); yield its URL and pids.

    ``until`` is ``"healthy"`` (yield once ``/_stcore/health`` answers 200) or
    ``"listening"`` (as soon as the port accepts connections: a server just restarted).
    """
    if until not in ("healthy", "listening"):
        raise ValueError(f"until must be 'healthy' or 'listening', got {until!r}")
    port = free_port()
    if processes == 1:
        command = [sys.executable, "-m", "streamlit", "run", "serve.py"]
        command += ["--server.port", str(port), "--server.headless", "true"]
    else:
        command = [sys.executable, "-m", "server.cluster", "--processes", str(processes)]
        command += ["--port", str(port)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            # The cluster opens its balancer only once every app process is healthy.
            if until == "healthy":
                wait_healthy(url, [process], START_TIMEOUT)
            else:
                wait_listening(url, [process], START_TIMEOUT)
            yield url, [process.pid]
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def run_burst(url: str, planned: list[tuple[str, str]], timeout: float) -> list[RunReport]:
    """Run every planned visit at once against ``url`` and return the reports.

    The sessions run on an event loop of their own in a thread of their own, so a caller that
    holds a running loop (a notebook, Playwright's sync API) can call this too.
    """
    outcome: dict = {}

    def burst() -> None:
        try:
            outcome["reports"] = asyncio.run(run_pages(url, planned, timeout=timeout))
        except BaseException as error:  # raised again in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=burst, name="class-load", daemon=True)
    thread.start()
    # Every session ends within its timeout; the margin is for closing the sockets.
    thread.join(timeout + 60)
    if "error" in outcome:
        raise outcome["error"]
    if "reports" not in outcome:
        raise RuntimeError(f"the burst did not end within {timeout + 60:.0f} s")
    return outcome["reports"]


def format_summary(
    summary: LoadSummary,
    memory: tuple[float, float] | None,
    server_cpu: float | None = None,
) -> str:
    """The one-paragraph report the command prints (``server_cpu``: CPU seconds of the burst)."""
    errors = ", ".join(f"{count} {reason}" for reason, count in summary.errors.items()) or "none"
    lines = [
        f"sessions {summary.sessions}, finished {summary.finished}, errors: {errors}",
        f"time to a finished page: p50 {summary.p50:.2f} s, p95 {summary.p95:.2f} s, "
        f"max {summary.max:.2f} s",
        f"bytes per run: {summary.bytes_per_run / 1e6:.2f} MB",
    ]
    if memory is not None:
        lines.append(f"server memory: {memory[0]:.0f} MB before, {memory[1]:.0f} MB after")
    if server_cpu is not None:
        lines.append(
            f"server CPU: {server_cpu:.2f} s, {server_cpu / max(summary.sessions, 1):.3f} s "
            "per session"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=40, help="sessions started together")
    parser.add_argument("--page", default="", help="url path of the page ('' is Home)")
    parser.add_argument("--query", default="", help="query string every session sends")
    parser.add_argument("--vary", default=None, help="KEY:LOW:HIGH, one value per session")
    parser.add_argument("--url", default=None, help="a running server (loopback only)")
    parser.add_argument("--pid", type=int, action="append", default=[], help="its process id")
    parser.add_argument("--processes", type=int, default=1, help="own server: app processes")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per session")
    parser.add_argument("--warm", action="store_true", help="one untimed burst first")
    parser.add_argument(
        "--fresh-starts", type=int, default=0, help="K restarts, each met by the burst at once"
    )
    args = parser.parse_args(argv)
    if not 0 < args.timeout <= MAX_SECONDS:
        parser.error(f"--timeout must lie in (0, {MAX_SECONDS:.0f}]")
    if not 1 <= args.processes <= 16:
        parser.error("--processes must lie in 1..16")
    try:
        planned = visits(args.sessions, args.page.strip("/"), args.query, args.vary)
        if args.url:
            require_loopback(args.url)
    except ValueError as error:
        parser.error(str(error))

    def measure(url: str, pids: list[int]) -> None:
        if args.warm:
            run_burst(url, planned, args.timeout)
        before = resident_mb(pids) if pids else None
        cpu_before = cpu_seconds(pids) if pids else None
        summary = summarize(run_burst(url, planned, args.timeout))
        after = resident_mb(pids) if pids else None
        cpu = cpu_seconds(pids) - cpu_before if pids else None
        memory = (before, after) if pids else None
        print(f"{url}/{args.page.strip('/')}  ({args.processes} process(es))")
        print(format_summary(summary, memory, cpu))

    if args.fresh_starts:
        if args.url or args.warm:
            parser.error("--fresh-starts starts its own servers, without --url or --warm")
        if not 1 <= args.fresh_starts <= 20:
            parser.error("--fresh-starts must lie in 1..20")
        failed = []
        for start in range(1, args.fresh_starts + 1):
            log = ROOT / ".pytest_cache" / f"class-load-fresh-{start}.log"
            with own_server(args.processes, log, until="listening") as (url, _pids):
                summary = summarize(run_burst(url, planned, args.timeout))
            failed.append(summary.sessions - summary.finished)
            print(f"fresh start {start}: " + format_summary(summary, None).replace("\n", "; "))
        print(
            f"sessions that failed after a fresh start: {sum(failed)} of "
            f"{args.sessions * args.fresh_starts} ({', '.join(map(str, failed))} per start)"
        )
    elif args.url:
        measure(args.url.rstrip("/"), args.pid)
    else:
        log = ROOT / ".pytest_cache" / "class-load-server.log"
        with own_server(args.processes, log) as (url, pids):
            measure(url, pids)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
