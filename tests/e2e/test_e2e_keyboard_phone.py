"""Operable without a mouse, readable on a phone, in a real browser.

- "Watching it learn": the keyboard alone (a presenter's clicker: Space, arrows, Home/End)
  plays, pauses and steps the animation, the controls are reached with Tab, and the frame
  shown draws the loss up to its iteration. The play/step controls are Streamlit buttons with
  shortcuts, so only a browser shows that the keys reach them.
- At 390×844 the sidebar starts closed and the main column has the width; subplot titles do
  not overlap and pictures are not shrunk to thumbnails. At 1440×900 the sidebar is open.
- At 390×844 Images stacks its pictures (each figure of one picture in a page column, which a
  phone stacks): every picture keeps at least 260 of the column's 358 pixels, the three
  reconstructions and the four factor strips at least 300 (as panels of one figure they were
  65-175 and 217-223 pixels), a layer's tile at least 70 (ten in a row were 28 each), and a
  face's two coefficient charts are a figure each, as wide as the pictures. A tap on the
  toolbar's camera still downloads the PNG.
- At 390×844 the pages with the widest plot text (Stains' triangle, Texts' word bars, Images'
  picture rows) show every figure their checkpoints hold back and cut none of it: the
  lecture test's checks (``js/cut_text.js``: no plot text outside its figure, no formula
  wider than the column...; ``js/crowded_text.js``: no tick or point labels on top of each
  other or on a neighbouring panel, no colour-bar label on a panel), no overlapping subplot
  titles, and no button of plotly's toolbar on a title (``js/modebar_overlaps.js``: a touch
  screen shows the toolbar all the time).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_support import (
    PLOT_TIMEOUT_MS,
    answer_checkpoint,
    assert_page_healthy,
    press_shortcut,
    wait_for_script,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "watching-it-learn"
# 30 iterations give 31 frames; at the slow speed a replay takes at least 31 × 250 ms, so a
# pause pressed as soon as the frames move lands well before the end.
QUERY = "?learn_iters=30&learn_race_iters=10&learn_speed=slow"
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'

FRAME_NUMBER = """() => {
    const strong = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] strong')]
        .map(e => e.textContent).find(t => t.startsWith('Frame '));
    return strong ? parseInt(strong.split(' ')[1], 10) : null;
}"""
# True once the frame shown has not changed for `ms` milliseconds.
FRAME_STILL = (
    """(ms) => {
    const frame = ("""
    + FRAME_NUMBER
    + """)();
    if (frame === null) { return false; }
    if (window.__frame !== frame) {
        window.__frame = frame;
        window.__frameSince = performance.now();
    }
    return performance.now() - window.__frameSince > ms;
}"""
)
# The loss curve (first trace of the first chart) holds one point per iteration up to the
# frame's iteration, and its marker sits at that iteration.
CURVE_AT = """(iteration) => {
    const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return !!(gd && gd._fullData && gd._fullData.length >= 2
        && gd._fullData[0].y.length === iteration + 1 && gd._fullData[1].x[0] === iteration);
}"""


def _frame(page) -> int | None:
    return page.evaluate(FRAME_NUMBER)


def _wait_frame(page, frame: int) -> None:
    page.wait_for_function(f"() => ({FRAME_NUMBER})() === {frame}", timeout=PLOT_TIMEOUT_MS)


def _wait_step(page, frame: int) -> None:
    """The player shows ``frame``, the loss curve is drawn up to it, and the run has ended."""
    _wait_frame(page, frame)
    page.wait_for_function(CURVE_AT, arg=frame - 1, timeout=PLOT_TIMEOUT_MS)
    wait_for_script(page)


def _sidebar_box(page) -> dict:
    return page.locator('[data-testid="stSidebar"]').bounding_box() or {"x": -1, "width": 0}


def test_keyboard_alone_plays_pauses_and_steps(app_server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_server}/{URL_PATH}{QUERY}")
        wait_for_script(page)
        assert_page_healthy(page)
        # A wide screen opens with the sidebar.
        sidebar = _sidebar_box(page)
        assert sidebar["x"] >= 0 and sidebar["width"] > 200, sidebar
        # Opens on the finished run.
        _wait_frame(page, 31)
        page.wait_for_function(CURVE_AT, arg=30, timeout=PLOT_TIMEOUT_MS)

        # Home and End jump, the arrows step; the loss curve follows the frame shown. Each key
        # is pressed until the player's shortcut handler takes it: the page can show its frame
        # and its loss curve before Streamlit's lazily loaded button code has drawn the
        # player's buttons and bound their keys (a Home lost that way waited 90 s for a run).
        # Each step is waited for by the frame it shows, then by the end of its run: a fast
        # run can start and finish between two of the page's redraws, and a wait for the app
        # to leave "notRunning" (``rerun``) then waits for ever (seen after Enter on Next).
        press_shortcut(page, "Home")
        _wait_step(page, 1)
        press_shortcut(page, "ArrowRight")
        _wait_step(page, 2)
        press_shortcut(page, "ArrowLeft")
        _wait_step(page, 1)

        # Tab reaches the controls: focus lands on the Next button, Enter presses it.
        next_button = page.get_by_role("button", name=re.compile(r"^Next"))
        for _ in range(40):
            page.keyboard.press("Tab")
            if next_button.evaluate("b => b === document.activeElement"):
                break
        else:
            raise AssertionError("Tab never reached the Next button")
        page.keyboard.press("Enter")
        _wait_step(page, 2)
        # A clicker's keys go to the page, not to a focused button.
        page.evaluate("() => document.activeElement && document.activeElement.blur()")

        # Space plays: the frames move on by themselves.
        press_shortcut(page, "Space")
        page.wait_for_function(f"() => ({FRAME_NUMBER})() >= 4", timeout=PLOT_TIMEOUT_MS)
        expect(page.get_by_role("button", name=re.compile(r"^Pause"))).to_have_count(1)
        # Space again pauses: the label turns to Resume and the frame stops changing.
        press_shortcut(page, "Space")
        expect(page.get_by_role("button", name=re.compile(r"^Pause"))).to_have_count(
            0, timeout=2 * PLOT_TIMEOUT_MS
        )
        page.wait_for_function(FRAME_STILL, arg=1500, timeout=PLOT_TIMEOUT_MS)
        held = _frame(page)
        # A key pressed during a step lands on that step or the one before: within a frame.
        assert 3 <= held < 31, f"held on frame {held}: Space did not pause the replay"
        page.wait_for_function(CURVE_AT, arg=held - 1, timeout=PLOT_TIMEOUT_MS)
        wait_for_script(page)
        assert _frame(page) == held
    finally:
        context.close()


def _title_overlaps(page) -> list[str]:
    """Pairs of overlapping subplot-title boxes, per chart (empty when none overlap)."""
    return page.evaluate(
        """(sel) => {
        const found = [];
        document.querySelectorAll(sel).forEach((gd, index) => {
            const boxes = [...gd.querySelectorAll('.annotation-text, .g-gtitle text')]
                .map(t => ({text: t.textContent, box: t.getBoundingClientRect()}))
                .filter(t => t.box.width > 0 && t.text.trim());
            for (let a = 0; a < boxes.length; a++) {
                for (let b = a + 1; b < boxes.length; b++) {
                    const A = boxes[a].box, B = boxes[b].box;
                    const apart = A.right <= B.left || B.right <= A.left
                        || A.bottom <= B.top || B.bottom <= A.top;
                    if (!apart) {
                        found.push(`chart ${index}: "${boxes[a].text}" / "${boxes[b].text}"`);
                    }
                }
            }
        });
        return found;
    }""",
        CHART,
    )


def _picture_widths(page) -> list[int]:
    """Widths of the pictures (image traces and heatmaps) drawn in the charts, in pixels."""
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(`${sel} .imagelayer image, ${sel} .hm image`)]
            .map(e => Math.round(e.getBoundingClientRect().width)).filter(w => w > 0)""",
        CHART,
    )


