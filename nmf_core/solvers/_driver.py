"""``nmf()``: validate, initialise, pick the solver's iteration once, then run one loop.

Every solver alternates between the two factors; one *iteration* updates ``H`` and then ``W``.
The update rules live with their solvers: :mod:`.mu`, :mod:`.hals`, :mod:`.anls` (ANLS and
ALS) and :mod:`.kl`; the pass the Frobenius solvers share is in :mod:`._frobenius`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from .._blas import blas_for_products
from .._validation import (
    as_nonnegative_matrix,
    check_callback,
    check_max_iter,
    check_random_state,
    check_rank,
    check_solver_and_loss,
    check_tol,
)
from ..init import _initialize_validated
from ..losses import frobenius_loss
from ..penalties import Penalties
from ._frobenius import DataProducts, FrobeniusPass, PlainIteration
from ._result import NMFResult
from ._types import Iteration, _Tuning
from .anls import als_half_step, anls_half_step
from .hals import ExtrapolatedHALS, hals_half_step, inner_sweep_budgets
from .kl import KLIteration, kl_mu_half_step
from .mu import mu_half_step

__all__ = ["LOSSES", "SOLVERS", "Callback", "nmf"]

SOLVERS = ("mu", "hals", "anls", "als")
LOSSES = ("frobenius", "kl")

Callback = Callable[[int, np.ndarray, np.ndarray, float], Any]

_DEFAULT_TUNING = _Tuning()
# The half step of each Frobenius solver but HALS, whose iteration is built differently.
_PLAIN_HALF_STEPS = {"mu": mu_half_step, "anls": anls_half_step, "als": als_half_step}


def _iteration_for(
    solver: str,
    loss: str,
    data: DataProducts,
    penalties: Penalties,
    tuning: _Tuning,
    rank: int,
) -> Iteration:
    """The one iteration the run will repeat, with each factor's settings bound in."""
    if loss == "kl":
        X = data.X.toarray() if data.sparse else data.X
        return KLIteration(
            X,
            partial(kl_mu_half_step, **penalties.on("H")),
            partial(kl_mu_half_step, **penalties.on("W")),
        )
    if solver == "hals":
        n, k = data.X.shape
        budget_H, budget_W = inner_sweep_budgets(n, k, rank, data.nonzeros, tuning)
        frobenius_pass = FrobeniusPass(
            data,
            partial(hals_half_step, **penalties.on("H"), max_sweeps=budget_H),
            partial(hals_half_step, **penalties.on("W"), max_sweeps=budget_W),
        )
        return ExtrapolatedHALS(frobenius_pass, penalties.objective, tuning.extrapolate)
    half_step = _PLAIN_HALF_STEPS[solver]
    return PlainIteration(
        FrobeniusPass(
            data, partial(half_step, **penalties.on("H")), partial(half_step, **penalties.on("W"))
        )
    )


