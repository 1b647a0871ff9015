"""Browser-test fixtures: a real ``streamlit run serve.py`` server and headless Debian Chromium.

The server is started once per session on a free localhost port and always terminated; the
browser is launched once per session, each test gets a fresh page (its own context, so no
state leaks between tests). Helpers (``wait_for_script``, ``assert_page_healthy``,
``app_pages``...) live in ``e2e_support.py``: import them with ``from e2e_support import ...``.

Playwright drives the system Chromium (``/usr/bin/chromium``) instead of a downloaded browser.
The machine's network is closed, so Chromium's background services (updates, sync, QUIC
probing...) are switched off; otherwise they flood the log with refused connections.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PLOT_TIMEOUT_MS,
    SCRIPT_TIMEOUT_MS,
    SERVER_LOG,
    in_ci,
    running_server,
)
from playwright.sync_api import expect

# `page.set_default_timeout` does not reach `expect`, which waits 5 s unless told otherwise.
expect.set_options(timeout=PLOT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Path of Debian's Chromium; skip outside CI when it is missing, fail inside CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium (`make browser`)"
        if in_ci():
            pytest.fail(message + " -- CI must install it, so this is a setup error")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def app_server(browser) -> Iterator[str]:
    """Serve the app as ``make run`` does (``streamlit run serve.py``); yield its base URL.

    The server is healthy only once its warm start is done (every page's default view has run
    once, ``server/warmup.py``), so the first test meets a warm server, as a class would. The
    process is always stopped. ``browser`` is a dependency so Chromium starts first: a missing
    browser skips before a server is started for nothing.
    """
    with running_server(SERVER_LOG) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own context) per test, wide enough for the app's wide layout."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(SCRIPT_TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()
