"""Benchmark: nmf_core against scikit-learn's NMF, side by side in one process.

Run ``python -m benchmarks.nmf_vs_sklearn`` (a few minutes) or add ``--quick`` (a smoke run
of a few seconds). scikit-learn is needed (a test/dev dependency, not a runtime one).

For each data set both libraries start from the SAME point (``nndsvda`` of nmf_core, handed to
scikit-learn as ``init="custom"`` with the letters swapped: ``W_sk = H0``, ``H_sk = W0``). The runs
are interleaved (sklearn cd, nmf_core hals, sklearn mu, nmf_core mu, repeated), so machine noise
hits both alike, and the median of the repeats is reported.

- **hals / cd**: wall time for ``nmf_core.nmf(solver="hals")`` to reach the loss that
  ``sklearn NMF(solver="cd")`` ends with at its defaults (``tol=1e-4``, ``max_iter=200``), divided
  by scikit-learn's wall time. Below 1 means nmf_core is faster.
- **mu / mu**: the same for the multiplicative updates.
- **products only**: the hals / cd ratio there would be if everything but the two products
  with ``X`` were free: (iterations hals needed) × (measured time of the two products, formed
  as the solver forms them) / scikit-learn's time. No solver that forms both products every
  iteration can go below it in as many iterations; where it is near the measured ratio, the
  products are the time.
- **hals ms/iter** against the **bound** ``4·n·k·r`` flops (the two products with ``X`` every
  iteration needs) at the GEMM rate measured in this process. For a sparse ``X`` the bound is
  instead the measured time of those two products (``X Wᵀ`` and ``Xᵀ H``, scipy's kernels, in
  the table with †): ``4·nnz·r`` flops at the GEMM rate would be a bound no sparse kernel comes
  near (scipy's runs ~10× below GEMM speed), so the ratio would say nothing about the solver.
  **products ms/iter** is the measured time of the two products (dense: BLAS's skinny
  r-row products run well below the square-GEMM rate the bound assumes).

``--hals-alpha`` passes the private tuning ``nmf(..., _tuning=_Tuning(alpha=...))`` to every
nmf_core run; the library's own default is left alone. ``benchmarks/README.md`` records the
measurements behind the solver's design.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from nmf_core._blas import blas_for_products
from nmf_core.init import initialize
from nmf_core.losses import frobenius_loss
from nmf_core.solvers import _Tuning, nmf
from nmf_core.solvers._frobenius import DataProducts
from nmf_lab.demo_data import load_faces, planted_nmf, sample_image

__all__ = [
    "BenchRow",
    "format_table",
    "gemm_rate",
    "machine_description",
    "main",
    "product_time",
    "run_benchmark",
]

_ITERATION_CAP = 5000
_DEFAULT_TUNING = _Tuning()


@dataclass(frozen=True)
class BenchRow:
    """One data set's results (times are medians over the repeats, in seconds)."""

    name: str
    shape: tuple[int, int]
    rank: int
    density: float
    sklearn_cd_time: float
    sklearn_cd_iters: int
    hals_time: float
    hals_reached: bool
    hals_iters: int
    sklearn_mu_time: float
    mu_time: float
    mu_reached: bool
    hals_iteration_time: float
    bound_time: float
    product_time: float
    repeats: int
    bound_measured: bool = False

    @property
    def hals_ratio(self) -> float:
        """Time of nmf_core hals to reach sklearn cd's final loss / time of sklearn cd."""
        return self.hals_time / self.sklearn_cd_time if self.hals_reached else float("inf")

    @property
    def products_only_ratio(self) -> float:
        """hals / cd if only the two products with X per iteration took time."""
        return self.hals_iters * self.product_time / self.sklearn_cd_time

    @property
    def mu_ratio(self) -> float:
        """Time of nmf_core mu to reach sklearn mu's final loss / time of sklearn mu."""
        return self.mu_time / self.sklearn_mu_time if self.mu_reached else float("inf")


