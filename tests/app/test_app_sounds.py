"""Sounds page: every control runs clean, the stated numbers are the lesson's, players for all."""

from __future__ import annotations

import pytest
from apptest_support import assert_clean, figure_by_key, open_page, trace_array

from app_pages._checkpoint import choice_key
from nmf_lab.lessons import sounds as snd

PAGE = "app_pages/sounds.py"


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _metric(at, start: str) -> str:
    (metric,) = [m for m in at.metric if m.label.startswith(start)]
    return metric.value


def _audio(at) -> list:
    return at.get("audio")


CHECKPOINTS = ("sounds_loss", "sounds_too_few", "sounds_too_many")


def _answer(at, key: str, label: str):
    at.radio(key=choice_key(key)).set_value(label).run()
    return at


def _answer_all(at):
    for key in CHECKPOINTS:
        label = at.radio(key=choice_key(key)).options[0]
        _answer(at, key, label)
    return at


def test_default_view_states_the_recovery_of_the_lesson():
    at = open_page(PAGE)
    assert_clean(at)
    piece = snd.synthesize_piece()
    fit = snd.factor_piece(piece, snd.TRUE_RANK, loss="KL")
    assert _metric(at, "Notes with a component") == "5 of 5"
    assert _metric(at, "Notes recovered") == f"{fit.recovery.recovered()} of 5" == "5 of 5"
    assert _metric(at, "Relative error") == f"{fit.relative_error:.2%}"
    text = _markdown(at)
    shares = snd.note_energy_shares(piece)
    assert f"D5 is played softly: {100 * shares[4]:.1f} % of the energy." in text
    for line in snd.describe(snd.diagnose(fit), fit):
        assert line in text
    level = snd.level_db(fit.residual, piece.mix)
    assert f"{-level:.0f} dB below the mix" in text
    # the mix, 5 components and the residual; the wrong ranks wait for their checkpoints
    assert len(_audio(at)) == 1 + 6
    assert all(element.proto.url for element in _audio(at))
    (table,) = at.table  # the loss comparison waits for its checkpoint too
    assert table.value["activation correlation"].tolist() == fit.table()["activation correlation"]
    drawn = [
        r.key.removeprefix(choice_key("")) for r in at.radio if r.key.startswith(choice_key(""))
    ]
    assert drawn == list(CHECKPOINTS)


def test_the_figures_show_the_rows_of_w_and_columns_of_h_of_the_fit():
    at = open_page(PAGE, query={"sounds_rank": "3"})
    assert_clean(at)
    fit = snd.factor_piece(snd.synthesize_piece(), 3, loss="KL")
    spectra = figure_by_key(at, "sounds_fig_spectra")
    learned = trace_array(spectra["data"][1])
    assert learned.shape == (3, 129)
    assert learned == pytest.approx(fit.W / fit.W.max(axis=1, keepdims=True), abs=1e-6)
    activations = figure_by_key(at, "sounds_fig_activations")
    assert trace_array(activations["data"][1]).shape == (3, 220)
    captions = " ".join(c.value for c in at.caption)
    assert "the 3 rows of W" in captions and "the 3 columns of H" in captions
    assert "With 3 components only 3 notes can be matched." in captions


@pytest.mark.parametrize("rank", [1, 2, 4, 6, 8])
def test_every_rank_runs_clean_and_the_headings_follow(rank):
    at = _answer_all(open_page(PAGE))
    at.slider(key="sounds_rank").set_value(rank).run()
    assert_clean(at)
    assert any(f"at r = {rank} with the KL loss" in h.value for h in at.subheader)
    # the mix, r components, the residual, and (answered) r = 2 and r = 8 with their residuals
    assert len(_audio(at)) == 1 + rank + 1 + 3 + 9
    fit = snd.factor_piece(snd.synthesize_piece(), rank, loss="KL")
    for line in snd.describe(snd.diagnose(fit), fit):
        assert line in _markdown(at)


