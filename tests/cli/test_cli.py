"""The ``neurona`` command line: train / evaluate / predict / datasets / plot, run folders, and
one-line errors with exit status 2 for bad input. Commands run in-process through
``neurona.cli.main`` (fast); one real subprocess checks ``python -m neurona``."""

import html
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from neurona.cli import main  # noqa: E402

from ..helpers import run_cli as _run, saved_model_predictions  # noqa: E402

BOSTON_METRICS = ("loss", "mae", "mse", "rmse", "r2")


# -- train: the run folder ------------------------------------------------------------------------
def test_boston_run_folder_holds_valid_files(boston_run):
    import yaml

    import neurona as keras

    names = set(os.listdir(boston_run))
    assert {"model.neurona", "history.csv", "metrics.json", "config.yaml", "report.html",
            "learning_curves.png", "predicted_vs_actual.png", "residuals.png", "logs"} <= names
    model = keras.saving.load_model(boston_run / "model.neurona")
    assert [layer.units for layer in model.layers if hasattr(layer, "units")] == [32, 16, 1]
    metrics = json.loads((boston_run / "metrics.json").read_text())
    assert metrics["task"] == "regression" and metrics["epochs_run"] == 4
    assert all(np.isfinite(metrics["test"][k]) for k in BOSTON_METRICS)
    assert set(metrics) >= {"train", "validation", "test"}
    lines = (boston_run / "history.csv").read_text().strip().splitlines()
    assert lines[0].split(",")[:2] == ["epoch", "loss"] and len(lines) == 5
    for png in ("learning_curves", "predicted_vs_actual", "residuals"):
        data = (boston_run / f"{png}.png").read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 1000
    events = [f for _, _, files in os.walk(boston_run / "logs") for f in files]
    assert any(f.startswith("events.out.tfevents") for f in events)
    report = (boston_run / "report.html").read_text()
    assert report.count("<img") == 3 and 'src="data:image/png;base64,' in report
    assert f"{metrics['test']['mae']:.6g}" in report and "medv" in report
    config = yaml.safe_load((boston_run / "config.yaml").read_text())
    assert config["layers"][0]["units"] == 32 and config["target"] == "medv"


def test_predict_on_raw_rows_matches_the_loaded_model_and_encoder(boston_run, data_dir, tmp_path,
                                                                  capsys):
    import pandas as pd

    from neurona.data import read_table
    from neurona.saving.api import load_preprocessing

    raw = read_table(data_dir / "boston_housing.csv").drop(columns=["medv"]).head(25)
    raw.to_csv(tmp_path / "new.csv", index=False)
    code, out, _ = _run(capsys, "predict", boston_run, tmp_path / "new.csv", "-o",
                        tmp_path / "pred.csv")
    assert code == 0 and "25 predictions" in out
    got = pd.read_csv(tmp_path / "pred.csv")
    assert list(got.columns) == ["predicted_medv"]
    want = saved_model_predictions(boston_run / "model.neurona", raw)
    np.testing.assert_allclose(got["predicted_medv"].to_numpy(), want, rtol=1e-6)
    assert load_preprocessing(boston_run / "model.neurona")["data"]["file"] == \
        "boston_housing.csv"


def test_evaluate_a_run_folder(boston_run, data_dir, tmp_path, capsys):
    code, out, _ = _run(capsys, "evaluate", boston_run, data_dir / "boston_housing.csv", "--json",
                        "-o", tmp_path / "m.json")
    assert code == 0
    result = json.loads(out)
    assert result["rows"] == 506 and set(BOSTON_METRICS) <= set(result["metrics"])
    assert json.loads((tmp_path / "m.json").read_text()) == result
    code, out, _ = _run(capsys, "evaluate", boston_run / "model.neurona",
                        data_dir / "boston_housing.csv")
    assert code == 0 and "506 rows" in out and "r2" in out


