"""app_pages/_url_state.py: a bound widget survives any link and says what it changed.

A bare script with a bound widget reproduces what the browser does with ``?n=inf`` (the run
seeds the widget from the query-string snapshot; Streamlit 1.67 raises ``OverflowError``), so
these tests pin the one place that touches Streamlit's private state: if an upgrade moves the
snapshot, the tests below fail instead of the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from apptest_support import assert_clean, open_page
from streamlit.testing.v1 import AppTest

from app_pages._url_state import NOTICE_TITLE, spec_for

ROOT = Path(__file__).resolve().parents[2]


def _every_kind_script():
    import streamlit as st

    from app_pages._url_state import url_widget

    url_widget(st.number_input, "Seed", 0, 100, 5, key="n", bind="query-params")
    url_widget(st.slider, "Rank r", 1, 64, 20, key="r", bind="query-params")
    url_widget(st.slider, "Noise", 0.0, 0.3, 0.05, step=0.05, key="f", bind="query-params")
    url_widget(st.selectbox, "Solver", ["mu", "hals"], index=1, key="s", bind="query-params")
    url_widget(
        st.radio, "Dimension", [2, 3], format_func=lambda d: f"{d}-D", key="d", bind="query-params"
    )
    url_widget(
        st.select_slider, "l1_W", [0.0, 0.1, 1.0], value=1.0, format_func=lambda v: f"{v:g}",
        key="w", bind="query-params",
    )  # fmt: skip
    url_widget(st.toggle, "Lecture mode", value=False, key="t", bind="query-params")
    url_widget(st.text_input, "Terms", value="0 0 1", max_chars=20, key="x", bind="query-params")
    url_widget(st.tabs, ["Rank", "Cost"], key="p", bind="query-params")


def _run(query: dict) -> AppTest:
    at = AppTest.from_function(_every_kind_script, default_timeout=30)
    at.query_params.update(query)
    return at.run()


def _notes(at: AppTest) -> str:
    """The messages as the reader sees them (markdown escapes removed)."""
    return "\n".join(info.value.replace("\\", "") for info in at.info)


HOSTILE = {
    "n": "inf",
    "r": "1e309",
    "f": "nan",
    "s": "<script>",
    "d": "",
    "w": "-1e309",
    "t": "maybe",
    "x": "y" * 500,
    "p": "junk",
}


def test_a_bare_bound_number_input_still_crashes_on_inf():
    # The reason for the layer: if Streamlit stops raising here, the layer may be simplified.
    def script():
        import streamlit as st

        st.number_input("n", 0, 10, 5, key="n", bind="query-params")

    at = AppTest.from_function(script, default_timeout=30)
    at.query_params["n"] = "inf"
    at.run()
    assert at.exception  # the OverflowError (the message is redacted by the app config)


def test_every_kind_of_bound_widget_survives_hostile_values_at_once():
    at = _run(HOSTILE)
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="n").value == 5
    assert at.slider(key="r").value == 20
    assert at.slider(key="f").value == 0.05
    assert at.selectbox(key="s").value == "hals"
    assert at.radio(key="d").value == 2
    assert at.select_slider(key="w").value == 1.0
    assert at.toggle(key="t").value is False
    assert at.text_input(key="x").value == "y" * 20
    # Everything but the cut text went back to its default, and so left the URL.
    assert dict(at.query_params) == {"x": "y" * 20}
    notes = _notes(at)
    assert NOTICE_TITLE in notes
    for label in ["Seed", "Rank r", "Noise", "Solver", "Dimension", "l1_W", "Lecture mode"]:
        assert f"**{label}**" in notes, label
    assert "the first 20 are used" in notes


def test_repeated_parameters_never_reach_a_deserializer_that_raises():
    at = _run({"n": ["1", "2", "inf"], "r": ["3", "1e309"]})
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="n").value == 5 and at.slider(key="r").value == 20
    assert "sets it 3 times, last to 'inf'" in _notes(at)


def test_stale_values_open_at_the_nearest_valid_setting_and_the_url_follows():
    at = _run({"n": "-5", "r": "80", "f": "0.16", "s": "HALS", "w": "0.3", "d": "3-D"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="n").value == 0
    assert at.slider(key="r").value == 64
    assert at.slider(key="f").value == 0.15
    assert at.selectbox(key="s").value == "hals"
    assert at.select_slider(key="w").value == 0.1
    assert at.radio(key="d").value == 3
    assert at.query_params["r"] == "64" and at.query_params["f"] == "0.15"
    notes = _notes(at)
    assert "the link asks for '80'; the largest allowed here is 64, so 64 is shown" in notes
    assert "the smallest allowed here is 0, so 0 is shown" in notes
    assert "the nearest value, '0.1', is shown" in notes
    # A valid value is not mentioned.
    assert "Dimension" not in notes


def test_a_valid_link_shows_no_message():
    at = _run({"n": "7", "r": "12", "s": "mu", "t": "true"})
    assert not at.exception and not at.info
    assert at.number_input(key="n").value == 7 and at.toggle(key="t").value is True


def test_streamlit_seeds_bound_widgets_from_the_snapshot_the_layer_rewrites():
    # Pins the private access of exchange_url_value: whatever it writes is what the widget gets.
    def script():
        import streamlit as st

        from app_pages._url_state import exchange_url_value
        from nmf_lab.url_values import Resolution

        seen = exchange_url_value("n", lambda raw: Resolution(value=7, text="7"))
        st.write(f"raw={seen.value}")
        st.number_input("n", 0, 10, 5, key="n", bind="query-params")

    at = AppTest.from_function(script, default_timeout=30)
    at.query_params["n"] = "3"
    at.run()
    assert not at.exception
    assert at.number_input(key="n").value == 7
    assert at.query_params["n"] == "7"


def test_the_app_lists_what_a_stale_link_changed_at_the_top_of_the_page():
    # One run of app.py on its default page, as a browser opens the link (open_page would run
    # twice, and the second run sees the already corrected URL).
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"home_rank": "80", "seed": "-5", "lecture": "1"})
    at.run()
    assert_clean(at)
    assert at.slider(key="home_rank").value == 6
    assert at.sidebar.number_input(key="seed").value == 0
    assert at.sidebar.toggle(key="lecture").value is True
    notes = _notes(at)
    assert notes.count(NOTICE_TITLE) == 1
    assert (
        "**Rank r**: the link asks for '80'; the largest allowed here is 6, so 6 is shown" in notes
    )
    assert "**Seed**: the link asks for '-5'" in notes
    assert "Lecture" not in notes  # "1" means on: nothing to say


def test_a_renamed_option_opens_under_its_new_name():
    at = open_page("app_pages/watching_it_learn.py", query={"learn_data": "Toy cloud 2-D"})
    assert_clean(at)
    assert at.selectbox(key="learn_data").value == "cloud2"
    assert "now called 'Cloud 2-D'" in _notes(at)


@pytest.mark.parametrize(
    ("kind", "arguments"),
    [
        ("multiselect", {"label": "m", "options": ["a"]}),
        ("slider", {"label": "s", "min_value": 0, "max_value": 5, "value": (1, 2)}),
        ("slider", {"label": "s"}),
        ("selectbox", {"label": "s", "options": ["a"], "index": None}),
    ],
)
def test_a_bound_widget_the_layer_does_not_know_is_refused_loudly(kind, arguments):
    with pytest.raises(TypeError):
        spec_for(kind, arguments, "k")


def _bound_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and any(
            keyword.arg == "bind"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value == "query-params"
            for keyword in node.keywords
        ):
            yield node


def test_every_bound_widget_goes_through_url_widget():
    scripts = sorted((ROOT / "app_pages").glob("*.py"))
    calls = [(path.name, node) for path in scripts for node in _bound_calls(path)]
    assert len(calls) >= 60, len(calls)  # guards the scan
    direct = [
        f"{name}:{node.lineno}"
        for name, node in calls
        if not (isinstance(node.func, ast.Name) and node.func.id == "url_widget")
    ]
    assert not direct, f"bound widgets created without url_widget: {direct}"
