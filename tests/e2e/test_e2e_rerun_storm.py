"""A small rerun storm, run for real (loopback): a smoke test, not a timing.

Three sessions drag Point clouds' rank slider a value every 50 ms while a bystander opens Home.
Point clouds' runs are short and its values soon cached, so a stormer's last run is often over
before the server's answer to the stormer's marker arrives: each must still get the result of
its last value. No page fails, and the runs the drag started are mostly stopped for the newer
value rather than run to the end.
"""

from __future__ import annotations

import pytest

from benchmarks.rerun_storm import run_storm

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("storm", [1, 2])
def test_a_small_storm_gets_every_stormer_its_last_value_and_drops_superseded_runs(
    app_server, storm
):
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
