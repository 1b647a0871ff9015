"""nmf_core is a library a student imports in a notebook: numpy, scipy and threadpoolctl only."""

import json
import pkgutil
import subprocess
import sys

import nmf_core

# The app's and the tests' heavy dependencies, which no module of the library may pull in.
FORBIDDEN = ("streamlit", "plotly", "PIL", "skimage", "sklearn", "pandas")


def _library_modules() -> list[str]:
    return ["nmf_core"] + [
        module.name for module in pkgutil.walk_packages(nmf_core.__path__, prefix="nmf_core.")
    ]


def _loaded_after_importing(modules: list[str], watched: tuple[str, ...]) -> list[str]:
    """Modules of the ``watched`` top-level packages loaded by a fresh interpreter that imports
    ``modules`` (and nothing else)."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {watched!r})))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_walk_finds_the_library_modules():
    modules = _library_modules()
    for name in ("nmf_core.solvers", "nmf_core.solvers.hals", "nmf_core._blas", "nmf_core.init"):
        assert name in modules


def test_importing_every_library_module_imports_no_app_or_test_dependency():
    assert _loaded_after_importing(_library_modules(), FORBIDDEN) == []


def test_the_import_check_sees_what_a_module_pulls_in():
    # Without this the check above could pass vacuously, e.g. with a filter that never matches.
    assert "xml.dom.minidom" in _loaded_after_importing(["xml.dom.minidom"], ("xml",))
