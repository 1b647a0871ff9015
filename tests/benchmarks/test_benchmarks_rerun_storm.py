"""The rerun-storm client without a server: what it sends, how it counts, what it refuses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.class_load import main as load_main
from benchmarks.rerun_storm import (
    MAX_STORMERS,
    StormerReport,
    drag_values,
    format_summary,
    run_storm,
    slider_id,
    slider_rerun,
    summarize,
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
