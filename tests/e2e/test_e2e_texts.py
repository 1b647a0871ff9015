"""The Texts page in a real browser: every figure is drawn once its checkpoint is answered; a link
sets r = 3."""

from __future__ import annotations

import pytest
from e2e_support import (
    PLOT_TIMEOUT_MS,
    answer_checkpoint,
    assert_page_healthy,
    rerun,
    wait_for_script,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "texts"


def test_default_view_draws_topics_table_curve_documents_and_lsa(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="Texts: find the topics", exact=True)).to_be_visible()
    charts = main.locator('[data-testid="stPlotlyChart"]')
    # Before the answers only the documents' picture; each answer shows what it held back.
    expect(charts).to_have_count(1)
    for key in ("texts_one_each", "texts_purity_rank", "texts_lsa_signs"):
        answer_checkpoint(page, key)
    assert_page_healthy(page)
    expect(charts).to_have_count(5)
    expect(charts.locator(".js-plotly-plot")).to_have_count(5, timeout=PLOT_TIMEOUT_MS)
    # Six topics as bar panels, the heatmaps drawn.
    expect(charts.nth(0).locator("g.barlayer g.trace")).to_have_count(6, timeout=PLOT_TIMEOUT_MS)
    expect(charts.nth(1).locator("g.heatmaplayer")).to_have_count(1, timeout=PLOT_TIMEOUT_MS)
    expect(main.get_by_text("NMI", exact=False).first).to_be_visible()


def test_a_link_with_three_topics_and_a_checkpoint_answer(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?texts_rank=3")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    charts = main.locator('[data-testid="stPlotlyChart"]')
    answer_checkpoint(page, "texts_one_each")
    expect(charts.nth(0).locator("g.barlayer g.trace")).to_have_count(3, timeout=PLOT_TIMEOUT_MS)
    question = main.locator(".st-key-checkpoint_texts_lsa_signs")
    with rerun(page):
        question.get_by_text("No, positive and negative weights", exact=True).click()
    assert_page_healthy(page)
    expect(question.get_by_text("Right.", exact=False)).to_be_visible()
