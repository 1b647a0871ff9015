"""AppTest of "Watching it learn": defaults, every control, the numbers shown, bad URLs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from apptest_support import assert_clean, open_page

from nmf_core import frobenius_loss
from nmf_lab.demo_data import learning_data
from nmf_lab.lessons.watching_it_learn import (
    MAX_FRAMES,
    initialize_start,
    race,
    svd_floor,
)

PAGE = "app_pages/watching_it_learn.py"


def _metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _markdown(at) -> str:
    return "\n".join(block.value for block in at.markdown)


@pytest.fixture(scope="module")
def default_page():
    at = open_page(PAGE)
    assert_clean(at)
    return at


def test_default_page_shows_the_faces_run_and_its_numbers(default_page):
    at = default_page
    X = learning_data("faces").X
    H0, W0 = initialize_start(X, 6, init="random", seed=0)
    start = frobenius_loss(X, H0, W0)
    assert _metric(at, "Loss at the start") == f"{start:.4g}"
    assert _metric(at, "Frames shown") == f"{MAX_FRAMES} / 101"
    text = _markdown(at)
    assert f"All four start from the same loss, **{start:.4g}**" in text
    assert f"The SVD floor at rank 6 is **{svd_floor(X, 6):.4g}**" in text
    assert "**ALS went up**" in text and "(first at iteration 1)" in text
    assert "MU, HALS and ANLS did not go up once." in text
    assert "**Why ALS can go up.**" in text  # shown outside lecture mode
    # The caption states the frame cap.
    assert any(f"At most {MAX_FRAMES} frames" in caption.value for caption in at.caption)


def test_default_race_table_matches_a_fresh_race(default_page):
    X = learning_data("faces").X
    fresh = race(X, 6, start=initialize_start(X, 6, init="random", seed=0), max_iter=100)
    table = default_page.dataframe[0].value
    assert list(table["solver"]) == ["MU", "HALS", "ANLS", "ALS"]
    for shown, (name, result) in zip(table["final loss"], fresh.results.items(), strict=True):
        assert shown == f"{result.losses[-1]:.5g}", name
    went_up = dict(zip(table["solver"], table["iterations where the loss went up"], strict=True))
    assert went_up["MU"] == went_up["HALS"] == went_up["ANLS"] == 0
    assert went_up["ALS"] == fresh.increases("als").size > 0


def test_animation_figure_carries_frames_buttons_and_slider(default_page):
    animation, race_chart = _figures(default_page)
    assert len(animation["frames"]) == MAX_FRAMES
    steps = animation["layout"]["sliders"][0]["steps"]
    assert len(steps) == MAX_FRAMES and steps[-1]["label"] == "100"
    labels = [b["label"] for b in animation["layout"]["updatemenus"][0]["buttons"]]
    assert labels[0].endswith("Play") and labels[1].endswith("Pause")
    assert {"MU", "HALS", "ANLS", "ALS"} <= {trace.get("name") for trace in race_chart["data"]}


@pytest.mark.parametrize(
    "control, kind, value",
    [
        ("learn_data", "selectbox", "image"),
        ("learn_rank", "number_input", 3),
        ("learn_init", "selectbox", "nndsvda"),
        ("learn_solver", "selectbox", "hals"),
        ("learn_solver", "selectbox", "anls"),
        ("learn_iters", "slider", 30),
        ("learn_scale", "radio", "log"),
        ("learn_speed", "select_slider", "fast"),
        ("learn_race_iters", "slider", 20),
        ("learn_race_scale", "radio", "linear"),
    ],
)
def test_each_control_reruns_cleanly(control, kind, value):
    at = open_page(
        PAGE,
        query={"learn_iters": "20", "learn_race_iters": "10"}
        if control not in ("learn_iters", "learn_race_iters")
        else None,
    )
    getattr(at, kind)(key=control).set_value(value).run()
    assert_clean(at)
    assert at.session_state[control] == value
    assert len(_figures(at)) == 2


def test_fewer_iterations_than_the_cap_keep_every_frame():
    at = open_page(PAGE, query={"learn_iters": "30", "learn_race_iters": "10"})
    assert_clean(at)
    assert _metric(at, "Frames shown") == "31 / 31"
    assert len(_figures(at)[0]["frames"]) == 31


@pytest.mark.parametrize("data, label", [("cloud3", "Cloud 3-D"), ("cloud2", "Cloud 2-D")])
def test_toy_clouds_cap_the_rank_at_their_dimension(data, label):
    # The URL holds the label shown in the select box (that is what a shared link contains).
    at = open_page(PAGE, query={"learn_data": label, "learn_iters": "20", "learn_race_iters": "10"})
    assert at.selectbox(key="learn_data").value == data
    assert_clean(at)
    k = 3 if data == "cloud3" else 2
    assert any(f"capped at {k}" in info.value for info in at.info)
    X = learning_data(data).X
    H0, W0 = initialize_start(X, k, init="random", seed=0)
    assert _metric(at, "Loss at the start") == f"{frobenius_loss(X, H0, W0):.4g}"
    # The ALS sentence agrees with a fresh race on the same settings.
    fresh = race(X, k, start=(H0, W0), max_iter=10)
    text = _markdown(at)
    if fresh.increases("als").size:
        assert f"**ALS went up** at {fresh.increases('als').size} of its 10" in text
    else:
        assert "ALS did not go up in this run, but it **may**" in text
    animation = _figures(at)[0]
    assert any(
        trace["type"] in ("scatter3d", "scatter") and trace.get("name") == "rows of W (rays)"
        for trace in animation["data"]
    )


def test_the_sidebar_seed_changes_the_start():
    at = open_page(PAGE, query={"learn_iters": "20", "learn_race_iters": "10"})
    before = _metric(at, "Loss at the start")
    at.sidebar.number_input(key="seed").set_value(3).run()
    assert_clean(at)
    X = learning_data("faces").X
    H0, W0 = initialize_start(X, 6, init="random", seed=3)
    after = _metric(at, "Loss at the start")
    assert after == f"{frobenius_loss(X, H0, W0):.4g}" != before


def test_malformed_query_falls_back_to_defaults():
    at = open_page(
        PAGE,
        query={
            "learn_rank": "banana",
            "learn_data": "nope",
            "learn_iters": "-5",
            "learn_scale": "sideways",
            "learn_race_iters": "1e9",
        },
    )
    assert_clean(at)
    assert at.number_input(key="learn_rank").value == 6
    assert at.selectbox(key="learn_data").value == "faces"
    assert at.slider(key="learn_iters").value == 10  # out of range: the nearest valid value
    assert at.radio(key="learn_scale").value == "linear"
    assert np.isclose(
        at.slider(key="learn_race_iters").value, 300
    )  # out of range: the nearest valid value


def test_lecture_mode_hides_the_long_explanations():
    at = open_page(PAGE, query={"lecture": "true", "learn_iters": "20", "learn_race_iters": "10"})
    assert_clean(at)
    text = _markdown(at)
    assert "Why ALS can go up" not in text
    # The short facts and the update rules stay.
    assert "All four start from the same loss" in text
    assert len(at.get("tabs")) == 4
