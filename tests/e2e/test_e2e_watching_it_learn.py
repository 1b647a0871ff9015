"""Watching it learn, in a real browser: predict which start is lower, then check it."""

from __future__ import annotations

import pytest
from e2e_support import assert_no_exception, assert_page_healthy, rerun, wait_for_script
from playwright.sync_api import expect

from nmf_lab.demo_data import learning_data
from nmf_lab.lessons.watching_it_learn import start_checkpoint, start_comparison

pytestmark = pytest.mark.e2e

URL_PATH = "watching-it-learn"


def test_the_start_checkpoint_is_answered_and_then_checked_on_the_metric(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?learn_iters=20&learn_race_iters=10")
    wait_for_script(page)
    assert_page_healthy(page)
    expected = start_checkpoint(start_comparison(learning_data("faces").X, 6, seed=0), 6)
    box = page.locator(".st-key-checkpoint_learn_start")
    box.scroll_into_view_if_needed()
    expect(box.get_by_text("Predict, then check.")).to_be_visible()
    with rerun(page):
        box.get_by_text(expected.right_label, exact=True).click()
    assert_no_exception(page)
    expect(box.get_by_text("Right.")).to_be_visible()
    expect(box).to_contain_text(expected.verdict(expected.right_label)[1])
    # The ALS question waits for its own answer, further down.
    als = page.locator(".st-key-checkpoint_learn_als_rise")
    expect(als.get_by_role("radiogroup")).to_have_count(1)
