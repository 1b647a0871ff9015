"""Images: a picture is a nonnegative matrix. Factor it at rank r with NMF and SVD; faces as parts.

Widgets -> ``nmf_lab.lessons.images`` -> ``nmf_lab.figures.images``. Everything heavy is cached per
(image key, settings); an uploaded picture is keyed by the SHA-256 of its bytes.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._progress import RESULTS, cached_value, run_cached
from app_pages._shared import (
    GoodInput,
    checked_upload,
    download_matrices,
    explain,
    last_good,
    seed,
    shared_figure,
    shared_result,
    show_figure,
    show_figure_row,
    upload_types,
)
from app_pages._url_state import url_widget
from nmf_core import INITS, SOLVERS
from nmf_lab.demo_data import FACE_SHAPE, SAMPLE_IMAGES, load_faces, sample_image
from nmf_lab.figures import images as figs
from nmf_lab.lessons import images as im
from nmf_lab.lessons import run_cost
from nmf_lab.lessons import swimmer as sw
from nmf_lab.uploads import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    MIN_IMAGE_SIDE,
    decode_image,
    safe_file_name,
)

UPLOAD = "upload"
LAST_UPLOAD = "images_last_upload"  # session_state: the last upload that decoded cleanly
UPLOAD_TYPES = ("png", "jpg", "jpeg")
DEFAULT_RANK = 20
MAX_RANK = 64
DEFAULT_ITERS = 30
DEFAULT_SOLVER = "hals"
DEFAULT_INIT = "nndsvda"
DEFAULT_CURVE_RANK = 20
MAX_LAYERS = 10
DEFAULT_FACE_RANK = 16
FACE_ITERS = 100
CHANNEL_NAMES = ("R", "G", "B")
# Bound widgets show their raw option names: the URL stores the displayed label.
SOLVER_HELP = (
    "hals: hierarchical alternating least squares (fast). mu: Lee & Seung's "
    "multiplicative updates. anls: exact nonnegative least squares per half step. "
    "als: least squares then clipping (can go up)."
)


# ---------------------------------------------------------------- cached computations ------


@shared_result(max_entries=len(SAMPLE_IMAGES))
def working_sample(name: str) -> np.ndarray:
    return im.fit_working_size(sample_image(name))


def channel_svds(image_key: str, color: str, image: np.ndarray):
    """The full SVD of each channel (one per picture and colour mode, kept afterwards)."""
    channels = 3 if color == "rgb" else 1
    return run_cached(
        ("images-svd", image_key, color),
        "Computing the SVD of the picture",
        run_cost.svd_seconds(*image.shape[:2], channels=channels),
        lambda progress: im.image_svds(image, color),
    )


def start_points(
    image_key: str, color: str, init: str, top: int, seed_value: int, image: np.ndarray
):
    """One SVD-based start at the largest rank serves every rank (None for other inits)."""
    if init not in im.NESTED_INITS:
        return None
    channels = 3 if color == "rgb" else 1
    return run_cached(
        ("images-start", image_key, color, init, top, seed_value),
        f"Computing the {init} start point",
        run_cost.svd_seconds(*image.shape[:2], channels=channels),
        lambda progress: im.image_starts(image, top, color=color, init=init, seed=seed_value),
    )


def factorization(
    image_key: str,
    color: str,
    rank: int,
    solver: str,
    init: str,
    iters: int,
    seed_value: int,
    image: np.ndarray,
    svds,
    starts,
) -> im.ImageFactorization:
    """The picture factored at rank r, with a progress bar the first time (kept afterwards)."""
    channels = 3 if color == "rgb" else 1
    per_iteration = run_cost.seconds_per_iteration(solver, *image.shape[:2], rank)
    return run_cached(
        ("images", image_key, color, rank, solver, init, iters, seed_value),
        f"Factoring the picture with {solver.upper()}, r = {rank}",
        channels * iters * per_iteration,
        lambda progress: im.factor_image(
            image,
            rank,
            color=color,
            solver=solver,
            init=init,
            max_iter=iters,
            seed=seed_value,
            svds=svds,
            starts=starts,
            callback=progress.nmf_callback(
                per_iteration, iters, stages=CHANNEL_NAMES if channels > 1 else ()
            ),
        ),
    )


def error_key(
    image_key: str, color: str, rank: int, solver: str, init: str, iters: int, seed_value: int
) -> tuple:
    """Where NMF's error at one rank is kept: the chart's points and the r = 1 checkpoint."""
    return ("images-error", image_key, color, rank, solver, init, iters, seed_value)


def rank_one_error(
    image_key: str,
    color: str,
    solver: str,
    init: str,
    cap: run_cost.IterationCap,
    seed_value: int,
    image: np.ndarray,
    starts,
    channels: int,
) -> float:
    """NMF's error at r = 1 with the page's settings: the chart's first point, computed once."""
    return run_cached(
        error_key(image_key, color, 1, solver, init, cap.allowed, seed_value),
        f"Factoring the picture with {solver.upper()}, r = 1",
        cap.allowed_seconds,
        lambda progress: im.nmf_image_error(
            image,
            1,
            color=color,
            solver=solver,
            init=init,
            max_iter=cap.allowed,
            seed=seed_value,
            starts=starts,
            callback=progress.nmf_callback(
                cap.seconds_per_iteration / channels,
                cap.allowed,
                stages=CHANNEL_NAMES if channels > 1 else (),
            ),
        ),
    )


