"""NMF vs SVD vs PCA: the same data, the same rank, three columns that line up."""

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
    show_figure,
    upload_types,
)
from app_pages._url_state import url_widget
from nmf_lab.checkpoints import Checkpoint
from nmf_lab.demo_data import FACE_SHAPE, SAMPLE_IMAGES, comparison_matrix
from nmf_lab.figures.nmf_vs_svd_pca import (
    basis_figure,
    coefficients_figure,
    data_figure,
    error_curve_figure,
    reconstruction_figure,
    restarts_figure,
    seed_bases_figure,
)
from nmf_lab.lessons.nmf_vs_svd_pca import (
    METHODS,
    Comparison,
    compare,
    matched_order,
    measure_table,
    seeds_checkpoint,
    svd_gap_checkpoint,
)
from nmf_lab.lessons.swimmer import SWIMMER_RANK, SWIMMER_SHAPE, part_recovery, swimmer_parts
from nmf_lab.uploads import comparison_matrix_from_csv

# Option labels are what the URL stores (?cmp_data=Faces), so they are short words.
SOURCES = {
    "Toy cloud": "cloud",
    "Image": "image",
    "Faces": "faces",
    "Swimmer": "swimmer",
    "CSV upload": "csv",
}
SOURCE_NOTES = {
    "cloud": "60 points in 12-D from a planted rank-3 NMF plus noise (5 % of the mean entry); "
    "the seed draws it.",
    "image": "A scikit-image sample at 64×64 grey levels; each image row is a data point.",
    "faces": "100 faces of 25×25 pixels (LFW subset); each face is a data point.",
    "swimmer": "The 256 swimmers of 32×32 pixels (four limbs, four positions each; see the "
    "Images page); each swimmer is a data point. Set r = 16 to match its 16 limb parts.",
    "csv": "Your matrix: nonnegative numbers, one data point per row.",
}
CSV_STATE = "nvs_last_good_csv"
UPLOAD_TYPES = ("csv", "txt")
MAX_RANK = 16
CURVE_MAX_RANK = 8


@shared_result(max_entries=16)
def cached_demo(name: str, data_seed: int, image: str) -> np.ndarray:
    return comparison_matrix(name, seed=data_seed, image=image)


@shared_result(max_entries=16, show_spinner="Fitting NMF, SVD and PCA…")
def cached_compare(
    data_key: str, _X: np.ndarray, rank: int, run_seed: int, n_restarts: int
) -> Comparison:
    # `_X` is not hashed (Streamlit samples big arrays); `data_key` names the data exactly.
    return compare(_X, rank, seed=run_seed, n_restarts=n_restarts, max_rank=CURVE_MAX_RANK)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_checkpoints(
    data_key: str, rank: int, run_seed: int, n_restarts: int, _result: Comparison
) -> tuple[Checkpoint, Checkpoint]:
    """The page's two checkpoints for the comparison on screen (the arguments name it)."""
    return svd_gap_checkpoint(_result.curves), seeds_checkpoint(_result.restarts["NMF"])


st.title("NMF vs SVD vs PCA")
st.markdown(
    "Three ways to approximate every data point (a row of $X$) by a combination of $r$ basis "
    "vectors (the rows of $W$), PCA after adding the mean: the same data, the same $r$, side "
    "by side."
)

SUMMARY = {
    "NMF": (
        r"$\min \lVert X - HW\rVert_F^2$ over $H \ge 0,\ W \ge 0$",
        "nonnegative factors (parts that only add up); a local optimum at best, which "
        "depends on the start",
    ),
    "SVD": (
        r"$\min \lVert X - Y\rVert_F^2$ over all $Y$ of rank $\le r$",
        "the smallest error of any rank-$r$ matrix (Eckart–Young); orthonormal basis; "
        r"unique subspace when $\sigma_r > \sigma_{r+1}$",
    ),
    "PCA": (
        r"the same for $X - \mathbf{1}\bar{x}$ (columns minus their means), then "
        r"$\bar{x}$ added back",
        "the best fit by any $r$-dimensional flat (it passes through the mean); "
        r"orthonormal axes; unique when the centred $\sigma_r > \sigma_{r+1}$",
    ),
}
st.markdown(
    "| | optimises | guarantees |\n|---|---|---|\n"
    + "\n".join(
        f"| **{method}** | {goal} | {promise} |" for method, (goal, promise) in SUMMARY.items()
    )
)

