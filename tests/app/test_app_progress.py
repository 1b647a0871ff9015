"""AppTest of the long-run rules on the Images page: caps, no recomputation, results kept.

The progress bar itself and stopping a superseded run need a real browser (AppTest runs a
script to its end): ``tests/e2e/test_e2e_progress.py``.
"""

from __future__ import annotations

import pytest
from apptest_support import assert_clean, open_page
from threadpoolctl import threadpool_limits

from nmf_lab.demo_data import sample_image
from nmf_lab.lessons import images as im
from nmf_lab.lessons import run_cost

PAGE = "app_pages/images.py"


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def factor_calls(monkeypatch):
    """Count the page's calls of ``im.factor_image`` (the page reads it from the module)."""
    calls = []
    original = im.factor_image

    def counting(*args, **kwargs):
        calls.append(kwargs.get("color"))
        return original(*args, **kwargs)

    monkeypatch.setattr(im, "factor_image", counting)
    return calls


def ran_text(at) -> str:
    return next(m.value for m in at.markdown if "NMF ran" in m.value)


def test_grayscale_picture_in_rgb_mode_computes_nothing_new(factor_calls):
    # A seed no other test uses, so the first run really computes.
    query = {"img_src": "camera", "img_rank": "3", "img_iters": "5", "seed": "9107"}
    at = open_page(PAGE, query=query)
    assert_clean(at)
    assert factor_calls == ["grayscale"]
    error = at.metric[0].value
    at.radio(key="img_color").set_value("rgb").run()
    assert_clean(at)
    assert factor_calls == ["grayscale"], "switching a grayscale picture to rgb recomputed"
    assert at.metric[0].value == error
    assert any("grayscale already" in c.value for c in at.caption)
    # Same settings again (back and forth): still nothing new.
    at.radio(key="img_color").set_value("grayscale").run()
    assert factor_calls == ["grayscale"]


def test_settings_seen_before_are_not_recomputed(factor_calls):
    query = {"img_src": "text", "img_rank": "2", "img_iters": "4", "seed": "9108"}
    at = open_page(PAGE, query=query)
    at.slider(key="img_rank").set_value(3).run()
    at.slider(key="img_rank").set_value(2).run()
    assert_clean(at)
    assert len(factor_calls) == 2, "rank 2 was factored twice"


def test_a_run_over_the_budget_is_capped_with_the_reason(monkeypatch):
    # A small budget stands in for a slow setting, so the test itself stays fast.
    monkeypatch.setattr(run_cost, "LIVE_BUDGET_SECONDS", 0.2)
    query = {"img_src": "text", "img_rank": "8", "img_solver": "anls", "img_iters": "200"}
    at = open_page(PAGE, query={**query, "seed": "9109"})
    assert_clean(at)
    image = im.fit_working_size(sample_image("text"))
    cap = run_cost.iteration_cap("anls", *image.shape[:2], 8, 200)
    assert cap.capped
    notes = [i.value for i in at.info if "so the page stays live" in i.value]
    assert len(notes) == 1 and f"it runs {cap.allowed} " in notes[0], notes
    ran = ran_text(at)
    n_iter = int(ran.split("NMF ran ")[1].split(" ")[0])
    assert 1 <= n_iter <= cap.allowed


def test_a_run_within_the_budget_is_not_capped():
    at = open_page(PAGE, query={"img_src": "text", "img_rank": "2", "img_iters": "5"})
    assert_clean(at)
    assert not [i.value for i in at.info if "so the page stays live" in i.value]


def test_cost_tab_times_once_per_setting(monkeypatch):
    from nmf_lab.lessons.choosing_r import cost

    calls = []
    original = cost.cost_sweep

    def counting(dimension, values, **kwargs):
        calls.append((dimension, kwargs["solver"]))
        return original(dimension, values, **kwargs)

    monkeypatch.setattr(cost, "cost_sweep", counting)
    query = {"cr_part": "Cost", "cr_solver_c": "hals"}
    at = open_page("app_pages/choosing_r.py", query=query)
    assert_clean(at)
    first = len(calls)
    at.number_input(key="cr_big_r").set_value(7).run()  # an extrapolation setting only
    assert_clean(at)
    assert len(calls) == first, "changing the extrapolation timed NMF again"
    assert first in (0, 3), "three sweeps (n, k, r) per measurement, or none when kept"


def test_a_run_waiting_for_the_controls_says_so_on_the_page_while_it_waits():
    from app_pages._progress import wait_for_the_controls

    class Spot:
        def __init__(self):
            self.captions = []

        def caption(self, text):
            self.captions.append(text)

    spot = Spot()
    wait_for_the_controls(spot, "Factoring the picture with HALS, r = 12", 0.06)
    # Every redraw is a point where Streamlit can stop the run for a newer value.
    assert spot.captions
    assert set(spot.captions) == {
        "Factoring the picture with HALS, r = 12: waiting for the controls to settle"
    }