def test_caravan_classification_run(data_dir, tmp_path, capsys):
    """The imbalanced case (6% buyers): at 0.5 the network predicts no buyer at all; the
    threshold chosen on the validation rows finds some, and predict decides with it."""
    import pandas as pd

    from neurona.evaluation import choose_threshold
    from neurona.saving.api import load_preprocessing

    out = tmp_path / "caravan"
    code, stdout, _ = _run(capsys, "train", data_dir / "caravan_customers.csv", "--target",
                           "Purchase", "--epochs", "2", "--batch-size", "256", "--out", out, "-v")
    assert code == 0, stdout
    assert "binary" in stdout and "Epoch 2/2" in stdout and "roc_auc" in stdout
    assert "'Yes' is only 6.0% of the rows" in stdout and "--class-weight balanced" in stdout
    assert "class 1" not in stdout and "class_weight='balanced'" not in stdout
    for png in ("learning_curves", "confusion_matrix", "roc_curve", "precision_recall_curve"):
        assert (out / f"{png}.png").stat().st_size > 1000
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["classes"] == ["No", "Yes"] and metrics["task"] == "binary"
    assert sum(metrics["rows"].values()) == 5822
    assert np.asarray(metrics["confusion_matrix"]).sum() == metrics["rows"]["test"]
    assert 0.0 <= metrics["test"]["roc_auc"] <= 1.0 and "accuracy" in metrics["test"]
    assert metrics["test"]["recall_Yes"] > 0  # at 0.5: 0, no buyer is ever predicted
    test = metrics["test"]
    assert test["balanced_accuracy"] == pytest.approx((test["recall_No"] + test["recall_Yes"]) / 2)
    # the threshold maximizes F1 on the validation rows, as choose_threshold computes it
    from neurona.cli import config as C, pipeline
    from neurona.saving import load_model

    threshold = metrics["threshold"]
    assert threshold["metric"] == "f1" and 0 < threshold["value"] < 0.5
    assert load_preprocessing(out / "model.neurona")["threshold"] == threshold
    prepared = pipeline.prepare(C.validate({"data": str(data_dir / "caravan_customers.csv"),
                                            "target": "Purchase"}))
    model = load_model(out / "model.neurona")
    p_val = model.predict(prepared.x["validation"], verbose=0)[:, 0]
    assert threshold["value"] == pytest.approx(
        choose_threshold(prepared.y["validation"], p_val)["threshold"])
    p_test, y_test = model.predict(prepared.x["test"], verbose=0)[:, 0], prepared.y["test"]
    recall_at_half = np.sum((p_test >= 0.5) & (y_test == 1)) / np.sum(y_test == 1)
    assert recall_at_half < test["recall_Yes"] == pytest.approx(
        np.sum((p_test >= threshold["value"]) & (y_test == 1)) / np.sum(y_test == 1))
    report = (out / "report.html").read_text()
    assert "decision threshold" in report and f"{threshold['value']:.4g}" in report
    assert "class balance (train rows)" in report and "&#x27;Yes&#x27;: 208 (6.0%)" in report
    rows = pd.read_csv(data_dir / "caravan_customers.csv").head(400)
    rows.to_csv(tmp_path / "rows.csv", index=False)  # the target column is simply ignored
    code, _, _ = _run(capsys, "predict", out, tmp_path / "rows.csv", "-o", tmp_path / "p.csv")
    got = pd.read_csv(tmp_path / "p.csv")
    assert code == 0 and list(got.columns) == ["probability_No", "probability_Yes",
                                                "predicted_Purchase"]
    np.testing.assert_allclose(got["probability_No"] + got["probability_Yes"], 1.0, atol=1e-6)
    np.testing.assert_allclose(got["probability_Yes"],
                               saved_model_predictions(out / "model.neurona", rows), rtol=1e-6)
    decided = saved_model_predictions(out / "model.neurona", rows) >= threshold["value"]
    assert (decided == (got["predicted_Purchase"] == "Yes")).all() and decided.any()
    code, shown, _ = _run(capsys, "evaluate", out, tmp_path / "rows.csv", "--json")
    assert code == 0 and json.loads(shown)["threshold"] == threshold["value"]