# ---- controls -------------------------------------------------------------------------------
left, middle, right = st.columns([2, 1, 1])
source = SOURCES[
    url_widget(left.selectbox, "Data", list(SOURCES), key="cmp_data", bind="query-params")
]
left.caption(SOURCE_NOTES[source])
rank = url_widget(
    middle.slider,
    "Rank r",
    1,
    MAX_RANK,
    3,
    key="cmp_rank",
    bind="query-params",
    help="Number of basis vectors for every method.",
)
n_runs = url_widget(
    right.slider,
    "Runs (seeds)",
    2,
    8,
    4,
    key="cmp_runs",
    bind="query-params",
    help="Each method is restarted from this many seeds to test uniqueness.",
)
image_name = "camera"
if source == "image":
    image_name = url_widget(
        left.selectbox, "Image", SAMPLE_IMAGES, key="cmp_image", bind="query-params"
    )

if source == "csv":
    upload = st.file_uploader(
        "CSV of nonnegative numbers, one data point per row (a header line is allowed)",
        type=upload_types(UPLOAD_TYPES),
        key="cmp_upload",
    )
    last = last_good(
        CSV_STATE,
        None if upload is None else upload.getvalue(),
        checked_upload(comparison_matrix_from_csv, upload, UPLOAD_TYPES),
        name="" if upload is None else upload.name,
    )
    if last is None:
        st.info("No CSV yet: showing the toy cloud until a file is uploaded.")
        X, data_key, shown_as = cached_demo("cloud", seed(), "camera"), f"cloud:{seed()}", "cloud"
    else:
        X, data_key, shown_as = last.value, f"csv:{last.digest}", "csv"
        st.caption(f"Using **{last.name}** ({X.shape[0]}×{X.shape[1]}).")
else:
    X = cached_demo(source, seed() if source == "cloud" else 0, image_name)
    data_key = {
        "cloud": f"cloud:{seed()}",
        "image": f"image:{image_name}",
        "faces": "faces",
        "swimmer": "swimmer",
    }[source]
    shown_as = source

image_shape = {"faces": FACE_SHAPE, "swimmer": SWIMMER_SHAPE}.get(shown_as)
as_image = shown_as == "image"
result = cached_compare(data_key, X, rank, seed(), n_runs)
r = result.rank
if r < rank:
    st.info(f"The data is {X.shape[0]}×{X.shape[1]}, so the rank is capped at r = {r}.")

with st.expander(f"The data X ({X.shape[0]}×{X.shape[1]})", expanded=False):
    show_figure(
        shared_figure(
            X,
            ("data", image_shape, as_image),
            lambda: data_figure(X, image_shape=image_shape, as_image=as_image),
        ),
        "The data every method sees"
        + {"faces": ": the first 8 faces.", "swimmer": ": the first 8 swimmers."}.get(
            shown_as, "."
        ),
        key="cmp_fig_data",
    )

gap_question, seeds_question = cached_checkpoints(data_key, r, seed(), n_runs, result)
checkpoint(gap_question)

# ---- the three columns ----------------------------------------------------------------------
st.subheader(f"Side by side at r = {r}")
# Two lines each: a third of a 1024-pixel page is 177 pixels, one line needed up to 273.
headers = {
    "NMF": r"\begin{gathered} X \approx HW \\ H, W \ge 0 \end{gathered}",
    "SVD": r"\begin{gathered} X \approx U\Sigma V^\top \\ H = U\Sigma,\ W = V^\top \end{gathered}",
    "PCA": r"\begin{gathered} X \approx \mathbf{1}\bar{x} + HW \\ H = \text{scores} \end{gathered}",
}
for column, method in zip(st.columns(3), METHODS, strict=True):
    column.markdown(f"**{method}**")
    column.latex(headers[method])

