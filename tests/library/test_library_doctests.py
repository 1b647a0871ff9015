"""The examples in nmf_core's docstrings run and show what they claim."""

import doctest
import importlib
import pkgutil

import pytest

import nmf_core

MODULES = ["nmf_core"] + [
    module.name for module in pkgutil.walk_packages(nmf_core.__path__, prefix="nmf_core.")
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert failures == 0
