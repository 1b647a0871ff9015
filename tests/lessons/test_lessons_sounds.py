"""Sounds: the synthesised piece, NMF's recovery of its notes (over seeds), masks, diagnoses."""

from __future__ import annotations

import io
import wave
from functools import cache

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import nmf_core
from nmf_lab.lessons import sounds as snd

SEEDS = (0, 1, 2, 3)
LOUD = (0, 1, 2, 3)  # C4, E4, G4, A4
QUIET = 4  # D5


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@cache
def piece() -> snd.Piece:
    return snd.synthesize_piece()


@cache
def fit(rank: int, loss: str, seed: int = 0) -> snd.SoundFit:
    return snd.factor_piece(piece(), rank, loss=loss, seed=seed)


# ---- the piece ----------------------------------------------------------------------------------


def test_the_piece_has_the_shapes_of_its_docstring_and_is_deterministic():
    p = piece()
    samples = round(snd.SAMPLE_RATE * snd.DURATION)
    assert p.mix.shape == (samples,) and p.sources.shape == (5, samples)
    assert p.X.shape == (220, 129) and p.Z.shape == (220, 129)
    assert p.spectra.shape == (5, 129) and p.activations.shape == (220, 5)
    assert p.owner.shape == (220, 129) and set(np.unique(p.owner)) <= set(range(6))
    assert p.times.shape == (220,) and p.frequencies.shape == (129,)
    assert p.frequencies[-1] == snd.SAMPLE_RATE / 2
    assert np.allclose(p.spectra.max(axis=1), 1.0)
    assert np.array_equal(p.mix, snd.synthesize_piece().mix)
    assert np.allclose(p.mix, p.sources.sum(axis=0) + p.noise)
    assert np.all(p.X >= 0) and np.allclose(p.X, np.abs(p.Z))


def test_every_partial_lies_below_the_nyquist_frequency():
    # the module docstring: 8 kHz loses nothing of the notes
    highest = max(note.frequency for note in snd.NOTES) * snd.PARTIALS
    assert highest < snd.SAMPLE_RATE / 2


def test_every_note_overlaps_another_in_time():
    events = snd.SCORE
    for name, onset, length in events:
        others = [(o, n) for other, o, n in events if other != name]
        assert any(o < onset + length and onset < o + n for o, n in others), name


def test_d5_is_the_quiet_note_under_one_percent_of_the_energy():
    shares = snd.note_energy_shares(piece())
    assert shares.argmin() == QUIET
    assert shares[QUIET] < 0.01  # measured 0.66 %
    assert np.all(shares[list(LOUD)] > 0.15)
    assert shares.sum() <= 1.0


def test_true_activations_are_zero_where_the_note_is_silent():
    p = piece()
    for i, name in enumerate(p.names):
        playing = np.zeros(p.times.size, dtype=bool)
        for other, onset, length in snd.SCORE:
            if other == name:
                # a frame hears the note if its 32 ms window overlaps the event
                half = snd.N_FFT / snd.SAMPLE_RATE / 2
                playing |= (p.times + half > onset) & (p.times - half < onset + length)
        assert np.all(p.activations[~playing, i] < 1e-6 * p.activations[:, i].max())
        assert np.all(p.activations[playing, i][1:-1] > 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"score": (("B4", 0.0, 1.0),)},
        {"score": (("C4", 3.0, 1.0),)},
        {"score": (("C4", 0.0, 0.0),)},
        {"score": (("C4", 0.0, 1.0),)},  # E4... never played
        {"notes": (snd.NOTES[0], snd.NOTES[0]), "score": (("C4", 0.0, 1.0),)},
        {"noise_level": -1.0},
        {"noise_level": float("nan")},
    ],
)
def test_bad_pieces_are_refused(kwargs):
    with pytest.raises(ValueError):
        snd.synthesize_piece(**kwargs)


# ---- recovery at the true rank, over seeds -----------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_kl_recovers_every_note_at_the_true_rank(seed):
    shown = fit(snd.TRUE_RANK, "KL", seed)
    recovery = shown.recovery
    assert list(recovery.matched) == [0, 1, 2, 3, 4]  # reordered: component i is note i
    # measured over seeds 0-7: every activation correlation 0.991-0.998
    assert recovery.worst_correlation >= 0.98
    assert recovery.recovered() == 5
    # the loud notes' spectra: cosines 0.990-0.999; D5's row of W carries some C4: 0.80
    assert np.all(recovery.spectrum_cosine[list(LOUD)] >= 0.98)
    assert recovery.spectrum_cosine[QUIET] >= 0.75
    assert shown.notes_with_own_component() == 5
    assert snd.diagnose(shown).clean


