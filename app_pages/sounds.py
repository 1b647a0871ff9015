"""Sounds: a synthesised piece of five notes, its spectrogram factored, each component heard.

Widgets -> ``nmf_lab.lessons.sounds`` -> ``nmf_lab.figures.sounds``. The piece is the same for
every visitor (computed once); each fit is shared per (rank, loss, seed, iterations), and so are
its figures, sounds and questions.
"""

from __future__ import annotations

import functools

import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._shared import (
    download_matrices,
    explain,
    seed,
    shared_figure,
    shared_result,
    shared_value,
    show_figure,
)
from app_pages._url_state import url_widget
from nmf_core import single_blas_thread
from nmf_lab.figures.sounds import activations_figure, spectra_figure, spectrogram_figure
from nmf_lab.lessons import sounds as snd

TOO_SMALL, TOO_LARGE = 2, snd.MAX_RANK


@shared_result(max_entries=1)
def piece() -> snd.Piece:
    return snd.synthesize_piece()


@shared_result(max_entries=32, show_spinner="Factoring the spectrogram…")
def fit(rank: int, loss: str, seed_value: int, iterations: int) -> snd.SoundFit:
    # One BLAS thread: the start's SVD and the small products lose more to waking threads on a
    # busy 2-core machine than they gain (measured: 0.9 s instead of 0.02 s under load).
    with single_blas_thread():
        return snd.factor_piece(piece(), rank, loss=loss, seed=seed_value, iterations=iterations)


def sounds_of(shown: snd.SoundFit) -> dict[str, bytes]:
    """WAV bytes of every component of ``shown`` and its residual, on the mix's scale."""

    def encode() -> dict[str, bytes]:
        peak = float(abs(piece().mix).max())
        wavs = {"residual": snd.wav_bytes(shown.residual, peak=peak)}
        for j, component in enumerate(shown.components):
            wavs[f"component {j + 1}"] = snd.wav_bytes(component, peak=peak)
        return wavs

    return shared_value(shown, "wavs", encode)


def play_components(shown: snd.SoundFit, wavs: dict[str, bytes], *, columns: int = 2) -> None:
    """One player per component (labelled with what it holds), then the residual.

    Row by row, so that on a phone, where columns stack, they still come in order.
    """
    level = shared_value(shown, "residual level", lambda: snd.level_db(shown.residual, piece().mix))
    players = [
        (f"**Component {j + 1}**: {shown.component_label(j)}", wavs[f"component {j + 1}"])
        for j in range(shown.rank)
    ]
    players.append(
        (
            f"**Residual** (mix minus the components): {-level:.0f} dB below the mix",
            wavs["residual"],
        )
    )
    for start in range(0, len(players), columns):
        row = players[start : start + columns]
        for slot, (label, sound) in zip(st.columns(columns)[: len(row)], row, strict=True):
            with slot:
                st.markdown(label)
                st.audio(sound, format="audio/wav")


the_piece = piece()
names = the_piece.names
shares = shared_value(the_piece, "energy shares", lambda: snd.note_energy_shares(the_piece))
quiet = int(shares.argmin())
quiet_onset = min(onset for name, onset, _ in snd.SCORE if name == names[quiet])

st.title("Sounds: hear the notes come apart")
st.markdown(
    f"A {snd.DURATION:g}-second piece played from {the_piece.n_notes} notes that overlap in "
    "time. Each row of $X$ is one time frame of its magnitude spectrogram, so in "
    "$X \\approx HW$ the rows of $W$ are spectra (what a note sounds like) and the columns of "
    "$H$ say when each one sounds. The notes were synthesised one by one, so the truth is "
    "known: NMF's answer can be checked note by note, and listened to."
)

st.subheader("The piece")
listen, notes_column = st.columns([2, 3])
with listen:
    st.markdown("**The mix**")
    mix_wav = shared_value(
        the_piece,
        "mix wav",
        lambda: snd.wav_bytes(the_piece.mix, peak=float(abs(the_piece.mix).max())),
    )
    st.audio(mix_wav, format="audio/wav")
with notes_column:
    st.markdown(
        "Notes: "
        + ", ".join(f"{note.name} ({note.frequency:.0f} Hz)" for note in snd.NOTES)
        + f". {names[quiet]} is played softly: {100 * shares[quiet]:.1f} % of the energy."
    )
