"""Shared plotting style: colour-blind-safe palettes, and the projector version of a figure."""

from __future__ import annotations

import base64
import itertools
import math
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go

__all__ = [
    "DIVERGING",
    "METHOD_COLORS",
    "OKABE_ITO",
    "SEQUENTIAL",
    "THEME_TEXT_SIZES",
    "for_projector",
]

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

# Nonnegative quantities (data, H, W): perceptually uniform, colour-blind safe.
SEQUENTIAL = "Viridis"
# Signed quantities (SVD/PCA factors, residuals): centred on zero (use zmid=0).
DIVERGING = "RdBu_r"

METHOD_COLORS = {
    "NMF": OKABE_ITO[0],
    "SVD": OKABE_ITO[1],
    "PCA": OKABE_ITO[2],
    "mu": OKABE_ITO[0],
    "hals": OKABE_ITO[1],
    "anls": OKABE_ITO[2],
    "als": OKABE_ITO[5],
}


# --- Projector scaling -------------------------------------------------------------------------

# The sizes a figure's text has when the figure leaves them unset and Streamlit draws it: its
# chart theme fixes these roles (they do not follow ``layout.font``), everything else inherits
# ``layout.font.size`` (plotly's default 12). To enlarge such text it must be set explicitly.
THEME_TEXT_SIZES = {
    "font": 12,
    "title": 16,
    "axis_title": 14,
    "tick": 12,
    "legend": 12,
    "legend_title": 12,
    "hover": 12,
    "colorbar_title": 14,
    "colorbar_tick": 12,
}
# Plotly's height when a figure sets none.
_DEFAULT_HEIGHT = 450
# Gaps between subplots grow with the text, but the subplots keep at least this share of the
# width they had (the width is the page column's and cannot grow).
_MIN_WIDTH_KEPT = 0.6
# The narrowest a figure is drawn on a 1024-pixel projector: lecture mode stacks columns that
# hold figures, so a figure has the page's main column, sidebar open (1024 - 300 - 2 x 30
# padding). Crowding (tick labels, subplot titles, legend rows) is judged at this width.
NARROW_FIGURE_PX = 660
# Room of a legend entry besides its text: the symbol and the gap to the next entry.
_LEGEND_SYMBOL_PX = 46
# Average glyph width of the app's sans-serif font, as a share of the font size.
_GLYPH_WIDTH = 0.55
_LINE_HEIGHT = 1.3
_TITLE_PAD_PX = 6
# Under an x axis besides its text: tick length and label gap, the gap to the title, and the gap
# from the title to a legend below (measured in Chromium: ticks and title of a 2x figure end
# 85 px under the plot; their text is 68 px).
_X_AXIS_GAPS_PX = 30
_FONT_KEY = re.compile(r"font$")
# Plotly's margins when a figure sets none.
_DEFAULT_MARGIN = {"t": 100, "b": 80}


def for_projector(fig: go.Figure, scale: float = 2.0) -> go.Figure:
    """A copy of ``fig`` whose every text is ``scale`` times its normal size, for a projector.

    Enlarged: the layout font (which all text without its own size inherits), every explicitly
    sized font anywhere in the figure (titles, annotations such as subplot titles, trace text,
    colour bars, hover labels, sliders, the layout of animation frames), and the text whose
    size Streamlit's chart theme fixes (:data:`THEME_TEXT_SIZES`: title, axis titles and tick
    labels, legend, hover labels, colour axes), which is therefore set explicitly. 3-D scene
    axes follow the layout font.

    So that the larger text still fits: the top and bottom margins grow by ``scale`` (titles,
    subplot titles and legends live there), cartesian axes push the margins for their own labels
    (``automargin``), the gaps between subplot rows grow by ``scale`` while each row keeps its
    height in pixels (the figure grows taller), and the gaps between subplot columns grow by
    ``scale`` at the expense of the columns (the width is the page's). Everything placed in paper
    coordinates (annotations, shapes, images, legends, colour bars, sliders) moves with the
    subplots it belongs to.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Not modified (cached figures are shared between sessions).
    scale : float
        Factor for every text size; ``1`` only makes the sizes explicit.

    Returns
    -------
    plotly.graph_objects.Figure
        The enlarged copy.

    Raises
    ------
    ValueError
        If ``scale`` is not a finite number ≥ 1.
    """
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale >= 1):
        raise ValueError(f"scale must be a finite number >= 1, got {scale!r}")
    spec = fig.to_dict()
    layout = spec.setdefault("layout", {})
    data = spec.get("data", [])
    frames = spec.get("frames", [])

    for part in [*data, *frames]:
        _scale_explicit_fonts(part, scale)
    _scale_explicit_fonts({key: value for key, value in layout.items() if key != "template"}, scale)
    _set_theme_sizes(layout, _cartesian_axes(fig), scale)
    for annotation_list in [layout.get("annotations", [])] + [
        frame.get("layout", {}).get("annotations", []) for frame in frames
    ]:
        _scale_annotation_offsets(annotation_list, scale)

    _stretch_subplot_gaps(spec, scale)
    _wrap_long_subplot_titles(layout)
    _fit_legend_below(spec)
    _thin_crowded_tick_labels(fig, layout)
    _spread_log_tick_labels(fig, layout)
    return go.Figure(spec)


