"""Frames of a run, the race of the four solvers, and every claim "Watching it learn" makes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmf_core import SOLVERS, frobenius_loss, nmf, truncated_svd
from nmf_lab.demo_data import LEARNING_DATA, learning_data
from nmf_lab.lessons.watching_it_learn import (
    MAX_FRAMES,
    MAX_ITER,
    frame_indices,
    initialize_start,
    loss_increases,
    race,
    record_run,
    svd_floor,
)

# The page's defaults (app_pages/watching_it_learn.py): faces, rank 6, random start, seed 0.
DEFAULT_DATA, DEFAULT_RANK, DEFAULT_INIT, DEFAULT_SEED = "faces", 6, "random", 0
DEFAULT_ITERS, DEFAULT_RACE_ITERS = 100, 100


def _rank_for(key: str, rank: int) -> int:
    """The page caps the rank of a toy cloud at its dimension."""
    data = learning_data(key, seed=0)
    return min(rank, data.X.shape[1]) if data.kind == "cloud" else rank


def _never_increases(losses: np.ndarray) -> bool:
    # Allowed slack: rounding of the loss, relative to the loss and to the largest loss seen.
    steps = np.diff(losses)
    return bool(np.all(steps <= 1e-9 * losses[:-1] + 1e-12 * losses.max()))


# ---------------------------------------------------------------- thinning -----------------


@settings(max_examples=60)
@given(n_snapshots=st.integers(1, 3000), max_frames=st.integers(2, 120))
def test_frame_indices_keep_first_and_last_and_respect_the_cap(n_snapshots, max_frames):
    indices = frame_indices(n_snapshots, max_frames)
    assert len(indices) == min(n_snapshots, max_frames)
    assert indices[0] == 0
    assert indices[-1] == n_snapshots - 1
    assert np.all(np.diff(indices) > 0)


@settings(max_examples=60)
@given(n_snapshots=st.integers(3, 3000), max_frames=st.integers(3, 120))
def test_frame_indices_are_denser_at_the_start(n_snapshots, max_frames):
    indices = frame_indices(n_snapshots, max_frames)
    # Half of the frames show at most the first half of the run ...
    assert indices[(len(indices) - 1) // 2] <= (n_snapshots - 1) / 2
    # ... and the gaps between frames grow (up to one iteration of rounding).
    assert np.all(np.diff(np.diff(indices)) >= -1)


def test_frame_indices_small_runs_keep_everything():
    assert frame_indices(1).tolist() == [0]
    assert frame_indices(MAX_FRAMES).tolist() == list(range(MAX_FRAMES))
    assert len(frame_indices(MAX_FRAMES + 1)) == MAX_FRAMES


@pytest.mark.parametrize("n_snapshots, max_frames", [(0, 10), (5, 1), (True, 10), (3.0, 10)])
def test_frame_indices_reject_bad_arguments(n_snapshots, max_frames):
    with pytest.raises(ValueError):
        frame_indices(n_snapshots, max_frames)


# ---------------------------------------------------------------- recording ----------------


@pytest.fixture(scope="module")
def small_problem():
    rng = np.random.default_rng(3)
    X = rng.random((30, 2)) @ rng.random((2, 12)) + 0.05 * rng.random((30, 12))
    return X, initialize_start(X, 3, seed=3)


@pytest.mark.parametrize("solver", SOLVERS)
def test_recorded_losses_match_a_fresh_recomputation(small_problem, solver):
    X, start = small_problem
    rec = record_run(X, 3, start=start, solver=solver, max_iter=150, max_frames=25)
    fresh = np.array([frobenius_loss(X, H, W) for H, W in zip(rec.H, rec.W, strict=True)])
    np.testing.assert_allclose(rec.losses, fresh, rtol=1e-8, atol=1e-10 * fresh.max())
    # The frame losses are also the ones the full history plots.
    np.testing.assert_allclose(rec.losses, rec.result.losses[rec.iterations], rtol=0, atol=0)


def test_recording_is_thinned_as_stated(small_problem):
    X, start = small_problem
    rec = record_run(X, 3, start=start, solver="hals", max_iter=200, max_frames=30)
    assert rec.n_frames == 30
    assert rec.iterations[0] == 0 and rec.iterations[-1] == 200
    assert rec.iterations.tolist() == frame_indices(201, 30).tolist()
    assert rec.H.shape == (30, 30, 3) and rec.W.shape == (30, 3, 12)
    # Frame 0 is the start itself, the last frame is the solver's answer.
    np.testing.assert_array_equal(rec.H[0], start[0])
    np.testing.assert_array_equal(rec.W[0], start[1])
    np.testing.assert_array_equal(rec.H[-1], rec.result.H)
    np.testing.assert_array_equal(rec.W[-1], rec.result.W)


def test_default_recording_uses_the_stated_cap():
    data = learning_data(DEFAULT_DATA)
    start = initialize_start(data.X, DEFAULT_RANK, init=DEFAULT_INIT, seed=DEFAULT_SEED)
    rec = record_run(data.X, DEFAULT_RANK, start=start, solver="mu", max_iter=DEFAULT_ITERS)
    assert rec.max_frames == MAX_FRAMES == 60
    assert rec.n_frames == MAX_FRAMES
    assert (rec.iterations[0], rec.iterations[-1]) == (0, DEFAULT_ITERS)


def test_early_stop_still_ends_on_the_last_iteration(small_problem):
    X, start = small_problem
    rec = record_run(X, 3, start=start, solver="hals", max_iter=400, tol=1e-3, max_frames=10)
    assert rec.result.converged and rec.result.n_iter < 400
    assert rec.n_frames <= 10
    assert rec.iterations[0] == 0 and rec.iterations[-1] == rec.result.n_iter
    assert np.all(np.diff(rec.iterations) > 0)
    np.testing.assert_array_equal(rec.W[-1], rec.result.W)


def test_recording_does_not_modify_the_start(small_problem):
    X, start = small_problem
    H0, W0 = start[0].copy(), start[1].copy()
    record_run(X, 3, start=start, solver="mu", max_iter=20)
    np.testing.assert_array_equal(start[0], H0)
    np.testing.assert_array_equal(start[1], W0)


@pytest.mark.parametrize("max_iter", [-1, MAX_ITER + 1, 2.5, True])
def test_recording_rejects_bad_iteration_counts(small_problem, max_iter):
    X, start = small_problem
    with pytest.raises(ValueError, match="max_iter"):
        record_run(X, 3, start=start, max_iter=max_iter)


# ---------------------------------------------------------------- race ---------------------


@pytest.fixture(scope="module")
def default_race():
    data = learning_data(DEFAULT_DATA, seed=DEFAULT_SEED)
    start = initialize_start(data.X, DEFAULT_RANK, init=DEFAULT_INIT, seed=DEFAULT_SEED)
    return data, start, race(data.X, DEFAULT_RANK, start=start, max_iter=DEFAULT_RACE_ITERS)


def test_all_four_start_from_the_same_loss(default_race):
    data, (H0, W0), result = default_race
    expected = frobenius_loss(data.X, H0, W0)
    assert set(result.results) == set(SOLVERS)
    assert result.start_loss == pytest.approx(expected, rel=1e-12)
    for run in result.results.values():
        assert run.losses[0] == pytest.approx(expected, rel=1e-9)
        assert run.n_iter == DEFAULT_RACE_ITERS


def test_same_settings_give_the_same_curves():
    """The page: the seed makes every run repeatable (only wall-clock times differ)."""
    data = learning_data("cloud3", seed=4)
    runs = [
        race(data.X, 2, start=initialize_start(data.X, 2, seed=4), max_iter=30) for _ in range(2)
    ]
    for name in runs[0].results:
        np.testing.assert_array_equal(runs[0].results[name].losses, runs[1].results[name].losses)
    other = race(data.X, 2, start=initialize_start(data.X, 2, seed=5), max_iter=30)
    assert other.start_loss != runs[0].start_loss


def test_svd_floor_is_eckart_young():
    X = learning_data("image").X
    svd = truncated_svd(X, 4)
    direct = float(np.sum((X - svd.reconstruction()) ** 2))
    assert svd_floor(X, 4) == pytest.approx(direct, rel=1e-9)
    assert svd_floor(X, min(X.shape)) == pytest.approx(0.0, abs=1e-9 * np.sum(X**2))


@pytest.mark.parametrize("key", LEARNING_DATA)
@pytest.mark.parametrize("init", ["random", "nndsvda"])
def test_page_claims_hold_on_every_demo_data(key, init):
    """MU, HALS and ANLS never go up; nobody goes below the SVD floor; same start for all."""
    data = learning_data(key, seed=1)
    rank = _rank_for(key, DEFAULT_RANK)
    start = initialize_start(data.X, rank, init=init, seed=1)
    result = race(data.X, rank, start=start, max_iter=60)
    for solver in ("mu", "hals", "anls"):
        assert _never_increases(result.results[solver].losses), solver
    for run in result.results.values():
        assert run.losses[0] == pytest.approx(result.start_loss, rel=1e-9)
        assert np.all(run.losses >= result.floor * (1 - 1e-9) - 1e-9)


def test_on_the_defaults_als_goes_up_at_once(default_race):
    """The page: "the very first ALS step more than doubles the loss" on the defaults."""
    _, _, result = default_race
    als = result.results["als"].losses
    assert als[1] > 2 * als[0]
    # "... and after 100 iterations ALS is still above HALS and ANLS."
    assert als[-1] > result.results["hals"].losses[-1]
    assert als[-1] > result.results["anls"].losses[-1]
    assert 1 in result.increases("als").tolist()
    for solver in ("mu", "hals", "anls"):
        assert result.increases(solver).size == 0


def test_per_iteration_and_per_second_claims_on_the_defaults(default_race):
    """The page: ANLS ends lowest, MU highest; ANLS costs the most per iteration, MU the
    least; HALS ends within 1% of ANLS in a fraction of its time."""
    _, _, result = default_race
    final = {name: run.losses[-1] for name, run in result.results.items()}
    assert min(final, key=final.get) == "anls"
    assert max(final, key=final.get) == "mu"
    assert final["hals"] <= 1.01 * final["anls"]
    seconds = {name: run.times[-1] for name, run in result.results.items()}
    # Wall-clock times vary with the machine's load; the margins are wide (measured: ANLS
    # about 10 ms per iteration, HALS about 1, MU under 0.1 on the faces at rank 6).
    assert seconds["anls"] == max(seconds.values())
    assert seconds["mu"] < seconds["anls"] / 3
    assert seconds["hals"] < seconds["anls"] / 2


def test_default_race_floor_is_below_every_loss(default_race):
    data, _, result = default_race
    assert 0 < result.floor < min(run.losses.min() for run in result.results.values())
    # The floor is the best any rank-6 matrix can do, so it is also below a fresh NMF.
    assert result.floor <= nmf(data.X, DEFAULT_RANK, max_iter=50, seed=0).losses[-1]


def test_loss_increases_counts_real_rises_only():
    losses = np.array([10.0, 8.0, 9.0, 9.0, 7.0, 7.0 + 1e-14, 7.5])
    assert loss_increases(losses).tolist() == [2, 6]
    assert loss_increases(np.array([3.0])).size == 0


# ---------------------------------------------------------------- data ---------------------


def test_race_reports_the_share_above_the_floor_and_the_time_per_iteration(default_race):
    _, _, result = default_race
    for name, run in result.results.items():
        share = result.above_floor(name)
        assert share == pytest.approx(max(run.losses[-1] - result.floor, 0.0) / result.floor)
        assert share >= 0
        assert result.seconds_per_iteration(name) == pytest.approx(run.times[-1] / run.n_iter)
    at_the_floor = type(result)(result.results, result.start_loss, 0.0, result.rank)
    assert at_the_floor.above_floor("mu") is None


# ------------------------------------------------------- the start selector's help text ------


@pytest.mark.parametrize(("key", "rank"), [("faces", 6), ("image", 10)])
def test_init_help_claims_hold_on_the_default_data(key, rank):
    """NNDSVDa starts above random and above ‖X‖², and one MU step puts it ahead of random."""
    from nmf_lab.lessons.watching_it_learn import INIT_HELP, start_comparison

    X = learning_data(key, seed=DEFAULT_SEED).X
    cmp = start_comparison(X, rank, seed=DEFAULT_SEED)
    assert "‖X‖²_F" in INIT_HELP and "one MU step" in INIT_HELP
    assert "already a good start" not in INIT_HELP
    assert cmp.start_loss["nndsvda"] > cmp.start_loss["random"]
    assert cmp.start_loss["nndsvda"] > cmp.zero_loss
    assert cmp.start_loss["random"] < cmp.zero_loss
    assert cmp.one_mu_step_loss["nndsvda"] < cmp.one_mu_step_loss["random"]
    assert cmp.one_mu_step_loss["nndsvda"] < cmp.start_loss["nndsvda"]


def test_nndsvda_start_loss_matches_scikit_learn_on_the_faces():
    """The high NNDSVDa start is the definition (zeros filled with mean(X)), not a bug here."""
    from sklearn.decomposition._nmf import _initialize_nmf

    X = np.asarray(learning_data("faces", seed=DEFAULT_SEED).X, dtype=float)
    H, W = initialize_start(X, 6, init="nndsvda")
    H_sk, W_sk = _initialize_nmf(X, 6, init="nndsvda")  # sklearn's letters: X ≈ H_sk W_sk
    ours, theirs = frobenius_loss(X, H, W), frobenius_loss(X, H_sk, W_sk)
    assert ours == pytest.approx(theirs, rel=0.01)
    plain_H, plain_W = initialize_start(X, 6, init="nndsvd")
    assert frobenius_loss(X, plain_H, plain_W) < 0.2 * float(np.sum(X**2))


# ------------------------------------------------------------------ checkpoints ----------

from nmf_core.init import initialize  # noqa: E402
from nmf_lab.lessons.watching_it_learn import (  # noqa: E402
    ALS_RISE_LABELS,
    START_LABELS,
    als_rise_checkpoint,
    start_checkpoint,
    start_comparison,
)


def _fmt(value) -> str:
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


CHECKPOINT_SETTINGS = [
    ("faces", 6, 0),
    ("faces", 3, 1),
    ("image", 10, 0),
    ("cloud3", 3, 0),
    ("cloud2", 2, 1),
]


@pytest.mark.parametrize("key, rank, seed", CHECKPOINT_SETTINGS)
def test_start_checkpoint_answers_with_the_two_start_losses(key, rank, seed):
    X = learning_data(key, seed=seed).X
    cp = start_checkpoint(start_comparison(X, rank, seed=seed), rank)
    # Independently: the loss of each start, straight from the initialiser.
    losses = {}
    for init in ("random", "nndsvda"):
        H0, W0 = initialize(X, rank, init, seed=seed)
        losses[init] = float(np.sum((X - H0 @ W0) ** 2))
    ratio = losses["nndsvda"] / losses["random"]
    expected = 2 if abs(ratio - 1) <= 0.10 else (0 if ratio < 1 else 1)
    assert cp.correct == expected
    assert cp.key == "learn_start" and cp.labels == START_LABELS
    assert f"random {_fmt(losses['random'])}, NNDSVDa {_fmt(losses['nndsvda'])}" in cp.explanation
    assert f"‖X‖²_F = {_fmt(float(np.sum(X**2)))}" in cp.explanation


def test_on_the_default_faces_the_random_start_is_lower():
    # The numbers: 5,557 (random) against 26,180 (NNDSVDa) on the faces at r = 6.
    X = learning_data("faces", seed=0).X
    cp = start_checkpoint(start_comparison(X, 6, seed=0), 6)
    assert cp.right_label == "Random"
    right, feedback = cp.verdict(START_LABELS[0])
    assert not right and "even above ‖X‖²_F" in feedback and "26,180" in feedback


def test_on_the_toy_clouds_nndsvda_starts_lower():
    X = learning_data("cloud3", seed=0).X
    cp = start_checkpoint(start_comparison(X, 3, seed=0), 3)
    assert cp.right_label == START_LABELS[0]


def _independent_rises(losses: np.ndarray) -> list[int]:
    slack = 1e-9 * np.abs(losses[:-1]) + 1e-12 * np.max(np.abs(losses))
    return [i + 1 for i in range(losses.size - 1) if losses[i + 1] - losses[i] > slack[i]]


@pytest.mark.parametrize("key, rank, seed", CHECKPOINT_SETTINGS)
@pytest.mark.parametrize("init", ["random", "nndsvda"])
def test_als_rise_checkpoint_answers_with_the_als_run_on_screen(key, rank, seed, init):
    X = learning_data(key, seed=seed).X
    start = initialize(X, rank, init, seed=seed)
    losses = nmf(X, rank, solver="als", init=start, max_iter=100, tol=0).losses
    rises = _independent_rises(losses)
    cp = als_rise_checkpoint(losses)
    expected = 0 if not rises else 1 if rises == [1] else 2
    assert cp.correct == expected
    assert cp.key == "learn_als_rise" and cp.labels == ALS_RISE_LABELS
    assert f"{_fmt(losses[0])} at the start" in cp.explanation
    assert f"{_fmt(losses[-1])} at the end" in cp.explanation
    if rises:
        assert f"went up at {len(rises)} of its 100 iterations" in cp.explanation
        assert f"(first at iteration {rises[0]})" in cp.explanation


def test_als_goes_up_on_the_default_faces_and_never_on_the_clouds():
    X = learning_data("faces", seed=0).X
    losses = nmf(
        X, 6, solver="als", init=initialize(X, 6, "random", seed=0), max_iter=100, tol=0
    ).losses
    assert als_rise_checkpoint(losses).right_label == ALS_RISE_LABELS[2]
    cloud = learning_data("cloud3", seed=0).X
    calm = nmf(
        cloud, 3, solver="als", init=initialize(cloud, 3, "random", seed=0), max_iter=100, tol=0
    )
    assert als_rise_checkpoint(calm.losses).right_label == ALS_RISE_LABELS[0]


def test_als_rise_checkpoint_tells_a_single_first_step_rise_apart():
    first_only = als_rise_checkpoint(np.array([10.0, 12.0, 9.0, 8.0]))
    assert first_only.right_label == ALS_RISE_LABELS[1]
    assert "from 10 to 12" in first_only.verdict(ALS_RISE_LABELS[2])[1]
    later = als_rise_checkpoint(np.array([10.0, 9.0, 9.5, 8.0]))
    assert later.right_label == ALS_RISE_LABELS[2]
    assert "first at iteration 2" in later.verdict(ALS_RISE_LABELS[1])[1]
