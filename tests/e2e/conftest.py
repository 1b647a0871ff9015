"""Browser-test fixtures: a real ``streamlit run app.py`` server and headless Debian Chromium.

The server is started once per session on a free localhost port and always terminated; the
browser is launched once per session, each test gets a fresh page (its own context, so no
state leaks between tests). Helpers (``wait_for_script``, ``assert_page_healthy``,
``app_pages``...) live in ``e2e_support.py``: import them with ``from e2e_support import ...``.

Playwright drives the system Chromium (``/usr/bin/chromium``) instead of a downloaded browser.
The machine's network is closed, so Chromium's background services (updates, sync, QUIC
probing...) are switched off; otherwise they flood the log with refused connections.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import (
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    PLOT_TIMEOUT_MS,
    ROOT,
    SCRIPT_TIMEOUT_MS,
    SERVER_LOG,
    SERVER_START_TIMEOUT,
    free_port,
    in_ci,
    wait_for_health,
    wait_for_script,
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
    """Run ``streamlit run app.py`` on a free port; yield its base URL; always stop it.

    Before yielding, the root page is opened once. A fresh server learns the ``url_path`` of
    the pages only when ``app.py`` first runs ``st.navigation``; until then a deep link such as
    ``/point-clouds`` still shows the right page but also a "Page not found" dialog (Streamlit
    1.67). Warming up keeps that start-up artefact out of the page checks.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    log_path = SERVER_LOG
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(base_url, process, SERVER_START_TIMEOUT)
            _warm_up(browser, base_url)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _warm_up(browser, base_url: str) -> None:
    context = browser.new_context()
    try:
        warm_page = context.new_page()
        warm_page.goto(base_url)
        wait_for_script(warm_page, SCRIPT_TIMEOUT_MS)
    finally:
        context.close()


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
