"""The "Choosing r and penalties" page in a real browser: its three lazy tabs and a CSV upload."""

from __future__ import annotations

import pytest
from e2e_support import (
    answer_checkpoint,
    assert_no_exception,
    assert_page_healthy,
    rerun,
    wait_for_script,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "choosing-r"


def test_tabs_run_on_demand_and_reach_the_url(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("The consensus finds the planted rank r = 4.")).to_be_visible()

    with rerun(page):
        main.get_by_role("tab", name="Penalties").click()
    assert_no_exception(page)
    expect(main.get_by_text("L1 and L2 penalties", exact=True)).to_be_visible()
    # The table and figures answer the tab's checkpoint: they wait for an answer.
    expect(main.locator('[data-testid="stTable"]')).to_have_count(0)
    answer_checkpoint(page, "cr_penalty_zeros")
    assert_page_healthy(page)
    expect(main.locator('[data-testid="stTable"]')).to_contain_text("sparseness of W")
    page.wait_for_function("() => window.location.search.includes('part=Penalties')", timeout=5_000)

    with rerun(page):
        main.get_by_role("tab", name="Cost").click()
    assert_page_healthy(page)
    expect(main.get_by_text("At the fitted rate")).to_be_visible()


def test_bookmarked_penalty_view(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?cr_part=Penalties&l1_w=3&cr_pen_r=6")
    wait_for_script(page)
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    answer_checkpoint(page, "cr_penalty_zeros")
    assert_page_healthy(page)
    table = main.locator('[data-testid="stTable"]')
    expect(table).to_contain_text("of 6")
    # The L1 weight on W comes from the link (3, where the default is 1): the select slider
    # shows it, and the link keeps it.
    l1_w = main.locator('[data-testid="stSlider"]').filter(has_text="l1_W")
    expect(l1_w).to_have_count(1)
    expect(l1_w.get_by_role("slider")).to_have_attribute("aria-valuetext", "3")
    expect(l1_w.locator('[data-testid="stSliderThumbValue"]')).to_have_text("3")
    assert "l1_w=3" in page.url, page.url


def test_bad_csv_upload_shows_a_message_and_keeps_the_page(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?cr_source=Upload+a+CSV")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("No usable upload yet")).to_be_visible()
    upload = main.locator('[data-testid="stFileUploaderDropzoneInput"]')
    with rerun(page):
        upload.set_input_files(
            files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"1,2,3\n4,-5,6\n7,8,9\n"}]
        )
    assert_no_exception(page)
    expect(main.locator('[data-testid="stAlertContentError"]')).to_contain_text("negative")
    assert_page_healthy(page)  # the planted data is still shown
