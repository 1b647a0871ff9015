"""The Point clouds page in a real browser: figures drawn, a 3-D bookmark, CSV uploads."""

from __future__ import annotations

from pathlib import Path

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

URL_PATH = "point-clouds"
DATA = Path(__file__).resolve().parents[1] / "data" / "clouds"


def upload(page, main, name: str) -> None:
    with rerun(page):
        main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": (DATA / name).read_bytes()}]
        )


def test_default_view_draws_every_figure(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    charts = main.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')
    # Cloud + cone, stretched twin, SPA step, SPA vs planted; the restarts wait for an answer.
    expect(charts).to_have_count(4)
    expect(main.get_by_text("0 of 150")).to_be_visible()
    answer_checkpoint(page, "pc_restarts")
    expect(charts).to_have_count(5)
    expect(main.get_by_text("largest angle to seed 0", exact=False)).to_be_visible()


def test_bookmarked_separable_3d_view(app_server, page):
    page.goto(
        f"{app_server}/{URL_PATH}?pc_dim=3-D&pc_preset=Separable&pc_planted=3&pc_rank=3"
        "&pc_noise=0.0&pc_spa_step=3"
    )
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    # A 3-D scene and the simplex (ternary) view are drawn.
    expect(main.locator(".js-plotly-plot .gl-container").first).to_be_attached()
    expect(main.locator(".js-plotly-plot .ternary").first).to_be_attached()
    expect(main.get_by_text("exactly the planted extreme points", exact=False)).to_contain_text(
        "yes"
    )
    expect(main.get_by_text("Step 3 of 3", exact=False)).to_be_visible()


def test_upload_good_then_bad_keeps_the_good_cloud(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?pc_source=Upload+CSV")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("No usable file yet", exact=False)).to_be_visible()

    upload(page, main, "good_2d.csv")
    assert_page_healthy(page)
    expect(main.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(main.get_by_text("40 points in 2-D", exact=False)).to_be_visible()

    upload(page, main, "negative.csv")
    assert_no_exception(page)
    expect(main.locator('[data-testid="stAlertContentError"]')).to_contain_text("negative")
    expect(main.get_by_text("40 points in 2-D", exact=False)).to_be_visible()
    assert_page_healthy(page)
