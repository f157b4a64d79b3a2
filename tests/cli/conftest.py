"""Fixtures of the command-line tests: one small Boston housing run folder, shared."""

import pytest


@pytest.fixture(scope="session")
def boston_run(data_dir, tmp_path_factory):
    """A ``neurona train`` run folder: Boston housing, 4 epochs, layers 32 and 16, units k$."""
    pytest.importorskip("matplotlib")
    from neurona.cli import main

    out = tmp_path_factory.mktemp("runs") / "boston"
    code = main(["train", str(data_dir / "boston_housing.csv"), "--target", "medv", "--epochs",
                 "4", "--layers", "32,16", "--target-units", "k$", "--out", str(out), "-q"])
    assert code == 0
    return out
