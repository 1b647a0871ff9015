"""The four penalty weights of the objective, as one checked value.

The penalised objective of :func:`nmf_core.nmf` is

    ‖X − HW‖²_F + l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ._validation import PENALTY_NAMES, check_penalty_names, check_penalty_weight
from .losses import penalty

__all__ = ["PENALTY_NAMES", "Penalties"]


@dataclass(frozen=True)
class Penalties:
    """Nonnegative L1 and L2 weights on the two factors, checked when made.

    Attributes
    ----------
    l1_H, l1_W : float
        Weights of ``ΣH`` and ``ΣW`` (the factors are nonnegative, so these are L1 norms).
    l2_H, l2_W : float
        Weights of ``‖H‖²_F`` and ``‖W‖²_F``.

    Raises
    ------
    ValueError
        A weight that is negative, NaN, infinite, a bool or not a number; the message names it.

    Examples
    --------
    >>> Penalties(l1_W=1).l1_W
    1.0
    >>> Penalties.from_mapping({"l2_H": 0.5}).as_dict()
    {'l1_H': 0.0, 'l1_W': 0.0, 'l2_H': 0.5, 'l2_W': 0.0}
    """

    l1_H: float = 0.0
    l1_W: float = 0.0
    l2_H: float = 0.0
    l2_W: float = 0.0

    def __post_init__(self) -> None:
        for name in PENALTY_NAMES:
            object.__setattr__(self, name, check_penalty_weight(name, getattr(self, name)))

    @classmethod
    def from_mapping(cls, weights: Mapping[str, Any]) -> Penalties:
        """Build from a mapping with any of ``l1_H, l1_W, l2_H, l2_W``; missing ones are 0.

        Raises
        ------
        ValueError
            An unknown name (``"Unknown penalty [...]; choose from l1_H, l1_W, l2_H, l2_W."``)
            or a bad weight (``"l1_H must be a nonnegative finite number, got -1."``).
        """
        check_penalty_names(weights)
        return cls(**{name: weights.get(name, 0.0) for name in PENALTY_NAMES})

    def as_dict(self) -> dict[str, float]:
        """``{"l1_H": …, "l1_W": …, "l2_H": …, "l2_W": …}``, in that order."""
        return {name: getattr(self, name) for name in PENALTY_NAMES}

    @cached_property
    def active(self) -> bool:
        """Whether any weight is positive (an unpenalised objective is just the loss).

        Cached: the solver asks after every iteration, and the weights never change.
        """
        return any(self.as_dict().values())

    def on(self, factor: str) -> dict[str, float]:
        """The weights on one factor, ``{"l1": …, "l2": …}``, for ``factor`` ``"H"`` or ``"W"``.

        >>> Penalties(l1_H=1, l2_W=2).on("W")
        {'l1': 0.0, 'l2': 2.0}
        """
        if factor not in ("H", "W"):
            raise ValueError(f"factor must be 'H' or 'W', got {factor!r}.")
        return {"l1": getattr(self, f"l1_{factor}"), "l2": getattr(self, f"l2_{factor}")}

    def value(self, H: np.ndarray, W: np.ndarray) -> float:
        """``l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F``, see :func:`nmf_core.penalty`.

        The sums and norms do not depend on the orientation, so ``Hᵀ`` may be given for ``H``.
        """
        return penalty(H, W, **self.as_dict())

    def objective(self, loss: float, H: np.ndarray, W: np.ndarray) -> float:
        """The penalised objective: ``loss`` plus :meth:`value` (``loss`` itself if unpenalised)."""
        if not self.active:
            return loss
        return loss + self.value(H, W)
