"""``nmf_lab.figures.style.for_projector``: every text of a figure enlarged, nothing colliding.

The sizes are checked on the figure spec; that the browser draws them (and that the margins
and gaps hold the larger text) is checked in Chromium by tests/e2e/test_e2e_lecture_fonts.py.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from nmf_lab.figures.home import product_figure
from nmf_lab.figures.style import NARROW_FIGURE_PX, THEME_TEXT_SIZES, for_projector


def _plain_figure() -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(x=[0, 1], y=[1, 2], mode="markers+text", text=["a", "b"], name="one"),
            go.Scatter(x=[0, 1], y=[2, 3], xaxis="x2", yaxis="y2", name="two"),
            go.Heatmap(z=[[1, 2], [3, 4]], colorbar={"title": {"text": "z"}}),
        ]
    )
    fig.update_layout(
        title="A title",
        xaxis_title="x",
        height=400,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        xaxis={"domain": [0, 0.45]},
        xaxis2={"domain": [0.55, 1], "anchor": "y2"},
        yaxis2={"anchor": "x2"},
    )
    fig.add_annotation(text="inherits", x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


def test_the_input_figure_is_not_modified():
    fig = _plain_figure()
    before = fig.to_json()
    for_projector(fig)
    assert fig.to_json() == before


@pytest.mark.parametrize("scale", [1.5, 2.0, 3.0])
def test_text_the_theme_sizes_is_set_explicitly_at_scale_times_its_size(scale):
    big = for_projector(_plain_figure(), scale=scale)
    sizes = {role: size * scale for role, size in THEME_TEXT_SIZES.items()}
    assert big.layout.font.size == sizes["font"]
    assert big.layout.title.font.size == sizes["title"]
    assert big.layout.title.text == "A title"
    assert big.layout.legend.font.size == sizes["legend"]
    assert big.layout.hoverlabel.font.size == sizes["hover"]
    # Every cartesian axis, also one that only a trace names (xaxis2 here is in the layout,
    # the heatmap's x/y are the defaults).
    for axis in (big.layout.xaxis, big.layout.yaxis, big.layout.xaxis2, big.layout.yaxis2):
        assert axis.tickfont.size == sizes["tick"]
        assert axis.title.font.size == sizes["axis_title"]
        assert axis.automargin is True
    assert big.layout.xaxis.title.text == "x"


def test_an_axis_that_only_a_trace_names_gets_sizes_too():
    fig = go.Figure(go.Scatter(x=[1], y=[2], xaxis="x3", yaxis="y3"))
    big = for_projector(fig)
    assert big.layout.xaxis3.tickfont.size == 2 * THEME_TEXT_SIZES["tick"]
    assert big.layout.yaxis3.title.font.size == 2 * THEME_TEXT_SIZES["axis_title"]


def test_explicit_sizes_anywhere_are_multiplied():
    fig = make_subplots(rows=1, cols=2, subplot_titles=["left", "right"])
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], text=["p", "q"], mode="text", textfont={"size": [10, 14]}),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[1, 0], mode="text", textfont={"size": np.array([9.0, 12.0])}),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=[[0, 1]],
            colorbar={"tickfont": {"size": 11}, "title": {"text": "c", "font": {"size": 13}}},
            hoverlabel={"font": {"size": 9}},
        ),
        row=1,
        col=2,
    )
    fig.update_layout(font={"size": 15}, xaxis={"tickfont": {"size": 10}}, legend_font_size=17)
    fig.add_annotation(text="≈", x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 30})
    fig.frames = [go.Frame(data=[go.Scatter(textfont={"size": 8})], name="0")]
    fig.update_layout(
        sliders=[{"steps": [{"label": "0", "args": [["0"]]}], "font": {"size": 7}}],
        updatemenus=[{"buttons": [{"label": "Play", "method": "animate"}], "font": {"size": 6}}],
    )
    big = for_projector(fig, scale=2)
    assert big.layout.font.size == 30
    assert list(big.data[0].textfont.size) == [20, 28]
    assert list(big.data[1].textfont.size) == [18, 24]
    assert big.data[2].colorbar.tickfont.size == 22
    assert big.data[2].colorbar.title.font.size == 26
    assert big.data[2].hoverlabel.font.size == 18
    assert big.layout.xaxis.tickfont.size == 20
    assert big.layout.legend.font.size == 34
    # make_subplots gives subplot titles an explicit 16 px
    assert [a.font.size for a in big.layout.annotations] == [32, 32, 60]
    assert big.frames[0].data[0].textfont.size == 16
    assert big.layout.sliders[0].font.size == 14
    assert big.layout.updatemenus[0].font.size == 12


def test_text_without_its_own_size_inherits_the_enlarged_layout_font():
    big = for_projector(_plain_figure())
    annotation = big.layout.annotations[0]
    assert annotation.font.size is None
    assert big.data[0].textfont.size is None
    assert big.data[2].colorbar.tickfont.size is None
    assert big.layout.font.size == 2 * THEME_TEXT_SIZES["font"]


def test_scene_axes_follow_the_layout_font_and_explicit_ones_double():
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "scene"}, {"type": "scene"}]])
    fig.add_trace(go.Scatter3d(x=[0], y=[0], z=[0]), row=1, col=1)
    fig.add_trace(go.Scatter3d(x=[0], y=[0], z=[0]), row=1, col=2)
    fig.update_layout(font={"size": 15}, scene2={"xaxis": {"tickfont": {"size": 11}}})
    big = for_projector(fig)
    assert big.layout.font.size == 30
    assert big.layout.scene.xaxis.tickfont.size is None
    assert big.layout.scene2.xaxis.tickfont.size == 22
    left, right = big.layout.scene.domain.x, big.layout.scene2.domain.x
    assert right[0] - left[1] > fig.layout.scene2.domain.x[0] - fig.layout.scene.domain.x[1]


def test_top_and_bottom_margins_grow_side_margins_stay():
    big = for_projector(_plain_figure(), scale=2)
    assert (big.layout.margin.t, big.layout.margin.b) == (120, 80)
    assert (big.layout.margin.l, big.layout.margin.r) == (40, 20)


def _plot_px(fig: go.Figure) -> float:
    return fig.layout.height - fig.layout.margin.t - fig.layout.margin.b


def test_rows_keep_their_pixel_height_and_the_gaps_between_them_grow():
    fig = make_subplots(rows=3, cols=1, subplot_titles=["a", "b", "c"], vertical_spacing=0.1)
    for row in (1, 2, 3):
        fig.add_trace(go.Scatter(x=[0], y=[0]), row=row, col=1)
    fig.update_layout(height=600, margin={"t": 40, "b": 40})
    scale = 2.0
    big = for_projector(fig, scale=scale)

    def rows_px(figure):
        plot = _plot_px(figure)
        domains = sorted(tuple(figure.layout[f"yaxis{n or ''}"].domain) for n in ("", 2, 3))
        heights = [(high - low) * plot for low, high in domains]
        gaps = [(domains[i + 1][0] - domains[i][1]) * plot for i in range(2)]
        return heights, gaps, domains

    old_heights, old_gaps, _ = rows_px(fig)
    new_heights, new_gaps, new_domains = rows_px(big)
    np.testing.assert_allclose(new_heights, old_heights, atol=0.6)
    np.testing.assert_allclose(new_gaps, [scale * gap for gap in old_gaps], atol=0.6)
    assert big.layout.height == pytest.approx(
        big.layout.margin.t + big.layout.margin.b + sum(old_heights) + scale * sum(old_gaps),
        abs=1,
    )
    # Each subplot title still sits on the top edge of its own row.
    tops = sorted(high for _, high in new_domains)
    assert sorted(a.y for a in big.layout.annotations) == pytest.approx(tops)


def test_columns_share_a_fixed_width_and_the_gaps_between_them_grow():
    fig = make_subplots(rows=1, cols=4, subplot_titles=list("abcd"), horizontal_spacing=0.04)
    for col in range(1, 5):
        fig.add_trace(go.Scatter(x=[0], y=[0]), row=1, col=col)
    big = for_projector(fig, scale=2.0)
    old = [tuple(fig.layout[f"xaxis{n or ''}"].domain) for n in ("", 2, 3, 4)]
    new = [tuple(big.layout[f"xaxis{n or ''}"].domain) for n in ("", 2, 3, 4)]
    assert new[0][0] == pytest.approx(old[0][0]) and new[-1][1] == pytest.approx(old[-1][1])
    old_gaps = [old[i + 1][0] - old[i][1] for i in range(3)]
    new_gaps = [new[i + 1][0] - new[i][1] for i in range(3)]
    np.testing.assert_allclose(new_gaps, [2 * gap for gap in old_gaps])
    widths = [high - low for low, high in new]
    np.testing.assert_allclose(widths, widths[0])
    # Subplot titles stay centred over their columns.
    centres = [(low + high) / 2 for low, high in new]
    assert [a.x for a in big.layout.annotations] == pytest.approx(centres)
    assert big.layout.height == fig.layout.height or big.layout.height == 450


def test_column_gaps_never_squeeze_the_columns_below_a_floor():
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.5)
    big = for_projector(fig, scale=10.0)
    widths = [d[1] - d[0] for d in (big.layout.xaxis.domain, big.layout.xaxis2.domain)]
    old_widths = [d[1] - d[0] for d in (fig.layout.xaxis.domain, fig.layout.xaxis2.domain)]
    assert all(new >= 0.6 * old - 1e-9 for new, old in zip(widths, old_widths, strict=True))


def test_things_outside_the_plot_keep_their_pixel_distance_from_it():
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.2)
    fig.add_trace(go.Scatter(x=[0], y=[0]), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0], y=[0]), row=2, col=1)
    fig.update_layout(
        height=500,
        margin={"t": 50, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
    )
    big = for_projector(fig)
    assert (big.layout.legend.y - 1) * _plot_px(big) == pytest.approx(0.04 * _plot_px(fig))
    assert big.layout.legend.x == 0


def test_a_colour_bar_beside_one_row_follows_that_row():
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.2)
    fig.add_trace(go.Heatmap(z=[[0, 1]], colorbar={"y": 0.8, "len": 0.4}), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0], y=[0]), row=2, col=1)
    big = for_projector(fig)
    low, high = big.layout.yaxis.domain
    colorbar = big.data[0].colorbar
    assert colorbar.y == pytest.approx((low + high) / 2)
    assert colorbar.len == pytest.approx(high - low)


def test_symbols_between_panels_stay_between_them():
    # Home's picture: "≈" and "×" sit in the gaps between the X, H and W panels.
    rng = np.random.default_rng(0)
    H, W = rng.random((8, 3)), rng.random((3, 10))
    fig = product_figure(H @ W, H, W)
    big = for_projector(fig)
    domains = sorted(tuple(big.layout[key].domain) for key in big.layout if key.startswith("xaxis"))
    gaps = [(domains[i][1], domains[i + 1][0]) for i in range(len(domains) - 1)]
    symbols = [a for a in big.layout.annotations if a.text in ("≈", "×")]
    assert len(symbols) == 2
    for symbol, (left, right) in zip(sorted(symbols, key=lambda a: a.x), gaps, strict=True):
        assert left < symbol.x < right
        assert symbol.font.size == 2 * 30


def test_pixel_offsets_of_annotations_grow_with_their_text():
    fig = go.Figure(go.Scatter(x=[0], y=[0]))
    fig.add_annotation(x=0, y=0, text="P", showarrow=False, xshift=8, yshift=-6)
    fig.add_annotation(x=0, y=0, text="Q", ax=20, ay=-30)
    fig.add_annotation(x=0, y=0, text="R", ax=1, ay=1, axref="x", ayref="y")
    big = for_projector(fig, scale=2)
    p, q, r = big.layout.annotations
    assert (p.xshift, p.yshift) == (16, -12)
    assert (q.ax, q.ay) == (40, -60)
    assert (r.ax, r.ay) == (1, 1)  # data coordinates: not pixels


def test_scale_one_changes_no_geometry():
    fig = make_subplots(rows=2, cols=2, subplot_titles=list("abcd"))
    fig.update_layout(height=500, margin={"t": 30, "b": 30})
    same = for_projector(fig, scale=1)
    assert same.layout.height == 500
    for key in ("xaxis", "xaxis2", "yaxis", "yaxis3"):
        assert same.layout[key].domain == pytest.approx(fig.layout[key].domain)
    assert [a.font.size for a in same.layout.annotations] == [16] * 4


@pytest.mark.parametrize("scale", [0.5, 0, -2, math.nan, math.inf, "2"])
def test_a_scale_below_one_or_not_a_number_is_refused(scale):
    with pytest.raises(ValueError, match="scale"):
        for_projector(go.Figure(), scale=scale)


def test_an_animation_keeps_its_frames_and_binary_arrays():
    steps = [str(i) for i in range(3)]
    fig = go.Figure(
        data=[go.Scatter(y=np.arange(3, dtype=np.float32))],
        frames=[
            {"name": name, "data": [{"type": "scatter", "y": np.full(3, i, dtype=np.float32)}]}
            for i, name in enumerate(steps)
        ],
    )
    fig.update_layout(
        sliders=[
            {
                "active": 2,
                "steps": [{"label": n, "method": "animate", "args": [[n]]} for n in steps],
            }
        ]
    )
    big = for_projector(fig)
    assert [frame.name for frame in big.frames] == steps
    # plotly sends arrays base64-encoded; the copy holds them encoded already.
    for old, new in zip(fig.to_dict()["frames"], big.to_dict()["frames"], strict=True):
        assert new["data"] == old["data"]
    assert big.layout.sliders[0].active == fig.layout.sliders[0].active
    assert big.layout.font.size == 2 * (fig.layout.font.size or THEME_TEXT_SIZES["font"])


def test_a_frame_of_watching_it_learn_keeps_its_binary_curve():
    from nmf_lab.demo_data import learning_data
    from nmf_lab.figures.watching_it_learn import loss_frame_figure
    from nmf_lab.lessons.watching_it_learn import initialize_start, record_run

    data = learning_data("faces", seed=0)
    start = initialize_start(data.X, 4, seed=0)
    recording = record_run(data.X, 4, start=start, solver="mu", max_iter=20)
    fig = loss_frame_figure(recording, 5)
    big = for_projector(fig)
    assert big.to_dict()["data"] == fig.to_dict()["data"]
    assert big.layout.font.size == 2 * fig.layout.font.size


def test_a_fixed_step_x_axis_too_crowded_for_large_labels_labels_every_nth_tick():
    degrees = np.arange(40)
    fig = go.Figure(go.Scatter(x=degrees, y=degrees))
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1)
    big = for_projector(fig)
    # 40 labels of 24 px text do not fit side by side in a figure the width of the column...
    assert big.layout.xaxis.ticklabelstep >= 2
    assert big.layout.xaxis.dtick == 1  # ...the grid keeps every step
    assert big.layout.yaxis.ticklabelstep is None  # y labels stack; they are not crowded
    # A few labels fit: every tick keeps its label.
    few = go.Figure(go.Scatter(x=[1, 2, 3], y=[0, 1, 0]))
    few.update_xaxes(dtick=1)
    assert for_projector(few).layout.xaxis.ticklabelstep is None


def test_a_subplot_title_wider_than_its_column_is_broken_into_lines():
    titles = ("Identity basis: coordinates = X", "Learned rows of W: coordinates = H")
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles)
    fig.update_layout(height=400, margin={"t": 40, "b": 40})
    big = for_projector(fig)
    wrapped = [a.text for a in big.layout.annotations]
    assert all("<br>" in text for text in wrapped)
    assert [text.replace("<br>", " ") for text in wrapped] == list(titles)
    # The extra line goes into the top margin, not into the plot.
    plain = make_subplots(rows=1, cols=2).update_layout(height=400, margin={"t": 40, "b": 40})
    assert big.layout.margin.t > for_projector(plain).layout.margin.t
    assert _plot_px(big) == pytest.approx(_plot_px(for_projector(plain)), abs=1)
    short = make_subplots(rows=1, cols=2, subplot_titles=("X", "H"))
    assert [a.text for a in for_projector(short).layout.annotations] == ["X", "H"]


def test_the_top_margin_holds_the_enlarged_titles_over_the_top_row():
    fig = make_subplots(rows=1, cols=4, subplot_titles=["a", "b", "c", "d"])
    fig.update_layout(height=300, margin={"t": 20, "b": 20})
    big = for_projector(fig)
    title_px = 2 * 16  # make_subplots' 16 px, doubled
    assert big.layout.margin.t >= 1.3 * title_px
    plain = make_subplots(rows=1, cols=4).update_layout(height=300, margin={"t": 20, "b": 20})
    assert _plot_px(big) == pytest.approx(_plot_px(for_projector(plain)), abs=1)


def _legend_figure(names: list[str], *, y: float, orientation: str = "h") -> go.Figure:
    fig = go.Figure([go.Scatter(x=[0, 1], y=[0, 1], name=name) for name in names])
    fig.update_layout(
        height=400, margin={"t": 40, "b": 60}, legend={"orientation": orientation, "y": y}
    )
    return fig


def test_a_legend_below_the_plot_gets_the_rows_its_enlarged_entries_need():
    names = [f"a long legend entry number {index}" for index in range(6)]
    fig = _legend_figure(names, y=-0.15)
    big = for_projector(fig)
    size = big.layout.legend.font.size
    entry_px = 0.55 * size * len(names[0]) + 46
    rows = math.ceil(len(names) / max(1, int(NARROW_FIGURE_PX // entry_px)))
    plot_px = big.layout.height - big.layout.margin.t - big.layout.margin.b
    # The margin under the plot holds the gap to the legend and every row of it...
    assert big.layout.margin.b >= 0.15 * plot_px + rows * size * 1.3
    # ...and the plot keeps its height: the figure grows instead.
    assert plot_px == pytest.approx(400 - 40 - 60, abs=1)


def test_a_legend_that_fits_or_sits_above_the_plot_leaves_the_margin_alone():
    short = for_projector(_legend_figure(["a", "b"], y=-0.15))
    assert short.layout.margin.b == 2 * 60  # only the general growth of the margins
    above = for_projector(_legend_figure([f"entry {i}" for i in range(12)], y=1.02))
    assert above.layout.margin.b == 2 * 60


def test_every_figure_is_drawn_on_the_white_template():
    import plotly.io as pio

    from nmf_lab.figures.common import apply_layout, matrix_heatmap

    white = pio.templates["plotly_white"].to_plotly_json()
    for fig in (apply_layout(go.Figure()), matrix_heatmap(np.eye(3)), go.Figure()):
        assert fig.to_dict()["layout"]["template"] == white


# --- log axes in lecture style -----------------------------------------------------------------


def _nice_step(rough: float) -> float:
    base = 10.0 ** math.floor(math.log10(rough))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= rough)


def _numbers(values) -> np.ndarray:
    """Trace values, also as plotly's base64 typed array (``{"dtype", "bdata"}``)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).astype(float)
    return np.asarray(values, dtype=float)


