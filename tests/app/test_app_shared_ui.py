"""The shared UI glue in app_pages/_shared.py: downloads and last_good (the link checks are in
test_app_url_state.py)."""

import io

import numpy as np

from app_pages._shared import _csv_bytes, _npy_bytes, input_digest


def test_npy_download_round_trips_exactly():
    matrix = np.random.default_rng(0).random((5, 3)) * 1e3
    restored = np.load(io.BytesIO(_npy_bytes(matrix)), allow_pickle=False)
    assert restored.dtype == matrix.dtype
    np.testing.assert_array_equal(restored, matrix)


def test_csv_download_keeps_eight_significant_digits_and_the_shape():
    matrix = np.random.default_rng(1).random((4, 6)) * 123.456
    restored = np.loadtxt(io.StringIO(_csv_bytes(matrix).decode()), delimiter=",")
    assert restored.shape == matrix.shape
    np.testing.assert_allclose(restored, matrix, rtol=1e-7)


# ---------------------------------------------------------------- last_good ----------------


def _last_good_script():
    import streamlit as st

    from app_pages._shared import last_good

    def parse(raw):
        st.session_state["parses"] = st.session_state.get("parses", 0) + 1
        value = int(raw)  # a ValueError for text that is not an integer
        if value < 0:
            raise ValueError(f"{value} is negative")
        return value

    raw = st.text_input("raw", key="raw")
    good = last_good(
        "slot",
        raw if raw != "none" else None,
        parse,
        name=f"box {raw}",
        kept_in_message=" Kept {name}.",
        kept_caption="Still showing {name}.",
    )
    st.markdown("nothing yet" if good is None else f"value={good.value} from {good.name}")


def _run(at, text):
    at.text_input(key="raw").input(text).run()
    assert not at.exception
    return at


def test_last_good_keeps_the_last_value_that_parsed_and_says_why_a_new_one_failed():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_last_good_script)
    _run(at.run(), "7")
    assert not at.error and at.markdown[-1].value == "value=7 from box 7"
    good = at.session_state["slot"]
    assert good.value == 7 and good.digest == input_digest("7") == input_digest(b"7")

    _run(at, "-3")
    assert [e.value for e in at.error] == ["Could not use **box -3**: -3 is negative Kept box 7."]
    assert [c.value for c in at.caption] == ["Still showing box 7."]
    assert at.markdown[-1].value == "value=7 from box 7"

    _run(at, "none")  # nothing uploaded: the last good value stays, without a message
    assert not at.error and at.markdown[-1].value == "value=7 from box 7"

    _run(at, "12")
    assert not at.error and not at.caption and at.markdown[-1].value == "value=12 from box 12"


def test_last_good_shows_the_error_alone_before_any_good_input():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_last_good_script)
    _run(at.run(), "seven")
    assert len(at.error) == 1 and "invalid literal" in at.error[0].value
    assert "Kept" not in at.error[0].value and not at.caption
    assert at.markdown[-1].value == "nothing yet"


def test_last_good_parses_the_same_bytes_once():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_last_good_script)
    _run(at.run(), "5")
    parses = at.session_state["parses"]
    at.run()
    at.run()
    assert at.session_state["parses"] == parses
    _run(at, "6")
    assert at.session_state["parses"] == parses + 1
