"""Watching it learn: one solver animated frame by frame, then MU, HALS, ANLS and ALS race.

Widgets -> ``nmf_lab.lessons.watching_it_learn`` (runs, frames, race) ->
``nmf_lab.figures.watching_it_learn``.
"""

from __future__ import annotations

import time

import plotly.graph_objects as go
import streamlit as st

from app_pages._checkpoint import checkpoint
from app_pages._progress import run_cached
from app_pages._shared import download_matrices, explain, seed, show_figure
from app_pages._url_state import url_widget
from nmf_lab.checkpoints import Checkpoint
from nmf_lab.demo_data import LEARNING_IMAGE_SIDE, LearningData, learning_data
from nmf_lab.figures.watching_it_learn import (
    SOLVER_LABELS,
    factor_frame_figure,
    frame_caption,
    loss_frame_figure,
    race_figure,
)
from nmf_lab.lessons import run_cost
from nmf_lab.lessons import watching_it_learn as fr
from nmf_lab.playback import Playback

# Bound selectboxes write the *label* into the URL, so labels stay short.
DATA_LABELS = {"faces": "Faces", "cloud3": "Cloud 3-D", "cloud2": "Cloud 2-D", "image": "Camera"}
INIT_LABELS = {"random": "Random", "nndsvda": "NNDSVDa"}
SCALES = ("linear", "log")
DEFAULT_RANK = 6
MAX_RANK = 10
DEFAULT_ITERS = 100
DEFAULT_RACE_ITERS = 100
# ANLS solves its subproblems exactly and costs far more per iteration than the other three.
# Measured on the 2-core machine (faces, rank 6): the default 100 iterations take 0.25-0.7 s
# for all four solvers together, 300 iterations about 1.5 s.
MAX_RACE_ITERS = 300
FRAME_MS = {"slow": 250, "normal": 120, "fast": 50}
# Keys of a presenter's clicker drive the animation. PageUp/PageDown are left to the lecture
# plan (previous/next demo).
PLAY_KEY, PREVIOUS_KEY, NEXT_KEY, FIRST_KEY, LAST_KEY = "Space", "Left", "Right", "Home", "End"
PLAYBACK = "learn_playback"  # session state: (the run's settings, its Playback, a counter)
FRAME_SLIDER = "learn_frame"  # the slider's key stem; a position in a run, so not in the URL


# ---------------------------------------------------------------- cached computations ------


@st.cache_data(max_entries=8, show_spinner=False)
def cached_data(key: str, seed_value: int) -> LearningData:
    return learning_data(key, seed=seed_value)


def cached_recording(
    key: str, seed_value: int, rank: int, init: str, solver: str, iters: int
) -> fr.Recording:
    """One solver's run with its frames, with a progress bar the first time (kept after)."""
    X = cached_data(key, seed_value).X
    per_iteration = run_cost.seconds_per_iteration(solver, *X.shape, rank)
    return run_cached(
        ("watching_it_learn-run", key, seed_value, rank, init, solver, iters),
        f"Running {solver.upper()} at r = {rank}",
        iters * per_iteration,
        lambda progress: fr.record_run(
            X,
            rank,
            start=fr.initialize_start(X, rank, init=init, seed=seed_value),
            solver=solver,
            max_iter=iters,
            callback=progress.nmf_callback(per_iteration, iters),
        ),
    )


def cached_race(key: str, seed_value: int, rank: int, init: str, iters: int) -> fr.Race:
    """The four solvers from one start, with a progress bar the first time (kept after)."""
    X = cached_data(key, seed_value).X
    # One plan step per iteration of any solver: the solvers' costs differ, so this is an
    # average; the bar's estimate corrects itself from the measured speed.
    per_iteration = sum(run_cost.seconds_per_iteration(s, *X.shape, rank) for s in fr.SOLVERS)
    per_iteration /= len(fr.SOLVERS)
    return run_cached(
        ("watching_it_learn-race", key, seed_value, rank, init, iters),
        "Racing MU, HALS, ANLS and ALS",
        len(fr.SOLVERS) * iters * per_iteration,
        lambda progress: fr.race(
            X,
            rank,
            start=fr.initialize_start(X, rank, init=init, seed=seed_value),
            max_iter=iters,
            callback=progress.nmf_callback(
                per_iteration, iters, stages=tuple(s.upper() for s in fr.SOLVERS)
            ),
        ),
    )


