"""``neurona predict`` and ``neurona evaluate``: missing columns named, predictions without
float noise, and the saved decision threshold checked before use."""

import re

import numpy as np
import pytest

pytest.importorskip("pandas")

from ..helpers import run_cli as _run, saved_model_predictions  # noqa: E402


def _rows(data_dir, tmp_path, drop=("medv",), n=12):
    import pandas as pd

    raw = pd.read_csv(data_dir / "boston_housing.csv").drop(columns=list(drop)).head(n)
    raw.to_csv(tmp_path / "rows.csv", index=False)
    return raw, tmp_path / "rows.csv"


def test_a_missing_column_is_named_with_the_columns_the_model_reads(boston_run, data_dir,
                                                                    tmp_path, capsys):
    _, path = _rows(data_dir, tmp_path, drop=("medv", "crim", "tax"))
    code, _, err = _run(capsys, "predict", boston_run, path)
    assert code == 2 and err.count("\n") == 1
    assert "the model needs the columns 'crim', 'tax', missing from the data" in err
    assert "the model reads the columns crim, zn, indus" in err
    assert "TabularEncoder" not in err


def test_predictions_have_the_digits_float32_holds(boston_run, data_dir, tmp_path, capsys):
    raw, path = _rows(data_dir, tmp_path)
    code, out, _ = _run(capsys, "predict", boston_run, path)
    assert code == 0
    values = out.strip().splitlines()[1:]
    assert all(len(re.sub(r"[-.]|e.*", "", v).lstrip("0")) <= 7 for v in values), values
    got = np.array([float(v) for v in values])
    np.testing.assert_allclose(got, saved_model_predictions(boston_run / "model.neurona", raw),
                               rtol=1e-6)


def test_a_tampered_threshold_is_refused(boston_run, data_dir, tmp_path, capsys):
    import neurona as keras
    from neurona.saving.api import load_preprocessing

    model = keras.saving.load_model(boston_run / "model.neurona")
    record = load_preprocessing(boston_run / "model.neurona")
    record.update(task="binary", classes=["a", "b"], threshold={"value": "1; rm -rf"})
    keras.saving.save_model(model, tmp_path / "bad.neurona", preprocessing=record)
    _, path = _rows(data_dir, tmp_path)
    code, _, err = _run(capsys, "predict", tmp_path / "bad.neurona", path)
    assert code == 2 and "the saved decision threshold must be a record whose 'value' is a number" in err


def _scale_crim(record, value):
    record["encoder"]["fitted"]["features"][0]["scale"] = value


def _drop_categories(record, value):
    chas = next(f for f in record["encoder"]["fitted"]["features"] if f["kind"] == "categorical")
    del chas["categories"]


@pytest.mark.parametrize("tamper, message", [
    (lambda r: _scale_crim(r, "big"), r"numeric feature 'crim' is invalid \(\{.*'scale': 'big'"),
    (lambda r: _scale_crim(r, 0), "numeric feature 'crim' is invalid"),
    (lambda r: _drop_categories(r, None), "categorical feature 'chas' is invalid"),
    (lambda r: r["encoder"]["fitted"]["features"].append(7), r"feature 13 is invalid \(7\)"),
    (lambda r: r["encoder"]["fitted"]["target"].update(task="poetry"), "the target is invalid"),
])
def test_a_tampered_preprocessing_record_is_one_line_and_exit_2(boston_run, data_dir, tmp_path,
                                                                capsys, tamper, message):
    import neurona as keras
    from neurona.saving.api import load_preprocessing

    model = keras.saving.load_model(boston_run / "model.neurona")
    record = load_preprocessing(boston_run / "model.neurona")
    tamper(record)
    keras.saving.save_model(model, tmp_path / "bad.neurona", preprocessing=record)
    _, path = _rows(data_dir, tmp_path)
    code, _, err = _run(capsys, "predict", tmp_path / "bad.neurona", path)
    assert code == 2 and err.count("\n") == 1, err
    assert re.search(message, err) and "altered or written by another program" in err, err


def test_evaluate_reads_a_semicolon_file(boston_run, data_dir, tmp_path, capsys):
    import json

    import pandas as pd

    frame = pd.read_csv(data_dir / "boston_housing.csv")
    frame.to_csv(tmp_path / "eu.csv", sep=";", decimal=",", index=False)
    code, out, _ = _run(capsys, "evaluate", boston_run, tmp_path / "eu.csv", "--json")
    assert code == 0
    code, plain, _ = _run(capsys, "evaluate", boston_run, data_dir / "boston_housing.csv",
                          "--json")
    assert json.loads(out)["metrics"] == pytest.approx(json.loads(plain)["metrics"])


def test_with_input_repeats_the_input_columns_exactly(boston_run, data_dir, tmp_path, capsys):
    import pandas as pd

    raw, path = _rows(data_dir, tmp_path)
    raw.loc[0, "crim"] = 0.123456789012  # more digits than float32 holds
    raw.to_csv(path, index=False)
    code, _, _ = _run(capsys, "predict", boston_run, path, "--with-input", "-o",
                      tmp_path / "p.csv")
    assert code == 0
    got = pd.read_csv(tmp_path / "p.csv")
    assert got.loc[0, "crim"] == 0.123456789012
    assert list(got.columns) == list(raw.columns) + ["predicted_medv"]
