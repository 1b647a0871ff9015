"""Change of basis page: coordinates that reconstruct P, singular bases, X = HW, rank-one
layers, and the spherical-harmonics aside (one-hot coefficients, stated errors)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from apptest_support import assert_clean, figure_by_key, open_page, trace_array

PAGE = "app_pages/change_of_basis.py"
ALL_KEYS = (
    "cob_point",
    "cob_cloud",
    "cob_product",
    "cob_layers",
    "cob_spheres",
    "cob_spectrum",
    "cob_sh_error",
)


def _latex_vectors(at) -> list[np.ndarray]:
    """The first pmatrix of each ``P = (…) B`` equation: the coordinates shown."""
    vectors = []
    for element in at.latex:
        first = re.search(r"\\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", element.value)
        vectors.append(np.array([float(v) for v in first.group(1).split("&")]))
    return vectors


def _shown_point_and_basis(at, dim):
    P = np.array([at.slider(key=f"cob_p{i + 1}").value for i in range(dim)])
    B = np.array(
        [
            [at.number_input(key=f"cob_b{i + 1}{j + 1}").value for j in range(dim)]
            for i in range(dim)
        ]
    )
    return P, B


def test_default_run_is_clean_and_draws_every_figure():
    at = open_page(PAGE)
    assert_clean(at)
    for key in ALL_KEYS:
        assert figure_by_key(at, key)["data"]


def test_default_coordinates_reconstruct_P():
    at = open_page(PAGE)
    P, B = _shown_point_and_basis(at, 2)
    identity_coords, basis_coords = _latex_vectors(at)
    np.testing.assert_allclose(identity_coords, P)
    # Shown to 2 decimals: c·B must give P back to that rounding (|B| ≤ 1 per entry here).
    np.testing.assert_allclose(basis_coords @ B, P, atol=0.005 * np.abs(B).sum(axis=0).max())
    # ...and agree with an independent inverse.
    np.testing.assert_allclose(basis_coords, P @ np.linalg.inv(B), atol=0.0051)
    (check,) = [c.value for c in at.caption if c.value.startswith("Check")]
    assert float(re.search(r"within ([0-9.e+-]+)", check).group(1)) < 1e-12


def test_every_control_of_the_point_section_in_3d():
    at = open_page(PAGE)
    at.radio(key="cob_dim").set_value(3).run()
    assert_clean(at)
    rng = np.random.default_rng(3)
    new_basis = np.round(np.eye(3) + 0.4 * rng.random((3, 3)), 2)
    for i in range(3):
        at.slider(key=f"cob_p{i + 1}").set_value(round(-1.2 + 0.9 * i, 1))
        for j in range(3):
            at.number_input(key=f"cob_b{i + 1}{j + 1}").set_value(float(new_basis[i, j]))
    at.run()
    assert_clean(at)
    P, B = _shown_point_and_basis(at, 3)
    np.testing.assert_allclose(B, new_basis)
    np.testing.assert_allclose(P, [-1.2, -0.3, 0.6])
    _, coords = _latex_vectors(at)
    np.testing.assert_allclose(coords, np.linalg.solve(B.T, P), atol=0.0051)
    # The 3-D drawing ends the coloured walk at P.
    walk = [t for t in figure_by_key(at, "cob_point")["data"] if t["name"].startswith("c3")]
    end = [trace_array(walk[0], axis)[-1] for axis in ("x", "y", "z")]
    np.testing.assert_allclose(end, P, atol=1e-9)


def test_singular_basis_gives_a_clear_error_and_the_page_keeps_working():
    at = open_page(PAGE, query={"cob_b11": "1", "cob_b12": "2", "cob_b21": "2", "cob_b22": "4"})
    assert not at.exception
    assert len(at.error) == 1 and "linearly dependent" in at.error[0].value
    assert len(_latex_vectors(at)) == 1  # only the identity equation
    for key in ALL_KEYS:  # everything else still drawn
        assert figure_by_key(at, key)["data"]
    # Fixing the basis clears the message.
    at.number_input(key="cob_b22").set_value(1.0).run()
    assert_clean(at)


def _product(at):
    traces = {t["name"]: trace_array(t) for t in figure_by_key(at, "cob_product")["data"]}
    return traces["X"], traces["H"], traces["W"]


def _stated(at, label: str) -> float:
    (metric,) = [m for m in at.metric if m.label.startswith(label)]
    return float(metric.value.rstrip("%")) / 100


@pytest.mark.parametrize(
    ("dim", "n", "rank", "noise"), [(2, 24, 2, 0.05), (3, 40, 3, 0.0), (3, 12, 1, 0.3)]
)
def test_cloud_error_and_layers_match_the_matrices_shown(dim, n, rank, noise):
    at = open_page(PAGE)
    at.radio(key="cob_dim").set_value(dim)
    at.slider(key="cob_n").set_value(n)
    at.slider(key="cob_rank").set_value(rank)
    at.slider(key="cob_noise").set_value(noise)
    at.run()
    assert_clean(at)
    X, H, W = _product(at)
    assert X.shape == (n, dim) and H.shape == (n, rank) and W.shape == (rank, dim)
    assert min(X.min(), H.min(), W.min()) >= 0
    error = np.linalg.norm(X - H @ W) / np.linalg.norm(X)
    assert abs(_stated(at, "Relative error") - error) <= 5e-5 + 1e-12
    layers = [trace_array(t) for t in figure_by_key(at, "cob_layers")["data"]]
    assert len(layers) == rank + 1
    np.testing.assert_allclose(sum(layers[:-1]), layers[-1], atol=1e-12)
    np.testing.assert_allclose(layers[-1], H @ W, atol=1e-9)
    for i in range(rank):
        np.testing.assert_allclose(layers[i], np.outer(H[:, i], W[i]), atol=1e-9)


@pytest.mark.parametrize("dim", [2, 3])
def test_changing_the_rank_never_redraws_the_cloud(dim):
    at = open_page(PAGE, query={"cob_dim": f"{dim}-D"})
    clouds, ranks = [], []
    for rank in range(1, dim + 1):
        at.slider(key="cob_rank").set_value(rank).run()
        assert_clean(at)
        X, H, _ = _product(at)
        clouds.append(X)
        ranks.append(H.shape[1])
    assert ranks == list(range(1, dim + 1))
    assert all(X.tobytes() == clouds[0].tobytes() for X in clouds)
    # The data controls do redraw it.
    at.slider(key="cob_planted").set_value(1).run()
    assert_clean(at)
    assert not np.array_equal(_product(at)[0], clouds[0])


def _unit_rows(W: np.ndarray) -> np.ndarray:
    return W / np.linalg.norm(W, axis=1, keepdims=True)


def test_at_the_defaults_the_learned_basis_is_far_from_the_identity():
    # The two plots must differ at the defaults: no row of W is close to an axis, and the
    # stated error is neither 0 % nor everything.
    at = open_page(PAGE)
    assert_clean(at)
    X, _, W = _product(at)
    closest_axis_distance = [
        min(np.linalg.norm(row - axis) for axis in np.eye(X.shape[1])) for row in _unit_rows(W)
    ]
    assert min(closest_axis_distance) > 0.3
    error = _stated(at, "Relative error")
    assert 0.05 < error < 0.5
    # The caption states the same distance (min over row orders of ‖W_unit − I[rows]‖).
    (caption,) = [c.value for c in at.caption if "from the nearest rows of the identity" in c.value]
    shown = float(re.search(r"\*\*([\d.]+)\*\*", caption).group(1))
    assert shown == pytest.approx(min(closest_axis_distance), abs=0.005)


def test_with_one_row_every_reconstruction_lies_on_its_ray():
    # Caption at r = 1: "each open circle (the reconstruction H_i W) lies on its ray".
    at = open_page(PAGE, query={"cob_rank": "1"})
    assert "lies on its ray" in " ".join(c.value for c in at.caption)
    _, H, W = _product(at)
    figure = figure_by_key(at, "cob_cloud")
    (circles,) = [t for t in figure["data"] if t.get("name") == "reconstructions H_i W"]
    drawn = np.column_stack([trace_array(circles, "x"), trace_array(circles, "y")])
    np.testing.assert_allclose(drawn, H @ W, atol=1e-12)
    ray = _unit_rows(W)[0]
    np.testing.assert_allclose(drawn[:, 0] * ray[1] - drawn[:, 1] * ray[0], 0.0, atol=1e-12)
    assert "the single layer is HW itself" in " ".join(c.value for c in at.caption)


def test_at_full_rank_the_page_says_when_nmf_returned_the_identity():
    at = open_page(PAGE, query={"cob_rank": "2"})
    assert_clean(at)
    *_, W = _product(at)
    is_identity = (
        min(np.linalg.norm(_unit_rows(W) - np.eye(2)[order]) for order in ([0, 1], [1, 0])) < 1e-6
    )
    text = " ".join(m.value for m in at.markdown)
    assert "Here r = k = 2" in text
    assert ("returned exactly that basis" in text) == is_identity
    assert _stated(at, "Relative error") < 1e-4


def test_rank_above_the_dimension_is_capped_with_a_note():
    at = open_page(PAGE, query={"cob_rank": "3"})
    assert_clean(at)
    assert any("at most 2" in info.value for info in at.info)
    assert _product(at)[1].shape[1] == 2


def _spectrum(at) -> np.ndarray:
    """Coefficient vector read back from the triangle heatmap (NaN cells dropped)."""
    grid = trace_array(figure_by_key(at, "cob_spectrum")["data"][0])
    return np.concatenate([row[~np.isnan(row)] for row in grid])


@pytest.mark.parametrize(("l", "m", "l_max"), [(2, 1, 4), (3, -2, 3), (0, 0, 0), (4, 4, 6)])
def test_pure_harmonic_has_one_hot_coefficients(l, m, l_max):  # noqa: E741
    at = open_page(PAGE)
    at.selectbox(key="cob_sh_f").set_value("Pure Y_l^m").run()
    at.slider(key="cob_sh_l").set_value(l)
    at.number_input(key="cob_sh_m").set_value(m)
    at.slider(key="cob_lmax").set_value(l_max)
    at.run()
    assert_clean(at)
    coefficients = _spectrum(at)
    assert coefficients.size == (l_max + 1) ** 2
    expected = np.zeros_like(coefficients)
    expected[l * l + l + m] = 1.0
    np.testing.assert_allclose(coefficients, expected, atol=1e-10)
    assert _stated(at, "Relative L² error") == 0.0


def test_pure_harmonic_above_l_max_is_not_captured_at_all():
    at = open_page(
        PAGE, query={"cob_sh_f": "Pure Y_l^m", "cob_sh_l": "5", "cob_sh_m": "0", "cob_lmax": "3"}
    )
    assert_clean(at)
    np.testing.assert_allclose(_spectrum(at), 0.0, atol=1e-10)
    assert _stated(at, "Relative L² error") == pytest.approx(1.0)


def test_impossible_order_is_explained_not_raised():
    at = open_page(PAGE, query={"cob_sh_f": "Pure Y_l^m", "cob_sh_l": "1", "cob_sh_m": "3"})
    assert not at.exception
    assert any("does not exist for degree" in e.value for e in at.error)
    assert figure_by_key(at, "cob_point")["data"]


@pytest.mark.parametrize("preset", ["Smooth bump", "Two bumps (signed)", "Polar cap (sharp edge)"])
def test_stated_sphere_error_matches_the_error_curve(preset):
    at = open_page(PAGE)
    at.selectbox(key="cob_sh_f").set_value(preset).run()
    at.slider(key="cob_lmax").set_value(5).run()
    assert_clean(at)
    curve = trace_array(figure_by_key(at, "cob_sh_error")["data"][0], "y")
    # The curve (Parseval) and the metric (rebuild and integrate) are computed independently.
    assert abs(_stated(at, "Relative L² error") - curve[5]) <= 5e-5 + 1e-9
    assert np.all(np.diff(curve) <= 1e-12)


def test_sharp_cap_still_rings_at_the_largest_l_max():
    # The caption says the sharp-edged cap "keeps ringing".
    at = open_page(PAGE, query={"cob_sh_f": "Polar cap (sharp edge)", "cob_lmax": "12"})
    assert_clean(at)
    assert _stated(at, "Relative L² error") > 0.1


def test_user_coefficients_are_the_coordinates_and_bad_input_keeps_the_last_good():
    at = open_page(PAGE)
    at.selectbox(key="cob_sh_f").set_value("Your coefficients").run()
    at.text_input(key="cob_sh_terms").input("1 -1 0.5; 2 2 -1.5").run()
    at.slider(key="cob_lmax").set_value(2).run()
    assert_clean(at)
    expected = np.zeros(9)
    expected[[1, 8]] = [0.5, -1.5]
    np.testing.assert_allclose(_spectrum(at), expected, atol=1e-10)
    at.text_input(key="cob_sh_terms").input("2 5 1.0").run()
    assert not at.exception
    assert any("impossible" in e.value for e in at.error)
    np.testing.assert_allclose(_spectrum(at), expected, atol=1e-10)


HOSTILE = {
    "cob_dim": "banana",
    "cob_p1": "<script>alert(1)</script>",
    "cob_lmax": "99",
    "cob_sh_f": "Teapot",
    "cob_b11": "nan",
    "cob_n": "1e309",
    "cob_rank": "-2",
    "cob_planted": "two",
    "cob_noise": "inf",
}


def test_malformed_query_string_falls_back_to_defaults():
    at = open_page(PAGE, query=HOSTILE)
    assert_clean(at)
    assert at.radio(key="cob_dim").value == 2
    assert at.slider(key="cob_p1").value == 2.0
    assert at.slider(key="cob_lmax").value == 12  # out of range: the nearest valid value
    assert at.selectbox(key="cob_sh_f").value == "Smooth bump"
    assert at.number_input(key="cob_b11").value == 1.0
    assert at.slider(key="cob_n").value == 24
    assert at.slider(key="cob_rank").value == 1  # out of range: the nearest valid value
    assert at.slider(key="cob_noise").value == 0.05
    assert at.slider(key="cob_planted").value == 2


def test_seed_changes_the_cloud():
    first = _product(open_page(PAGE))[0]
    at = open_page(PAGE)
    at.sidebar.number_input(key="seed").set_value(9).run()
    assert_clean(at)
    assert not np.allclose(_product(at)[0], first)


def test_lecture_mode_hides_explanations_but_keeps_figures_and_controls():
    def text(at):
        return " ".join(m.value for m in at.markdown)

    normal = open_page(PAGE)
    lecture = open_page(PAGE, query={"lecture": "true"})
    assert_clean(lecture)
    assert "linearly independent" in text(normal)
    assert "linearly independent" not in text(lecture)
    assert len(lecture.get("plotly_chart")) == len(normal.get("plotly_chart")) == 7
    assert len(lecture.slider) == len(normal.slider)


@pytest.mark.parametrize(("dim", "rank"), [("2-D", 1), ("3-D", 1), ("3-D", 2), ("3-D", 3)])
def test_cone_and_layer_captions_follow_rank_and_dimension(dim, rank):
    """Only the 2-D figure at r = 2 shades a cone; "1 layers" is never written."""
    at = open_page(PAGE, query={"cob_dim": dim, "cob_rank": str(rank)})
    assert_clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert "shaded cone" not in captions
    assert "1 layers" not in captions
    if rank > 1:
        assert f"the {rank} layers add up to HW" in captions


# ---- predict, then check


def test_doubled_row_checkpoint_is_judged_and_explained_with_the_basis_on_screen():
    from app_pages._checkpoint import choice_key
    from nmf_lab.lessons.change_of_basis.checkpoints import scaled_row_checkpoint

    at = open_page(PAGE)
    P, B = _shown_point_and_basis(at, 2)
    expected = scaled_row_checkpoint(P, B)
    at = at.radio(key=choice_key("cob_scaled_row")).set_value("c₁ doubles too").run()
    assert_clean(at)
    warnings = " ".join(box.value for box in at.warning)
    assert expected.verdict("c₁ doubles too")[1] in warnings
    assert f"The answer is **{expected.right_label}**" in warnings
    assert any(block.value == expected.explanation for block in at.markdown)
    # Doubling b₁ as asked halves c₁ in the equation shown.
    _, before = _latex_vectors(at)
    for j in range(2):
        at.number_input(key=f"cob_b1{j + 1}").set_value(float(2 * B[0, j]))
    at.run()
    assert_clean(at)
    _, after = _latex_vectors(at)
    np.testing.assert_allclose(after, [before[0] / 2, before[1]], atol=0.006)


def test_rank_up_checkpoint_is_right_at_the_defaults_and_r_2_shows_it():
    from app_pages._checkpoint import choice_key
    from nmf_lab.lessons.change_of_basis.checkpoints import rank_up_checkpoint

    at = open_page(PAGE)
    expected = rank_up_checkpoint(24, 2, 2, 0.05, 0)
    assert expected.right_label == "About 0 %"
    at = at.radio(key=choice_key("cob_rank_up")).set_value("About 0 %").run()
    assert_clean(at)
    successes = " ".join(box.value for box in at.success)
    assert "**Right.**" in successes and expected.verdict("About 0 %")[1] in successes
    at.slider(key="cob_rank").set_value(2).run()
    assert_clean(at)
    error_metric = next(m for m in at.metric if m.label.startswith("Relative error"))
    assert error_metric.value == "0.00%"
    assert any(block.value == expected.explanation for block in at.markdown), "answer kept"


def test_a_second_visitor_gets_the_figures_drawn_for_the_first():
    from apptest_support import assert_a_second_visitor_draws_nothing

    assert_a_second_visitor_draws_nothing(PAGE, {"cob_n": "17"})


def test_the_cloud_every_session_shares_cannot_be_modified():
    from app_pages.change_of_basis import fit_cloud

    fit = fit_cloud(12, 2, 2, 1, 0.1, 0)
    for shared in (fit.X, fit.H, fit.W):
        with pytest.raises(ValueError, match="read-only"):
            shared[0, 0] = 1.0
