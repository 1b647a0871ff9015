"""AppTest of the "Choosing r and penalties" page: every control, the numbers it shows, uploads."""

from __future__ import annotations

import re

import numpy as np
import pytest
from apptest_support import answer_checkpoints, assert_clean, figure_by_key, open_page, trace_array

from app_pages._checkpoint import choice_key
from nmf_lab.demo_data import image_patches, load_faces, planted_clusters, sample_image
from nmf_lab.lessons.choosing_r.checkpoints import elbow_checkpoint, penalty_checkpoint
from nmf_lab.lessons.choosing_r.cost import RELIABLE_R_SQUARED
from nmf_lab.lessons.choosing_r.penalties import fit_with_penalties
from nmf_lab.lessons.choosing_r.rank_selection import rank_sweep

PAGE = "app_pages/choosing_r.py"
# The page's defaults (a change here must be a deliberate change of the page).
DEFAULT = {
    "true_r": 4,
    "noise": 0.3,
    "max_r": 7,
    "restarts": 8,
    "show_r": 4,
    "pen_r": 8,
    "l1_h": 0.0,
    "l1_w": 1.0,
    "l2_h": 1.0,
    "l2_w": 0.0,
}


def _metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def _markdown_containing(at, text: str) -> str:
    return next(m.value for m in at.markdown if text in m.value)


def _numbers(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"-?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?", text)]


def _expected_sweep(planted_rank=4, noise=0.3, max_rank=7, restarts=8, seed=0):
    data = planted_clusters(60, 30, planted_rank, noise=noise, seed=seed)
    return rank_sweep(data.X, range(2, max_rank + 1), n_restarts=restarts, seed=seed)


@pytest.fixture(scope="module")
def default_run():
    return open_page(PAGE)


# ------------------------------------------------------------------ rank tab


def test_default_rank_tab_shows_the_planted_rank_found(default_run):
    at = default_run
    assert_clean(at)
    sweep = _expected_sweep()
    index = list(sweep.ranks).index(sweep.suggested_rank)
    assert _metric(at, "planted rank") == "4"
    assert _metric(at, "suggested rank") == str(sweep.suggested_rank) == "4"
    assert _metric(at, "cophenetic") == f"{sweep.cophenetic[index]:.3f}"
    assert _metric(at, "best error") == f"{sweep.nmf_error[index]:.1%}"
    assert any("finds the planted rank r = 4" in s.value for s in at.success)
    # The cost tab says the default picture took 48 NMF runs: ranks 2..7, 8 restarts each.
    ranks_tried = at.slider(key="cr_max_r").value - 1
    assert ranks_tried * at.slider(key="cr_restarts").value == 48
    # Lazy tabs: only the rank tab ran.
    assert not any("L1 and L2 penalties" in h.value for h in at.subheader)


def test_default_consensus_numbers_match_the_core(default_run):
    at = default_run
    sweep = _expected_sweep()
    index = list(sweep.ranks).index(4)
    text = _markdown_containing(at, "At r = 4: cophenetic")
    assert f"ρ = **{sweep.cophenetic[index]:.3f}**" in text
    assert f"dispersion = **{sweep.dispersion[index]:.3f}**" in text
    assert f"**{sweep.clusters_used[index]:.1f}** of the 4 basis vectors" in text
    assert any("Planted data: 60 points × 30 features, 4 clusters" in c.value for c in at.caption)


