"""The README's code runs on the shipped data: each python block, and the command-line blocks
in order in one folder (the exported CSV of one command is the input of the next)."""

import json

import numpy as np
import pytest

from .blocks import ROOT, code_blocks, commands, Services, run_command, run_python, runnable

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

README = ROOT / "README.md"
PYTHON = code_blocks(README, "python")


def _slow(code):
    return "Tuner(" in code or "neurona tune" in code


@pytest.fixture(autouse=True)
def _headless(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")


def test_the_first_snippet_standardizes_and_beats_the_mean(tmp_path, capsys):
    line, code = PYTHON[0]
    names = run_python(code, tmp_path)
    capsys.readouterr()
    x_test, y_test, y_train = names["x_test"], names["y_test"], names["y_train"]
    assert abs(float(np.mean(x_test[:, 0]))) < 1.0  # standardized inputs
    _, mae = names["model"].evaluate(x_test, y_test, verbose=0)
    assert mae < 0.6 * np.mean(np.abs(y_test - y_train.mean())), f"README line {line}"


@pytest.mark.parametrize("line, code", [pytest.param(
    line, code, marks=[pytest.mark.slow] if _slow(code) else [], id=f"line-{line}")
    for line, code in PYTHON[1:]])
# a script prints the doctor's warnings (the tuner's Caravan snippet: 6% buyers); they are no
# failure of the README's code
@pytest.mark.filterwarnings("default::neurona.TrainingSetupWarning")
def test_every_other_python_block_runs(line, code, tmp_path, capsys):
    run_python(code, tmp_path)


def _bash_commands(slow):
    found = []
    for line, code in code_blocks(README, "bash"):
        if _slow(code) == slow:
            found += [(line, command) for command in commands(code) if runnable(command)]
    return found


@pytest.mark.parametrize("slow", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_the_command_line_blocks_run_in_order(slow, tmp_path, capsys):
    ran = []
    with Services() as services:
        for line, command in _bash_commands(slow):
            code, output = run_command(command, tmp_path, services)
            assert code == 0, f"README line {line}: {command}\n{output}"
            ran.append((command, output))
    outputs = dict(ran)
    ran = [command for command, _ in ran]
    assert ran
    if not slow:
        assert "neurona predict runs/boston boston.csv -o predictions.csv" in ran
        assert any(c.startswith("neurona evaluate runs/boston") for c in ran)
        assert (tmp_path / "predictions.csv").read_text().startswith("predicted_medv\n")
        again = json.loads((tmp_path / "runs" / "boston-2" / "metrics.json").read_text())
        first = json.loads((tmp_path / "runs" / "boston" / "metrics.json").read_text())
        assert again["test"] == first["test"]  # config.yaml runs the same run again
        assert (tmp_path / "runs" / "boston" / "model.onnx").is_file()
        metadata = json.loads(outputs["curl -s localhost:8000/metadata"])
        assert metadata["target"] == "medv" and metadata["task"] == "regression"
        predicted = next(json.loads(out) for command, out in outputs.items()
                         if command.startswith("curl -s localhost:8000/predict"))
        assert len(predicted["predictions"]) == 1


def test_the_readme_says_what_the_test_command_costs():
    text = README.read_text()
    for placeholder in ("TEST_INSTALL", "FULL_TIME", "QUICK_TIME", "runs/<run>"):
        assert placeholder not in text
    assert "neurona evaluate" in text and '-m "not slow"' in text
