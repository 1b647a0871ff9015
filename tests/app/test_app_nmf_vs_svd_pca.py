"""AppTest of the "NMF vs SVD vs PCA" page: every control, the CSV path, the numbers shown."""

from __future__ import annotations

import re

import numpy as np
import pytest
from apptest_support import assert_clean, open_page

from nmf_lab.demo_data import comparison_cloud, image_matrix
from nmf_lab.lessons.nmf_vs_svd_pca import compare, measure_table
from nmf_lab.uploads import parse_csv_matrix

PAGE = "app_pages/nmf_vs_svd_pca.py"
GOOD_CSV = b"a,b,c,d\n1,2,0,3\n2,1,1,0\n0,3,2,1\n4,0,1,2\n1,1,3,0\n2,2,0,1\n"


def _table(at):
    return at.table[0].value


def _markdown_with(at, needle):
    hits = [block.value for block in at.markdown if needle in block.value]
    assert hits, f"no markdown containing {needle!r}"
    return hits[0]


def _check_numbers(at, X, rank, seed=0, runs=4):
    """The table and the sentences on the page show what the core computes for X."""
    expected = compare(X, rank, seed=seed, n_restarts=runs, max_rank=8)
    table = _table(at)
    for row, values in measure_table(expected).items():
        assert list(table.loc[row]) == [values[m] for m in ("NMF", "SVD", "PCA")], row
    fair = _markdown_with(at, "A fair comparison")
    numbers = [float(x) / 100 for x in re.findall(r"= (\d+\.\d{2})%", fair)]
    at_r = expected.rank - 1
    curves = expected.curves
    assert numbers == pytest.approx(
        [curves.svd_next[at_r], curves.pca[at_r], curves.svd[at_r], curves.nmf[at_r]], abs=5e-5
    )
    assert numbers == sorted(numbers)  # the chain of ≤ the sentence states
    return expected


def test_default_view_shows_the_toy_cloud_numbers():
    at = open_page(PAGE)
    assert_clean(at)
    expected = _check_numbers(at, comparison_cloud(0), 3)
    sentence = _markdown_with(at, "NMF's matched basis vectors differ by up to")
    assert "ARPACK" in sentence
    assert f"{np.max(expected.restarts['NMF'].basis_angles):.1f}°" in sentence
    assert f"{np.max(expected.restarts['SVD'].subspace_angles):.1e}°" in sentence
    assert len(at.get("plotly_chart")) == 6
    assert at.table[0].value.loc["factors nonnegative?"].tolist() == ["yes", "no", "no"]
    # H and W of each method (and PCA's mean), each as CSV and NPY.
    assert len(at.get("download_button")) == 2 * (2 + 2 + 3)


@pytest.mark.parametrize(
    "query",
    [
        {"cmp_rank": "banana", "cmp_runs": "x", "cmp_data": "nope"},
        {"cmp_rank": "99", "cmp_runs": "-3"},
    ],
)
def test_malformed_query_falls_back_to_defaults(query):
    at = open_page(PAGE, query=query)
    assert_clean(at)
    # Out of range ("99", "-3"): the nearest valid value; junk: the default.
    out_of_range = "cmp_rank" in query and query["cmp_rank"] == "99"
    assert at.slider(key="cmp_rank").value == (16 if out_of_range else 3)
    assert at.slider(key="cmp_runs").value == (2 if out_of_range else 4)
    assert at.selectbox(key="cmp_data").value == "Toy cloud"


def test_query_string_reproduces_a_view():
    at = open_page(
        PAGE, query={"cmp_data": "Image", "cmp_image": "coins", "cmp_rank": "4", "cmp_runs": "3"}
    )
    assert_clean(at)
    assert at.selectbox(key="cmp_image").value == "coins"
    _check_numbers(at, image_matrix("coins"), 4, runs=3)


def test_every_control_changes_the_page():
    at = open_page(PAGE)
    at.slider(key="cmp_rank").set_value(5).run()
    assert_clean(at)
    assert any("r = 5" in h.value for h in at.subheader)
    at.slider(key="cmp_runs").set_value(3).run()
    assert_clean(at)
    _check_numbers(at, comparison_cloud(0), 5, runs=3)
    at.sidebar.number_input(key="seed").set_value(2).run()
    assert_clean(at)
    _check_numbers(at, comparison_cloud(2), 5, seed=2, runs=3)
    at.selectbox(key="cmp_data").set_value("Image").run()
    assert_clean(at)
    at.selectbox(key="cmp_image").set_value("moon").run()
    assert_clean(at)
    _check_numbers(at, image_matrix("moon"), 5, seed=2, runs=3)
    at.selectbox(key="cmp_data").set_value("Faces").run()
    assert_clean(at)
    assert any("100×625" in expander.label for expander in at.expander)
    explained = len(at.markdown)
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert_clean(at)
    assert len(at.markdown) < explained  # lecture mode hides the long explanations