@pytest.mark.parametrize("seed", SEEDS)
def test_frobenius_from_the_same_start_misses_the_quiet_note(seed):
    shown = fit(snd.TRUE_RANK, "Frobenius", seed)
    recovery = shown.recovery
    # measured: the four loud notes 0.940-0.995, D5 0.085
    assert np.all(recovery.activation_correlation[list(LOUD)] >= 0.9)
    assert recovery.activation_correlation[QUIET] < 0.3
    assert shown.notes_with_own_component() == 4
    diagnosis = snd.diagnose(shown)
    # the page: the spare component goes to a loud note (split), D5 gets none
    assert [i for i, _ in diagnosis.split] and all(i in LOUD for i, _ in diagnosis.split)
    assert [i for i, _, _ in diagnosis.missing] == [QUIET]


def test_the_seed_changes_little_here():
    # the page: the seed only draws the small random fill of NNDSVDar
    for loss in snd.LOSSES:
        correlations = np.array(
            [fit(snd.TRUE_RANK, loss, s).recovery.activation_correlation for s in SEEDS]
        )
        assert np.ptp(correlations, axis=0).max() < 0.01


# ---- wrong ranks --------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", list(snd.LOSSES))
@pytest.mark.parametrize("seed", SEEDS)
def test_too_few_components_merge_notes(loss, seed):
    diagnosis = snd.diagnose(fit(2, loss, seed))
    assert diagnosis.merged  # one component holds two or more notes: you hear them together
    assert all(len(notes) >= 2 for _, notes in diagnosis.merged)
    assert QUIET in [i for i, _, _ in diagnosis.missing]
    # the quiet note mostly stays in the residual
    assert all(where == -1 for i, where, _ in diagnosis.missing if i == QUIET)


@pytest.mark.parametrize("loss", list(snd.LOSSES))
@pytest.mark.parametrize("seed", SEEDS)
def test_too_many_components_split_notes(loss, seed):
    diagnosis = snd.diagnose(fit(snd.MAX_RANK, loss, seed))
    assert diagnosis.split
    assert all(len(parts) >= 2 for _, parts in diagnosis.split)


def test_descriptions_say_what_the_diagnosis_found():
    small = fit(2, "KL")
    text = " ".join(snd.describe(snd.diagnose(small), small))
    assert "fewer components than the 5 notes" in text
    assert "Component 2 holds E4, A4 and G4 together: you hear all 3 in it." in text
    assert (
        "D5 has no component of its own: most of its energy (64 %) stays in the residual." in text
    )
    large = fit(snd.MAX_RANK, "KL")
    text = " ".join(snd.describe(snd.diagnose(large), large))
    assert "more components than the 5 notes" in text and "is split over components" in text
    right = fit(snd.TRUE_RANK, "KL")
    lines = snd.describe(snd.diagnose(right), right)
    assert lines[-1] == "Each of the 5 notes is the main sound of exactly one component."
    assert "Component 5 also carries some C4" in lines[0]


def test_component_labels_name_what_each_component_holds():
    right = fit(snd.TRUE_RANK, "KL")
    assert right.component_label(0) == "C4 (100 %)"
    assert right.component_label(4).startswith("D5 ")
    assert " + C4 " in right.component_label(4)
    assert fit(2, "KL").component_label(1).count("+") == 2
    assert [right.component_name(j) for j in range(5)] == ["C4", "E4", "G4", "A4", "D5+C4"]
    assert fit(2, "KL").component_name(1) == "E4+A4+G4"


def test_the_table_lists_every_note():
    shown = fit(3, "Frobenius")
    table = shown.table()
    assert table["note"] == list(piece().names)
    assert table["component"].count("none") == 2
    assert all(len(column) == 5 for column in table.values())
    comparison = snd.loss_comparison({"KL": fit(5, "KL"), "Frobenius": fit(5, "Frobenius")})
    assert comparison["KL"][-1] == "5 of 5" and comparison["Frobenius"][-1] == "4 of 5"


