"""The Images page in a real browser: pictures actually drawn, a bookmark, uploads bad and good."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from e2e_support import (
    answer_checkpoint,
    assert_no_exception,
    assert_page_healthy,
    rerun,
    wait_for_script,
)
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "factor-an-image"


def ramp_png() -> bytes:
    rows = np.linspace(0, 255, 64)[:, None]
    cols = np.linspace(0, 255, 96)[None, :]
    buffer = io.BytesIO()
    Image.fromarray(((rows + cols) / 2).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(page, main, name: str, data: bytes) -> None:
    with rerun(page):
        main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": name, "mimeType": "image/png", "buffer": data}]
        )


def test_bookmarked_view_draws_the_pictures(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?img_src=coins&img_rank=7")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("is 303×384 here", exact=False)).to_be_visible()
    expect(main.locator('[data-testid="stMetricValue"]').nth(2)).to_have_text("4,809")
    # Original, NMF, SVD and the two error maps are PNG images inside plotly figures (one each).
    charts = main.locator('[data-testid="stPlotlyChart"]')
    # At least five: the fifth <image> is there once plotly has drawn them (they may still be
    # drawing when the script has finished).
    expect(charts.locator("image").nth(4)).to_be_attached()
    # The swimmer's counts and parts wait for a prediction, then appear.
    recovered = main.get_by_text("true parts are matched by an NMF row", exact=False)
    expect(recovered).to_have_count(0)
    answer_checkpoint(page, "img_swimmer_parts")
    assert_page_healthy(page)
    expect(recovered).to_be_visible()
    expect(
        main.get_by_text("The answer is", exact=False).or_(main.get_by_text("Right."))
    ).to_be_visible()


def test_upload_bad_then_good_then_bad_keeps_the_good_picture(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?img_src=upload")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("No picture uploaded yet", exact=False)).to_be_visible()

    upload(page, main, "notes.png", b"just some text")
    assert_no_exception(page)
    expect(main.locator('[data-testid="stAlertContentError"]')).to_contain_text("not a PNG or JPEG")

    upload(page, main, "ramp.png", ramp_png())
    assert_page_healthy(page)
    expect(main.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(main.get_by_text("is 64×96 here", exact=False)).to_be_visible()

    upload(page, main, "cut.png", ramp_png()[:150])
    assert_no_exception(page)
    error = main.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("truncated or damaged")
    expect(error).to_contain_text("Still showing your last good picture, ramp.png")
    expect(main.get_by_text("is 64×96 here", exact=False)).to_be_visible()


def _download(page, main, label: str) -> bytes:
    # The first of its name: the faces section further down offers its own H and W.
    button = main.get_by_role("button", name=label, exact=True).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as download:
        button.click()
    return Path(download.value.path()).read_bytes()


def test_downloads_are_written_when_clicked(app_server, page):
    # The files are written only for the visitor who clicks (deferred), so the click must
    # still deliver the right ones: H is n×r, W is r×k, the PNG has the picture's size.
    page.goto(f"{app_server}/{URL_PATH}?img_src=coins&img_rank=7")
    wait_for_script(page)
    main = page.locator('[data-testid="stMain"]')
    picture = Image.open(io.BytesIO(_download(page, main, "NMF reconstruction HW (PNG)")))
    assert picture.format == "PNG" and picture.size == (384, 303)
    H = np.loadtxt(io.StringIO(_download(page, main, "H (CSV)").decode()), delimiter=",")
    assert H.shape == (303, 7) and (H >= 0).all()
    W = np.load(io.BytesIO(_download(page, main, "W (NPY)")), allow_pickle=False)
    assert W.shape == (7, 384) and (W >= 0).all()
    assert_no_exception(page)