@pytest.mark.parametrize("url_path", [URL_PATH])
def test_phone_starts_without_the_sidebar_and_fits_its_pictures(app_server, browser, url_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{app_server}/{url_path}")
        wait_for_script(page)
        assert_page_healthy(page)
        sidebar = _sidebar_box(page)
        assert sidebar["x"] + sidebar["width"] <= 0 or sidebar["width"] == 0, sidebar
        main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
        assert main["width"] >= 350, main
        page.locator(CHART).last.wait_for(state="attached", timeout=PLOT_TIMEOUT_MS)
        page.wait_for_function(
            "sel => [...document.querySelectorAll(sel)].every(gd => gd._fullLayout)",
            arg=CHART,
            timeout=PLOT_TIMEOUT_MS,
        )
        assert _title_overlaps(page) == []
        widths = _picture_widths(page)
        assert widths, "no pictures drawn"
        assert min(widths) >= 150, widths
    finally:
        context.close()


JS = Path(__file__).parent / "js"
PHONE = {"width": 390, "height": 844}
# The figures these checkpoints hold back are the ones with the most plot text.
PHONE_PAGES = {
    "stains": ("stains_pair", "stains_absorbs"),
    "texts": ("texts_one_each", "texts_purity_rank", "texts_lsa_signs"),
    "factor-an-image": (),
}


@pytest.mark.parametrize("url_path", list(PHONE_PAGES))
def test_phone_cuts_no_plot_text(app_server, browser, url_path):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{app_server}/{url_path}")
        wait_for_script(page)
        assert_page_healthy(page)
        for key in PHONE_PAGES[url_path]:
            answer_checkpoint(page, key)
        page.wait_for_function(
            (JS / "plots_drawn.js").read_text(), timeout=PLOT_TIMEOUT_MS, polling=200
        )
        found = page.evaluate((JS / "cut_text.js").read_text(), 4)
        found += page.evaluate((JS / "crowded_text.js").read_text(), 1)
        found += [f"subplot titles overlap: {pair}" for pair in _title_overlaps(page)]
        found += page.evaluate((JS / "modebar_overlaps.js").read_text())
        assert not found, f"{url_path} at 390×844:\n" + "\n".join(found)
    finally:
        context.close()


def _pictures_per_chart(page) -> list[dict]:
    """Per shown chart of the main area: its element key, its pictures' widths, its plot areas'
    widths (pixels) and its most labels in one row (tick labels and annotations, by height)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                '[data-testid="stMain"] [data-testid="stPlotlyChart"]')]
            .filter((chart) => chart.getBoundingClientRect().width > 0)
            .map((chart) => {
                const rows = new Map();
                for (const label of chart.querySelectorAll('.xtick text, .annotation-text')) {
                    const box = label.getBoundingClientRect();
                    if (!box.width || !label.textContent.trim()) { continue; }
                    const row = Math.round(box.top / 4);
                    rows.set(row, (rows.get(row) || 0) + 1);
                }
                return {
                    key: [...chart.closest('[data-testid="stElementContainer"]').classList]
                        .find((name) => name.startsWith('st-key-')),
                    widths: [...chart.querySelectorAll('.imagelayer image, .hm image')]
                        .map((image) => Math.round(image.getBoundingClientRect().width))
                        .filter((width) => width > 0),
                    plots: [...chart.querySelectorAll('.nsewdrag')]
                        .map((area) => Math.round(area.getBoundingClientRect().width)),
                    per_row: Math.max(0, ...rows.values()),
                };
            })"""
    )