def _log_axis_span(fig: go.Figure, name: str) -> tuple[float, float]:
    axis = fig.layout[name]
    if axis.range is not None:
        return tuple(sorted(float(edge) for edge in axis.range))
    letter = name[0]
    reference = letter + name[len("xaxis") :]
    values = np.concatenate(
        [
            _numbers(trace[letter])
            for trace in fig.data
            if (trace[f"{letter}axis"] or letter) == reference and trace[letter] is not None
        ]
    )
    values = values[np.isfinite(values) & (values > 0)]
    low, high = np.log10(values.min()), np.log10(values.max())
    return low - 0.05 * (high - low), high + 0.05 * (high - low)


def _labelled_log_ticks(fig: go.Figure, name: str, length: float) -> list[tuple[float, str]]:
    """The (value, label) pairs a log axis shows: its own tick arrays, or plotly's automatic
    choice (plotly.js ``autoTicks``: about one tick per 40 px (y) or 80 px (x), powers of ten
    above 0.7 decade per tick, linear steps under one decade, else D2 (2 and 5) or D1 (every
    digit))."""
    axis = fig.layout[name]
    low, high = _log_axis_span(fig, name)
    if axis.tickvals is not None:
        texts = axis.ticktext or [f"{value:g}" for value in axis.tickvals]
        return [
            (float(value), str(text))
            for value, text in zip(axis.tickvals, texts, strict=True)
            if str(text) and low <= math.log10(value) <= high
        ]
    ticks = min(max(length / (40 if name[0] == "y" else 80), 4), 9) + 1
    rough = (high - low) / ticks
    if rough > 0.7:
        step = math.ceil(rough)
        values = [10.0**e for e in range(math.ceil(low), math.floor(high) + 1) if e % step == 0]
    elif high - low < 1:
        step = _nice_step((10**high - 10**low) / (1.5 * ticks))
        values = list(np.arange(math.ceil(10**low / step) * step, 10**high, step))
    else:
        digits = (1, 2, 5) if rough > 0.3 else range(1, 10)
        values = [
            m * 10.0**e
            for e in range(math.floor(low), math.ceil(high) + 1)
            for m in digits
            if low <= math.log10(m * 10.0**e) <= high
        ]
    return [(value, f"{value:g}") for value in values]


