"""An upload under a name the uploader does not accept gets the page's message (AppTest).

The file picker only offers the accepted types, so such a file was sent by hand. Streamlit's
own check raised while it read the widget states, before the page ran: the viewer got the
error page instead, and on every later run too. The pages now pass a MIME type with the
extensions (``upload_types``), which leaves the check to them (``checked_upload``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from apptest_support import assert_clean, open_page
from streamlit.elements.lib.file_uploader_utils import (
    enforce_filename_restriction,
    normalize_upload_file_type,
)
from streamlit.errors import StreamlitAPIException

from app_pages._shared import upload_types

PAGES_DIR = Path(__file__).resolve().parents[2] / "app_pages"
GOOD_CSV = b"1,2\n3,4\n5,6\n"


def test_point_clouds_says_which_files_it_reads_and_keeps_the_last_good_cloud():
    # The images, choosing_r and nmf_vs_svd_pca pages use the same two helpers (checked below).
    at = open_page("app_pages/point_clouds.py", query={"pc_source": "Upload CSV"})
    at.file_uploader(key="pc_upload").set_value(("good.csv", GOOD_CSV, "text/csv")).run()
    assert_clean(at)
    # Other bytes under a wrong name (equal bytes would be the same, already good, input).
    at.file_uploader(key="pc_upload").set_value(("evil.exe", b"1,2\n3,4\n5,7\n", "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "Could not use **evil.exe**: this page reads .csv, .txt or .tsv files, not .exe files"
    ]
    assert any("Showing **good.csv**: 3 points in 2-D" in c.value for c in at.caption)
    assert at.get("file_uploader"), "the uploader stays on the page"


def test_streamlit_leaves_the_name_check_to_the_app_when_a_mime_type_is_listed():
    # The mechanism upload_types relies on (Streamlit 1.67): extensions alone are checked by
    # Streamlit, before the page runs; with a MIME type among them they are not.
    with pytest.raises(StreamlitAPIException):
        enforce_filename_restriction("evil.exe", normalize_upload_file_type(["csv", "txt"]))
    enforce_filename_restriction("evil.exe", normalize_upload_file_type(upload_types(["csv"])))


def _uploader_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "file_uploader"
    ]


@pytest.mark.parametrize("page", sorted(PAGES_DIR.glob("*.py")), ids=lambda p: p.stem)
def test_every_uploader_takes_upload_types_and_its_page_checks_the_name(page):
    tree = ast.parse(page.read_text(encoding="utf-8"))
    calls = _uploader_calls(tree)
    for call in calls:
        type_arg = next(k.value for k in call.keywords if k.arg == "type")
        assert isinstance(type_arg, ast.Call) and type_arg.func.id == "upload_types", page.name
    if calls:
        used = {
            n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and hasattr(n.func, "id")
        }
        assert "checked_upload" in used, page.name
