"""AppTest helpers: every page is tested through ``app.py`` so the shared sidebar is there too.

Import them with ``from apptest_support import open_page, assert_clean`` (``conftest.py``
re-exports them for older tests). A uniquely named module is safer than ``from conftest
import``: ``tests/e2e`` has a ``conftest.py`` too and Python keeps only one module called
``conftest``, so ``pytest tests/app/x.py tests/e2e`` would otherwise break the import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def switched_to(page: str, *, query: dict[str, str] | None = None, timeout: float = 60) -> AppTest:
    """An AppTest of ``app.py`` switched to ``page``, whose next ``run()`` runs that page."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if query:
        at.query_params.update(query)
    # The first run registers st.navigation's pages (they have custom url paths); only then can
    # AppTest switch to one of them by file name.
    at.run()
    at.switch_page(page)
    return at


def open_page(page: str, *, query: dict[str, str] | None = None, timeout: float = 60) -> AppTest:
    """Run ``app.py`` on ``page`` (e.g. ``"app_pages/images.py"``); return the finished AppTest."""
    return switched_to(page, query=query, timeout=timeout).run()


def assert_clean(at: AppTest) -> None:
    """The run raised nothing and showed no error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _decode(value):
    """A plotly JSON array: a plain list, or plotly's typed array ``{"dtype", "bdata"}``."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape is not None:
            dims = [int(d) for d in str(shape).split(",")] if isinstance(shape, str) else shape
            array = array.reshape(dims)
        return array
    return np.asarray(value, dtype=float)


def plotly_figures(at: AppTest) -> list[dict]:
    """The plotly figures the run displayed, as JSON dicts (in page order)."""
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace_array(trace: dict, field: str = "z"):
    """A trace's data field (``z``, ``x``, ``surfacecolor``...) as a float ndarray."""
    import numpy as np

    value = trace[field]
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        return np.array([_decode(row) for row in value], dtype=float)
    return _decode(value).astype(float)


def figure_by_key(at: AppTest, key: str) -> dict:
    """The plotly figure shown with ``show_figure(..., key=key)``, as a JSON dict."""
    import json

    matches = [chart for chart in at.get("plotly_chart") if chart.proto.id.endswith(f"-{key}")]
    assert len(matches) == 1, f"expected one chart with key {key!r}, found {len(matches)}"
    return json.loads(matches[0].proto.spec)


def answer_checkpoints(at: AppTest, *keys: str) -> AppTest:
    """Answer each named checkpoint with its first choice (right or not), so the figures it
    holds back are shown; returns the AppTest after the last run."""
    from app_pages._checkpoint import choice_key

    for key in keys:
        radio = at.radio(key=choice_key(key))
        at = radio.set_value(radio.options[0]).run()
    return at


@contextlib.contextmanager
def counting_new_figures() -> Iterator[list[str]]:
    """Count every plotly figure constructed inside the block, wherever it is built.

    Yields a list that receives, per figure made, the page line that made it (the innermost
    frame under ``app_pages/``), so a failing test names the figure drawn outside the shared
    store. ``go.Figure(...)``, ``make_subplots`` and copies all go through ``BaseFigure``.
    """
    import traceback

    from plotly.basedatatypes import BaseFigure

    made: list[str] = []
    original = BaseFigure.__init__

    def counting_init(self, *args, **kwargs):
        page_frames = [
            f"{Path(frame.filename).name}:{frame.lineno}"
            for frame in traceback.extract_stack()
            if "app_pages" in frame.filename
        ]
        made.append(page_frames[-1] if page_frames else "outside app_pages")
        original(self, *args, **kwargs)

    BaseFigure.__init__ = counting_init
    try:
        yield made
    finally:
        BaseFigure.__init__ = original


def assert_a_second_visitor_draws_nothing(page: str, query: dict[str, str]) -> AppTest:
    """Open ``page`` twice with ``query``: the second visitor gets the first one's figures.

    The first visit draws figures into the shared store (``app_pages._shared.FIGURES``); the
    second constructs no plotly figure at all (one drawn directly on the page, outside the
    store, is named in the failure) and shows the same charts. Returns the second visitor's
    AppTest.
    """
    from app_pages._shared import FIGURES, VALUES

    # An earlier test of this process may have shown the same view: start from empty stores.
    FIGURES.clear()
    VALUES.clear()
    before = FIGURES.builds
    first = open_page(page, query=query)
    assert_clean(first)
    assert FIGURES.builds > before, "the first visitor's figures are kept for the others"
    second = switched_to(page, query=query)
    # Only the page's own run is counted, not the app's first run on Home before it.
    with counting_new_figures() as made:
        second.run()
    assert_clean(second)
    assert not made, f"the second visitor drew figures of its own, at {made}"
    assert plotly_figures(second) == plotly_figures(first)
    return second
