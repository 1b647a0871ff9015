"""The "NMF vs SVD vs PCA" page in a real browser: a bookmarked view and the CSV upload."""

from __future__ import annotations

import pytest
from e2e_support import assert_no_exception, assert_page_healthy, rerun, wait_for_script
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "nmf-vs-svd-pca"
GOOD_CSV = b"a,b,c,d\n1,2,0,3\n2,1,1,0\n0,3,2,1\n4,0,1,2\n1,1,3,0\n2,2,0,1\n"


def test_bookmarked_faces_view_renders_every_row(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?cmp_data=Faces&cmp_rank=4&cmp_runs=3")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Side by side at r = 4")).to_be_visible()
    # Basis, coefficients, reconstruction, restarts and error curve (the data sits in a
    # collapsed expander).
    expect(main.locator('[data-testid="stPlotlyChart"]')).to_have_count(6)
    table = main.locator('[data-testid="stTable"]')
    expect(table).to_contain_text("largest angle between matched basis vectors over 3 runs")
    expect(table).to_contain_text("0.00°")


def test_csv_upload_bad_then_good(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?cmp_data=CSV+upload")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("No CSV yet")).to_be_visible()
    upload = main.locator('[data-testid="stFileUploaderDropzoneInput"]')

    with rerun(page):
        upload.set_input_files(
            files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"1,2\n3,-4\n"}]
        )
    assert_no_exception(page)
    expect(main.locator('[data-testid="stAlertContentError"]')).to_contain_text("negative")
    expect(main.locator('[data-testid="stTable"]')).to_be_visible()  # the page goes on

    with rerun(page):
        upload.set_input_files(
            files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": GOOD_CSV}]
        )
    assert_page_healthy(page)
    expect(main.get_by_text("Using good.csv")).to_be_visible()
    expect(main.locator('[data-testid="stAlertContentError"]')).to_have_count(0)


def test_answering_the_seeds_checkpoint_shows_the_second_run(app_server, page):
    from nmf_lab.demo_data import comparison_cloud
    from nmf_lab.lessons.nmf_vs_svd_pca import compare, seeds_checkpoint

    page.goto(f"{app_server}/{URL_PATH}")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    charts = main.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(6)
    expected = seeds_checkpoint(compare(comparison_cloud(0), 3, seed=0).restarts["NMF"])
    box = page.locator(".st-key-checkpoint_cmp_seeds")
    box.scroll_into_view_if_needed()
    with rerun(page):
        box.get_by_text(expected.right_label, exact=True).click()
    assert_no_exception(page)
    expect(box.get_by_text("Right.")).to_be_visible()
    expect(charts).to_have_count(7)
    expect(main.get_by_text("seed 0 (left) and seed 1 (right)")).to_be_visible()
