"""Widget keys must be unique across pages.

Streamlit keeps a widget's value in session state under its key, so a key shared by two pages
carries a value from one page into the other when the user navigates (a rank of 8 chosen on
one page landed in another page's rank slider whose maximum is 3). Each page therefore
prefixes its keys; this test keeps it that way.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = ROOT / "app_pages"


def navigation_pages() -> list[Path]:
    """The page scripts registered in ``app.py`` (every ``st.Page("app_pages/...")`` call), read
    with ``ast`` so that Streamlit does not run."""
    files = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Page"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            files.append(ROOT / node.args[0].value)
    return files


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


def test_the_navigation_lists_every_page_script():
    # Guards the test below: a page file that app.py does not register is not scanned there.
    registered = navigation_pages()
    assert len(registered) >= 7, registered
    assert len(set(registered)) == len(registered), registered
    assert all(page.exists() for page in registered), registered
    scripts = {page for page in PAGES_DIR.glob("*.py") if not page.name.startswith("_")}
    assert set(registered) == scripts


def test_the_key_scan_sees_every_page():
    # Guards the first test against a parser that silently finds nothing.
    scanned = {page.name: _literal_keys(page) for page in navigation_pages()}
    assert all(scanned.values()), [name for name, keys in scanned.items() if not keys]
