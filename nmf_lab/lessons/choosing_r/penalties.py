"""L1 and L2 penalties: what they do to sparseness, to the error and to the basis.

The penalised objective of :func:`nmf_core.nmf` is

    ‖X − HW‖²_F + l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F.

One thing to keep in mind: ``HW = (cH)(W/c)`` for any ``c > 0``, so a penalty on one factor alone
can be dodged by rescaling: the penalised factor shrinks, the other grows, and the fit hardly
changes. Penalising both factors (e.g. L1 on ``W`` with L2 on ``H``) removes that escape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nmf_core import Penalties, as_nonnegative_matrix, check_rank
from nmf_core.losses import frobenius_loss, penalty
from nmf_core.metrics import hoyer_sparseness
from nmf_core.penalties import PENALTY_NAMES
from nmf_core.solvers import nmf

__all__ = [
    "PENALTY_NAMES",
    "PenaltyFit",
    "PenaltySweep",
    "check_penalties",
    "fit_with_penalties",
    "penalised_objective",
    "penalty_sweep",
    "switched_off_sentence",
]


# A basis vector whose entries are all below this is counted as switched off.
_ACTIVE_THRESHOLD = 1e-10


def check_penalties(penalties: Mapping[str, Any]) -> dict[str, float]:
    """Return ``penalties`` as a full ``{name: float}`` dict; unknown names or values raise.

    Parameters
    ----------
    penalties : mapping
        Any of ``l1_H, l1_W, l2_H, l2_W`` with nonnegative finite weights; missing ones are 0.

    Returns
    -------
    dict

    Examples
    --------
    >>> check_penalties({"l1_W": 1})
    {'l1_H': 0.0, 'l1_W': 1.0, 'l2_H': 0.0, 'l2_W': 0.0}
    """
    return Penalties.from_mapping(penalties).as_dict()


@dataclass(frozen=True)
class PenaltyFit:
    """One penalised NMF and the measures the page compares.

    Attributes
    ----------
    penalties : dict
        The four weights used.
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    loss : float
        ``‖X − HW‖²_F`` at the end.
    objective : float
        The penalised objective at the end, as :func:`nmf_core.nmf` reports it.
    relative_error : float
        ``‖X − HW‖_F / ‖X‖_F``.
    sparseness_W : float
        Mean Hoyer sparseness of the active rows of ``W`` (0 flat … 1 a single spike).
    sparseness_H : float
        Mean Hoyer sparseness of the active columns of ``H``.
    zeros_W : float
        Share of entries of ``W`` that are exactly zero (switched-off rows included).
    zeros_W_active : float
        Share of zero entries in the active rows only: the rows ``sparseness_W`` measures.
    active : int
        Basis vectors still in use (a nonzero row of ``W`` with a nonzero column of ``H``).
    norm_H, norm_W : float
        Frobenius norms, to see the rescaling a one-sided penalty causes.
    n_iter : int
    """

    penalties: dict = field(repr=False)
    H: np.ndarray = field(repr=False)
    W: np.ndarray = field(repr=False)
    loss: float
    objective: float
    relative_error: float
    sparseness_W: float
    sparseness_H: float
    zeros_W: float
    active: int
    norm_H: float
    norm_W: float
    n_iter: int
    zeros_W_active: float = 0.0

    @property
    def switched_off(self) -> int:
        """Basis vectors the penalties switched off: ``r − active``."""
        return int(self.W.shape[0] - self.active)


def fit_with_penalties(
    X,
    rank: int,
    penalties: Mapping[str, Any] | None = None,
    *,
    solver: str = "hals",
    init: Any = "nndsvda",
    max_iter: int = 200,
    tol: float = 1e-4,
    seed: Any = 0,
) -> PenaltyFit:
    """Fit NMF with the given penalties and measure sparseness, error and scale.

    Parameters
    ----------
    X : array_like, shape (n, k)
        Nonnegative data, rows are points.
    rank : int
    penalties : mapping, optional
        Weights ``l1_H, l1_W, l2_H, l2_W`` (missing ones are 0).
    solver, init, max_iter, tol, seed
        Passed to :func:`nmf_core.nmf`. The default deterministic start (``"nndsvda"``) makes a
        fit with and without penalties start from the same point.

    Returns
    -------
    PenaltyFit

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).random((30, 12))
    >>> plain = fit_with_penalties(X, 3)
    >>> sparse = fit_with_penalties(X, 3, {"l1_W": 1.0, "l2_H": 1.0})
    >>> bool(sparse.sparseness_W > plain.sparseness_W)
    True
    """
    X = as_nonnegative_matrix(X, allow_sparse=False)
    rank = check_rank(rank)
    weights = check_penalties(penalties or {})
    result = nmf(
        X, rank, solver=solver, init=init, max_iter=max_iter, tol=tol, seed=seed, **weights
    )
    H, W = result.H.astype(np.float64), result.W.astype(np.float64)
    active_mask = (W.max(axis=1) > _ACTIVE_THRESHOLD) & (H.max(axis=0) > _ACTIVE_THRESHOLD)
    active = int(active_mask.sum())
    sparseness_W = float(hoyer_sparseness(W[active_mask], axis=1).mean()) if active else 0.0
    sparseness_H = float(hoyer_sparseness(H[:, active_mask], axis=0).mean()) if active else 0.0
    return PenaltyFit(
        penalties=weights,
        H=H,
        W=W,
        loss=float(result.losses[-1]),
        objective=float(result.objectives[-1]),
        relative_error=result.relative_error,
        sparseness_W=sparseness_W,
        sparseness_H=sparseness_H,
        zeros_W=float(np.mean(W == 0)),
        active=active,
        norm_H=float(np.linalg.norm(H)),
        norm_W=float(np.linalg.norm(W)),
        n_iter=result.n_iter,
        zeros_W_active=float(np.mean(W[active_mask] == 0)) if active else 0.0,
    )


def penalised_objective(X, fit: PenaltyFit) -> float:
    """Recompute ``‖X − HW‖²_F`` plus the penalties of ``fit`` from its factors (a check)."""
    return frobenius_loss(X, fit.H, fit.W) + penalty(fit.H, fit.W, **fit.penalties)


@dataclass(frozen=True)
class PenaltySweep:
    """Measures of :func:`fit_with_penalties` along a range of weights for one penalty.

    Attributes
    ----------
    name : str
        The penalty that was varied.
    values : ndarray, shape (m,)
    relative_error, sparseness_W, sparseness_H, zeros_W : ndarray, shape (m,)
    active : ndarray of int, shape (m,)
    norm_H, norm_W : ndarray, shape (m,)
    """

    name: str
    values: np.ndarray
    relative_error: np.ndarray
    sparseness_W: np.ndarray
    sparseness_H: np.ndarray
    zeros_W: np.ndarray
    active: np.ndarray
    norm_H: np.ndarray
    norm_W: np.ndarray

    @classmethod
    def from_fits(
        cls, name: str, values: Sequence[float], fits: Sequence[PenaltyFit]
    ) -> PenaltySweep:
        """Collect fits made at ``values`` of penalty ``name``."""
        if name not in PENALTY_NAMES:
            raise ValueError(f"Unknown penalty {name!r}; choose from {', '.join(PENALTY_NAMES)}.")
        if len(values) != len(fits) or not fits:
            raise ValueError("Need one fit per value, and at least one.")
        return cls(
            name=name,
            values=np.asarray(values, dtype=np.float64),
            **{
                measure: np.array([getattr(fit, measure) for fit in fits])
                for measure in (
                    "relative_error",
                    "sparseness_W",
                    "sparseness_H",
                    "zeros_W",
                    "active",
                    "norm_H",
                    "norm_W",
                )
            },
        )


def penalty_sweep(
    X,
    rank: int,
    name: str,
    values: Sequence[float],
    others: Mapping[str, Any] | None = None,
    *,
    progress: Callable[[float], Any] | None = None,
    **fit_options,
) -> PenaltySweep:
    """Vary penalty ``name`` over ``values`` with the other penalties held at ``others``.

    Parameters
    ----------
    X : array_like, shape (n, k)
    rank : int
    name : {"l1_H", "l1_W", "l2_H", "l2_W"}
    values : sequence of float
    others : mapping, optional
        Fixed weights of the other penalties (an entry for ``name`` is overridden).
    progress : callable, optional
        ``progress(fraction_done)`` after each value.
    **fit_options
        Passed to :func:`fit_with_penalties`.

    Returns
    -------
    PenaltySweep
    """
    if name not in PENALTY_NAMES:
        raise ValueError(f"Unknown penalty {name!r}; choose from {', '.join(PENALTY_NAMES)}.")
    base = check_penalties(others or {})
    fits = []
    for index, value in enumerate(values):
        fits.append(fit_with_penalties(X, rank, {**base, name: value}, **fit_options))
        if progress is not None:
            progress((index + 1) / len(values))
    return PenaltySweep.from_fits(name, values, fits)


def switched_off_sentence(fit: PenaltyFit) -> str:
    """The basis figure's last sentence, counting the switched-off tiles of ``fit``.

    A tile is black only when its row of ``W`` is all zero (or its column of ``H`` is), which
    is exactly what the table's "active basis vectors" leaves out, so the two always agree.
    """
    rank = fit.W.shape[0]
    off = fit.switched_off
    if off == 0:
        return (
            f"All {rank} basis vectors are still active, none switched off: a dark tile with a "
            "few bright pixels is a sparse, active basis vector."
        )
    noun = "basis vector" if off == 1 else "basis vectors"
    return (
        f"The penalties switched off {off} of the {rank} {noun} (their rows of W or columns "
        "of H are all zero); the table's sparseness and share of zeros among active rows "
        + ("measure the one left." if fit.active == 1 else f"measure the other {fit.active}.")
    )