def picture_figures(result: im.ImageFactorization, rank: int):
    """The three pictures and the two error maps, a figure each (PNG-encoded once per result)."""
    return (
        shared_figure(
            result,
            "reconstructions",
            lambda: figs.reconstruction_figures(
                result.original,
                result.nmf_image,
                result.svd_image,
                rank=rank,
                nmf_error=result.nmf_error,
                svd_error=result.svd_error,
            ),
        ),
        shared_figure(
            result,
            "error maps",
            lambda: figs.error_map_figures(result.nmf_error_map, result.svd_error_map),
        ),
    )


def swimmer_recovery(seed_value: int) -> sw.SwimmerRecovery:
    """NMF (best of the random starts) and PCA on the swimmer, with a progress bar once."""
    X_shape = (sw.POSITIONS**sw.LIMBS, sw.SWIMMER_SHAPE[0] * sw.SWIMMER_SHAPE[1])
    per_iteration = run_cost.seconds_per_iteration("hals", *X_shape, sw.SWIMMER_RANK)
    iters = sw.SWIMMER_NMF["max_iter"]
    starts = tuple(f"start {j + 1} of {sw.SWIMMER_RESTARTS}" for j in range(sw.SWIMMER_RESTARTS))
    return run_cached(
        ("images-swimmer", seed_value),
        f"Factoring the {X_shape[0]} swimmers with NMF from {sw.SWIMMER_RESTARTS} starts",
        sw.SWIMMER_RESTARTS * iters * per_iteration,
        lambda progress: sw.swimmer_recovery(
            seed=seed_value,
            callback=progress.nmf_callback(per_iteration, iters, stages=starts),
        ),
    )


def show_recovery(recovery: sw.SwimmerRecovery) -> None:
    """The swimmer's recovery counts, the parts beside NMF's and PCA's rows, and the table."""
    recovery_cols = st.columns(4)
    recovery_cols[0].metric("NMF: worst part |cos|", f"{recovery.nmf.worst:.3f}")
    recovery_cols[1].metric("NMF: median part |cos|", f"{recovery.nmf.median:.3f}")
    recovery_cols[2].metric("PCA: worst part |cos|", f"{recovery.pca.worst:.3f}")
    recovery_cols[3].metric("PCA: median part |cos|", f"{recovery.pca.median:.3f}")
    show_figure_row(
        shared_figure(
            recovery,
            "parts",
            lambda: figs.parts_figures(
                recovery.parts, recovery.nmf_W, recovery.pca_components, sw.SWIMMER_SHAPE
            ),
        ),
        "Each true part (first) is matched to one learned row by cosine similarity (an optimal "
        "one-to-one matching), and the matches sit in the same grid cell. NMF's rows "
        "(≥ 0) are the limbs themselves; PCA's components (blue < 0 < red) mix "
        "several limbs with both signs. Each tile is scaled to its own largest magnitude.",
        keys=("fig_swimmer", "fig_swimmer_nmf", "fig_swimmer_pca"),
    )
    st.markdown(
        f"**{recovery.nmf.recovered()} of 16** true parts are matched by an NMF row with "
        f"|cos| ≥ {sw.RECOVERED_COS}, against **{recovery.pca.recovered()} of 16** for PCA's "
        "components (signs ignored, to give PCA its best chance)."
    )
    with st.expander("Per-part recovery (|cos| between each true part and its matched row)"):
        st.dataframe(recovery.table(), hide_index=True)