@st.cache_data(max_entries=32, show_spinner=False)
def start_question(key: str, seed_value: int, rank: int) -> Checkpoint:
    """The start checkpoint for the data on screen (cached per setting)."""
    X = cached_data(key, seed_value).X
    return fr.start_checkpoint(fr.start_comparison(X, rank, seed=seed_value), rank)


@st.cache_data(max_entries=32, show_spinner=False)
def als_question(
    key: str, seed_value: int, rank: int, init: str, iters: int, _als_losses
) -> Checkpoint:
    """The ALS checkpoint for the settings on screen (the key names the run exactly)."""
    return fr.als_rise_checkpoint(_als_losses)


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_race_figure(
    key: str, seed_value: int, rank: int, init: str, iters: int, log_scale: bool
) -> go.Figure:
    return race_figure(cached_race(key, seed_value, rank, init, iters), log_scale=log_scale)


# ---------------------------------------------------------------- page ---------------------

st.title("Watching it learn")
st.markdown(
    "A solver starts from a guess $(H_0, W_0)$ and improves it step by step. Here you watch one "
    "solver do that, frame by frame, and then let four of them race from the same start. "
    r"Notation as everywhere: $X \approx HW$, one data point per row of $X$, one basis "
    r"vector per row of $W$, loss $\lVert X - HW \rVert_F^2$."
)

seed_value = seed()
top = st.columns([2, 1, 1])
data_key = url_widget(
    top[0].selectbox,
    "Data",
    list(DATA_LABELS),
    format_func=DATA_LABELS.get,
    key="learn_data",
    bind="query-params",
    help="Faces: 100 LFW faces of 25×25 pixels, one face per row. "
    "Toy clouds: 100 nonnegative points drawn from the seed. Camera: "
    f"scikit-image's camera shrunk to {LEARNING_IMAGE_SIDE}×{LEARNING_IMAGE_SIDE}, "
    "one image row per row of X.",
)
rank_input = url_widget(
    top[1].number_input,
    "Rank r",
    min_value=1,
    max_value=MAX_RANK,
    value=DEFAULT_RANK,
    step=1,
    key="learn_rank",
    bind="query-params",
    help="Number of basis vectors (rows of W).",
)
init = url_widget(
    top[2].selectbox,
    "Start (H₀, W₀)",
    list(INIT_LABELS),
    format_func=INIT_LABELS.get,
    key="learn_init",
    bind="query-params",
    help=fr.INIT_HELP,
)

try:
    data = cached_data(data_key, seed_value)
except (ValueError, OSError) as error:  # e.g. the faces failed to load
    st.error(f"Could not load the data: {error}")
    st.stop()

n, k = data.X.shape
rank = int(rank_input)
if data.kind == "cloud" and rank > k:
    st.info(
        f"This cloud lives in {k}-D, so the rank is capped at {k}: {k} rays (the axes, "
        "for instance) already span a cone that holds every nonnegative point."
    )
    rank = k

checkpoint(start_question(data_key, seed_value, rank))

# ---------------------------------------------------------------- 1. one solver ------------