explain(
    "Basis rows are scaled to length 1 so the three panels share one colour scale (for NMF "
    "the scale moves into $H$, which leaves $HW$ unchanged). NMF components are listed by "
    "weight $\\lVert h_j\\rVert$, like singular values."
)
show_figure(
    shared_figure(
        result, ("basis", image_shape), lambda: basis_figure(result.fits, image_shape=image_shape)
    ),
    "Basis W (one row per basis vector, or one picture per vector). NMF's is nonnegative by "
    "construction and drawn on the sequential scale (upper colour bar); SVD's and PCA's have "
    "signs and share the diverging scale (lower bar): red positive, blue negative.",
    key="cmp_fig_basis",
)
if shown_as == "swimmer":
    if r < SWIMMER_RANK:
        st.info(
            f"The swimmer has {SWIMMER_RANK} true limb parts; at r = {r} there are fewer basis "
            f"rows than parts. Set r = {SWIMMER_RANK} to see whether each method finds them."
        )
    else:
        matches = {
            method: part_recovery(swimmer_parts(), result.fits[method].basis) for method in METHODS
        }
        st.markdown(
            "**Matched to the 16 true parts** (|cos| of each part with its matched basis row, "
            "an optimal one-to-one matching): "
            + "; ".join(
                f"{method} worst **{match.worst:.3f}**, median **{match.median:.3f}**"
                for method, match in matches.items()
            )
            + ". NMF here is one run from one random start (this page's settings); the Images "
            "page keeps the best of several."
        )
if checkpoint(seeds_question):
    nmf_runs = result.restarts["NMF"]
    first, second = nmf_runs.bases[0], nmf_runs.bases[1]
    seed_1, seed_2 = (int(s) for s in nmf_runs.seeds[:2])
    show_figure(
        shared_figure(
            result,
            ("two seeds", image_shape),
            lambda: seed_bases_figure(
                first,
                second[matched_order(first, second)],
                labels=(f"NMF, seed {seed_1}", f"NMF, seed {seed_2}"),
                image_shape=image_shape,
            ),
        ),
        f"NMF's rows of W from seed {seed_1} (left) and seed {seed_2} (right), the right ones "
        f"reordered to match the left; one sequential scale. Matched rows differ by up to "
        f"{nmf_runs.basis_angles[1]:.1f}°.",
        key="cmp_fig_seeds",
    )
show_figure(
    shared_figure(result, "coefficients", lambda: coefficients_figure(result.fits)),
    "Coefficients H (one row per point): NMF only adds parts (H ≥ 0, sequential scale, upper "
    "colour bar); SVD and PCA may also subtract them (diverging scale, lower bar).",
    key="cmp_fig_coefficients",
)
show_figure(
    shared_figure(
        result,
        ("reconstruction", image_shape, as_image),
        lambda: reconstruction_figure(result.fits, X, image_shape=image_shape, as_image=as_image),
    ),
    "Reconstructions on the data's scale (0 to max X); negative values, possible for "
    "SVD and PCA only, show as the darkest colour and are counted below.",
    key="cmp_fig_reconstruction",
)

table = measure_table(result)
# One column per method, one row per measure (a dict of dicts: columns, then row labels).
st.table({method: {measure: row[method] for measure, row in table.items()} for method in METHODS})
explain(
    r"Hoyer sparseness of a vector $v$ of length $m$ is "
    r"$(\sqrt{m} - \lVert v\rVert_1/\lVert v\rVert_2)/(\sqrt{m} - 1)$: 0 when all entries are "
    r"equal in size, 1 when only one is nonzero. Rows show the mean over the rows of $W$ and "
    r"over the columns of $H$."
)

# ---- signs and uniqueness -------------------------------------------------------------------
st.subheader("Signs")
explain(
    "Two nonnegative vectors are orthogonal only if they are never nonzero at the same "
    "place, and SVD and PCA insist on orthogonal basis vectors. When the first SVD basis "
    "vector is positive everywhere, as on the toy cloud, the images and the faces, every "
    "later one is "
    "orthogonal to it and must therefore have entries of both signs; the coefficients then "
    "cancel each other to rebuild the data. At $r = 1$ the SVD of a nonnegative matrix can "
    "always be chosen nonnegative (Perron–Frobenius), so the difference starts at $r = 2$."
)

first_svd_minimum = result.first_svd_minimum
st.markdown(
    "Here the first SVD basis vector is "
    + (
        "**positive everywhere**."
        if first_svd_minimum > 0
        else f"**not positive everywhere** (smallest entry {first_svd_minimum:.3g}), so the "
        "argument above does not apply; the table shows the signs as they are."
    )
)

