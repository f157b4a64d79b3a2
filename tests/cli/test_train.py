"""``neurona train`` as a new user meets it: CSV dialects, the options its errors suggest,
missing optional packages, quiet output, epochs from 1, and the threshold options."""

import json
import sys

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from ..helpers import run_cli as _run  # noqa: E402

SMALL = ["--epochs", "2", "--layers", "8", "--no-tensorboard", "-q"]


def _european(path, frame, sep):
    """``frame`` written as a spreadsheet in a comma-decimal locale exports it."""
    frame.to_csv(path, sep=sep, decimal=",", index=False)
    return path


@pytest.mark.parametrize("sep, option", [(";", None), ("\t", None), (";", ";"), ("\t", "tab")])
def test_semicolon_and_tab_separated_files_are_read(data_dir, tmp_path, capsys, sep, option):
    import pandas as pd

    frame = pd.read_csv(data_dir / "boston_housing.csv")
    path = _european(tmp_path / "boston.csv", frame, sep)
    extra = [] if option is None else ["--sep", option]
    code, out, err = _run(capsys, "train", path, "--target", "medv", *SMALL, "--out",
                          tmp_path / "run", *extra)
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert sum(metrics["rows"].values()) == 506 and metrics["task"] == "regression"
    # decimal commas are numbers: 12 numeric columns and chas, as from the comma file
    config = json.loads(json.dumps(__import__("yaml").safe_load(
        (tmp_path / "run" / "config.yaml").read_text())))
    assert len(config["columns"]["numeric"]) == 12 and config["csv"]["sep"] == \
        (None if option is None else sep)


@pytest.mark.filterwarnings("default::neurona.data.MissingValueWarning")
def test_an_error_that_suggests_na_values_names_the_option_that_exists(tmp_path, capsys):
    rows = "".join(f"{i},{i % 5},{i * 0.5}\n" for i in range(40))
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n" + rows + "41,?,3.5\n")
    code, _, err = _run(capsys, "train", path, "--target", "y", *SMALL, "--out", tmp_path / "r")
    assert code == 2 and err.count("\n") == 1
    assert "column 'b' is numeric except '?'" in err and "--na-values '?'" in err
    assert "na_values=" not in err
    code, _, err = _run(capsys, "train", path, "--target", "y", *SMALL, "--out", tmp_path / "r",
                        "--na-values", "?")
    assert code == 0, err