def test_elbow_checkpoint_holds_back_the_error_curve_until_answered(default_run):
    at = default_run
    sweep = _expected_sweep()
    expected = elbow_checkpoint(sweep.ranks, sweep.nmf_error, 4, planted=True)
    assert expected.right_label == "At r = 4"
    # Before an answer: the stability and consensus figures, not the curves that answer.
    assert len(at.get("plotly_chart")) == 2
    figure_by_key(at, "fig_stability")
    assert not any(c.proto.id.endswith("-fig_error") for c in at.get("plotly_chart"))
    assert any(expected.question in m.value for m in at.markdown)
    wrong = next(label for label in expected.labels if label != expected.right_label)
    at = at.radio(key=choice_key("cr_elbow")).set_value(wrong).run()
    assert_clean(at)
    warnings = " ".join(w.value for w in at.warning)
    assert expected.verdict(wrong)[1] in warnings and "The answer is **At r = 4**" in warnings
    assert any(m.value == expected.explanation for m in at.markdown)
    assert len(at.get("plotly_chart")) == 4
    error_curve = figure_by_key(at, "fig_error")
    blue = next(t for t in error_curve["data"] if t.get("name") == "NMF, best restart")
    assert np.allclose(trace_array(blue, "y"), sweep.nmf_error)


def test_rank_controls_change_the_picture():
    at = open_page(PAGE)
    at.slider(key="cr_true_r").set_value(3)
    at.slider(key="cr_noise").set_value(0.5)
    at.slider(key="cr_max_r").set_value(5)
    at.slider(key="cr_restarts").set_value(4)
    at.run()
    assert_clean(at)
    sweep = _expected_sweep(planted_rank=3, noise=0.5, max_rank=5, restarts=4)
    assert _metric(at, "planted rank") == "3"
    assert _metric(at, "suggested rank") == str(sweep.suggested_rank)
    at.slider(key="cr_show_r").set_value(5).run()
    assert_clean(at)
    index = list(sweep.ranks).index(5)
    text = _markdown_containing(at, "At r = 5: cophenetic")
    assert f"dispersion = **{sweep.dispersion[index]:.3f}**" in text
    # A consensus rank above the largest rank tried is clamped to it.
    at.slider(key="cr_show_r").set_value(9).run()
    assert_clean(at)
    assert any("At r = 5: cophenetic" in m.value for m in at.markdown)


def test_consensus_rank_above_the_largest_tried_is_capped_and_said():
    at = open_page(PAGE, query={"cr_max_r": "5", "cr_show_r": "9", "cr_restarts": "3"})
    assert_clean(at)
    assert any("Only ranks up to 5 were tried" in c.value for c in at.caption)
    assert any(m.value.startswith("At r = 5:") for m in at.markdown)


def test_the_seed_changes_the_planted_data():
    at = open_page(PAGE, query={"seed": "3"})
    assert_clean(at)
    sweep = _expected_sweep(seed=3)
    index = list(sweep.ranks).index(sweep.suggested_rank)
    assert _metric(at, "best error") == f"{sweep.nmf_error[index]:.1%}"


def test_upload_good_then_bad_keeps_the_last_good_matrix():
    at = open_page(PAGE, query={"cr_source": "Upload a CSV"})
    assert_clean(at)
    assert any("No usable upload yet" in i.value for i in at.info)
    assert _metric(at, "planted rank") == "4"  # planted data meanwhile
    X = planted_clusters(30, 12, 3, noise=0.1, seed=5).X
    good = "\n".join(",".join(f"{v:.6f}" for v in row) for row in X).encode()
    at.file_uploader(key="cr_upload_r").set_value(("good.csv", good, "text/csv"))
    at.run()
    assert_clean(at)
    assert _metric(at, "planted rank") == "unknown"
    assert any("Your data: 30 points × 12 features" in c.value for c in at.caption)
    for name, data, message in [
        ("negative.csv", b"1,2,3\n4,-5,6\n7,8,9\n", "negative"),
        ("words.csv", b"1,2,3\n4,five,6\n", "not a number"),
        ("ragged.csv", b"1,2,3\n4,5\n", "different numbers of values"),
        ("binary.csv", b"\x00\x01\x02", "not a text CSV"),
        ("empty.csv", b"", "empty"),
        ("huge.csv", b"1,2,3\n4,5,6\n7,8,1e200\n", "overflows"),
    ]:
        at.file_uploader(key="cr_upload_r").set_value((name, data, "text/csv"))
        at.run()
        assert not at.exception
        assert len(at.error) == 1 and message in at.error[0].value
        # The last good matrix is still shown, and the page says so.
        assert any("Your data: 30 points × 12 features" in c.value for c in at.caption)
        assert any("Still showing the last good upload" in c.value for c in at.caption)
    tiny = b"1,2\n3,4\n"
    at.file_uploader(key="cr_upload_r").set_value(("tiny.csv", tiny, "text/csv"))
    at.run()
    assert not at.exception
    assert any("at least 3 rows and 3 columns" in e.value for e in at.error)
    assert _metric(at, "planted rank") == "4"


