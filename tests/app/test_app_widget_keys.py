"""Widget keys must be unique across pages.

Streamlit keeps a widget's value in session state under its key, so a key shared by two pages
carries a value from one page into the other when the user navigates (a rank of 8 chosen on
one page landed in another page's rank slider whose maximum is 3). Each page therefore
prefixes its keys; this test keeps it that way.
"""

import ast
from collections import defaultdict
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"


def _literal_keys(path: Path) -> set[str]:
    keys = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if (
                    keyword.arg == "key"
                    and isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, str)
                ):
                    keys.add(keyword.value.value)
    return keys


def test_no_widget_key_is_used_on_two_pages():
    owners = defaultdict(list)
    for page in sorted(PAGES_DIR.glob("*.py")):
        for key in _literal_keys(page):
            owners[key].append(page.name)
    shared = {key: pages for key, pages in owners.items() if len(pages) > 1}
    assert not shared, f"widget keys used on more than one page: {shared}"


def test_the_key_scan_sees_every_page():
    # Guards the test above against a parser that silently finds nothing.
    scanned = {
        page.name: _literal_keys(page)
        for page in PAGES_DIR.glob("*.py")
        if not page.name.startswith("_")
    }
    assert len(scanned) == 7
    assert all(scanned.values()), [name for name, keys in scanned.items() if not keys]