st.header("One solver, frame by frame")
controls = st.columns([1, 2, 1, 1])
solver = url_widget(
    controls[0].selectbox,
    "Solver",
    list(SOLVER_LABELS),
    format_func=SOLVER_LABELS.get,
    key="learn_solver",
    bind="query-params",
)
iters = url_widget(
    controls[1].slider,
    "Iterations",
    min_value=10,
    max_value=fr.MAX_ITER,
    value=DEFAULT_ITERS,
    step=10,
    key="learn_iters",
    bind="query-params",
)
scale = url_widget(
    controls[2].radio,
    "Loss axis",
    SCALES,
    index=SCALES.index("log"),
    horizontal=True,
    key="learn_scale",
    bind="query-params",
    help="The loss often falls by decades: a log axis shows the late iterations too.",
)
speed = url_widget(
    controls[3].select_slider,
    "Speed",
    list(FRAME_MS),
    value="normal",
    key="learn_speed",
    bind="query-params",
    help="Time per frame when playing.",
)

try:
    recording = cached_recording(data_key, seed_value, rank, init, solver, int(iters))
    als_recording = cached_recording(data_key, seed_value, rank, init, "als", int(iters))
except ValueError as error:
    st.error(str(error))
    st.stop()

checkpoint(als_question(data_key, seed_value, rank, init, int(iters), als_recording.result.losses))

result = recording.result


# ------------------------------------------------------------ the animation player -------
# The server plays the run: the view of the frames is a fragment rerun on a timer while
# playing, so every control is a Streamlit widget a keyboard reaches (Tab, Enter/Space) and a
# presenter's clicker drives (Space, arrows, Home/End). The controls sit in a fragment of
# their own: pressing one reruns only the player, which declares the ticking view while
# playing and the still one when paused; Streamlit stops the timer of a view that is gone.


def _playback() -> Playback:
    return st.session_state[PLAYBACK][1]


def _set_playback(playback: Playback, *, moved_by_slider: bool = False) -> None:
    run, old, generation = st.session_state[PLAYBACK]
    # Every frame change the slider did not make gives the slider a new key, drawn at the new
    # frame. A slider whose value the server overwrote would, on a busy browser, still report
    # its old value with the next request, which Streamlit takes for a move (the frame would
    # jump back); a slider under a new key has no old value to report.
    renew = playback.frame != old.frame and not moved_by_slider
    st.session_state[PLAYBACK] = (run, playback, generation + renew)


def _on_slider(key: str, iterations: list[int]) -> None:
    frame = iterations.index(st.session_state[key])
    _set_playback(_playback().seek(frame, time.monotonic()), moved_by_slider=True)


def _draw_frame(rec: fr.Recording, run_data: LearningData, log_scale: bool) -> None:
    _, playback, generation = st.session_state[PLAYBACK]
    iterations = [int(i) for i in rec.iterations]
    key = f"{FRAME_SLIDER}_{generation}"
    st.select_slider(
        "Iteration shown",
        options=iterations,
        value=iterations[playback.frame],
        key=key,
        on_change=_on_slider,
        args=(key, iterations),
        help=f"Frames of the run. Keys: {PLAY_KEY} plays or pauses, ← and → step, Home and "
        "End jump to the start and the end.",
    )
    st.markdown(f"**{frame_caption(rec, playback.frame)}**")
    loss_column, factor_column = st.columns(2)
    with loss_column:
        show_figure(
            loss_frame_figure(rec, playback.frame, log_scale=log_scale),
            "The loss so far: the curve is drawn up to the frame shown, one point per "
            "iteration; the axes hold the whole run.",
            key="learning_loss",
        )
    with factor_column:
        show_figure(
            factor_frame_figure(rec, run_data, playback.frame),
            {
                "cloud": "The rays along the rows of W turn while the blue reconstructions HW "
                "move onto the grey data points (drag to rotate a 3-D cloud).",
                "faces": "Each row of W, shown as a 25×25 image scaled to its own maximum, "
                "changes from its start into a face-like part.",
                "image": "The reconstruction HW sharpens.",
            }[run_data.kind],
            key="learning_factors",
        )


def _still_view(rec: fr.Recording, run_data: LearningData, log_scale: bool) -> None:
    _draw_frame(rec, run_data, log_scale)