# ------------------------------------------------------------------ penalties tab


def _table_column(at, column: str) -> list[str]:
    table = at.table[0].value
    return table[column].tolist()


def _penalty_page(query: dict[str, str] | None = None):
    """The penalty tab with its checkpoint answered, so the table and figures are shown."""
    at = open_page(PAGE, query={"cr_part": "Penalties", **(query or {})})
    return answer_checkpoints(at, "cr_penalty_zeros")


def test_penalty_tab_shows_the_core_numbers():
    at = open_page(PAGE, query={"cr_part": "Penalties"})
    assert_clean(at)
    faces = load_faces()
    before = fit_with_penalties(faces, 8)
    after = fit_with_penalties(faces, 8, {"l1_W": 1.0, "l2_H": 1.0})
    expected = penalty_checkpoint(before, after, {"l1_W": 1.0, "l2_H": 1.0})
    # Before an answer: the question, not the table, the basis images or the sweep.
    assert not at.table and not at.get("plotly_chart")
    assert any(expected.question in m.value for m in at.markdown)
    assert "l1_W = 1 and l2_H = 1" in expected.question
    at = at.radio(key=choice_key("cr_penalty_zeros")).set_value(expected.right_label).run()
    assert_clean(at)
    successes = " ".join(box.value for box in at.success)
    assert "**Right.**" in successes and expected.verdict(expected.right_label)[1] in successes
    assert any(m.value == expected.explanation for m in at.markdown)
    assert len(at.get("plotly_chart")) == 2  # the basis images and the sweep
    without = _table_column(at, "without penalties")
    with_ = _table_column(at, "with penalties")
    assert without[:3] == [
        f"{before.relative_error:.2%}",
        f"{before.sparseness_W:.3f}",
        f"{before.sparseness_H:.3f}",
    ]
    assert with_[:3] == [
        f"{after.relative_error:.2%}",
        f"{after.sparseness_W:.3f}",
        f"{after.sparseness_H:.3f}",
    ]
    assert with_[5] == "8 of 8"
    # Nothing is switched off at the defaults, and the caption says so instead of "black tiles".
    assert any("All 8 basis vectors are still active" in c.value for c in at.caption)


def test_strong_l1_caption_and_table_count_the_same_switched_off_vectors():
    at = _penalty_page({"cr_pen_r": "16", "l1_w": "10", "l1_h": "0.03"})
    assert_clean(at)
    after = fit_with_penalties(load_faces(), 16, {"l1_W": 10.0, "l1_H": 0.03, "l2_H": 1.0})
    with_ = _table_column(at, "with penalties")
    assert with_[5] == f"{after.active} of 16"
    assert with_[3] == f"{after.zeros_W_active:.1%}" and with_[4] == f"{after.zeros_W:.1%}"
    off = 16 - after.active
    assert off > 0
    assert any(f"switched off {off} of the 16" in c.value for c in at.caption)
    assert any(f"{after.objective:.6g}" in c.value for c in at.caption)
    # Both factors are penalised by default: no rescaling warning.
    assert not at.info


