"""Multiplicative updates (Lee & Seung, 2001) for the Frobenius objective.

The penalised objective in one factor ``F`` (r×m) with the other fixed has the gradient
``(gram F + l1/2 + l2 F) − cross``, a difference of two nonnegative parts. Scaling every entry
by the ratio of the negative part to the positive part,

    F ← F ∘ cross / (gram F + l1/2 + l2 F),

keeps ``F`` nonnegative and never increases the objective: it is the exact minimiser of a
quadratic majoriser of it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["mu_half_step"]


def mu_half_step(
    factor: np.ndarray, gram: np.ndarray, cross: np.ndarray, l1: float, l2: float
) -> np.ndarray:
    """Lee–Seung step on ``factor`` (r×m), in place: ``F ← F ∘ cross / (gram F + l1/2 + l2 F)``.

    The numerator and denominator are the negative and positive parts of the gradient of the
    penalised objective, so the objective never increases (Lee & Seung, 2001). Where the
    denominator is 0 (a zero row of ``F`` and of ``gram``) the entry is left unchanged.

    Parameters
    ----------
    factor : ndarray, shape (r, m)
        ``Hᵀ`` or ``W``; updated in place.
    gram : ndarray, shape (r, r)
        Gram matrix of the other factor (``WWᵀ`` or ``HᵀH``).
    cross : ndarray, shape (r, m)
        ``W Xᵀ`` or ``Hᵀ X``.
    l1, l2 : float
        Penalty weights on this factor.

    Returns
    -------
    ndarray, shape (r, m)
        ``factor`` itself.
    """
    denominator = gram.astype(factor.dtype, copy=False) @ factor
    if l1:
        denominator += l1 / 2.0
    if l2:
        denominator += l2 * factor
    # Divide everywhere, then put back the few entries over a zero denominator: numpy's masked
    # division (``where=``) is much slower, most of all when a few entries fail the mask.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.divide(cross, denominator)
    unchanged = denominator == 0
    if unchanged.any():
        ratio[unchanged] = 1.0
    factor *= ratio
    return factor
