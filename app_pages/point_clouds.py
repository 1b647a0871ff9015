"""Point clouds: the cone spanned by the rows of W, a point in two bases, many equally good
cones, and SPA picking the extreme rays of separable data."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages._checkpoint import checkpoint
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
from nmf_core import INITS, SOLVERS
from nmf_lab.demo_data import CLOUD_PRESET_LABELS, CLOUD_PRESETS, Cloud, make_cloud
from nmf_lab.figures.point_clouds import (
    cloud_figure,
    cones_figure,
    simplex_figure,
    spa_step_figure,
)
from nmf_lab.lessons.point_cloud_checkpoints import rank_one_checkpoint, restarts_checkpoint
from nmf_lab.lessons.point_clouds import (
    OUTSIDE_REL_TOL,
    ConeFit,
    RestartCones,
    fit_cone,
    in_cone,
    match_rays,
    pca_axes,
    point_in_learned_basis,
    restart_cones,
    shown_point_index,
    spa_basis,
    spa_containment_gap,
    spa_found_extreme_rows,
    spa_steps,
    squared_size,
    stretched_twin,
)
from nmf_lab.uploads import MAX_CLOUD_ROWS, cloud_from_csv

MAX_ITER = 400
TOL = 1e-7
# Restarts only need to show "as good as" fits: a smaller budget keeps the page live.
RESTART_ITER = 200
RESTART_TOL = 1e-6
N_RESTARTS_MAX = 6
# Session-state slot for the last upload that parsed; not a widget key.
LAST_UPLOAD = "pc_last_good_upload"
UPLOAD_TYPES = ("csv", "txt", "tsv")
# Two planted rays: in 2-D the default cloud fills a wedge, so r = 1 visibly cannot hold it.
DEFAULT_PLANTED_RAYS = 2


@shared_result(max_entries=32)
def generated_cloud(
    preset: str, dim: int, n_points: int, noise: float, rank: int, cloud_seed: int
) -> Cloud:
    return make_cloud(preset, dim=dim, n_points=n_points, noise=noise, rank=rank, seed=cloud_seed)


@shared_result(max_entries=32)
def fit(
    cloud_key: str, _X: np.ndarray, rank: int, solver: str, init: str, fit_seed: int
) -> ConeFit:
    return fit_cone(_X, rank, solver=solver, init=init, seed=fit_seed, max_iter=MAX_ITER, tol=TOL)


@shared_result(max_entries=16)
def restarts(
    cloud_key: str, _X: np.ndarray, rank: int, solver: str, seeds: tuple[int, ...]
) -> RestartCones:
    return restart_cones(_X, rank, seeds, solver=solver, max_iter=RESTART_ITER, tol=RESTART_TOL)


st.title("Point clouds: the cone of W")
st.markdown(
    "Each row of $X$ is a point. NMF writes every point as a **nonnegative** mix of the $r$ "
    "rows of $W$, so all the reconstructions $H_iW$ live in the *cone* spanned by those rows: "
    "the half-lines through $W_1,\\dots,W_r$ and everything between them."
)
st.latex(r"X_i \approx H_i W = H_{i1} W_1 + \dots + H_{ir} W_r,\quad H_{ij} \ge 0,\ W_j \ge 0")

# ---------------------------------------------------------------- controls
# The data's own settings come first and are the only inputs of the cloud; the method's
# settings below them (rank, solver, start) refit the same points and never redraw them.
controls = st.container(border=True)
controls.markdown("**The data**")
data_top = controls.columns([1.1, 1.6, 0.8])
source = url_widget(
    data_top[0].radio,
    "Data",
    ["generated", "upload"],
    key="pc_source",
    bind="query-params",
    format_func={"generated": "Toy cloud", "upload": "Upload CSV"}.get,
    horizontal=True,
)
preset = url_widget(
    data_top[1].selectbox,
    "Toy cloud",
    CLOUD_PRESETS,
    key="pc_preset",
    bind="query-params",
    format_func=CLOUD_PRESET_LABELS.get,
    disabled=source == "upload",
)
dim = url_widget(
    data_top[2].radio,
    "Dimension",
    [2, 3],
    key="pc_dim",
    bind="query-params",
    format_func=lambda d: f"{d}-D",
    horizontal=True,
    disabled=source == "upload",
)
data_bottom = controls.columns(3)
planted_choice = url_widget(
    data_bottom[0].slider,
    "Planted rays",
    1,
    3,
    DEFAULT_PLANTED_RAYS,
    key="pc_planted",
    bind="query-params",
    disabled=source == "upload" or preset == "no_cone",
    help="How many rays the toy cloud is built around (at most the dimension; the "
    "spread-out cloud always uses the axes). Changing the rank r below refits these same "
    "points, it never redraws them.",
)
n_points = url_widget(
    data_bottom[1].slider,
    "Points n",
    10,
    1000,
    150,
    step=10,
    key="pc_n",
    bind="query-params",
    disabled=source == "upload",
)
noise = url_widget(
    data_bottom[2].slider,
    "Noise",
    0.0,
    0.2,
    0.02,
    step=0.01,
    key="pc_noise",
    bind="query-params",
    disabled=source == "upload",
    help="Standard deviation added to each coordinate (points have "
    "length ≤ 1); negative results are clipped to 0.",
)
controls.markdown("**The factorisation**")
method = controls.columns(3)
rank_choice = url_widget(
    method[0].slider,
    "Rank r",
    1,
    3,
    2,
    key="pc_rank",
    bind="query-params",
    help="Number of rows of W (rays of the cone) NMF may use.",
)
solver = url_widget(
    method[1].selectbox,
    "Solver",
    SOLVERS,
    index=SOLVERS.index("hals"),
    key="pc_solver",
    bind="query-params",
)
init = url_widget(
    method[2].selectbox,
    "Init",
    INITS,
    index=INITS.index("nndsvda"),
    key="pc_init",
    bind="query-params",
)

planted_rays = min(planted_choice, dim)
if planted_choice > dim and source != "upload" and preset != "no_cone":
    controls.caption(f"In {dim}-D at most {dim} rays can be planted, so {dim} are used.")
cloud = generated_cloud(preset, dim, n_points, noise, planted_rays, seed())
cloud_key = f"gen-{preset}-{dim}-{n_points}-{noise}-{planted_rays}-{seed()}"

if source == "upload":
    upload = controls.file_uploader(
        f"CSV of nonnegative points: 2 or 3 numbers per row, at most {MAX_CLOUD_ROWS} rows, "
        "optional header",
        type=upload_types(UPLOAD_TYPES),
        key="pc_upload",
    )
    last = last_good(
        LAST_UPLOAD,
        None if upload is None else upload.getvalue(),
        checked_upload(cloud_from_csv, upload, UPLOAD_TYPES),
        name="" if upload is None else upload.name,
    )
    if last is not None:
        cloud, cloud_key = last.value, f"upload-{last.digest}"
        controls.caption(f"Showing **{last.name}**: {cloud.n_points} points in {cloud.dim}-D.")
    else:
        controls.info("No usable file yet: showing the toy cloud meanwhile.")

X = cloud.X
k = cloud.dim
r = min(rank_choice, k)
if rank_choice > k:
    controls.caption(f"In {k}-D the rank is at most {k}, so r = {k} here.")
planted_W = cloud.W

cone_fit = fit(cloud_key, X, r, solver, init, seed())
H, W, loss, rel_error, n_iter = (
    cone_fit.H,
    cone_fit.W,
    cone_fit.loss,
    cone_fit.relative_error,
    cone_fit.n_iter,
)
far, distances = cone_fit.far, cone_fit.distances

# ---------------------------------------------------------------- the cloud and the cone
st.header("The cloud and the cone of W")
# Asked before the learner moves the rank: the answer is the same cloud's fit at r = 1.
fit_one = fit(cloud_key, X, 1, solver, init, seed())
planted_count = planted_rays if planted_W is not None else None
checkpoint(
    shared_value(
        fit_one,
        ("rank-one checkpoint", planted_count),
        lambda: rank_one_checkpoint(X, fit_one.W, planted_count),
    )
)
options = st.columns(3)
show_recon = url_widget(
    options[0].toggle,
    "Reconstructions H_i W and residuals",
    value=True,
    key="pc_recon",
    bind="query-params",
)
show_pca = url_widget(
    options[1].toggle, "PCA axes (centred, signed)", value=False, key="pc_pca", bind="query-params"
)
point = url_widget(
    options[2].number_input,
    "Pick a point (row i of X)",
    min_value=0,
    max_value=10_000,
    value=0,
    step=1,
    key="pc_point",
    bind="query-params",
)
selected, clamped_note = shown_point_index(int(point), cloud.n_points)
if clamped_note:
    st.info(clamped_note)
axes = shared_value(cone_fit, "pca axes", lambda: pca_axes(X)) if show_pca else None

metrics = st.columns(4)
metrics[0].metric("Loss ‖X − HW‖²_F", f"{loss:.4g}")
metrics[1].metric("Relative error ‖X − HW‖_F / ‖X‖_F", f"{rel_error:.2%}")
metrics[2].metric("Points far outside the cone", f"{int(far.sum())} of {cloud.n_points}")
metrics[3].metric("Iterations", f"{n_iter}")

figure = shared_figure(
    cone_fit,
    ("cloud", selected, show_recon, show_pca),
    lambda: cloud_figure(
        X,
        W,
        H,
        planted_W=planted_W,
        far=far,
        selected=selected,
        show_reconstruction=show_recon,
        pca=axes,
    ),
)
shape_name = "wedge" if k == 2 else "faces"
show_figure(
    figure,
    f"Blue arrows are the learned rows of W (scaled to length 1), the shaded "
    f"{shape_name} their cone; grey arrows are the identity basis, dashed black lines "
    "the planted rays. Every reconstruction H_i W sits inside the cone; red crosses are "
    f"points more than {OUTSIDE_REL_TOL:.0%} of a typical point's length outside it.",
    key="pc_fig_cloud",
)
if k == 3:
    show_figure(
        shared_figure(
            cone_fit,
            "simplex",
            lambda: simplex_figure(
                X,
                [("cone of W", W)]
                + ([("planted rays", planted_W)] if planted_W is not None else []),
                far=far,
            ),
        ),
        "The same cloud seen along rays: each point is drawn at X_i / ΣX_i on the triangle "
        "x₁ + x₂ + x₃ = 1, and the cone of W becomes the shaded polygon with corners "
        "W_j / ΣW_j. A point is in the cone exactly when its dot is in the polygon.",
        key="pc_fig_simplex",
    )
if axes is not None:
    mixed = int(axes.mixed_signs.sum())
    leaving = int(axes.visibly_leaves.sum())
    deepest = float(axes.depth_below_zero.max(initial=0.0))
    if leaving:
        crossing = (
            f"**{leaving} of {k}** drawn axes (±2 standard deviations around the mean) reach "
            f"visibly negative coordinates, the deepest to {-deepest:.3g}. "
        )
    else:
        crossing = (
            "none of the drawn axes (±2 standard deviations around the mean) crosses into "
            "negative coordinates by a visible amount"
            + (f" (the deepest end is at {-deepest:.2g})" if deepest > 0 else "")
            + (
                "; the mixed-sign ones would leave the orthant only if drawn longer. "
                if mixed
                else ". "
            )
        )
    st.markdown(
        f"PCA: **{mixed} of {k}** axes have entries of both signs, and {crossing}"
        f"All {r} NMF rays have nonnegative entries: smallest entry of W = {W.min():.3g}."
    )
    explain(
        "PCA centres the cloud and looks for orthogonal directions of largest spread. "
        "Two orthogonal directions can both be nonnegative only if they share no "
        "coordinate, so for a typical cloud some PCA axes mix signs and point out of the "
        "orthant: they describe *differences from the mean*. "
        "NMF's rays stay inside and describe *parts that add up*. The comparison page "
        "takes this further."
    )
download_matrices({"H": H, "W": W}, prefix="point_cloud")
explain(
    "**Things to try.** Lower r below the number of planted rays (r = 1 here): the cone "
    "shrinks to a half-line and most points turn into red crosses. The points themselves stay "
    "where they are — only the data controls redraw the cloud. In 3-D, plant 3 rays and set "
    "r = 2: the cone flattens to a wedge and many points fall off it. Pick *Spread out*: no "
    "cone with fewer rays than the dimension holds it. Switch on the PCA axes. Pick "
    "*Separable* with noise 0 and watch SPA below find the planted rays exactly."
)

if r == k:
    explain(
        f"Here r = k = {k}: the identity basis $W = I$ with $H = X$ is already an exact "
        "nonnegative factorisation of *any* nonnegative cloud, so a loss near zero says "
        "nothing special. The interesting question is *which* cone the solver chose: see "
        "the section on many equally good cones below."
    )
else:
    explain(
        f"Here r = {r} < k = {k}: the cone of W is a thin slice of the space, and points off "
        "it are reconstructed by (very nearly) their closest point in the cone: the residual "
        "length of the picked point below is next to its distance to the cone. The segments show "
        "what is lost. Try the *spread out* cloud: no cone of fewer rays than the dimension "
        "can hold it."
    )

# ---------------------------------------------------------------- one point, two bases
st.header("One point in two bases")
x_i, h_i = X[selected], H[selected]
recon_i, residual_i = point_in_learned_basis(X, H, W, selected)
left, right = st.columns(2)
with left:
    st.markdown(f"**Point {selected} in the identity basis** (its row of X)")
    st.latex(
        f"X_{{{selected}}} = "
        + " + ".join(f"{value:.3f}\\,e_{j + 1}" for j, value in enumerate(x_i))
    )
    st.table(
        {
            "basis vector": [f"e{j + 1}" for j in range(k)],
            "coordinate X_ij": [f"{value:.4f}" for value in x_i],
        }
    )
with right:
    st.markdown(f"**Point {selected} in the learned basis** (its row of H)")
    st.latex(
        f"H_{{{selected}}} W = "
        + " + ".join(f"{value:.3f}\\,W_{j + 1}" for j, value in enumerate(h_i))
    )
    st.table(
        {
            "basis vector": [f"W{j + 1}" for j in range(r)],
            "coordinate H_ij": [f"{value:.4f}" for value in h_i],
        }
    )
st.markdown(
    f"Reconstruction $H_{{{selected}}}W$ = ({', '.join(f'{v:.3f}' for v in recon_i)}), "
    f"residual length ‖X_i − H_iW‖ = **{residual_i:.4f}**; distance from "
    f"X_i to the cone of W = {distances[selected]:.4f}."
)
explain(
    "The orange arrows in the figure add up $H_{i1}W_1 + \\dots + H_{ir}W_r$ tip to tail; "
    "the dashed grey path adds up $X_{i1}e_1 + \\dots$ in the identity basis. Both walks "
    "end at (or near) the same point: it is one point described in two coordinate systems."
)

# ---------------------------------------------------------------- non-uniqueness
st.header("Many equally good cones")
explain(
    "NMF does not have a single answer. Below, the same solver starts from random points "
    "with different seeds. The losses are (nearly) equal, yet the cones differ: any cone "
    "that holds the data and stays inside the nonnegative orthant fits just as well. (A "
    "restart whose loss is clearly higher stopped at a poorer local solution: another "
    "face of the same problem.)"
)
n_restarts = url_widget(
    st.slider, "Random restarts", 2, N_RESTARTS_MAX, 4, key="pc_restarts", bind="query-params"
)
seeds = tuple(seed() + offset for offset in range(n_restarts))
runs = restarts(cloud_key, X, r, solver, seeds)
ray_angles, spreads = runs.ray_angles, runs.spreads
spread_label = f"largest angle to seed {seeds[0]}'s rays (°)"
table = {
    "seed": [str(s) for s in seeds],
    "loss ‖X − HW‖²_F": [],
    "relative error": [],
    "ray angles to x₁ (°)": [],
    spread_label: [],
}
for loss_run, rel_run, angles, spread in zip(
    runs.losses, runs.relative_errors, ray_angles, spreads, strict=True
):
    table["loss ‖X − HW‖²_F"].append(f"{loss_run:.3g}")
    table["relative error"].append(f"{rel_run:.3%}")
    table["ray angles to x₁ (°)"].append(", ".join(f"{a:.1f}" for a in angles))
    table[spread_label].append(f"{spread:.1f}")
# The table and the cones answer the checkpoint, so they wait for a prediction.
if checkpoint(restarts_checkpoint(runs.relative_errors, spreads, r)):
    st.table(table)
    show_figure(
        shared_figure(
            runs,
            "cones",
            lambda: cones_figure(
                X, [(f"seed {s}", W_run) for s, W_run in zip(seeds, runs.bases, strict=True)]
            ),
        ),
        "One colour per random restart: the cones around the same points, with the losses "
        "in the table above.",
        key="pc_fig_restarts",
    )

st.subheader("A hand-made twin: same HW, different cone")
st.markdown("Move the rays away from (or towards) their mean $\\bar W$ and compensate in $H$:")
st.latex(
    r"\begin{gathered}W' = QW,\quad H' = HQ^{-1},\quad "
    r"Q = (1+t)\,I - \tfrac{t}{r}\,\mathbf 1\mathbf 1^{\top}\\"
    r"\Rightarrow\; H'W' = HW\end{gathered}"
)
stretch = url_widget(
    st.slider,
    "Stretch the cone (−1 = as closed as H allows, +1 = as open as W allows)",
    -1.0,
    1.0,
    1.0,
    step=0.05,
    key="pc_stretch",
    bind="query-params",
)
twin = shared_value(cone_fit, ("twin", stretch), lambda: stretched_twin(X, H, W, stretch))
st.markdown(
    f"t = {twin.t:.3f} (allowed range [{twin.t_min:.3f}, {twin.t_max:.3f}]). Loss before: "
    f"**{loss:.6g}**, after: **{twin.loss:.6g}**; smallest entry of H′ = {twin.H.min():.3g}, "
    f"of W′ = {twin.W.min():.3g}."
)
size_before, size_twin = squared_size(H, W), squared_size(twin.H, twin.W)
st.markdown(
    "The data cannot tell the twins apart, but a penalty can: $\\|H\\|_F^2 + \\|W\\|_F^2$ is "
    f"**{size_before:.4g}** before and **{size_twin:.4g}** after."
)
if r == 1:
    st.info(
        "With one ray there is nothing to open: the only freedom left is rescaling "
        "(W → cW, H → H/c)."
    )
elif twin.t_max == 0 and twin.t_min == 0:
    st.info(
        "This fit is pinned: W already touches the boundary of the orthant and H already "
        "has zeros, so this particular stretch cannot move it."
    )
show_figure(
    shared_figure(
        cone_fit,
        ("stretch", stretch),
        lambda: cones_figure(X, [("cone of W", W), ("stretched cone of W′", twin.W)]),
    ),
    "Blue: the fitted cone. Orange: the stretched twin with exactly the same product "
    "HW — the data cannot tell them apart.",
    key="pc_fig_stretch",
)

st.subheader("What pins the answer down")
explain(
    "- **Separable data.** If some data points lie on the extreme rays, the tightest cone is "
    "spanned by data points themselves, and SPA (below) finds them without any iteration.\n"
    "- **A penalty.** Twins with the same $HW$ get different penalty values (see "
    "$\\|H\\|_F^2 + \\|W\\|_F^2$ above), so a penalised objective breaks the tie, at the "
    "price of a slightly worse fit; the page *Choosing r and penalties* explores penalties.\n"
    "- **A deterministic start.** `init=spa` or `nndsvd` gives the same answer on every run; it "
    "does not make the answer unique, only reproducible."
)

# ---------------------------------------------------------------- SPA
st.header("SPA step by step")
explain(
    "The successive projection algorithm picks $r$ data points as rays: at each step it "
    "takes the point with the largest remaining length, then projects every point onto the "
    "directions perpendicular to it, so the next pick must point somewhere new. On "
    "separable data (rows of $H$ summing to at most 1) the picks are exactly the extreme "
    "rays."
)
steps = shared_value(cone_fit, "spa steps", lambda: spa_steps(X, r))
if r > 1:
    step = url_widget(st.slider, "SPA step", 1, r, 1, key="pc_spa_step", bind="query-params")
else:
    step = 1
show_figure(
    shared_figure(
        cone_fit,
        ("spa step", step),
        lambda: spa_step_figure(X, steps, step - 1, planted_W=planted_W),
    ),
    f"Step {step} of {r}: the purple ring marks the longest remaining point "
    f"(point {steps[step - 1].picked}); blue lines are the rays picked so far. From step 2 "
    "on, the points shown are the residuals after projecting out the earlier picks.",
    key="pc_fig_spa_step",
)
picks, W_spa = shared_value(cone_fit, "spa basis", lambda: spa_basis(X, r))
if planted_W is not None and planted_W.shape[0] == r:
    _, spa_angles = match_rays(W_spa, planted_W)
    on_rays = in_cone(X, W_spa)
    st.markdown(
        f"SPA picked points {', '.join(str(p) for p in picks)}. Angle between each SPA ray and "
        f"the nearest planted ray: {', '.join(f'{a:.2f}°' for a in spa_angles)}. "
        f"Points inside the SPA cone: {int(on_rays.sum())} of {cloud.n_points}."
    )
    if cloud.preset == "separable":
        recovered = spa_found_extreme_rows(picks, cloud.extreme_rows)
        st.markdown(
            "SPA's picks are exactly the planted extreme points: "
            f"**{'yes' if recovered else 'no'}**."
            + (
                ""
                if recovered
                else " Noise moves the points, so another point can stick out "
                "further than a planted one; at noise 0 the recovery is exact."
            )
        )
    cones = [("SPA cone", W_spa), ("planted rays", planted_W)]
else:
    st.markdown(f"SPA picked points {', '.join(str(p) for p in picks)}.")
    cones = [("SPA cone", W_spa)]
show_figure(
    shared_figure(cone_fit, "spa cone", lambda: cones_figure(X, cones, highlight=picks.tolist())),
    "The cone SPA builds from the picked points (circled), next to the planted rays "
    "(dashed) when there are any.",
    key="pc_fig_spa_vs_planted",
)
spa_gap = spa_containment_gap(W_spa, runs.bases)
st.markdown(
    f"Each of the {len(runs.bases)} restart cones above contains the SPA rays up to "
    f"**{spa_gap:.2%}** of their length. A cone that fits the data must hold the data points, "
    "so when the picks are the extreme points, their cone is the *smallest* cone that fits: "
    'separability turns "many equally good cones" into one natural choice.'
)
