"""A rerun storm: students dragging a slider together, and a bystander opening another page.

Each *stormer* is a browser tab as the server sees it (Streamlit's own websocket protocol,
``server.protocol``): it opens the page, finds the slider bound to ``--key`` among the page's
elements, and then "drags" it: it sends a rerun with the next value every ``--interval``
seconds (what Streamlit's frontend sends while a slider moves), each with the widget state and
the query string a browser would send. After the last value it sends a marker
(:func:`taken_in_marker`), whose answer marks the moment the server has taken in every value;
the first run that finishes after that answer is the result the student waits for, or, when
the last value's run was over before the answer and no run follows, that run
(:class:`SettleWatch`). A *bystander* opens another page in a new session
while the storm rages.

It reports, over the stormers: the seconds from the last value sent to its result drawn
(p50/p95/max), and how many script runs the values started against how many ran to the end (a
run that Streamlit stops for a newer rerun sends no ``script_finished`` of its own: the next
run's ``new_session`` follows); for the bystander: seconds to a finished page, during the storm
and alone before it.

Loopback only, bounded in sessions, values and time; it starts its own server (``serve.py``)
unless ``--url`` names a running one.

    python -m benchmarks.rerun_storm --stormers 10 --page factor-an-image --key img_rank
    python -m benchmarks.rerun_storm --stormers 10 --page point-clouds --key pc_rank --values 1:3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.class_load import ROOT, cpu_seconds, own_server, percentile, require_loopback
from server.protocol import (
    SUBPROTOCOL,
    RunReport,
    parse_forward,
    rerun_message,
    run_page,
    serialize,
    stream_url,
)

MAX_STORMERS = 40
MAX_VALUES = 100
MAX_SECONDS = 600.0


@dataclass
class StormerReport:
    """What one dragging session saw.

    Attributes
    ----------
    values_sent : int
        Reruns sent while dragging (one per value).
    runs_started, runs_completed : int
        Script runs the session's reruns started (``new_session`` messages) and those that ran
        to the end (``FINISHED_SUCCESSFULLY``); the others were stopped for a newer rerun.
    settle_seconds : float
        From sending the last value to the first run finished after the server took it in.
    exceptions : list of str
        Exception elements drawn in any run.
    error : str
        Why the session failed (no slider with the key, a closed connection, a timeout).
    """

    values_sent: int = 0
    runs_started: int = 0
    runs_completed: int = 0
    settle_seconds: float = float("nan")
    exceptions: list[str] | None = None
    error: str = ""

    @property
    def runs_dropped(self) -> int:
        """Runs started and stopped before their end (superseded by a newer value)."""
        return self.runs_started - self.runs_completed

    @property
    def healthy(self) -> bool:
        return not self.error and not self.exceptions and not math.isnan(self.settle_seconds)


def drag_values(spec: str, start: int) -> list[int]:
    """The values one stormer sends: ``LOW:HIGH`` walked upwards from ``start``'s offset.

    Stormer ``start`` begins ``start`` steps into the range and wraps around, so the stormers
    ask for different values at any moment (they are not sharing one cached result).

    >>> drag_values("2:5", 0), drag_values("2:5", 1)
    ([2, 3, 4, 5], [3, 4, 5, 2])
    """
    try:
        low, high = (int(part) for part in spec.split(":"))
    except ValueError:
        raise ValueError(f"--values takes LOW:HIGH with integers, got {spec!r}") from None
    if low > high:
        raise ValueError(f"--values takes LOW:HIGH with LOW <= HIGH, got {spec!r}")
    values = list(range(low, high + 1))
    if len(values) > MAX_VALUES:
        raise ValueError(f"--values spans {len(values)} values, at most {MAX_VALUES}")
    shift = start % len(values)
    return values[shift:] + values[:shift]


def slider_id(message: ForwardMsg, key: str) -> str | None:
    """The widget id of the slider whose user key is ``key``, if ``message`` draws it."""
    if message.WhichOneof("type") != "delta":
        return None
    delta = message.delta
    if delta.WhichOneof("type") != "new_element":
        return None
    element = delta.new_element
    if element.WhichOneof("type") != "slider":
        return None
    # Streamlit ends the id of a keyed widget with its user key.
    return element.slider.id if element.slider.id.endswith(f"-{key}") else None


def slider_rerun(page: str, query: str, key: str, widget: str, value: int) -> BackMsg:
    """The rerun a browser sends when the slider moves: the widget's state and the new URL."""
    kept = [part for part in query.split("&") if part and not part.startswith(f"{key}=")]
    message = rerun_message(page, "&".join([*kept, f"{key}={value}"]))
    state = WidgetState(id=widget)
    state.double_array_value.data.append(float(value))
    message.rerun_script.widget_states.widgets.append(state)
    return message


