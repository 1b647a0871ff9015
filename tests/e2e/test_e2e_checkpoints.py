"""Predict, then check, in a real browser: answer a checkpoint with the mouse and with the
keyboard, see the verdict and the live explanation, count it in the sidebar, try again."""

from __future__ import annotations

import pytest
from e2e_support import assert_no_exception, rerun, wait_for_script
from playwright.sync_api import expect

from nmf_lab.lessons.home import noise_checkpoint, rank_drop_checkpoint

pytestmark = pytest.mark.e2e


def _sidebar_count(page):
    return page.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary').filter(
        has_text="Checkpoints:"
    )


def test_a_checkpoint_is_answered_judged_counted_and_reset(app_server, page):
    page.goto(f"{app_server}/")
    wait_for_script(page)
    expected = rank_drop_checkpoint(0.0, 0)
    box = page.locator(".st-key-checkpoint_home_rank_drop")
    box.scroll_into_view_if_needed()
    expect(box.get_by_text("Predict, then check.")).to_be_visible()
    expect(_sidebar_count(page)).to_contain_text("0 of")
    wrong = next(label for label in expected.labels if label != expected.right_label)
    with rerun(page):
        box.get_by_text(wrong, exact=True).click()
    assert_no_exception(page)
    expect(box.get_by_text("Not quite.")).to_be_visible()
    expect(box).to_contain_text(expected.verdict(wrong)[1])
    expect(box).to_contain_text(f"The answer is {expected.right_label}")
    expect(box.get_by_role("radiogroup")).to_have_count(0)
    expect(_sidebar_count(page)).to_contain_text("1 of")
    with rerun(page):
        box.get_by_role("button", name="Try again").click()
    expect(box.get_by_role("radiogroup")).to_have_count(1)
    expect(_sidebar_count(page)).to_contain_text("0 of")


def test_a_checkpoint_can_be_answered_with_the_keyboard(app_server, page):
    page.goto(f"{app_server}/")
    wait_for_script(page)
    expected = noise_checkpoint(0)
    box = page.locator(".st-key-checkpoint_home_noise")
    box.scroll_into_view_if_needed()
    first = box.get_by_role("radio").first
    first.focus()
    expect(first).to_be_focused()
    # Arrow keys move the choice in a radio group; the second answer is the right one here.
    assert expected.labels.index(expected.right_label) == 1
    with rerun(page):
        page.keyboard.press("ArrowDown")
    expect(box.get_by_text("Right.")).to_be_visible()
    expect(box).to_contain_text(f"Your prediction: {expected.right_label}")