def test_a_class_never_found_is_said_in_the_console_and_the_report(data_dir, tmp_path, capsys):
    out = tmp_path / "caravan"
    code, stdout, _ = _run(capsys, "train", data_dir / "caravan_customers.csv", "--target",
                           "Purchase", "--epochs", "1", "--batch-size", "512", "--layers", "4",
                           "--threshold", "0.99", "--out", out, "--no-tensorboard")
    assert code == 0
    line = "the model finds none of the 70 'Yes' of the 1,165 test rows (recall 0 for 'Yes')"
    assert f"warning: {line}" in stdout and "--class-weight balanced" in stdout
    assert html.escape(line) in (out / "report.html").read_text()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["threshold"]["metric"] == "fixed" and metrics["threshold"]["value"] == 0.99
    assert metrics["test"]["recall_Yes"] == 0 and metrics["warnings"][0].startswith(line)


@pytest.mark.filterwarnings("default::neurona.data.MissingValueWarning")
def test_multiclass_text_target_with_a_missing_cell(tmp_path, capsys):
    import pandas as pd

    rng = np.random.default_rng(0)
    x = rng.normal(size=(150, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    frame["colour"] = rng.choice(["red", "blue"], len(frame))
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[x.argmax(axis=1)]
    frame.loc[7, "a"] = np.nan
    frame.to_csv(tmp_path / "flowers.csv", index=False)
    code, out, err = _run(capsys, "train", tmp_path / "flowers.csv", "--target", "species",
                          "--epochs", "2", "--out", tmp_path / "run", "--no-early-stopping")
    assert code == 0 and "multiclass" in out
    assert err.startswith("neurona: warning: TabularEncoder.") and "replaced missing numeric" in err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["classes"] == ["setosa", "versicolor", "virginica"]
    assert np.shape(metrics["confusion_matrix"]) == (3, 3)
    code, _, _ = _run(capsys, "predict", tmp_path / "run", tmp_path / "flowers.csv", "-o",
                      tmp_path / "p.csv", "--with-input")
    got = pd.read_csv(tmp_path / "p.csv")
    assert code == 0 and list(got.columns)[-4:] == [
        "probability_setosa", "probability_versicolor", "probability_virginica",
        "predicted_species"]
    assert list(got.columns)[:5] == list(frame.columns) and len(got) == 150
    probs = got.iloc[:, -4:-1].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    names = np.array(["setosa", "versicolor", "virginica"])
    assert (names[probs.argmax(axis=1)] == got["predicted_species"].to_numpy()).all()


def test_model_files_carry_optional_preprocessing(tmp_path):
    import neurona as keras
    from neurona.saving.api import load_preprocessing

    model = keras.Sequential([keras.layers.Dense(1, input_shape=[2])])
    model.save(tmp_path / "plain.neurona")
    assert load_preprocessing(tmp_path / "plain.neurona") is None
    keras.saving.save_model(model, tmp_path / "with.neurona", preprocessing={"scale": [1.5, 2.0]})
    assert load_preprocessing(tmp_path / "with.neurona") == {"scale": [1.5, 2.0]}
    assert keras.saving.load_model(tmp_path / "with.neurona").count_params() == 3
    with pytest.raises(TypeError, match="preprocessing must be a JSON-ready dict"):
        keras.saving.save_model(model, tmp_path / "bad.neurona", preprocessing=[1])
    with pytest.raises(ValueError, match="cannot be written as JSON"):
        keras.saving.save_model(model, tmp_path / "bad.neurona", preprocessing={"f": print})
    assert not (tmp_path / "bad.neurona").exists()

def test_log_target_transform_trains_on_logs_and_reports_in_target_units(data_dir, tmp_path,
                                                                           capsys):
    import pandas as pd

    import neurona as keras
    from neurona.data import TabularEncoder, read_table
    from neurona.saving.api import load_preprocessing

    out = tmp_path / "cars"
    code, _, _ = _run(capsys, "train", data_dir / "used_car_prices.csv", "--target", "price",
                      "--target-transform", "log", "--epochs", "3", "--layers", "16",
                      "--no-tensorboard", "--out", out, "-q")
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["target_transform"] == "log"
    frame = read_table(data_dir / "used_car_prices.csv")
    code, _, _ = _run(capsys, "predict", out, data_dir / "used_car_prices.csv", "-o",
                      tmp_path / "pred.csv")
    predicted = pd.read_csv(tmp_path / "pred.csv")["predicted_price"].to_numpy()
    assert code == 0
    model = keras.saving.load_model(out / "model.neurona")
    encoder = TabularEncoder.from_config(load_preprocessing(out / "model.neurona")["encoder"])
    network = model.predict(encoder.transform(frame), verbose=0)[:, 0].astype(np.float64)
    np.testing.assert_allclose(predicted, np.exp(network), rtol=1e-6)  # dollars, not logs
    code, stdout, _ = _run(capsys, "evaluate", out, data_dir / "used_car_prices.csv", "--json")
    found = json.loads(stdout)["metrics"]
    price = frame["price"].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(found["mae"], np.abs(price - predicted).mean(), rtol=1e-5)
    # the network's own loss stays in its units: the MSE of log-prices
    np.testing.assert_allclose(found["loss"], np.mean((np.log(price) - network) ** 2), rtol=1e-4)
    config = yaml_load(out / "config.yaml")
    assert config["target_transform"] == "log"


def yaml_load(path):
    import yaml

    return yaml.safe_load(path.read_text())


# -- bad input: one line on stderr, exit status 2 -------------------------------------------------
def _write(path, text):
    path.write_text(text)
    return path


BAD_CSV = {
    "missing file": (None, "no such file"),
    "empty file": ("", "the file is empty"),
    "header only": ("a,b,y\n", "no data rows"),
    "non-numeric cell": ("a,b,y\n1,2,0.5\n3,4,1.5\n5,x7,2.5\n6,8,3.5\n7,9,4.5\n",
                         "column 'b' is numeric except 'x7' at data row 2 (line 4)"),
    "ragged rows": ("a,b,y\n1,2,3\n4,5\n6,7,8\n", "line 3 has 2 field(s) but the header has 3"),
    "one class": ("a,b,y\n1,2,yes\n3,4,yes\n5,6,yes\n", "single value 'yes'"),
    "missing target column": ("a,b,price\n1,2,3\n4,5,6\n", "no target column 'y'"),
}
BAD_LOG_TARGET = "a,y\n" + "".join(f"{i},{i % 7}.5\n" for i in range(30)) + "30,0\n"


@pytest.mark.parametrize("case", list(BAD_CSV))
def test_bad_csv_is_one_line_and_exit_2(case, tmp_path, capsys):
    text, expected = BAD_CSV[case]
    path = tmp_path / "data.csv"
    if text is not None:
        _write(path, text)
    code, _, err = _run(capsys, "train", path, "--target", "y", "--out", tmp_path / "run")
    assert code == 2
    assert err.startswith("neurona: error: ") and err.count("\n") == 1, err
    assert expected in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()
    assert [p.name for p in tmp_path.iterdir()] == (["data.csv"] if text is not None else [])


def test_log_of_a_zero_target_is_one_line_and_exit_2(tmp_path, capsys):
    path = _write(tmp_path / "data.csv", BAD_LOG_TARGET)
    code, _, err = _run(capsys, "train", path, "--target", "y", "--target-transform", "log",
                        "--out", tmp_path / "run")
    assert code == 2 and err.count("\n") == 1, err
    assert "target_transform='log' needs values above 0" in err and "log1p" in err
    assert not (tmp_path / "run").exists()


def test_misspelled_target_gets_a_suggestion(tmp_path, capsys):
    path = _write(tmp_path / "data.csv", "a,b,price\n1,2,3\n4,5,6\n")
    code, _, err = _run(capsys, "train", path, "--target", "prize")
    assert code == 2 and "did you mean 'price'" in err


BAD_YAML = {
    "python tag": ("data: d.csv\ntarget: !!python/object/apply:os.system ['echo hi']\n",
                   "the YAML tag !!python/object/apply:os.system is refused"),
    "unknown key": ("data: d.csv\ntarget: y\nfit: {epochs: 2, bach_size: 8}\n",
                    "unknown key fit.bach_size; did you mean 'batch_size'?"),
    "unknown section": ("data: d.csv\ntarget: y\ncallback: {}\n",
                        "unknown key config.callback; did you mean 'callbacks'?"),
    "bad value": ("data: d.csv\ntarget: y\nlayers: [64, -3]\n",
                  "layers[1].units must be an integer >= 1, got -3"),
    "invalid yaml": ("data: [d.csv\n", "invalid YAML"),
    "not a mapping": ("- a\n- b\n", "must be a mapping"),
    "no target": ("data: d.csv\n", "needs 'target'"),
    "split too large": ("data: d.csv\ntarget: y\nsplit: {validation: 0.5, test: 0.5}\n",
                        "must leave rows to train on"),
    "unknown target transform": ("data: d.csv\ntarget: y\ntarget_transform: lgo\n",
                                 "target_transform must be null or one of log, log1p, "
                                 "standardize, got 'lgo'; did you mean 'log'?"),
    "transform of classes": ("data: d.csv\ntarget: y\ntask: binary\ntarget_transform: log\n",
                             "target_transform: log applies to regression targets, but task is "
                             "binary"),
    # issue 18, items 7 and 14: bounded by the file's size, named
    "billion laughs": ("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                       + "".join(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join(
                           [f"*{chr(96 + i)}"] * 9) + "]\n" for i in range(1, 9)),
                       "invalid YAML at line 2: the alias *a is refused"),
    "one alias": ("data: &d d.csv\ntarget: *d\n", "the alias *d is refused"),
    "deeply nested": ("data: " + "[" * 5000 + "]" * 5000 + "\n",
                      "the YAML nests deeper than 64 levels"),
    "huge value": ("data: d.csv\ntarget: [" + "1, " * 100_000 + "1]\n",
                   "target must be a non-empty string, got [1, 1, 1, 1, 1, 1, 1, 1, ...]"),
}


