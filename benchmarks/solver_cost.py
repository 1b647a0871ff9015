"""Benchmark: the run-time model of the progress bars and caps against measured runs.

Run ``python -m benchmarks.solver_cost`` (a few minutes; ``--quick`` for a smoke run of a few
seconds, ``--solver anls`` for one solver). For each workload the pages run, it prints the
seconds per iteration that :func:`nmf_lab.lessons.run_cost.seconds_per_iteration` predicts, the
measured CPU and wall seconds per iteration, and their ratio.

The model is stated for one core, so every run here holds BLAS to one thread
(``nmf_core.single_blas_thread``): with two free threads a run is faster, on a loaded machine
two threads fight for the cores and a run is slower (2-5× for ANLS at r = 20-64 on *camera*,
seen while another process kept a core busy), so only the one-thread figure is repeatable.
Each run starts from the start point its page uses (an SVD-based one computed beforehand and
not timed, a random one drawn by ``nmf``), runs
``tol=0`` for a fixed number of iterations and is timed as a whole: the mean per iteration
includes ANLS's expensive first iterations from a random start.

Workloads: the Images page's pictures (grayscale, 512 pixels at most) at ranks 1-64 from
``nndsvda`` and ``random``, the faces at ranks 4-49, the Cost tab's random matrices
(``n × k`` around 400 × 200, r around 10). ``benchmarks/README.md`` records a table and how the
model's coefficients were chosen from it.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from nmf_core import initialize, nmf, single_blas_thread
from nmf_lab.demo_data import load_faces, sample_image
from nmf_lab.lessons import images as im
from nmf_lab.lessons import run_cost


@dataclass(frozen=True)
class Workload:
    name: str
    X: np.ndarray
    rank: int
    init: str
    iterations: int


def workloads(quick: bool) -> list[Workload]:
    """What the pages run with each solver: pictures, faces, the Cost tab's random matrices."""
    rng = np.random.default_rng(0)
    pictures = {name: im.fit_working_size(sample_image(name)) for name in ("camera", "coins")}
    faces = load_faces()
    if quick:
        return [Workload("camera", pictures["camera"], 8, "nndsvda", 5)]
    found = []
    for name, picture in pictures.items():
        for rank in (1, 5, 10, 20, 40, 64):
            for init in ("nndsvda", "random"):
                found.append(Workload(name, picture, rank, init, 60))
    for rank in (4, 16, 36, 49):
        for init in ("nndsvda", "random"):
            found.append(Workload("faces", faces, rank, init, 100))
    for n, k, rank in ((400, 200, 10), (1600, 200, 10), (400, 800, 10), (400, 200, 40)):
        found.append(Workload(f"random {n}×{k}", rng.random((n, k)), rank, "random", 10))
    return found


def measure(solver: str, work: Workload) -> tuple[float, float]:
    """CPU and wall seconds per iteration of one run (BLAS on one thread, start not timed).

    The CPU time is the calling thread's own: with BLAS on one thread all the work is done
    there, and BLAS's idle threads, which spin a while after a threaded call (the start's SVD),
    are not counted; nor is another process's load.
    """
    # The pages hand SVD-based starts over computed (not timed here); a random one is drawn by
    # nmf itself, as on the pages.
    start = work.init if work.init == "random" else initialize(work.X, work.rank, init=work.init)
    with single_blas_thread():
        cpu, wall = time.thread_time(), time.perf_counter()
        result = nmf(
            work.X, work.rank, solver=solver, init=start, max_iter=work.iterations, tol=0, seed=0
        )
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    return cpu / result.n_iter, wall / result.n_iter


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solver", action="append", choices=run_cost.SOLVER_COSTS)
    parser.add_argument("--quick", action="store_true", help="one small run per solver")
    args = parser.parse_args(argv)
    solvers = args.solver or list(run_cost.SOLVER_COSTS)
    print(
        f"{'solver':6} {'workload':16} {'n×k':>9} {'r':>3} {'init':8} {'iters':>5} "
        f"{'predicted ms':>12} {'cpu ms':>8} {'wall ms':>8} {'pred/cpu':>8}"
    )
    for solver in solvers:
        for work in workloads(args.quick):
            cpu, wall = measure(solver, work)
            n, k = work.X.shape
            predicted = run_cost.seconds_per_iteration(solver, n, k, work.rank)
            print(
                f"{solver:6} {work.name:16} {f'{n}×{k}':>9} {work.rank:3d} {work.init:8} "
                f"{work.iterations:5d} {1e3 * predicted:12.2f} {1e3 * cpu:8.2f} "
                f"{1e3 * wall:8.2f} {predicted / cpu:8.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
