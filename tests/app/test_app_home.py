"""Home page: the one-picture product, its stated error, the learning path, the notation card."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from apptest_support import assert_clean, figure_by_key, open_page, plotly_figures, trace_array

PAGE = "app_pages/home.py"
ROOT = Path(__file__).resolve().parents[2]


def _shown_factors(at):
    traces = {t["name"]: trace_array(t) for t in plotly_figures(at)[0]["data"]}
    return traces["X"], traces["H"], traces["W"]


def _stated_error(at) -> float:
    (metric,) = [m for m in at.metric if "Relative error" in m.label]
    return float(metric.value.rstrip("%")) / 100


def test_default_run_is_clean_and_shows_a_nonnegative_product():
    at = open_page(PAGE)
    assert_clean(at)
    X, H, W = _shown_factors(at)
    assert X.shape == (8, 10) and H.shape == (8, 3) and W.shape == (3, 10)
    assert min(X.min(), H.min(), W.min()) >= 0


def _relative_error(X, H, W) -> float:
    return float(np.linalg.norm(X - H @ W) / np.linalg.norm(X))


@pytest.mark.parametrize(("rank", "noise"), [(3, 0.0), (1, 0.0), (5, 0.3)])
def test_stated_error_is_the_error_of_the_matrices_shown(rank, noise):
    at = open_page(PAGE)
    at.slider(key="home_rank").set_value(rank).run()
    at.slider(key="home_noise").set_value(noise).run()
    assert_clean(at)
    X, H, W = _shown_factors(at)
    assert H.shape[1] == rank
    # The metric is rounded to 0.01 %; the figure data must agree with it to that precision.
    assert abs(_stated_error(at) - _relative_error(X, H, W)) <= 5e-5 + 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_rank_without_noise_is_fitted_essentially_exactly(seed):
    # The text says so: r equal to the planted rank and no noise give an (almost) exact fit.
    at = open_page(PAGE, query={"seed": str(seed)})
    assert_clean(at)
    assert _relative_error(*_shown_factors(at)) < 1e-3


def test_too_small_a_rank_leaves_a_visible_error():
    at = open_page(PAGE, query={"home_rank": "1"})
    assert_clean(at)
    assert _relative_error(*_shown_factors(at)) > 0.02


def test_seed_changes_the_example():
    first = _shown_factors(open_page(PAGE))[0]
    at = open_page(PAGE)
    at.sidebar.number_input(key="seed").set_value(5).run()
    assert_clean(at)
    assert not np.allclose(_shown_factors(at)[0], first)


def test_query_string_sets_the_controls_and_bad_values_fall_back():
    at = open_page(PAGE, query={"home_rank": "2", "home_noise": "0.1"})
    assert at.slider(key="home_rank").value == 2
    assert at.slider(key="home_noise").value == pytest.approx(0.1)
    at = open_page(PAGE, query={"home_rank": "banana", "home_noise": "-3"})
    assert_clean(at)
    assert at.slider(key="home_rank").value == 3
    assert at.slider(key="home_noise").value == 0.0


def test_learning_path_links_every_other_page_of_the_app():
    app_source = (ROOT / "app.py").read_text(encoding="utf-8")
    url_paths = set(re.findall(r"url_path=\"([^\"]+)\"", app_source)) - {"start"}
    at = open_page(PAGE)
    linked = {link.proto.page for link in at.get("page_link")}
    assert url_paths <= linked, url_paths - linked


def test_notation_card_has_the_translation_table():
    at = open_page(PAGE)
    text = " ".join(m.value for m in at.markdown)
    for needle in ("components_", "fit_transform", "Lee & Seung", "Gillis", "W^\\top"):
        assert needle in text


def test_lecture_mode_hides_the_long_explanations():
    def text(at):
        return " ".join(m.value for m in at.markdown)

    normal = open_page(PAGE)
    lecture = open_page(PAGE, query={"lecture": "true"})
    assert_clean(lecture)
    assert "Read the picture row by row" in text(normal)
    assert "Read the picture row by row" not in text(lecture)
    # Figures and controls stay.
    assert len(plotly_figures(lecture)) == len(plotly_figures(normal)) >= 1
    assert lecture.slider(key="home_rank").value == 3


def test_notation_card_matches_scikit_learn():
    # The card says fit_transform gives our H (n×r) and components_ our W (r×k), with
    # X ≈ W_sk H_sk. Checked against scikit-learn itself on the matrix the page shows.
    from sklearn.decomposition import NMF

    X, _, _ = _shown_factors(open_page(PAGE))
    model = NMF(n_components=3, init="nndsvda", max_iter=2000, tol=1e-10, random_state=0)
    H_sk_side = model.fit_transform(X)
    assert H_sk_side.shape == (X.shape[0], 3)
    assert model.components_.shape == (3, X.shape[1])
    assert _relative_error(X, H_sk_side, model.components_) < 1e-2


def _residual_panels(at):
    traces = {t["name"]: t for t in figure_by_key(at, "home_residual")["data"]}
    return {name: trace_array(trace) for name, trace in traces.items()}, traces


@pytest.mark.parametrize(("rank", "noise"), [(3, 0.0), (1, 0.0), (2, 0.2)])
def test_residual_picture_is_x_hw_and_their_difference(rank, noise):
    at = open_page(PAGE, query={"home_rank": str(rank), "home_noise": str(noise)})
    assert_clean(at)
    X, H, W = _shown_factors(at)
    panels, traces = _residual_panels(at)
    np.testing.assert_allclose(panels["X"], X, atol=1e-12)
    np.testing.assert_allclose(panels["HW"], H @ W, atol=1e-12)
    np.testing.assert_allclose(panels["X − HW"], X - H @ W, atol=1e-12)
    # One colour bar for X and HW: the same scale on both, shown once.
    assert traces["X"]["zmax"] == traces["HW"]["zmax"] >= max(X.max(), (H @ W).max())
    assert traces["X"]["showscale"] is False
    assert traces["X − HW"]["zmid"] == 0


def test_residual_is_blank_at_the_planted_rank_and_appears_below_it():
    # Caption: "At r = 3 without noise the residual panel is blank; lower r and the error
    # appears in it" (red where HW is too small, blue where too large).
    exact = open_page(PAGE)
    panels, traces = _residual_panels(exact)
    scale = traces["X − HW"]["zmax"]
    assert "At r = 3 without noise the residual panel is blank" in " ".join(
        c.value for c in exact.caption
    )
    assert np.abs(panels["X − HW"]).max() < 0.01 * scale
    low = open_page(PAGE, query={"home_rank": "1"})
    residual = _residual_panels(low)[0]["X − HW"]
    assert np.abs(residual).max() > 0.1 * scale
    # Both signs occur, so both ends of the diverging scale are seen.
    assert residual.max() > 0.02 * scale and residual.min() < -0.02 * scale
