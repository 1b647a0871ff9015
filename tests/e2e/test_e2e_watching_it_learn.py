"""'Watching it learn' in a real browser: the animation has its controls, and they work.

The animation runs inside plotly.js (figure frames), so only a browser can show that the play
button and the frame slider exist and move the picture.
"""

from __future__ import annotations

import pytest
from e2e_support import assert_page_healthy, wait_for_script

pytestmark = pytest.mark.e2e

URL_PATH = "watching-it-learn"
# Short runs keep the page fast; 30 iterations give 31 frames (below the cap of 60).
QUERY = "?learn_iters=30&learn_race_iters=10"
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'


# plotly draws the slider's "current value" as the text directly inside the slider group.
CURRENT = CHART + " .slider-group > text.slider-label"


def _current_label(page) -> str:
    return page.locator(CURRENT).first.text_content().strip()


def test_animation_controls_exist_and_play_pause_work(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}{QUERY}")
    wait_for_script(page)
    assert_page_healthy(page)
    chart = page.locator(CHART).first

    # Play / Pause / Resume buttons and a slider with one step per frame.
    buttons = chart.locator(".updatemenu-button")
    labels = [buttons.nth(i).text_content() for i in range(buttons.count())]
    assert any("Play" in label for label in labels), labels
    assert any("Pause" in label for label in labels), labels
    assert chart.locator(".slider-container").count() == 1
    n_steps = chart.evaluate("gd => gd.layout.sliders[0].steps.length")
    n_frames = chart.evaluate("gd => gd._transitionData._frames.length")
    assert n_steps == n_frames == 31
    # The figure opens on the finished run.
    assert _current_label(page) == "iteration 30"

    # Play replays from the start: the slider leaves the last frame.
    buttons.filter(has_text="Play").first.click()
    page.wait_for_function(
        """sel => {
            const label = document.querySelector(sel);
            return label && label.textContent.trim() !== 'iteration 30';
        }""",
        arg=CURRENT,
        timeout=15_000,
    )
    # Pause holds the current frame.
    buttons.filter(has_text="Pause").first.click()
    page.wait_for_timeout(400)
    held = _current_label(page)
    page.wait_for_timeout(800)
    assert _current_label(page) == held


def test_slider_steps_to_a_frame(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}{QUERY}")
    wait_for_script(page)
    chart = page.locator(CHART).first
    # A click at the left end of the slider's rail jumps to the first frame (iteration 0).
    rail = chart.locator(".slider-rail-touch-rect").first
    rail.click(position={"x": 3, "y": 5})
    page.wait_for_function(
        "sel => document.querySelector(sel).textContent.trim() === 'iteration 0'",
        arg=CURRENT,
        timeout=15_000,
    )
    page.wait_for_timeout(300)
    # The loss curve now holds the start only; the marker sits at iteration 0.
    points = chart.evaluate("gd => gd._fullData[0].y.length")
    marker_x = chart.evaluate("gd => gd._fullData[1].x[0]")
    assert (points, marker_x) == (1, 0)