def test_every_penalty_control_reruns_cleanly():
    at = _penalty_page()
    at.slider(key="cr_pen_r").set_value(5)
    at.select_slider(key="l1_h").set_value(0.1)
    at.select_slider(key="l1_w").set_value(3.0)
    at.select_slider(key="l2_h").set_value(0.0)
    at.select_slider(key="l2_w").set_value(0.3)
    at.run()
    assert_clean(at)
    after = fit_with_penalties(load_faces(), 5, {"l1_H": 0.1, "l1_W": 3.0, "l2_W": 0.3})
    assert _table_column(at, "with penalties")[0] == f"{after.relative_error:.2%}"
    at.selectbox(key="cr_sweep_p").set_value("l2_W").run()
    assert_clean(at)
    assert any("As l2_W grows" in c.value for c in at.caption)


def test_one_sided_penalty_warns_about_rescaling():
    at = open_page(PAGE, query={"cr_part": "Penalties", "l2_h": "0"})
    assert_clean(at)
    assert len(at.info) == 1 and "Only W is penalised" in at.info[0].value
    at.select_slider(key="l1_w").set_value(0.0)
    at.select_slider(key="l1_h").set_value(1.0).run()
    assert "Only H is penalised" in at.info[0].value


# ------------------------------------------------------------------ cost tab


def _cost_estimate(at) -> str:
    """The extrapolation sentence: markdown when the fit is good, a warning when it is not."""
    for element in [*at.markdown, *at.warning]:
        if "matrix at r =" in element.value and "iterations" in element.value:
            return element.value
    raise AssertionError("no extrapolation sentence on the page")


def test_cost_tab_numbers_are_consistent():
    at = open_page(PAGE, query={"cr_part": "Cost"})
    assert_clean(at)
    r_squared = float(_metric(at, "R²"))
    assert r_squared <= 1.0
    text = _cost_estimate(at)
    if r_squared >= RELIABLE_R_SQUARED:
        per_iteration, total = (float(x) for x in re.findall(r"\*\*([\d.e+-]+) s\*\*", text))
        assert total == pytest.approx(per_iteration * 500, rel=0.01)
        assert "unreliable" not in text
    else:  # a poor fit (a busy machine): a warning, no precise figure
        assert "unreliable" in text and f"R² = {r_squared:.3f}" in text
        assert "**" not in text.split("unreliable here**")[1]
    assert "100,000 × 1,000 matrix at r = 50" in text
    assert "ran NMF 48 times" in text
    # threadpoolctl is installed with the test extra, so the timings used one BLAS thread.
    assert "on one core of this machine" in text
    assert any("median of 3 runs of 10 iterations" in m.value for m in at.markdown)
    assert "0.8 GB" in _markdown_containing(at, "The data alone")


def test_every_cost_control_reruns_cleanly():
    at = open_page(PAGE, query={"cr_part": "Cost"})
    at.number_input(key="cr_big_n").set_value(2000)
    at.number_input(key="cr_big_k").set_value(500)
    at.number_input(key="cr_big_r").set_value(10)
    at.number_input(key="cr_big_it").set_value(100)
    at.run()
    assert_clean(at)
    text = _cost_estimate(at)
    assert "2,000 × 500 matrix at r = 10" in text and "100 iterations" in text
    assert "0.008 GB" in _markdown_containing(at, "The data alone")
    assert len(at.get("plotly_chart")) == 1
    at.button(key="cr_remeasure").click().run()
    assert_clean(at)
    # Time to convergence is the slow part: switched on last, with the fastest solver.
    at.selectbox(key="cr_solver_c").set_value("hals")
    at.toggle(key="cr_conv").set_value(True)
    at.run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 2  # per-iteration and to-convergence figures


def test_switching_tabs_through_session_state():
    at = open_page(PAGE)
    at.session_state["cr_part"] = "Cost"
    at.run()
    assert_clean(at)
    assert any("What it costs" in h.value for h in at.subheader)


# ------------------------------------------------------------------ URLs


