"""The lecture plan in the app: the default demos on their pages, the lecture bar, plan links.

Each default demo is opened the way its link opens it (the page with the demo's settings in the
query string): every setting must be taken by its widget and stay in the URL (Streamlit drops a
value that is invalid or equal to the default), and what the talking point says is read off the
page.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from apptest_support import APP, answer_checkpoints, assert_clean, open_page
from streamlit.testing.v1 import AppTest

from nmf_lab.lecture_plan import (
    Demo,
    Plan,
    decode_plan,
    default_plan,
    encode_plan,
)

PAGE_FILES = {
    "start": "app_pages/home.py",
    "change-of-basis": "app_pages/change_of_basis.py",
    "point-clouds": "app_pages/point_clouds.py",
    "factor-an-image": "app_pages/images.py",
    "watching-it-learn": "app_pages/watching_it_learn.py",
    "nmf-vs-svd-pca": "app_pages/nmf_vs_svd_pca.py",
    "choosing-r": "app_pages/choosing_r.py",
    "sounds": "app_pages/sounds.py",
    "stains": "app_pages/stains.py",
    "texts": "app_pages/texts.py",
}
DEMOS = default_plan().demos


def _metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label.startswith(label)]
    assert values, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return values[0]


def _param(at: AppTest, key: str) -> str | None:
    """A query parameter's value (AppTest keeps lists for values it was given, strings after)."""
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _percent(text: str) -> float:
    return float(text.rstrip("%").replace(",", ""))


def _frame(at: AppTest, column: str):
    for element in [*at.dataframe, *at.table]:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a column {column!r}")


def _check_basis(at):  # One point, two bases: the coordinates in B differ from P's.
    assert at.session_state["cob_p1"] == 1.0 and at.session_state["cob_p2"] == 2.5


def _check_product(at):  # X ≈ HW: built with r = 3, an error appears at r = 2.
    from nmf_lab.lessons.home import PLANTED_RANK

    assert PLANTED_RANK == 3
    assert _percent(_metric(at, "Relative error")) > 1.0


def _check_cone(at):  # 3-D, noise: some points fall outside the cone.
    far = _metric(at, "Points far outside the cone")
    assert int(far.split(" of ")[0]) > 0, far


def _check_restarts(at):  # six restarts, (almost) the same loss, different rays.
    at = answer_checkpoints(at, "pc_restarts")
    table = _frame(at, "seed")
    assert len(table) == 6
    losses = table["loss ‖X − HW‖²_F"].astype(float)
    assert losses.max() - losses.min() < 1e-6 * max(1.0, losses.max())
    angles = table[next(c for c in table.columns if c.startswith("largest angle"))]
    assert angles.astype(float).max() > 5.0


def _check_image(at):  # r(n + k) numbers; SVD's error is the floor.
    assert _metric(at, "Numbers stored by H and W") == f"{8 * (512 + 512):,}"
    assert _percent(_metric(at, "NMF relative error")) >= _percent(
        _metric(at, "SVD relative error")
    )


def _check_faces(at):  # NMF parts sparser than eigenfaces (mean Hoyer).
    table = _frame(at, "NMF part (Hoyer)")
    assert len(table) == 25
    assert table["NMF part (Hoyer)"].mean() > table["PCA eigenface (Hoyer)"].mean()


def _check_loss(at):  # HALS: the loss falls at every iteration.
    assert float(_metric(at, "Loss after").replace(",", "")) < float(
        _metric(at, "Loss at the start").replace(",", "")
    )
    race = _frame(at, "iterations where the loss went up").set_index("solver")
    assert int(race.loc["HALS", "iterations where the loss went up"]) == 0


def _check_comparison(at):  # signs; NMF error >= SVD's; NMF's basis moves with the seed.
    table = _frame(at, "NMF")
    assert table.loc["negative entries in W", "NMF"] == "0 %"
    assert table.loc["negative entries in W", "SVD"] != "0 %"
    assert table.loc["negative entries in W", "PCA"] != "0 %"
    errors = table.loc["relative error ‖X − X̂‖_F / ‖X‖_F"].map(
        lambda text: float(text.removesuffix(" %"))
    )
    assert errors["NMF"] >= errors["SVD"]
    spread = [m.value for m in at.markdown if "matched basis vectors differ by up to" in m.value]
    assert spread and float(re.search(r"\*\*([\d.]+)°\*\*", spread[0]).group(1)) > 1.0