def _sparse_planted(n: int, k: int, rank: int, *, seed: int) -> sp.csr_matrix:
    """A mostly-zero ``X = H W`` with sparse nonnegative factors and 10 % multiplicative noise.

    Like a term–document matrix: each row uses few topics and each topic few words.
    """
    rng = np.random.default_rng(seed)
    H = sp.random(n, rank, density=0.05, random_state=rng, format="csr")
    W = sp.random(rank, k, density=0.02, random_state=rng, format="csr")
    X = (H @ W).tocsr()
    X.data = np.abs(X.data * (1.0 + 0.1 * rng.standard_normal(X.nnz)))
    X.eliminate_zeros()
    X.sum_duplicates()  # canonical CSR (sorted indices), as a loader would give
    return X


def _datasets(quick: bool) -> list[tuple[str, Any, int]]:
    """(name, X, rank) for each benchmark data set."""
    faces = load_faces()
    camera = sample_image("camera")
    if quick:
        planted, _, _ = planted_nmf(120, 60, 5, noise=0.05, seed=0)
        return [
            ("faces (LFW, 30 faces)", faces[:30], 5),
            ("camera 64×64", camera[::8, ::8], 6),
            ("planted dense", planted, 5),
            ("mostly-zero sparse", _sparse_planted(150, 80, 5, seed=0), 5),
        ]
    planted, _, _ = planted_nmf(2000, 1000, 20, noise=0.05, seed=0)
    return [
        ("faces (LFW 100×625)", faces, 16),
        ("camera 512×512", camera, 32),
        ("planted dense 2000×1000", planted, 20),
        ("mostly-zero sparse 5000×2000", _sparse_planted(5000, 2000, 20, seed=0), 20),
    ]


def gemm_rate(size: int = 1000, repeats: int = 5, dtype: Any = np.float64) -> float:
    """Measured GEMM speed in flop/s: median of ``repeats`` products of two size×size matrices.

    Parameters
    ----------
    size : int
    repeats : int
    dtype : numpy dtype

    Returns
    -------
    float
    """
    rng = np.random.default_rng(0)
    A = rng.random((size, size)).astype(dtype)
    B = rng.random((size, size)).astype(dtype)
    A @ B  # warm up the BLAS threads
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        A @ B
        samples.append(time.perf_counter() - started)
    return 2.0 * size**3 / statistics.median(samples)


def machine_description() -> str:
    """One line: cores, CPU model, BLAS library, kernel and threads, OPENBLAS_* settings."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = "BLAS unknown"
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas":
                blas = (
                    f"{info.get('internal_api')} {info.get('version')} "
                    f"({info.get('architecture')} kernel, {info.get('num_threads')} threads)"
                )
                break
    except ImportError:
        pass
    settings = [
        f"{key}={os.environ[key]}"
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        if key in os.environ
    ]
    env = ", " + ", ".join(settings) if settings else ", OPENBLAS_CORETYPE unset"
    return f"{os.cpu_count()} cores, {model}, {blas}{env}, numpy {np.__version__}"


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def _sklearn_run(
    X, rank: int, H0: np.ndarray, W0: np.ndarray, solver: str
) -> tuple[float, float, int]:
    """scikit-learn NMF from our start; returns (seconds, our Frobenius loss, iterations)."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=rank, init="custom", solver=solver, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Letters swapped: sklearn's W is our H, its H (components_) is our W.
        seconds, W_sk = _timed(lambda: model.fit_transform(X, W=H0.copy(), H=W0.copy()))
    return seconds, frobenius_loss(X, W_sk, model.components_), int(model.n_iter_)