@shared_result(max_entries=1)
def faces() -> np.ndarray:
    return load_faces()


def faces_comparison(rank: int, solver: str, init: str, seed_value: int) -> im.FacesComparison:
    """NMF parts and eigenfaces at rank r, with a progress bar the first time."""
    matrix = faces()
    cap = run_cost.iteration_cap(solver, *matrix.shape, rank, FACE_ITERS)
    if cap.capped:
        st.caption(capped_note(solver, rank, cap))
    return run_cached(
        ("images-faces", rank, solver, init, cap.allowed, seed_value),
        f"Factoring the faces with {solver.upper()}, r = {rank}",
        cap.allowed_seconds,
        lambda progress: im.compare_faces(
            matrix,
            rank,
            solver=solver,
            init=init,
            max_iter=cap.allowed,
            seed=seed_value,
            callback=progress.nmf_callback(cap.seconds_per_iteration, cap.allowed),
        ),
    )


def capped_note(solver: str, rank: int, cap: run_cost.IterationCap) -> str:
    """Why fewer iterations run than were asked for."""
    return (
        f"{solver.upper()} at r = {rank} would take "
        f"{run_cost.describe_seconds(cap.asked_seconds)} for {cap.asked} iterations on one "
        f"core; it runs {cap.allowed} ({run_cost.describe_seconds(cap.allowed_seconds)}) so "
        "the page stays live. HALS and MU go much further in the same time."
    )


def current_upload() -> GoodInput | None:
    """Show the uploader; return the last upload that decoded cleanly (or None)."""
    uploaded = st.file_uploader(
        "Your picture (PNG or JPEG)",
        type=upload_types(UPLOAD_TYPES),
        key="img_upload",
        max_upload_size=MAX_IMAGE_BYTES // 2**20,
        help=f"Decoded safely: PNG/JPEG only, at most {MAX_IMAGE_PIXELS:,} pixels declared, "
        f"at least {MIN_IMAGE_SIDE}×{MIN_IMAGE_SIDE}, still images only.",
    )
    return last_good(
        LAST_UPLOAD,
        None if uploaded is None else uploaded.getvalue(),
        checked_upload(decode_image, uploaded, UPLOAD_TYPES),
        name="" if uploaded is None else safe_file_name(uploaded.name),
        kept_in_message=" Still showing your last good picture, {name}.",
    )


# ---------------------------------------------------------------- page ----------------------

st.title("Images: a picture is a matrix")
st.markdown(
    "A grayscale picture with n rows and k columns of pixels is a nonnegative matrix "
    "$X$ ($n\\times k$). Each **row of pixels is a data point**, so NMF writes every image row "
    "as a nonnegative mix of $r$ basis rows: $X \\approx HW$ with $H$ ($n\\times r$) and $W$ "
    "($r\\times k$), both $\\ge 0$."
)
explain(
    "The truncated SVD gives the best possible rank-$r$ approximation in the Frobenius norm "
    "(Eckart–Young), so its error is a floor that NMF can approach but never go below. What "
    "NMF buys with its extra error is factors without signs: every layer it adds is a "
    "nonnegative picture, while SVD's layers add and subtract."
)

