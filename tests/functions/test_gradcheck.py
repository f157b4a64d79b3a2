"""Every Function of the library passes a float64 gradient check, and none is left out."""

import importlib
import pkgutil

import numpy as np
import pytest

import neurona
from neurona.autograd import Function, gradcheck

from . import cases as cases_pkg


def _all_cases():
    found = []
    for info in pkgutil.iter_modules(cases_pkg.__path__):
        module = importlib.import_module(f"{cases_pkg.__name__}.{info.name}")
        found.extend(module.CASES)
    return found


ALL_CASES = _all_cases()


def _case_id(case):
    return case.id or case.function.__name__


def _import_every_library_module():
    for info in pkgutil.walk_packages(neurona.__path__, "neurona."):
        if info.name.startswith(("neurona.backend.cupy", "neurona.cli", "neurona.tuner",
                                 "neurona.sklearn", "neurona.plotting")):
            continue  # optional extras: they define no Function
        importlib.import_module(info.name)


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_gradient_matches_central_differences(case, ops):
    inputs = [np.array(x, dtype=np.float64) for x in case.inputs]
    assert gradcheck(case.call, inputs, eps=case.eps, atol=case.atol, rtol=case.rtol, wrt=case.wrt)


def test_every_function_has_a_gradient_check():
    _import_every_library_module()
    covered = {case.function for case in ALL_CASES}
    library = {f for f in Function.all_functions if f.__module__.startswith("neurona.")}
    missing = sorted(f"{f.__module__}.{f.__qualname__}" for f in library - covered
                     if not f.__name__.startswith("_"))
    assert not missing, f"Functions without a gradient-check case in tests/functions/cases/: {missing}"


def test_gradcheck_catches_a_wrong_gradient():
    class WrongSquare(Function):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return (g * self.x,)  # missing the factor 2

    Function.all_functions.remove(WrongSquare)
    with pytest.raises(AssertionError, match="gradcheck failed"):
        gradcheck(lambda x: WrongSquare()(x), [np.linspace(0.5, 1.5, 4)])