# ---- masks and resynthesis ----------------------------------------------------------------------


@pytest.mark.parametrize("rank,loss", [(2, "KL"), (5, "KL"), (5, "Frobenius"), (8, "KL")])
def test_components_and_residual_add_up_to_the_mix(rank, loss):
    shown = fit(rank, loss)
    p = piece()
    assert shown.components.shape == (rank, p.mix.size)
    assert np.allclose(shown.components.sum(axis=0) + shown.residual, p.mix, atol=1e-10)
    assert np.allclose(shown.energy.sum(axis=0).sum(), np.sum(_mask_energy(shown)))


def _mask_energy(shown: snd.SoundFit) -> np.ndarray:
    masks, residual = snd.soft_masks(piece().X, shown.H, shown.W)
    return np.concatenate([masks, residual[None]]) ** 2 * piece().X[None] ** 2


def test_soft_masks_are_shares_between_zero_and_one():
    shown = fit(5, "KL")
    p = piece()
    masks, residual = snd.soft_masks(p.X, shown.H, shown.W)
    assert masks.shape == (5, 220, 129) and residual.shape == (220, 129)
    assert masks.min() >= 0 and masks.max() <= 1 and residual.min() >= 0
    assert np.allclose(masks.sum(axis=0) + residual, 1.0)
    # where the model explains all of a cell, the components share it out entirely
    explained = shown.H @ shown.W >= p.X
    assert np.allclose(residual[explained], 0.0)


def test_resynthesize_matches_the_fit_and_an_exact_model_leaves_no_residual():
    p = piece()
    shown = fit(5, "KL")
    components, residual = snd.resynthesize(p.Z, shown.H, shown.W, p.mix.size)
    assert np.allclose(components, shown.components) and np.allclose(residual, shown.residual)
    # a rank-one model at or above X everywhere claims every cell: it is the whole mix
    ones = np.ones((p.X.shape[0], 1))
    alone, nothing = snd.resynthesize(p.Z, ones, np.full((1, p.X.shape[1]), p.X.max()), p.mix.size)
    assert np.allclose(nothing, 0.0, atol=1e-12)
    assert np.allclose(alone[0], p.mix, atol=1e-10)


def test_the_residual_is_well_below_the_mix_at_the_true_rank():
    # the page states the residual's level; measured -21 dB (KL), -22 dB (Frobenius)
    p = piece()
    for loss in snd.LOSSES:
        assert snd.level_db(fit(5, loss).residual, p.mix) < -15
    assert snd.level_db(fit(2, "KL").residual, p.mix) > snd.level_db(fit(5, "KL").residual, p.mix)
    assert snd.level_db(np.zeros(10), np.ones(10)) == float("-inf")
    assert snd.level_db(np.ones(10) / 10, np.ones(10)) == pytest.approx(-20.0)


def test_energy_table_rows_are_components_then_residual():
    shown = fit(3, "KL")
    assert shown.energy.shape == (4, 6)
    assert np.allclose(shown.contents.sum(axis=1), 1.0)
    assert np.allclose(shown.destinations.sum(axis=1), 1.0)
    assert shown.destinations.shape == (5, 4)


# ---- matching -----------------------------------------------------------------------------------


def test_matching_is_a_permutation_and_finds_a_shuffled_truth():
    p = piece()
    order = np.array([3, 0, 4, 1, 2])
    recovery = snd.match_notes(p.activations, p.spectra, p.activations[:, order], p.spectra[order])
    assert list(order[recovery.matched]) == [0, 1, 2, 3, 4]
    assert np.allclose(recovery.activation_correlation, 1.0)
    assert np.allclose(recovery.spectrum_cosine, 1.0)


def test_with_fewer_components_than_notes_some_notes_stay_unmatched():
    p = piece()
    recovery = snd.match_notes(p.activations, p.spectra, p.activations[:, :2], p.spectra[:2])
    assert list(recovery.matched) == [0, 1, -1, -1, -1]
    assert recovery.activation_correlation[2:].tolist() == [0, 0, 0]
    assert recovery.recovered() == 2


