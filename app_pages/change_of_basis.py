"""Change of basis: a point's coordinates in another basis, X = H W as coordinates times basis,
rank-one layers, and the spherical-harmonics aside."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._shared import (
    download_matrices,
    explain,
    last_good,
    seed,
    shared_figure,
    shared_result,
    show_figure,
)
from app_pages._url_state import url_widget
from nmf_lab.checkpoints import Checkpoint
from nmf_lab.figures.change_of_basis import (
    cloud_bases_figure,
    error_curve_figure,
    layers_figure,
    matrix_latex,
    point_in_bases_figure,
    spectrum_figure,
    sphere_figure,
)
from nmf_lab.figures.home import product_figure
from nmf_lab.lessons.change_of_basis import harmonics as sh
from nmf_lab.lessons.change_of_basis.basis import (
    CloudFit,
    coordinates_in_basis,
    distance_from_identity,
    fit_planted_cloud,
    layers_gap,
    rank_one_layers,
    rebuild_gap,
)
from nmf_lab.lessons.change_of_basis.checkpoints import rank_up_checkpoint, scaled_row_checkpoint

# Default basis rows: the top-left 2×2 block is the same in 2-D and 3-D, so switching the
# dimension keeps what the user typed there.
DEFAULT_BASIS = np.array([[1.0, 0.25, 0.0], [0.5, 1.0, 0.0], [0.0, 0.3, 1.0]])
DEFAULT_POINT = (2.0, 1.5, 1.0)
# Many points: a cloud planted from 2 directions fitted with r = 1. At r = k the identity
# (H = X) is always an exact fit and a noisy cloud makes NMF return it, so both plots would
# agree and the error would read 0 %; one ray cannot hold a 2-direction cloud, so the
# learned basis and the error both say something.
DEFAULT_PLANTED_RANK, DEFAULT_CLOUD_RANK = 2, 1
MAX_L = 12  # largest l_max on the slider
MAX_PURE_L = 8  # largest degree offered for a pure harmonic
# Session-state slot for the last coefficients that parsed (not a widget key), and the terms
# shown before any did.
TERMS_STATE = "cob_last_good_terms"
FALLBACK_TERMS = ((0, 0, 1.0),)
DISPLAY_THETA, DISPLAY_PHI = 41, 81  # sphere drawing resolution (φ includes 2π: closed seam)


@shared_result(max_entries=32)
def fit_cloud(
    n_points: int, dim: int, planted_rank: int, rank: int, noise: float, random_seed: int
) -> CloudFit:
    """A nonnegative cloud built from ``planted_rank`` directions, and its NMF at ``rank``."""
    return fit_planted_cloud(n_points, dim, planted_rank, rank, noise, random_seed)


@st.cache_data(max_entries=32)
def scaled_row_question(
    point: tuple[float, ...], rows: tuple[tuple[float, ...], ...]
) -> Checkpoint:
    """The doubled-row checkpoint for the point and basis on screen (cached per setting)."""
    return scaled_row_checkpoint(np.array(point), np.array(rows))


@st.cache_data(max_entries=32)
def rank_up_question(
    n_points: int, dim: int, planted_rank: int, noise: float, random_seed: int
) -> Checkpoint:
    """The rank-up checkpoint for the cloud on screen (cached per setting)."""
    return rank_up_checkpoint(n_points, dim, planted_rank, noise, random_seed)


@shared_result(max_entries=32)
def harmonic_analysis(
    preset: str, degree: int, order: int, terms: tuple[tuple[int, int, float], ...], l_max: int
) -> sh.HarmonicAnalysis:
    """Coefficients up to ``l_max``, the error curve, and the two spheres to draw."""
    return sh.analyse_function(
        preset,
        l_max=l_max,
        curve_l_max=MAX_L,
        degree=degree,
        order=order,
        terms={(l, m): value for l, m, value in terms},  # noqa: E741
        display_theta=DISPLAY_THETA,
        display_phi=DISPLAY_PHI,
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def point_figure(
    point: tuple[float, ...],
    basis: tuple[tuple[float, ...], ...] | None,
    coordinates: tuple[float, ...] | None,
):
    """The point in the identity basis and in the chosen one (drawn once per setting)."""
    return point_in_bases_figure(
        np.array(point),
        None if basis is None else np.array(basis),
        None if coordinates is None else np.array(coordinates),
    )


st.title("Change of basis")
st.markdown(
    "Coordinates are only meaningful together with a basis. NMF *learns* a basis — the rows of "
    "$W$ — and the coordinates of every data point in it — the rows of $H$."
)

# ------------------------------------------------------------------ one point, two bases
st.header("One point, two bases")
dim = url_widget(
    st.radio,
    "Dimension",
    options=[2, 3],
    index=0,
    horizontal=True,
    key="cob_dim",
    bind="query-params",
    format_func=lambda d: f"{d}-D",
)
point_column, basis_column = st.columns([1, 2])
with point_column:
    st.markdown("**Point P** (identity coordinates)")
    P = np.array(
        [
            url_widget(
                st.slider,
                f"P{i + 1}",
                min_value=-3.0,
                max_value=3.0,
                value=DEFAULT_POINT[i],
                step=0.1,
                key=f"cob_p{i + 1}",
                bind="query-params",
            )
            for i in range(dim)
        ]
    )
with basis_column:
    st.markdown("**Your basis**: one basis vector per row")
    basis = np.zeros((dim, dim))
    for i in range(dim):
        cells = st.columns(dim)
        for j in range(dim):
            basis[i, j] = url_widget(
                cells[j].number_input,
                f"b{i + 1}[{j + 1}]",
                min_value=-5.0,
                max_value=5.0,
                value=float(DEFAULT_BASIS[i, j]),
                step=0.1,
                format="%.2f",
                key=f"cob_b{i + 1}{j + 1}",
                bind="query-params",
            )
    st.caption("Make one row a multiple of another to see what a singular basis does.")

try:
    coordinates = coordinates_in_basis(P, basis)
except ValueError as problem:
    coordinates = None
    st.error(f"No coordinates in this basis. {problem}")

identity_column, chosen_column = st.columns(2)
with identity_column:
    st.markdown("**Identity basis**: the coordinates are the entries of P")
    st.latex(rf"P = {matrix_latex(P)}\,{matrix_latex(np.eye(dim), digits=0)}")
with chosen_column:
    if coordinates is not None:
        st.markdown("**Your basis**: the coordinates c solve c B = P")
        st.latex(rf"P = {matrix_latex(coordinates)}\,{matrix_latex(basis)}")
        residual = rebuild_gap(P, coordinates, basis)
        st.caption(f"Check: c B reproduces P to within {residual:.1e} (max absolute difference).")
    else:
        st.markdown("**Your basis**: singular — P has no unique coordinates in it.")

show_figure(
    point_figure(
        tuple(P),
        None if coordinates is None else tuple(map(tuple, basis)),
        None if coordinates is None else tuple(coordinates),
    ),
    "Two routes to the same point: grey dashes walk along the axes, coloured arrows walk "
    "c₁·b₁ then c₂·b₂ tip to tail. Thin arrows from the origin are the basis rows.",
    key="cob_point",
)
checkpoint(scaled_row_question(tuple(P), tuple(map(tuple, basis))))
explain(
    "In the identity basis a point's coordinates are simply its entries: "
    "$P = P_1 e_1 + P_2 e_2$, or in matrices $P = (P_1, P_2)\\,I$. Any other set of "
    "linearly independent rows $b_1, \\dots, b_k$ works just as well; the coordinates change "
    "to the unique $c$ with $P = c_1 b_1 + \\dots + c_k b_k = c\\,B$. If a row is a "
    "combination of the others, the rows span a smaller space: points outside it have no "
    "coordinates, points inside it have infinitely many."
)

# ------------------------------------------------------------------ many points
st.header("Many points at once: X = H W")
explain(
    "Stack $n$ points as the rows of $X$ and their coordinates as the rows of $H$: the "
    "one-point identity $P = c\\,B$ becomes $X = H\\,W$, with the basis rows in $W$. NMF "
    "asks for both factors at once, all entries nonnegative, with only $r$ basis rows — "
    "usually fewer than the dimension, so the equality becomes an approximation."
)
controls, cloud = st.columns([1, 3])
with controls:
    st.markdown("**The data**")
    n_points = url_widget(
        st.slider,
        "Points n",
        min_value=5,
        max_value=60,
        value=24,
        step=1,
        key="cob_n",
        bind="query-params",
    )
    planted_choice = url_widget(
        st.slider,
        "Planted directions",
        min_value=1,
        max_value=3,
        value=DEFAULT_PLANTED_RANK,
        key="cob_planted",
        bind="query-params",
        help="The cloud is a nonnegative mix of this many random nonnegative directions. "
        "Changing the rank r below refits the same points; it never redraws them.",
    )
    noise = url_widget(
        st.slider,
        "Noise",
        min_value=0.0,
        max_value=0.3,
        value=0.05,
        step=0.05,
        key="cob_noise",
        bind="query-params",
    )
    st.markdown("**The factorisation**")
    rank = url_widget(
        st.slider,
        "Rank r (rows of W)",
        min_value=1,
        max_value=3,
        value=DEFAULT_CLOUD_RANK,
        key="cob_rank",
        bind="query-params",
        help="How many basis rows NMF may learn for these points.",
    )
    planted_rank = min(planted_choice, dim)
    if rank > dim or planted_choice > dim:
        # More basis rows than dimensions is legal NMF but hides the point of this section.
        st.info(f"In {dim}-D at most {dim} directions (planted or learned) are used here.")
        rank = min(rank, dim)
cloud_fit = fit_cloud(n_points, dim, planted_rank, rank, noise, seed())
X, H, W, cloud_error = cloud_fit.X, cloud_fit.H, cloud_fit.W, cloud_fit.relative_error
off_identity = distance_from_identity(W)
with controls:
    st.metric("Relative error ‖X − HW‖_F / ‖X‖_F", f"{cloud_error:.2%}")
    st.caption(
        f"Unit rows of W are **{off_identity:.2f}** from the nearest rows of the identity "
        "(0 = the axes themselves; two perpendicular directions are 1.41 apart)."
    )
if rank == 1:
    learned_view = (
        "with r = 1 there is a single learned row, and each open circle (the reconstruction "
        "H_i W) lies on its ray; the gap to the point is the error."
    )
elif dim == 2:
    learned_view = (
        "the shaded cone they span holds every nonnegative combination, so every "
        "reconstruction (open circle) lies inside it."
    )
else:
    learned_view = (
        "every reconstruction (open circle) is a nonnegative combination of them, so it "
        "lies in the cone they span."
    )
with cloud:
    show_figure(
        shared_figure(cloud_fit, "cloud in two bases", lambda: cloud_bases_figure(X, W, HW=H @ W)),
        "The same points twice. Left: described by the axes. Right: described by the learned "
        f"rows of W (drawn at the cloud's scale); {learned_view}",
        key="cob_cloud",
    )
    checkpoint(rank_up_question(n_points, dim, planted_rank, noise, seed()))
if rank == dim:
    explain(
        f"Here r = k = {dim}: the identity basis $W = I$ with $H = X$ already fits *any* "
        "nonnegative cloud exactly, so an error near 0 % says nothing about the data"
        + (
            " — and NMF returned exactly that basis here (the two plots show the same axes)."
            if off_identity < 1e-6
            else "; the rows NMF chose are one of many exact answers."
        )
        + " Lower r to make the basis learn something."
    )
show_figure(
    shared_figure(
        cloud_fit,
        "X = HW",
        lambda: product_figure(X, H, W, height=max(360, 10 * n_points + 130), colorbars=True),
    ),
    "Row i of X is the point; row i of H holds its coordinates in the basis rows of W. "
    "Each matrix has its own colour bar below it, from 0 to its largest entry.",
    key="cob_product",
)
download_matrices({"X": X, "H": H, "W": W}, prefix="change_of_basis")

# ------------------------------------------------------------------ rank-one layers
st.header("The other view: a sum of rank-one layers")
layers = rank_one_layers(H, W)
layer_gap = layers_gap(layers, H, W)
show_figure(
    shared_figure(cloud_fit, "rank-one layers", lambda: layers_figure(layers)),
    "Column i of H times row i of W gives one layer; "
    + (
        "with r = 1 the single layer is HW itself "
        if rank == 1
        else f"the {rank} layers add up to HW "
    )
    + f"(largest difference {layer_gap:.1e}). One colour scale for all panels.",
    key="cob_layers",
)
explain(
    "Reading $HW$ by columns of $H$ instead of rows gives "
    "$HW = H_{:,1} W_{1,:} + \\dots + H_{:,r} W_{r,:}$: $r$ matrices of rank one, each the "
    "contribution of one basis row to every point at once. With nonnegative factors every "
    "layer is nonnegative, so the layers can only add — nothing cancels."
)

# ------------------------------------------------------------------ spherical harmonics
st.header("Aside: a basis fixed in advance, with signs")
st.markdown(
    "Functions on a sphere have coordinates too: in the basis of spherical harmonics "
    "$Y_l^m$, $f = \\sum_{l,m} f_l^m\\,Y_l^m$. Unlike the rows of $W$, this basis is "
    "**fixed in advance** (the same for every function, not learned from the data) and it has "
    "**signs**: a function is built by adding *and subtracting* harmonics, so its coordinates "
    "$f_l^m$ are signed (blue < 0 < red below). NMF gives up that freedom to learn a basis "
    "that only adds."
)
with st.expander("The long version: the spherical-harmonics basis, and how it is computed"):
    st.markdown(
        "The real spherical harmonics $Y_l^m$ (degree $l \\ge 0$, order $-l \\le m \\le l$) "
        "are an orthonormal basis for functions on the sphere, so "
        "$f(\\theta, \\varphi) = \\sum_{l}\\sum_{m=-l}^{l} f_l^m\\, Y_l^m(\\theta, \\varphi)$, "
        "with coordinates $f_l^m = \\int f\\, Y_l^m \\,d\\Omega$: because the basis is "
        "orthonormal, each coordinate is one integral, where a general basis needs the solve "
        "$cB = P$ above. Keeping degrees up to $l_{max}$ keeps $(l_{max}+1)^2$ coordinates, "
        "the smoothest basis functions first, so truncating is like a small rank: fewer "
        "coordinates, a smoother copy of $f$. The harmonics are chosen once for all "
        "functions (like the Fourier basis for signals); NMF instead fits its basis to the "
        "data, and can keep it nonnegative because it does. Integrals are computed with "
        "Gauss–Legendre nodes in $\\cos\\theta$ times evenly spaced $\\varphi$, "
        "exact for these harmonics."
    )
sh_controls, sh_spheres = st.columns([1, 3])
with sh_controls:
    preset = url_widget(
        st.selectbox,
        "Function f",
        options=list(sh.PRESETS),
        index=0,
        key="cob_sh_f",
        bind="query-params",
    )
    l_max = url_widget(
        st.slider,
        "Keep degrees up to l_max",
        min_value=0,
        max_value=MAX_L,
        value=4,
        key="cob_lmax",
        bind="query-params",
    )
    degree, order, terms = 2, 1, ()
    if preset == "Pure Y_l^m":
        degree = url_widget(
            st.slider,
            "Degree l",
            min_value=0,
            max_value=MAX_PURE_L,
            value=2,
            key="cob_sh_l",
            bind="query-params",
        )
        order = url_widget(
            st.number_input,
            "Order m (−l ≤ m ≤ l)",
            min_value=-MAX_PURE_L,
            max_value=MAX_PURE_L,
            value=1,
            step=1,
            key="cob_sh_m",
            bind="query-params",
        )
    elif preset == "Your coefficients":
        text = url_widget(
            st.text_input,
            "Terms 'l m value', separated by ';'",
            value="0 0 0.5; 2 1 1.0; 3 -2 -0.7",
            key="cob_sh_terms",
            bind="query-params",
            max_chars=300,
        )
        good = last_good(
            TERMS_STATE,
            text,
            lambda raw: sh.terms_as_tuple(sh.parse_terms(raw, max_degree=MAX_L)),
            message="{error}",
            kept_caption="Showing the last terms that could be read.",
        )
        terms = FALLBACK_TERMS if good is None else good.value

harmonic_problem = None
if preset == "Pure Y_l^m" and abs(order) > degree:
    harmonic_problem = (
        f"Order m = {order} does not exist for degree l = {degree}: "
        f"choose m between −{degree} and {degree}."
    )
if harmonic_problem:
    with sh_controls:
        st.error(harmonic_problem)
else:
    analysis = harmonic_analysis(preset, int(degree), int(order), terms, l_max)
    coefficients, errors = analysis.coefficients, analysis.errors
    with sh_controls:
        st.metric(f"Relative L² error at l_max = {l_max}", f"{analysis.error_at_l_max:.2%}")
        st.caption(f"{coefficients.size} coefficients kept.")
    with sh_spheres:
        show_figure(
            shared_figure(
                analysis,
                "spheres",
                lambda: sphere_figure(
                    analysis.theta,
                    analysis.phi,
                    [analysis.original, analysis.rebuilt],
                    ["f", f"rebuilt from degrees ≤ {l_max}"],
                ),
            ),
            "Left: the function on the sphere. Right: what the kept coefficients rebuild; "
            "drag to rotate. Both share one colour scale.",
            key="cob_spheres",
        )
    spectrum_column, error_column = st.columns(2)
    with spectrum_column:
        show_figure(
            shared_figure(analysis, "spectrum", lambda: spectrum_figure(coefficients)),
            "The coordinates f_l^m: one cell per basis function, degree l down, order m "
            "across. A pure Y_l^m lights up exactly one cell.",
            key="cob_spectrum",
        )
    with error_column:
        show_figure(
            shared_figure(analysis, "error curve", lambda: error_curve_figure(errors, l_max)),
            "Error of the truncated expansion against l_max: smooth functions need few "
            "degrees; the sharp-edged cap keeps ringing.",
            key="cob_sh_error",
        )