def test_csv_upload_good_then_bad_keeps_the_last_good_matrix():
    at = open_page(PAGE, query={"cmp_data": "CSV upload"})
    assert_clean(at)
    assert any("No CSV yet" in info.value for info in at.info)  # toy cloud meanwhile
    _check_numbers(at, comparison_cloud(0), 3)

    at.file_uploader(key="cmp_upload").set_value(("good.csv", GOOD_CSV, "text/csv")).run()
    assert_clean(at)
    assert any("good.csv" in caption.value for caption in at.caption)
    _check_numbers(at, parse_csv_matrix(GOOD_CSV), 3)

    at.file_uploader(key="cmp_upload").set_value(("bad.csv", b"1,2\n3,-4\n", "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and "bad.csv" in at.error[0].value
    assert "negative" in at.error[0].value
    assert any("good.csv" in caption.value for caption in at.caption)
    _check_numbers(at, parse_csv_matrix(GOOD_CSV), 3)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"1,2\n3\n", "different numbers"),
        (b"\x00\x01\x02", "not a text CSV"),
        (b"0,0\n0,0\n", "nonzero"),
        (b"1,2,3\n", "at least 2 rows"),
    ],
)
def test_bad_csv_first_gets_a_message_and_the_toy_cloud(content, message):
    at = open_page(PAGE, query={"cmp_data": "CSV upload"})
    at.file_uploader(key="cmp_upload").set_value(("x.csv", content, "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    _check_numbers(at, comparison_cloud(0), 3)


def test_rank_above_the_data_size_is_capped_with_a_note():
    at = open_page(PAGE, query={"cmp_data": "CSV upload", "cmp_rank": "6"})
    at.file_uploader(key="cmp_upload").set_value(("good.csv", GOOD_CSV, "text/csv")).run()
    assert_clean(at)
    assert any("capped at r = 4" in info.value for info in at.info)
    assert "at full rank" in _markdown_with(at, "NMF's matched basis vectors")
    _check_numbers(at, parse_csv_matrix(GOOD_CSV), 4)


def test_the_sign_argument_is_only_claimed_when_it_applies():
    at = open_page(PAGE)
    assert "**positive everywhere**" in _markdown_with(at, "Here the first SVD basis vector")
    # Two features that are never nonzero together: the first SVD vector has a zero entry.
    disjoint = b"1,0\n0,2\n3,0\n0,1\n2,0\n"
    at = open_page(PAGE, query={"cmp_data": "CSV upload", "cmp_rank": "1"})
    at.file_uploader(key="cmp_upload").set_value(("disjoint.csv", disjoint, "text/csv")).run()
    assert_clean(at)
    sentence = _markdown_with(at, "Here the first SVD basis vector")
    assert "**not positive everywhere**" in sentence
    _check_numbers(at, parse_csv_matrix(disjoint), 1)


def test_swimmer_shows_the_three_methods_matched_to_the_true_parts():
    from nmf_lab.lessons.nmf_vs_svd_pca import fit_all
    from nmf_lab.lessons.swimmer import part_recovery, swimmer_images, swimmer_parts

    at = open_page(PAGE, query={"cmp_data": "Swimmer", "cmp_rank": "16", "cmp_runs": "2"})
    assert_clean(at)
    assert any("256×1024" in expander.label for expander in at.expander)
    sentence = _markdown_with(at, "Matched to the 16 true parts")
    for method, fit in fit_all(swimmer_images(), 16, seed=0).items():
        match = part_recovery(swimmer_parts(), fit.basis)
        assert f"{method} worst **{match.worst:.3f}**, median **{match.median:.3f}**" in sentence
    at.slider(key="cmp_rank").set_value(4).run()
    assert_clean(at)
    assert any("fewer basis rows than parts" in box.value for box in at.info)


# ---- checkpoints ----------------------------------------------------------------------------


def test_the_seeds_checkpoint_holds_back_the_second_run_until_answered():
    from app_pages._checkpoint import choice_key
    from nmf_lab.lessons.nmf_vs_svd_pca import seeds_checkpoint

    at = open_page(PAGE)
    assert len(at.get("plotly_chart")) == 6
    expected = seeds_checkpoint(
        compare(comparison_cloud(0), 3, seed=0, n_restarts=4).restarts["NMF"]
    )
    wrong = expected.labels[0]
    at.radio(key=choice_key("cmp_seeds")).set_value(wrong).run()
    assert_clean(at)
    warnings = " ".join(box.value for box in at.warning)
    assert expected.verdict(wrong)[1] in warnings
    assert f"The answer is **{expected.right_label}**" in warnings
    assert any(block.value == expected.explanation for block in at.markdown)
    # The answer's figure appears: run 1's and run 2's W side by side.
    assert len(at.get("plotly_chart")) == 7
    assert any("seed 0 (left) and seed 1 (right)" in caption.value for caption in at.caption)


def test_the_svd_gap_checkpoint_is_checked_at_rank_5_in_the_table():
    from app_pages._checkpoint import choice_key
    from nmf_lab.lessons.nmf_vs_svd_pca import svd_gap_checkpoint

    X = comparison_cloud(0)
    expected = svd_gap_checkpoint(compare(X, 3, seed=0, n_restarts=4).curves)
    at = open_page(PAGE)
    at.radio(key=choice_key("cmp_svd_gap")).set_value(expected.right_label).run()
    assert_clean(at)
    assert any("**Right.**" in box.value for box in at.success)
    at.slider(key="cmp_rank").set_value(5).run()
    assert_clean(at)
    # The answer stays (the question is about r = 5 whatever r is shown) and the table agrees.
    assert any(expected.explanation == block.value for block in at.markdown)
    at5 = compare(X, 5, seed=0, n_restarts=4)
    row = _table(at).loc["relative error ‖X − X̂‖_F / ‖X‖_F"]
    assert list(row) == [f"{100 * at5.fits[m].relative_error:.2f} %" for m in ("NMF", "SVD", "PCA")]
    assert f"NMF {at5.fits['NMF'].relative_error:.2%}" in expected.explanation


def test_a_second_visitor_gets_the_figures_drawn_for_the_first():
    from apptest_support import assert_a_second_visitor_draws_nothing

    assert_a_second_visitor_draws_nothing(PAGE, {"cmp_rank": "2", "cmp_runs": "3"})
