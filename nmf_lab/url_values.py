"""Values from a shareable link: parse what the query string says, find the nearest valid setting.

Every page keeps its settings in the URL, so a bookmark reproduces the picture. A link can ask
for anything, though: ``?seed=inf`` typed by hand, ``?img_rank=80`` from before the maximum
changed, ``?img_solver=Multiplicative updates`` from before an option was renamed. Each spec
below describes one control as the page draws it at that moment (range, step, options) and
turns the raw URL text into a :class:`Resolution`: the setting to show, the URL text that
encodes it, and a plain-text note for the reader whenever the link did not get exactly what it
asked for.

No Streamlit here: the Streamlit layer (``app_pages/_url_state.py``) reads the raw values,
builds the specs from the widget's own arguments and shows the notes. Resolution never raises
on any input text; the value it returns is always one the control accepts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

RawValue = str | Sequence[str] | None
"""A query parameter as Streamlit holds it: absent, one text, or a list (``?k=1&k=2``)."""

# Longer number texts are not numbers anyone typed: refused without parsing (int() of a long
# digit string is quadratic, and Python refuses beyond 4300 digits anyway).
MAX_NUMBER_TEXT = 400
# How much of a raw value a note quotes.
QUOTE_CHARS = 24
# How many options a note lists before it says "…".
LISTED_OPTIONS = 10

_TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off"})
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
# What markdown (GitHub flavour, as Streamlit renders it) acts on inside one line: emphasis,
# code, links and images, HTML and entities, tables, strikethrough, headings, LaTeX ("$"), and
# the autolinks of bare URLs, "www." and e-mail addresses (broken by escaping ":", "." and "@").
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|#&:.@])")


@dataclass(frozen=True)
class Resolution:
    """The setting a link opens with.

    Attributes
    ----------
    value : Any
        The valid setting (a number, an option label, a bool or a text).
    text : str or None
        What the URL parameter should say so that the widget shows ``value``; ``None`` when
        ``value`` is the default (defaults are kept out of the URL, as Streamlit does).
    note : str
        Plain text for the reader when the link asked for something else (empty otherwise).
    """

    value: Any
    text: str | None
    note: str = ""


def quote(text: str) -> str:
    """A raw value as a note quotes it: one line, at most :data:`QUOTE_CHARS` characters."""
    one_line = " ".join(str(text).split())
    if len(one_line) > QUOTE_CHARS:
        one_line = one_line[: QUOTE_CHARS - 1] + "…"
    return f"'{one_line}'"


def escape_markdown(text: str) -> str:
    """Make ``text`` show literally in Streamlit markdown (no emphasis, links, HTML or LaTeX)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def last_value(raw: RawValue) -> tuple[str | None, int]:
    """The value Streamlit uses for a single-valued widget, and how often the link set it.

    Streamlit keeps the last of repeated parameters (``?k=1&k=2`` means 2).

    Returns
    -------
    text : str or None
        The last value, or ``None`` when the parameter is absent (or an empty list).
    count : int
        How many values the link gave.
    """
    if raw is None:
        return None, 0
    if isinstance(raw, str):
        return raw, 1
    values = [str(value) for value in raw]
    if not values:
        return None, 0
    return values[-1], len(values)


