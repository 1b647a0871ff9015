"""The result of :func:`nmf_core.nmf`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["NMFResult"]


@dataclass(frozen=True)
class NMFResult:
    """The outcome of :func:`nmf`.

    Attributes
    ----------
    H : ndarray, shape (n, r)
        Coefficients: row ``i`` holds the coordinates of point ``X[i]`` in the learned basis.
    W : ndarray, shape (r, k)
        Basis: each row is one learned basis vector.
    losses : ndarray, shape (n_iter + 1,)
        ``losses[0]`` at the start point, ``losses[i]`` after iteration ``i``: the squared
        Frobenius distance ``‖X − HW‖²_F`` (the generalised KL divergence for ``loss="kl"``).
    objectives : ndarray, shape (n_iter + 1,)
        ``losses`` plus the penalty terms; this is what the solver decreases.
    times : ndarray, shape (n_iter + 1,)
        Cumulative wall-clock seconds since the start point (``times[0] == 0``).
    n_iter : int
        Iterations run.
    converged : bool
        Whether the stopping rule fired before ``max_iter``.
    solver, init, loss : str
        The settings used (``init`` is ``"custom"`` for a given pair).

    ``relative_error`` and ``relative_errors`` also need ``‖X‖_F``, which :func:`nmf` records
    with the result (it is not a constructor argument).
    """

    H: np.ndarray
    W: np.ndarray
    losses: np.ndarray
    objectives: np.ndarray
    times: np.ndarray
    n_iter: int
    converged: bool
    solver: str
    init: str
    loss: str
    # Set by :meth:`_from_run`, not by the constructor: what relative_error needs to know of X.
    _norm_X: float = field(init=False, repr=False, default=float("nan"))
    _final_frobenius: float = field(init=False, repr=False, default=float("nan"))

    @classmethod
    def _from_run(cls, *, norm_X: float, final_frobenius: float, **fields: Any) -> NMFResult:
        """The result of a run of :func:`nmf`, with ``‖X‖_F`` and the final ``‖X − HW‖²_F``.

        A result made with the plain constructor does not know ``X``: its ``relative_error``
        and ``relative_errors`` are NaN.
        """
        result = cls(**fields)
        object.__setattr__(result, "_norm_X", float(norm_X))
        object.__setattr__(result, "_final_frobenius", float(final_frobenius))
        return result

    @property
    def rank(self) -> int:
        """Number of basis vectors ``r``."""
        return self.W.shape[0]

    def reconstruction(self) -> np.ndarray:
        """Return ``H @ W``, shape (n, k)."""
        return self.H @ self.W

    @property
    def relative_error(self) -> float:
        """``‖X − HW‖_F / ‖X‖_F`` at the end (0 for a zero ``X``), for either loss."""
        if self._norm_X == 0:
            return 0.0
        return float(np.sqrt(max(self._final_frobenius, 0.0)) / self._norm_X)

    @property
    def relative_errors(self) -> np.ndarray:
        """``‖X − HW‖_F / ‖X‖_F`` after each iteration, shape (n_iter + 1,); Frobenius only.

        Raises
        ------
        ValueError
            For ``loss="kl"``, whose history holds divergences, not Frobenius distances.
        """
        if self.loss != "frobenius":
            raise ValueError("relative_errors is defined for loss='frobenius' only.")
        if self._norm_X == 0:
            return np.zeros_like(self.losses)
        return np.sqrt(np.maximum(self.losses, 0.0)) / self._norm_X