@pytest.mark.parametrize(
    "shapes",
    [((220, 5), (5, 129), (219, 5), (5, 129)), ((220, 5), (4, 129), (220, 5), (5, 129))],
)
def test_match_notes_refuses_shapes_that_do_not_fit(shapes):
    arrays = [np.ones(shape) for shape in shapes]
    with pytest.raises(ValueError, match="Shapes do not fit"):
        snd.match_notes(*arrays)


def test_soft_masks_refuse_bad_input():
    with pytest.raises(ValueError):
        snd.soft_masks(np.ones((4, 3)), np.ones((4, 2)), np.ones((2, 4)))
    with pytest.raises(ValueError):
        snd.soft_masks(np.ones((4, 3)), -np.ones((4, 2)), np.ones((2, 3)))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rank": 0},
        {"rank": snd.MAX_RANK + 1},
        {"rank": 2.5},
        {"rank": True},
        {"rank": 3, "loss": "IS"},
        {"rank": 3, "iterations": 0},
        {"rank": 3, "iterations": 1.5},
    ],
)
def test_factor_piece_refuses_bad_settings(kwargs):
    with pytest.raises(ValueError):
        snd.factor_piece(piece(), **kwargs)


# ---- sound files --------------------------------------------------------------------------------


def test_wav_bytes_keep_the_loudness_relative_to_the_peak():
    signal = np.array([0.0, 0.5, -1.0, 2.0])
    data = snd.wav_bytes(signal, peak=1.0)
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getframerate() == snd.SAMPLE_RATE and wav.getnchannels() == 1
        assert wav.getsampwidth() == 2 and wav.getnframes() == 4
        pcm = np.frombuffer(wav.readframes(4), dtype="<i2")
    assert pcm.tolist() == [0, 16384, -32767, 32767]  # 2.0 is clipped


@pytest.mark.parametrize(
    "signal,peak",
    [(np.ones((2, 3)), 1.0), (np.array([np.nan]), 1.0), (np.ones(3), 0.0), (np.ones(3), np.inf)],
)
def test_wav_bytes_refuse_bad_input(signal, peak):
    with pytest.raises(ValueError):
        snd.wav_bytes(signal, peak=peak)


def test_loss_sentences_say_what_each_loss_did():
    shares = snd.note_energy_shares(piece())
    at_true = snd.loss_sentences({"KL": fit(5, "KL"), "Frobenius": fit(5, "Frobenius")}, shares)
    assert at_true == [
        "KL gives 5 of the 5 notes a component of their own, Frobenius 4.",
        "The Frobenius fit leaves D5 (0.7 % of the energy) without a component and spends a "
        "component on A4 instead (split over components 4 and 5); KL gives D5 its own.",
    ]
    too_few = snd.loss_sentences({"KL": fit(2, "KL"), "Frobenius": fit(2, "Frobenius")}, shares)
    assert too_few == ["Both losses give 2 of the 5 notes a component of their own."]
    many = snd.loss_sentences({"KL": fit(8, "KL"), "Frobenius": fit(8, "Frobenius")}, shares)
    assert "splits C4, E4 and A4 over several components instead" in many[1]


# ---- checkpoints --------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", list(snd.LOSSES))
@pytest.mark.parametrize("seed", SEEDS)
def test_too_few_checkpoint_is_answered_by_a_merge(loss, seed):
    cp = snd.too_few_checkpoint(fit(2, loss, seed))
    assert cp.key == "sounds_too_few"
    assert cp.right_label == "At least one plays several notes at once"
    right, feedback = cp.verdict(cp.right_label)
    assert right and "holds" in feedback and "together" in feedback
    gone_right, gone = cp.verdict("Each plays one note; the other notes are gone")
    assert not gone_right and "Nothing is gone" in gone and "stays in the residual" in gone
    assert "With r = 2 there are fewer components than the 5 notes." in cp.explanation


def test_too_few_checkpoint_numbers_are_the_fits():
    cp = snd.too_few_checkpoint(fit(2, "KL"))
    # D5: 64 % of its energy stays in the residual; the hiss is under 1 % of any component
    assert "(D5: 64 % of its energy)" in cp.choices[0].feedback
    assert float(fit(2, "KL").contents[:, -1].max()) < 0.01
    assert "under 1 % of any component's energy" in cp.choices[2].feedback
    assert "component 2 holds E4, A4 and G4 together" in cp.choices[1].feedback


