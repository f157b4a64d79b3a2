"""Shared fixtures: ``ops`` runs a test on every backend present, ``rng`` is a seeded generator."""

import numpy as np
import pytest

from neurona import backend as backend_mod
from neurona.backend import cupy_available

BACKENDS = ["numpy"] + (["cupy"] if cupy_available() else [])


@pytest.fixture(params=BACKENDS)
def ops(request):
    """The active Ops for each available backend (numpy; cupy on a GPU machine)."""
    previous = backend_mod.backend()
    yield backend_mod.set_backend(request.param)
    backend_mod.set_backend(previous)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """The shipped Boston housing, Caravan and used-car tables exported as CSV files (for CLI
    tests)."""
    pytest.importorskip("pandas")
    from neurona.cli import main

    folder = tmp_path_factory.mktemp("data")
    for name in ("boston_housing", "caravan_customers", "used_car_prices"):
        assert main(["datasets", "export", name, "-o", str(folder / f"{name}.csv")]) == 0
    return folder


@pytest.fixture(autouse=True)
def _fixed_library_seed():
    """Every test starts from the same library seed, so failures reproduce."""
    from neurona.random import set_random_seed

    set_random_seed(42)
