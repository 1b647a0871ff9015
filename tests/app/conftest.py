"""AppTest helpers: every page is tested through ``app.py`` so the shared sidebar is there too."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def open_page(page: str, *, query: dict[str, str] | None = None,
              timeout: float = 60) -> AppTest:
    """Run ``app.py`` on ``page`` (e.g. ``"pages/images.py"``) and return the finished AppTest."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if query:
        at.query_params.update(query)
    # The first run registers st.navigation's pages (they have custom url paths); only then can
    # AppTest switch to one of them by file name.
    at.run()
    at.switch_page(page)
    return at.run()


def assert_clean(at: AppTest) -> None:
    """The run raised nothing and showed no error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def page_runner():
    """The :func:`open_page` function, as a fixture."""
    return open_page