def taken_in_marker() -> BackMsg:
    """A message whose answer tells that the server has taken in everything sent before it.

    Streamlit answers ``set_run_on_save`` with a ``session_status_changed`` that carries the new
    flag, and keeps that answer when a starting run clears the session's outgoing queue (a
    heartbeat's answer is dropped then: behind a cached run it never arrives). Turning
    run-on-save on only matters when the page's source changes on disk.
    """
    message = BackMsg()
    message.set_run_on_save = True
    return message


def is_marker_answer(kind: str, message: ForwardMsg) -> bool:
    """Whether ``message`` (of type ``kind``) was made after the marker was taken in."""
    return kind == "session_status_changed" and message.session_status_changed.run_on_save


class SettleWatch:
    """Tell, from the messages one dragging session receives, when its last value's result is in.

    The server takes in a session's messages in order, so the answer to the
    :func:`taken_in_marker` sent after the last value means that value has been taken in: a
    run that finishes successfully after the answer drew it. A cached value can be quicker
    than the answer, though: its run is over before the answer arrives and no other run
    follows. So when no run is open at the
    answer, one finished after the last value was sent, and no new run starts within ``quiet``
    seconds, that finished run was the result.

    Parameters
    ----------
    quiet : float
        Seconds without a new run after the answer that make an earlier finish the result.
    """

    def __init__(self, quiet: float) -> None:
        if not quiet > 0:
            raise ValueError(f"quiet must be a positive number of seconds, got {quiet}")
        self.quiet = quiet
        self._last_sent: float | None = None
        self._answered: float | None = None
        self._run_open = False
        self._last_finish: float | None = None
        self._result: float | None = None
        self._candidate: float | None = None
        self._changed = asyncio.Event()

    def start(self, last_sent: float) -> None:
        """The moment the last value was sent (before its marker)."""
        self._last_sent = last_sent

    def see(self, kind: str, message: ForwardMsg, now: float) -> None:
        """Take in one received message of type ``kind`` (``ForwardMsg.WhichOneof``) at ``now``."""
        if kind == "new_session":
            self._run_open = True
            self._candidate = None
        elif kind == "script_finished":
            self._run_open = False
            if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self._last_finish = now
                if self._answered is not None and self._result is None:
                    self._result = now
        elif (
            is_marker_answer(kind, message)
            and self._last_sent is not None
            and self._answered is None
        ):
            self._answered = now
            finished_since = self._last_finish is not None and self._last_finish >= self._last_sent
            if not self._run_open and finished_since:
                self._candidate = self._last_finish
        self._changed.set()

    def result(self, now: float) -> float | None:
        """When the result arrived, if that is known at ``now``; else ``None``."""
        if self._result is not None:
            return self._result
        if self._candidate is not None and now - self._answered >= self.quiet:
            return self._candidate
        return None

    async def settled(self) -> float:
        """Wait until the result is known; return the moment it arrived (``perf_counter``)."""
        while (arrived := self.result(time.perf_counter())) is None:
            self._changed.clear()
            wait = None
            if self._candidate is not None:
                wait = max(0.0, self._answered + self.quiet - time.perf_counter())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), wait)
        return arrived