def _text_px(text: str, size: float) -> float:
    plain = re.sub(r"<[^>]+>", "", text)
    return _GLYPH_WIDTH * size * max((len(line) for line in plain.split("<br>")), default=0)


def _axis_values(fig: go.Figure, axis_name: str) -> np.ndarray:
    """Finite numeric values of the traces drawn on the axis ``axis_name`` (x or y)."""
    letter = axis_name[0]
    reference = letter + axis_name[len("xaxis") :]
    chunks = []
    for trace in fig.data:
        if f"{letter}axis" not in trace or (trace[f"{letter}axis"] or letter) != reference:
            continue
        if trace[letter] is None:
            continue
        try:
            values = np.asarray(trace[letter], dtype=float).ravel()
        except (TypeError, ValueError):
            continue
        chunks.append(values[np.isfinite(values)])
    return np.concatenate(chunks) if chunks else np.empty(0)


def _thin_crowded_tick_labels(fig: go.Figure, layout: dict) -> None:
    """Label every n-th tick of a fixed-step x axis whose labels would not fit side by side.

    Plotly spaces automatic ticks by itself, but an axis with a fixed ``dtick`` (integer axes
    such as ranks or degrees) gets a label per step however large the text; the grid keeps
    every tick.
    """
    for name, axis in layout.items():
        if not re.fullmatch(r"xaxis\d*", name) or not isinstance(axis, dict):
            continue
        dtick = axis.get("dtick")
        if not isinstance(dtick, (int, float)) or dtick <= 0 or axis.get("type") in ("log", "date"):
            continue
        span = axis.get("range")
        if not (isinstance(span, (list, tuple)) and len(span) == 2):
            values = _axis_values(fig, name)
            if values.size == 0:
                continue
            span = (float(values.min()), float(values.max()))
        count = int(abs(span[1] - span[0]) // dtick) + 1
        widest = max(len(f"{value:g}") for value in np.arange(min(span), max(span) + dtick, dtick))
        label_px = _GLYPH_WIDTH * axis["tickfont"]["size"] * (widest + 1.5)
        domain = axis.get("domain", (0.0, 1.0))
        available = NARROW_FIGURE_PX * (domain[1] - domain[0])
        step = math.ceil(count * label_px / available) if available > 0 else 1
        if step > 1:
            axis["ticklabelstep"] = max(step, int(axis.get("ticklabelstep", 1)))


# Mantissas a log axis labels (1 is the decade itself), finest set first; the ticks and grid
# lines of the others stay, unlabelled.
_LOG_LABEL_SETS = ((1, 2, 5), (1,))
_ALL_MANTISSAS = tuple(range(1, 10))
# Room between neighbouring tick labels, as a share of the font size.
_TICK_LABEL_PAD = 0.4


def _log_label(value: float) -> str:
    """A tick label as plotly writes one on a log axis (``1000``, ``20k``, ``0.05``, ``2e-5``)."""
    for power, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if value >= power:
            scaled = value / (power if power != 1e4 else 1e3)
            return f"{scaled:g}{suffix}"
    if value >= 1e-3:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _log_axis_geometry(
    fig: go.Figure, layout: dict, name: str, axis: dict
) -> tuple[float, float, float] | None:
    """The span ``(low, high)`` in decades a log axis shows, and its length in pixels."""
    span = axis.get("range")
    if isinstance(span, (list, tuple)) and len(span) == 2 and None not in span:
        low, high = sorted(float(edge) for edge in span)
    else:
        values = _axis_values(fig, name)
        values = values[values > 0]
        if values.size == 0:
            return None
        low, high = float(np.log10(values.min())), float(np.log10(values.max()))
        # plotly's autorange pads the data a little
        pad = 0.05 * (high - low) if high > low else 0.5
        low, high = low - pad, high + pad
    domain = axis.get("domain", (0.0, 1.0))
    margin = layout.get("margin", {})
    if name[0] == "y":
        height = float(layout.get("height") or _DEFAULT_HEIGHT)
        top = float(margin.get("t", _DEFAULT_MARGIN["t"]))
        bottom = float(margin.get("b", _DEFAULT_MARGIN["b"]))
        length = (height - top - bottom) * (domain[1] - domain[0])
    else:
        sides = float(margin.get("l", 80)) + float(margin.get("r", 80))
        length = (NARROW_FIGURE_PX - sides) * (domain[1] - domain[0])
    if high <= low or length <= 0:
        return None
    return low, high, length


def _labels_fit(
    positions: list[float], labels: list[str], letter: str, size: float, px_per_decade: float
) -> bool:
    """Whether tick labels at ``positions`` (decades) keep clear of each other."""
    order = np.argsort(positions)
    extents = [size * _LINE_HEIGHT if letter == "y" else _text_px(label, size) for label in labels]
    for first, second in itertools.pairwise(order):
        gap = (positions[second] - positions[first]) * px_per_decade
        if gap < (extents[first] + extents[second]) / 2 + _TICK_LABEL_PAD * size:
            return False
    return True


def _spread_log_tick_labels(fig: go.Figure, layout: dict) -> None:
    """Label a log axis only where its enlarged labels keep clear of each other.

    Left to itself plotly spaces log ticks by the axis length alone, not by the font: an
    axis spanning a decade or two labels every digit (``9 8 7 ... 2``), and one spanning less
    than a decade gets linear steps (``1000 1500 2000 ...``); at twice the size they collide.
    An axis with automatic ticks gets the decades plus 2 and 5 where a decade is tall (or wide)
    enough, else the decades, else every n-th decade; every digit keeps its grid line. An axis
    with its own tick values keeps them, but labels only those that fit, decades first.
    """
    for name, axis in layout.items():
        if not re.fullmatch(r"[xy]axis\d*", name) or not isinstance(axis, dict):
            continue
        if axis.get("type") != "log" or axis.get("showticklabels") is False:
            continue
        geometry = _log_axis_geometry(fig, layout, name, axis)
        if geometry is None:
            continue
        low, high, length = geometry
        px_per_decade = length / (high - low)
        size = float(axis.get("tickfont", {}).get("size", layout["font"]["size"]))
        letter = name[0]
        given = fig.layout[name].tickvals
        if given is not None:
            _thin_given_log_labels(fig, axis, name, (low, high), letter, size, px_per_decade)
            continue
        if axis.get("dtick") is not None or axis.get("tickmode") not in (None, "auto"):
            continue
        chosen = _auto_log_ticks(low, high, letter, size, px_per_decade)
        if chosen is None:
            continue
        axis["tickmode"] = "array"
        axis["tickvals"] = chosen
        axis["ticktext"] = [_log_label(value) for value in chosen]
        grid = _log_ticks(low, high, _ALL_MANTISSAS)
        if len(grid) > len(chosen):
            axis["minor"] = {"tickmode": "array", "tickvals": grid, "showgrid": True}


def _log_ticks(low: float, high: float, mantissas: tuple[int, ...], step: int = 1) -> list[float]:
    """The values ``m·10^e`` (``m`` in ``mantissas``, ``e`` a multiple of ``step``) on screen."""
    return [
        m * 10.0**e
        for e in range(math.floor(low), math.ceil(high) + 1)
        for m in mantissas
        if e % step == 0 and low <= math.log10(m * 10.0**e) <= high
    ]


def _auto_log_ticks(
    low: float, high: float, letter: str, size: float, px_per_decade: float
) -> list[float] | None:
    """The finest of decades-plus-2-and-5, decades, every n-th decade whose labels fit."""

    def fits(values: list[float]) -> bool:
        labels = [_log_label(value) for value in values]
        positions = [math.log10(value) for value in values]
        return _labels_fit(positions, labels, letter, size, px_per_decade)

    candidates = [_log_ticks(low, high, mantissas) for mantissas in _LOG_LABEL_SETS]
    n_decades = math.ceil(high) - math.floor(low) + 1
    candidates += [_log_ticks(low, high, (1,), step) for step in range(2, n_decades + 1)]
    fitting = [values for values in candidates if values and fits(values)]
    chosen = next((values for values in fitting if len(values) >= 2), None)
    if chosen is None:
        # Less than a factor of about 2.5 on screen: every digit, if that fits.
        finer = _log_ticks(low, high, _ALL_MANTISSAS)
        if len(finer) >= 2 and fits(finer):
            return finer
        return fitting[0] if fitting else None
    return chosen


def _thin_given_log_labels(
    fig: go.Figure,
    axis: dict,
    name: str,
    span: tuple[float, float],
    letter: str,
    size: float,
    px_per_decade: float,
) -> None:
    """Blank the labels of given log ticks that would collide, keeping decades first."""
    values = np.asarray(fig.layout[name].tickvals, dtype=float)
    texts = fig.layout[name].ticktext
    labels = [str(t) for t in texts] if texts is not None else [_log_label(v) for v in values]
    low, high = span
    visible = [
        index
        for index, value in enumerate(values)
        if value > 0 and low <= math.log10(value) <= high
    ]

    def priority(index: int) -> tuple[int, float]:
        exponent = math.log10(values[index])
        return (0 if abs(exponent - round(exponent)) < 1e-9 else 1, exponent)

    kept: list[int] = []
    for index in sorted(visible, key=priority):
        trial = [*kept, index]
        positions = [math.log10(values[i]) for i in trial]
        if _labels_fit(positions, [labels[i] for i in trial], letter, size, px_per_decade):
            kept.append(index)
    if len(kept) == len(visible):
        return
    axis["tickmode"] = "array"
    axis["tickvals"] = values.tolist()
    axis["ticktext"] = [label if i in kept else "" for i, label in enumerate(labels)]


def _wrapped(text: str, size: float, width: float) -> str:
    """``text`` broken into lines at spaces, each at most ``width`` pixels where possible."""
    lines = [""]
    for word in text.split(" "):
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and _text_px(candidate, size) > width:
            lines.append(word)
        else:
            lines[-1] = candidate
    return "<br>".join(lines)


def _wrap_long_subplot_titles(layout: dict) -> None:
    """Break a subplot title or an x-axis title wider than its column into lines at spaces."""
    columns = [
        tuple(axis["domain"])
        for name, axis in layout.items()
        if re.fullmatch(r"xaxis\d*", name) and isinstance(axis, dict) and "domain" in axis
    ]
    columns += [
        tuple(scene["domain"]["x"])
        for name, scene in layout.items()
        if re.fullmatch(r"scene\d*", name)
        and isinstance(scene, dict)
        and "x" in scene.get("domain", {})
    ]
    font = float(layout["font"]["size"])
    top = max(
        (
            tuple(axis["domain"])[1]
            for name, axis in layout.items()
            if re.fullmatch(r"yaxis\d*", name) and isinstance(axis, dict) and "domain" in axis
        ),
        default=1.0,
    )
    for annotation in layout.get("annotations", []):
        text = annotation.get("text")
        if not isinstance(text, str) or annotation.get("xref", "paper") != "paper":
            continue
        x = annotation.get("x", 0.5)
        owner = [high - low for low, high in columns if low - 1e-9 <= x <= high + 1e-9]
        if not owner:
            continue
        size = float(annotation.get("font", {}).get("size", font))
        width = NARROW_FIGURE_PX * min(owner)
        if _text_px(text, size) <= width:
            continue
        annotation["text"] = _wrapped(text, size, width)
    # x-axis titles of side-by-side panels too.
    for name, axis in layout.items():
        if not re.fullmatch(r"xaxis\d*", name) or not isinstance(axis, dict):
            continue
        title = axis.get("title")
        if not isinstance(title, dict) or not isinstance(title.get("text"), str):
            continue
        domain = axis.get("domain", (0.0, 1.0))
        size = float(title.get("font", {}).get("size", font))
        width = NARROW_FIGURE_PX * (domain[1] - domain[0])
        if _text_px(title["text"], size) > width:
            title["text"] = _wrapped(title["text"], size, width)
    # Titles over the top row live in the top margin: it must hold all their lines. What the
    # margin gains, the figure gains too, so the plot keeps its height.
    needed_top = 0.0
    for annotation in layout.get("annotations", []):
        text = annotation.get("text")
        on_top = annotation.get("yanchor") == "bottom" and annotation.get("y", 0) >= top - 1e-9
        if isinstance(text, str) and on_top and annotation.get("yref", "paper") == "paper":
            size = float(annotation.get("font", {}).get("size", font))
            lines = text.count("<br>") + 1
            needed_top = max(needed_top, lines * _LINE_HEIGHT * size + _TITLE_PAD_PX)
    margin_top = float(layout["margin"].get("t", _DEFAULT_MARGIN["t"]))
    if needed_top > margin_top:
        layout["margin"]["t"] = needed_top
        layout["height"] = layout["height"] + round(needed_top - margin_top)


def _scale_explicit_fonts(node: Any, scale: float, key: str = "") -> None:
    """Multiply the ``size`` of every font dict below ``node`` by ``scale``, in place."""
    if isinstance(node, dict):
        if _FONT_KEY.search(key) and "size" in node:
            node["size"] = _times(node["size"], scale)
        for child_key, child in node.items():
            if child_key != "size" or not _FONT_KEY.search(key):
                _scale_explicit_fonts(child, scale, child_key)
    elif isinstance(node, (list, tuple)):
        for child in node:
            _scale_explicit_fonts(child, scale, key)


def _times(size: Any, scale: float) -> Any:
    if isinstance(size, (int, float, np.ndarray)):
        return size * scale
    if isinstance(size, dict) and "bdata" in size and "dtype" in size:
        # A per-point size array, base64-encoded by plotly's to_dict.
        values = np.frombuffer(base64.b64decode(size["bdata"]), dtype=size["dtype"])
        return values.astype(float) * scale
    if isinstance(size, (list, tuple)):
        return [_times(item, scale) for item in size]
    return size


def _ensure_size(owner: dict, path: tuple[str, ...], size: float) -> None:
    """Set ``owner[path...]["size"]`` to ``size`` unless the figure already sets it."""
    node = owner
    for step in path:
        node = node.setdefault(step, {})
        if isinstance(node, str):  # e.g. a bare title string: plotly's shorthand for {"text": ...}
            return
    node.setdefault("size", size)


def _cartesian_axes(fig: go.Figure) -> set[str]:
    """Layout names of the cartesian axes the traces draw on (``{"xaxis", "yaxis2"}``...)."""
    names = set()
    for trace in fig.data:
        for letter in "xy":
            if f"{letter}axis" in trace:
                reference = trace[f"{letter}axis"] or letter
                names.add(f"{letter}axis{reference[1:]}")
    return names


def _set_theme_sizes(layout: dict, used_axes: set[str], scale: float) -> None:
    """Give explicit, enlarged sizes to the text whose unset size the chart theme fixes."""
    sizes = {role: size * scale for role, size in THEME_TEXT_SIZES.items()}
    layout.setdefault("font", {}).setdefault("size", sizes["font"])
    if isinstance(layout.get("title"), str):
        layout["title"] = {"text": layout["title"]}
    _ensure_size(layout, ("title", "font"), sizes["title"])
    _ensure_size(layout, ("legend", "font"), sizes["legend"])
    _ensure_size(layout, ("legend", "title", "font"), sizes["legend_title"])
    _ensure_size(layout, ("hoverlabel", "font"), sizes["hover"])

    axis_names = {key for key in layout if re.fullmatch(r"[xy]axis\d*", key)}
    axis_names.update(used_axes)
    for name in sorted(axis_names):
        axis = layout.setdefault(name, {})
        if isinstance(axis.get("title"), str):
            axis["title"] = {"text": axis["title"]}
        _ensure_size(axis, ("tickfont",), sizes["tick"])
        _ensure_size(axis, ("title", "font"), sizes["axis_title"])
        axis["automargin"] = True

    for name in [key for key in layout if re.fullmatch(r"coloraxis\d*", key)]:
        colorbar = layout[name].setdefault("colorbar", {})
        _ensure_size(colorbar, ("tickfont",), sizes["colorbar_tick"])
        _ensure_size(colorbar, ("title", "font"), sizes["colorbar_title"])


def _scale_annotation_offsets(annotations: list[dict], scale: float) -> None:
    """Pixel offsets of annotations grow with their text, so it keeps clear of its anchor."""
    for annotation in annotations:
        for key in ("xshift", "yshift"):
            if isinstance(annotation.get(key), (int, float)):
                annotation[key] = annotation[key] * scale
        pixel_arrow = annotation.get("axref", "pixel") == "pixel"
        if annotation.get("showarrow", True) and pixel_arrow:
            for key in ("ax", "ay"):
                if isinstance(annotation.get(key), (int, float)):
                    annotation[key] = annotation[key] * scale


def _domains(layout: dict, letter: str) -> list[tuple[float, float]]:
    """Paper intervals the subplots occupy along ``letter`` ("x" or "y"), merged where they meet."""
    intervals = []
    for key, value in layout.items():
        if re.fullmatch(rf"{letter}axis\d*", key) and isinstance(value, dict):
            if value.get("overlaying") or value.get("anchor") == "free":
                continue
            intervals.append(tuple(value.get("domain", (0.0, 1.0))))
        elif re.fullmatch(r"scene\d*", key) and isinstance(value, dict):
            intervals.append(tuple(value.get("domain", {}).get(letter, (0.0, 1.0))))
    merged: list[list[float]] = []
    for low, high in sorted((float(low), float(high)) for low, high in intervals):
        if merged and low <= merged[-1][1] + 1e-9:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [(low, high) for low, high in merged]


class _PaperMap:
    """A piecewise-linear map of paper coordinates: old subplot edges to their new places.

    Inside [0, 1] the breakpoints are the subplot edges; outside, positions keep their distance
    in pixels from the plot area (``outside`` is old plot size / new plot size).
    """

    def __init__(self, old: list[float], new: list[float], outside: float) -> None:
        self.old, self.new, self.outside = np.asarray(old), np.asarray(new), outside

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return value
        if value > 1:
            return 1 + (value - 1) * self.outside
        if value < 0:
            return value * self.outside
        return float(np.interp(value, self.old, self.new))


def _paper_map(
    intervals: list[tuple[float, float]], scale: float, *, stretch_plot: bool
) -> tuple[_PaperMap, float]:
    """The map that widens the gaps between ``intervals`` by ``scale``; and the plot's growth.

    With ``stretch_plot`` (rows: the figure can grow taller) the subplots keep their size in
    pixels and the plot area grows by the extra gap; otherwise (columns: the width is fixed)
    the subplots shrink to make room, keeping at least ``_MIN_WIDTH_KEPT`` of their size.
    """
    if len(intervals) < 2:
        return _PaperMap([0.0, 1.0], [0.0, 1.0], 1.0), 1.0
    gaps = [intervals[i + 1][0] - intervals[i][1] for i in range(len(intervals) - 1)]
    lengths = [high - low for low, high in intervals]
    total_gap, total_length = sum(gaps), sum(lengths)
    if stretch_plot:
        growth = 1 + (scale - 1) * total_gap
        gap_factor, length_factor = scale / growth, 1 / growth
        edge_factor = 1 / growth
    else:
        growth = 1.0
        wanted_gap = total_gap * scale
        room = total_gap + total_length
        wanted_gap = min(wanted_gap, room - _MIN_WIDTH_KEPT * total_length)
        gap_factor = wanted_gap / total_gap if total_gap > 0 else 1.0
        length_factor = (room - total_gap * gap_factor) / total_length if total_length else 1.0
        edge_factor = 1.0
    old, new = [0.0], [0.0]
    position = intervals[0][0] * edge_factor
    for index, (low, high) in enumerate(intervals):
        if index:
            position += gaps[index - 1] * gap_factor
        old += [low, high]
        new += [position, position + (high - low) * length_factor]
        position = new[-1]
    old.append(1.0)
    new.append(1.0)
    return _PaperMap(old, new, 1 / growth), growth


def _map_span(owner: dict, center_key: str, length_key: str, anchor: str, paper: _PaperMap) -> None:
    """Move a span given by its anchor position and length (colour bars) through ``paper``."""
    if center_key not in owner and length_key not in owner:
        return
    position = float(owner.get(center_key, 0.5))
    length = float(owner.get(length_key, 1.0))
    start = {"bottom": position, "top": position - length}.get(anchor, position - length / 2)
    low, high = paper(start), paper(start + length)
    owner[length_key] = high - low
    owner[center_key] = {"bottom": low, "top": high}.get(anchor, (low + high) / 2)


def _stretch_subplot_gaps(spec: dict, scale: float) -> None:
    """Grow the top/bottom margins and the gaps between subplots with the text (in place)."""
    layout = spec["layout"]
    margin = layout.setdefault("margin", {})
    old_height = float(layout.get("height") or _DEFAULT_HEIGHT)
    old_margin = {side: float(margin.get(side, _DEFAULT_MARGIN[side])) for side in ("t", "b")}
    for side in ("t", "b"):
        if side in margin:
            margin[side] = old_margin[side] * scale
    new_margin = {side: float(margin.get(side, _DEFAULT_MARGIN[side])) for side in ("t", "b")}
    old_plot = max(old_height - old_margin["t"] - old_margin["b"], 1.0)

    across, _ = _paper_map(_domains(layout, "x"), scale, stretch_plot=False)
    down, growth = _paper_map(_domains(layout, "y"), scale, stretch_plot=True)
    layout["height"] = round(new_margin["t"] + new_margin["b"] + old_plot * growth)

    for key, value in layout.items():
        if not isinstance(value, dict):
            continue
        if re.fullmatch(r"[xy]axis\d*", key):
            paper = across if key[0] == "x" else down
            if "domain" in value:
                value["domain"] = [paper(edge) for edge in value["domain"]]
            if "position" in value:
                value["position"] = (down if key[0] == "x" else across)(value["position"])
        elif re.fullmatch(r"scene\d*", key) and "domain" in value:
            for letter, paper in (("x", across), ("y", down)):
                if letter in value["domain"]:
                    value["domain"][letter] = [paper(edge) for edge in value["domain"][letter]]
        elif re.fullmatch(r"coloraxis\d*", key) and "colorbar" in value:
            _move_colorbar(value["colorbar"], across, down)

    layouts = [layout] + [frame["layout"] for frame in spec.get("frames", []) if "layout" in frame]
    for frame_layout in layouts:
        for annotation in frame_layout.get("annotations", []):
            if annotation.get("xref", "paper") == "paper":
                annotation["x"] = across(annotation.get("x", 0.5))
            if annotation.get("yref", "paper") == "paper":
                annotation["y"] = down(annotation.get("y", 0.5))
        for shape in frame_layout.get("shapes", []):
            for letter, paper in (("x", across), ("y", down)):
                if shape.get(f"{letter}ref") == "paper":
                    for end in ("0", "1"):
                        if f"{letter}{end}" in shape:
                            shape[f"{letter}{end}"] = paper(shape[f"{letter}{end}"])
    for key in ("legend", *(f"{name}s" for name in ("slider", "updatemenu"))):
        items = layout.get(key)
        for item in items if isinstance(items, list) else [items] if items else []:
            if "x" in item:
                item["x"] = across(item["x"])
            if "y" in item:
                item["y"] = down(item["y"])
    for trace in spec.get("data", []):
        for owner in (trace, trace.get("marker") or {}):
            if isinstance(owner.get("colorbar"), dict):
                _move_colorbar(owner["colorbar"], across, down)


def _legend_names(data: list[dict]) -> list[str]:
    """The entries a figure's legend shows (one per legend group), in trace order."""
    names, groups = [], set()
    for trace in data:
        if trace.get("showlegend") is False or not trace.get("name"):
            continue
        group = trace.get("legendgroup")
        if group:
            if group in groups:
                continue
            groups.add(group)
        names.append(str(trace["name"]))
    return names


def _below_x_axis_px(layout: dict) -> float:
    """Height under the plot taken by the x axes' tick labels and titles (the tallest)."""
    tallest = 0.0
    for name, axis in layout.items():
        if not re.fullmatch(r"xaxis\d*", name) or not isinstance(axis, dict):
            continue
        if axis.get("side") == "top" or axis.get("visible") is False:
            continue
        lines = axis.get("tickfont", {}).get("size", layout["font"]["size"]) * _LINE_HEIGHT
        title = axis.get("title") or {}
        if isinstance(title, dict) and title.get("text"):
            rows = title["text"].count("<br>") + 1
            lines += rows * title.get("font", {}).get("size", layout["font"]["size"]) * _LINE_HEIGHT
        tallest = max(tallest, lines + _X_AXIS_GAPS_PX)
    return tallest


def _fit_legend_below(spec: dict) -> None:
    """Give a horizontal legend under the plot the bottom margin its enlarged rows need.

    Plotly keeps the plot's height and lets a legend that wraps into more rows than the margin
    holds run past the bottom of the figure. The rows are counted at :data:`NARROW_FIGURE_PX`.
    """
    layout = spec["layout"]
    legend = layout.get("legend") or {}
    if legend.get("orientation") != "h" or float(legend.get("y", 1.0)) >= 0:
        return
    names = _legend_names(spec.get("data", []))
    if not names:
        return
    size = float(legend.get("font", {}).get("size", layout["font"]["size"]))
    rows, used = 1, 0.0
    for name in names:
        width = _text_px(name, size) + _LEGEND_SYMBOL_PX
        if used and used + width > NARROW_FIGURE_PX:
            rows, used = rows + 1, 0.0
        used += width
    margin = layout.setdefault("margin", {})
    height = float(layout.get("height") or _DEFAULT_HEIGHT)
    top = float(margin.get("t", _DEFAULT_MARGIN["t"]))
    bottom = float(margin.get("b", _DEFAULT_MARGIN["b"]))
    plot = max(height - top - bottom, 1.0)
    # The legend keeps clear of the enlarged tick labels and title of the x axes above it.
    clear = _below_x_axis_px(layout)
    if -float(legend["y"]) * plot < clear:
        legend["y"] = -clear / plot
    needed = -float(legend["y"]) * plot + rows * size * _LINE_HEIGHT + 2 * _TITLE_PAD_PX
    if needed > bottom:
        margin["b"] = round(needed)
        layout["height"] = round(height + needed - bottom)


def _move_colorbar(colorbar: dict, across: _PaperMap, down: _PaperMap) -> None:
    if colorbar.get("orientation", "v") == "h":
        if colorbar.get("lenmode", "fraction") == "fraction":
            _map_span(colorbar, "x", "len", _ANCHOR.get(colorbar.get("xanchor"), ""), across)
        if "y" in colorbar:
            colorbar["y"] = down(colorbar["y"])
        return
    if colorbar.get("lenmode", "fraction") == "fraction":
        _map_span(colorbar, "y", "len", _ANCHOR.get(colorbar.get("yanchor"), ""), down)
    if "x" in colorbar:
        colorbar["x"] = across(colorbar["x"])


# Colour-bar anchors named as spans: where the anchor sits on the bar.
_ANCHOR = {"bottom": "bottom", "top": "top", "left": "bottom", "right": "top"}
