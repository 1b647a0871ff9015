"""The NMF solvers: ``X ≈ H W`` with ``H ≥ 0`` (n×r) and ``W ≥ 0`` (r×k).

Objective (Frobenius):

    ‖X − HW‖²_F + l1_H·ΣH + l1_W·ΣW + l2_H·‖H‖²_F + l2_W·‖W‖²_F

Every solver alternates between the two factors; one *iteration* updates ``H`` and then ``W``.

- :mod:`._driver`: :func:`nmf` itself (validate, initialise, pick the iteration, run the loop).
- :mod:`.mu`, :mod:`.hals`, :mod:`.anls`, :mod:`.kl`: each solver's update rule and maths.
- :mod:`._frobenius`: the products with ``X`` and the pass the Frobenius solvers share.
"""

from ._driver import LOSSES, SOLVERS, Callback, nmf
from ._result import NMFResult
from ._types import _Tuning as _Tuning  # private: for the benchmark and the tests

__all__ = ["LOSSES", "SOLVERS", "Callback", "NMFResult", "nmf"]