@pytest.mark.parametrize("case", list(BAD_YAML))
def test_bad_yaml_is_one_line_and_exit_2(case, tmp_path, capsys):
    text, expected = BAD_YAML[case]
    path = _write(tmp_path / "run.yaml", text)
    code, _, err = _run(capsys, "train", path)
    assert code == 2 and err.count("\n") == 1 and expected in err, err


def test_a_yaml_file_that_is_not_utf8_is_named(tmp_path, capsys):
    path = tmp_path / "run.yaml"
    path.write_bytes("data: caf\xe9.csv\ntarget: y\n".encode("latin-1"))
    code, _, err = _run(capsys, "train", path)
    assert code == 2 and err.count("\n") == 1, err
    assert f"{path}: the file is not UTF-8 text (byte 0xe9 at line 1); save it as UTF-8" in err


def test_bad_options_and_model_paths(tmp_path, capsys):
    csv = _write(tmp_path / "d.csv", "a,y\n1,2\n3,4\n")
    code, _, err = _run(capsys, "train", csv)
    assert code == 2 and "--target COLUMN is required" in err
    code, _, err = _run(capsys, "train", csv, "--target", "y", "--layers", "64,x")
    assert code == 2 and "--layers must be a comma-separated list of integers" in err
    code, _, err = _run(capsys, "predict", tmp_path / "nothing", csv)
    assert code == 2 and "no such model file or run folder" in err
    code, _, err = _run(capsys, "evaluate", tmp_path, csv)
    assert code == 2 and "no model.neurona in this folder" in err
    code, _, err = _run(capsys, "predict", csv, csv)
    assert code == 2 and "cannot tell the format" in err and "'.neurona'" in err
    code, _, err = _run(capsys, "datasets", "describe", "bostn_housing")
    assert code == 2 and "did you mean 'boston_housing'" in err
    code, _, err = _run(capsys, "train", csv, "--target", "y", "--epochs", "many")
    assert code == 2 and "invalid int value" in err