# Two rows of three: six side by side cut the selected options ("camer", "ha") at 1024 pixels.
controls = [*st.columns([1.2, 1.2, 1.4]), *st.columns(3)]
source = url_widget(
    controls[0].selectbox,
    "Picture",
    (*SAMPLE_IMAGES, UPLOAD),
    key="img_src",
    bind="query-params",
    help="scikit-image's bundled samples, or `upload` for your own PNG/JPEG.",
)
color = url_widget(
    controls[1].radio,
    "Colour",
    im.COLOR_MODES,
    key="img_color",
    bind="query-params",
    help="grayscale: factor one matrix, the luminance. rgb: factor R, G and B separately, "
    "three matrices at the same rank.",
)
rank_asked = url_widget(
    controls[2].slider, "Rank r", 1, MAX_RANK, DEFAULT_RANK, key="img_rank", bind="query-params"
)
solver = url_widget(
    controls[3].selectbox,
    "Solver",
    SOLVERS,
    index=SOLVERS.index(DEFAULT_SOLVER),
    key="img_solver",
    bind="query-params",
    help=SOLVER_HELP,
)
init = url_widget(
    controls[4].selectbox,
    "Init",
    INITS,
    index=INITS.index(DEFAULT_INIT),
    key="img_init",
    bind="query-params",
    help="Starting point; nndsvda starts from the SVD's leading terms.",
)
iters = url_widget(
    controls[5].number_input,
    "Iterations",
    1,
    500,
    DEFAULT_ITERS,
    step=10,
    key="img_iters",
    bind="query-params",
    help="At most this many; stops early when the loss settles.",
)
seed_value = seed()

if source == UPLOAD:
    upload = current_upload()
    if upload is None:
        st.info("No picture uploaded yet: showing *camera* meanwhile.")
        image, image_key, image_name = working_sample("camera"), "sample:camera", "camera"
    else:
        image, image_key, image_name = upload.value, f"upload:{upload.digest}", upload.name
else:
    image, image_key, image_name = working_sample(source), f"sample:{source}", source

n, k = image.shape[:2]
rank = min(int(rank_asked), n, k)
if rank < rank_asked:
    st.warning(f"This picture is {n}×{k}: the rank is capped at min(n, k) = {rank}.")
if im.effective_color(image, color) != color:
    st.caption(
        "This picture is grayscale already: there is one channel to factor, so the result is "
        "the grayscale one (nothing is recomputed)."
    )
# A grayscale picture gives the same result in both modes: one cache entry serves both.
color = im.effective_color(image, color)
st.caption(
    f"Pictures are factored at a working size of at most {im.WORKING_SIDE} pixels on "
    f"the longest side; *{image_name}* is {n}×{k} here."
)

svds = channel_svds(image_key, color, image)
starts = start_points(image_key, color, init, min(MAX_RANK, n, k), seed_value, image)
channel_count = 3 if color == "rgb" else 1
cap = run_cost.iteration_cap(solver, n, k, rank, int(iters), channels=channel_count)
if cap.capped:
    st.info(capped_note(solver, rank, cap))
result = factorization(
    image_key, color, rank, solver, init, cap.allowed, seed_value, image, svds, starts
)

# ---- one image, three ways
stored, full = result.storage
stored_per_channel, full_per_channel = result.storage_per_channel
channel_note = f"{result.channels}·" if result.channels > 1 else ""
metrics = st.columns(4)
metrics[0].metric("NMF relative error ‖X − HW‖/‖X‖", f"{result.nmf_error:.2%}")
metrics[1].metric("SVD relative error (rank r)", f"{result.svd_error:.2%}")
metrics[2].metric(
    "Numbers stored by H and W",
    f"{stored:,}",
    help=f"{channel_note}r·(n + k) = {channel_note}{rank}·({n} + {k})",
)
metrics[3].metric(
    "Numbers in the picture X", f"{full:,}", help=f"{channel_note}n·k = {channel_note}{n}·{k}"
)
st.markdown(
    f"Storage: $r(n+k) = {rank}\\cdot({n}+{k}) = {stored_per_channel:,}$ numbers "
    f"{'per channel ' if result.channels > 1 else ''}instead of $nk = {n}\\cdot{k} = "
    f"{full_per_channel:,}$, that is **{result.storage_share:.1%}** of the original. "
    f"NMF ran {result.n_iter} iteration{'s' if result.n_iter != 1 else ''}."
)

