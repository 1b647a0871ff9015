"""AppTest fixtures; the helpers live in ``apptest_support.py`` (import them from there)."""

from __future__ import annotations

import pytest
from apptest_support import (  # noqa: F401 -- re-exported for tests that import from conftest
    APP,
    ROOT,
    assert_clean,
    figure_by_key,
    open_page,
    plotly_figures,
    trace_array,
)


@pytest.fixture
def page_runner():
    """The :func:`open_page` function, as a fixture."""
    return open_page