def test_debug_shows_the_traceback(tmp_path):
    from neurona.data import DataError

    with pytest.raises(DataError, match="the file is empty"):
        main(["train", str(_write(tmp_path / "d.csv", "")), "--target", "y", "--debug"])


# -- run folders -----------------------------------------------------------------------------------
def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_failing_run_never_touches_an_earlier_run_folder(data_dir, tmp_path, capsys,
                                                           monkeypatch):
    from neurona.cli import pipeline

    earlier = tmp_path / "run"
    earlier.mkdir()
    _write(earlier / "metrics.json", '{"test": {"mae": 1.0}}')
    _write(earlier / "model.neurona", "earlier model")
    before = _snapshot(earlier)
    boston = data_dir / "boston_housing.csv"
    code, _, err = _run(capsys, "train", boston, "--target", "medv", "--out", earlier)
    assert code == 2 and "exists and is not empty" in err and "--overwrite" in err

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash while building the model")

    monkeypatch.setattr(pipeline, "build_model", crash)
    code, _, err = _run(capsys, "train", boston, "--target", "medv", "--out", earlier,
                        "--overwrite", "--epochs", "1")
    assert code == 1 and "simulated crash" in err and "--debug" in err
    monkeypatch.undo()
    bad = _write(tmp_path / "bad.csv", "a,b,medv\n1,2\n")
    code, _, _ = _run(capsys, "train", bad, "--target", "medv", "--out", earlier, "--overwrite")
    assert code == 2
    assert _snapshot(earlier) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "run"]  # no temporaries

    code, _, _ = _run(capsys, "train", boston, "--target", "medv", "--out", earlier,
                      "--overwrite", "--epochs", "1", "--no-tensorboard", "-q")
    assert code == 0 and "logs" not in os.listdir(earlier)
    assert json.loads((earlier / "metrics.json").read_text())["epochs_run"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "run"]