def nmf(
    X,
    rank: int,
    *,
    solver: str = "hals",
    init: Any = "nndsvda",
    loss: str = "frobenius",
    max_iter: int = 200,
    tol: float = 1e-4,
    seed: Any = None,
    l1_H: float = 0.0,
    l1_W: float = 0.0,
    l2_H: float = 0.0,
    l2_W: float = 0.0,
    callback: Callback | None = None,
    _tuning: _Tuning = _DEFAULT_TUNING,
) -> NMFResult:
    """Nonnegative matrix factorisation ``X ≈ H W``.

    Minimises ``‖X − HW‖²_F + l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F`` over ``H ≥ 0``
    (n×r) and ``W ≥ 0`` (r×k), or the generalised KL divergence plus the same penalties.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix, shape (n, k)
        Nonnegative data; each row is a data point. Ints and bools become float64; float32 stays
        float32 (and the solver then computes in float32).
    rank : int
        Number of basis vectors ``r`` (rows of ``W``). May exceed ``min(n, k)`` with
        ``init="random"`` (or a custom start).
    solver : {"hals", "mu", "anls", "als"}
        - ``"hals"``: hierarchical alternating least squares (exact coordinate minimisation
          over one row of ``W`` or column of ``H`` at a time) with the accelerated inner loops
          of Gillis & Glineur (2012) and, in the slow tail of the convergence, safeguarded
          extrapolation (Ang & Gillis, 2019): an extrapolated step is kept only if it lowers
          the objective. Fast; the objective never increases.
        - ``"mu"``: Lee & Seung multiplicative updates. Simple; the objective never increases.
        - ``"anls"``: alternating nonnegative least squares, each half step solved exactly by
          block principal pivoting (Kim & Park, 2011). The objective never increases.
        - ``"als"``: unconstrained least squares, then negative entries clipped to zero. The
          classroom counterexample: the clipping can make the objective go *up*.
    init : {"nndsvda", "nndsvd", "nndsvdar", "random", "spa"} or tuple (H0, W0)
        Start point, see :func:`nmf_core.initialize`. A given pair is copied, never modified.
    loss : {"frobenius", "kl"}
        ``"kl"`` (generalised Kullback–Leibler ``Σ X log(X/HW) − X + HW``) works with
        ``solver="mu"``.
    max_iter : int
        Maximum number of iterations; one iteration updates ``H`` and then ``W``.
    tol : float
        Stopping rule: stop after iteration ``i`` when
        ``|objective[i−1] − objective[i]| ≤ tol · objective[i−1]`` (this includes reaching an
        objective of 0). ``tol=0`` runs exactly ``max_iter`` iterations (unless a callback
        stops earlier).
    seed : None, int or numpy.random.Generator
        Randomness of the initialisation (``"random"``, ``"nndsvdar"``). HALS, MU, ANLS and ALS
        themselves are deterministic.
    l1_H, l1_W, l2_H, l2_W : float
        Nonnegative penalty weights: ``l1·Σ(factor) + l2·‖factor‖²_F`` added to the objective.
        They are checked, and travel through the solver, as one :class:`nmf_core.Penalties`.
    callback : callable, optional
        ``callback(iteration, H, W, loss)`` after each iteration ``1, 2, …``, with copies of
        the factors (safe to keep, e.g. as animation frames) and the data term ``losses[i]``.
        Returning ``True`` stops the solver. Time spent in the callback is not counted in
        ``times``. For a sparse or small X (``2·n·k·r ≤ 10⁷``) the solver holds BLAS to one
        thread for the whole run, where that is faster, so the callback runs on one BLAS
        thread too; the thread count is restored when ``nmf`` returns or raises.
    _tuning : _Tuning, private
        Settings of the solvers' internals, for the benchmark and the tests; not part of the
        public API.

    Returns
    -------
    NMFResult
        Factors, loss and objective histories, cumulative times, convergence flag.

    Raises
    ------
    ValueError
        Bad data (negative, NaN/inf, not numeric, not 2-D, empty), a rank that is not a
        positive integer, an unknown solver/init/loss, an unsupported solver/loss pair,
        ``nndsvd*``/``spa`` with ``rank > min(n, k)``, a bad custom start, bad penalties or
        iteration settings.
    TypeError
        A ``callback`` that is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((30, 2)) @ rng.random((2, 10))      # exactly rank 2, nonnegative
    >>> result = nmf(X, 2, tol=0, max_iter=300)
    >>> result.H.shape, result.W.shape
    ((30, 2), (2, 10))
    >>> bool(result.relative_error < 1e-6)
    True
    """
    # Validate.
    X = as_nonnegative_matrix(X)
    rank = check_rank(rank)
    check_solver_and_loss(solver, loss, SOLVERS, LOSSES)
    max_iter = check_max_iter(max_iter)
    tol = check_tol(tol)
    penalties = Penalties(l1_H=l1_H, l1_W=l1_W, l2_H=l2_H, l2_W=l2_W)
    check_callback(callback)
    if not isinstance(_tuning, _Tuning):
        raise TypeError(f"_tuning must be a _Tuning, got {_tuning!r}.")

    # Initialise.
    init_name = "custom" if isinstance(init, tuple | list) else init
    H, W = _initialize_validated(X, rank, init, check_random_state(seed))
    data = DataProducts(X, _tuning.copy_transpose_up_to)
    if not np.isfinite(data.norm2):
        raise ValueError("X has entries so large that ‖X‖² overflows; rescale X first.")
    n, k = X.shape
    # One row per basis coordinate for both factors (see Iterate).
    Ht, W = np.ascontiguousarray(H.T), np.ascontiguousarray(W)
    del H

    # Pick the solver once.
    iteration = _iteration_for(solver, loss, data, penalties, _tuning, rank)
    # Products too small to pay for waking BLAS threads run on one thread, for the whole run
    # rather than switching per pass (each switch costs time too); the callback then runs with
    # BLAS on one thread as well.
    blas = blas_for_products(data.sparse, n, k, rank)
    point, first_loss, elapsed = iteration.start(Ht, W, blas)
    losses = [first_loss]
    objectives = [penalties.objective(first_loss, point.Ht, point.W)]
    times = [0.0]
    converged = False

    # Run.
    with blas:
        for iteration_number in range(1, max_iter + 1):
            started = time.perf_counter()
            point, current_loss = iteration.step(point, objectives[-1])
            current_objective = penalties.objective(current_loss, point.Ht, point.W)
            elapsed += time.perf_counter() - started
            losses.append(current_loss)
            objectives.append(current_objective)
            times.append(elapsed)
            stop_requested = False
            if callback is not None:
                stop_requested = bool(
                    callback(
                        iteration_number,
                        np.ascontiguousarray(point.Ht.T),
                        point.W.copy(),
                        current_loss,
                    )
                )
            previous = objectives[-2]
            if tol > 0 and abs(previous - current_objective) <= tol * previous:
                converged = True
                break
            if stop_requested:
                break

    H, W = np.ascontiguousarray(point.Ht.T), point.W
    final_frobenius = losses[-1] if loss == "frobenius" else frobenius_loss(X, H, W)
    return NMFResult._from_run(
        H=H,
        W=W,
        losses=np.asarray(losses, dtype=np.float64),
        objectives=np.asarray(objectives, dtype=np.float64),
        times=np.asarray(times, dtype=np.float64),
        n_iter=len(losses) - 1,
        converged=converged,
        solver=solver,
        init=str(init_name),
        loss=loss,
        norm_X=np.sqrt(data.norm2),
        final_frobenius=final_frobenius,
    )
