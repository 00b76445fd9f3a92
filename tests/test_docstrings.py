"""The `>>>` examples in the layer, model and metric docstrings run and print what they claim."""

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import zoo  # noqa: F401
import keras

import zoo.layers
import zoo.metrics
import zoo.models

MODULES = sorted(
    info.name
    for package in (zoo.layers, zoo.models, zoo.metrics)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if ">>>" in (importlib.util.find_spec(info.name).loader.get_source(info.name) or "")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    results = doctest.testmod(module, extraglobs={"keras": keras}, optionflags=doctest.ELLIPSIS, verbose=False)
    assert results.attempted > 0
    assert results.failed == 0, f"{results.failed} docstring example(s) of {name} failed (see output above)"
