"""The shipped examples run and reach their stated quality."""

import importlib.util
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_boston_housing_example_beats_the_mean_baseline(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    mae = _load("boston_housing").main(["--epochs", "60", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "Test MAE" in out and "Epoch 60/60" in out
    assert mae < 3.5  # predicting the mean price gives 6.15
    assert (tmp_path / "learning_curves.png").stat().st_size > 10_000


@pytest.mark.slow
def test_mnist_cnn_with_augmentation_reaches_97_5_percent():
    accuracy = _load("mnist_cnn").main(["--epochs", "25"])
    assert accuracy >= 0.975
