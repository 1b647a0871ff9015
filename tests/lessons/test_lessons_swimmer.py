"""The swimmer: NMF recovers its 16 limb parts, PCA does not (measured over seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nmf_lab.lessons import swimmer as sw

SEEDS = (0, 1, 2, 3)


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def recoveries():
    return {seed: sw.swimmer_recovery(seed=seed) for seed in SEEDS}


def test_the_set_is_256_images_of_four_limbs_on_disjoint_pixels():
    X, parts = sw.swimmer_images(), sw.swimmer_parts()
    assert X.shape == (256, 1024) and parts.shape == (16, 1024)
    assert len({row.tobytes() for row in X}) == 256  # every combination once
    support = (parts > 0).astype(int)
    overlap = support @ support.T
    assert np.all(overlap[~np.eye(16, dtype=bool)] == 0)  # separable: own pixels per part
    assert np.all((support @ (sw.swimmer_torso() > 0)) == 0)
    # each image is exactly one position per limb
    assert np.all(X @ parts.T / np.diag(overlap) >= 0)
    weights = np.linalg.lstsq(parts.T, X.T, rcond=None)[0].T
    assert np.allclose(weights.reshape(256, 4, 4).sum(axis=2), 1.0)
    assert np.array_equal(X, sw.swimmer_images())  # deterministic


def test_ordinary_rank_is_13_but_16_parts_are_needed():
    # one free weight per limb is fixed by "exactly one position": 1 + 4·3 = 13
    assert np.linalg.matrix_rank(sw.swimmer_images()) == 13
    assert np.linalg.matrix_rank(sw.swimmer_images(torso=True)) == 13


@pytest.mark.parametrize("seed", SEEDS)
def test_nmf_recovers_every_limb_part(recoveries, seed):
    assert recoveries[seed].nmf.worst >= 0.95
    assert recoveries[seed].nmf.recovered(0.95) == 16


def test_pca_components_are_far_from_the_parts(recoveries):
    # measured: median 0.375, best 0.706 (PCA does not depend on the seed)
    pca = recoveries[0].pca
    assert pca.median <= 0.5
    assert float(pca.cosines.max()) <= 0.8
    for seed in SEEDS:
        assert recoveries[seed].pca.median + 0.4 <= recoveries[seed].nmf.median


def test_torso_in_every_image_leaks_into_limb_rows():
    # The classic torso: rank 17 fits exactly, yet in some run a limb row carries torso.
    worst = [sw.torso_leak(seed=seed).worst for seed in (0, 1)]
    assert min(worst) < 0.95


def test_recovery_matching_and_errors():
    parts = sw.swimmer_parts()
    shuffled = parts[::-1] * 3.0
    match = sw.part_recovery(parts, shuffled)
    assert np.allclose(match.cosines, 1.0)
    assert np.array_equal(match.matched, np.arange(16)[::-1])
    with pytest.raises(ValueError):
        sw.part_recovery(parts, parts[:3])
    with pytest.raises(ValueError):
        sw.part_recovery(parts, parts[:, :10])
    with pytest.raises(ValueError):
        sw.part_recovery(np.zeros((1, 1024)), parts)
    with pytest.raises(ValueError):
        sw.swimmer_recovery(rank=3)
    with pytest.raises(ValueError):
        sw.best_nmf(sw.swimmer_images(), 16, restarts=0)


def test_table_lists_every_part(recoveries):
    table = recoveries[0].table()
    assert len(table["true part"]) == 16
    assert table["NMF |cos|"] == list(np.round(recoveries[0].nmf.cosines, 3))


def test_an_svd_based_start_stalls_with_parts_merged():
    # Why the page uses random starts: NNDSVDa (deterministic) misses some limb part.
    from nmf_core import nmf

    settings = {**sw.SWIMMER_NMF, "init": "nndsvda"}
    fit = nmf(sw.swimmer_images(), sw.SWIMMER_RANK, seed=0, **settings)
    assert sw.part_recovery(sw.swimmer_parts(), fit.W).worst < 0.95


# ------------------------------------------------------------------ the page's checkpoint ----


def _with_cosines(recovery, *, nmf=None, pca=None):
    """The same recovery with some cosines replaced (to reach every outcome)."""
    from dataclasses import replace

    return replace(
        recovery,
        nmf=recovery.nmf if nmf is None else replace(recovery.nmf, cosines=np.asarray(nmf)),
        pca=recovery.pca if pca is None else replace(recovery.pca, cosines=np.asarray(pca)),
    )


def test_parts_checkpoint_at_the_page_default_is_nmf_all_pca_fewer(recoveries):
    recovery = recoveries[0]
    cp = sw.parts_checkpoint(recovery)
    assert cp.key == "img_swimmer_parts"
    assert cp.right_label == "NMF all, PCA fewer"
    n_nmf, n_pca = recovery.nmf.recovered(), recovery.pca.recovered()
    assert (n_nmf, n_pca) == (16, 0)  # measured at seed 0
    assert f"NMF recovers **{n_nmf} of 16**" in cp.explanation
    assert f"PCA **{n_pca} of 16** (median {recovery.pca.median:.3f}" in cp.explanation
    assert f"best {float(recovery.pca.cosines.max()):.3f}" in cp.explanation
    assert len({choice.feedback for choice in cp.choices}) == 4, "each answer has its own reason"
    for choice in cp.choices:
        assert f"{n_pca} of 16" in choice.feedback  # every answer quotes the live counts


@pytest.mark.parametrize(
    ("nmf_low", "pca_high", "expected"),
    [
        (False, True, "Both: 16 rows for 16 parts"),
        (True, True, "PCA all, NMF fewer"),
        (True, False, "Neither"),
        (False, False, "NMF all, PCA fewer"),
    ],
)
def test_parts_checkpoint_answer_follows_the_counts(recoveries, nmf_low, pca_high, expected):
    recovery = recoveries[0]
    nmf = recovery.nmf.cosines.copy()
    if nmf_low:
        nmf[3] = 0.94  # one part just under the mark
    pca = np.ones(16) if pca_high else None
    changed = _with_cosines(recovery, nmf=nmf, pca=pca)
    cp = sw.parts_checkpoint(changed)
    assert cp.right_label == expected
    assert f"NMF recovers **{changed.nmf.recovered()} of 16**" in cp.explanation
    assert f"PCA **{changed.pca.recovered()} of 16**" in cp.explanation
    assert len({choice.feedback for choice in cp.choices}) == 4
    right, feedback = cp.verdict(expected)
    assert right and f"{changed.nmf.recovered()} of 16" in feedback