def _assert_log_labels_readable(fig: go.Figure, name: str) -> list[str]:
    axis = fig.layout[name]
    domain = axis.domain or (0, 1)
    if name[0] == "y":
        length = (fig.layout.height - fig.layout.margin.t - fig.layout.margin.b) * (
            domain[1] - domain[0]
        )
    else:
        length = (NARROW_FIGURE_PX - fig.layout.margin.l - fig.layout.margin.r) * (
            domain[1] - domain[0]
        )
    ticks = _labelled_log_ticks(fig, name, length)
    low, high = _log_axis_span(fig, name)
    per_decade = length / (high - low)
    size = axis.tickfont.size
    labels = [label for _, label in ticks]
    assert len(ticks) >= 2, f"{name}: {labels}"
    for value, _ in ticks:
        mantissa = value / 10.0 ** math.floor(math.log10(value) + 1e-9)
        assert round(mantissa, 6) in (1, 2, 5), f"{name}: a label at {value:g}: {labels}"
    positions = sorted(math.log10(value) for value, _ in ticks)
    gaps = np.diff(positions) * per_decade
    room = size * 1.3 if name[0] == "y" else 0.55 * size * max(map(len, labels))
    assert gaps.min() >= room, f"{name}: labels {labels} only {gaps.min():.0f} px apart"
    return labels