recon_figures, error_figures = picture_figures(result, rank)
show_figure_row(
    recon_figures,
    "The picture, NMF's HW and the SVD at the same rank. The SVD is always at least as close "
    "(Eckart–Young); look at where NMF loses detail.",
    keys=("fig_recon", "fig_recon_nmf", "fig_recon_svd"),
)
show_figure_row(
    error_figures,
    "Per-pixel error |X − X̂| of both methods on one colour scale (bright = large error; the "
    "scale tops out at the 99.5th percentile of both maps).",
    keys=("fig_errors", "fig_errors_svd"),
)

# ---- the factors
st.header("The factors and the sum of layers")
st.markdown(
    "Row $i$ of the picture is $X_i \\approx \\sum_j H_{ij} W_j$: the rows of $W$ are basis "
    "rows, the columns of $H$ say how much of each basis row every image row uses. Read the "
    "other way round, $HW = \\sum_{j=1}^{r} H_{:,j}\\, W_{j,:}$ is a sum of $r$ rank-one "
    "layers."
)
channel = 0
if result.channels > 1:
    channel = CHANNEL_NAMES.index(
        url_widget(
            st.radio,
            "Channel for the factor views",
            CHANNEL_NAMES,
            key="img_chan",
            bind="query-params",
            horizontal=True,
        )
    )
H, W = result.H[channel], result.W[channel]
left, right = result.svd_left[channel], result.svd_right[channel]
basis_rows, coefficient_profiles = shared_figure(
    result, ("factors", channel), lambda: figs.factor_figures(H, W, left, right)
)
show_figure_row(
    basis_rows,
    "Every row is one basis vector over the image columns: NMF's are all ≥ 0, the SVD's "
    "(blue < 0 < red) need signs.",
    keys=("fig_factors", "fig_factors_svd"),
)
show_figure_row(
    coefficient_profiles,
    "Every row is one coefficient profile over the image rows: how much of basis vector i "
    "each image row uses. Again NMF's are ≥ 0 and the SVD's signed.",
    keys=("fig_profiles", "fig_profiles_svd"),
)
view = url_widget(
    st.radio,
    "Show",
    ("layers", "running sum"),
    key="img_view",
    bind="query-params",
    horizontal=True,
    help="layers: each H[:, j] W[j, :] alone. running sum: layers 1…j added up.",
)
shown = min(rank, MAX_LAYERS)
cumulative = view == "running sum"


def draw_layers():
    order = im.layer_order(H, W)[:shown]
    nmf_layers = im.layer_stack(H, W, order, max_side=160, cumulative=cumulative)
    svd_layers = im.layer_stack(left, right, np.arange(shown), max_side=160, cumulative=cumulative)
    labels = [f"1..{i + 1}" for i in range(shown)] if cumulative else [f"j={j + 1}" for j in order]
    return figs.layers_figures(nmf_layers, svd_layers, labels=labels, cumulative=cumulative)


more = f" (the {shown} strongest of {rank})" if shown < rank else ""
show_figure_row(
    shared_figure(result, ("layers", channel, cumulative), draw_layers),
    (
        f"Running sums of the layers{more}: both approach the picture as layers are added; "
        "NMF only ever adds light, SVD also subtracts it."
        if cumulative
        else f"Rank-one layers{more}, largest first, each on its own scale. NMF layers (≥ 0, "
        "viridis) are nonnegative pictures; SVD layers (blue < 0 < red) are signed corrections."
    ),
    keys=("fig_layers", "fig_layers_svd"),
)