def _playing_view(rec: fr.Recording, run_data: LearningData, log_scale: bool) -> None:
    playback = _playback()
    advanced = playback.advance(time.monotonic())
    _set_playback(advanced)
    if playback.playing and not advanced.playing:
        # This tick reached the last frame: a full rerun draws the still view, which stops
        # this view's timer. (Paused by a key, the player reruns itself and does the same.)
        st.rerun()
    _draw_frame(rec, run_data, log_scale)


def _play_or_pause(action: str) -> None:
    # The action the button showed, not a toggle: a press that arrives twice pauses once.
    _set_playback(_playback().apply(action, time.monotonic()))


def _step(by: int) -> None:
    _set_playback(_playback().step(by))


def _go_to(frame: int) -> None:
    _set_playback(_playback().go_to(frame))


@st.fragment
def animation_player(
    rec: fr.Recording, run_data: LearningData, log_scale: bool, seconds_per_frame: float
) -> None:
    """Buttons (each with its key), the frame slider and the two figures of the frame."""
    playback = _playback()
    label, icon = {
        "play": ("Play", ":material/play_arrow:"),
        "pause": ("Pause", ":material/pause:"),
        "resume": ("Resume", ":material/play_arrow:"),
    }[playback.action]
    with st.container(horizontal=True):
        st.button(
            "Start",
            icon=":material/skip_previous:",
            key="learn_first",
            shortcut=FIRST_KEY,
            on_click=_go_to,
            args=(0,),
        )
        st.button(
            "Back",
            icon=":material/chevron_left:",
            key="learn_previous",
            shortcut=PREVIOUS_KEY,
            on_click=_step,
            args=(-1,),
        )
        st.button(
            label,
            icon=icon,
            key="learn_play",
            shortcut=PLAY_KEY,
            on_click=_play_or_pause,
            args=(playback.action,),
            type="primary",
        )
        st.button(
            "Next",
            icon=":material/chevron_right:",
            icon_position="right",
            key="learn_next",
            shortcut=NEXT_KEY,
            on_click=_step,
            args=(1,),
        )
        st.button(
            "End",
            icon=":material/skip_next:",
            icon_position="right",
            key="learn_last",
            shortcut=LAST_KEY,
            on_click=_go_to,
            args=(playback.last,),
        )
    if playback.playing:
        st.fragment(_playing_view, run_every=seconds_per_frame)(rec, run_data, log_scale)
    else:
        st.fragment(_still_view)(rec, run_data, log_scale)


run_key = (data_key, seed_value, rank, init, solver, int(iters))
seconds_per_frame = FRAME_MS[speed] / 1000
if st.session_state.get(PLAYBACK, (None,))[0] != run_key:
    # New settings, new run: open it on the finished run, paused.
    generation = st.session_state.get(PLAYBACK, (None, None, 0))[2]
    st.session_state[PLAYBACK] = (
        run_key,
        Playback.at_end(recording.n_frames, seconds_per_frame=seconds_per_frame),
        generation + 1,
    )
else:
    run, playback, generation = st.session_state[PLAYBACK]
    st.session_state[PLAYBACK] = (run, playback.with_speed(seconds_per_frame), generation)
animation_player(recording, data, scale == "log", seconds_per_frame)
st.caption(
    "Play replays the run from the start, Pause holds a frame and Resume goes on; "
    "the slider and Back / Next step frame by frame. Every control is a button the Tab "
    f"key reaches, and a presenter's clicker works too: {PLAY_KEY} plays and pauses, the "
    f"arrow keys step, Home and End jump. At most {fr.MAX_FRAMES} frames are shown: this run "
    f"shows {recording.n_frames} of its {result.n_iter + 1} snapshots, spaced densely at the "
    "start."
)
metrics = st.columns(4)
metrics[0].metric("Loss at the start", f"{result.losses[0]:.4g}")
metrics[1].metric(f"Loss after {result.n_iter} iterations", f"{result.losses[-1]:.4g}")
metrics[2].metric(
    "Relative error",
    f"{result.relative_error:.2%}",
    help="‖X − HW‖_F / ‖X‖_F: the square root of the loss over the size of X.",
)
metrics[3].metric("Frames shown", f"{recording.n_frames} / {result.n_iter + 1}")
download_matrices({"H": result.H, "W": result.W}, prefix=f"learn_{solver}")