def _faces_recording(iters: int = 100):
    from nmf_lab.demo_data import learning_data
    from nmf_lab.lessons.watching_it_learn import initialize_start, record_run

    data = learning_data("faces", seed=0)
    start = initialize_start(data.X, 6, seed=0)
    return data, start, record_run(data.X, 6, start=start, solver="mu", max_iter=iters)


def test_the_log_loss_axis_of_watching_it_learn_labels_1_2_5_clear_of_each_other():
    from nmf_lab.figures.watching_it_learn import loss_frame_figure

    _, _, recording = _faces_recording()
    big = for_projector(loss_frame_figure(recording, recording.n_frames - 1, log_scale=True))
    # Less than a decade (1000 to 6000): plotly would label 1000, 1500, 2000, ... 6000.
    assert _assert_log_labels_readable(big, "yaxis") == ["1000", "2000", "5000"]
    # Every digit keeps its grid line.
    assert big.layout.yaxis.minor.showgrid and len(big.layout.yaxis.minor.tickvals) > 3


def test_the_log_axes_of_the_race_label_decades_or_1_2_5_only():
    from nmf_lab.figures.watching_it_learn import race_figure
    from nmf_lab.lessons.watching_it_learn import race

    data, start, _ = _faces_recording()
    big = for_projector(race_figure(race(data.X, 6, start=start, max_iter=100), log_scale=True))
    for name in ("yaxis", "yaxis2", "xaxis2"):  # loss against iteration and time; time
        _assert_log_labels_readable(big, name)