# ---- error against rank
st.header("Error against rank")
explain(
    "For every rank r the SVD's error is the smallest any rank-r matrix can reach, so NMF's "
    "curve sits on or above it. Each point is a fresh NMF at that rank with the settings "
    "above, which is why this chart is computed on request."
)
rank_one_cap = run_cost.iteration_cap(solver, n, k, 1, int(iters), channels=channel_count)
rank_one = rank_one_error(
    image_key, color, solver, init, rank_one_cap, seed_value, image, starts, channel_count
)
curve_answered = checkpoint(
    im.rank_one_checkpoint(
        rank_one,
        float(im.svd_image_error_curve(svds, 1)[0]),
        solver=solver,
        init=init,
        iterations=rank_one_cap.allowed,
    )
)
curve_cols = st.columns([1, 2])
max_curve_rank = url_widget(
    curve_cols[0].slider,
    "Largest rank R",
    2,
    40,
    DEFAULT_CURVE_RANK,
    key="img_maxr",
    bind="query-params",
)
show_curve = url_widget(
    curve_cols[1].toggle,
    "Compute the error-vs-rank chart",
    value=False,
    key="img_curve",
    bind="query-params",
    help="Runs one NMF per rank r = 1…R (cached afterwards).",
)
if show_curve and not curve_answered:
    st.caption("Answer the question above first: the chart answers it.")
elif show_curve:
    asked_top = min(int(max_curve_rank), n, k)
    # Each rank runs as many iterations as the picture above would at that rank.
    rank_caps = [
        run_cost.iteration_cap(solver, n, k, r, int(iters), channels=channel_count)
        for r in range(1, asked_top + 1)
    ]
    top_rank = run_cost.affordable_steps([c.allowed_seconds for c in rank_caps])
    if top_rank < asked_top:
        st.info(
            f"With {solver.upper()} the chart stops at R = {top_rank}: ranks up to "
            f"{asked_top} would take "
            f"{run_cost.describe_seconds(sum(c.allowed_seconds for c in rank_caps))} on one "
            "core. HALS or MU reach further."
        )

    def curve_error(progress, r: int) -> float:
        key = error_key(image_key, color, r, solver, init, rank_caps[r - 1].allowed, seed_value)
        found = cached_value(key)
        if found is not None:
            progress.advance(rank_caps[r - 1].allowed_seconds, f"r = {r} of {top_rank}")
            return found
        per_iteration = rank_caps[r - 1].seconds_per_iteration / channel_count
        value = im.nmf_image_error(
            image,
            r,
            color=color,
            solver=solver,
            init=init,
            max_iter=rank_caps[r - 1].allowed,
            seed=seed_value,
            starts=starts,
            callback=progress.nmf_callback(
                per_iteration, rank_caps[r - 1].allowed, label=f"r = {r} of {top_rank}, "
            ),
        )
        RESULTS.put(key, value)
        return value

    curve = run_cached(
        ("images-curve", image_key, color, top_rank, solver, init, int(iters), seed_value),
        f"Error against rank with {solver.upper()}",
        sum(c.allowed_seconds for c in rank_caps[:top_rank]),
        lambda progress: im.error_vs_rank(
            image,
            top_rank,
            color=color,
            svds=svds,
            nmf_error=lambda r: curve_error(progress, r),
        ),
    )
    show_figure(
        shared_figure(
            curve,
            ("error against rank", rank),
            lambda: figs.error_rank_figure(
                curve.ranks, curve.nmf, curve.svd, current_rank=rank if rank <= top_rank else None
            ),
        ),
        "Relative error against rank: the NMF curve (solid) never dips below the SVD curve "
        "(dashed), the best any rank-r approximation can do."
        + (" The dotted line marks the rank chosen above." if rank <= top_rank else ""),
        key="fig_curve",
    )
else:
    st.caption("Switch the chart on to run one NMF per rank r = 1…R.")

# ---- downloads
st.header("Downloads")
channel_suffix = f"_{CHANNEL_NAMES[channel]}" if result.channels > 1 else ""
prefix = f"{image_name.rsplit('.', 1)[0]}_r{rank}{channel_suffix}"
st.caption(
    "H and W as CSV and NPY"
    + (f" for channel {CHANNEL_NAMES[channel]}" if result.channels > 1 else "")
    + "; the reconstructions as PNG."
)
# Deferred: the files are written for the visitor who clicks, not on every run of every visitor.
download_matrices({"H": H, "W": W}, prefix=prefix, deferred=True)
png_cols = st.columns(2)
png_cols[0].download_button(
    "NMF reconstruction HW (PNG)",
    lambda: im.image_to_png(result.nmf_image),
    file_name=f"{prefix}_nmf.png",
    mime="image/png",
    on_click="ignore",
    key="dl_nmf_png",
)
png_cols[1].download_button(
    "SVD reconstruction (PNG)",
    lambda: im.image_to_png(result.svd_image),
    file_name=f"{prefix}_svd.png",
    mime="image/png",
    on_click="ignore",
    key="dl_svd_png",
)

