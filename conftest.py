"""Doctests of ``src/neurona`` (``pytest --doctest-modules src/neurona``): every example sees
``np`` (NumPy), as a reader of the docstrings assumes, runs in a fresh temporary folder (so an
example that writes ``model.neurona`` leaves nothing behind) and starts from the same library
seed. Nothing else is put in the examples' namespace: each imports what it uses."""

import numpy as np
import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _doctest_setup(request):
    if not isinstance(request.node, DoctestItem):
        return
    from neurona.random import set_random_seed

    request.getfixturevalue("doctest_namespace")["np"] = np
    request.getfixturevalue("monkeypatch").chdir(request.getfixturevalue("tmp_path"))
    set_random_seed(0)
