"""The Stains page in a real browser: the default view draws every figure once its checkpoints
are answered; a link sets r = 3."""

from __future__ import annotations

import pytest
from e2e_support import PLOT_TIMEOUT_MS, answer_checkpoint, assert_page_healthy, wait_for_script
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "stains"


def test_default_view_draws_the_slide_triangle_swatches_and_maps(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(
        main.get_by_role("heading", name="Stains: unmix a real slide", exact=True)
    ).to_be_visible()
    charts = main.locator('[data-testid="stPlotlyChart"]')
    # The triangle and the swatches answer the first two checkpoints: they wait for them.
    expect(charts).to_have_count(2)
    expect(main.locator('[data-testid="stTable"]')).to_have_count(0)
    answer_checkpoint(page, "stains_pair")
    answer_checkpoint(page, "stains_absorbs")
    assert_page_healthy(page)
    expect(charts).to_have_count(4)
    expect(charts.locator(".js-plotly-plot")).to_have_count(4, timeout=PLOT_TIMEOUT_MS)
    # The ternary plot, the swatch rectangles and the picture maps are really drawn.
    expect(charts.nth(1).locator(".ternary")).to_have_count(1, timeout=PLOT_TIMEOUT_MS)
    expect(charts.nth(2).locator("path[data-index]")).to_have_count(4, timeout=PLOT_TIMEOUT_MS)
    expect(charts.nth(3).locator("image")).to_have_count(4, timeout=PLOT_TIMEOUT_MS)
    table = main.locator('[data-testid="stTable"]')
    expect(table).to_contain_text("haematoxylin")
    expect(table).to_contain_text("DAB")
    expect(main.get_by_text("Closest to its reference")).to_be_visible()


def test_a_link_at_rank_three_shows_the_warning(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?stains_rank=3")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator('[data-testid="stAlert"]').filter(has_text="not a stain")).to_be_visible()
    charts = main.locator('[data-testid="stPlotlyChart"]')
    expect(charts.last.locator("image")).to_have_count(6, timeout=PLOT_TIMEOUT_MS)