# ---------------------------------------------------------------- 2. the race --------------

st.header("The race: MU, HALS, ANLS and ALS from the same start")
race_controls = st.columns([2, 1])
race_iters = url_widget(
    race_controls[0].slider,
    "Iterations per solver",
    min_value=10,
    max_value=MAX_RACE_ITERS,
    value=DEFAULT_RACE_ITERS,
    step=10,
    key="learn_race_iters",
    bind="query-params",
)
race_scale = url_widget(
    race_controls[1].radio,
    "Loss axis ",
    SCALES,
    index=1,
    horizontal=True,
    key="learn_race_scale",
    bind="query-params",
)

try:
    race = cached_race(data_key, seed_value, rank, init, int(race_iters))
    race_fig = cached_race_figure(
        data_key, seed_value, rank, init, int(race_iters), race_scale == "log"
    )
except ValueError as error:
    st.error(str(error))
    st.stop()

als_rises = race.increases("als")
chart, rules = st.columns([3, 2])
with chart:
    show_figure(
        race_fig,
        "Top: loss per iteration; below: the same runs against wall-clock time. The dashed "
        f"black line is the rank-{race.rank} SVD floor: no factorisation of rank {race.rank}, "
        "nonnegative or not, gets below it. Crosses mark iterations where a loss went up.",
        key="race_figure",
    )
    st.markdown(
        f"All four start from the same loss, **{race.start_loss:.4g}**. "
        f"The SVD floor at rank {race.rank} is **{race.floor:.4g}**. "
        f"This race took **{race.total_seconds():.2f} s** of solver time."
    )
    table = {
        "solver": [SOLVER_LABELS[name] for name in race.results],
        "final loss": [f"{result.losses[-1]:.5g}" for result in race.results.values()],
        "above the floor": [
            "—" if race.above_floor(name) is None else f"{race.above_floor(name):.1%}"
            for name in race.results
        ],
        "ms per iteration": [
            f"{1000 * race.seconds_per_iteration(name):.2f}" for name in race.results
        ],
        "iterations where the loss went up": [len(race.increases(name)) for name in race.results],
    }
    st.dataframe(table, hide_index=True, key="race_table")
    monotone = [name for name in ("mu", "hals", "anls") if name in race.results]
    rose_too = [SOLVER_LABELS[name] for name in monotone if race.increases(name).size]
    others = (
        "MU, HALS and ANLS did not go up once."
        if not rose_too
        else f"{', '.join(rose_too)} went up too here, by more than rounding (see the table)."
    )
    if als_rises.size:
        st.markdown(
            f"**ALS went up** at {als_rises.size} of its {race.results['als'].n_iter} "
            f"iterations here (first at iteration {als_rises[0]}). {others}"
        )
    else:
        st.markdown(
            "ALS did not go up in this run, but it **may**: try the faces with a random "
            f"start. {others}"
        )
    explain(
        "**Why ALS can go up.** ALS solves the least-squares problem for $H$ *without* the sign "
        "constraint and then sets the negative entries to zero. The unconstrained solution is "
        "the best $H$ for the current $W$, but the clipped one is not the best *nonnegative* "
        "$H$; it can even be worse than the $H$ we started the step with. Nothing forces the "
        "loss down, so it can jump up, wobble, and stall at a poor point. "
        "On the default settings (faces, rank 6, random start) the very first ALS step "
        "more than doubles the loss, and after 100 iterations ALS is still above HALS and "
        "ANLS.\n\n"
        "**Why the other three cannot.** Each of their half-steps never increases the loss for "
        "the factor it changes: ANLS and HALS pick the exact minimiser (of the whole block, or of "
        "one column or row at a time), and Lee & Seung (2001) proved the multiplicative update "
        "never increases $\\lVert X - HW \\rVert_F^2$. (HALS here also tries an extrapolated "
        "step once progress slows, and undoes it unless it lowers the loss.) A sequence of "
        "steps that never go up can only go down or stall.\n\n"
        "**Per iteration vs per second.** Compare the two panels. On the default settings "
        "ANLS ends lowest after 100 iterations, but each of its iterations costs the most "
        "(many small exact solves); MU's iterations are among the cheapest, yet it ends "
        "highest. HALS "
        "ends within 1% of ANLS in a fraction of its time, which is why it is the default "
        "solver of `nmf_core.nmf`."
    )

