"""Helpers for the browser tests (imported by name: ``from e2e_support import ...``).

Kept out of ``conftest.py`` on purpose: several test folders have a ``conftest.py`` and Python
can hold only one module called ``conftest``, so importing helpers from it is fragile.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
# What `make run` serves: app.py inside an st.App with the warm start (server/warmup.py).
SERVE = ROOT / "serve.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# From the launch to a healthy server, which now includes the warm start: the imports and one
# run of every page's default view. A loaded two-core runner needs a multiple of a quiet one.
SERVER_START_TIMEOUT = 180.0
# A page script on this 2-core machine renders in about a second; the margin covers a cold
# server (first imports of scipy/plotly/scikit-image) and a runner shared with other jobs
# (loads of 10+ on two cores made 45 s too tight).
SCRIPT_TIMEOUT_MS = 90_000
# Once the script has finished, plotly still has to draw in the browser (software WebGL for 3-D);
# on a runner loaded far beyond its two cores, the first draw of a page (plotly.js is loaded on
# demand) took longer than 20 s. It is also the default of every `expect(...)`, whose own
# default of 5 s is shorter than a draw on such a runner.
PLOT_TIMEOUT_MS = 60_000

# The server's output; with ``client.showErrorDetails = "none"`` the browser shows a redacted
# message, so failures quote the end of this log instead.
SERVER_LOG = ROOT / ".pytest_cache" / "e2e-streamlit.log"

PLACEHOLDER_TEXT = "This page is being built"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(base_url: str, process: subprocess.Popen, timeout: float) -> None:
    """Wait until ``/_stcore/health`` answers 200: the server is up and warm.

    While the warm start runs, the server holds a health check for a while and then answers
    503, so one request may take seconds; its own timeout is longer than that hold.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=15) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s")


def server_command(port: int, script: Path = SERVE) -> list[str]:
    """The ``streamlit run`` command line of a test server on ``127.0.0.1:port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]


@contextlib.contextmanager
def running_server(
    log_path: Path = SERVER_LOG, *, script: Path = SERVE, timeout: float = SERVER_START_TIMEOUT
) -> Iterator[str]:
    """Start a fresh server on a free port, wait until it is healthy, yield its base URL.

    The server's output goes to ``log_path``; the process is always stopped on exit.
    """
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            server_command(port, script), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for_health(base_url, process, timeout)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_for_script(page, timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
    """Wait until the Streamlit script run has finished and the app is connected.

    Streamlit's root element ``[data-testid="stApp"]`` carries ``data-test-script-state``
    (``initial`` / ``running`` / ``rerunRequested`` / ``notRunning``) and
    ``data-test-connection-state``. A finished run is ``notRunning`` while ``CONNECTED``; the
    state must be stable for a moment, because a widget change first flips it to ``running``
    asynchronously.
    """
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app) { return false; }
            const done = app.getAttribute('data-test-script-state') === 'notRunning'
                && app.getAttribute('data-test-connection-state') === 'CONNECTED';
            if (!done) { window.__stDoneSince = undefined; return false; }
            window.__stDoneSince = window.__stDoneSince || performance.now();
            return performance.now() - window.__stDoneSince > 300;
        }""",
        timeout=timeout_ms,
        polling=100,
    )


_ARM_RERUN = """() => {
    window.__stRunSeen = false;
    window.__stDoneSince = undefined;
    if (window.__stRunObserver) { window.__stRunObserver.disconnect(); }
    window.__stRunObserver = new MutationObserver((mutations) => {
        for (const mutation of mutations) {
            if (mutation.target.getAttribute('data-test-script-state') !== 'notRunning') {
                window.__stRunSeen = true;
            }
        }
    });
    window.__stRunObserver.observe(document.documentElement, {
        attributes: true, subtree: true, attributeFilter: ['data-test-script-state'],
    });
}"""

