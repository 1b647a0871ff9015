"""AppTest of the Point clouds page: every control, the numbers it states, CSV uploads."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from apptest_support import (
    answer_checkpoints,
    assert_clean,
    figure_by_key,
    open_page,
    trace_array,
)
from scipy.optimize import nnls

from app_pages._checkpoint import choice_key
from nmf_core import SOLVERS, nmf
from nmf_lab.demo_data import make_cloud
from nmf_lab.lessons.point_clouds import pca_axes

PAGE = "app_pages/point_clouds.py"
DATA = Path(__file__).resolve().parents[1] / "data" / "clouds"
# The page's defaults (a change here must be a deliberate change of the page).
DEFAULT = {
    "preset": "cone",
    "dim": 2,
    "n_points": 150,
    "noise": 0.02,
    "planted_rays": 2,
    "rank": 2,
    "seed": 0,
}


def _metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def _markdown_containing(at, text: str) -> str:
    return next(m.value for m in at.markdown if text in m.value)


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def _far_count(X: np.ndarray, W: np.ndarray) -> int:
    """Points farther than 5% of the median length from the cone, with scipy's NNLS."""
    distances = np.array([nnls(W.T, x)[1] for x in X])
    return int(np.sum(distances > 0.05 * np.median(np.linalg.norm(X, axis=1))))


@pytest.fixture(scope="module")
def default_page():
    at = open_page(PAGE)
    assert_clean(at)
    return at


