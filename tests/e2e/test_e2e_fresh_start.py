"""A small fresh start, run for real (loopback): a smoke test, not a timing.

The class meets a just-started server at once (as after a lecturer's restart): nobody gets an
error page or "Page not found".
"""

from __future__ import annotations

import pytest

from benchmarks.class_load import main as load_main

pytestmark = pytest.mark.e2e


def test_a_class_meeting_a_fresh_start_sees_no_error(capsys):
    assert load_main(["--fresh-starts", "1", "--sessions", "6", "--page", "point-clouds"]) == 0
    printed = capsys.readouterr().out
    assert "sessions that failed after a fresh start: 0 of 6" in printed, printed
