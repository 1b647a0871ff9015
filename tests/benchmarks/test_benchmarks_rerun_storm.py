"""The rerun-storm client without a server: what it sends, how it counts, what it refuses."""

from __future__ import annotations

import asyncio
import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.class_load import main as load_main
from benchmarks.rerun_storm import (
    MAX_STORMERS,
    SettleWatch,
    StormerReport,
    drag_values,
    format_summary,
    is_marker_answer,
    run_storm,
    slider_id,
    slider_rerun,
    summarize,
    taken_in_marker,
)
from server.protocol import RunReport


@given(st.integers(-50, 50), st.integers(0, 40), st.integers(0, 200))
def test_every_stormer_drags_through_every_value_once_from_its_own_offset(low, span, start):
    values = drag_values(f"{low}:{low + span}", start)
    assert sorted(values) == list(range(low, low + span + 1))
    assert values[0] == low + start % (span + 1)


@pytest.mark.parametrize("spec", ["5:2", "a:b", "3", "1:500"])
def test_a_malformed_or_too_long_drag_is_refused(spec):
    with pytest.raises(ValueError, match="--values"):
        drag_values(spec, 0)


def _slider_delta(widget_id: str) -> ForwardMsg:
    message = ForwardMsg()
    message.delta.new_element.slider.id = widget_id
    return message


def test_the_slider_is_found_by_the_key_that_ends_its_id():
    assert slider_id(_slider_delta("$$ID-abc-img_rank"), "img_rank") == "$$ID-abc-img_rank"
    assert slider_id(_slider_delta("$$ID-abc-pc_img_rank"), "img_rank") is None
    assert slider_id(ForwardMsg(), "img_rank") is None


def test_a_drag_step_sends_the_new_value_as_the_browser_does():
    message = slider_rerun("factor-an-image", "seed=3&img_rank=20", "img_rank", "$$ID-x", 24)
    rerun = message.rerun_script
    assert rerun.page_name == "factor-an-image"
    # The URL follows the bound slider; the other settings stay.
    assert rerun.query_string == "seed=3&img_rank=24"
    (state,) = rerun.widget_states.widgets
    assert state.id == "$$ID-x" and list(state.double_array_value.data) == [24.0]


def test_the_summary_counts_runs_and_times_only_the_stormers_with_a_result():
    ok = RunReport(page="", status="ok", seconds=0.4)
    stormers = [
        StormerReport(values_sent=10, runs_started=6, runs_completed=1, settle_seconds=2.0),
        StormerReport(values_sent=10, runs_started=4, runs_completed=1, settle_seconds=4.0),
        StormerReport(values_sent=0, error="no slider with key 'x' on the page"),
    ]
    summary = summarize(stormers, ok, RunReport(page="", status="ok", seconds=1.5))
    assert (summary.stormers, summary.healthy) == (3, 2)
    assert (summary.values_sent, summary.runs_started, summary.runs_completed) == (20, 10, 2)
    assert stormers[0].runs_dropped == 5
    assert summary.settle_p50 == pytest.approx(3.0) and summary.settle_max == 4.0
    assert summary.errors == ("no slider with key 'x' on the page",)
    printed = format_summary(summary, server_cpu=7.5)
    assert "p50 3.00 s" in printed and "runs started 10, run to the end 2" in printed
    assert "0.40 s alone, 1.50 s during the storm" in printed and "7.50 s" in printed


def test_a_stormer_without_a_result_is_not_healthy():
    assert not StormerReport(values_sent=3).healthy
    assert math.isnan(StormerReport().settle_seconds)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stormers": MAX_STORMERS + 1}, "stormers"),
        ({"stormers": 0}, "stormers"),
        ({"interval": 0}, "interval"),
        ({"timeout": 10_000}, "timeout"),
    ],
)
def test_the_storm_is_bounded(options, message):
    settings = {"stormers": 2, "page": "", "key": "k", "values": "1:2"} | options
    with pytest.raises(ValueError, match=message):
        run_storm("http://127.0.0.1:9", **settings)


def test_the_storm_refuses_a_remote_server_before_connecting():
    with pytest.raises(ValueError, match="loopback"):
        run_storm("http://192.0.2.1:8501", stormers=1, page="", key="k", values="1:2")


def test_fresh_starts_refuse_a_running_server(capsys):
    with pytest.raises(SystemExit):
        load_main(["--fresh-starts", "2", "--url", "http://127.0.0.1:8501"])
    assert "--fresh-starts" in capsys.readouterr().err