def test_default_page_states_the_right_numbers(default_page):
    at = default_page
    cloud = make_cloud(DEFAULT["preset"], dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    result = nmf(cloud.X, 2, solver="hals", init="nndsvda", seed=0, max_iter=400, tol=1e-7)
    loss = float(np.sum((cloud.X - result.H @ result.W) ** 2))
    assert float(_metric(at, "Loss")) == pytest.approx(loss, rel=1e-3)
    relative = np.sqrt(loss) / np.linalg.norm(cloud.X)
    assert _metric(at, "Relative error") == f"{relative:.2%}"
    assert _metric(at, "Points far outside") == f"{_far_count(cloud.X, result.W)} of 150"
    # Point 0 in the identity basis is row 0 of X.
    identity = at.table[0].value
    np.testing.assert_allclose(identity.iloc[:, 1].astype(float), cloud.X[0], atol=1e-4)
    coefficients = at.table[1].value.iloc[:, 1].astype(float).to_numpy()
    assert len(coefficients) == 2 and (coefficients >= 0).all()
    # Unit rays: H_0 W with the page's coefficients reproduces the stated reconstruction, and
    # with r = k the two walks end at the same point.
    unit_W = result.W / np.linalg.norm(result.W, axis=1, keepdims=True)
    stated = _numbers(_markdown_containing(at, "Reconstruction").split("=")[1])[:2]
    np.testing.assert_allclose(stated, coefficients @ unit_W, atol=2e-3)
    np.testing.assert_allclose(stated, cloud.X[0], atol=2e-3)


@pytest.fixture(scope="module")
def restarts_answered():
    at = answer_checkpoints(open_page(PAGE), "pc_restarts")
    assert_clean(at)
    return at


def test_the_restarts_wait_for_a_prediction(default_page, restarts_answered):
    assert len(default_page.table) == 2, "only the two bases of the picked point"
    with pytest.raises(AssertionError, match="found 0"):
        figure_by_key(default_page, "pc_fig_restarts")
    assert len(restarts_answered.table) == 3
    assert figure_by_key(restarts_answered, "pc_fig_restarts") is not None


def test_rank_one_checkpoint_counts_what_the_page_shows_at_r_1():
    at = open_page(PAGE, query={"pc_restarts": "2"})
    radio = at.radio(key=choice_key("pc_rank_one"))
    at = radio.set_value(radio.options[0]).run()
    explanation = _markdown_containing(at, "At r = 1 on this cloud")
    stated = re.search(r"\*\*(\d+) of 150\*\*", explanation).group(1)
    at = at.slider(key="pc_rank").set_value(1).run()
    assert_clean(at)
    assert _metric(at, "Points far outside") == f"{stated} of 150"
    assert int(stated) > 75, "the default cloud fills a wedge: most points miss one ray"


def test_restart_table_losses_are_nearly_equal_and_the_cones_differ(restarts_answered):
    at = restarts_answered
    cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    table = at.table[2].value
    assert table["seed"].tolist() == ["0", "1", "2", "3"]
    losses = table["loss ‖X − HW‖²_F"].astype(float).to_numpy()
    relative = np.array([float(v.rstrip("%")) / 100 for v in table["relative error"]])
    # The two columns agree with each other for this X: relative = sqrt(loss) / ‖X‖_F.
    np.testing.assert_allclose(relative, np.sqrt(losses) / np.linalg.norm(cloud.X), atol=6e-5)
    assert relative.max() < 0.01
    spread = table.iloc[:, 4].astype(float).to_numpy()
    assert spread[0] == 0.0 and spread.max() > 5.0
    for seed_text, angles_text in zip(table["seed"], table["ray angles to x₁ (°)"], strict=True):
        result = nmf(cloud.X, 2, init="random", seed=int(seed_text), max_iter=200, tol=1e-6)
        expected = np.sort(np.degrees(np.arctan2(result.W[:, 1], result.W[:, 0])))
        np.testing.assert_allclose(_numbers(angles_text), expected, atol=0.06)


def test_stretch_keeps_the_loss_and_nonnegativity(default_page):
    text = _markdown_containing(default_page, "Loss before")
    before, after = (float(x) for x in re.findall(r"\*\*([^*]+)\*\*", text))
    assert before == pytest.approx(after, rel=1e-5)
    smallest = _numbers(text.split(";")[1].replace("H′", "").replace("W′", ""))
    assert len(smallest) == 2 and min(smallest) >= 0
    t, low, high = _numbers(text.split("Loss before")[0])
    # The default slider position (+1) opens the cone as far as W allows.
    assert low <= 0 < high and t == high
    # "a penalty can [tell them apart]": the stated sizes, recomputed from the stretch by hand.
    sizes = _markdown_containing(default_page, "a penalty can")
    size_before, size_after = (float(x) for x in re.findall(r"\*\*([^*]+)\*\*", sizes))
    cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    result = nmf(cloud.X, 2, seed=0, max_iter=400, tol=1e-7)
    lengths = np.linalg.norm(result.W, axis=1)
    H, W = result.H * lengths, result.W / lengths[:, None]
    Q = (1 + t) * np.eye(2) - t / 2 * np.ones((2, 2))
    H_twin, W_twin = H @ np.linalg.inv(Q), Q @ W
    assert size_before == pytest.approx(np.sum(H**2) + np.sum(W**2), rel=1e-3)
    assert size_after == pytest.approx(np.sum(H_twin**2) + np.sum(W_twin**2), rel=1e-2)
    assert abs(size_before - size_after) > 0.01 * size_before


def test_every_control_changes_and_reruns_cleanly():
    at = open_page(PAGE)
    changes = [
        ("selectbox", "pc_preset", "separable"),
        ("radio", "pc_dim", 3),
        ("slider", "pc_rank", 3),
        ("slider", "pc_planted", 3),
        ("slider", "pc_n", 60),
        ("slider", "pc_noise", 0.1),
        ("toggle", "pc_recon", False),
        ("toggle", "pc_pca", True),
        ("number_input", "pc_point", 7),
        ("slider", "pc_restarts", 2),
        ("slider", "pc_stretch", -1.0),
        ("slider", "pc_spa_step", 3),
        ("selectbox", "pc_preset", "clusters"),
        ("selectbox", "pc_preset", "no_cone"),
        ("slider", "pc_rank", 1),
        ("radio", "pc_dim", 2),
        ("slider", "pc_stretch", 0.0),
    ]
    for kind, key, value in changes:
        getattr(at, kind)(key=key).set_value(value)
        at.run()
        assert_clean(at)
        assert getattr(at, kind)(key=key).value == value
    assert _metric(at, "Points far outside").endswith("of 60")
    assert any("PCA:" in m.value for m in at.markdown)
    at.sidebar.number_input(key="seed").set_value(5)
    at.run()
    assert_clean(at)


@pytest.mark.parametrize("solver", SOLVERS)
def test_each_solver_runs(solver):
    at = open_page(PAGE, query={"pc_solver": solver, "pc_restarts": "2"})
    assert_clean(at)
    assert at.selectbox(key="pc_solver").value == solver


def test_each_init_runs_in_3d():
    at = open_page(PAGE, query={"pc_dim": "3-D", "pc_rank": "3", "pc_restarts": "2"})
    for init in ("random", "nndsvd", "nndsvdar", "spa", "nndsvda"):
        at.selectbox(key="pc_init").set_value(init)
        at.run()
        assert_clean(at)


def test_spa_recovers_the_planted_points_on_noiseless_separable_data():
    at = open_page(
        PAGE,
        query={
            "pc_preset": "Separable",
            "pc_noise": "0.0",
            "pc_dim": "3-D",
            "pc_planted": "3",
            "pc_rank": "3",
            "pc_restarts": "2",
        },
    )
    assert_clean(at)
    cloud = make_cloud("separable", dim=3, n_points=150, noise=0.0, rank=3, seed=0)
    picked = _markdown_containing(at, "SPA picked points")
    numbers = [int(x) for x in re.findall(r"\d+", picked.split(".")[0])]
    assert sorted(numbers) == sorted(cloud.extreme_rows.tolist())
    assert "**yes**" in _markdown_containing(at, "exactly the planted extreme points")
    angles = _numbers(
        picked.split("planted ray:")[1].split(".")[0]
        + "."
        + picked.split("planted ray:")[1].split(".")[1]
    )
    assert angles and max(angles) < 0.01
    assert _markdown_containing(at, "Points inside the SPA cone").count("150 of 150") == 1
    # The restart cones (exact fits) all contain the SPA rays: the SPA cone is the smallest.
    containment = _markdown_containing(at, "restart cones above contains the SPA rays")
    assert float(re.search(r"\*\*([\d.]+)%\*\*", containment).group(1)) < 0.1
    runs = [nmf(cloud.X, 3, init="random", seed=s, max_iter=200, tol=1e-6) for s in (0, 1)]
    for run in runs:
        distances = [nnls(run.W.T, cloud.X[i])[1] for i in cloud.extreme_rows]
        assert max(distances) < 1e-3


def test_pca_overlay_counts_axes_with_mixed_signs():
    at = open_page(PAGE, query={"pc_pca": "true"})
    assert_clean(at)
    cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    _, _, Vt = np.linalg.svd(cloud.X - cloud.X.mean(axis=0))
    mixed = sum((v > 1e-12).any() and (v < -1e-12).any() for v in Vt)
    text = _markdown_containing(at, "PCA:")
    assert f"**{mixed} of 2** axes have entries of both signs" in text
    # The crossing is claimed only when it can be seen (a share of the cloud's scale).
    axes = pca_axes(cloud.X)
    if axes.visibly_leaves.any():
        assert f"**{int(axes.visibly_leaves.sum())} of 2** drawn axes" in text
    else:
        assert "none of the drawn axes" in text and "visibly negative" not in text


def test_malformed_query_falls_back_to_defaults():
    at = open_page(
        PAGE,
        query={
            "pc_rank": "banana",
            "pc_planted": "[]",
            "pc_dim": "7",
            "pc_preset": "nope",
            "pc_noise": "x",
            "pc_n": "-5",
            "pc_solver": "zzz",
            "pc_point": "abc",
            "pc_stretch": "9",
            "pc_source": "ftp",
        },
    )
    assert_clean(at)
    assert at.slider(key="pc_rank").value == 2
    assert at.slider(key="pc_planted").value == DEFAULT["planted_rays"]
    assert at.radio(key="pc_dim").value == 2
    assert at.selectbox(key="pc_preset").value == "cone"
    assert at.slider(key="pc_n").value == 10  # out of range: the nearest valid value
    assert at.selectbox(key="pc_solver").value == "hals"
    assert at.radio(key="pc_source").value == "generated"


def test_large_point_index_is_clamped_to_the_cloud():
    at = open_page(PAGE, query={"pc_point": "9999", "pc_n": "50"})
    assert_clean(at)
    assert any("Point 49 in the identity basis" in m.value for m in at.markdown)
    note = " ".join(info.value for info in at.info)
    assert "no point 9999" in note and "50 points" in note and "point 49" in note


def test_an_index_in_range_shows_no_clamping_note():
    at = open_page(PAGE, query={"pc_point": "7"})
    assert_clean(at)
    assert not any("There is no point" in info.value for info in at.info)


def test_upload_good_then_bad_keeps_the_last_good_cloud():
    at = open_page(PAGE, query={"pc_source": "Upload CSV"})
    assert_clean(at)
    assert any("No usable file yet" in i.value for i in at.info)
    good = (DATA / "good_2d.csv").read_bytes()
    at.file_uploader(key="pc_upload").set_value(("good_2d.csv", good, "text/csv"))
    at.run()
    assert_clean(at)
    assert any("Showing **good_2d.csv**: 40 points in 2-D" in c.value for c in at.caption)
    assert _metric(at, "Points far outside").endswith("of 40")
    expected = np.loadtxt(DATA / "good_2d.csv", delimiter=",")
    np.testing.assert_allclose(at.table[0].value.iloc[:, 1].astype(float), expected[0], atol=1e-4)
    bad_files = {
        "negative.csv": "negative",
        "nan.csv": "NaN",
        "four_columns.csv": "4 columns",
        "words.csv": "not a number",
        "binary.csv": "not a text CSV",
        "empty.csv": "empty",
        "zeros.csv": "origin",
        "huge.csv": "overflows",
    }
    for name, message in bad_files.items():
        at.file_uploader(key="pc_upload").set_value((name, (DATA / name).read_bytes(), "text/csv"))
        at.run()
        assert not at.exception
        assert len(at.error) == 1 and message in at.error[0].value and name in at.error[0].value
        # The page keeps showing the last good upload.
        assert any("Showing **good_2d.csv**" in c.value for c in at.caption)
        assert _metric(at, "Points far outside").endswith("of 40")
    too_many = b"\n".join(b"1,2" for _ in range(3001))
    at.file_uploader(key="pc_upload").set_value(("big.csv", too_many, "text/csv"))
    at.run()
    assert len(at.error) == 1 and "limit" in at.error[0].value
    three_d = (DATA / "good_3d_header.csv").read_bytes()
    at.file_uploader(key="pc_upload").set_value(("good_3d_header.csv", three_d, "text/csv"))
    at.run()
    assert_clean(at)
    assert any("30 points in 3-D" in c.value for c in at.caption)


def test_bad_first_upload_shows_the_error_and_the_toy_cloud():
    at = open_page(PAGE, query={"pc_source": "Upload CSV"})
    at.file_uploader(key="pc_upload").set_value(
        ("negative.csv", (DATA / "negative.csv").read_bytes(), "text/csv")
    )
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "negative" in at.error[0].value
    assert any("No usable file yet" in i.value for i in at.info)
    assert _metric(at, "Points far outside").endswith("of 150")


def _shown_cloud(at) -> np.ndarray:
    """The points the page draws (inside and red traces of the cloud figure, put back in row
    order by their point index), as an (n, k) array."""
    figure = figure_by_key(at, "pc_fig_cloud")
    traces = [t for t in figure["data"] if t.get("name") in ("points X_i", "far outside the cone")]
    axes = ("x", "y", "z") if "z" in traces[0] else ("x", "y")
    rows = np.concatenate([trace_array(t, "customdata") for t in traces]).astype(int)
    points = np.concatenate(
        [np.column_stack([trace_array(t, axis) for axis in axes]) for t in traces]
    )
    return points[np.argsort(rows)]


@pytest.mark.parametrize(("dim", "planted"), [(2, 2), (3, 3)])
def test_changing_the_rank_never_redraws_the_cloud(dim, planted):
    # Only the data controls make the cloud; the rank r refits the same points.
    query = {"pc_dim": f"{dim}-D", "pc_planted": str(planted), "pc_restarts": "2"}
    at = open_page(PAGE, query=query)
    clouds = []
    for rank in range(1, dim + 1):
        at.slider(key="pc_rank").set_value(rank).run()
        assert_clean(at)
        clouds.append(_shown_cloud(at))
    expected = make_cloud("cone", dim=dim, n_points=150, noise=0.02, rank=planted, seed=0).X
    for shown in clouds:
        assert shown.tobytes() == clouds[0].tobytes()
        np.testing.assert_allclose(shown, expected, rtol=1e-12)


def test_the_data_controls_do_redraw_the_cloud():
    at = open_page(PAGE, query={"pc_restarts": "2"})
    before = _shown_cloud(at)
    at.slider(key="pc_planted").set_value(1).run()
    assert_clean(at)
    assert not np.array_equal(_shown_cloud(at), before)
    assert at.slider(key="pc_rank").value == DEFAULT["rank"]


def test_rank_one_turns_most_points_of_the_default_cloud_red():
    # "Lower r below the number of planted rays (r = 1 here): ... most points turn into red
    # crosses."
    assert DEFAULT["planted_rays"] > 1
    at = open_page(PAGE, query={"pc_rank": "1", "pc_restarts": "2"})
    assert_clean(at)
    assert any("r = 1 here" in m.value for m in at.markdown)
    cloud = make_cloud("cone", dim=2, n_points=150, noise=0.02, rank=2, seed=0)
    result = nmf(cloud.X, 1, seed=0, max_iter=400, tol=1e-7)
    far = _far_count(cloud.X, result.W)
    assert far > 150 / 2
    assert _metric(at, "Points far outside") == f"{far} of 150"


def test_in_3d_three_planted_rays_fall_off_a_two_ray_wedge():
    # "In 3-D, plant 3 rays and set r = 2: the cone flattens to a wedge and many points fall
    # off it" — many: at least a quarter, and far more than the noise alone pushes off.
    at = open_page(
        PAGE, query={"pc_dim": "3-D", "pc_planted": "3", "pc_rank": "2", "pc_restarts": "2"}
    )
    assert_clean(at)
    far = int(_metric(at, "Points far outside").split(" of ")[0])
    cloud = make_cloud("cone", dim=3, n_points=150, noise=0.02, rank=2, seed=0)
    flat = nmf(cloud.X, 2, seed=0, max_iter=400, tol=1e-7)
    assert far >= 150 / 4
    assert far > 2 * _far_count(cloud.X, flat.W)


def test_below_full_rank_the_reconstruction_is_nearly_the_closest_cone_point():
    # "points off it are reconstructed by (very nearly) their closest point in the cone"
    at = open_page(
        PAGE,
        query={
            "pc_dim": "3-D",
            "pc_rank": "2",
            "pc_noise": "0.1",
            "pc_point": "3",
            "pc_restarts": "2",
        },
    )
    assert_clean(at)
    text = _markdown_containing(at, "Reconstruction")
    residual = float(re.search(r"‖X_i − H_iW‖ = \*\*([\d.]+)\*\*", text).group(1))
    distance = float(re.search(r"cone of W = (\d+\.\d+)", text).group(1))
    assert residual > 0.01
    assert residual == pytest.approx(distance, abs=2e-3)


def test_lecture_mode_hides_the_long_explanations():
    at = open_page(PAGE, query={"lecture": "true", "pc_restarts": "2"})
    assert_clean(at)
    assert not any("Things to try" in m.value for m in at.markdown)
    assert any("Loss before" in m.value for m in at.markdown)


@pytest.mark.parametrize(("dim", "visible"), [(2, False), (3, True)])
def test_pca_orthant_claim_follows_the_spread_out_cloud(dim, visible):
    at = open_page(PAGE, query={"pc_pca": "true", "pc_preset": "Spread out", "pc_dim": f"{dim}-D"})
    assert_clean(at)
    cloud = make_cloud("no_cone", dim=dim, n_points=150, noise=0.02, rank=2, seed=0)
    axes = pca_axes(cloud.X)
    assert bool(axes.visibly_leaves.any()) is visible
    text = _markdown_containing(at, "PCA:")
    if visible:
        deepest = f"{-axes.depth_below_zero.max():.3g}"
        assert "visibly negative" in text and deepest in text
    else:
        assert "none of the drawn axes" in text