def test_malformed_query_falls_back_to_defaults():
    at = open_page(
        PAGE,
        query={
            "cr_true_r": "banana",
            "cr_noise": "lots",
            "cr_max_r": "-3",
            "cr_restarts": "1e9",
            "cr_show_r": "x",
            "cr_source": "Nope",
            "cr_part": "Nowhere",
        },
    )
    assert_clean(at)
    # Out of range ("-3", "1e9"): the nearest valid value; junk: the default.
    expected = {**DEFAULT, "max_r": 3, "restarts": 20}
    for key in ("true_r", "noise", "max_r", "restarts", "show_r"):
        assert at.slider(key=f"cr_{key}").value == expected[key]
    assert _metric(at, "planted rank") == "4"


def test_malformed_penalty_query_falls_back_to_defaults():
    at = open_page(
        PAGE,
        query={
            "cr_part": "Penalties",
            "l1_w": "lots",
            "l2_h": "-1",
            "cr_pen_r": "eight",
            "cr_sweep_p": "l9",
        },
    )
    at = answer_checkpoints(at, "cr_penalty_zeros")  # the sweep's selectbox waits for it
    assert_clean(at)
    assert at.slider(key="cr_pen_r").value == DEFAULT["pen_r"]
    expected = {**DEFAULT, "l2_h": 0.0}  # "-1": the nearest weight on the scale
    for key in ("l1_h", "l1_w", "l2_h", "l2_w"):
        assert at.select_slider(key=key).value == expected[key]
    assert at.selectbox(key="cr_sweep_p").value == "l1_W"


def test_query_string_reproduces_a_setting():
    at = _penalty_page({"l1_w": "0.3", "cr_pen_r": "6"})
    assert_clean(at)
    assert at.select_slider(key="l1_w").value == 0.3
    assert at.slider(key="cr_pen_r").value == 6
    assert at.selectbox(key="cr_pen_data").value == "faces"
    assert np.isclose(
        float(_table_column(at, "with penalties")[0].rstrip("%")) / 100,
        fit_with_penalties(load_faces(), 6, {"l1_W": 0.3, "l2_H": 1.0}).relative_error,
        atol=1e-4,
    )


def test_faces_source_runs_without_a_known_rank():
    at = open_page(
        PAGE, query={"cr_source": "Faces (rank unknown)", "cr_max_r": "3", "cr_restarts": "2"}
    )
    assert_clean(at)
    assert _metric(at, "planted rank") == "unknown"
    assert at.slider(key="cr_true_r").disabled and at.slider(key="cr_noise").disabled
    assert any("Faces: 100 images × 625 pixels" in c.value for c in at.caption)
    assert not at.success and not at.warning


def test_image_patches_as_penalty_data():
    at = _penalty_page()
    at.selectbox(key="cr_pen_data").set_value("camera").run()
    assert_clean(at)

    X = image_patches(sample_image("camera"), size=12, count=500, seed=0)
    after = fit_with_penalties(X, 8, {"l1_W": 1.0, "l2_H": 1.0})
    assert _table_column(at, "with penalties")[0] == f"{after.relative_error:.2%}"
    assert any("12 × 12 images" in c.value for c in at.caption)


def test_query_string_picks_the_patch_data_and_the_solver():
    at = open_page(PAGE, query={"cr_part": "Penalties", "cr_pen_data": "coins patches"})
    assert_clean(at)
    assert at.selectbox(key="cr_pen_data").value == "coins"
    at = open_page(PAGE, query={"cr_part": "Cost", "cr_solver_c": "hals"})
    assert_clean(at)
    assert at.selectbox(key="cr_solver_c").value == "hals"


def test_lecture_mode_hides_the_long_explanations():
    normal = open_page(PAGE)
    lecture = open_page(PAGE, query={"lecture": "true"})
    assert_clean(lecture)
    marker = "Reading the stability curves"
    assert any(marker in m.value for m in normal.markdown)
    assert not any(marker in m.value for m in lecture.markdown)
    assert _metric(lecture, "suggested rank") == "4"
