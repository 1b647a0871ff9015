"""What the solver modules share: the iterate, the half-step signature, the private tuning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

__all__ = ["HalfStep", "Iterate", "Iteration", "_Tuning"]

HalfStep = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""``half_step(factor, gram, cross) -> factor``: one factor's update with the other held fixed.

``factor`` is r×m (``Hᵀ`` or ``W``), ``gram`` the r×r Gram matrix of the other factor and
``cross`` the r×m product of the other factor with ``X``; the penalty weights on this factor are
bound in. The result may be ``factor`` itself, updated in place.
"""


class Iterate(NamedTuple):
    """The current point, ``Hᵀ`` (r×n) and ``W`` (r×k), and products of it worth keeping.

    Both factors are stored with one row per basis coordinate, so a row update reads and writes
    contiguous memory.
    """

    Ht: np.ndarray
    W: np.ndarray
    gram_W: np.ndarray | None = None
    """``W Wᵀ`` (Frobenius solvers), carried from one iteration to the next."""
    cross_H: np.ndarray | None = None
    """``W Xᵀ`` at this ``W`` when it is already formed (the start point only)."""


class Iteration(Protocol):
    """One solver's iteration: how it starts and how it advances."""

    def start(self, Ht: np.ndarray, W: np.ndarray, blas) -> tuple[Iterate, float, float]:
        """The start point, its loss and the seconds spent on work iteration 1 reuses."""

    def step(self, point: Iterate, objective: float) -> tuple[Iterate, float]:
        """Advance from ``point`` (whose objective is ``objective``); the new point and loss."""


@dataclass(frozen=True)
class _Tuning:
    """Private knobs of :func:`nmf_core.nmf` that the benchmark and the tests vary.

    Pass as ``nmf(..., _tuning=_Tuning(...))``; the defaults are the library's own settings.

    Attributes
    ----------
    alpha : float
        HALS: share of the cost of the products with ``X`` spent on extra inner sweeps
        (Gillis & Glineur, 2012), see :func:`nmf_core.solvers.hals.inner_sweep_budget`.
    extrapolate : bool
        HALS: safeguarded extrapolation (Ang & Gillis, 2019) in the slow tail.
    inner_sweeps : int or None
        HALS: a fixed number of inner sweeps per half step instead of the cost model's.
        ``inner_sweeps=1, extrapolate=False`` is plain HALS (scikit-learn's ``cd``).
    copy_transpose_up_to : int
        A dense ``X`` of at most this many entries keeps a C-ordered copy of ``Xᵀ`` for the
        product ``W Xᵀ``; a larger one is read through BLAS's transpose flag.
    """

    alpha: float = 0.5
    extrapolate: bool = True
    inner_sweeps: int | None = None
    copy_transpose_up_to: int = 1 << 20

    def __post_init__(self) -> None:
        if not (
            isinstance(self.alpha, int | float) and np.isfinite(self.alpha) and self.alpha >= 0
        ):
            raise ValueError(f"alpha must be a nonnegative number, got {self.alpha!r}.")
        if self.inner_sweeps is not None and (
            isinstance(self.inner_sweeps, bool)
            or not isinstance(self.inner_sweeps, int)
            or self.inner_sweeps < 1
        ):
            raise ValueError(
                f"inner_sweeps must be None or an integer ≥ 1, got {self.inner_sweeps!r}."
            )
        if isinstance(self.copy_transpose_up_to, bool) or not isinstance(
            self.copy_transpose_up_to, int
        ):
            raise ValueError(
                f"copy_transpose_up_to must be an integer, got {self.copy_transpose_up_to!r}."
            )
