"""Stains: unmix a real immunohistochemistry slide; NMF's stain colours against the reference."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._shared import (
    download_matrices,
    explain,
    seed,
    shared_figure,
    shared_result,
    shared_value,
    show_figure,
)
from app_pages._url_state import url_widget
from nmf_lab.checkpoints import Checkpoint
from nmf_lab.figures.stains import (
    MAP_QUANTILE,
    chromaticity_figure,
    concentration_maps_figure,
    slide_figure,
    swatches_figure,
)
from nmf_lab.lessons.stains import (
    DEFAULT_RANK,
    DEFAULT_SAMPLE,
    MAX_RANK,
    MIN_TISSUE_OD,
    SAMPLE_SIZES,
    STAINS,
    StainUnmixing,
    absorbs_checkpoint,
    chromaticity,
    eosin_absence,
    load_slide,
    optical_density,
    pair_checkpoint,
    rank_three_checkpoint,
    reference_concentrations,
    reference_stains,
    stain_agreement,
    stain_pair,
    triangle_sample,
    unmix_stains,
)


@shared_result(max_entries=1)
def cached_slide() -> dict[str, np.ndarray]:
    """What does not depend on any control, computed once for every visitor."""
    image = load_slide()
    od = optical_density(image)
    picked = triangle_sample(od.shape[0] * od.shape[1])
    return {
        "image": image,
        "od": od,
        "reference_maps": reference_concentrations(image),
        "triangle_od": od.reshape(-1, 3)[picked],
        "triangle_rgb": image.reshape(-1, 3)[picked],
    }


@shared_result(max_entries=24, show_spinner="Unmixing the stains…")
def cached_unmix(rank: int, sample_size: int, run_seed: int) -> StainUnmixing:
    slide = cached_slide()
    return unmix_stains(
        slide["image"],
        rank,
        sample_size=sample_size,
        seed=run_seed,
        reference_maps=slide["reference_maps"],
    )


@shared_result(max_entries=24)
def cached_checkpoints(sample_size: int, run_seed: int) -> tuple[Checkpoint, ...]:
    """The page's checkpoints, answered from the unmixings at r = 2 and 3 of this sample."""
    at_two = cached_unmix(2, sample_size, run_seed)
    at_three = cached_unmix(3, sample_size, run_seed)
    return (
        pair_checkpoint(at_two),
        absorbs_checkpoint(at_two),
        rank_three_checkpoint(at_two, at_three),
    )


slide = cached_slide()
reference = reference_stains()

st.title("Stains: unmix a real slide")
st.markdown(
    "A real immunohistochemistry slide (scikit-image's `data.immunohistochemistry`): nuclei "
    "stained blue by **haematoxylin**, an antibody made visible in brown by **DAB**. Each pixel "
    "is a row of $X$ (its three colour channels in optical density), so the rows of $W$ are "
    "stain colours and the columns of $H$ say how much of each stain every pixel holds."
)
st.latex(r"\mathrm{OD} = -\log_{10}\!\left(\frac{I}{I_0}\right),\qquad X \approx H W")
explain(
    "Why optical density: light through a stain layer is absorbed exponentially "
    "(Beer–Lambert), so two stains in one pixel *multiply* the light it lets through, and "
    "taking $-\\log$ turns that product into a sum. In OD a pixel is therefore a nonnegative "
    "mix of the stains' OD colours — exactly $x_i \\approx \\sum_j H_{ij} w_j$ with "
    "$H \\ge 0$, $W \\ge 0$. $I_0 = 255$ is the light with no tissue in the way; intensities "
    "are clipped to $[1, 255]$ so that a black pixel does not give an infinite OD. The "
    "reference answer is the stain matrix of Ruifrok & Johnston (2001), which scikit-image's "
    "`skimage.color.rgb2hed` uses; its rows are haematoxylin, eosin and DAB."
)