@pytest.mark.parametrize(
    ("low", "high", "height"),
    [(1.0, 1e6, 400), (1.0, 1e6, 250), (3e-4, 2.0, 400), (120.0, 900.0, 300), (1.0, 1e12, 300)],
)
def test_a_log_axis_of_any_span_labels_few_ticks_clear_of_each_other(low, high, height):
    fig = go.Figure(go.Scatter(x=[1, 2], y=[low, high]))
    fig.update_layout(height=height, margin={"t": 20, "b": 40, "l": 40, "r": 20})
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    big = for_projector(fig)
    labels = _assert_log_labels_readable(big, "yaxis")
    decades = math.log10(high / low)
    assert len(labels) <= 3 * math.ceil(decades + 1)


def test_given_log_ticks_keep_their_places_and_label_only_those_that_fit():
    values = np.array([100, 200, 400, 800, 1600, 3200, 6400])
    fig = make_subplots(rows=1, cols=3)
    for column in (1, 2, 3):
        fig.add_trace(go.Scatter(x=values, y=values), row=1, col=column)
        fig.update_xaxes(
            type="log", tickvals=values, ticktext=[str(v) for v in values], row=1, col=column
        )
    big = for_projector(fig)
    for name in ("xaxis", "xaxis2", "xaxis3"):
        axis = big.layout[name]
        assert list(axis.tickvals) == list(values)  # every tick and grid line stays
        shown = [text for text in axis.ticktext if text]
        assert 2 <= len(shown) < len(values), shown
        positions = np.log10([v for v, t in zip(values, axis.ticktext, strict=True) if t])
        per_decade = (
            (NARROW_FIGURE_PX - 160) * (axis.domain[1] - axis.domain[0]) / np.ptp(np.log10(values))
        )
        assert np.diff(positions).min() * per_decade >= 0.55 * axis.tickfont.size * 4
