"""nmf_lab.url_values: any link text resolves without raising to a setting the control accepts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmf_lab.url_values import (
    QUOTE_CHARS,
    ChoiceSpec,
    NumberSpec,
    TextSpec,
    ToggleSpec,
    escape_markdown,
    format_number,
    last_value,
    parse_number,
    quote,
)

SEED = NumberSpec(0, 2**31 - 1, 0, 1, integer=True)
RANK = NumberSpec(1, 64, 20, 1, integer=True, on_grid=True)
NOISE = NumberSpec(0.0, 0.3, 0.05, 0.05, on_grid=True)
POINTS = NumberSpec(10, 1000, 150, 10, integer=True, on_grid=True)
BASIS_ENTRY = NumberSpec(-5.0, 5.0, 1.0, 0.1)
SOLVER = ChoiceSpec(("mu", "hals", "anls", "als"), "hals", {"Multiplicative updates": "mu"})
WEIGHT = ChoiceSpec(("0", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"), "1", numeric=True)
LECTURE = ToggleSpec(False)
TERMS = TextSpec("0 0 0.5", max_chars=300)
SPECS = [SEED, RANK, NOISE, POINTS, BASIS_ENTRY, SOLVER, WEIGHT, LECTURE, TERMS]

NOT_NUMBERS = ["inf", "-inf", "nan", "NaN", "1e309", "-1e309", "", " ", "junk", "½", "0x10"]
HOSTILE = [*NOT_NUMBERS, str(10**40), "-" + "9" * 5000]

raw_values = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.lists(st.text(max_size=20), max_size=4),
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(10**50), max_value=10**50).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: type(spec).__name__)
@settings(max_examples=150, deadline=None)
@given(raw=raw_values)
def test_any_link_text_resolves_to_a_valid_setting(spec, raw):
    resolution = spec.resolve(raw)
    assert spec.is_valid(resolution.value), resolution
    # The URL text, read back, gives the same setting, silently (it is what the URL will hold).
    again = spec.resolve(resolution.text)
    assert again.value == resolution.value and again.note == ""
    # No URL text for the default: defaults stay out of the URL, as Streamlit keeps them.
    assert (resolution.text is None) == (resolution.value == spec.resolve(None).value)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: type(spec).__name__)
@settings(max_examples=100, deadline=None)
@given(raw=st.text(max_size=40))
def test_a_setting_that_is_changed_is_always_explained(spec, raw):
    resolution = spec.resolve(raw)
    exact = spec.resolve(resolution.text)
    if resolution.value != exact.value or spec.is_valid(raw):
        return
    # The link asked for something the control cannot show as written...
    if isinstance(spec, NumberSpec):
        number = parse_number(raw, integer=spec.integer)
        if spec.integer and isinstance(number, float) and number.is_integer():
            number = int(number)
        if number is not None and spec.is_valid(number):
            return  # another spelling of a valid number ("07", "7.0")
    if isinstance(spec, ToggleSpec) and raw.strip().casefold() in {
        "1",
        "0",
        "yes",
        "no",
        "on",
        "off",
        "true",
        "false",
    }:
        return
    if isinstance(spec, ChoiceSpec) and spec.numeric:
        number = parse_number(raw)
        if number is not None and any(parse_number(o) == number for o in spec.options):
            return
    # ...so the reader is told.
    assert resolution.note, (raw, resolution)


@pytest.mark.parametrize("text", [*NOT_NUMBERS, ["1", "2", "inf"]])
def test_hostile_seed_values_give_the_default_seed_and_say_so(text):
    resolution = SEED.resolve(text)
    assert resolution.value == 0 and resolution.text is None
    assert "the default 0 is shown" in resolution.note


@pytest.mark.parametrize(
    ("spec", "raw", "value", "phrase"),
    [
        (RANK, "80", 64, "the largest allowed here is 64, so 64 is shown"),
        (RANK, "0", 1, "the smallest allowed here is 1, so 1 is shown"),
        (SEED, "-5", 0, "the smallest allowed here is 0"),
        (SEED, str(2**40), 2**31 - 1, "the largest allowed here is 2147483647"),
        (SEED, str(10**40), 2**31 - 1, "the largest allowed here is 2147483647"),
        (SEED, "7.6", 8, "this control takes whole numbers, so 8 is shown"),
        (NOISE, "0.16", 0.15, "this control moves in steps of 0.05, so 0.15 is shown"),
        (NOISE, "0.31", 0.3, "the largest allowed here is 0.3"),
        (POINTS, "155", 160, "steps of 10, so 160 is shown"),
        (POINTS, "5000", 1000, "the largest allowed here is 1000"),
        (BASIS_ENTRY, "0.123", 0.123, None),
        (BASIS_ENTRY, "7", 5.0, "the largest allowed here is 5"),
    ],
)
def test_stale_numbers_open_at_the_nearest_valid_setting(spec, raw, value, phrase):
    resolution = spec.resolve(raw)
    assert resolution.value == value
    assert resolution.text == (None if value == spec.default else format_number(value))
    if phrase is None:
        assert resolution.note == ""
    else:
        assert phrase in resolution.note and quote(raw) in resolution.note


def test_step_snapping_gives_clean_decimals():
    resolution = NumberSpec(-3.0, 3.0, 0.0, 0.1, on_grid=True).resolve("0.33")
    assert resolution.value == 0.3 and resolution.text == "0.3"
    assert NumberSpec(-1.0, 1.0, 1.0, 0.05, on_grid=True).resolve("-0.9").value == -0.9


def test_a_grid_whose_last_step_overshoots_stops_below_the_maximum():
    spec = NumberSpec(10, 95, 10, 10, integer=True, on_grid=True)
    assert spec.resolve("95").value == 90


def test_equivalent_spellings_of_a_valid_value_are_silent():
    for raw in ["07", "7.0", " 7 ", "+7", "7e0"]:
        resolution = SEED.resolve(raw)
        assert (resolution.value, resolution.text, resolution.note) == (7, "7", "")


def test_integers_beyond_float_precision_stay_exact():
    spec = NumberSpec(0, 2**60, 0, 1, integer=True)
    assert spec.resolve(str(2**53 + 1)).value == 2**53 + 1


def test_renamed_and_misspelt_options_find_their_current_name():
    renamed = SOLVER.resolve("Multiplicative updates")
    assert renamed.value == "mu" and renamed.text == "mu"
    assert "which is now called 'mu'" in renamed.note
    cased = SOLVER.resolve(" HALS ")
    assert cased.value == "hals" and cased.text is None and "nearest option, 'hals'" in cased.note


def test_unknown_options_fall_back_to_the_default_and_list_the_choices():
    resolution = SOLVER.resolve("sgd")
    assert resolution.value == "hals" and resolution.text is None
    assert "not one of the options (mu, hals, anls, als)" in resolution.note
    assert "the default 'hals' is shown" in resolution.note


def test_numbers_off_a_scale_of_options_open_at_the_nearest_option():
    assert WEIGHT.resolve("0.05").value == "0.03"
    assert WEIGHT.resolve("100").value == "10"
    assert WEIGHT.resolve("0.10").note == ""  # the same number as the option "0.1"
    assert WEIGHT.resolve("nan").value == "1"


def test_toggles_read_the_usual_words_and_refuse_others():
    assert LECTURE.resolve("TRUE").value is True
    assert LECTURE.resolve("1").value is True and LECTURE.resolve("1").note == ""
    maybe = LECTURE.resolve("maybe")
    assert maybe.value is False and "neither true nor false" in maybe.note


def test_long_text_is_cut_to_the_box_length():
    resolution = TERMS.resolve("1 1 1; " * 100)
    assert len(resolution.value) == 300 and "the first 300 are used" in resolution.note
    assert TERMS.resolve("").value == "" and TERMS.resolve("").text == ""


def test_repeated_parameters_use_the_last_value_and_say_so():
    assert last_value(["1", "2", "inf"]) == ("inf", 3)
    assert last_value([]) == (None, 0)
    resolution = RANK.resolve(["3", "4"])
    assert resolution.value == 4 and "sets it 2 times, last to '4'" in resolution.note


def test_parse_number_refuses_what_is_not_a_number():
    assert parse_number("1e309") == math.inf
    assert parse_number("x") is None and parse_number("") is None
    assert parse_number("9" * 5000, integer=True) is None


def test_specs_refuse_a_default_they_cannot_show():
    with pytest.raises(ValueError, match="outside"):
        NumberSpec(0, 10, 11)
    with pytest.raises(ValueError, match="step"):
        NumberSpec(0, 10, 1, step=0)
    with pytest.raises(ValueError, match="not one of"):
        ChoiceSpec(("a", "b"), "c")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_quotes_are_short_and_markdown_is_inert(text):
    quoted = quote(text)
    assert len(quoted) <= QUOTE_CHARS + 2 and "\n" not in quoted
    escaped = escape_markdown(text)
    assert "\n" not in escaped
    # Every markdown-active character is preceded by a backslash.
    for index, char in enumerate(escaped):
        if char in "*_`[]<>$#|~":
            assert index > 0 and escaped[index - 1] == "\\", escaped