@pytest.mark.parametrize("module, command, extra", [
    ("pandas", ["train", "DATA", "--target", "medv"], "cli"),
    ("optuna", ["tune", "DATA", "--target", "medv"], "tune"),
    ("pandas", ["predict", "RUN", "DATA"], "cli"),
])
def test_a_missing_optional_package_names_the_extra(data_dir, boston_run, capsys, monkeypatch,
                                                    module, command, extra):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    argv = [{"DATA": data_dir / "boston_housing.csv", "RUN": boston_run}.get(a, a)
            for a in command]
    code, _, err = _run(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f'needs {module}, which is not installed: pip install "neurona[{extra}]"' in err


def test_without_matplotlib_the_plots_are_skipped_and_said_so(data_dir, tmp_path, capsys,
                                                             monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, _ = _run(capsys, "train", data_dir / "boston_housing.csv", "--target", "medv",
                        *SMALL, "--out", tmp_path / "run")
    assert code == 0
    assert 'Plots skipped: matplotlib is not installed (pip install "neurona[plot]")' in out
    assert not list((tmp_path / "run").glob("*.png"))
    assert "No plots: matplotlib is not installed" in (tmp_path / "run" / "report.html").read_text()


def test_quiet_output_starts_with_the_results_and_shows_mape_in_percent(data_dir, tmp_path,
                                                                      capsys):
    code, out, _ = _run(capsys, "train", data_dir / "boston_housing.csv", "--target", "medv",
                        *SMALL, "--out", tmp_path / "run")
    assert code == 0
    assert out.startswith("2 epochs") and "Epoch" not in out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert f"mape              {metrics['test']['mape']:.4g}%\n" in out


def test_history_csv_counts_epochs_from_one(boston_run):
    rows = (boston_run / "history.csv").read_text().strip().splitlines()
    assert [row.split(",")[0] for row in rows] == ["epoch", "1", "2", "3", "4"]


def test_progress_is_one_line_per_epoch_with_verbose_only(data_dir, tmp_path, capsys):
    code, out, _ = _run(capsys, "train", data_dir / "boston_housing.csv", "--target", "medv",
                        "--epochs", "3", "--layers", "8", "--no-tensorboard", "-v", "--out",
                        tmp_path / "run")
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert "ETA" in lines[0] and "ETA" not in lines[-1]


@pytest.mark.parametrize("options, metric", [
    # a floor the 5-epoch model reaches on the validation rows
    (["--threshold-metric", "recall_at_precision", "--min-precision", "0.15", "--epochs", "5"],
     "recall_at_precision"),
    (["--threshold-metric", "precision_at_recall", "--min-recall", "0.5", "--epochs", "3"],
     "precision_at_recall"),
    (["--threshold-metric", "balanced_accuracy", "--epochs", "3"], "balanced_accuracy"),
])
def test_threshold_metrics_are_chosen_on_the_validation_rows(data_dir, tmp_path, capsys,
                                                             options, metric):
    from neurona.cli import config as C, pipeline
    from neurona.evaluation import choose_threshold
    from neurona.saving import load_model

    out = tmp_path / "run"
    code, text, err = _run(capsys, "train", data_dir / "caravan_customers.csv", "--target",
                           "Purchase", "--batch-size", "256", *options,
                           "--no-tensorboard", "--out", out)
    assert code == 0, err
    threshold = json.loads((out / "metrics.json").read_text())["threshold"]
    assert threshold["metric"] == metric
    prepared = pipeline.prepare(C.validate({"data": str(data_dir / "caravan_customers.csv"),
                                            "target": "Purchase"}))
    scores = load_model(out / "model.neurona").predict(prepared.x["validation"], verbose=0)
    floors = {"recall_at_precision": {"min_precision": 0.15},
              "precision_at_recall": {"min_recall": 0.5}}.get(metric, {})
    want = choose_threshold(prepared.y["validation"], scores[:, 0], metric, **floors)
    assert threshold["value"] == pytest.approx(want["threshold"])
    assert threshold["validation"]["recall"] == pytest.approx(want["recall"])
    assert f"Decision threshold {threshold['value']:.4g}" in text


@pytest.mark.parametrize("yaml_text, message", [
    ("threshold: {metric: recall_at_precision}\n",
     "threshold.metric: recall_at_precision needs threshold.min_precision (--min-precision"),
    ("threshold: {min_recall: 0.5}\n",
     "threshold.min_recall is used by threshold.metric: precision_at_recall, but the metric "
     "is f1"),
    ("threshold: {metric: fixed, value: 1.5}\n",
     "threshold.value must be a number >= 0.0 and <= 1.0, got 1.5"),
    ("threshold: {metric: best}\n", "threshold.metric must be one of f1, balanced_accuracy"),
    ("compile: {optimizer: adam, momentum: 0.9}\n", "compile.momentum applies to optimizer: sgd"),
])
def test_bad_threshold_and_compile_keys_are_one_line(tmp_path, capsys, yaml_text, message):
    path = tmp_path / "run.yaml"
    path.write_text("data: d.csv\ntarget: y\n" + yaml_text)
    code, _, err = _run(capsys, "train", path)
    assert code == 2 and err.count("\n") == 1 and message in err, err


def test_an_unreachable_precision_floor_falls_back_to_f1_with_a_warning(data_dir, tmp_path,
                                                                       capsys):
    code, text, _ = _run(capsys, "train", data_dir / "caravan_customers.csv", "--target",
                         "Purchase", "--epochs", "1", "--batch-size", "512",
                         "--threshold-metric", "recall_at_precision", "--min-precision", "1.0",
                         "--no-tensorboard", "--out", tmp_path / "run")
    assert code == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["threshold"]["metric"] == "f1"
    assert any("no threshold reaches precision >= 1.0" in w for w in metrics["warnings"])
    assert "warning: threshold.metric recall_at_precision: no threshold reaches" in text
    assert np.isfinite(metrics["threshold"]["value"])


def test_a_loss_that_does_not_fit_gets_the_command_line_fix(data_dir, tmp_path, capsys):
    code, _, err = _run(capsys, "train", data_dir / "boston_housing.csv", "--target", "medv",
                        "--loss", "sparse_categorical_crossentropy", "--out", tmp_path / "r")
    assert code == 2 and err.count("\n") == 1
    assert "fix: leave out --loss sparse_categorical_crossentropy (compile.loss in YAML)" in err
    assert "TabularEncoder(" not in err