async def storm_session(
    url: str,
    page: str,
    query: str,
    key: str,
    values: Sequence[int],
    interval: float,
    timeout: float,
    quiet: float = 2.0,
) -> StormerReport:
    """Open ``page``, then drag the slider ``key`` through ``values``; report what it cost."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    report = StormerReport(exceptions=[])
    try:
        async with asyncio.timeout(timeout):
            async with connect(
                stream_url(url), subprotocols=[SUBPROTOCOL], max_size=None, ping_interval=None
            ) as websocket:
                await websocket.send(serialize(rerun_message(page, query)))
                widget = None
                async for payload in websocket:
                    message = parse_forward(payload)
                    widget = widget or slider_id(message, key)
                    if message.WhichOneof("type") == "script_finished":
                        if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                            break
                if widget is None:
                    report.error = f"no slider with key {key!r} on the page"
                    return report
                # Counting begins with the drag: the first load above is not part of it.
                watch = SettleWatch(quiet=quiet)

                async def read() -> None:
                    async for payload in websocket:
                        message = parse_forward(payload)
                        kind = message.WhichOneof("type")
                        if kind == "new_session":
                            report.runs_started += 1
                        elif kind == "delta":
                            element = message.delta.new_element
                            if element.WhichOneof("type") == "exception":
                                report.exceptions.append(
                                    f"{element.exception.type}: {element.exception.message}"
                                )
                        elif kind == "script_finished":
                            if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                                report.runs_completed += 1
                        watch.see(kind, message, time.perf_counter())

                reader = asyncio.create_task(read())
                try:
                    for number, value in enumerate(values):
                        if number:
                            await asyncio.sleep(interval)
                        rerun = slider_rerun(page, query, key, widget, value)
                        await websocket.send(serialize(rerun))
                        report.values_sent += 1
                        last_sent = time.perf_counter()
                    watch.start(last_sent)
                    await websocket.send(serialize(taken_in_marker()))
                    finished = await watch.settled()
                    report.settle_seconds = finished - last_sent
                finally:
                    reader.cancel()
    except TimeoutError:
        report.error = "timed out"
    except ConnectionClosed as closed:
        report.error = f"connection closed: {closed}"
    return report


@dataclass(frozen=True)
class StormSummary:
    """A storm reduced to what the command prints (times in seconds)."""

    stormers: int
    healthy: int
    values_sent: int
    runs_started: int
    runs_completed: int
    settle_p50: float
    settle_p95: float
    settle_max: float
    bystander_alone: float
    bystander_in_storm: float
    bystander_healthy: bool
    errors: tuple[str, ...]


def summarize(
    stormers: Sequence[StormerReport], alone: RunReport, during: RunReport
) -> StormSummary:
    """Reduce the reports of one storm (and the bystander's two visits)."""
    settles = [report.settle_seconds for report in stormers if report.healthy]
    errors = tuple(
        report.error or "; ".join(report.exceptions or []) or "no result"
        for report in stormers
        if not report.healthy
    )
    return StormSummary(
        stormers=len(stormers),
        healthy=len(settles),
        values_sent=sum(report.values_sent for report in stormers),
        runs_started=sum(report.runs_started for report in stormers),
        runs_completed=sum(report.runs_completed for report in stormers),
        settle_p50=percentile(settles, 0.5),
        settle_p95=percentile(settles, 0.95),
        settle_max=max(settles, default=float("nan")),
        bystander_alone=alone.seconds,
        bystander_in_storm=during.seconds,
        bystander_healthy=alone.healthy and during.healthy,
        errors=errors,
    )


def format_summary(summary: StormSummary, server_cpu: float | None = None) -> str:
    """The report the command prints."""
    lines = [
        f"stormers {summary.stormers}, with a result {summary.healthy}, "
        f"errors: {'; '.join(summary.errors) or 'none'}",
        f"from the last value to its result: p50 {summary.settle_p50:.2f} s, "
        f"p95 {summary.settle_p95:.2f} s, max {summary.settle_max:.2f} s",
        f"values sent {summary.values_sent}: runs started {summary.runs_started}, "
        f"run to the end {summary.runs_completed}",
        f"bystander: {summary.bystander_alone:.2f} s alone, "
        f"{summary.bystander_in_storm:.2f} s during the storm"
        + ("" if summary.bystander_healthy else " (its page failed)"),
    ]
    if server_cpu is not None:
        lines.append(f"server CPU during the storm: {server_cpu:.2f} s")
    return "\n".join(lines)


def run_storm(
    url: str,
    *,
    stormers: int,
    page: str,
    key: str,
    values: str,
    query: str = "",
    interval: float = 0.2,
    bystander: str = "",
    bystander_delay: float = 0.5,
    timeout: float = 300.0,
) -> StormSummary:
    """Measure one storm against a running server (see the module's docstring).

    Runs on an event loop of its own in a thread of its own, so callers with a running loop
    (Playwright's sync API) can call it too.
    """
    if not 1 <= stormers <= MAX_STORMERS:
        raise ValueError(f"stormers must lie in 1..{MAX_STORMERS}, got {stormers}")
    if not 0 < interval <= 5:
        raise ValueError(f"interval must lie in (0, 5] seconds, got {interval}")
    if not 0 < timeout <= MAX_SECONDS:
        raise ValueError(f"timeout must lie in (0, {MAX_SECONDS:.0f}] seconds, got {timeout}")
    require_loopback(url)
    drags = [drag_values(values, start) for start in range(stormers)]

    async def storm() -> StormSummary:
        alone = await run_page(url, bystander, timeout=timeout)

        async def bystanding() -> RunReport:
            await asyncio.sleep(bystander_delay)
            return await run_page(url, bystander, timeout=timeout)

        *reports, during = await asyncio.gather(
            *(storm_session(url, page, query, key, drag, interval, timeout) for drag in drags),
            bystanding(),
        )
        return summarize(reports, alone, during)

    outcome: dict = {}

    def in_thread() -> None:
        try:
            outcome["summary"] = asyncio.run(storm())
        except BaseException as error:  # raised again in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=in_thread, name="rerun-storm", daemon=True)
    thread.start()
    thread.join(2 * timeout + 60)
    if "error" in outcome:
        raise outcome["error"]
    if "summary" not in outcome:
        raise RuntimeError(f"the storm did not end within {2 * timeout + 60:.0f} s")
    return outcome["summary"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stormers", type=int, default=10, help="sessions dragging at once")
    parser.add_argument("--page", default="factor-an-image", help="url path of their page")
    parser.add_argument("--key", default="img_rank", help="key of the slider they drag")
    parser.add_argument("--values", default="21:30", help="LOW:HIGH, the values dragged through")
    parser.add_argument("--query", default="", help="query string of their page")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between values")
    parser.add_argument("--bystander", default="", help="url path the bystander opens")
    parser.add_argument("--url", default=None, help="a running server (loopback only)")
    parser.add_argument("--pid", type=int, action="append", default=[], help="its process id")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per session")
    args = parser.parse_args(argv)
    options = dict(
        stormers=args.stormers,
        page=args.page.strip("/"),
        key=args.key,
        values=args.values,
        query=args.query,
        interval=args.interval,
        bystander=args.bystander.strip("/"),
        timeout=args.timeout,
    )

    def measure(url: str, pids: list[int]) -> None:
        before = cpu_seconds(pids) if pids else None
        summary = run_storm(url, **options)
        cpu = cpu_seconds(pids) - before if pids else None
        print(f"{url}/{options['page']}  dragging {args.key} through {args.values}")
        print(format_summary(summary, cpu))

    try:
        if args.url:
            require_loopback(args.url)
            measure(args.url.rstrip("/"), args.pid)
        else:
            with own_server(1, ROOT / ".pytest_cache" / "rerun-storm-server.log") as (url, pids):
                measure(url, pids)
    except ValueError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
