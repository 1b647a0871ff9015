"""The wheel of a plain ``pip install .`` holds the whole library and the app's package.

``make run`` and ``make test`` install the project in editable mode, which imports straight from
the work tree and so hides a package that the wheel leaves out (the wheel once had no
``nmf_core/figures/`` at all). These tests build the real wheel and look inside it, then install
it away from the work tree and import every module from there.

The wheel is built from a copy of the work tree, not in place: an in-place build writes
``build/`` into the checkout, and setuptools reuses that folder, so a module deleted from the
tree would still ride along in the next wheel and hide the very gap these tests look for.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("nmf_core", "nmf_lab")
# What a checkout holds besides the project: never copied into the build folder.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "test-artifacts",
)


def package_sources() -> list[str]:
    """Every ``.py`` file of the two packages in the work tree, as wheel paths (``a/b.py``)."""
    files = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "__pycache__" not in path.parts:
                files.append(path.relative_to(ROOT).as_posix())
    return sorted(files)


def package_modules() -> list[str]:
    """Dotted names of every module and package of the work tree (``nmf_lab.figures.style``)."""
    names = []
    for file in package_sources():
        parts = file.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return sorted(names)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the project's wheel offline, with the setuptools of this environment."""
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out = work / "dist"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_scan_sees_both_packages():
    # Guards the tests below against a glob that silently finds nothing.
    sources = package_sources()
    for package in PACKAGES:
        assert f"{package}/__init__.py" in sources
    assert any(file.startswith("nmf_lab/figures/") for file in sources)
    assert any(file.startswith("nmf_lab/lessons/") for file in sources)


def test_every_package_file_is_in_the_wheel(wheel):
    missing = sorted(set(package_sources()) - wheel_names(wheel))
    assert not missing, f"not in {wheel.name}: {missing}"


def test_the_wheel_holds_no_tests_benchmarks_or_pages(wheel):
    stray = sorted(
        name
        for name in wheel_names(wheel)
        if name.split("/")[0] in {"tests", "benchmarks", "app_pages", "app.py", "assets"}
    )
    assert not stray, stray


def test_the_installed_wheel_imports_every_module_outside_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    modules = package_modules()
    # `-S` skips site-packages' .pth files, so the editable install of the checkout (a .pth
    # import hook) cannot answer for the wheel; the third-party packages are still found
    # through PYTHONPATH. The child checks that every module really came from the wheel.
    script = "\n".join(
        [
            "import importlib, sys",
            f"target = {str(target)!r}",
            f"for name in {modules!r}:",
            "    module = importlib.import_module(name)",
            "    assert module.__file__.startswith(target), (name, module.__file__)",
            "print(len(sys.modules))",
        ]
    )
    path = [str(target), *site.getsitepackages()]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    env.pop("PYTHONHOME", None)
    completed = subprocess.run(
        [sys.executable, "-S", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def test_a_module_missing_from_the_wheel_is_caught(tmp_path):
    # The import check above must be able to fail: without the editable hook, a module that is
    # not under the target folder cannot be imported from a folder outside the checkout.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *site.getsitepackages()])}
    completed = subprocess.run(
        [sys.executable, "-S", "-c", "import nmf_lab"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode != 0
    assert "ModuleNotFoundError" in completed.stderr
