"""Penalties: the objective nmf() reports, and the claims of the page's penalty tab (faces)."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_core import frobenius_loss, hoyer_sparseness, nmf, penalty
from nmf_lab.demo_data import image_patches, load_faces
from nmf_lab.lessons.choosing_r.penalties import (
    PENALTY_NAMES,
    PenaltySweep,
    check_penalties,
    fit_with_penalties,
    penalised_objective,
    penalty_sweep,
)

# The page's defaults: faces, r = 8, L1 on W and L2 on H at weight 1.
PAGE_RANK = 8
PAGE_PENALTIES = {"l1_W": 1.0, "l2_H": 1.0}


@pytest.fixture(scope="module")
def faces():
    return load_faces()


@pytest.fixture(scope="module")
def plain(faces):
    return fit_with_penalties(faces, PAGE_RANK)


@pytest.fixture(scope="module")
def penalised(faces):
    return fit_with_penalties(faces, PAGE_RANK, PAGE_PENALTIES)


def test_check_penalties_fills_in_zeros_and_refuses_bad_values():
    assert check_penalties({"l2_W": 2}) == {"l1_H": 0.0, "l1_W": 0.0, "l2_H": 0.0, "l2_W": 2.0}
    with pytest.raises(ValueError, match="Unknown penalty"):
        check_penalties({"l3_W": 1.0})
    with pytest.raises(ValueError, match="nonnegative"):
        check_penalties({"l1_H": -0.1})
    with pytest.raises(ValueError, match="nonnegative"):
        check_penalties({"l1_H": "lots"})


@pytest.mark.parametrize("solver", ["hals", "mu", "anls"])
def test_reported_objective_is_loss_plus_penalties(solver):
    # Page: "Objective with penalties, as nmf() reports it".
    X = np.random.default_rng(0).random((20, 9))
    weights = {"l1_H": 0.3, "l1_W": 0.2, "l2_H": 0.5, "l2_W": 0.1}
    fit = fit_with_penalties(X, 3, weights, solver=solver)
    by_hand = (
        np.sum((X - fit.H @ fit.W) ** 2)
        + 0.3 * fit.H.sum()
        + 0.2 * fit.W.sum()
        + 0.5 * np.sum(fit.H**2)
        + 0.1 * np.sum(fit.W**2)
    )
    assert fit.objective == pytest.approx(by_hand, rel=1e-9)
    assert penalised_objective(X, fit) == pytest.approx(by_hand, rel=1e-9)
    assert fit.loss == pytest.approx(frobenius_loss(X, fit.H, fit.W), rel=1e-9)
    result = nmf(X, 3, solver=solver, **weights)
    assert result.objectives[-1] == pytest.approx(
        result.losses[-1] + penalty(result.H, result.W, **weights), rel=1e-9
    )


def test_measures_match_their_definitions(faces, penalised):
    W, H = penalised.W, penalised.H
    active = (W.max(axis=1) > 1e-10) & (H.max(axis=0) > 1e-10)
    assert penalised.active == active.sum()
    assert penalised.sparseness_W == pytest.approx(hoyer_sparseness(W[active], axis=1).mean())
    assert penalised.sparseness_H == pytest.approx(hoyer_sparseness(H[:, active], axis=0).mean())
    assert penalised.zeros_W == pytest.approx(np.mean(W == 0))
    assert penalised.relative_error == pytest.approx(
        np.linalg.norm(faces - H @ W) / np.linalg.norm(faces)
    )
    assert penalised.norm_W == pytest.approx(np.linalg.norm(W))


def test_l1_on_w_raises_the_sparseness_of_the_basis_faces(plain, penalised):
    # Page: "With L1 on W the basis faces break into smaller parts".
    assert penalised.sparseness_W > plain.sparseness_W + 0.1
    assert penalised.zeros_W > plain.zeros_W + 0.1


def test_the_sparser_basis_costs_some_error(plain, penalised):
    assert penalised.relative_error > plain.relative_error
    assert penalised.active == PAGE_RANK


def test_penalising_one_factor_alone_is_dodged_by_rescaling(faces, plain):
    # Page: "the solver can shrink W and grow H to dodge the penalty: compare the norms".
    only_W = fit_with_penalties(faces, PAGE_RANK, {"l1_W": 1.0})
    assert only_W.norm_W < plain.norm_W / 10
    assert only_W.norm_H > plain.norm_H * 10
    assert abs(only_W.relative_error - plain.relative_error) < 0.01


def test_a_large_l1_weight_switches_basis_vectors_off(faces):
    # Page: "a black tile is a basis vector the penalty switched off".
    heavy = fit_with_penalties(faces, PAGE_RANK, {"l1_W": 10.0, "l2_H": 10.0})
    assert heavy.active < PAGE_RANK
    dead = heavy.W.max(axis=1) <= 1e-10
    assert dead.any()


def test_same_start_without_penalties_is_plain_nmf(faces, plain):
    result = nmf(faces, PAGE_RANK)
    np.testing.assert_allclose(plain.W, result.W)
    assert plain.n_iter == result.n_iter


def test_penalty_sweep_collects_one_fit_per_value():
    X = np.random.default_rng(1).random((25, 10))
    fractions = []
    sweep = penalty_sweep(
        X, 3, "l1_W", [0.0, 1.0, 4.0], {"l2_H": 0.5, "l1_W": 99.0}, progress=fractions.append
    )
    assert fractions == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert sweep.name == "l1_W" and sweep.values.tolist() == [0.0, 1.0, 4.0]
    single = fit_with_penalties(X, 3, {"l1_W": 1.0, "l2_H": 0.5})
    assert sweep.relative_error[1] == pytest.approx(single.relative_error)
    assert sweep.sparseness_W[1] == pytest.approx(single.sparseness_W)


def test_penalty_sweep_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown penalty"):
        penalty_sweep(np.ones((4, 3)), 2, "l1_X", [0.0])
    with pytest.raises(ValueError, match="one fit per value"):
        PenaltySweep.from_fits("l1_W", [0.0, 1.0], [])
    assert set(PENALTY_NAMES) == {"l1_H", "l1_W", "l2_H", "l2_W"}


def test_l2_spreads_the_weight_out(faces, plain):
    # Page: "An L2 penalty charges for large entries and spreads weight out".
    spread = fit_with_penalties(faces, PAGE_RANK, {"l2_W": 10.0, "l2_H": 10.0})
    assert spread.sparseness_W < plain.sparseness_W - 0.1
    assert spread.zeros_W < plain.zeros_W


@pytest.mark.parametrize("name", ["camera", "coins"])
def test_l1_on_w_raises_sparseness_on_image_patches_too(name):
    # Page (patch data): "With L1 on W the basis images break into smaller parts".
    from nmf_lab.demo_data import sample_image

    X = image_patches(sample_image(name), size=12, count=500, seed=0)
    plain = fit_with_penalties(X, PAGE_RANK)
    sparse = fit_with_penalties(X, PAGE_RANK, PAGE_PENALTIES)
    assert sparse.sparseness_W > plain.sparseness_W + 0.05


def test_switched_off_rows_are_kept_out_of_sparseness_and_counted_in_the_sentence(faces):
    """Strong L1 (the issue's case): the measures of the active rows and of all of W agree."""
    from nmf_core.metrics import hoyer_sparseness
    from nmf_lab.lessons.choosing_r.penalties import switched_off_sentence

    heavy = fit_with_penalties(faces, 16, {"l1_W": 10.0, "l1_H": 0.03})
    live = (heavy.W.max(axis=1) > 1e-10) & (heavy.H.max(axis=0) > 1e-10)
    assert heavy.active == int(live.sum()) and heavy.switched_off == 16 - heavy.active > 0
    assert heavy.sparseness_W == pytest.approx(hoyer_sparseness(heavy.W[live], axis=1).mean())
    assert heavy.zeros_W_active == pytest.approx(np.mean(heavy.W[live] == 0))
    # All of W counts the dead rows as zeros, the active-row share does not.
    assert heavy.zeros_W > heavy.zeros_W_active
    assert f"switched off {heavy.switched_off} of the 16" in switched_off_sentence(heavy)
    plain = fit_with_penalties(faces, 8)
    assert plain.switched_off == 0 and "none switched off" in switched_off_sentence(plain)