def format_number(value: float) -> str:
    """A number as the URL and the notes write it: ``5``, ``0.15``, ``2147483647``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_number(text: str, *, integer: bool = False) -> int | float | None:
    """Read a number from URL text; ``None`` when it is not one.

    Integer texts are read exactly when ``integer`` is set (``2**53 + 1`` stays itself);
    everything else goes through ``float``, so ``inf``, ``nan`` and ``1e309`` (which overflows
    to infinity) come back as non-finite floats for the caller to refuse.
    """
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_NUMBER_TEXT:
        return None
    if integer and _INTEGER_TEXT.fullmatch(stripped):
        return int(stripped)
    try:
        return float(stripped)
    except ValueError:
        return None


def _decimals(number: float) -> int:
    exponent = Decimal(repr(float(number))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _asked(text: str, count: int) -> str:
    """How a note starts: what the link asked for (the last of repeated values counts)."""
    if count > 1:
        return f"the link sets it {count} times, last to {quote(text)}"
    return f"the link asks for {quote(text)}"


@dataclass(frozen=True)
class NumberSpec:
    """A number control: a slider or a number input.

    Parameters
    ----------
    minimum, maximum : int or float
        The allowed range, both ends included.
    default : int or float
        What the control shows without a URL value.
    step : int or float or None
        The slider's step. With ``on_grid`` the value must be ``minimum + i·step``.
    integer : bool
        Whole numbers only.
    on_grid : bool
        Snap to the step grid (sliders can only stop on it; number inputs take any value).
    """

    minimum: float
    maximum: float
    default: float
    step: float | None = None
    integer: bool = False
    on_grid: bool = False

    def __post_init__(self) -> None:
        if not self.minimum <= self.default <= self.maximum:
            raise ValueError(f"default {self.default} outside [{self.minimum}, {self.maximum}]")
        if self.step is not None and not self.step > 0:
            raise ValueError(f"step must be positive, got {self.step}")

    def is_valid(self, value: Any) -> bool:
        """Whether ``value`` is a setting this control can show."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.integer and not isinstance(value, int):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if not self.minimum <= value <= self.maximum:
            return False
        return not (self.on_grid and self.step) or self._snap(value) == value

    def _result(self, value: float, note: str = "") -> Resolution:
        text = None if value == self.default else format_number(value)
        return Resolution(value=value, text=text, note=note)

    def _default(self, reason: str) -> Resolution:
        return self._result(
            self.default, f"{reason}; the default {format_number(self.default)} is shown."
        )

    def _snap(self, value: float) -> float:
        """The nearest grid point ``minimum + i·step`` in range (ties go up)."""
        if self.integer:
            quotient, remainder = divmod(int(value) - int(self.minimum), int(self.step))
            snapped = int(self.minimum) + (quotient + (2 * remainder >= self.step)) * int(self.step)
            return snapped - int(self.step) if snapped > self.maximum else snapped
        decimals = max(_decimals(self.step), _decimals(self.minimum))
        index = math.floor((value - self.minimum) / self.step + 0.5)
        snapped = round(self.minimum + index * self.step, decimals)
        if snapped > self.maximum:
            snapped = round(self.minimum + (index - 1) * self.step, decimals)
        return snapped

    def resolve(self, raw: RawValue) -> Resolution:
        """The setting a link with URL value ``raw`` opens with (never raises)."""
        text, count = last_value(raw)
        if text is None:
            return self._result(self.default)
        if not text.strip():
            return self._default("the link leaves it empty")
        asked = _asked(text, count)
        number = parse_number(text, integer=self.integer)
        if number is None or (isinstance(number, float) and math.isnan(number)):
            return self._default(f"{asked}, which is not a number")
        if isinstance(number, float) and not math.isfinite(number):
            return self._default(f"{asked}, which is not a finite number")
        reasons = []
        value: int | float = number
        if self.integer and isinstance(value, float):
            whole = math.floor(value + 0.5)
            if whole != value:
                reasons.append("this control takes whole numbers")
            value = whole
        elif not self.integer:
            value = float(value)
        if value > self.maximum:
            value = self.maximum
            reasons.append(f"the largest allowed here is {format_number(self.maximum)}")
        elif value < self.minimum:
            value = self.minimum
            reasons.append(f"the smallest allowed here is {format_number(self.minimum)}")
        if self.on_grid and self.step:
            snapped = self._snap(value)
            if abs(snapped - value) > 1e-9 * self.step:
                reasons.append(f"this control moves in steps of {format_number(self.step)}")
            value = snapped
        shown = format_number(value)
        if reasons:
            return self._result(value, f"{asked}; {', and '.join(reasons)}, so {shown} is shown.")
        if count > 1:
            return self._result(value, f"{asked}; {shown} is shown.")
        return self._result(value)


