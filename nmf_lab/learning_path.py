"""The learning path: the pages in the order a learner walks them, what each one teaches, why
the next one follows.

The app shows it around every page (``app.py``): at the top, the step and what the learner will
be able to explain after the page; at the end, the next page and why it comes next, and the way
back. Home lists the whole path. No Streamlit here: the order and the sentences are tested.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PathStep:
    """One page of the learning path.

    Attributes
    ----------
    page_file : str
        The page script, as ``app.py`` registers it (``"app_pages/images.py"``).
    summary : str
        What the page covers, in a line (Home's list of the path).
    goal : str
        What the learner can explain after the page; completes "After this page you can ...".
    why_next : str
        Why the next page follows this one (empty for the last page).
    checkpoints : tuple of str
        The keys of the page's checkpoints (:mod:`nmf_lab.checkpoints`), in page order; the
        sidebar counts the answered ones, and a test checks that the page draws exactly these.
    """

    page_file: str
    summary: str
    goal: str
    why_next: str
    checkpoints: tuple[str, ...] = ()


LEARNING_PATH: tuple[PathStep, ...] = (
    PathStep(
        "app_pages/home.py",
        "what NMF does in one picture, and the notation.",
        "say what X ≈ HW means entry by entry, and what lowering the rank r costs",
        "NMF is a change of basis: first see what coordinates in another basis are.",
        ("home_rank_drop", "home_noise"),
    ),
    PathStep(
        "app_pages/change_of_basis.py",
        "coordinates of a point in another basis; `X = H W` as coordinates times basis; "
        "rank-one layers; spherical harmonics.",
        "explain why the rows of H are coordinates in the basis of W's rows, and how HW is a sum "
        "of r rank-one layers",
        "with nonnegative coordinates the basis spans a cone: see it around real point clouds.",
        ("cob_scaled_row", "cob_rank_up"),
    ),
    PathStep(
        "app_pages/point_clouds.py",
        "the cone spanned by the rows of `W`, many equally good answers, separable data and SPA.",
        "explain which points NMF can rebuild (those inside the cone of W), why many cones fit "
        "equally well, and when separable data pin one down",
        "the same geometry in thousands of dimensions: factor pictures and look for parts.",
        ("pc_rank_one", "pc_restarts"),
    ),
    PathStep(
        "app_pages/images.py",
        "factor a picture or faces at a rank you choose; the swimmer's parts; NMF vs SVD.",
        "explain what a rank-r NMF of a picture stores, why its error is above the SVD's, and "
        "when NMF's rows of W are parts",
        "so far the solver was a black box: watch how it gets there, step by step.",
        ("img_rank_one", "img_swimmer_parts"),
    ),
    PathStep(
        "app_pages/watching_it_learn.py",
        "the loss falling iteration by iteration; MU, HALS, ANLS and ALS from the same start.",
        "explain how the four solvers lower ‖X − HW‖²_F, why the start matters, and why one "
        "solver can win per iteration and another per second",
        "NMF is one of three ways to compress data: put it beside SVD and PCA on the same data.",
        ("learn_start", "learn_als_rise"),
    ),
    PathStep(
        "app_pages/nmf_vs_svd_pca.py",
        "the same data three ways: components, signs, errors.",
        "explain what nonnegativity buys (additive, readable parts) and what it costs (error "
        "above the SVD's floor, no unique answer)",
        "every run so far needed a rank r: learn how to pick it, and what penalties change.",
        ("cmp_svd_gap", "cmp_seeds"),
    ),
    PathStep(
        "app_pages/choosing_r.py",
        "picking the rank, L1/L2 penalties, and what it costs.",
        "choose a rank from the error curve and from stability over restarts, say what L1 and "
        "L2 penalties do to W and H, and estimate what a run will cost",
        "now see NMF earn its living on data with a known answer: first, the notes of a piece "
        "of music.",
        ("cr_elbow", "cr_penalty_zeros"),
    ),
    PathStep(
        "app_pages/sounds.py",
        "the notes of a synthesised piece from its spectrogram; listen to each component.",
        "explain why the rows of W of a spectrogram are note spectra and the columns of H "
        "their activations, what a too-small or too-large rank does to the notes, and why "
        "the KL divergence suits audio",
        "from sound to light: the same X ≈ HW unmixes the stains of a real slide.",
        ("sounds_loss", "sounds_too_few", "sounds_too_many"),
    ),
    PathStep(
        "app_pages/stains.py",
        "unmix the stains of a real slide in optical density; compare with Ruifrok–Johnston.",
        "explain why stains mix linearly in optical density, read the rows of W as stain "
        "colours and the columns of H as stain maps, and say how close NMF comes to the "
        "reference stains and where it does not",
        "from three colour channels to thousands of words: the same X ≈ HW finds topics.",
        ("stains_pair", "stains_absorbs", "stains_rank_three"),
    ),
    PathStep(
        "app_pages/texts.py",
        "topics of scipy's and numpy's docstrings; purity and NMI against the submodules; LSA.",
        "read NMF's rows of W as topics and its rows of H as documents' mixes, score topics "
        "against known labels with purity and NMI, and say why LSA's signed components are "
        "harder to read",
        "",
        ("texts_one_each", "texts_purity_rank", "texts_lsa_signs"),
    ),
)


def step_index(page_file: str) -> int:
    """Position (0-based) of ``page_file`` on the path; ``ValueError`` if it is not on it."""
    for index, step in enumerate(LEARNING_PATH):
        if step.page_file == page_file:
            return index
    raise ValueError(f"{page_file!r} is not on the learning path")


def neighbours(page_file: str) -> tuple[PathStep | None, PathStep | None]:
    """The steps before and after ``page_file`` (``None`` at either end)."""
    index = step_index(page_file)
    before = LEARNING_PATH[index - 1] if index > 0 else None
    after = LEARNING_PATH[index + 1] if index + 1 < len(LEARNING_PATH) else None
    return before, after


def goal_sentence(page_file: str) -> str:
    """The line at the top of a page: its step and what the learner will be able to explain."""
    index = step_index(page_file)
    step = LEARNING_PATH[index]
    return (
        f"Step {index + 1} of {len(LEARNING_PATH)} on the learning path. "
        f"After this page you can {step.goal}."
    )
