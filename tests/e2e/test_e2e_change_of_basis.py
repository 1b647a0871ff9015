"""The "Change of basis" page in a real browser: a bookmarked singular 3-D basis is explained
on the page, and every figure (3-D scenes included) is still drawn."""

from __future__ import annotations

import pytest
from e2e_support import assert_page_healthy, wait_for_script
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "change-of-basis"


def test_bookmarked_singular_3d_basis_shows_a_message_and_all_figures(app_server, page):
    # Row 2 = 2 × row 1: no unique coordinates. Everything else stays at its default.
    page.goto(f"{app_server}/{URL_PATH}?cob_dim=3-D&cob_b21=2&cob_b22=0.5&cob_b23=0")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(
        main.locator('[data-testid="stAlert"]').filter(has_text="linearly dependent")
    ).to_be_visible()
    charts = main.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(7)
    expect(charts.locator(".js-plotly-plot")).to_have_count(7, timeout=30_000)
