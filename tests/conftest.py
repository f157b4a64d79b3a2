"""Shared fixtures: ``ops`` runs a test on every backend present, ``rng`` is a seeded generator.

``pytest --backend strict`` runs every test on the strict test backend (NumPy behind an array
type that refuses to mix with NumPy arrays, as CuPy's does): host/device mixing in the library
then fails the tests that reach it, without a GPU.
"""

import numpy as np
import pytest

from neurona import backend as backend_mod
from neurona.backend import cupy_available


def pytest_addoption(parser):
    parser.addoption("--backend", default="numpy", choices=("numpy", "strict"),
                     help="the array backend every test runs on (default numpy)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--backend") == "numpy":
        return
    for item in items:
        marker = item.get_closest_marker("numpy_semantics")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"needs NumPy arrays: {marker.args[0]}"))


def _backends(config):
    chosen = config.getoption("--backend")
    return [chosen] + (["cupy"] if chosen == "numpy" and cupy_available() else [])


def pytest_generate_tests(metafunc):
    if "ops" in metafunc.fixturenames:
        metafunc.parametrize("ops", _backends(metafunc.config), indirect=True)


@pytest.fixture
def ops(request):
    """The active Ops for each backend of the run (numpy, and cupy on a GPU machine; strict
    alone under ``--backend strict``)."""
    previous = backend_mod.backend()
    yield backend_mod.set_backend(request.param)
    backend_mod.set_backend(previous)


@pytest.fixture(autouse=True)
def _run_backend(request):
    """Every test starts on the run's backend and ends on it, whatever it switched to."""
    chosen = request.config.getoption("--backend")
    backend_mod.set_backend(chosen)
    yield
    backend_mod.set_backend(chosen)


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