@pytest.mark.parametrize("loss", list(snd.LOSSES))
@pytest.mark.parametrize("seed", SEEDS)
def test_too_many_checkpoint_is_answered_by_a_split(loss, seed):
    large = fit(snd.MAX_RANK, loss, seed)
    cp = snd.too_many_checkpoint(large)
    assert cp.key == "sounds_too_many" and cp.right_label == "Split notes into pieces"
    assert "3 extra components" in cp.question
    # no component is silent: the quietest holds 0.8 % (KL) or more of the components' energy
    energy = large.energy[: large.rank].sum(axis=1)
    assert energy.min() / energy.sum() >= 0.005
    silent_right, silent = cp.verdict("Stay silent: every note already has a component")
    assert not silent_right and "the quietest component still holds" in silent


@pytest.mark.parametrize("seed", SEEDS)
def test_loss_checkpoint_follows_the_counts(seed):
    shares = snd.note_energy_shares(piece())
    at = {r: {loss: fit(r, loss, seed) for loss in snd.LOSSES} for r in (2, 5, 8)}
    assert snd.loss_checkpoint(at[5], shares).right_label == "KL"
    assert snd.loss_checkpoint(at[8], shares).right_label == "KL"
    same = snd.loss_checkpoint(at[2], shares)
    assert same.right_label == "The same number"
    assert "no room for every note" in same.verdict("The same number")[1]
    cp = snd.loss_checkpoint(at[5], shares)
    assert "(One note, D5, is quiet: 0.7 % of the energy.)" in cp.question
    assert "KL gives 5 of the 5 notes a component of their own, Frobenius 4" in cp.explanation


def test_checkpoints_refuse_the_wrong_side_of_the_true_rank():
    with pytest.raises(ValueError, match="fewer components"):
        snd.too_few_checkpoint(fit(5, "KL"))
    with pytest.raises(ValueError, match="more components"):
        snd.too_many_checkpoint(fit(5, "KL"))


def test_the_stopping_rule_the_page_states_is_the_solver_s():
    # the iterations help: "stops earlier once the loss changes by at most 0.001 % in an
    # iteration": a fit that stopped early ends with a relative change of at most TOL
    assert f"{100 * snd.TOL:g} %" == "0.001 %"
    shown = fit(5, "Frobenius")
    assert shown.n_iter < snd.DEFAULT_ITERATIONS
    result = nmf_core.nmf(
        piece().X, 5, solver="hals", init="nndsvdar", seed=0, max_iter=200, tol=snd.TOL
    )
    assert result.n_iter == shown.n_iter and result.converged
    change = abs(result.objectives[-2] - result.objectives[-1]) / result.objectives[-2]
    assert change <= snd.TOL


@pytest.mark.parametrize("seed", SEEDS)
def test_the_components_sound_like_the_notes_with_kl(seed):
    # measured (seeds 0-3): KL C4 16.8, E4 13.9, G4 11.8, A4 14.2, D5 4.2-4.3 dB;
    # Frobenius C4 18.1, E4 14.6, G4 12.6, A4 4.7 (split), D5 -9.6 dB (no component)
    kl = fit(snd.TRUE_RANK, "KL", seed).sound_snr
    assert np.all(kl[list(LOUD)] >= 10) and kl[QUIET] >= 3
    frobenius = fit(snd.TRUE_RANK, "Frobenius", seed).sound_snr
    assert frobenius[QUIET] < 0 < kl[QUIET]
    assert frobenius[3] < kl[3]  # the split A4 sounds worse


def test_sound_snr_is_the_db_ratio_and_refuses_bad_input():
    truth = np.array([1.0, -1.0, 1.0, -1.0])
    assert snd.sound_snr(truth, truth) == float("inf")
    assert snd.sound_snr(truth, 0.9 * truth) == pytest.approx(20.0)
    assert snd.sound_snr(truth, np.zeros(4)) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="different shapes"):
        snd.sound_snr(truth, truth[:3])
    with pytest.raises(ValueError, match="silent"):
        snd.sound_snr(np.zeros(4), truth)
    unmatched = fit(3, "KL")
    assert np.isneginf(unmatched.sound_snr[unmatched.recovery.matched < 0]).all()
    assert unmatched.table()["sound SNR (dB)"].count("–") == 2