# ---- controls -------------------------------------------------------------------------------
left, right = st.columns(2)
rank = url_widget(
    left.slider,
    "Stains to learn r",
    1,
    MAX_RANK,
    DEFAULT_RANK,
    key="stains_rank",
    bind="query-params",
    help="Rows of W. A pixel has three channels, so r = 3 can already fit every pixel exactly.",
)
sample_size = url_widget(
    right.select_slider,
    "Pixels W is learned on",
    options=list(SAMPLE_SIZES),
    value=DEFAULT_SAMPLE,
    key="stains_sample",
    bind="query-params",
    help="A random sample of tissue pixels (the seed in the sidebar draws it); H is then "
    "computed for all 262,144 pixels with W fixed.",
)
result = cached_unmix(rank, sample_size, seed())
r = result.rank
pair_question, absorbs_question, rank_three_question = cached_checkpoints(sample_size, seed())

explain(
    f"W is learned from {result.sample_size:,} randomly drawn tissue pixels (OD length above "
    f"{MIN_TISSUE_OD}: the glass background carries no stain, only noise), with HALS from an "
    "NNDSVDa start. Then $H$ is computed for every pixel of the slide by nonnegative least "
    "squares with $W$ fixed: $\\min_{H \\ge 0} \\lVert X - HW \\rVert_F^2$, one small problem "
    "per pixel. The rows of $W$ are scaled to length 1 (the scale moves into $H$)."
)

# ---- the slide and its pixels ---------------------------------------------------------------
left, right = st.columns([2, 3])
with left:
    show_figure(
        shared_figure(slide["image"], "slide", lambda: slide_figure(slide["image"], height=380)),
        "The slide (512×512 pixels): blue nuclei (haematoxylin), brown membranes (DAB), white "
        "glass. There is no pink: this slide was not stained with eosin.",
        key="stains_fig_slide",
    )
# Each checkpoint holds back the figures below it that answer it.
with right:
    if checkpoint(pair_question):
        built = {
            1: "The learned row w1 of W (circle) is the one colour NMF can build at r = 1: "
            "every pixel is drawn at that point, however much of it it holds",
            2: "The learned rows w1, w2 of W (circles) and the dotted segment between them "
            "hold every mix NMF can build at r = 2; pixels off the segment are its error",
            3: "The learned rows w1, w2, w3 of W (circles) and the dotted triangle between "
            "them hold every mix NMF can build at r = 3; with an error of "
            f"{result.relative_error:.2%} (almost) every pixel is inside",
        }[r]
        show_figure(
            shared_figure(
                result,
                "triangle",
                lambda: chromaticity_figure(
                    slide["triangle_od"], slide["triangle_rgb"], result, reference
                ),
            ),
            "Each dot is a pixel, placed by its shares of red, green and blue OD and drawn in "
            f"its own colour; a stain is one point here. {built}. Crosses: the reference "
            "stains.",
            key="stains_fig_triangle",
        )