@dataclass(frozen=True)
class ChoiceSpec:
    """A control with named options: selectbox, radio, select slider, tabs.

    Parameters
    ----------
    options : tuple of str
        The option labels as the URL holds them (the shown labels, after ``format_func``).
    default : str
        The label shown without a URL value.
    aliases : mapping of str to str
        Old label -> current label, for options that were renamed (old links keep working).
    numeric : bool
        The labels are numbers on a scale (a select slider of weights): an off-scale number
        opens at the nearest one.
    """

    options: tuple[str, ...]
    default: str
    aliases: Mapping[str, str] = field(default_factory=dict)
    numeric: bool = False

    def __post_init__(self) -> None:
        if self.default not in self.options:
            raise ValueError(f"default {self.default!r} is not one of {self.options}")

    def is_valid(self, value: Any) -> bool:
        """Whether ``value`` is one of the option labels."""
        return isinstance(value, str) and value in self.options

    def _result(self, label: str, note: str = "") -> Resolution:
        return Resolution(value=label, text=None if label == self.default else label, note=note)

    def _listed(self) -> str:
        shown = ", ".join(self.options[:LISTED_OPTIONS])
        return shown + (", …" if len(self.options) > LISTED_OPTIONS else "")

    def _nearest_on_scale(self, text: str) -> str | None:
        number = parse_number(text)
        if number is None or not math.isfinite(number):
            return None
        scale = [(option, parse_number(option)) for option in self.options]
        points = [(option, value) for option, value in scale if value is not None]
        if not points:
            return None
        return min(points, key=lambda point: (abs(point[1] - number), point[1]))[0]

    def resolve(self, raw: RawValue) -> Resolution:
        """The option a link with URL value ``raw`` opens with (never raises)."""
        text, count = last_value(raw)
        if text is None:
            return self._result(self.default)
        asked = _asked(text, count)
        repeated_note = f"{asked}; {quote(text)} is shown." if count > 1 else ""
        if text in self.options:
            return self._result(text, repeated_note)
        if not text.strip():
            return self._result(
                self.default,
                f"the link leaves it empty; the default {quote(self.default)} is shown.",
            )
        renamed = self.aliases.get(text)
        if renamed in self.options:
            return self._result(
                renamed,
                f"{asked}, which is now called {quote(renamed)}; {quote(renamed)} is shown.",
            )
        folded = " ".join(text.split()).casefold()
        matches = [o for o in self.options if " ".join(o.split()).casefold() == folded]
        if len(matches) == 1:
            return self._result(
                matches[0], f"{asked}; the nearest option, {quote(matches[0])}, is shown."
            )
        nearest = self._nearest_on_scale(text) if self.numeric else None
        if nearest is not None:
            if parse_number(nearest) == parse_number(text):
                return self._result(
                    nearest, f"{asked}; {quote(nearest)} is shown." if count > 1 else ""
                )
            return self._result(
                nearest,
                f"{asked}, which is not on this scale; the nearest value, {quote(nearest)}, "
                "is shown.",
            )
        return self._result(
            self.default,
            f"{asked}, which is not one of the options ({self._listed()}); the default "
            f"{quote(self.default)} is shown.",
        )


@dataclass(frozen=True)
class ToggleSpec:
    """An on/off control (toggle or checkbox); the URL says ``true`` or ``false``."""

    default: bool

    def is_valid(self, value: Any) -> bool:
        """Whether ``value`` is a bool."""
        return isinstance(value, bool)

    def _result(self, value: bool, note: str = "") -> Resolution:
        return Resolution(
            value=value, text=None if value == self.default else str(value).lower(), note=note
        )

    def resolve(self, raw: RawValue) -> Resolution:
        """The state a link with URL value ``raw`` opens with (never raises).

        ``1``/``yes``/``on`` and ``0``/``no``/``off`` (any case) mean what they say.
        """
        text, count = last_value(raw)
        if text is None:
            return self._result(self.default)
        asked = _asked(text, count)
        word = text.strip().casefold()
        for value, words in ((True, _TRUE_WORDS), (False, _FALSE_WORDS)):
            if word in words:
                state = "on" if value else "off"
                return self._result(value, f"{asked}; it is {state}." if count > 1 else "")
        return self._result(
            self.default,
            f"{asked}, which is neither true nor false; the default "
            f"({'on' if self.default else 'off'}) is shown.",
        )


@dataclass(frozen=True)
class TextSpec:
    """A text box; any text is valid up to ``max_chars`` characters."""

    default: str
    max_chars: int | None = None

    def is_valid(self, value: Any) -> bool:
        """Whether ``value`` is a text the box accepts."""
        return isinstance(value, str) and (self.max_chars is None or len(value) <= self.max_chars)

    def _result(self, value: str, note: str = "") -> Resolution:
        return Resolution(value=value, text=None if value == self.default else value, note=note)

    def resolve(self, raw: RawValue) -> Resolution:
        """The text a link with URL value ``raw`` opens with (never raises)."""
        text, count = last_value(raw)
        if text is None:
            return self._result(self.default)
        if self.max_chars is not None and len(text) > self.max_chars:
            return self._result(
                text[: self.max_chars],
                f"the link's text has {len(text)} characters; the first {self.max_chars} are used.",
            )
        return self._result(
            text, f"the link sets it {count} times; the last one is used." if count > 1 else ""
        )


Spec = NumberSpec | ChoiceSpec | ToggleSpec | TextSpec
