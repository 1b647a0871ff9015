"""Every third-party module the app imports is declared, and the library imports only its own few.

A dependency that is installed but not declared works on every machine that happens to have it
(pandas came in with streamlit) and breaks the first install that does not. These tests read the
source with ``ast`` (nothing is imported), so they also see imports inside functions.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN_PACKAGES = {"nmf_core", "nmf_lab", "app_pages", "app", "server", "serve"}
# Import names whose distribution has another name, for when the metadata of an installed
# package does not say (the installed metadata is asked first).
IMPORT_TO_DISTRIBUTION = {
    "PIL": "pillow",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "cv2": "opencv-python",
    "dateutil": "python-dateutil",
}
# The solver library of DESIGN.md: numpy, scipy and threadpoolctl, nothing of the app.
LIBRARY_ALLOWED = {"numpy", "scipy", "threadpoolctl"}
APP_ONLY = {"streamlit", "plotly", "PIL", "skimage", "sklearn", "pandas"}


def app_sources() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "serve.py"]
    for folder in ("app_pages", "nmf_core", "nmf_lab", "server"):
        files += [p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(files)


def imported_top_names(path: Path) -> set[str]:
    """Top-level names of every absolute import in a file (``scipy.sparse`` gives ``scipy``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party(names: set[str]) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n not in OWN_PACKAGES}


def normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for requirement in project["dependencies"]:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, requirement
        names.add(normalise(match.group(0)))
    return names


@functools.cache
def installed_distributions() -> dict[str, list[str]]:
    return packages_distributions()


def distribution_of(import_name: str) -> str:
    installed = installed_distributions().get(import_name)
    if installed:
        return normalise(installed[0])
    return normalise(IMPORT_TO_DISTRIBUTION.get(import_name, import_name))


def test_the_import_scan_sees_the_code():
    # Guards the tests below against a scan that silently finds nothing.
    files = app_sources()
    assert any(p.parent.name == "app_pages" for p in files)
    assert any("nmf_lab" in p.parts for p in files)
    found = set().union(*(third_party(imported_top_names(p)) for p in files))
    assert {"numpy", "streamlit", "plotly"} <= found, found


def test_the_scan_maps_import_names_to_distributions():
    assert distribution_of("PIL") == "pillow"
    assert distribution_of("skimage") == "scikit-image"
    assert distribution_of("sklearn") == "scikit-learn"


def test_every_third_party_import_is_a_declared_dependency():
    declared = declared_dependencies()
    undeclared = {}
    for path in app_sources():
        for name in sorted(third_party(imported_top_names(path))):
            distribution = distribution_of(name)
            if distribution not in declared:
                undeclared.setdefault(distribution, []).append(path.relative_to(ROOT).as_posix())
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"


def library_imports() -> dict[str, set[str]]:
    return {
        path.relative_to(ROOT).as_posix(): third_party(imported_top_names(path))
        for path in sorted((ROOT / "nmf_core").rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def test_the_library_imports_nothing_of_the_app():
    offending = {file: sorted(names & APP_ONLY) for file, names in library_imports().items()}
    assert not {file: names for file, names in offending.items() if names}


def test_the_library_imports_only_numpy_scipy_and_threadpoolctl():
    imports = library_imports()
    assert "nmf_core/__init__.py" in imports
    offending = {file: sorted(names - LIBRARY_ALLOWED) for file, names in imports.items()}
    assert not {file: names for file, names in offending.items() if names}


def test_the_app_package_has_no_streamlit():
    offending = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "nmf_lab").rglob("*.py"))
        if "streamlit" in imported_top_names(path)
    ]
    assert not offending, offending