_RERUN_DONE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { return false; }
    if (app.getAttribute('data-test-script-state') !== 'notRunning') { window.__stRunSeen = true; }
    const done = window.__stRunSeen
        && app.getAttribute('data-test-script-state') === 'notRunning'
        && app.getAttribute('data-test-connection-state') === 'CONNECTED';
    if (!done) { window.__stDoneSince = undefined; return false; }
    window.__stDoneSince = window.__stDoneSince || performance.now();
    return performance.now() - window.__stDoneSince > 300;
}"""


@contextlib.contextmanager
def rerun(page, timeout_ms: int = SCRIPT_TIMEOUT_MS) -> Iterator[None]:
    """Wait for the script run that the action inside the block starts, and for its end.

    A widget change, a tab click or an upload reaches the server asynchronously, and on a busy
    machine the rerun may start well after the action returned. A fixed sleep before
    :func:`wait_for_script` then sees the *previous* finished run and lets the test read the
    old page. Instead, a ``MutationObserver`` armed before the action records that the app
    left ``notRunning``; the wait ends only after that, once the run is finished and stable.

    Use only around an action that does start a run (otherwise the wait times out)::

        with rerun(page):
            page.get_by_role("tab", name="Cost").click()
    """
    page.evaluate(_ARM_RERUN)
    yield
    page.wait_for_function(_RERUN_DONE, timeout=timeout_ms, polling=100)


# Streamlit's shortcut handler (hotkeys-js, listening on ``document``) calls preventDefault()
# on a key it acts on; a listener on ``window`` runs after it and records whether it did.
_WATCH_KEYS = """() => {
    window.__shortcutKeys = [];
    if (!window.__shortcutKeyWatch) {
        window.__shortcutKeyWatch = (event) => window.__shortcutKeys.push({
            key: event.key, handled: event.defaultPrevented,
            focus: document.activeElement ? document.activeElement.tagName : null,
        });
        window.addEventListener('keydown', window.__shortcutKeyWatch);
    }
}"""


def press_shortcut(page, key: str, *, attempts: int = 4) -> None:
    """Press a button's keyboard shortcut until Streamlit's shortcut handler takes it.

    Streamlit binds a button's shortcut in a React effect, which runs only once the button is
    drawn, and the button's code is loaded lazily: a key pressed while the page shows its
    result but not yet its buttons (seconds, in a fresh browser on a loaded machine), or
    between a button's drawing and its effect, is lost, and the run it should start never
    comes. A press counts only if the handler took it (the keydown was ``defaultPrevented`` by
    the time it reached ``window``); one it did not take changed nothing, so it is pressed
    again after a short wait for the handler, at most ``attempts`` times in all. A taken press
    is never repeated, so a key that toggles (Space: play / pause) acts exactly once.
    """
    page.evaluate(_WATCH_KEYS)
    presses: list = []
    for attempt in range(attempts):
        if attempt:
            # Wait for a shortcut button drawn and enabled, then for two frames painted after
            # it: React runs the effect that binds the key after the button is painted.
            page.wait_for_function(
                """() => [...document.querySelectorAll('button')].some(
                    (b) => !b.disabled && b.querySelector('[data-has-shortcut="true"]'))""",
                timeout=SCRIPT_TIMEOUT_MS,
                polling=100,
            )
            page.evaluate(
                "() => new Promise((done) => requestAnimationFrame("
                "() => requestAnimationFrame(done)))"
            )
        page.keyboard.press(key)
        presses = page.evaluate("() => window.__shortcutKeys")
        if presses and presses[-1]["handled"]:
            return
    raise AssertionError(f"{key} was not taken by a shortcut handler: {presses}")


def assert_no_exception(page) -> None:
    """No Streamlit exception box on the page (its text is shown when there is one)."""
    exceptions = page.locator('[data-testid="stException"]')
    count = exceptions.count()
    if count:
        log = SERVER_LOG.read_text(errors="replace")[-3000:] if SERVER_LOG.exists() else ""
        raise AssertionError(f"{count} exception(s) on {page.url}; server log tail:\n{log}")


def assert_has_plot(page) -> None:
    """At least one plotly figure was actually drawn (the chart element holds a plotly div)."""
    page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first.wait_for(
        state="attached", timeout=PLOT_TIMEOUT_MS
    )
    assert page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').count() >= 1


def assert_page_healthy(page) -> None:
    """No exception, no dialog (e.g. Streamlit's "page not found"), no formula KaTeX could not
    parse (it draws the source in red instead), at least one rendered plot."""
    assert_no_exception(page)
    dialogs = page.get_by_role("dialog")
    assert dialogs.count() == 0, "dialog open: " + dialogs.first.inner_text()[:300]
    # KaTeX draws a formula it cannot parse, or a command it does not know, in its error
    # colour #cc0000 instead of failing.
    broken = page.locator('.katex-error, .katex [style*="color: rgb(204, 0, 0)"]')
    assert broken.count() == 0, "formula KaTeX cannot read: " + (
        broken.first.get_attribute("title") or broken.first.inner_text()
    )
    assert_has_plot(page)


_PAGE_CALL = re.compile(
    r"st\.Page\(\s*[\"'](?P<file>app_pages/[^\"']+\.py)[\"'](?P<args>.*?)\)", re.DOTALL
)
_URL_PATH = re.compile(r"url_path\s*=\s*[\"'](?P<url>[^\"']*)[\"']")
_TITLE = re.compile(r"title\s*=\s*[\"'](?P<title>[^\"']*)[\"']")
_DEFAULT = re.compile(r"default\s*=\s*True")


def app_pages() -> list[dict[str, str]]:
    """The pages registered in ``app.py``, read from its source (no Streamlit import needed).

    Returns
    -------
    list of dict
        One dict per ``st.Page(...)`` call, in navigation order, with ``file``, ``url_path``
        and ``title``. The default page lives at the root URL (Streamlit ignores its
        ``url_path`` and answers that path with a "page not found" dialog), so its
        ``url_path`` is ``""``.
    """
    source = APP.read_text(encoding="utf-8")
    pages = []
    for match in _PAGE_CALL.finditer(source):
        args = match.group("args")
        url = _URL_PATH.search(args)
        title = _TITLE.search(args)
        stem = Path(match.group("file")).stem
        pages.append(
            {
                "file": match.group("file"),
                "url_path": "" if _DEFAULT.search(args) else (url.group("url") if url else stem),
                "title": title.group("title") if title else stem,
            }
        )
    return pages


def is_placeholder(page_file: str) -> bool:
    """Whether a page script is still the placeholder (checked at run time, not hard-coded)."""
    return PLACEHOLDER_TEXT in (ROOT / page_file).read_text(encoding="utf-8")


def answer_checkpoint(page, key: str) -> None:
    """Answer the checkpoint ``key`` with its first choice, as a learner clicks it, and wait for
    the run that shows the figures it held back."""
    box = page.locator(f".st-key-checkpoint_{key}")
    box.scroll_into_view_if_needed()
    with rerun(page):
        box.locator('[role="radiogroup"] label').first.click()
    expect_answered = box.get_by_text("Your prediction:", exact=False)
    expect_answered.wait_for(state="visible", timeout=SCRIPT_TIMEOUT_MS)