st.subheader("Uniqueness: the same method from several seeds")
spread = result.restarts
nmf_angle = spread["NMF"].largest_basis_angle
svd_angle = spread["SVD"].largest_subspace_angle
st.markdown(
    f"Over {n_runs} runs, NMF's matched basis vectors differ by up to **{nmf_angle:.1f}°** "
    f"and its relative error by **{100 * spread['NMF'].error_spread:.1e} percentage points**. "
    "SVD, "
    + (
        "found by an iterative solver (ARPACK) from a random start each time"
        if r < min(X.shape)
        else "at full rank r = min(n, k) computed directly (its span is the whole row space)"
    )
    + f", spans subspaces at most **{svd_angle:.1e}°** apart."
)
explain(
    "The SVD subspace of rank $r$ is unique exactly when $\\sigma_r > \\sigma_{r+1}$; its "
    "vectors are then unique up to sign (and up to rotation inside groups of equal singular "
    "values). Here the gap $(\\sigma_r - \\sigma_{r+1})/\\sigma_1$ is "
    f"**{result.svd_gap:.3g}** for SVD and **{result.pca_gap:.3g}** for PCA (centred data)"
    + (
        " — zero, so SVD may legitimately return different subspaces."
        if not result.has_singular_gap
        else "."
    )
    + " NMF has no such guarantee: besides rescaling and reordering, other nonnegative pairs "
    "$(H, W)$ can fit equally well, and a local solver can also stop at different local "
    "optima."
)
show_figure(
    shared_figure(result, "restarts", lambda: restarts_figure(spread)),
    "Left: each run's relative error. Right: the largest angle between a run's basis "
    "vectors and run 1's after matching them up (up to sign for SVD and PCA). With a "
    "singular-value gap SVD and PCA stay at 0°; NMF need not.",
    key="cmp_fig_restarts",
)

# ---- error against rank ---------------------------------------------------------------------
st.subheader("Error against rank")
curves = result.curves
errors_at_r = curves.at_rank(r)
show_figure(
    shared_figure(result, "error curve", lambda: error_curve_figure(curves, rank=r)),
    "SVD is the floor for every rank-r fit: the NMF curve never goes below it. PCA "
    "sits between SVD at rank r and SVD at rank r + 1 (dotted).",
    key="cmp_fig_curve",
)
st.markdown(
    "**A fair comparison.** PCA adds the mean back, so its reconstruction "
    "$\\mathbf{1}\\bar{x} + HW$ has rank up to $r + 1$: it is not held to rank $r$, and its error "
    "can be below rank-$r$ SVD's. In fact it never exceeds it (a flat through the origin is one "
    "of the flats PCA chooses from) and never beats rank-$(r+1)$ SVD. At $r = "
    f"{r}$ here: SVD at $r + 1$ = {errors_at_r['svd_next']:.2%} ≤ PCA = "
    f"{errors_at_r['pca']:.2%} ≤ SVD = {errors_at_r['svd']:.2%} ≤ NMF = {errors_at_r['nmf']:.2%}."
)
explain(
    "All errors are measured the same way, on the original uncentred $X$: "
    "$\\lVert X - \\hat{X}\\rVert_F / \\lVert X\\rVert_F$. Dividing by the centred "
    "$\\lVert X - \\mathbf{1}\\bar{x}\\rVert_F$ instead (the usual unexplained-variance "
    "measure of PCA) gives a number at least as large for the same fit, because "
    "$\\lVert X - \\mathbf{1}\\bar{x}\\rVert_F \\le \\lVert X\\rVert_F$."
)

# ---- downloads ------------------------------------------------------------------------------
with st.expander("Download the factors"):
    for method in METHODS:
        fit = result.fits[method]
        st.markdown(
            f"**{method}** (H is n×r, W is r×k" + (", mean is 1×k)" if method == "PCA" else ")")
        )
        matrices = {"H": fit.coefficients, "W": fit.basis}
        if method == "PCA":
            matrices["mean"] = fit.offset[None, :]
        download_matrices(matrices, prefix=method.lower())
