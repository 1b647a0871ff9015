"""Choosing r and penalties: rank selection, L1/L2 penalties, and what NMF costs."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._progress import run_cached
from app_pages._shared import (
    checked_upload,
    download_matrices,
    explain,
    last_good,
    seed,
    shared_figure,
    shared_result,
    shared_value,
    show_figure,
    upload_types,
)
from app_pages._url_state import url_widget
from nmf_core import SOLVERS
from nmf_lab.demo_data import (
    FACE_SHAPE,
    SAMPLE_IMAGES,
    image_patches,
    load_faces,
    planted_clusters,
    sample_image,
)
from nmf_lab.figures.choosing_r import (
    basis_comparison_figure,
    consensus_figure,
    convergence_figure,
    cost_figure,
    error_vs_rank_figure,
    explained_variance_figure,
    penalty_sweep_figure,
    stability_figure,
)
from nmf_lab.lessons import run_cost
from nmf_lab.lessons.choosing_r.checkpoints import elbow_checkpoint, penalty_checkpoint
from nmf_lab.lessons.choosing_r.cost import (
    CostSweep,
    all_on_one_thread,
    cost_sweep,
    extrapolate,
    extrapolation_sentence,
    fit_sweeps,
    single_blas_thread,
    sweep_shape,
)
from nmf_lab.lessons.choosing_r.penalties import (
    PENALTY_NAMES,
    PenaltyFit,
    PenaltySweep,
    fit_with_penalties,
    switched_off_sentence,
)
from nmf_lab.lessons.choosing_r.rank_selection import (
    RankRestarts,
    consensus_order,
    rank_restarts,
    rank_seed,
    summarize_ranks,
)
from nmf_lab.uploads import parse_csv_matrix

# Planted data: small enough that 6 ranks × 8 restarts run in well under a second.
PLANTED_SHAPE = (60, 30)
DEFAULT_MAX_RANK = 7
DEFAULT_RESTARTS = 8
UPLOAD_LIMITS = {"max_rows": 300, "max_columns": 300}
UPLOAD_KEY = "choosing_r_last_upload"
UPLOAD_TYPES = ("csv", "txt")
PENALTY_GRID = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
PENALTY_DEFAULTS = {"l1_H": 0.0, "l1_W": 1.0, "l2_H": 1.0, "l2_W": 0.0}
COST_GRID = {
    "n": (200, 400, 800, 1600, 3200),
    "k": (50, 100, 200, 400, 800),
    "r": (2, 5, 10, 20, 40),
}
COST_BASE = (400, 200, 10)
COST_ITERATIONS, COST_REPEATS = 10, 3
FACES = "faces"
PATCH_SIZE, PATCH_COUNT = 12, 500
RANK_SOURCES = ["Planted clusters (known rank)", "Faces (rank unknown)", "Upload a CSV"]


# ------------------------------------------------------------------ cached computations


@shared_result(max_entries=16)
def planted(rank: int, noise: float, seed_value: int):
    return planted_clusters(*PLANTED_SHAPE, rank, noise=noise, seed=seed_value)


@shared_result(max_entries=128)
def restarts_at(
    data_key: str, _X: np.ndarray, rank: int, n_restarts: int, seed_value: int
) -> RankRestarts:
    # One BLAS thread: these products are small, and a second thread mostly waits for a core.
    with single_blas_thread():
        return rank_restarts(_X, rank, n_restarts=n_restarts, seed=rank_seed(seed_value, rank))


@shared_result(max_entries=2)
def faces() -> np.ndarray:
    return load_faces()


@shared_result(max_entries=8)
def penalty_data(name: str, seed_value: int) -> np.ndarray:
    if name == FACES:
        return faces()
    return image_patches(sample_image(name), size=PATCH_SIZE, count=PATCH_COUNT, seed=seed_value)


@shared_result(max_entries=64)
def penalised_fit(
    name: str, seed_value: int, rank: int, weights: tuple[float, float, float, float]
) -> PenaltyFit:
    with single_blas_thread():
        return fit_with_penalties(
            penalty_data(name, seed_value), rank, dict(zip(PENALTY_NAMES, weights, strict=True))
        )


# Runs to convergence take many more iterations than the timed ones; the plan guesses this many.
CONVERGE_ITERATIONS_GUESS = 100


def timed_sweeps(solver: str, converge: bool, measurement: int) -> list[CostSweep]:
    """The three sweeps, timed once per (solver, converge, measurement), with a progress bar.

    Sizes whose predicted time would not fit a third of the live budget per sweep are left
    out (at least two stay per sweep, for a slope), and the page says so.
    """
    # ``measurement`` only keys the result: "Measure again" bumps it to time afresh.
    iterations = COST_ITERATIONS + (CONVERGE_ITERATIONS_GUESS if converge else 0)
    all_costs = {
        dimension: [
            COST_REPEATS
            * iterations
            * run_cost.seconds_per_iteration(solver, *sweep_shape(dimension, value, COST_BASE))
            for value in values
        ]
        for dimension, values in COST_GRID.items()
    }
    kept = {
        dimension: max(2, run_cost.affordable_steps(costs, run_cost.LIVE_BUDGET_SECONDS / 3))
        for dimension, costs in all_costs.items()
    }
    grid = {dimension: COST_GRID[dimension][: kept[dimension]] for dimension in COST_GRID}
    costs = {dimension: all_costs[dimension][: kept[dimension]] for dimension in COST_GRID}
    left_out = [f"{d} > {grid[d][-1]}" for d in COST_GRID if len(grid[d]) < len(COST_GRID[d])]
    if left_out:
        st.info(
            f"With {solver.upper()}{' to convergence' if converge else ''}, the largest sizes "
            f"({', '.join(left_out)}) are left out: all of them would take "
            f"{run_cost.describe_seconds(sum(map(sum, all_costs.values())))} on one core, "
            "too long to wait for here."
        )

    def measure(progress) -> list[CostSweep]:
        sweeps = []
        for dimension, values in grid.items():

            def measured(fraction: float, dimension=dimension, values=values) -> None:
                index = max(1, round(fraction * len(values)))
                progress.advance(
                    costs[dimension][index - 1],
                    f"{dimension} = {values[index - 1]} ({index} of {len(values)})",
                )

            sweeps.append(
                cost_sweep(
                    dimension,
                    values,
                    base=COST_BASE,
                    solver=solver,
                    converge=converge,
                    iterations=COST_ITERATIONS,
                    repeats=COST_REPEATS,
                    seed=measurement,
                    progress=measured,
                )
            )
        return sweeps

    return run_cached(
        ("choosing_r-cost", solver, converge, measurement),
        f"Timing {solver.upper()} on random matrices",
        sum(sum(values) for values in costs.values()),
        measure,
    )


def stability_figure_of(sweep, planted_rank: int | None):
    """The stability curves of ``sweep``, drawn once for every visitor (shown in two places)."""
    return shared_figure(
        sweep,
        ("stability", planted_rank),
        lambda: stability_figure(sweep, planted_rank=planted_rank),
    )


def with_progress(label: str, jobs: list, run) -> list:
    """Run ``run(job)`` for each job with a progress bar (instant when cached)."""
    bar = st.progress(0.0, text=label)
    results = []
    for index, job in enumerate(jobs):
        results.append(run(job))
        bar.progress((index + 1) / len(jobs), text=label)
    bar.empty()
    return results


# ------------------------------------------------------------------ page

st.title("Choosing r and penalties")
st.markdown(
    "An NMF needs three decisions before it runs: the rank $r$, any penalties on the factors, "
    "and how much computing time it may take. None has a single right answer; this page "
    "gives you the usual tools to decide, on data where you can check them."
)

rank_tab, penalty_tab, cost_tab = url_widget(
    st.tabs, ["Rank", "Penalties", "Cost"], key="cr_part", bind="query-params"
)

# ================================================================== rank
if rank_tab.open:
    with rank_tab:
        st.subheader("How many basis vectors?")
        explain(
            "Three heuristics, each with a different idea of a good rank:\n\n"
            "- **Error against r.** The best relative error $\\|X - HW\\|_F / \\|X\\|_F$ "
            "can only fall as $r$ grows (a rank-$r$ fit is a rank-$(r+1)$ fit with one basis "
            "vector unused), so look for the *elbow*, where adding a basis vector stops "
            "paying off. The truncated SVD gives the floor: no rank-$r$ factorisation, "
            "nonnegative or not, can have a smaller error (Eckart–Young).\n"
            "- **Explained variance.** The same information on a scale whose top is 100 %: "
            "$1 - \\|X - HW\\|_F^2 / \\|X - \\bar X\\|_F^2$ (it can go below zero when a fit "
            "is worse than the column means alone).\n"
            "- **Stability over restarts** (Brunet et al., 2004). Run NMF from several "
            "random starts, put each point in the cluster of its largest coefficient "
            "$\\arg\\max_j H_{ij}$, and count how often two points end up together: the "
            "*consensus matrix*. A rank the data supports gives the same clusters every "
            "time (a consensus of clean 0/1 blocks)."
        )
        source = url_widget(
            st.radio,
            "Data",
            RANK_SOURCES,
            key="cr_source",
            bind="query-params",
            horizontal=True,
            help="Faces and uploads have no known rank: the heuristics are all you have there.",
        )
        planted_rank = None
        X = None
        if source == "Faces (rank unknown)":
            X, data_key = faces(), "faces"
        elif source == "Upload a CSV":
            upload = st.file_uploader(
                "CSV of nonnegative numbers, one point per row (at most "
                f"{UPLOAD_LIMITS['max_rows']} rows and {UPLOAD_LIMITS['max_columns']} "
                "columns)",
                type=upload_types(UPLOAD_TYPES),
                key="cr_upload_r",
            )
            last = last_good(
                UPLOAD_KEY,
                None if upload is None else upload.getvalue(),
                checked_upload(
                    lambda raw: parse_csv_matrix(raw, **UPLOAD_LIMITS), upload, UPLOAD_TYPES
                ),
                message="Could not use this file: {error}",
                kept_caption="Still showing the last good upload.",
            )
            if last is not None:
                X, data_key = last.value, f"upload:{last.digest}"
            if X is None:
                st.info("No usable upload yet: showing the planted data meanwhile.")
            elif min(X.shape) < 3:
                st.error(
                    f"The uploaded matrix is {X.shape[0]} × {X.shape[1]}; rank selection "
                    "needs at least 3 rows and 3 columns. Showing the planted data."
                )
                X = None
        controls = st.columns(4)
        true_rank = url_widget(
            controls[0].slider,
            "planted rank",
            2,
            6,
            4,
            key="cr_true_r",
            bind="query-params",
            disabled=X is not None,
            help="The number of clusters hidden in the data.",
        )
        noise = url_widget(
            controls[1].slider,
            "noise",
            0.0,
            1.0,
            0.3,
            step=0.1,
            key="cr_noise",
            bind="query-params",
            disabled=X is not None,
            help="Gaussian noise, relative to the mean entry of HW.",
        )
        max_rank = url_widget(
            controls[2].slider,
            "largest r tried",
            3,
            10,
            DEFAULT_MAX_RANK,
            key="cr_max_r",
            bind="query-params",
        )
        n_restarts = url_widget(
            controls[3].slider,
            "restarts per r",
            2,
            20,
            DEFAULT_RESTARTS,
            key="cr_restarts",
            bind="query-params",
            help="More restarts: a sharper consensus, slower.",
        )
        if X is None:
            data = planted(true_rank, noise, seed())
            X, planted_rank = data.X, data.rank
            data_key = f"planted:{true_rank}:{noise}:{seed()}"
            st.caption(
                f"Planted data: {X.shape[0]} points × {X.shape[1]} features, "
                f"{planted_rank} clusters; each cluster has its own block of features."
            )
        elif source == "Faces (rank unknown)":
            st.caption(
                f"Faces: {X.shape[0]} images × {X.shape[1]} pixels (25 × 25). Larger "
                "than the planted data, so the first run takes a few seconds."
            )
        else:
            st.caption(f"Your data: {X.shape[0]} points × {X.shape[1]} features.")
        max_rank = min(max_rank, min(X.shape))
        ranks = list(range(2, max_rank + 1))
        runs = with_progress(
            f"NMF from {n_restarts} random starts at r = 2 … {max_rank}",
            ranks,
            lambda rank: restarts_at(data_key, X, rank, n_restarts, seed()),
        )
        # The restarts at r = 2 and the largest rank name the whole sweep.
        sweep = shared_value(runs[0], ("sweep", max_rank), lambda: summarize_ranks(X, runs))

        metrics = st.columns(4)
        metrics[0].metric("planted rank", planted_rank if planted_rank else "unknown")
        metrics[1].metric(
            "suggested rank",
            sweep.suggested_rank,
            help="The largest r with the highest dispersion: the most detailed "
            "clustering on which all restarts agree.",
        )
        chosen = sweep.suggested_index
        metrics[2].metric("cophenetic ρ there", f"{sweep.cophenetic[chosen]:.3f}")
        metrics[3].metric("best error there", f"{sweep.nmf_error[chosen]:.1%}")
        if planted_rank is not None:
            if sweep.suggested_rank == planted_rank:
                st.success(f"The consensus finds the planted rank r = {planted_rank}.")
            else:
                st.warning(
                    f"The consensus suggests r = {sweep.suggested_rank}, but "
                    f"{planted_rank} clusters were planted: heuristics can miss."
                )

        # The error curve and the explained variance answer the question: held back until then.
        elbow_question = shared_value(
            sweep,
            ("elbow checkpoint", planted_rank),
            lambda: elbow_checkpoint(
                sweep.ranks,
                sweep.nmf_error,
                planted_rank if planted_rank else sweep.suggested_rank,
                planted=planted_rank is not None,
            ),
        )
        stability_caption = (
            "1 means every restart found the same clusters. The suggestion is "
            "the largest r with the highest dispersion."
        )
        if checkpoint(elbow_question):
            if source == "Faces (rank unknown)":
                explain(
                    "Real data need not have a true rank. With the default settings the faces "
                    "show no clear elbow (each extra basis vector buys a similar small drop in "
                    "error) and their most stable clustering is the coarsest one, r = 2. Here "
                    "r is a choice: how much detail you want against how much you can trust "
                    "and afford."
                )
            show_figure(
                shared_figure(
                    sweep,
                    ("error", planted_rank),
                    lambda: error_vs_rank_figure(sweep, planted_rank=planted_rank),
                ),
                "Relative error of the best NMF restart (blue) never goes below the SVD "
                "floor (orange dashes). Look for the elbow; faint circles are the other "
                "restarts, and a circle far above the line is a start that got stuck.",
                key="fig_error",
            )
            left, right = st.columns(2)
            with left:
                show_figure(
                    shared_figure(
                        sweep,
                        ("explained variance", planted_rank),
                        lambda: explained_variance_figure(sweep, planted_rank=planted_rank),
                    ),
                    "Explained variance climbs fast up to the elbow and then crawls.",
                    key="fig_ev",
                )
            with right:
                show_figure(
                    stability_figure_of(sweep, planted_rank),
                    stability_caption,
                    key="fig_stability",
                )
        else:
            show_figure(
                stability_figure_of(sweep, planted_rank),
                stability_caption,
                key="fig_stability",
            )
        explain(
            "**Reading the stability curves.** The *dispersion* "
            "$\\tfrac{1}{n^2}\\sum_{ij} 4\\,(C_{ij} - \\tfrac12)^2$ (Kim & Park, 2007) is 1 "
            "when every entry of the consensus matrix $C$ is 0 or 1. The *cophenetic "
            "correlation* $\\rho$ (Brunet et al.) correlates the distances $1 - C$ with those "
            "of an average-linkage tree built on them. Above the planted rank $\\rho$ stays "
            "close to 1: a basis vector that no point picks as its largest coefficient does "
            "not change the clusters, and a cluster split at random still looks like a tidy "
            "block to the tree. Brunet et al. therefore look for the rank where $\\rho$ "
            "*starts to fall*; the dispersion drops more visibly. Below the planted rank the "
            "restarts may all merge the same clusters, which is why ties go to the larger "
            "rank."
        )

        heat, side = st.columns([3, 2])
        with side:
            shown_rank = url_widget(
                st.slider, "consensus matrix at r =", 2, 10, 4, key="cr_show_r", bind="query-params"
            )
            if shown_rank > max_rank:
                st.caption(
                    f"Only ranks up to {max_rank} were tried (the 'largest r tried' "
                    f"slider), so the matrix shown is the one at r = {max_rank}."
                )
                shown_rank = max_rank
            at_rank = runs[ranks.index(shown_rank)]
            st.markdown(
                f"At r = {shown_rank}: cophenetic ρ = **{at_rank.cophenetic:.3f}**, "
                f"dispersion = **{at_rank.dispersion:.3f}**; on average "
                f"**{at_rank.clusters_used:.1f}** of the {shown_rank} basis vectors are some "
                "point's largest coefficient."
            )
            st.markdown("Factors of the best restart at this rank:")
            download_matrices(
                {"H": at_rank.best_H, "W": at_rank.best_W}, prefix=f"rank{shown_rank}_best"
            )
        with heat:
            show_figure(
                shared_figure(
                    at_rank,
                    "consensus",
                    lambda: consensus_figure(at_rank.consensus, consensus_order(at_rank.consensus)),
                ),
                f"Consensus over {n_restarts} restarts at r = {shown_rank}: yellow "
                "blocks on purple are clusters every restart agrees on; in-between "
                "colours are points that switch clusters.",
                key="fig_consensus",
            )


# ================================================================== penalties
if penalty_tab.open:
    with penalty_tab:
        st.subheader("L1 and L2 penalties")
        st.latex(
            r"\min_{H, W \ge 0}\ \|X - HW\|_F^2 + \lambda^{(1)}_H \textstyle\sum H"
            r" + \lambda^{(1)}_W \sum W + \lambda^{(2)}_H \|H\|_F^2"
            r" + \lambda^{(2)}_W \|W\|_F^2"
        )
        explain(
            "An **L1** penalty charges for every unit of a factor, so small entries are "
            "pushed to exactly zero: *sparse* factors, here basis images made of fewer "
            "pixels. An **L2** penalty charges for large entries and spreads weight out. "
            "Compare the fit without penalties (top) with the fit using the weights you "
            "choose (bottom), from the same starting point. Sparseness is Hoyer's: 0 for a "
            "flat vector, 1 for a single spike."
        )
        data_column, rank_column = st.columns([2, 3])
        pen_data = url_widget(
            data_column.selectbox,
            "data",
            (FACES, *SAMPLE_IMAGES),
            key="cr_pen_data",
            bind="query-params",
            # The URL stores the shown label, so keep it short and readable.
            format_func=lambda name: name if name == FACES else f"{name} patches",
            help=f"faces: the 100 faces of the LFW subset, 25 × 25 pixels. '… patches': "
            f"{PATCH_COUNT} squares of {PATCH_SIZE} × {PATCH_SIZE} pixels cut at random "
            "places (drawn from the seed) from a scikit-image sample.",
        )
        pen_rank = url_widget(
            rank_column.slider, "rank r", 2, 16, 8, key="cr_pen_r", bind="query-params"
        )
        image_shape = FACE_SHAPE if pen_data == FACES else (PATCH_SIZE, PATCH_SIZE)
        sliders = st.columns(4)
        weights = {}
        for column, name in zip(sliders, PENALTY_NAMES, strict=True):
            weights[name] = url_widget(
                column.select_slider,
                name,
                options=PENALTY_GRID,
                value=PENALTY_DEFAULTS[name],
                format_func=lambda value: f"{value:g}",
                key=name.lower(),
                bind="query-params",
            )
        before = penalised_fit(pen_data, seed(), pen_rank, (0.0, 0.0, 0.0, 0.0))
        after = penalised_fit(
            pen_data, seed(), pen_rank, tuple(weights[name] for name in PENALTY_NAMES)
        )

        on_H = weights["l1_H"] + weights["l2_H"] > 0
        on_W = weights["l1_W"] + weights["l2_W"] > 0
        if on_H != on_W:
            penalised, free = ("H", "W") if on_H else ("W", "H")
            st.info(
                f"Only {penalised} is penalised. Since HW = (cH)(W/c), the solver can "
                f"shrink {penalised} and grow {free} to dodge the penalty: compare the "
                "norms below. Add a penalty on the other factor to stop it."
            )

        # The basis images, the table and the sweep answer the question: held back until then.
        if checkpoint(penalty_checkpoint(before, after, weights)):
            side = image_shape[0]
            show_figure(
                shared_figure(
                    after,
                    "basis",
                    lambda: basis_comparison_figure(before.W, after.W, image_shape),
                ),
                f"Rows of W as {side} × {side} images, each scaled to its own maximum. "
                "Moderate L1 on W breaks the basis images into smaller parts; strong L1 switches "
                "them off. " + switched_off_sentence(after),
                key="fig_basis",
            )
            table = {
                "measure": [
                    "relative error",
                    "sparseness of W (mean over active rows)",
                    "sparseness of H (mean over active columns)",
                    "share of zeros in the active rows of W",
                    "share of zeros in all of W",
                    "active basis vectors",
                    "‖W‖_F",
                    "‖H‖_F",
                    "iterations",
                ],
                "without penalties": [
                    f"{before.relative_error:.2%}",
                    f"{before.sparseness_W:.3f}",
                    f"{before.sparseness_H:.3f}",
                    f"{before.zeros_W_active:.1%}",
                    f"{before.zeros_W:.1%}",
                    f"{before.active} of {pen_rank}",
                    f"{before.norm_W:.3g}",
                    f"{before.norm_H:.3g}",
                    f"{before.n_iter}",
                ],
                "with penalties": [
                    f"{after.relative_error:.2%}",
                    f"{after.sparseness_W:.3f}",
                    f"{after.sparseness_H:.3f}",
                    f"{after.zeros_W_active:.1%}",
                    f"{after.zeros_W:.1%}",
                    f"{after.active} of {pen_rank}",
                    f"{after.norm_W:.3g}",
                    f"{after.norm_H:.3g}",
                    f"{after.n_iter}",
                ],
            }
            st.table(table, hide_index=True)
            st.caption(
                f"Objective with penalties, as nmf() reports it: {after.objective:.6g} "
                f"(of which ‖X − HW‖²_F = {after.loss:.6g})."
            )
            download_matrices({"H": after.H, "W": after.W}, prefix="penalised")

            st.markdown("**Sweep one penalty** (the others stay at the sliders' values)")
            swept = url_widget(
                st.selectbox,
                "penalty to sweep",
                PENALTY_NAMES,
                index=PENALTY_NAMES.index("l1_W"),
                key="cr_sweep_p",
                bind="query-params",
            )
            fits = with_progress(
                f"Fitting at {len(PENALTY_GRID)} values of {swept}",
                list(PENALTY_GRID),
                lambda value: penalised_fit(
                    pen_data,
                    seed(),
                    pen_rank,
                    tuple(value if name == swept else weights[name] for name in PENALTY_NAMES),
                ),
            )
            show_figure(
                shared_figure(
                    after,
                    ("sweep", swept),
                    lambda: penalty_sweep_figure(
                        PenaltySweep.from_fits(swept, PENALTY_GRID, fits), current=weights[swept]
                    ),
                ),
                f"As {swept} grows, watch sparseness (left axis) against error (right "
                "axis); hover the error points to see how many basis vectors survive.",
                key="fig_sweep",
            )

# ================================================================== cost
if cost_tab.open:
    with cost_tab:
        st.subheader("What it costs")
        explain(
            "One iteration of the Frobenius solvers is dominated by two matrix products, "
            "$XW^\\top$ and $H^\\top X$, each about $n\\,k\\,r$ multiply-adds. So the time per "
            "iteration should grow in proportion to $n\\cdot k\\cdot r$, plus a fixed overhead "
            "that dominates small problems. Below, NMF is timed **live on this machine** on "
            f"random $n \\times k$ matrices (median of {COST_REPEATS} runs of "
            f"{COST_ITERATIONS} iterations, BLAS held to one thread when `threadpoolctl` is "
            "installed), and the line "
            "$t \\approx a + b\\,nkr$ is fitted to all the points by least squares on relative "
            "errors (so the small, fast runs count as much as the big ones)."
        )
        cost_controls = st.columns([2, 2, 1])
        solver = url_widget(
            cost_controls[0].selectbox,
            "solver",
            SOLVERS,
            key="cr_solver_c",
            bind="query-params",
            help="mu: multiplicative updates; hals: hierarchical ALS; anls: exact nonnegative "
            "least squares per half step; als: least squares, then clipping.",
        )
        converge = url_widget(
            cost_controls[1].toggle,
            "also time runs to convergence (slower)",
            value=False,
            key="cr_conv",
            bind="query-params",
            help="Runs each size until the objective changes by less than 1e-4 relative.",
        )
        if cost_controls[2].button("Measure again", key="cr_remeasure"):
            st.session_state["cost_measurement"] = st.session_state.get("cost_measurement", 0) + 1
        measurement = st.session_state.get("cost_measurement", 0)
        sweeps = timed_sweeps(solver, converge, measurement)
        # The first sweep names the measurement: all three were timed together.
        fit = shared_value(sweeps[0], "fit", lambda: fit_sweeps(sweeps))
        show_figure(
            shared_figure(sweeps[0], "cost", lambda: cost_figure(sweeps, fit)),
            "Measured time per iteration (dots) and the one line fitted to all three "
            "panels (orange). A slope near 1 means time proportional to that "
            "dimension; flatter on the left is fixed overhead.",
            key="fig_cost",
        )
        numbers = st.columns(3)
        numbers[0].metric("b: time per unit of n·k·r", f"{fit.per_unit * 1e9:.3g} ns")
        numbers[1].metric("a: fixed overhead per iteration", f"{fit.overhead * 1e6:.3g} µs")
        numbers[2].metric("R² of the fit", f"{fit.r_squared:.3f}")
        one_core = all_on_one_thread(sweeps)
        if not one_core:
            st.caption(
                "threadpoolctl is not installed: timed with the default number of BLAS "
                "threads, so the points may be noisier."
            )

        st.markdown("**Extrapolate:** what would one run cost on a bigger problem?")
        big = st.columns(4)
        big_n = url_widget(
            big[0].number_input,
            "n",
            1,
            10**7,
            100_000,
            step=1000,
            key="cr_big_n",
            bind="query-params",
        )
        big_k = url_widget(
            big[1].number_input, "k", 1, 10**6, 1_000, step=100, key="cr_big_k", bind="query-params"
        )
        big_r = url_widget(
            big[2].number_input, "r", 1, 1000, 50, step=1, key="cr_big_r", bind="query-params"
        )
        big_iter = url_widget(
            big[3].number_input,
            "iterations",
            1,
            100_000,
            500,
            step=50,
            key="cr_big_it",
            bind="query-params",
        )
        cost = extrapolate(fit, big_n, big_k, big_r, big_iter)
        estimate, reliable = extrapolation_sentence(fit, cost, big_n, big_k, big_r, big_iter)
        (st.markdown if reliable else st.warning)(
            f"{estimate}, on {'one core of ' if one_core else ''}this machine. "
            "Restarts, a sweep over ranks or a penalty grid multiply this again; the rank "
            "tab already ran NMF "
            f"{(DEFAULT_MAX_RANK - 1) * DEFAULT_RESTARTS} times for its default picture."
        )
        explain(
            "An extrapolation ignores memory: beyond the cache, and certainly beyond RAM, "
            "real runs are slower than the line. The data alone at this size takes "
            f"{cost.data_gigabytes:.3g} GB as float64."
        )
        if converge:
            show_figure(
                shared_figure(sweeps[0], "convergence", lambda: convergence_figure(sweeps)),
                "Wall-clock seconds until the stopping rule fired (hover for the "
                "number of iterations): time per iteration times a number of "
                "iterations that depends on the data, the rank and the solver.",
                key="fig_converge",
            )
