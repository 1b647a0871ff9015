"""Lecture mode on a 1024×768 projector, measured in Chromium: every text a room reads grows.

For every page of the navigation the computed font sizes of each class of text (title, section
headings, body, metric values and labels, widget labels, captions, tabs, tables, and the plot
text: titles, axis titles, ticks, annotations, legends, colour bars, point labels, of every
axis of every subplot and 3-D scene) are read at its default view, once in normal mode and once
with lecture mode on. Page text must grow clearly, plot text about twofold in every chart (it is
read from further away), headings must stay larger than body text, and in
either mode nothing may be cut at 1024×768 (a projector, or a small laptop): no ellipsis or
hidden overflow in a label, metric, heading, button or formula, no text outside the page's
column, no plot text outside its figure, no tick labels on top of each other (log axes label
every digit unless told otherwise), no sideways scroll.

The style sheet that does it is ``app_pages/_projector.py``; plot text is enlarged by
``nmf_lab.figures.style.for_projector``. AppTest cannot see any of this: it has no CSS.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from e2e_support import PLOT_TIMEOUT_MS, app_pages, assert_no_exception, wait_for_script

pytestmark = pytest.mark.e2e

PAGES = app_pages()
JS = Path(__file__).parent / "js"
PROJECTOR = {"width": 1024, "height": 768}
# Page text grows by the root font size (16 -> 20 px) at least; small print a little more.
PAGE_TEXT_GROWTH = 1.2
# Plot text is set to twice its size; a few per cent are lost to rounding and wrapping.
PLOT_TEXT_GROWTH = 1.8
# KaTeX and plotly overhang their boxes by a pixel or two by design; more than this is a cut.
OVERHANG_PX = 4

PAGE_TEXT = (
    "title",
    "heading",
    "body",
    "metric_value",
    "metric_label",
    "widget_label",
    "caption",
    "tab",
    "table",
)
PLOT_TEXT = ("plot_title", "axis_title", "tick", "annotation", "legend", "colorbar", "point_label")
# Every page has these in both modes, so the comparison cannot pass on an empty page.
ALWAYS_PRESENT = ("title", "heading", "body", "widget_label")

_PLOTS_DRAWN = (JS / "plots_drawn.js").read_text()

_FONT_SIZES = (JS / "font_sizes.js").read_text()

_CUT_TEXT = (JS / "cut_text.js").read_text()

_CROWDED_TEXT = (JS / "crowded_text.js").read_text()


def _open(browser, base_url: str, url_path: str, *, lecture: bool):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.goto(f"{base_url}/{url_path}" + ("?lecture=true" if lecture else ""))
    wait_for_script(page)
    assert_no_exception(page)
    page.wait_for_function(_PLOTS_DRAWN, timeout=PLOT_TIMEOUT_MS, polling=200)
    return context, page


def _summary(sizes: dict[str, list[float]]) -> str:
    return ", ".join(
        f"{role} {statistics.median(sizes[role]):.0f}"
        for role in (*PAGE_TEXT, *PLOT_TEXT)
        if sizes[role]
    )


@pytest.mark.parametrize("app_page", PAGES, ids=[p["url_path"] or "root" for p in PAGES])
def test_lecture_mode_enlarges_every_text_and_cuts_none(app_page, app_server, browser):
    measured, cut = {}, {}
    for lecture in (False, True):
        context, page = _open(browser, app_server, app_page["url_path"], lecture=lecture)
        try:
            measured[lecture] = page.evaluate(_FONT_SIZES)
            cut[lecture] = page.evaluate(_CUT_TEXT, OVERHANG_PX) + page.evaluate(_CROWDED_TEXT, 1)
        finally:
            context.close()
    normal, big = measured[False], measured[True]
    where = f"{app_page['title']}: normal {_summary(normal)} | lecture {_summary(big)}"

    for role in ALWAYS_PRESENT:
        assert normal[role] and big[role], f"{where}: no {role} text measured"
    assert any(normal[role] and big[role] for role in PLOT_TEXT), f"{where}: no plot text"

    for role in PAGE_TEXT:
        if normal[role] and big[role]:
            # The smallest text of a role is what the back row fails to read first.
            assert min(big[role]) >= PAGE_TEXT_GROWTH * min(normal[role]), f"{where}: {role}"
            assert statistics.median(big[role]) >= PAGE_TEXT_GROWTH * statistics.median(
                normal[role]
            ), f"{where}: {role}"
    # Plot text chart by chart, over every axis of every subplot, colour bar and 3-D scene: a
    # chart whose second panel kept its normal size would hide behind a page-wide minimum.
    assert len(big["charts"]) == len(normal["charts"]), f"{where}: not the same charts"
    for number, (small, large) in enumerate(
        zip(normal["charts"], big["charts"], strict=True), start=1
    ):
        for role in PLOT_TEXT:
            if not small[role]:
                continue
            assert large[role], f"{where}: chart {number} has no {role} text in lecture mode"
            assert min(large[role]) >= PLOT_TEXT_GROWTH * min(small[role]), (
                f"{where}: chart {number}, {role}: {sorted(set(small[role]))} px in normal mode, "
                f"{sorted(set(large[role]))} px in lecture mode"
            )

    # The hierarchy survives: title over headings over body text.
    body = statistics.median(big["body"])
    assert min(big["heading"]) > body, f"{where}: a heading is no larger than the body text"
    assert min(big["title"]) >= max(big["heading"]), f"{where}: a heading outgrows the title"
    for lecture, mode in ((False, "normal mode"), (True, "lecture mode")):
        assert not cut[lecture], f"{app_page['title']} in {mode} at 1024×768:\n" + "\n".join(
            cut[lecture]
        )