def _check_rank(at):  # 3 planted clusters: the error bends at r = 3, r = 3 suggested, clean.
    assert _metric(at, "planted rank") == "3"
    assert _metric(at, "suggested rank") == "3"
    assert float(_metric(at, "cophenetic")) > 0.99
    at = answer_checkpoints(at, "cr_elbow")  # the error curve waits for the answer
    assert any(
        m.value.startswith("The blue line:") and "The elbow is at r = 3:" in m.value
        for m in at.markdown
    )


def _check_sounds(at):  # Frobenius: the soft D5 has no component of its own; KL finds all five.
    from nmf_lab.lessons import sounds as snd

    piece = snd.synthesize_piece()
    softest = snd.NOTES[int(np.argmin(snd.note_energy_shares(piece)))].name
    assert softest == "D5"
    own = _metric(at, "Notes with a component of their own")
    assert own == f"{snd.TRUE_RANK - 1} of {snd.TRUE_RANK}", own
    table = next(t.value for t in at.table if "activation correlation" in t.value.columns)
    row = table.set_index("note").loc[softest]
    assert float(row["activation correlation"]) < snd.RECOVERED_CORRELATION
    with_kl = snd.factor_piece(piece, snd.TRUE_RANK, loss="KL", seed=0)
    assert with_kl.notes_with_own_component() == snd.TRUE_RANK
    assert with_kl.recovery.recovered() == snd.TRUE_RANK


def _check_stains(at):  # r = 3: an exact fit, the third row far from eosin.
    from nmf_lab.lessons.stains import EXACT

    (warning,) = [box.value for box in at.warning if "from eosin" in box.value]
    error = float(re.search(r"error ([\d.]+)%", warning).group(1)) / 100
    angle = float(re.search(r"\*\*([\d.]+)°\*\* from eosin", warning).group(1))
    assert error < EXACT and angle > 20.0, (error, angle)


def _check_texts(at):  # r = 12: purity above r = 6's, NMI below its best.
    at = answer_checkpoints(at, "texts_one_each", "texts_purity_rank")
    explanation = next(b.value for b in at.markdown if b.value.startswith("On screen: purity"))
    numbers = re.search(
        r"purity ([\d.]+) at r = 6 and ([\d.]+) at r = 12; NMI ([\d.]+) and ([\d.]+)\. .*"
        r"highest at r = (\d+)",
        explanation,
    )
    assert numbers, explanation
    purity_6, purity_12, _, nmi_12, best = numbers.groups()
    assert float(purity_12) > float(purity_6)
    caption = next(c.value for c in at.caption if c.value.startswith("Purity and NMI"))
    highest = re.search(rf"NMI is highest at r = {best} \(([\d.]+)\)", caption)
    assert highest and int(best) < 12 and float(nmi_12) < float(highest.group(1)), caption
    sentence = next(b.value for b in at.markdown if "Each document goes to" in b.value)
    assert f"At r = 12: **purity {purity_12}**" in sentence


CHECKS = [
    _check_basis,
    _check_product,
    _check_cone,
    _check_restarts,
    _check_image,
    _check_faces,
    _check_loss,
    _check_comparison,
    _check_rank,
    _check_sounds,
    _check_stains,
    _check_texts,
]


def test_every_default_demo_has_a_check():
    assert len(CHECKS) == len(DEMOS)


@pytest.mark.parametrize("number", range(len(DEMOS)), ids=[d.title for d in DEMOS])
def test_default_demo_settings_hold_on_their_page_and_show_the_point(number):
    demo = DEMOS[number]
    at = open_page(PAGE_FILES[demo.url_path], query=dict(demo.settings), timeout=180)
    assert_clean(at)
    for key, value in demo.settings.items():
        # Kept in the URL: valid for its widget and not the widget's default.
        assert _param(at, key) == value, (key, _param(at, key))
        assert key in at.session_state
    CHECKS[number](at)