def _time_to_loss(
    X,
    rank: int,
    H0: np.ndarray,
    W0: np.ndarray,
    solver: str,
    target: float,
    tuning: _Tuning = _DEFAULT_TUNING,
) -> tuple[float, bool, int]:
    """Wall time of ``nmf`` (validation and all) until its loss is at most ``target``.

    Returns the seconds, whether the target was reached, and the iterations run.
    """
    reached = []

    def stop_at_target(iteration: int, H: np.ndarray, W: np.ndarray, loss: float) -> bool:
        if loss <= target:
            reached.append(iteration)
            return True
        return False

    seconds, result = _timed(
        lambda: nmf(
            X,
            rank,
            solver=solver,
            init=(H0, W0),
            tol=0.0,
            max_iter=_ITERATION_CAP,
            callback=stop_at_target,
            _tuning=tuning,
        )
    )
    return seconds, bool(reached) or result.losses[0] <= target, result.n_iter


def product_time(X, H: np.ndarray, W: np.ndarray, repeats: int = 7) -> float:
    """Median seconds for the two products with X one iteration needs: W Xᵀ and Hᵀ X.

    They are formed as :func:`nmf_core.nmf` forms them: same storage and layout, and BLAS on
    one thread where the solver holds it there.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix, shape (n, k)
    H : ndarray, shape (n, r)
    W : ndarray, shape (r, k)
    repeats : int

    Returns
    -------
    float
    """
    X = sp.csr_matrix(X, dtype=np.float64) if sp.issparse(X) else np.asarray(X, np.float64)
    data = DataProducts(X)
    H_t, W = np.ascontiguousarray(H.T), np.ascontiguousarray(W)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        with blas_for_products(data.sparse, X.shape[0], X.shape[1], W.shape[0]):
            data.cross_H(W)
            data.cross_W(H_t)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _iteration_time(
    X, rank: int, H0: np.ndarray, W0: np.ndarray, iterations: int, tuning: _Tuning
) -> float:
    result = nmf(
        X, rank, solver="hals", init=(H0, W0), tol=0.0, max_iter=iterations, _tuning=tuning
    )
    return float(np.median(np.diff(result.times)))


def run_benchmark(
    quick: bool = False,
    repeats: int = 3,
    log: Callable[[str], Any] = print,
    tuning: _Tuning = _DEFAULT_TUNING,
) -> tuple[list[BenchRow], float]:
    """Run every data set; return the rows and the GEMM rate (flop/s) used for the bound.

    ``tuning`` is handed to every nmf_core run (the default is the library's own setting).
    """
    rate = gemm_rate(size=300 if quick else 1000, repeats=3 if quick else 5)
    rows = []
    for name, X, rank in _datasets(quick):
        n, k = X.shape
        nnz = X.nnz if sp.issparse(X) else int(np.count_nonzero(X))
        H0, W0 = initialize(X, rank, "nndsvda", seed=0)
        samples: dict[str, list[float]] = {key: [] for key in ("cd", "hals", "mu_sk", "mu")}
        reached = {"hals": True, "mu": True}
        cd_iters = hals_iters = 0
        for _ in range(repeats):
            seconds, cd_loss, cd_iters = _sklearn_run(X, rank, H0, W0, "cd")
            samples["cd"].append(seconds)
            seconds, ok, hals_iters = _time_to_loss(X, rank, H0, W0, "hals", cd_loss, tuning)
            samples["hals"].append(seconds)
            reached["hals"] &= ok
            seconds, mu_loss, _ = _sklearn_run(X, rank, H0, W0, "mu")
            samples["mu_sk"].append(seconds)
            seconds, ok, _ = _time_to_loss(X, rank, H0, W0, "mu", mu_loss, tuning)
            samples["mu"].append(seconds)
            reached["mu"] &= ok
        iteration_time = statistics.median(
            _iteration_time(X, rank, H0, W0, 5 if quick else 20, tuning) for _ in range(repeats)
        )
        products = product_time(X, H0, W0)
        bound_time = products if sp.issparse(X) else 4.0 * n * k * rank / rate
        row = BenchRow(
            name=name,
            shape=(n, k),
            rank=rank,
            density=nnz / (n * k),
            sklearn_cd_time=statistics.median(samples["cd"]),
            sklearn_cd_iters=cd_iters,
            hals_time=statistics.median(samples["hals"]),
            hals_reached=reached["hals"],
            hals_iters=hals_iters,
            sklearn_mu_time=statistics.median(samples["mu_sk"]),
            mu_time=statistics.median(samples["mu"]),
            mu_reached=reached["mu"],
            hals_iteration_time=iteration_time,
            bound_time=bound_time,
            product_time=products,
            repeats=repeats,
            bound_measured=sp.issparse(X),
        )
        rows.append(row)
        log(f"  done: {name} (hals/cd {row.hals_ratio:.2f}, mu/mu {row.mu_ratio:.2f})")
    return rows, rate


