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


def _frame_shown(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Frame "))


def _frame_slider(at):
    return next(s for s in at.select_slider if s.label == "Iteration shown")


def test_animation_opens_on_the_finished_run_with_keyboard_controls(default_page):
    loss, factors, race_chart = _figures(default_page)
    _, marker = loss["data"]
    assert marker["x"] == [100]  # the loss curve is drawn to the last iteration
    assert factors["data"][0]["type"] == "image"
    assert _frame_shown(default_page).startswith(f"**Frame {MAX_FRAMES} of {MAX_FRAMES} ·")
    slider = _frame_slider(default_page)
    assert slider.label == "Iteration shown" and slider.value == 100
    shortcuts = {
        button.key: button.proto.shortcut
        for button in default_page.button
        if button.key.startswith("learn_")
    }
    assert shortcuts == {
        "learn_first": "home",
        "learn_previous": "left",
        "learn_play": "space",
        "learn_next": "right",
        "learn_last": "end",
    }
    assert {"MU", "HALS", "ANLS", "ALS"} <= {trace.get("name") for trace in race_chart["data"]}


def test_buttons_step_jump_play_and_pause():
    at = open_page(PAGE, query={"learn_iters": "30", "learn_race_iters": "10"})
    at.button(key="learn_first").click().run()
    assert_clean(at)
    assert _frame_shown(at).startswith("**Frame 1 of 31 · iteration 0 ·")
    assert _figures(at)[0]["data"][1]["x"] == [0]
    at.button(key="learn_next").click().run()
    at.button(key="learn_next").click().run()
    assert _frame_shown(at).startswith("**Frame 3 of 31 · iteration 2 ·")
    at.button(key="learn_previous").click().run()
    assert _frame_shown(at).startswith("**Frame 2 of 31")
    assert at.button(key="learn_play").label == "Resume"
    at.button(key="learn_play").click().run()
    assert at.button(key="learn_play").label == "Pause"
    at.button(key="learn_play").click().run()
    assert at.button(key="learn_play").label == "Resume"
    at.button(key="learn_last").click().run()
    assert_clean(at)
    assert _frame_shown(at).startswith("**Frame 31 of 31 · iteration 30 ·")
    assert at.button(key="learn_play").label == "Play"


def test_the_slider_picks_a_frame_and_new_settings_open_the_new_run_at_its_end():
    at = open_page(PAGE, query={"learn_iters": "30", "learn_race_iters": "10"})
    _frame_slider(at).set_value(12).run()
    assert_clean(at)
    assert _frame_shown(at).startswith("**Frame 13 of 31 · iteration 12 ·")
    assert len(_figures(at)[0]["data"][0]["y"]["bdata"]) > 0
    at.slider(key="learn_iters").set_value(20).run()
    assert _frame_shown(at).startswith("**Frame 21 of 21 · iteration 20 ·")


@pytest.mark.parametrize(
    "control, kind, value",
    [
        ("learn_data", "selectbox", "image"),
        ("learn_rank", "number_input", 3),
        ("learn_init", "selectbox", "nndsvda"),
        ("learn_solver", "selectbox", "hals"),
        ("learn_solver", "selectbox", "anls"),
        ("learn_iters", "slider", 30),
        ("learn_scale", "radio", "linear"),
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
    assert len(_figures(at)) == 3


def test_fewer_iterations_than_the_cap_keep_every_frame():
    at = open_page(PAGE, query={"learn_iters": "30", "learn_race_iters": "10"})
    assert_clean(at)
    assert _metric(at, "Frames shown") == "31 / 31"
    assert _frame_slider(at).options == [str(i) for i in range(31)]


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
    factors = _figures(at)[1]
    assert any(
        trace["type"] in ("scatter3d", "scatter") and trace.get("name") == "rows of W (rays)"
        for trace in factors["data"]
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
    assert at.radio(key="learn_scale").value == "log"
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


# ------------------------------------------------------------------ checkpoints ----------


def test_the_start_checkpoint_judges_an_answer_with_the_numbers_on_screen():
    from app_pages._checkpoint import choice_key
    from nmf_lab.lessons.watching_it_learn import start_checkpoint, start_comparison

    at = open_page(PAGE, query={"learn_iters": "20", "learn_race_iters": "10"})
    X = learning_data("faces").X
    expected = start_checkpoint(start_comparison(X, 6, seed=0), 6)
    assert expected.right_label == "Random"
    wrong = expected.labels[0]
    at.radio(key=choice_key("learn_start")).set_value(wrong).run()
    assert_clean(at)
    warnings = " ".join(box.value for box in at.warning)
    assert expected.verdict(wrong)[1] in warnings and "The answer is **Random**" in warnings
    assert any(block.value == expected.explanation for block in at.markdown)
    # The number the learner is sent to check: the random start's loss on the metric.
    H0, W0 = initialize_start(X, 6, init="random", seed=0)
    assert _metric(at, "Loss at the start") == f"{frobenius_loss(X, H0, W0):.4g}"


def test_the_als_checkpoint_follows_the_iterations_on_screen():
    from app_pages._checkpoint import choice_key
    from nmf_core import nmf
    from nmf_lab.lessons.watching_it_learn import als_rise_checkpoint

    at = open_page(PAGE, query={"learn_iters": "20", "learn_race_iters": "10"})
    X = learning_data("faces").X
    start = initialize_start(X, 6, init="random", seed=0)
    losses = nmf(X, 6, solver="als", init=start, max_iter=20, tol=0).losses
    expected = als_rise_checkpoint(losses)
    at.radio(key=choice_key("learn_als_rise")).set_value(expected.right_label).run()
    assert_clean(at)
    assert any(expected.verdict(expected.right_label)[1] in box.value for box in at.success)
    assert any(block.value == expected.explanation for block in at.markdown)
    assert "of its 20 iterations" in expected.explanation
    # Checking it: the solver switched to ALS shows the run the answer was read from.
    at.selectbox(key="learn_solver").set_value("als").run()
    assert_clean(at)
    assert _metric(at, "Loss after 20 iterations") == f"{losses[-1]:.4g}"


def test_the_single_solver_loss_axis_is_logarithmic_by_default(default_page):
    loss = _figures(default_page)[0]
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert _metric(default_page, "Relative error").endswith("%")