# ---- stain colours --------------------------------------------------------------------------
st.subheader(f"The {r} learned stain colour{'s' if r > 1 else ''}")
if checkpoint(absorbs_question):
    show_figure(
        shared_figure(result, "swatches", lambda: swatches_figure(result, reference)),
        f"Left: the colour a pixel shows when it holds 0.8 OD of each of the {r} learned rows "
        "of W; right: the same amount of the matched reference stain, with the angle between "
        "the two OD vectors. Similar colours, small angle.",
        key="stains_fig_swatches",
    )
    st.table(
        {
            f"row {index + 1} of W": {
                "matched stain": STAINS[stain],
                "OD colour (R, G, B)": ", ".join(f"{value:.2f}" for value in result.W[index]),
                "reference (R, G, B)": ", ".join(f"{value:.2f}" for value in reference[stain]),
                "angle": f"{result.angles[index]:.1f}°",
                "map correlation with rgb2hed": f"{result.map_correlations[index]:.2f}",
            }
            for index, stain in enumerate(result.matched)
        }
    )
    st.markdown(
        f"At r = {r} the rows of W match **{stain_pair(result)}**; the relative error "
        f"$\\lVert X - HW\\rVert_F / \\lVert X\\rVert_F$ over all pixels is "
        f"**{result.relative_error:.2%}**."
    )
    if r >= 2:
        agreement = shared_value(result, "agreement", lambda: stain_agreement(result))
        (near, near_angle), (far, far_angle) = agreement.closest, agreement.furthest
        (best, best_r), (worst, worst_r) = agreement.best_map, agreement.worst_map
        far_row = result.names.index(far)
        far_shares = chromaticity(result.W)[far_row]
        reference_shares = chromaticity(reference)[result.matched[far_row]]
        st.markdown(
            f"Closest to its reference: the **{near}** row, **{near_angle:.1f}°** apart. Furthest: "
            f"the **{far}** row, **{far_angle:.1f}°** apart (of its OD, "
            f"{far_shares[0]:.0%} red, {far_shares[1]:.0%} green, {far_shares[2]:.0%} blue, "
            f"against the reference's {reference_shares[0]:.0%}, {reference_shares[1]:.0%}, "
            f"{reference_shares[2]:.0%}). NMF's **{best}** map follows `rgb2hed`'s closely "
            f"(correlation **{best_r:.2f}**), its **{worst}** map less (**{worst_r:.2f}**): where "
            "the stains overlap, the two methods share the OD out differently."
        )
explain(
    "The reference vectors were measured by Ruifrok & Johnston on their own slides, scanner "
    "and staining protocol; every lab's stains come out a little different, which is why "
    "methods that estimate the stain colours from each slide exist (NMF is one of them). An "
    "angle of a few degrees is a close match; the learned rows also move by several degrees "
    "with the sample of pixels (change the seed), because at r = 2 many pairs of directions "
    "fit the pixels almost equally well: the same non-uniqueness as on the Point clouds page."
)
checkpoint(rank_three_question)
if r == 3:
    eosin_row = result.names.index("eosin")
    st.warning(
        f"At r = 3 NMF fits every pixel (error {result.relative_error:.2%}), but the row "
        f"matched to eosin is **{result.angles[eosin_row]:.1f}°** from eosin and its map does "
        f"not follow `rgb2hed`'s (correlation {result.map_correlations[eosin_row]:.2f}). With "
        "three channels, any three rows whose cone holds every pixel fit exactly: the third row "
        "is one of many, not a stain."
    )
absence = shared_value(
    slide["reference_maps"], "eosin absence", lambda: eosin_absence(slide["reference_maps"])
)
st.markdown(
    f"No eosin here: `rgb2hed`'s eosin map is zero on **{absence.zero_share:.2%}** of the "
    f"pixels and never above **{absence.largest:.4f}** (its DAB map reaches "
    f"{absence.dab_largest:.2f})."
)

# ---- concentration maps ---------------------------------------------------------------------
st.subheader("Concentration maps: the columns of H")
show_figure(
    shared_figure(
        result, "maps", lambda: concentration_maps_figure(result, slide["reference_maps"])
    ),
    f"Top: each column of H as a picture (NMF, row by row of W); bottom: `rgb2hed`'s map of "
    f"the matched stain. Each row of maps has its own colour bar (NMF's are OD along a unit "
    f"row of W, rgb2hed's its own scale), topped at its {MAP_QUANTILE:.1%} quantile.",
    key="stains_fig_maps",
)

# ---- downloads ------------------------------------------------------------------------------
with st.expander("Download the factors"):
    st.markdown(
        f"W is {r}×3 (unit rows, R, G, B optical density); H is "
        f"{result.H.shape[0]:,}×{r}, one row per pixel in reading order "
        f"({result.image_shape[0]}×{result.image_shape[1]})."
    )
    download_matrices({"H": result.H, "W": result.W}, prefix="stains", deferred=True)