def format_table(rows: Sequence[BenchRow], rate: float) -> str:
    """The results as a markdown table."""
    lines = [
        "| data set | r | sklearn cd: s (iters) | nmf_core hals: s (iters) | **hals / cd** | "
        "products only | sklearn mu: s | nmf_core mu: s | **mu / mu** | hals ms/iter | "
        "products ms/iter | bound ms/iter | iter / bound |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        hals = (
            f"{row.hals_time:.3f} ({row.hals_iters})"
            if row.hals_reached
            else f"{row.hals_time:.3f} (not reached)"
        )
        mu = f"{row.mu_time:.3f}" if row.mu_reached else f"{row.mu_time:.3f} (not reached)"
        sparse_note = f", {row.density:.1%} nonzero" if row.density < 0.5 else ""
        lines.append(
            f"| {row.name}{sparse_note} | {row.rank} | {row.sklearn_cd_time:.3f} "
            f"({row.sklearn_cd_iters}) | {hals} | **{row.hals_ratio:.2f}** | "
            f"{row.products_only_ratio:.2f} | "
            f"{row.sklearn_mu_time:.3f} | {mu} | **{row.mu_ratio:.2f}** | "
            f"{row.hals_iteration_time * 1e3:.2f} | {row.product_time * 1e3:.2f} | "
            f"{row.bound_time * 1e3:.2f}"
            f"{' †' if row.bound_measured else ''} | "
            f"{row.hals_iteration_time / row.bound_time:.1f}× |"
        )
    lines.append("")
    lines.append(
        f"GEMM rate measured in the same process: {rate / 1e9:.1f} Gflop/s (float64). "
        f"Times are medians of {rows[0].repeats if rows else 0} interleaved repeats."
    )
    if any(row.bound_measured for row in rows):
        lines.append(
            "† sparse X: the bound is the measured time of the two sparse products "
            "(X Wᵀ and Xᵀ H) one iteration needs, not flops at the GEMM rate."
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: ``python -m benchmarks.nmf_vs_sklearn [--quick] [--repeats N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny data, one repeat (smoke run)")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per data set")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit BLAS/OpenMP threads (threadpoolctl) for both libraries",
    )
    parser.add_argument(
        "--hals-alpha",
        type=float,
        default=None,
        help="share of the product cost hals spends on extra inner sweeps "
        f"(default {_DEFAULT_TUNING.alpha}): shows the trade-off between "
        "time per iteration and time to the target loss",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.hals_alpha is not None and not (np.isfinite(args.hals_alpha) and args.hals_alpha >= 0):
        parser.error("--hals-alpha must be a nonnegative number")
    limiter = None
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(args.threads)
    default_alpha = _DEFAULT_TUNING.alpha
    tuning = _DEFAULT_TUNING if args.hals_alpha is None else _Tuning(alpha=args.hals_alpha)
    try:
        print(f"Machine: {machine_description()}")
        if args.hals_alpha is not None:
            print(f"hals inner sweeps: alpha = {args.hals_alpha:g} (default {default_alpha:g})")
        rows, rate = run_benchmark(quick=args.quick, repeats=repeats, tuning=tuning)
        print()
        print(format_table(rows, rate))
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
