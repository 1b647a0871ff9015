"""The shared UI glue in pages/_shared.py: download encodings and the query-string guard."""

import io

import numpy as np
import pytest

from pages._shared import _csv_bytes, _is_non_finite_number, _npy_bytes


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


@pytest.mark.parametrize("text", ["inf", "-inf", "1e309", "nan", "NaN", "-1e400"])
def test_non_finite_numbers_are_recognised(text):
    assert _is_non_finite_number(text)


@pytest.mark.parametrize("text", ["0", "-5", "1e300", "banana", "", "<script>"])
def test_finite_numbers_and_non_numbers_pass(text):
    # Non-numbers are left to Streamlit, which ignores values a widget cannot parse.
    assert not _is_non_finite_number(text)
