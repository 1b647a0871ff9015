"""Home: what NMF does in one picture, the learning path, and the notation card."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._shared import (
    download_matrices,
    explain,
    seed,
    shared_figure,
    shared_result,
    show_figure,
)
from app_pages._url_state import url_widget
from nmf_lab.checkpoints import Checkpoint
from nmf_lab.figures.home import RESIDUAL_FLOOR, product_figure, residual_figure
from nmf_lab.learning_path import LEARNING_PATH
from nmf_lab.lessons.home import (
    MAX_RANK,
    PLANTED_RANK,
    Example,
    factor_example,
    noise_checkpoint,
    rank_drop_checkpoint,
)

ASSETS = Path(__file__).resolve().parents[1] / "assets"


@shared_result(max_entries=32)
def example(rank: int, noise: float, random_seed: int) -> Example:
    """The planted example and its NMF at ``rank`` (cached per setting)."""
    return factor_example(rank, noise, random_seed)


@st.cache_data(max_entries=32)
def checkpoints(noise: float, random_seed: int) -> tuple[Checkpoint, Checkpoint]:
    """The page's two checkpoints for the data on screen (cached per setting)."""
    return rank_drop_checkpoint(noise, random_seed), noise_checkpoint(random_seed)


st.title("NMF Lab")
st.markdown(
    "**Nonnegative Matrix Factorization** writes a table of nonnegative numbers as a product "
    "of two smaller nonnegative tables: every row of $X$ becomes a nonnegative mix of a few "
    "basis rows."
)

st.header("NMF in one picture")
controls, picture = st.columns([1, 3])
with controls:
    rank = url_widget(
        st.slider,
        "Rank r",
        min_value=1,
        max_value=MAX_RANK,
        value=PLANTED_RANK,
        key="home_rank",
        bind="query-params",
        help=f"The example was built with rank {PLANTED_RANK}; try fewer or more.",
    )
    noise = url_widget(
        st.slider,
        "Noise",
        min_value=0.0,
        max_value=0.5,
        value=0.0,
        step=0.05,
        key="home_noise",
        bind="query-params",
        help="Gaussian noise added to X (relative to its mean), clipped at 0.",
    )
shown = example(rank, noise, seed())
X, H, W, error = shown.X, shown.H, shown.W, shown.relative_error
with controls:
    st.metric("Relative error ‖X − HW‖_F / ‖X‖_F", f"{error:.2%}")
    st.caption(
        f"X is {X.shape[0]}×{X.shape[1]}, H is {H.shape[0]}×{H.shape[1]}, "
        f"W is {W.shape[0]}×{W.shape[1]}; every entry ≥ 0."
    )
with picture:
    show_figure(
        shared_figure(shown, "product", lambda: product_figure(X, H, W)),
        "Each row of X (a data point) is a nonnegative mix of the rows of W, with weights in "
        "the matching row of H. Hover for the numbers.",
        key="home_product",
    )
    show_figure(
        shared_figure(shown, "residual", lambda: residual_figure(X, H @ W)),
        "X, its reconstruction HW and what is left, X − HW. X and HW share the left colour bar, "
        "so equal colours are equal numbers. The residual has signs — red where HW is too "
        "small, blue where it is too large — on its own bar, at least "
        f"±{RESIDUAL_FLOOR:.0%} of the largest entry of X (wider when the error is larger), "
        "so rounding stays white; read the size off the bar. At "
        f"r = {PLANTED_RANK} without noise the residual panel is blank; lower r and the error "
        "appears in it.",
        key="home_residual",
    )
    download_matrices({"X": X, "H": H, "W": W}, prefix="home")
explain(
    "Read the picture row by row: row *i* of $X$ is approximately "
    "$H_{i1} W_{1,:} + \\dots + H_{ir} W_{r,:}$. Nothing is subtracted, so each basis row "
    "tends to become a recognisable *part* of the data. With $r$ equal to the rank the "
    "example was built with and no noise, the fit is essentially exact; a smaller $r$ "
    "forces a compromise, and noise can never be fitted exactly."
)
for column, question in zip(st.columns(2), checkpoints(noise, seed()), strict=True):
    with column:
        checkpoint(question)

st.header("The learning path")
for path_step in LEARNING_PATH[1:]:
    link_column, text_column = st.columns([1, 3])
    with link_column:
        st.page_link(path_step.page_file)
    with text_column:
        st.markdown(path_step.summary)

st.header("Notation card")
st.latex(
    r"X \approx H\,W, \qquad X \in \mathbb{R}_{\ge 0}^{n\times k},\;"
    r"H \in \mathbb{R}_{\ge 0}^{n\times r},\; W \in \mathbb{R}_{\ge 0}^{r\times k}"
)
st.latex(r"\min_{H \ge 0,\; W \ge 0}\; \lVert X - HW \rVert_F^2 = \sum_{i,j} (X - HW)_{ij}^2")
st.markdown((ASSETS / "notation_card.md").read_text(encoding="utf-8"))
explain(
    "Why rows? A data point is a row of $X$ here, as in scikit-learn and in most data "
    "tables. Lee & Seung and Gillis store points as columns, so their matrices are the "
    "transposes of ours and the letters $W$ and $H$ swap roles."
)