def _message(kind: str, **fields) -> ForwardMsg:
    message = ForwardMsg()
    if kind == "new_session":
        message.new_session.name = "run"
    elif kind == "script_finished":
        message.script_finished = fields.get("status", ForwardMsg.FINISHED_SUCCESSFULLY)
    elif kind == "session_status_changed":
        message.session_status_changed.run_on_save = fields.get("run_on_save", False)
        message.session_status_changed.script_is_running = fields.get("running", False)
    return message


def _feed(watch: SettleWatch, events) -> None:
    for at, kind, fields in events:
        watch.see(kind, _message(kind, **fields), at)


def test_the_marker_turns_run_on_save_on_and_only_its_answer_counts():
    assert taken_in_marker().set_run_on_save is True
    assert is_marker_answer(
        "session_status_changed", _message("session_status_changed", run_on_save=True)
    )
    assert not is_marker_answer("session_status_changed", _message("session_status_changed"))
    assert not is_marker_answer("script_finished", _message("script_finished"))


def test_the_result_is_the_first_run_finished_after_the_answer():
    watch = SettleWatch(quiet=2.0)
    watch.start(1.0)
    _feed(
        watch,
        [
            (1.1, "new_session", {}),  # the penultimate value's run, stopped for the last
            (1.2, "session_status_changed", {"run_on_save": True, "running": True}),
            (1.3, "new_session", {}),
            (2.5, "script_finished", {}),
            (3.0, "new_session", {}),
            (4.0, "script_finished", {}),
        ],
    )
    assert watch.result(10.0) == 2.5


def test_a_run_over_before_the_answer_is_the_result_once_nothing_follows_it():
    watch = SettleWatch(quiet=2.0)
    watch.start(1.0)
    _feed(
        watch,
        [
            (1.05, "new_session", {}),
            (1.2, "script_finished", {}),
            (1.3, "session_status_changed", {"run_on_save": True}),
        ],
    )
    assert watch.result(3.29) is None, "the quiet time after the answer has not passed"
    assert watch.result(3.31) == 1.2


def test_a_run_starting_in_the_quiet_time_replaces_the_earlier_finish():
    watch = SettleWatch(quiet=2.0)
    watch.start(1.0)
    _feed(
        watch,
        [
            (1.1, "script_finished", {}),
            (1.2, "session_status_changed", {"run_on_save": True}),
            (1.5, "new_session", {}),
        ],
    )
    assert watch.result(9.0) is None
    watch.see("script_finished", _message("script_finished"), 9.5)
    assert watch.result(9.5) == 9.5


def test_an_earlier_value_finished_before_the_last_was_sent_is_never_the_result():
    watch = SettleWatch(quiet=1.0)
    _feed(watch, [(0.5, "new_session", {}), (0.9, "script_finished", {})])
    watch.start(1.0)
    _feed(watch, [(1.1, "session_status_changed", {"run_on_save": True})])
    assert watch.result(50.0) is None


def test_a_failed_run_is_not_a_result():
    watch = SettleWatch(quiet=1.0)
    watch.start(1.0)
    _feed(
        watch,
        [
            (1.1, "session_status_changed", {"run_on_save": True}),
            (1.2, "new_session", {}),
            (2.0, "script_finished", {"status": ForwardMsg.FINISHED_WITH_COMPILE_ERROR}),
        ],
    )
    assert watch.result(50.0) is None


def test_status_messages_before_the_marker_do_not_count_as_its_answer():
    watch = SettleWatch(quiet=1.0)
    watch.start(1.0)
    _feed(
        watch,
        [
            (1.1, "session_status_changed", {"running": True}),
            (1.2, "script_finished", {}),
        ],
    )
    assert watch.result(50.0) is None


@pytest.mark.parametrize("quiet", [0, -1.0, math.nan])
def test_the_quiet_time_must_be_positive(quiet):
    with pytest.raises(ValueError, match="quiet"):
        SettleWatch(quiet=quiet)


def test_waiting_for_the_result_wakes_when_the_quiet_time_is_over():
    now = time.perf_counter()

    async def scenario() -> float:
        watch = SettleWatch(quiet=0.05)
        watch.start(now)
        _feed(
            watch,
            [
                (now + 0.001, "script_finished", {}),
                (now + 0.002, "session_status_changed", {"run_on_save": True}),
            ],
        )
        return await asyncio.wait_for(watch.settled(), 5)

    assert asyncio.run(scenario()) == now + 0.001
