"""A freshly started server, as a lecture meets it: the first click is a bookmark, and the class
opens its links at the same moment.

Its own server (``serve.py``, started here, not the shared ``app_server``), so the visits below
are the first this process sees: a Chromium tab opens a deep link, then 40 sessions of
Streamlit's protocol open the Images page and a mix of other bookmarks at once. Before the warm
start, the first deep links showed "Page not found" (a ``pages/`` folder read as a v1
multipage app) and concurrent first imports of pandas crashed some of the class's pages.
"""

from __future__ import annotations

import re

import pytest
from e2e_support import ROOT, app_pages, assert_page_healthy, running_server, wait_for_script
from playwright.sync_api import expect
from streamlit.proto.NewSession_pb2 import Config

from server.protocol import run_page, run_pages
from tests.own_loop import run_on_own_loop

pytestmark = pytest.mark.e2e

FRESH_LOG = ROOT / ".pytest_cache" / "e2e-warm-start.log"
BOOKMARK = ("point-clouds", "pc_rank=3")
CLASS_SIZE = 40
# Most of the class on Images (where the import race struck), the rest on other bookmarks.
OTHER_LINKS = [
    ("", ""),
    ("point-clouds", "pc_rank=3"),
    ("change-of-basis", ""),
    ("watching-it-learn", ""),
    ("nmf-vs-svd-pca", ""),
    ("choosing-r", ""),
]
CLASS_VISITS = OTHER_LINKS * 2 + [("factor-an-image", "")] * (CLASS_SIZE - 2 * len(OTHER_LINKS))
SESSION_TIMEOUT = 240.0


@pytest.fixture(scope="module")
def fresh_server(browser) -> str:
    with running_server(FRESH_LOG) as base_url:
        yield base_url


def _server_log() -> str:
    return FRESH_LOG.read_text(errors="replace") if FRESH_LOG.exists() else ""


def test_the_server_is_healthy_only_after_every_page_was_warmed(fresh_server):
    expected = len(app_pages())
    match = re.search(r"warm start: (\d+) of (\d+) pages warmed", _server_log())
    assert match, "no warm-start line in the server log:\n" + _server_log()[-2000:]
    assert (int(match.group(1)), int(match.group(2))) == (expected, expected)


def test_first_bookmark_then_a_whole_class_at_once(fresh_server, page):
    # The lecturer's first click on this process: a deep link.
    page_name, query = BOOKMARK
    page.goto(f"{fresh_server}/{page_name}?{query}")
    wait_for_script(page)
    assert_page_healthy(page)  # no "Page not found" dialog, no exception, a figure drawn
    expect(page.get_by_role("heading", name="Point clouds: the cone of W")).to_be_visible()
    rank = page.locator('[data-testid="stSlider"]').filter(has_text="Rank r").first
    expect(rank.locator('[data-testid="stSliderThumbValue"]')).to_have_text("3")

    # Then the class opens its links, all at the same moment.
    reports = run_on_own_loop(
        run_pages, fresh_server, CLASS_VISITS, timeout=SESSION_TIMEOUT, within=SESSION_TIMEOUT + 30
    )
    assert len(reports) == CLASS_SIZE
    failed = [
        (r.page, r.status, r.exceptions, r.page_not_found, r.error)
        for r in reports
        if not r.healthy
    ]
    assert not failed, f"{len(failed)} of {CLASS_SIZE} sessions failed: {failed[:5]}"
    # Each session drew its page (not an empty run).
    assert min(r.elements for r in reports) > 5


def test_config_toml_applies_under_st_app(fresh_server):
    report = run_on_own_loop(run_page, fresh_server, "point-clouds", "pc_source=Upload+CSV")
    assert report.healthy, report
    settings = report.new_session
    assert settings.config.toolbar_mode == Config.VIEWER  # client.toolbarMode = "viewer"
    assert settings.custom_theme.primary_color == "#0072B2"  # [theme]
    assert settings.custom_theme.base_font_size == 16
    assert report.upload_limits_mb == [10]  # server.maxUploadSize


def test_the_log_has_no_traceback(fresh_server):
    # Runs last in this module: neither the warm-up nor the visits above logged an error.
    log = _server_log()
    assert "Traceback" not in log, log[-3000:]