show_figure(
    shared_figure(
        the_piece,
        "spectrogram",
        lambda: spectrogram_figure(the_piece.X, the_piece.times, the_piece.frequencies),
    ),
    f"The matrix X ({the_piece.X.shape[0]} frames × {the_piece.X.shape[1]} frequency bins), "
    "drawn with time to the right: each column of pixels is one row of X. Each note is a "
    "stack of bright horizontal lines, its partials at whole multiples of its lowest "
    "frequency, fading as the note decays. "
    f"{names[quiet]}'s lines are the faint ones from {quiet_onset:g} s on.",
    key="sounds_fig_spectrogram",
)

# ---- controls ---------------------------------------------------------------------------------
st.subheader("Factor it")
left, middle, right = st.columns(3)
rank = url_widget(
    left.slider,
    "Rank r (components)",
    1,
    snd.MAX_RANK,
    snd.TRUE_RANK,
    key="sounds_rank",
    bind="query-params",
    help=f"The piece has {snd.TRUE_RANK} notes; try fewer and more components.",
)
loss = url_widget(
    middle.radio,
    "Loss",
    list(snd.LOSSES),
    key="sounds_loss",
    bind="query-params",
    horizontal=True,
    help="KL: the generalised Kullback–Leibler divergence, with multiplicative updates. "
    "Frobenius: ‖X − HW‖²_F, with HALS.",
)
iterations = url_widget(
    right.slider,
    "Iterations (at most)",
    10,
    500,
    snd.DEFAULT_ITERATIONS,
    step=10,
    key="sounds_iters",
    bind="query-params",
    help=f"The solver stops earlier once the loss changes by at most {100 * snd.TOL:g} % in "
    "an iteration.",
)
other_loss = next(name for name in snd.LOSSES if name != loss)
shown = fit(rank, loss, seed(), iterations)
wavs = sounds_of(shown)
diagnosis = shared_value(shown, "diagnosis", lambda: snd.diagnose(shown))

st.subheader(f"What NMF found at r = {rank} with the {loss} loss")
recovered = shown.recovery.recovered()
own = shown.notes_with_own_component()
a, b, c = st.columns(3)
a.metric("Notes with a component of their own", f"{own} of {the_piece.n_notes}")
b.metric(
    f"Notes recovered (activation correlation ≥ {snd.RECOVERED_CORRELATION:g})",
    f"{recovered} of {the_piece.n_notes}",
)
c.metric("Relative error ‖X − HW‖_F / ‖X‖_F", f"{shown.relative_error:.2%}")
st.markdown("\n".join(f"- {line}" for line in snd.describe(diagnosis, shown)))
st.table(shared_value(shown, "table", shown.table))
st.caption(
    f"Each note is matched to one of the {rank} components by how well their activations "
    "correlate (an optimal one-to-one matching); the spectrum cosine compares the note's "
    "spectrum with the matched row of W; the sound SNR compares the component's sound with "
    "the note played alone (0 dB: the error is as loud as the note; 20 dB: a tenth of its "
    f"amplitude). {shown.n_iter} iterations ran."
    + (
        f" With {rank} components only {rank} notes can be matched."
        if rank < the_piece.n_notes
        else ""
    )
)

st.subheader("Listen")
st.caption(
    "Each component is the mix passed through its soft mask (its share of every "
    "time–frequency cell) and turned back into sound; all players share the mix's volume "
    "scale, so a quiet component sounds quiet."
)
play_components(shown, wavs)

labels = [shown.component_name(j) for j in range(rank)]
# The highest partial of any note, and a little room.
top_frequency = 1.05 * snd.PARTIALS * max(note.frequency for note in snd.NOTES)
show_figure(
    shared_figure(
        shown,
        "spectra",
        lambda: spectra_figure(
            the_piece.spectra,
            shown.W,
            the_piece.frequencies,
            names=names,
            labels=labels,
            max_frequency=top_frequency,
        ),
    ),
    f"Top: each note's true spectrum; bottom: the {rank} rows of W, numbered as the players "
    "above, each row scaled to its maximum. A note is a comb of partials; a row of W with two "
    "combs holds two notes.",
    key="sounds_fig_spectra",
)
show_figure(
    shared_figure(
        shown,
        "activations",
        lambda: activations_figure(
            the_piece.activations, shown.H, the_piece.times, names=names, labels=labels
        ),
    ),
    f"Top: when each note really sounds; bottom: the {rank} columns of H (drawn as rows, each "
    "scaled to its maximum). A component that "
    "lights up at two notes' times holds both; two components that light up together share "
    "one note.",
    key="sounds_fig_activations",
)

