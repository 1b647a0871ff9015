"""AppTest of the Stains page: every control, the numbers in the text, links, downloads."""

from __future__ import annotations

import pytest
from apptest_support import answer_checkpoints, assert_clean, figure_by_key, open_page

from nmf_lab.lessons.stains import (
    eosin_absence,
    load_slide,
    reference_concentrations,
    stain_agreement,
    unmix_stains,
)

PAGE = "app_pages/stains.py"
# The checkpoints that hold back the triangle, the swatches and the table of stain colours.
GATES = ("stains_pair", "stains_absorbs")


def _open(query=None):
    """The page with the gating checkpoints answered, so every figure is shown."""
    return answer_checkpoints(open_page(PAGE, query=query), *GATES)


@pytest.fixture(scope="module")
def slide():
    image = load_slide()
    return image, reference_concentrations(image)


def _expected(slide, rank=2, sample_size=20_000, seed=0):
    image, maps = slide
    return unmix_stains(image, rank, sample_size=sample_size, seed=seed, reference_maps=maps)


def _markdown_with(at, needle):
    hits = [block.value for block in at.markdown if needle in block.value]
    assert hits, f"no markdown containing {needle!r}"
    return hits[0]


def _check_numbers(at, expected):
    table = at.table[0].value
    assert list(table.columns) == [f"row {i + 1} of W" for i in range(expected.rank)]
    assert table.loc["matched stain"].tolist() == list(expected.names)
    assert table.loc["angle"].tolist() == [f"{angle:.1f}°" for angle in expected.angles]
    assert table.loc["map correlation with rgb2hed"].tolist() == [
        f"{value:.2f}" for value in expected.map_correlations
    ]
    summary = _markdown_with(at, "the rows of W match")
    assert f"**{expected.relative_error:.2%}**" in summary


def test_before_the_answers_the_figures_that_give_them_away_wait(slide):
    at = open_page(PAGE)
    assert_clean(at)
    shown = [chart.proto.id for chart in at.get("plotly_chart")]
    assert len(shown) == 2
    assert any(key.endswith("-stains_fig_slide") for key in shown)
    assert any(key.endswith("-stains_fig_maps") for key in shown)
    assert not at.table, "the table of stain colours answers the 'absorbs' checkpoint"
    assert not [block for block in at.markdown if "the rows of W match" in block.value]
    at = answer_checkpoints(at, "stains_pair")
    assert len(at.get("plotly_chart")) == 3
    figure_by_key(at, "stains_fig_triangle")
    assert not at.table


def test_default_view_states_the_measured_angles(slide):
    at = _open()
    assert_clean(at)
    expected = _expected(slide)
    _check_numbers(at, expected)
    agreement = stain_agreement(expected)
    sentence = _markdown_with(at, "Closest to its reference")
    assert f"the **haematoxylin** row, **{expected.angle_to('haematoxylin'):.1f}°**" in sentence
    assert f"the **DAB** row, **{expected.angle_to('DAB'):.1f}°**" in sentence
    assert f"(correlation **{agreement.best_map[1]:.2f}**)" in sentence
    absence = eosin_absence(slide[1])
    assert f"**{absence.zero_share:.2%}**" in _markdown_with(at, "No eosin here")
    assert len(at.get("plotly_chart")) == 4
    assert not [box for box in at.warning if not box.value.startswith("**Not quite.**")]
    # H and W, each as CSV and NPY.
    assert len(at.get("download_button")) == 4
    triangle = figure_by_key(at, "stains_fig_triangle")
    assert any("segment" in caption.value for caption in at.caption)
    assert len([t for t in triangle["data"] if t.get("mode") == "lines"]) == 1


def test_rank_three_warns_that_the_third_row_is_not_eosin(slide):
    at = _open()
    at.slider(key="stains_rank").set_value(3).run()
    assert_clean(at)
    expected = _expected(slide, rank=3)
    _check_numbers(at, expected)
    (warning,) = [box for box in at.warning if "from eosin" in box.value]
    eosin = expected.names.index("eosin")
    assert f"**{expected.angles[eosin]:.1f}°** from eosin" in warning.value
    assert any("dotted triangle" in caption.value for caption in at.caption)


def test_rank_one_and_a_small_sample(slide):
    at = _open()
    at.slider(key="stains_rank").set_value(1).run()
    at.select_slider(key="stains_sample").set_value(5000).run()
    assert_clean(at)
    _check_numbers(at, _expected(slide, rank=1, sample_size=5000))
    assert not [block for block in at.markdown if "Closest to its reference" in block.value]
    assert any("r = 1" in caption.value for caption in at.caption)


def test_the_seed_draws_another_sample(slide):
    at = _open()
    at.number_input(key="seed").set_value(3).run()
    assert_clean(at)
    _check_numbers(at, _expected(slide, seed=3))


def test_a_shared_link_reproduces_the_view_and_a_hostile_one_opens_valid(slide):
    at = open_page(PAGE, query={"stains_rank": "3", "stains_sample": "50000"})
    assert_clean(at)
    assert at.slider(key="stains_rank").value == 3
    assert at.select_slider(key="stains_sample").value == 50000
    at = open_page(PAGE, query={"stains_rank": "99", "stains_sample": "banana"})
    assert not at.exception
    assert at.slider(key="stains_rank").value == 3
    assert at.select_slider(key="stains_sample").value == 20000


def test_lecture_mode_hides_the_long_explanations():
    at = open_page(PAGE, query={"lecture": "true"})
    assert_clean(at)
    assert not [block for block in at.markdown if "Why optical density" in block.value]


def test_answering_the_checkpoints_explains_with_the_numbers_on_screen(slide):
    from app_pages._checkpoint import choice_key

    at = open_page(PAGE)
    at.radio(key=choice_key("stains_absorbs")).set_value("Blue").run()
    at.radio(key=choice_key("stains_rank_three")).set_value("About 0%").run()
    assert_clean(at)
    (wrong,) = [w for w in at.warning if "Not quite" in w.value]
    assert "The answer is **Red**" in wrong.value
    assert any(s.value.startswith("**Right.**") for s in at.success)
    at_three = _expected(slide, rank=3)
    assert f"At r = 3 the error is {at_three.relative_error:.2%}" in _markdown_with(
        at, "At r = 3 the error is"
    )
