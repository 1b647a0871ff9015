"""Multiplicative updates for the generalised Kullback–Leibler divergence (Lee & Seung, 2001).

The data term is ``D(X ‖ HW) = Σ X log(X / HW) − X + HW``; the same L1 and L2 penalties as for
the Frobenius loss are added. ``X`` is used dense here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..losses import KL_EPS, kl_divergence
from ._types import Iterate

__all__ = ["KLIteration", "kl_mu_half_step"]


def kl_mu_half_step(
    factor: np.ndarray, other: np.ndarray, data: np.ndarray, l1: float, l2: float
) -> np.ndarray:
    """Majorise–minimise step for one factor (r×m) of the penalised KL objective, in place.

    With ``a = F ∘ (other · (data / otherᵀF))`` (Jensen's bound on the log term) and
    ``c = other·1 + l1``, each entry minimises ``c·f − a·log f + l2·f²``, whose minimiser is
    ``f = 2a / (c + sqrt(c² + 8·l2·a))`` — Lee & Seung's ``a / c`` when ``l2 = 0``. Being the
    exact minimiser of a majoriser, it never increases the objective. Entries with ``c = 0``
    (a zero row of ``other`` and no penalty) are left unchanged.

    Parameters
    ----------
    factor : ndarray, shape (r, m)
        ``Hᵀ`` or ``W``; updated in place.
    other : ndarray, shape (r, n_other)
        The other factor in the same orientation (``W`` or ``Hᵀ``).
    data : ndarray, shape (n_other, m)
        ``X`` arranged so that ``data ≈ otherᵀ · factor`` (``Xᵀ`` for ``Hᵀ``, ``X`` for ``W``).
    l1, l2 : float
        Penalty weights on this factor.

    Returns
    -------
    ndarray, shape (r, m)
        ``factor`` itself.
    """
    ratio = data / np.maximum(other.T @ factor, KL_EPS)  # shape (n_other, m)
    a = factor * (other @ ratio)
    c = other.sum(axis=1)[:, None] + l1
    if l2:
        denominator = c + np.sqrt(c * c + 8.0 * l2 * a)
        np.divide(2.0 * a, denominator, out=factor, where=denominator > 0)
    else:
        c = np.broadcast_to(c, factor.shape)
        np.divide(a, c, out=factor, where=c > 0)
    return factor


KLHalfStep = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


class KLIteration:
    """One KL-MU iteration: ``kl_mu_half_step`` on ``Hᵀ``, then on ``W``.

    Parameters
    ----------
    X : ndarray, shape (n, k)
        Dense data.
    half_step_H, half_step_W : callable
        ``kl_mu_half_step`` with this factor's penalty weights bound in.
    """

    def __init__(self, X: np.ndarray, half_step_H: KLHalfStep, half_step_W: KLHalfStep) -> None:
        self.X = X
        self.half_step_H, self.half_step_W = half_step_H, half_step_W

    def start(self, Ht: np.ndarray, W: np.ndarray, blas: Any) -> tuple[Iterate, float, float]:
        """The start point and its divergence; no work is carried into iteration 1."""
        return Iterate(Ht, W), kl_divergence(self.X, Ht.T, W), 0.0

    def step(self, point: Iterate, objective: float) -> tuple[Iterate, float]:
        """Update ``Hᵀ`` then ``W``; return the new point and its divergence."""
        Ht = self.half_step_H(point.Ht, point.W, self.X.T)
        W = self.half_step_W(point.W, Ht, self.X)
        return Iterate(Ht, W), kl_divergence(self.X, Ht.T, W)