# ---- parts: the swimmer
st.header("Parts: the swimmer")
st.markdown(
    "NMF's best-known promise is that it learns *parts*. To check the promise we need data whose "
    "parts are known. The **swimmer** (after Donoho & Stodden, 2003) is a stick figure with four "
    "limbs, each in one of four positions: all 4⁴ = 256 combinations, each a "
    f"{sw.SWIMMER_SHAPE[0]}×{sw.SWIMMER_SHAPE[1]} picture flattened into one row of X "
    "(256×1024). Its 16 true parts are the 16 limb positions, so we factor at "
    f"r = {sw.SWIMMER_RANK}. The ordinary rank of X is only 13 (each image has exactly one "
    "position per limb, which ties the weights together), but 13 signed directions cannot be "
    "16 nonnegative parts."
)
explain(
    "The classic set also draws a torso in every image. Pixels that are on in every image can "
    "be shared out among the limb parts at no cost to the fit: with the torso, rank 17 fits "
    "exactly, but so do factorisations where a limb row carries a piece of the torso, and our "
    "runs do land on some of those. We leave the torso out, so the 16 limbs are the whole "
    f"truth. NMF here is HALS from {sw.SWIMMER_RESTARTS} random starts, "
    f"{sw.SWIMMER_NMF['max_iter']} iterations each, keeping the lowest loss (an SVD-based "
    "start such as NNDSVDa stalls with limb positions merged)."
)
recovery = swimmer_recovery(seed_value)
# The counts, the figure and the table answer the question: they wait for an answer.
if checkpoint(sw.parts_checkpoint(recovery)):
    show_recovery(recovery)
st.subheader("When do parts appear?")
st.markdown(
    "NMF is not unique in general (the Point clouds page shows many equally good "
    "factorisations), so parts are not guaranteed. They appear when the data pin the "
    "factorisation down: when the data are **separable** (every part has some pixels that "
    "only it covers, so each part shows up somewhere on its own) or, more loosely, "
    "**sufficiently scattered** (the data fill the cone of the parts well enough that no other "
    "nonnegative cone fits), and when the true parts and weights are **sparse**. The swimmer "
    "is separable: each limb position has pixels no other part touches. The torso breaks that "
    "(it is in every image, never alone), which is why it would smear into the limbs. Faces, "
    "below, are the honest case: no pixel belongs to one part only, the parts come out "
    "only partly localised, and the sparseness table measures how far."
)

# ---- faces
st.header("Faces: parts against eigenfaces")
face_matrix = faces()
st.markdown(
    f"The {face_matrix.shape[0]} faces of scikit-image's LFW subset, each "
    f"{FACE_SHAPE[0]}×{FACE_SHAPE[1]} pixels flattened into one row of X "
    f"({face_matrix.shape[0]}×{face_matrix.shape[1]}). NMF's rows of W are nonnegative, so a "
    "face can only be built by *adding* them: at moderate ranks (the default r = 16 among "
    "them) they come out as localised parts, sparser than the eigenfaces. PCA's "
    "eigenfaces are signed and holistic: a face is the mean face plus and minus whole-face "
    "patterns."
)
face_cols = st.columns(2)
face_rank = url_widget(
    face_cols[0].slider,
    "Rank r for the faces",
    2,
    49,
    DEFAULT_FACE_RANK,
    key="img_frank",
    bind="query-params",
)
face_index = url_widget(
    face_cols[1].number_input,
    "Face i",
    0,
    face_matrix.shape[0] - 1,
    0,
    step=1,
    key="img_face",
    bind="query-params",
)
comparison = faces_comparison(int(face_rank), solver, init, seed_value)
columns = figs.square_columns(int(face_rank))


