"""nmf_core: nonnegative matrix factorisation for teaching and for real use.

Notation (the same everywhere in NMF Lab): ``X ≈ H W`` where ``X`` is n×k with one data point
per row, ``H`` (n×r) holds each point's coordinates and ``W`` (r×k) holds the learned basis
vectors as rows. The loss is ``‖X − HW‖²_F``.

>>> import numpy as np, nmf_core
>>> X = np.random.default_rng(0).random((20, 6))
>>> result = nmf_core.nmf(X, 3, seed=0)
>>> result.H.shape, result.W.shape
((20, 3), (3, 6))
"""

from ._blas import single_blas_thread
from ._validation import as_nonnegative_matrix, check_random_state, check_rank
from .baselines import PCAResult, SVDResult, pca, svd_error_curve, truncated_svd
from .init import INITS, initialize, spa
from .losses import frobenius_loss, kl_divergence, objective, penalty
from .metrics import explained_variance, hoyer_sparseness, relative_error
from .nnls import nnls_gram
from .penalties import Penalties
from .solvers import LOSSES, SOLVERS, NMFResult, nmf

__all__ = [
    "INITS",
    "LOSSES",
    "SOLVERS",
    "NMFResult",
    "PCAResult",
    "Penalties",
    "SVDResult",
    "as_nonnegative_matrix",
    "check_random_state",
    "check_rank",
    "explained_variance",
    "frobenius_loss",
    "hoyer_sparseness",
    "initialize",
    "kl_divergence",
    "nmf",
    "nnls_gram",
    "objective",
    "pca",
    "penalty",
    "relative_error",
    "single_blas_thread",
    "spa",
    "svd_error_curve",
    "truncated_svd",
]
