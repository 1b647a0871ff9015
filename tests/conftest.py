"""Shared test configuration."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests are sized to keep `make test` within minutes on a 2-core machine.
settings.register_profile(
    "nmf-lab", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("nmf-lab")


# tryfirst: xdist reads the group marker in its own collection hook on each worker.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Keep every browser test on one pytest-xdist worker (``make test`` runs ``-n 2``).

    The browser tests share one ``streamlit run`` server and one Chromium per worker; grouping
    them starts those once, and the other worker runs the library, lesson, figure and AppTest
    tests meanwhile. Files under ``tests/e2e/`` are marked ``e2e`` here too, so a new browser
    test cannot miss the group.
    """
    e2e_dir = Path(__file__).parent / "e2e"
    for item in items:
        if e2e_dir in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("browser"))