def test_yaml_run_with_default_folder_under_runs(data_dir, tmp_path, capsys, monkeypatch):
    import yaml

    import neurona as keras

    (tmp_path / "conf").mkdir()
    config = {
        "data": os.path.relpath(data_dir / "boston_housing.csv", tmp_path / "conf"),
        "target": "medv",
        "columns": {"drop": ["black"], "categorical": ["chas"]},
        "split": {"validation": 0.15, "test": 0.15, "seed": 3},
        "layers": [{"units": 16, "activation": "tanh", "dropout": 0.1}, 8],
        "compile": {"optimizer": "rmsprop", "learning_rate": 0.01, "loss": "mae"},
        "fit": {"epochs": 50, "batch_size": 64},
        "callbacks": {"early_stopping": {"patience": 2}, "tensorboard": False},
    }
    _write(tmp_path / "conf" / "run.yaml", yaml.safe_dump(config))
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "train", "conf/run.yaml", "--epochs", "3", "-q")
    assert code == 0, err
    (run,) = (tmp_path / "runs").iterdir()
    assert run.name.endswith("-boston_housing") and str(run.relative_to(tmp_path)) in out
    model = keras.saving.load_model(run / "model.neurona")
    assert model.loss.get_config()["name"] == "mean_absolute_error"
    assert type(model.optimizer).__name__ == "RMSprop"
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "Dense",
                                                                "Dense"]
    saved = yaml.safe_load((run / "config.yaml").read_text())
    assert saved["fit"]["epochs"] == 3 and saved["columns"]["drop"] == ["black"]
    assert saved["callbacks"]["tensorboard"] is None and "logs" not in os.listdir(run)
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["rows"] == {"train": 354, "validation": 76, "test": 76}
    # the saved configuration runs again as it is
    code, _, err = _run(capsys, "train", run / "config.yaml", "--out", tmp_path / "again", "-q")
    assert code == 0, err
    again = json.loads((tmp_path / "again" / "metrics.json").read_text())
    assert again["test"] == pytest.approx(metrics["test"])


# -- other commands --------------------------------------------------------------------------------
def test_datasets_command(tmp_path, capsys):
    code, out, _ = _run(capsys, "datasets")
    assert code == 0 and "boston_housing" in out and "caravan_customers" in out
    code, out, _ = _run(capsys, "datasets", "describe", "mnist")
    assert code == 0 and json.loads(out)["target"] == "label"
    code, _, _ = _run(capsys, "datasets", "export", "mnist", "-o", tmp_path / "mnist.csv")
    header = (tmp_path / "mnist.csv").read_text().splitlines()[0].split(",")
    assert code == 0 and len(header) == 785 and header[-1] == "label"
    code, _, err = _run(capsys, "datasets", "export", "mnist", "-o", tmp_path / "mnist.csv")
    assert code == 2 and "already exists" in err


