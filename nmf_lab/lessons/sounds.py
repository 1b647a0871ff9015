"""Sounds: a short piece synthesised from a handful of notes, and NMF taking it apart again.

The piece (:func:`synthesize_piece`) is 3.5 s of 8 kHz mono audio played from five notes
(harmonic tones: six partials of decaying amplitude, the higher ones fading faster, with an
attack and a release), overlapping in time, over a faint hiss. One note, D5, is played much
softer than the others. The highest partial (D5's sixth, 3.5 kHz) lies below the 4 kHz
Nyquist frequency, so 8 kHz loses nothing and keeps the spectrogram small. Everything is
drawn in code and is deterministic: the truth is fixed, and the seed of the page only draws
the small random numbers of NMF's start.

Rows of ``X`` are the time frames of the magnitude spectrogram (``scipy.signal.stft``), so
``X`` is frames × frequency bins, the rows of ``W`` (r × bins) are note spectra and column
``j`` of ``H`` (frames × r) says when component ``j`` sounds. Because each note is known on
its own, so are the true spectra (each note's own spectrogram summed over time) and the true
activations (each note's own spectrogram summed over frequency: its envelope as the STFT sees
it).

After the factorisation (:func:`factor_piece`) each component is matched to one true note by
the correlation of its activation with the note's (Hungarian algorithm,
``scipy.optimize.linear_sum_assignment``), and resynthesised through a soft mask on the
complex STFT and the inverse STFT (:func:`resynthesize`). :func:`diagnose` says, from the
numbers, what a wrong rank does: too few components merge notes or leave them in the
residual, too many split a note or fit the hiss.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.signal import istft, stft

from nmf_core import nmf
from nmf_lab.checkpoints import Checkpoint, Choice

__all__ = [
    "DEFAULT_ITERATIONS",
    "DURATION",
    "HOLD_SHARE",
    "HOP",
    "LOSSES",
    "MAX_RANK",
    "NOTES",
    "N_FFT",
    "RECOVERED_CORRELATION",
    "SAMPLE_RATE",
    "SCORE",
    "TOL",
    "TRUE_RANK",
    "Note",
    "NoteRecovery",
    "Piece",
    "RankDiagnosis",
    "SoundFit",
    "describe",
    "diagnose",
    "energy_table",
    "factor_piece",
    "level_db",
    "loss_checkpoint",
    "loss_comparison",
    "loss_sentences",
    "match_notes",
    "note_energy_shares",
    "resynthesize",
    "soft_masks",
    "sound_snr",
    "synthesize_piece",
    "too_few_checkpoint",
    "too_many_checkpoint",
    "wav_bytes",
]

SAMPLE_RATE = 8_000
DURATION = 3.5
# 32 ms frames, half overlapping (a Hann window at 50 % overlap adds up to a constant, so the
# inverse STFT gives the signal back exactly): 220 frames × 129 bins of 31.25 Hz.
N_FFT = 256
HOP = N_FFT // 2
PARTIALS = 6
# Attack and release ramps and the decay time of the fundamental, in seconds; partial k
# decays (1 + BRIGHTNESS_DECAY·(k − 1)) times faster, so each note darkens as it fades.
ATTACK, RELEASE, DECAY_TIME, BRIGHTNESS_DECAY = 0.02, 0.05, 0.6, 0.5
PEAK = 0.8
NOISE_LEVEL = 0.003
NOISE_SEED = 2026
# The loss choices of the page: label -> (nmf_core loss, solver).
LOSSES = {"KL": ("kl", "mu"), "Frobenius": ("frobenius", "hals")}
DEFAULT_ITERATIONS = 200
# The solver stops once the objective changes by at most this share of itself in an iteration.
TOL = 1e-5
MAX_RANK = 8
# A component "holds" a note when at least this share of its energy lies where that note is
# the loudest source.
HOLD_SHARE = 0.2
# A note counts as recovered when its matched activation correlates at least this well.
RECOVERED_CORRELATION = 0.9


@dataclass(frozen=True)
class Note:
    """One note of the piece.

    Attributes
    ----------
    name : str
        Its name in scientific pitch notation (``"A4"`` is 440 Hz).
    frequency : float
        Fundamental in Hz.
    loudness : float
        Amplitude relative to the other notes (1 = loudest).
    rolloff : float
        Partial ``k`` (1-based) starts with amplitude ``rolloff**(k − 1)``: a small value is a
        dull timbre, a large one a bright timbre.
    """

    name: str
    frequency: float
    loudness: float
    rolloff: float


NOTES: tuple[Note, ...] = (
    Note("C4", 261.63, 1.0, 0.55),
    Note("E4", 329.63, 0.8, 0.70),
    Note("G4", 392.00, 1.0, 0.60),
    Note("A4", 440.00, 0.7, 0.75),
    Note("D5", 587.33, 0.2, 0.50),
)
#: The score: (note name, onset in s, length in s). Every note overlaps another.
SCORE: tuple[tuple[str, float, float], ...] = (
    ("C4", 0.0, 1.2),
    ("E4", 0.4, 1.0),
    ("G4", 0.8, 1.2),
    ("A4", 1.4, 1.0),
    ("C4", 1.8, 0.8),
    ("D5", 2.0, 1.2),
    ("E4", 2.6, 0.8),
    ("A4", 3.0, 0.5),
)
#: One component per note.
TRUE_RANK = len(NOTES)


def _spectrogram(signal: np.ndarray) -> np.ndarray:
    """Complex STFT, frames × bins (the transpose of scipy's bins × frames)."""
    return stft(signal, SAMPLE_RATE, nperseg=N_FFT, noverlap=N_FFT - HOP)[2].T


def _inverse(spectrogram: np.ndarray, length: int) -> np.ndarray:
    """Inverse STFT of a frames × bins complex spectrogram, cut to ``length`` samples."""
    signal = istft(spectrogram.T, SAMPLE_RATE, nperseg=N_FFT, noverlap=N_FFT - HOP)[1]
    return signal[:length]


def _note_signal(note: Note, onset: float, length: float, times: np.ndarray) -> np.ndarray:
    signal = np.zeros_like(times)
    playing = (times >= onset) & (times < onset + length)
    elapsed = times[playing] - onset
    ramps = np.minimum(elapsed / ATTACK, 1.0) * np.minimum((length - elapsed) / RELEASE, 1.0)
    for k in range(1, PARTIALS + 1):
        decay = np.exp(-elapsed * (1 + BRIGHTNESS_DECAY * (k - 1)) / DECAY_TIME)
        signal[playing] += (
            note.rolloff ** (k - 1) * np.sin(2 * np.pi * k * note.frequency * elapsed) * decay
        )
    signal[playing] *= note.loudness * ramps
    return signal


@dataclass(frozen=True)
class Piece:
    """The synthesised piece, its spectrogram and the truth about every note.

    ``m`` is the number of notes, ``n`` the number of STFT frames, ``k`` the number of
    frequency bins.

    Attributes
    ----------
    mix : ndarray, shape (samples,)
        What is heard: the notes plus the hiss.
    sources : ndarray, shape (m, samples)
        Each note alone (all its onsets), on the scale of the mix.
    noise : ndarray, shape (samples,)
        The hiss alone.
    names : tuple of str, length m
    Z : ndarray of complex, shape (n, k)
        STFT of the mix, one frame per row.
    X : ndarray, shape (n, k)
        ``|Z|``: the matrix NMF factors, rows are frames.
    spectra : ndarray, shape (m, k)
        True note spectra, each scaled to a maximum of 1 (compare with the rows of ``W``).
    activations : ndarray, shape (n, m)
        True activations: column ``i`` is note ``i``'s own magnitude spectrogram summed over
        frequency (compare with the columns of ``H``).
    owner : ndarray of int, shape (n, k)
        The loudest source in each time–frequency cell: ``i < m`` for note ``i``, ``m`` for
        the hiss.
    times : ndarray, shape (n,)
        Frame centres in seconds.
    frequencies : ndarray, shape (k,)
        Bin centres in Hz.
    """

    mix: np.ndarray
    sources: np.ndarray
    noise: np.ndarray
    names: tuple[str, ...]
    Z: np.ndarray
    X: np.ndarray
    spectra: np.ndarray
    activations: np.ndarray
    owner: np.ndarray
    times: np.ndarray
    frequencies: np.ndarray

    @property
    def n_notes(self) -> int:
        """Number of notes ``m``."""
        return len(self.names)


def synthesize_piece(
    *,
    notes: tuple[Note, ...] = NOTES,
    score: tuple[tuple[str, float, float], ...] = SCORE,
    noise_level: float = NOISE_LEVEL,
) -> Piece:
    """Play ``score`` with ``notes`` (deterministic: the hiss has a fixed seed).

    Parameters
    ----------
    notes : tuple of Note
        Each name must be unique and each note must be played at least once.
    score : tuple of (str, float, float)
        ``(note name, onset, length)`` in seconds, inside ``[0, DURATION]``.
    noise_level : float
        Standard deviation of the white hiss (the mix peaks at ``0.8``), ≥ 0.

    Returns
    -------
    Piece

    Raises
    ------
    ValueError
        An unknown note in the score, a note never played, repeated names, an event outside
        the piece, or a negative noise level.

    Examples
    --------
    >>> piece = synthesize_piece()
    >>> piece.X.shape, piece.spectra.shape, piece.activations.shape
    ((220, 129), (5, 129), (220, 5))
    """
    names = tuple(note.name for note in notes)
    if not names or len(set(names)) != len(names):
        raise ValueError(f"Need at least one note and unique names, got {names}.")
    for name, onset, length in score:
        if name not in names:
            raise ValueError(f"The score plays {name!r}, which is not one of the notes {names}.")
        if not (0 <= onset and length > 0 and onset + length <= DURATION + 1e-9):
            raise ValueError(
                f"The event ({name!r}, {onset}, {length}) does not fit in 0–{DURATION} s."
            )
    unplayed = [name for name in names if name not in {event[0] for event in score}]
    if unplayed:
        raise ValueError(f"Notes never played: {', '.join(unplayed)}.")
    if not (np.isfinite(noise_level) and noise_level >= 0):
        raise ValueError(f"noise_level must be a finite number ≥ 0, got {noise_level!r}.")

    times = np.arange(round(SAMPLE_RATE * DURATION)) / SAMPLE_RATE
    sources = np.array(
        [
            sum(
                _note_signal(note, onset, length, times)
                for name, onset, length in score
                if name == note.name
            )
            for note in notes
        ]
    )
    sources *= PEAK / np.max(np.abs(sources.sum(axis=0)))
    noise = noise_level * np.random.default_rng(NOISE_SEED).standard_normal(times.size)
    mix = sources.sum(axis=0) + noise

    Z = _spectrogram(mix)
    own = np.abs(np.array([_spectrogram(source) for source in sources]))  # (m, n, k)
    spectra = own.sum(axis=1)
    spectra /= spectra.max(axis=1, keepdims=True)
    activations = own.sum(axis=2).T
    owner = np.argmax(np.concatenate([own, np.abs(_spectrogram(noise))[None]]), axis=0)
    frames, bins = Z.shape
    return Piece(
        mix=mix,
        sources=sources,
        noise=noise,
        names=names,
        Z=Z,
        X=np.abs(Z),
        spectra=spectra,
        activations=activations,
        owner=owner,
        times=np.arange(frames) * HOP / SAMPLE_RATE,
        frequencies=np.arange(bins) * SAMPLE_RATE / N_FFT,
    )


# ---------------------------------------------------------------- matching and recovery ------


def _correlations(truth: np.ndarray, learned: np.ndarray) -> np.ndarray:
    """Pearson correlation of every column of ``truth`` with every column of ``learned``."""
    a = truth - truth.mean(axis=0)
    b = learned - learned.mean(axis=0)
    norms = np.outer(np.linalg.norm(a, axis=0), np.linalg.norm(b, axis=0))
    # A constant (e.g. all-zero) column correlates with nothing.
    return np.divide(a.T @ b, norms, out=np.zeros((a.shape[1], b.shape[1])), where=norms > 0)


def _cosines(truth: np.ndarray, learned: np.ndarray) -> np.ndarray:
    """Cosine of every row of ``truth`` with every row of ``learned`` (0 for a zero row)."""
    norms = np.outer(np.linalg.norm(truth, axis=1), np.linalg.norm(learned, axis=1))
    return np.divide(truth @ learned.T, norms, out=np.zeros(norms.shape), where=norms > 0)


@dataclass(frozen=True)
class NoteRecovery:
    """How well each true note is recovered, after matching components to notes.

    Attributes
    ----------
    matched : ndarray of int, shape (m,)
        The component matched to note ``i`` (``-1`` when there are fewer components than
        notes and note ``i`` got none).
    activation_correlation : ndarray, shape (m,)
        Correlation of note ``i``'s true activation with its component's column of ``H``
        (0 for an unmatched note).
    spectrum_cosine : ndarray, shape (m,)
        Cosine of note ``i``'s true spectrum with its component's row of ``W`` (0 when
        unmatched).
    """

    matched: np.ndarray
    activation_correlation: np.ndarray
    spectrum_cosine: np.ndarray

    @property
    def worst_correlation(self) -> float:
        """The smallest activation correlation over the notes."""
        return float(self.activation_correlation.min())

    def recovered(self, threshold: float = RECOVERED_CORRELATION) -> int:
        """How many notes have an activation correlation of at least ``threshold``."""
        return int(np.sum(self.activation_correlation >= threshold))


def match_notes(activations, spectra, H, W) -> NoteRecovery:
    """Match components to true notes by activation correlation (one-to-one, optimal).

    The matching maximises the total correlation of true activations with learned columns of
    ``H`` (``scipy.optimize.linear_sum_assignment``); with ``r < m`` components only ``r``
    notes are matched.

    Parameters
    ----------
    activations : array_like, shape (n, m)
        True activations, one column per note.
    spectra : array_like, shape (m, k)
        True spectra, one row per note.
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)

    Returns
    -------
    NoteRecovery

    Raises
    ------
    ValueError
        Shapes that do not fit together.
    """
    activations, spectra = np.asarray(activations, float), np.asarray(spectra, float)
    H, W = np.asarray(H, float), np.asarray(W, float)
    if activations.ndim != 2 or spectra.ndim != 2 or H.ndim != 2 or W.ndim != 2:
        raise ValueError("activations, spectra, H and W must all be 2-D.")
    n, m = activations.shape
    if spectra.shape[0] != m or H.shape[0] != n or W.shape != (H.shape[1], spectra.shape[1]):
        raise ValueError(
            f"Shapes do not fit: activations {activations.shape} (n, m), spectra "
            f"{spectra.shape} (m, k), H {H.shape} (n, r), W {W.shape} (r, k)."
        )
    correlations = _correlations(activations, H)
    rows, cols = linear_sum_assignment(-correlations)
    matched = np.full(m, -1)
    matched[rows] = cols
    activation_correlation = np.zeros(m)
    activation_correlation[rows] = correlations[rows, cols]
    spectrum_cosine = np.zeros(m)
    spectrum_cosine[rows] = _cosines(spectra, W)[rows, cols]
    return NoteRecovery(matched, activation_correlation, spectrum_cosine)


# ---------------------------------------------------------------- masks and resynthesis ------


def soft_masks(X, H, W) -> tuple[np.ndarray, np.ndarray]:
    """Soft (Wiener-like) masks: each component's share of every time–frequency cell.

    ``M_j = (h_j w_j) / max(X, HW)`` entrywise, where ``h_j w_j`` is component ``j``'s
    rank-one layer (column ``j`` of ``H`` times row ``j`` of ``W``). Where the model explains
    all of a cell (``HW ≥ X``) the masks share it out and add up to 1; where it explains less,
    the rest ``1 − Σ M_j`` is the residual's mask. Every mask is between 0 and 1.

    Parameters
    ----------
    X : array_like, shape (n, k)
        The magnitude spectrogram that was factored.
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)

    Returns
    -------
    masks : ndarray, shape (r, n, k)
    residual_mask : ndarray, shape (n, k)
        ``1 − masks.sum(axis=0)``.

    Raises
    ------
    ValueError
        Shapes that do not fit, or negative entries.
    """
    X, H, W = np.asarray(X, float), np.asarray(H, float), np.asarray(W, float)
    if X.ndim != 2 or H.ndim != 2 or W.ndim != 2 or H.shape[1] != W.shape[0]:
        raise ValueError(f"Need X (n, k), H (n, r), W (r, k); got {X.shape}, {H.shape}, {W.shape}.")
    if H.shape[0] != X.shape[0] or W.shape[1] != X.shape[1]:
        raise ValueError(f"H @ W is {H.shape[0]}×{W.shape[1]} but X is {X.shape[0]}×{X.shape[1]}.")
    if (X < 0).any() or (H < 0).any() or (W < 0).any():
        raise ValueError("X, H and W must be nonnegative.")
    layers = H.T[:, :, None] * W[:, None, :]  # (r, n, k)
    denominator = np.maximum(X, layers.sum(axis=0))
    masks = np.divide(layers, denominator, out=np.zeros_like(layers), where=denominator > 0)
    return masks, np.clip(1.0 - masks.sum(axis=0), 0.0, 1.0)


def resynthesize(Z, H, W, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Each component as sound: its soft mask on the complex STFT, then the inverse STFT.

    The component keeps the phase of the mix. Since the masks and the residual mask add up to
    1 in every cell and the inverse STFT is linear, the components and the residual add up to
    the mix again.

    Parameters
    ----------
    Z : array_like of complex, shape (n, k)
        STFT of the mix (frames × bins, as :class:`Piece` stores it).
    H : array_like, shape (n, r)
    W : array_like, shape (r, k)
    length : int
        Number of samples of the mix.

    Returns
    -------
    components : ndarray, shape (r, length)
    residual : ndarray, shape (length,)
        The mix minus the sum of the components: what the rank-r model leaves unexplained.
    """
    Z = np.asarray(Z)
    masks, residual_mask = soft_masks(np.abs(Z), H, W)
    components = np.array([_inverse(mask * Z, length) for mask in masks])
    return components, _inverse(residual_mask * Z, length)


def energy_table(owner, masks, residual_mask, X, n_notes: int) -> np.ndarray:
    """How much energy each component (and the residual) takes from each source's cells.

    Every time–frequency cell belongs to its loudest source (:attr:`Piece.owner`); component
    ``j`` takes ``(M_j X)²`` of a cell's energy, the residual ``((1 − Σ M_j) X)²``.

    Parameters
    ----------
    owner : array_like of int, shape (n, k)
        ``i < n_notes`` for note ``i``, ``n_notes`` for the hiss.
    masks : array_like, shape (r, n, k)
        From :func:`soft_masks`.
    residual_mask : array_like, shape (n, k)
    X : array_like, shape (n, k)
    n_notes : int

    Returns
    -------
    ndarray, shape (r + 1, n_notes + 1)
        Row ``j < r``: component ``j``; row ``r``: the residual. Column ``i < n_notes``: the
        cells of note ``i``; the last column: the hiss's cells.
    """
    owner, X = np.asarray(owner), np.asarray(X, float)
    layers = np.concatenate([np.asarray(masks, float), np.asarray(residual_mask, float)[None]])
    energy = (layers * X[None]) ** 2  # (r + 1, n, k)
    return np.stack([energy[:, owner == s].sum(axis=1) for s in range(n_notes + 1)], axis=1)


def _row_shares(table: np.ndarray) -> np.ndarray:
    totals = table.sum(axis=1, keepdims=True)
    return np.divide(table, totals, out=np.zeros_like(table), where=totals > 0)


# ---------------------------------------------------------------- the factorisation ----------


@dataclass(frozen=True)
class SoundFit:
    """The piece factored at one rank with one loss, matched, resynthesised and measured.

    Components are reordered: first those matched to a note, in the order of the notes, then
    the others by decreasing energy. ``m`` is the number of notes.

    Attributes
    ----------
    rank : int
    loss : str
        ``"KL"`` or ``"Frobenius"`` (keys of :data:`LOSSES`).
    seed : int
    iterations : int
        The most iterations allowed.
    H : ndarray, shape (n, r)
        Column ``j``: when component ``j`` sounds (rows of ``W`` are scaled to a maximum of 1,
        the scale is in ``H``).
    W : ndarray, shape (r, k)
        Row ``j``: component ``j``'s spectrum.
    recovery : NoteRecovery
    energy : ndarray, shape (r + 1, m + 1)
        :func:`energy_table` (the last row is the residual, the last column the hiss).
    components : ndarray, shape (r, samples)
        Each component resynthesised.
    residual : ndarray, shape (samples,)
        The mix minus the sum of the components.
    relative_error : float
        ``‖X − HW‖_F / ‖X‖_F``.
    n_iter : int
        Iterations run.
    names : tuple of str, length m
    sound_snr : ndarray, shape (m,)
        :func:`sound_snr` of each note's matched component against the note alone, in dB
        (``-inf`` for an unmatched note).
    """

    rank: int
    loss: str
    seed: int
    iterations: int
    H: np.ndarray
    W: np.ndarray
    recovery: NoteRecovery
    energy: np.ndarray
    components: np.ndarray
    residual: np.ndarray
    relative_error: float
    n_iter: int
    names: tuple[str, ...]
    sound_snr: np.ndarray

    @property
    def contents(self) -> np.ndarray:
        """Shape (r, m + 1): the share of each component's energy in each source's cells."""
        return _row_shares(self.energy[: self.rank])

    @property
    def destinations(self) -> np.ndarray:
        """Shape (m, r + 1): where each note's energy went (components, then the residual)."""
        return _row_shares(self.energy[:, : len(self.names)].T)

    @property
    def main_sources(self) -> np.ndarray:
        """Shape (r,): the source holding most of each component's energy (m: the hiss)."""
        return np.argmax(self.contents, axis=1)

    def notes_with_own_component(self) -> int:
        """How many notes are the main sound of at least one component."""
        main = self.main_sources
        return len({int(i) for i in main if i < len(self.names)})

    def component_label(self, j: int) -> str:
        """What component ``j`` holds, e.g. ``"C4 (97 %)"`` or ``"E4 66 % + G4 30 %"``.

        The notes (or the hiss) with at least :data:`HOLD_SHARE` of its energy, largest first.
        """
        shares = self.contents[j]
        held = [int(i) for i in np.argsort(-shares) if shares[i] >= HOLD_SHARE]
        labels = [*self.names, "hiss"]
        if not held:
            return "a bit of everything"
        if len(held) == 1:
            return f"{labels[held[0]]} ({_percent(shares[held[0]])})"
        return " + ".join(f"{labels[i]} {_percent(shares[i])}" for i in held)

    def component_name(self, j: int) -> str:
        """A short :meth:`component_label` without the shares, e.g. ``"C4"`` or ``"E4+G4"``."""
        shares = self.contents[j]
        held = [int(i) for i in np.argsort(-shares) if shares[i] >= HOLD_SHARE]
        labels = [*self.names, "hiss"]
        return "+".join(labels[i] for i in held) if held else "mixed"

    def table(self) -> dict[str, list]:
        """Per note: the matched component, activation correlation, spectrum cosine, SNR."""
        rec = self.recovery
        return {
            "note": list(self.names),
            "component": [str(j + 1) if j >= 0 else "none" for j in rec.matched],
            "activation correlation": [f"{c:.3f}" for c in rec.activation_correlation],
            "spectrum cosine": [f"{c:.3f}" for c in rec.spectrum_cosine],
            "sound SNR (dB)": [f"{c:.1f}" if np.isfinite(c) else "–" for c in self.sound_snr],
        }


def _listing(items: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def _at_most(share: float) -> str:
    """``"under 1 %"`` for a share below 1 %, else ``"at most 37 %"``."""
    return "under 1 %" if share < 0.01 else f"at most {_percent(share)}"


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %"


def _check_settings(rank: Any, loss: Any, iterations: Any) -> tuple[int, str, int]:
    def is_int(value: Any) -> bool:
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)

    if not is_int(rank) or not 1 <= rank <= MAX_RANK:
        raise ValueError(f"rank must be an integer from 1 to {MAX_RANK}, got {rank!r}.")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}.")
    if not is_int(iterations) or iterations < 1:
        raise ValueError(f"iterations must be a positive integer, got {iterations!r}.")
    return int(rank), str(loss), int(iterations)


def factor_piece(
    piece: Piece,
    rank: int,
    *,
    loss: str = "KL",
    seed: int = 0,
    iterations: int = DEFAULT_ITERATIONS,
) -> SoundFit:
    """Factor ``piece.X ≈ H W`` at ``rank``, match to the notes, resynthesise each component.

    NMF starts from NNDSVDa's SVD-based point with its zeros filled by small random numbers
    drawn from ``seed`` (``init="nndsvdar"``) and runs at most ``iterations`` iterations (it
    stops earlier when the objective changes by at most :data:`TOL` of itself): the KL
    divergence with multiplicative updates, or the Frobenius loss with HALS.

    Parameters
    ----------
    piece : Piece
    rank : int
        1 to :data:`MAX_RANK`.
    loss : {"KL", "Frobenius"}
    seed : int
    iterations : int

    Returns
    -------
    SoundFit

    Raises
    ------
    ValueError
        A rank, loss or number of iterations out of range.

    Examples
    --------
    >>> fit = factor_piece(synthesize_piece(), 5, loss="KL")
    >>> fit.H.shape, fit.W.shape, fit.components.shape
    ((220, 5), (5, 129), (5, 28000))
    >>> bool(fit.recovery.worst_correlation > 0.9)
    True
    """
    rank, loss, iterations = _check_settings(rank, loss, iterations)
    core_loss, solver = LOSSES[loss]
    result = nmf(
        piece.X,
        rank,
        loss=core_loss,
        solver=solver,
        init="nndsvdar",
        seed=int(seed),
        max_iter=iterations,
        tol=TOL,
    )
    H, W = _scaled(result.H, result.W)
    H, W = _reordered(H, W, match_notes(piece.activations, piece.spectra, H, W).matched)
    masks, residual_mask = soft_masks(piece.X, H, W)
    recovery = match_notes(piece.activations, piece.spectra, H, W)
    components = np.array([_inverse(mask * piece.Z, piece.mix.size) for mask in masks])
    return SoundFit(
        rank=rank,
        loss=loss,
        seed=int(seed),
        iterations=iterations,
        H=H,
        W=W,
        recovery=recovery,
        energy=energy_table(piece.owner, masks, residual_mask, piece.X, piece.n_notes),
        components=components,
        residual=_inverse(residual_mask * piece.Z, piece.mix.size),
        relative_error=float(result.relative_error),
        n_iter=int(result.n_iter),
        names=piece.names,
        sound_snr=np.array(
            [
                sound_snr(source, components[j]) if j >= 0 else float("-inf")
                for source, j in zip(piece.sources, recovery.matched, strict=True)
            ]
        ),
    )


def sound_snr(truth, estimate) -> float:
    """Signal-to-noise ratio of ``estimate`` as a copy of ``truth``, in dB.

    ``10·log10(‖truth‖² / ‖truth − estimate‖²)``: 0 dB when the error is as loud as the note,
    +20 dB when it is a tenth of its amplitude, ``inf`` for an exact copy.

    Parameters
    ----------
    truth, estimate : array_like, shape (samples,)

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Signals of different shapes, or a silent ``truth``.
    """
    truth, estimate = np.asarray(truth, float), np.asarray(estimate, float)
    if truth.shape != estimate.shape:
        raise ValueError(f"Signals of different shapes: {truth.shape} and {estimate.shape}.")
    power = float(np.sum(truth**2))
    if power == 0:
        raise ValueError("The true signal is silent.")
    error = float(np.sum((truth - estimate) ** 2))
    return 10 * np.log10(power / error) if error > 0 else float("inf")


def _scaled(H: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of W scaled to a maximum of 1 (the scale moves into H; HW is unchanged)."""
    peaks = W.max(axis=1)
    peaks = np.where(peaks > 0, peaks, 1.0)
    return H * peaks[None, :], W / peaks[:, None]


def _reordered(H: np.ndarray, W: np.ndarray, matched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matched components first, in note order; then the rest by decreasing energy."""
    first = [int(j) for j in matched if j >= 0]
    energy = np.linalg.norm(H, axis=0) * np.linalg.norm(W, axis=1)
    rest = sorted(set(range(W.shape[0])) - set(first), key=lambda j: -energy[j])
    order = first + rest
    return H[:, order], W[order]


# ---------------------------------------------------------------- what a wrong rank does -----


@dataclass(frozen=True)
class RankDiagnosis:
    """What the components of one fit hold, and what went wrong (from :attr:`SoundFit.contents`).

    A component *holds* a note when at least :data:`HOLD_SHARE` of its energy lies in that
    note's cells; the note is its *main* sound when it holds the most.

    Attributes
    ----------
    rank, n_notes : int
    merged : tuple of (int, tuple of int)
        ``(component, notes)``: a component that holds two or more notes, at least one of
        which is the main sound of no component: notes that have no component of their own
        play together in this one.
    bleeds : tuple of (int, int, float)
        ``(component, note, share)``: a component that also holds a note which has its own
        component elsewhere (a bleed, not a merge), with that note's share of its energy.
    split : tuple of (int, tuple of int)
        ``(note, components)``: a note that is the main sound of two or more components.
    hiss : tuple of int
        Components whose main sound is the hiss.
    missing : tuple of (int, int, float)
        ``(note, where, share)`` for each note that no component holds: where most of its
        energy went (a component, or ``-1`` for the residual) and which share of it.
    """

    rank: int
    n_notes: int
    merged: tuple[tuple[int, tuple[int, ...]], ...]
    bleeds: tuple[tuple[int, int, float], ...]
    split: tuple[tuple[int, tuple[int, ...]], ...]
    hiss: tuple[int, ...]
    missing: tuple[tuple[int, int, float], ...]

    @property
    def clean(self) -> bool:
        """Every note the main sound of exactly one component, nothing merged, split or hiss."""
        return not (self.merged or self.split or self.hiss or self.missing)


def diagnose(fit: SoundFit) -> RankDiagnosis:
    """Read off a fit what its components hold: merged, bled, split, missing notes, hiss.

    Parameters
    ----------
    fit : SoundFit

    Returns
    -------
    RankDiagnosis
    """
    contents = fit.contents
    m = len(fit.names)
    main = fit.main_sources
    silent = contents.sum(axis=1) == 0
    own = {int(i) for i, quiet in zip(main, silent, strict=True) if i < m and not quiet}
    merged, bleeds = [], []
    for j in range(fit.rank):
        held = [int(i) for i in np.argsort(-contents[j, :m]) if contents[j, i] >= HOLD_SHARE]
        others = [i for i in held if i != main[j]]
        if len(held) >= 2 and any(i not in own for i in held):
            merged.append((j, tuple(held)))
        else:
            bleeds.extend((j, i, float(contents[j, i])) for i in others)
    split = tuple(
        (i, tuple(int(j) for j in np.flatnonzero((main == i) & ~silent)))
        for i in range(m)
        if np.sum((main == i) & ~silent) >= 2
    )
    hiss = tuple(int(j) for j in np.flatnonzero((main == m) & ~silent))
    destinations = fit.destinations
    missing = []
    for i in range(m):
        if not (contents[:, i] >= HOLD_SHARE).any():
            where = int(np.argmax(destinations[i]))
            missing.append((i, -1 if where == fit.rank else where, float(destinations[i, where])))
    return RankDiagnosis(fit.rank, m, tuple(merged), tuple(bleeds), split, hiss, tuple(missing))


def describe(diagnosis: RankDiagnosis, fit: SoundFit) -> list[str]:
    """Sentences for the page: what the components of ``fit`` hold at its rank (markdown).

    Parameters
    ----------
    diagnosis : RankDiagnosis
        ``diagnose(fit)``.
    fit : SoundFit

    Returns
    -------
    list of str
    """
    names = fit.names

    def notes(indices) -> str:
        return _listing([names[i] for i in indices])

    def numbers(indices) -> str:
        return _listing([str(j + 1) for j in indices])

    r, m = diagnosis.rank, diagnosis.n_notes
    lines = []
    if r < m:
        lines.append(f"With r = {r} there are fewer components than the {m} notes.")
    elif r > m:
        lines.append(f"With r = {r} there are more components than the {m} notes.")
    for j, held in diagnosis.merged:
        heard = "both" if len(held) == 2 else f"all {len(held)}"
        lines.append(f"Component {j + 1} holds {notes(held)} together: you hear {heard} in it.")
    for i, parts in diagnosis.split:
        lines.append(
            f"{names[i]} is split over components {numbers(parts)}: each plays part of it."
        )
    if diagnosis.hiss:
        plural = len(diagnosis.hiss) > 1
        lines.append(
            f"Component{'s' if plural else ''} {numbers(diagnosis.hiss)} "
            f"{'are' if plural else 'is'} mostly hiss, not a note."
        )
    for i, where, share in diagnosis.missing:
        start = f"{names[i]} has no component of its own: most of its energy ({_percent(share)})"
        if where < 0:
            lines.append(f"{start} stays in the residual.")
        else:
            main = fit.main_sources[where]
            lines.append(
                f"{start} plays quietly inside component {where + 1}, which is mostly "
                f"{[*names, 'hiss'][main]}."
            )
    for j, i, share in diagnosis.bleeds:
        lines.append(
            f"Component {j + 1} also carries some {names[i]} ({_percent(share)} of its energy), "
            f"though {names[i]} has a component of its own."
        )
    if diagnosis.clean:
        lines.append(f"Each of the {m} notes is the main sound of exactly one component.")
    return lines


def wav_bytes(signal, *, peak: float) -> bytes:
    """A 16-bit mono WAV file of ``signal`` at :data:`SAMPLE_RATE`, ``peak`` mapped to full scale.

    ``st.audio`` scales a NumPy array to its own peak, so a quiet residual would play as loud
    as the mix; as WAV bytes at the mix's scale every sound of the page keeps its loudness.

    Parameters
    ----------
    signal : array_like, shape (samples,)
    peak : float
        The value that becomes full scale (values beyond it are clipped); > 0.

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        A signal that is not 1-D and finite, or a peak that is not positive.
    """
    signal = np.asarray(signal, dtype=float)
    if signal.ndim != 1 or not np.all(np.isfinite(signal)):
        raise ValueError(f"Need a finite 1-D signal, got shape {signal.shape}.")
    if not (np.isfinite(peak) and peak > 0):
        raise ValueError(f"peak must be a positive number, got {peak!r}.")
    pcm = np.round(np.clip(signal / peak, -1.0, 1.0) * 32767).astype("<i2")
    with io.BytesIO() as buffer:
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm.tobytes())
        return buffer.getvalue()


def level_db(signal, reference) -> float:
    """Root-mean-square level of ``signal`` relative to ``reference``, in dB (−inf for silence)."""
    rms = float(np.sqrt(np.mean(np.square(signal))))
    ref = float(np.sqrt(np.mean(np.square(reference))))
    return 20 * np.log10(rms / ref) if rms > 0 else float("-inf")


def note_energy_shares(piece: Piece) -> np.ndarray:
    """Each note's share of the energy of the spectrogram, ``Σ |STFT(note)|² / Σ X²``.

    Returns
    -------
    ndarray, shape (m,)
    """
    own = np.array([np.sum(np.abs(_spectrogram(source)) ** 2) for source in piece.sources])
    return own / np.sum(piece.X**2)


def loss_comparison(fits: dict[str, SoundFit]) -> dict[str, list]:
    """Columns of a table: per note, each loss's activation correlation; then the totals.

    Parameters
    ----------
    fits : dict of str to SoundFit
        One fit per loss, all at the same rank (e.g. ``{"KL": ..., "Frobenius": ...}``).

    Returns
    -------
    dict of str to list
        ``"note"`` (the notes, then "notes with a component of their own"), and one column of
        formatted numbers per loss.
    """
    names = next(iter(fits.values())).names
    table: dict[str, list] = {"": [*names, "notes with a component of their own"]}
    for loss, fit in fits.items():
        table[loss] = [f"{c:.3f}" for c in fit.recovery.activation_correlation] + [
            f"{fit.notes_with_own_component()} of {len(names)}"
        ]
    return table


def loss_sentences(fits: dict[str, SoundFit], shares: np.ndarray) -> list[str]:
    """What the two losses did differently at one rank, from the fits (markdown sentences).

    Parameters
    ----------
    fits : dict of str to SoundFit
        ``{"KL": ..., "Frobenius": ...}`` at the same rank, seed and iterations.
    shares : ndarray, shape (m,)
        :func:`note_energy_shares` of the piece.

    Returns
    -------
    list of str
    """
    kl, frobenius = fits["KL"], fits["Frobenius"]
    names, m = kl.names, len(kl.names)
    counts = {loss: fit.notes_with_own_component() for loss, fit in fits.items()}
    if counts["KL"] == counts["Frobenius"]:
        lines = [f"Both losses give {counts['KL']} of the {m} notes a component of their own."]
    else:
        better = max(counts, key=counts.get)
        worse = min(counts, key=counts.get)
        lines = [
            f"{better} gives {counts[better]} of the {m} notes a component of their own, "
            f"{worse} {counts[worse]}."
        ]
    quiet = int(np.argmin(shares))
    mains = {loss: set(fit.main_sources.tolist()) for loss, fit in fits.items()}
    if quiet in mains["KL"] and quiet not in mains["Frobenius"]:
        sentence = (
            f"The Frobenius fit leaves {names[quiet]} ({100 * shares[quiet]:.1f} % of the "
            "energy) without a component"
        )
        loud_splits = [(i, parts) for i, parts in diagnose(frobenius).split if i != quiet]
        if len(loud_splits) == 1:
            i, parts = loud_splits[0]
            sentence += (
                f" and spends a component on {names[i]} instead (split over components "
                f"{_listing([str(j + 1) for j in parts])})"
            )
        elif loud_splits:
            listed = _listing([names[i] for i, _ in loud_splits])
            sentence += f" and splits {listed} over several components instead"
        lines.append(sentence + f"; KL gives {names[quiet]} its own.")
    return lines


# ---------------------------------------------------------------- checkpoints -----------------


def _silent_components(fit: SoundFit, share: float = 1e-3) -> list[int]:
    """Components with less than ``share`` of the energy all components hold together."""
    energy = fit.energy[: fit.rank].sum(axis=1)
    total = energy.sum()
    return [int(j) for j in np.flatnonzero(energy < share * total)] if total > 0 else []


def too_few_checkpoint(small: SoundFit) -> Checkpoint:
    """Checkpoint: what the components sound like with fewer components than notes.

    The right answer is read off ``small`` (the piece factored at a rank below the number of
    notes, with the page's loss, seed and iterations): several notes in one component if
    :func:`diagnose` finds a merge, mostly hiss if a component's main sound is the hiss, one
    note each otherwise.

    Parameters
    ----------
    small : SoundFit
        With ``small.rank`` below the number of notes.

    Returns
    -------
    Checkpoint
    """
    m, r = len(small.names), small.rank
    if r >= m:
        raise ValueError(f"Need fewer components than the {m} notes, got r = {r}.")
    diagnosis = diagnose(small)
    correct = 1 if diagnosis.merged else 2 if diagnosis.hiss else 0
    hiss_share = float(small.contents[:, -1].max())
    lost = [(small.names[i], share) for i, where, share in diagnosis.missing if where < 0]
    if diagnosis.merged:
        j, held = diagnosis.merged[0]
        merged = (
            f"component {j + 1} holds {_listing([small.names[i] for i in held])} together, "
            "and you hear them at once"
        )
    else:
        merged = "here no component holds two notes"
    return Checkpoint(
        key="sounds_too_few",
        question=(
            f"With only r = {r} components for the {m} notes, what will you hear when you play "
            "the components?"
        ),
        choices=(
            Choice(
                "Each plays one note; the other notes are gone",
                "Nothing is gone: the components and the residual always add up to the mix. "
                + (
                    f"What no component holds stays in the residual ({lost[0][0]}: "
                    f"{_percent(lost[0][1])} of its energy), and you can play it."
                    if lost
                    else "What no component holds stays in the residual."
                )
                + ("" if correct == 0 else f" And {merged}."),
            ),
            Choice(
                "At least one plays several notes at once",
                f"NMF covers as much of the loud sound as it can with {r} spectra: {merged}."
                if correct == 1
                else f"Not here: {merged}.",
            ),
            Choice(
                "They play mostly hiss",
                "The hiss is quiet and spread over every frequency: it is "
                f"{_at_most(hiss_share)} of any component's energy. The components go for "
                "the loud notes first.",
            ),
        ),
        correct=correct,
        explanation=f"At r = {r} ({small.loss}): " + " ".join(describe(diagnosis, small)),
    )


def too_many_checkpoint(large: SoundFit) -> Checkpoint:
    """Checkpoint: what the extra components do with more components than notes.

    The right answer is read off ``large``: notes split if :func:`diagnose` finds a split,
    hiss if a component's main sound is the hiss, silent if neither and some component holds
    almost nothing (under 0.1 % of the components' energy).

    Parameters
    ----------
    large : SoundFit
        With ``large.rank`` above the number of notes.

    Returns
    -------
    Checkpoint
    """
    m, r = len(large.names), large.rank
    if r <= m:
        raise ValueError(f"Need more components than the {m} notes, got r = {r}.")
    diagnosis = diagnose(large)
    silent = _silent_components(large)
    correct = 1 if diagnosis.split else 2 if diagnosis.hiss else 0 if silent else 1
    if diagnosis.split:
        i, parts = diagnosis.split[0]
        split = f"{large.names[i]} is split over components {_listing([str(j + 1) for j in parts])}"
    else:
        split = "here no note is split"
    quietest = large.energy[:r].sum(axis=1)
    quietest_share = float(quietest.min() / quietest.sum()) if quietest.sum() > 0 else 0.0
    hiss_share = float(large.contents[:, -1].max())
    return Checkpoint(
        key="sounds_too_many",
        question=(
            f"With r = {r} components for the {m} notes, what will the {r - m} extra components do?"
        ),
        choices=(
            Choice(
                "Stay silent: every note already has a component",
                "They hold almost nothing."
                if correct == 0
                else "NMF puts every component to use if it lowers the loss: the quietest "
                f"component still holds {100 * quietest_share:.1f} % of the components' "
                f"energy, and {split}.",
            ),
            Choice(
                "Split notes into pieces",
                "A note whose timbre changes as it fades is not exactly one spectrum "
                f"times one envelope, and a spare component fits it better: {split}."
                if correct == 1
                else f"Not here: {split}.",
            ),
            Choice(
                "Pick up the hiss",
                f"Component{'s' if len(diagnosis.hiss) > 1 else ''} "
                f"{_listing([str(j + 1) for j in diagnosis.hiss])} mostly hold the hiss."
                if correct == 2
                else "The hiss is far quieter than the notes' changing timbre: it is "
                f"{_at_most(hiss_share)} of any component's energy.",
            ),
        ),
        correct=correct,
        explanation=f"At r = {r} ({large.loss}): " + " ".join(describe(diagnosis, large)),
    )


def loss_checkpoint(fits: dict[str, SoundFit], shares: np.ndarray) -> Checkpoint:
    """Checkpoint: which loss gives more notes a component of their own, at the page's rank.

    The right answer compares :meth:`SoundFit.notes_with_own_component` of the two fits.

    Parameters
    ----------
    fits : dict of str to SoundFit
        ``{"KL": ..., "Frobenius": ...}`` at the page's rank, seed and iterations.
    shares : ndarray, shape (m,)
        :func:`note_energy_shares`.

    Returns
    -------
    Checkpoint
    """
    kl, frobenius = fits["KL"], fits["Frobenius"]
    m, r = len(kl.names), kl.rank
    quiet = int(np.argmin(shares))
    n_kl, n_frobenius = kl.notes_with_own_component(), frobenius.notes_with_own_component()
    correct = 0 if n_kl > n_frobenius else 1 if n_frobenius > n_kl else 2
    counts = f"KL gives {n_kl} of the {m} notes a component of their own, Frobenius {n_frobenius}"
    why_kl = (
        "The Frobenius loss squares the errors, so the loud cells dominate it and the quiet "
        f"{kl.names[quiet]} hardly counts; KL weighs quiet cells relatively more"
    )
    return Checkpoint(
        key="sounds_loss",
        question=(
            f"At r = {r}, which loss will give more of the {m} notes a component of their own? "
            f"(One note, {kl.names[quiet]}, is quiet: {100 * shares[quiet]:.1f} % of the "
            "energy.)"
        ),
        choices=(
            Choice("KL", f"{counts}. {why_kl}." if correct == 0 else f"Not here: {counts}."),
            Choice(
                "Frobenius",
                f"{counts}."
                if correct == 1
                else f"{counts}. {why_kl}."
                if correct == 0
                else f"Not here: {counts}.",
            ),
            Choice(
                "The same number",
                f"{counts}."
                + (
                    f" With only {r} components there is no room for every note anyway."
                    if r < m
                    else ""
                )
                if correct == 2
                else f"Not here: {counts}.",
            ),
        ),
        correct=correct,
        explanation=" ".join(loss_sentences(fits, shares)),
    )