# ---- the other loss ---------------------------------------------------------------------------
st.subheader("KL or Frobenius?")
fits = {name: fit(rank, name, seed(), iterations) for name in snd.LOSSES}
# Either fit names the pair: the other one has the same rank, seed and iterations.
first_fit = fits[next(iter(snd.LOSSES))]
if checkpoint(
    shared_value(first_fit, "loss checkpoint", lambda: snd.loss_checkpoint(fits, shares))
):
    st.table(shared_value(first_fit, "loss comparison", lambda: snd.loss_comparison(fits)))
    st.caption(
        f"Activation correlation of each note with its matched component, both losses at r = "
        f"{rank} from the same start."
    )
    explain(
        "Why they differ: the Frobenius loss adds up *squared* errors, so the loud cells of the "
        "spectrogram dominate it and a quiet note hardly counts. The KL divergence "
        r"$\sum X \log(X / HW) - X + HW$ grows only linearly with the size of the entries, so "
        "quiet cells weigh relatively more; it is the usual choice for audio spectrograms."
    )

# ---- wrong ranks ------------------------------------------------------------------------------
st.subheader("Too few or too many components")
explain(
    f"The piece has {the_piece.n_notes} notes. Predict what NMF does with fewer and with more "
    f"components; your answer opens the components at r = {TOO_SMALL} and r = {TOO_LARGE} "
    f"({loss}, same start as above) to listen to. The rank slider above shows any other r."
)
for wrong, ask in ((TOO_SMALL, snd.too_few_checkpoint), (TOO_LARGE, snd.too_many_checkpoint)):
    other = fit(wrong, loss, seed(), iterations)
    if checkpoint(shared_value(other, ("checkpoint", ask.__name__), functools.partial(ask, other))):
        # What each component holds is in the checkpoint's explanation just above.
        st.markdown(f"**At r = {wrong}** ({loss}, same start): listen.")
        play_components(other, sounds_of(other))

# ---- downloads and notes ----------------------------------------------------------------------
with st.expander("Download the factors"):
    st.markdown(
        f"H is {shown.H.shape[0]}×{rank} (frames × components), W is {rank}×"
        f"{shown.W.shape[1]} (components × frequency bins of "
        f"{snd.SAMPLE_RATE / snd.N_FFT:g} Hz), in the order of the players above."
    )
    download_matrices({"H": shown.H, "W": shown.W}, prefix=f"sounds_r{rank}_{loss.lower()}")

explain(
    f"**How the piece is made.** {snd.SAMPLE_RATE // 1000} kHz mono; each note has six partials "
    "at whole multiples of its frequency, the higher ones weaker and fading faster, so a note "
    "darkens as it decays and is not exactly one spectrum times one envelope. A faint hiss "
    f"lies under everything. The STFT uses {snd.N_FFT}-sample Hann windows "
    f"({1000 * snd.N_FFT / snd.SAMPLE_RATE:.0f} ms) overlapping by half.\n\n"
    "**The truth.** A note's true spectrum is its own spectrogram summed over time; its true "
    "activation is its own spectrogram summed over frequency. A component *holds* a note when "
    f"at least {100 * snd.HOLD_SHARE:.0f} % of its energy lies in the cells where that note is the "
    "loudest sound.\n\n"
    r"**The masks.** Component $j$'s rank-one layer $h_j w_j$ claims the share "
    r"$M_j = h_j w_j / \max(X, HW)$ of every cell of the complex STFT; what no component "
    r"claims, $1 - \sum_j M_j$, is the residual. The components and the residual add up to "
    "the mix exactly, and each keeps the mix's phase.\n\n"
    "**The start.** NNDSVDa's start from the SVD with its zeros filled by small random "
    "numbers (NNDSVDar); the seed draws those numbers, so here it changes little."
)