def test_frobenius_loss_and_the_loss_comparison():
    at = open_page(PAGE)
    at.radio(key="sounds_loss").set_value("Frobenius").run()
    assert_clean(at)
    assert any("with the Frobenius loss" in h.value for h in at.subheader)
    assert _metric(at, "Notes with a component") == "4 of 5"
    _answer(at, "sounds_loss", "Frobenius")
    assert_clean(at)
    piece = snd.synthesize_piece()
    fits = {loss: snd.factor_piece(piece, 5, loss=loss) for loss in snd.LOSSES}
    for sentence in snd.loss_sentences(fits, snd.note_energy_shares(piece)):
        assert sentence in _markdown(at)
    assert "The answer is **KL**." in " ".join(w.value for w in at.warning)
    comparison = at.table[1].value
    assert comparison["KL"].tolist()[-1] == "5 of 5"
    assert comparison["Frobenius"].tolist()[-1] == "4 of 5"


@pytest.mark.parametrize("iterations", [10, 500])
def test_iterations_control_runs_clean(iterations):
    at = open_page(PAGE)
    at.slider(key="sounds_iters").set_value(iterations).run()
    assert_clean(at)
    fit = snd.factor_piece(snd.synthesize_piece(), 5, loss="KL", iterations=iterations)
    assert f"{fit.n_iter} iterations ran." in " ".join(c.value for c in at.caption)


def test_the_seed_from_the_sidebar_reaches_the_fit():
    at = open_page(PAGE, query={"seed": "3"})
    assert_clean(at)
    fit = snd.factor_piece(snd.synthesize_piece(), 5, loss="KL", seed=3)
    assert _metric(at, "Relative error") == f"{fit.relative_error:.2%}"


def test_a_hostile_link_opens_with_valid_settings():
    at = open_page(PAGE, query={"sounds_rank": "99", "sounds_loss": "IS", "sounds_iters": "inf"})
    assert_clean(at)
    assert at.slider(key="sounds_rank").value == snd.MAX_RANK
    assert at.radio(key="sounds_loss").value == "KL"
    assert 10 <= at.slider(key="sounds_iters").value <= 500


def test_downloads_offer_h_and_w_of_the_fit_shown():
    at = open_page(PAGE, query={"sounds_rank": "4", "sounds_loss": "Frobenius"})
    assert_clean(at)
    keys = {button.key for button in at.get("download_button")}
    for name in ("H", "W"):
        for kind in ("csv", "npy"):
            assert f"dl_sounds_r4_frobenius_{name}_{kind}" in keys
    assert "H is 220×4 (frames × components), W is 4×129" in _markdown(at)


def test_lecture_mode_hides_the_long_explanations():
    normal = open_page(PAGE)
    lecture = open_page(PAGE, query={"lecture": "true"})
    assert_clean(lecture)
    assert "**How the piece is made.**" in _markdown(normal)
    assert "**How the piece is made.**" not in _markdown(lecture)
    assert len(_audio(lecture)) == len(_audio(normal))


def test_checkpoints_are_judged_by_the_fits_on_screen():
    at = open_page(PAGE)
    piece = snd.synthesize_piece()
    small = snd.factor_piece(piece, 2, loss="KL")
    large = snd.factor_piece(piece, snd.MAX_RANK, loss="KL")
    expected = {
        "sounds_loss": "KL",
        "sounds_too_few": snd.too_few_checkpoint(small).right_label,
        "sounds_too_many": snd.too_many_checkpoint(large).right_label,
    }
    assert expected["sounds_too_few"] == "At least one plays several notes at once"
    assert expected["sounds_too_many"] == "Split notes into pieces"
    for key, label in expected.items():
        _answer(at, key, label)
        assert_clean(at)
    assert len(at.success) == 3 and not at.warning
    text = _markdown(at)
    assert "**At r = 2** (KL, same start): listen." in text
    assert "**At r = 8** (KL, same start): listen." in text
    for line in snd.describe(snd.diagnose(small), small):
        assert line in text
    assert len(_audio(at)) == 1 + 6 + 3 + 9


def test_a_wrong_prediction_gets_its_own_reason():
    at = _answer(
        open_page(PAGE), "sounds_too_many", "Stay silent: every note already has a component"
    )
    assert_clean(at)
    (warning,) = at.warning
    assert "NMF puts every component to use" in warning.value
    assert "The answer is **Split notes into pieces**." in warning.value