@pytest.mark.parametrize("kind", ["activations", "optimizers", "learning-rate"])
def test_plot_command(kind, tmp_path, capsys):
    path = tmp_path / f"{kind}.png"
    code, out, _ = _run(capsys, "plot", kind, "-o", path)
    assert code == 0 and "wrote" in out
    assert path.read_bytes().startswith(b"\x89PNG")


def test_python_dash_m_neurona_help():
    done = subprocess.run([sys.executable, "-m", "neurona", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    for command in ("train", "evaluate", "predict", "datasets", "plot"):
        assert command in done.stdout


def test_layer_l1_l2_keys_regularize_the_kernels(data_dir):
    from neurona.cli import config as C, pipeline

    config = C.validate({"data": str(data_dir / "boston_housing.csv"), "target": "medv",
                         "layers": [{"units": 8, "l2": 0.01}, {"units": 4, "l1": 0.001}]})
    prepared = pipeline.prepare(config)
    model, _ = pipeline.build_model(config, prepared)
    dense = [layer for layer in model.layers if hasattr(layer, "units")]
    assert dense[0].kernel_regularizer.get_config() == {"l1": 0.0, "l2": 0.01}
    assert dense[1].kernel_regularizer.get_config() == {"l1": 0.001, "l2": 0.0}
    assert dense[2].kernel_regularizer is None
    with pytest.raises(C.CLIError, match="layers\\[0\\].l2 must be a number >= 0.0"):
        C.validate({"data": "x.csv", "target": "y", "layers": [{"units": 8, "l2": -1}]})


def test_export_and_serve_commands_check_their_input(tmp_path, capsys):
    import neurona as keras

    model = keras.Sequential([keras.layers.Dense(1, input_shape=[2])])
    model.save(tmp_path / "plain.keras")  # a Keras file: no preprocessing, feature arrays in
    code, out, _ = _run(capsys, "export", tmp_path / "plain.keras", "-o", tmp_path / "p.onnx")
    assert code == 0 and "takes feature arrays" in out and (tmp_path / "p.onnx").exists()
    code, _, err = _run(capsys, "export", tmp_path / "missing", "--format", "onnx")
    assert code == 2 and "no such model file or run folder" in err
    code, _, err = _run(capsys, "export", tmp_path / "plain.keras", "--format", "tflite")
    assert code == 2 and "invalid choice" in err
    code, _, err = _run(capsys, "serve", tmp_path / "plain.keras", "--port", "0")
    assert code == 2 and "--port must be in 1..65535" in err
    code, _, err = _run(capsys, "serve", tmp_path / "plain.keras", "--port", "8123")
    assert code == 2 and "carries no encoder" in err


def test_absurd_layer_sizes_are_one_line_and_exit_2(tmp_path, capsys):
    rows = "".join(f"{i % 7},{i % 5},{i * 0.5}\n" for i in range(60))
    path = _write(tmp_path / "d.csv", "a,b,y\n" + rows)
    code, _, err = _run(capsys, "train", path, "--target", "y", "--task", "regression",
                        "--layers", "100000000000", "--out", tmp_path / "run")
    assert code == 2 and err.count("\n") == 1, err
    assert "out of memory (Unable to allocate" in err and "reduce the layer sizes" in err
    assert not (tmp_path / "run").exists()


def test_a_csv_field_over_the_csv_limit_is_one_line_and_exit_2(tmp_path, capsys):
    path = _write(tmp_path / "d.csv", 'a,y\n1,2\n"' + "x" * 200_000 + "\n3,4\n")
    code, _, err = _run(capsys, "train", path, "--target", "y")
    assert code == 2 and err.count("\n") == 1, err
    assert "d.csv: line 3 cannot be read (field larger than field limit (131072)" in err
