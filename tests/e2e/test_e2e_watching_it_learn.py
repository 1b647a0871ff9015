"""'Watching it learn' in a real browser: the animation has its controls, and they work.

The animation runs inside plotly.js (figure frames), so only a browser can show that the play
button and the frame slider exist and move the picture.
"""

from __future__ import annotations

import pytest
from e2e_support import PLOT_TIMEOUT_MS, assert_page_healthy, wait_for_script
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "watching-it-learn"
# Short runs keep the page fast; 30 iterations give 31 frames (below the cap of 60). At the
# slow speed a replay lasts 31 × 250 ms, so a Pause clicked right after Play lands well before
# the last frame even on a busy machine.
QUERY = "?learn_iters=30&learn_race_iters=10&learn_speed=slow"
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'


# plotly draws the slider's "current value" as the text directly inside the slider group.
CURRENT = CHART + " .slider-group > text.slider-label"
# Frames are registered with the figure by plotly.js; the slider has one step per frame.
FRAMES_READY = """gd => gd._transitionData && gd._transitionData._frames
    && gd.layout.sliders && gd._transitionData._frames.length === gd.layout.sliders[0].steps.length
"""
# True once the slider label has not changed for `ms` milliseconds (the animation has stopped).
LABEL_STILL = """([sel, ms]) => {
    const label = document.querySelector(sel);
    if (!label) { return false; }
    const text = label.textContent.trim();
    if (window.__label !== text) { window.__label = text; window.__labelSince = performance.now(); }
    return performance.now() - window.__labelSince > ms;
}"""


def _current_label(page) -> str:
    return page.locator(CURRENT).first.text_content().strip()


def _drawn_chart(page):
    """The animated chart once plotly has drawn it: the script finishing is not enough, the
    update-menu buttons and the slider are drawn by plotly.js in the browser afterwards."""
    wait_for_script(page)
    assert_page_healthy(page)
    chart = page.locator(CHART).first
    expect(chart.locator(".updatemenu-button").filter(has_text="Play")).to_be_visible()
    expect(chart.locator(".slider-container")).to_have_count(1)
    expect(page.locator(CURRENT).first).to_be_visible()
    page.wait_for_function(FRAMES_READY, arg=chart.element_handle(), timeout=PLOT_TIMEOUT_MS)
    return chart


def test_animation_controls_exist_and_play_pause_work(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}{QUERY}")
    chart = _drawn_chart(page)

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
    expect(page.locator(CURRENT).first).to_have_text("iteration 30")

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
    # Pause holds the current frame: the label stops before the last frame, and stays.
    buttons.filter(has_text="Pause").first.click()
    page.wait_for_function(LABEL_STILL, arg=[CURRENT, 400], timeout=15_000)
    held = _current_label(page)
    assert held != "iteration 30", "the replay ran to the end: Pause did not stop it"
    page.wait_for_timeout(800)
    assert _current_label(page) == held


def test_slider_steps_to_a_frame(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}{QUERY}")
    chart = _drawn_chart(page)
    # A click at the left end of the slider's rail jumps to the first frame (iteration 0).
    rail = chart.locator(".slider-rail-touch-rect").first
    rail.click(position={"x": 3, "y": 5})
    expect(page.locator(CURRENT).first).to_have_text("iteration 0", timeout=15_000)
    # The loss curve now holds the start only; the marker sits at iteration 0. plotly updates
    # the label and the traces in separate steps, so wait for the traces too.
    page.wait_for_function(
        "gd => gd._fullData[0].y.length === 1 && gd._fullData[1].x[0] === 0",
        arg=chart.element_handle(),
        timeout=15_000,
    )
    points = chart.evaluate("gd => gd._fullData[0].y.length")
    marker_x = chart.evaluate("gd => gd._fullData[1].x[0]")
    assert (points, marker_x) == (1, 0)