# ------------------------------------------------------------------ the lecture bar


def _app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    return at.run()


def _bar_text(at: AppTest) -> str:
    return " ".join(
        m.value for m in at.markdown if m.value.startswith(("**Demo ", "**Off the plan."))
    )


def test_the_bar_shows_only_in_lecture_mode():
    at = _app({})
    assert_clean(at)
    assert _bar_text(at) == ""
    assert at.button(key="lp_start").label == "Start the lecture"
    at = _app({"lecture": "true"})
    # On Home, not on demo 1's page (Change of basis): the bar says so, and the way to the
    # demo is open.
    assert DEMOS[0].url_path == "change-of-basis"
    assert _bar_text(at) == (
        f"**Off the plan.** Demo 1 of {len(DEMOS)}, *{DEMOS[0].title}*, is on Change of basis."
    )
    assert at.button(key="lp_prev").disabled
    assert not at.button(key="lp_next").disabled
    back = at.button(key="lp_back")
    assert not back.disabled and back.label == "Back to demo 1"
    # The talking point belongs to the demo's page.
    assert not any(c.value == DEMOS[0].talking_point for c in at.caption)
    back.click().run()
    assert_clean(at)
    assert _bar_text(at) == f"**Demo 1 of {len(DEMOS)}: {DEMOS[0].title}**"
    assert at.button(key="lp_back").label == "Back to this demo's settings"
    assert at.button(key="lp_back").disabled
    assert any(c.value == DEMOS[0].talking_point for c in at.caption)


def test_next_and_previous_open_the_demo_page_with_its_settings():
    at = _app({"lecture": "true"})
    at.button(key="lp_next").click().run()
    assert_clean(at)
    assert _bar_text(at).startswith(f"**Demo 2 of {len(DEMOS)}")
    assert at.session_state["home_rank"] == 2
    assert _param(at, "demo") == "2"
    at.button(key="lp_prev").click().run()
    assert_clean(at)
    assert _bar_text(at).startswith(f"**Demo 1 of {len(DEMOS)}")
    assert at.title[0].value == "Change of basis"
    assert at.session_state["cob_p1"] == 1.0
    assert at.button(key="lp_back").disabled  # on the demo itself


def test_a_damaged_plan_link_says_so_and_keeps_the_default_plan():
    at = _app({"lecture": "true", "plan": "1.this-is-not-a-plan"})
    assert not at.exception
    assert any("Could not open this lecture plan" in w.value for w in at.warning)
    assert _bar_text(at).startswith(f"**Off the plan.** Demo 1 of {len(DEMOS)}")


def test_a_shared_plan_opens_at_its_position():
    plan = Plan(
        "Two demos",
        (
            Demo("start", {"home_rank": "1"}, "Rank one", "One layer only."),
            Demo("change-of-basis", {"cob_n": "10"}, "Ten points", "A small cloud."),
        ),
    )
    at = _app({"lecture": "true", "plan": encode_plan(plan), "demo": "2"})
    assert_clean(at)
    # AppTest opens the link at Home; demo 2 is on Change of basis.
    assert _bar_text(at) == "**Off the plan.** Demo 2 of 2, *Ten points*, is on Change of basis."
    at.switch_page("app_pages/change_of_basis.py")
    at.run()
    assert _bar_text(at) == "**Demo 2 of 2: Ten points**"
    assert any(c.value == "A small cloud." for c in at.caption)
    assert at.button(key="lp_next").disabled


def test_add_this_view_captures_the_page_and_its_settings():
    at = _app({"home_rank": "4", "seed": "7"})
    at.button(key="lp_add").click().run()
    assert_clean(at)
    plan = decode_plan(_param(at, "plan"))
    assert len(plan) == len(DEMOS) + 1
    added = plan.demos[-1]
    assert added.url_path == "start"
    assert dict(added.settings) == {"home_rank": "4", "seed": "7"}
    at.button(key="lp_new").click().run()
    plan = decode_plan(_param(at, "plan"))
    assert len(plan) == 1 and plan.title == "My lecture"