with rules:
    st.subheader("The update rules")
    st.caption(
        f"Here n = {n}, k = {k}, r = {race.rank}. ∘ and ⊘ are entrywise; "
        "each iteration updates H, then W."
    )
    tab_mu, tab_hals, tab_anls, tab_als = st.tabs(["MU", "HALS", "ANLS", "ALS"])
    with tab_mu:
        st.latex(r"H \leftarrow H \circ (XW^\top) \oslash (HWW^\top)")
        st.latex(r"W \leftarrow W \circ (H^\top X) \oslash (H^\top H W)")
        st.markdown(
            "Multiplicative updates (Lee & Seung). Entries stay nonnegative because every factor "
            "of the ratio is; zeros stay zero forever. **Cost:** the products $XW^\\top$ and "
            "$H^\\top X$ take $O(nkr)$ operations, the small Gram products $O((n + k)r^2)$."
        )
    with tab_hals:
        st.latex(
            r"H_{:j} \leftarrow \max\!\Big(0,\; H_{:j} + "
            r"\frac{(XW^\top)_{:j} - H\,(WW^\top)_{:j}}{(WW^\top)_{jj}}\Big)"
        )
        st.latex(
            r"W_{j:} \leftarrow \max\!\Big(0,\; W_{j:} + "
            r"\frac{(H^\top X)_{j:} - (H^\top H)_{j:}\,W}{(H^\top H)_{jj}}\Big)"
        )
        st.markdown(
            "Hierarchical ALS: for $j = 1 \\dots r$, column $j$ of $H$ (then row $j$ of $W$) "
            "is replaced by the exact nonnegative minimiser with all the others fixed. "
            "**Cost:** $O(nkr)$ for $XW^\\top$ and $H^\\top X$, then $O((n + k)r^2)$ per sweep "
            "over the columns; the sweep is cheap, so it is repeated a few times per iteration "
            "(Gillis & Glineur, 2012). Once progress slows, an extrapolated step is tried and "
            "kept only if it lowers the loss (Ang & Gillis, 2019)."
        )
    with tab_anls:
        st.latex(r"H \leftarrow \arg\min_{H \ge 0} \lVert X - HW \rVert_F^2")
        st.latex(r"W \leftarrow \arg\min_{W \ge 0} \lVert X - HW \rVert_F^2")
        st.markdown(
            "Alternating nonnegative least squares: each half-step is solved **exactly**, as "
            "$n$ (then $k$) small nonnegative least-squares problems that share the Gram matrix "
            "$WW^\\top$ (then $H^\\top H$), here by block principal pivoting. **Cost:** "
            "$O(nkr)$ for the products plus up to $O(r^3)$ per row and pivoting round, the "
            "most expensive iteration of the four."
        )
    with tab_als:
        st.latex(r"H \leftarrow \max\!\big(0,\; XW^\top (WW^\top)^{-1}\big)")
        st.latex(r"W \leftarrow \max\!\big(0,\; (H^\top H)^{-1} H^\top X\big)")
        st.markdown(
            "Alternating least squares with clipping: solve without the sign constraint, then "
            "set negative entries to zero. **Cost:** $O(nkr + (n + k)r^2 + r^3)$, the same "
            "order as MU, but with no guarantee that the loss goes down."
        )

st.caption(
    f"Every run uses the sidebar seed ({seed_value}) for the start and the toy clouds: "
    "the same settings always give the same curves (the wall-clock times vary a little)."
)
