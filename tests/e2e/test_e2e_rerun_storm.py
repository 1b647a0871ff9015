"""A small rerun storm and a small fresh start, run for real (loopback): smoke tests, not timings.

Three sessions drag Point clouds' rank slider a value every 50 ms while a bystander opens Home;
each gets the result of its last value, no page fails, and the runs the drag started are mostly
stopped for the newer value rather than run to the end. The fresh start meets a just-started
server with a class at once (as after a lecturer's restart): nobody gets an error page.
"""

from __future__ import annotations

import pytest

from benchmarks.class_load import main as load_main
from benchmarks.rerun_storm import run_storm

pytestmark = pytest.mark.e2e


def test_a_small_storm_gets_every_stormer_its_last_value_and_drops_superseded_runs(app_server):
    summary = run_storm(
        app_server,
        stormers=3,
        page="point-clouds",
        key="pc_rank",
        values="1:3",
        interval=0.05,
        bystander="",
        timeout=120,
    )
    assert summary.errors == ()
    assert summary.healthy == 3
    assert summary.bystander_healthy
    assert summary.values_sent == 9
    # Each stormer's runs: at least its last one ran to the end, and not every value did.
    assert 3 <= summary.runs_completed < summary.values_sent
    assert summary.runs_started >= summary.runs_completed


def test_a_class_meeting_a_fresh_start_sees_no_error(capsys):
    assert load_main(["--fresh-starts", "1", "--sessions", "6", "--page", "point-clouds"]) == 0
    printed = capsys.readouterr().out
    assert "sessions that failed after a fresh start: 0 of 6" in printed, printed
