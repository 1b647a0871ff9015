"""check_file_extension: an upload whose name has another extension gets a message, not a crash."""

import pytest

from nmf_lab.uploads import check_file_extension

CSV_TYPES = ("csv", "txt", "tsv")


@pytest.mark.parametrize("name", ["points.csv", "POINTS.CSV", "a.b.txt", "cloud.tsv", ".csv"])
def test_names_with_an_accepted_extension_pass(name):
    check_file_extension(name, CSV_TYPES)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("evil.exe", "not .exe files"),
        ("points.csv.exe", "not .exe files"),
        ("picture.PNG", "not .png files"),
        ("points", "has no such extension"),
        ("points.csv\0.exe", "not .exe files"),
    ],
)
def test_other_names_are_refused_with_the_accepted_list(name, shown):
    with pytest.raises(ValueError, match=r"reads \.csv, \.txt or \.tsv files") as error:
        check_file_extension(name, CSV_TYPES)
    assert shown in str(error.value)


def test_a_null_byte_cannot_smuggle_a_wrong_name_past_the_check():
    with pytest.raises(ValueError):
        check_file_extension("evil.exe\0.csv", CSV_TYPES)


def test_the_message_shows_no_markup_from_the_name():
    # Pages show the message as Markdown; the extension is the sender's text.
    with pytest.raises(ValueError) as error:
        check_file_extension("x.**b**[l](javascript:1)", CSV_TYPES)
    message = str(error.value)
    assert "*" not in message and "[" not in message and "(" not in message


def test_one_extension_is_named_alone():
    with pytest.raises(ValueError, match=r"reads \.png files, not \.jpg files"):
        check_file_extension("a.jpg", ["png"])
