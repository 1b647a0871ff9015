"""The lecture plan in Chromium: walk the default plan with the keyboard, go back to a demo's
settings, open a shared plan, and a damaged plan link; the plan's tools and editor cut no text
(lecture mode at 1024×768)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_support import (
    SCRIPT_TIMEOUT_MS,
    assert_no_exception,
    press_shortcut,
    rerun,
    wait_for_script,
)
from playwright.sync_api import expect

from nmf_lab.lecture_plan import Demo, Plan, default_plan, demo_link, encode_plan

pytestmark = pytest.mark.e2e


def _press(page, key: str, *, to: int) -> None:
    """Press a shortcut key and wait until the app has moved to demo ``to`` (1-based).

    The button can already show enabled (a page switch mounts the bar's buttons anew, their
    ids carry the page) while its key is not bound yet: :func:`press_shortcut` presses until
    the handler takes the key, and never again once it has (a slow answer, not a lost key, is
    what a fixed wait for the URL used to mistake for a miss). The move then shows in the URL
    (``demo=<to>``).
    """
    label = {"PageDown": "Next", "PageUp": "Previous"}[key]
    expect(_bar(page).get_by_role("button", name=label)).to_be_enabled()
    press_shortcut(page, key)
    moved = f"() => new URLSearchParams(window.location.search).get('demo') === '{to}'"
    page.wait_for_function(moved, timeout=SCRIPT_TIMEOUT_MS, polling=100)


def _bar(page):
    return page.locator(".st-key-lp_bar")


def _slider(page, key: str):
    return page.locator(f".st-key-{key}").get_by_role("slider")


def _on_demo(page, plan: Plan, number: int, path: str) -> None:
    """The bar names demo ``number`` (1-based) and the page at ``path`` is drawn, finished."""
    demo = plan.demos[number - 1]
    expect(_bar(page)).to_contain_text(f"Demo {number} of {len(plan)}: {demo.title}")
    expect(page).to_have_url(re.compile(rf"/{re.escape(path)}\?.*demo={number}(&|$)"))
    wait_for_script(page, SCRIPT_TIMEOUT_MS)
    assert_no_exception(page)


def test_default_plan_with_the_keyboard_and_back_to_the_demo(app_server, page):
    plan = default_plan()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(app_server + demo_link(plan.demos[0], index=0, plan_token=None))
    _on_demo(page, plan, 1, "change-of-basis")
    expect(_slider(page, "cob_p2")).to_have_value("2.5")
    expect(_bar(page)).to_contain_text(plan.demos[0].talking_point)

    _press(page, "PageDown", to=2)
    _on_demo(page, plan, 2, "")
    expect(page.get_by_role("heading", name="NMF Lab", exact=True)).to_be_visible()
    expect(_slider(page, "home_rank")).to_have_value("2")

    _press(page, "PageDown", to=3)
    _on_demo(page, plan, 3, "point-clouds")
    expect(page.locator(".st-key-pc_dim")).to_contain_text("3-D")
    expect(_slider(page, "pc_noise")).to_have_value("0.05")
    expect(page).to_have_url(re.compile(r"pc_dim=3-D"))

    _press(page, "PageUp", to=2)
    _on_demo(page, plan, 2, "")
    expect(_slider(page, "home_rank")).to_have_value("2")
    back = page.get_by_role("button", name="Back to this demo's settings")
    expect(back).to_be_disabled()

    # Play with a control, then go back: the demo's value returns (same page, so the move
    # goes through another page and must still restore it).
    rank = _slider(page, "home_rank")
    rank.focus()
    rank.press("ArrowRight")
    expect(rank).to_have_value("3")
    # Enabled once the server has run with rank 3 (the page no longer shows the demo). The URL
    # is not checked here: after the lecture's page switches Streamlit's frontend may not
    # write the slider's key back to the address bar.
    expect(back).to_be_enabled()
    back.click()
    expect(page).to_have_url(re.compile(r"home_rank=2"))
    _on_demo(page, plan, 2, "")
    expect(_slider(page, "home_rank")).to_have_value("2")
    expect(back).to_be_disabled()


def test_a_shared_plan_link_walks_and_a_damaged_one_says_so(app_server, page):
    plan = Plan(
        "Two demos",
        (
            Demo("change-of-basis", {"cob_n": "10"}, "Ten points", "A small cloud first."),
            Demo("start", {"home_rank": "1"}, "Rank one", "One layer cannot hold X."),
        ),
    )
    token = encode_plan(plan)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(app_server + demo_link(plan.demos[0], index=0, plan_token=token))
    _on_demo(page, plan, 1, "change-of-basis")
    expect(_slider(page, "cob_n")).to_have_value("10")
    expect(_bar(page)).to_contain_text("A small cloud first.")
    _press(page, "PageDown", to=2)
    _on_demo(page, plan, 2, "")
    expect(_slider(page, "home_rank")).to_have_value("1")
    expect(page).to_have_url(re.compile(rf"plan={re.escape(token)}"))
    expect(_bar(page).get_by_role("button", name="Next")).to_be_disabled()

    page.goto(f"{app_server}/?lecture=true&plan=1.not-a-plan")
    wait_for_script(page, SCRIPT_TIMEOUT_MS)
    expect(page.get_by_text("Could not open this lecture plan")).to_be_visible()
    # Home is not demo 1's page: the bar says the page on screen is off the plan.
    expect(_bar(page)).to_contain_text(f"Off the plan. Demo 1 of {len(default_plan())}")
    assert_no_exception(page)


def test_the_share_link_shown_on_a_deep_page_opens_demo_1(app_server, page):
    """The sidebar's share link, read where a lecturer reads it (on some page deep in the app),
    opens the plan's first demo; it was built from the page's own address once, and
    ``/sounds/change-of-basis`` opened nothing."""
    plan = default_plan()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_server}/sounds?lecture=true")
    wait_for_script(page, SCRIPT_TIMEOUT_MS)
    link = page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').inner_text().strip()
    assert link.startswith(f"{app_server}/{plan.demos[0].url_path}?"), link
    page.goto(link)
    _on_demo(page, plan, 1, plan.demos[0].url_path)


_CUT_TEXT = (Path(__file__).parent / "js" / "cut_text.js").read_text()
_NO_SKELETON = "() => !document.querySelector('[data-testid=\"stSkeleton\"]')"


def test_the_plan_tools_and_editor_cut_no_text_in_lecture_mode(app_server, page):
    """In lecture mode the sidebar's plan tools are open: no label there may read as cut (the
    edit button's label ended in "…"), and the editor shows every talking point whole (one-line
    inputs cut them)."""
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_server}/point-clouds?lecture=true")
    wait_for_script(page, SCRIPT_TIMEOUT_MS)
    page.wait_for_function(_NO_SKELETON, timeout=SCRIPT_TIMEOUT_MS, polling=100)
    edit = page.locator(".st-key-lp_edit button")
    expect(edit).to_be_visible()
    assert page.evaluate(_CUT_TEXT, 4) == []
    with rerun(page):
        edit.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Talking point").first).to_be_visible()
    page.wait_for_function(_NO_SKELETON, timeout=SCRIPT_TIMEOUT_MS, polling=100)
    points = dialog.locator("textarea")
    expect(points).to_have_count(len(default_plan()))
    assert page.evaluate(_CUT_TEXT, 4) == []
    assert_no_exception(page)