def draw_parts():
    """NMF's parts and the eigenfaces, a figure each (a phone stacks them)."""
    panels = (
        (
            "NMF parts: rows of W",
            figs.mosaic(comparison.W, FACE_SHAPE, columns=columns, normalize="max"),
            "sequential",
        ),
        (
            "PCA eigenfaces",
            figs.mosaic(comparison.pca.components, FACE_SHAPE, columns=columns, normalize="absmax"),
            "diverging",
        ),
    )
    return tuple(figs.face_mosaic_figure([panel], height=460) for panel in panels)


show_figure_row(
    shared_figure(comparison, "parts", draw_parts),
    "First: NMF parts (≥ 0, each scaled to its own maximum), ordered by how much of the faces "
    "they carry. Then the eigenfaces (blue < 0 < red, each scaled to its own largest "
    "magnitude). The sparseness table below puts numbers on the difference.",
    keys=("fig_parts", "fig_parts_pca"),
)

i = int(face_index)
face, nmf_face, pca_face = comparison.rebuilt_face(i)
nmf_face_error, pca_face_error = comparison.face_errors(i)
top = min(6, int(face_rank))
_, nmf_parts = im.face_parts(comparison.H[i], comparison.W, top)
_, pca_parts = im.face_parts(comparison.pca.scores[i], comparison.pca.components, top)
st.latex(
    # Two lines: on one, 486 pixels, it was wider than a phone (358).
    r"\begin{gathered} X_i \approx \sum_j H_{ij}\,W_j \quad\text{(NMF)} \\ X_i \approx \bar{x} + "
    r"\sum_j s_{ij}\,V_j \quad\text{(PCA)} \end{gathered}"
)


def draw_face():
    """One face rebuilt both ways, its NMF terms and its PCA terms, a figure each."""
    panels = (
        (
            "Face<br>NMF, PCA",
            figs.mosaic(np.vstack([face, nmf_face, pca_face]), FACE_SHAPE, columns=3),
            "gray",
        ),
        (
            f"{top} NMF terms<br>H_ij W_j",
            figs.mosaic(nmf_parts, FACE_SHAPE, columns=3),
            "sequential",
        ),
        (
            f"{top} PCA terms<br>s_ij V_j",
            figs.mosaic(pca_parts, FACE_SHAPE, columns=3),
            "diverging",
        ),
    )
    return tuple(figs.face_mosaic_figure([panel], height=300) for panel in panels)


show_figure_row(
    shared_figure(comparison, ("face", i), draw_face),
    f"Face {i} rebuilt both ways (relative errors NMF {nmf_face_error:.1%}, PCA "
    f"{pca_face_error:.1%}), then its {top} strongest terms of each. NMF's terms are pieces "
    "that add up; PCA's terms add and cancel on top of the mean face.",
    keys=("fig_face", "fig_face_nmf", "fig_face_pca"),
)
show_figure_row(
    shared_figure(
        comparison,
        ("coefficients", i),
        lambda: figs.face_coefficients_figures(comparison.H[i], comparison.pca.scores[i]),
    ),
    f"The coefficients of face {i}: its row H_i is nonnegative (how much of each part); the "
    "PCA scores have both signs.",
    keys=("fig_coeffs", "fig_coeffs_pca"),
)

st.subheader("How sparse is each basis vector?")
explain(
    "Hoyer's sparseness of a vector v with m entries is "
    "$(\\sqrt{m} - \\lVert v\\rVert_1/\\lVert v\\rVert_2)/(\\sqrt{m} - 1)$: 0 when all entries "
    "are equal, 1 when one entry carries everything. A localised part scores high."
)
nmf_mean, pca_mean = comparison.mean_sparseness
verdict = "sparser" if nmf_mean > pca_mean else "not sparser"
st.markdown(
    f"Mean Hoyer sparseness at r = {int(face_rank)}: NMF parts **{nmf_mean:.3f}**, eigenfaces "
    f"**{pca_mean:.3f}**: here the parts are {verdict} on average."
)
st.dataframe(
    comparison.sparseness_table(),
    hide_index=True,
    height=min(36 * (int(face_rank) + 1), 400),
)
download_matrices({"H": comparison.H, "W": comparison.W}, prefix=f"faces_r{int(face_rank)}")