def test_phone_stacks_images_pictures_to_the_column_width(app_server, browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{app_server}/factor-an-image")
        wait_for_script(page)
        assert_page_healthy(page)
        page.wait_for_function(
            (JS / "plots_drawn.js").read_text(), timeout=PLOT_TIMEOUT_MS, polling=200
        )
        shown = _pictures_per_chart(page)
        charts = [chart for chart in shown if chart["widths"]]
        assert len(charts) >= 8, charts
        narrow = [chart for chart in charts if min(chart["widths"]) < 260]
        assert not narrow, f"pictures narrower than 260 px at 390×844: {narrow}"
        # The picture and its two reconstructions come first.
        photos = [min(chart["widths"]) for chart in charts[:3]]
        assert min(photos) >= 300, charts[:3]
        by_key = {chart["key"]: chart for chart in shown}
        strips = ("fig_factors", "fig_factors_svd", "fig_profiles", "fig_profiles_svd")
        missing = [key for key in strips if f"st-key-{key}" not in by_key]
        assert not missing, f"no figure of its own for {missing}: {list(by_key)}"
        for key in strips:
            assert min(by_key[f"st-key-{key}"]["widths"]) >= 300, by_key[f"st-key-{key}"]
        # A layer's tile: the picture's width over the most tile labels in a row.
        for key in ("fig_layers", "fig_layers_svd"):
            layers = by_key.get(f"st-key-{key}")
            assert layers and layers["per_row"] >= 1, (key, layers)
            tile = min(layers["widths"]) / layers["per_row"]
            assert tile >= 70, f"{key}: tiles of {tile:.0f} px ({layers})"
        # A face's coefficients: NMF's and PCA's bars, a figure of one plot each.
        for key in ("fig_coeffs", "fig_coeffs_pca"):
            bars = by_key.get(f"st-key-{key}")
            assert bars and len(bars["plots"]) == 1 and bars["plots"][0] >= 280, (key, bars)
        # Plotly's toolbar, above the figure on a touch screen, still exports the PNG.
        export = page.locator('.st-key-fig_recon_nmf [data-title="Download plot as a PNG"]')
        with page.expect_download(timeout=PLOT_TIMEOUT_MS) as download:
            export.tap()
        assert download.value.suggested_filename.endswith(".png")
    finally:
        context.close()
