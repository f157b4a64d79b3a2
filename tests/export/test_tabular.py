"""Run folders exported with their preprocessing: ONNX Runtime on raw table rows returns what
``neurona predict`` returns, for the case studies (regression with a target transform, a
binary target, a multiclass text target with categories and missing cells)."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pd = pytest.importorskip("pandas")

from neurona.export.tabular import onnx_inputs  # noqa: E402
from neurona.saving import load_preprocessing  # noqa: E402

from ..helpers import run_cli  # noqa: E402

#: the flowers table has missing cells on purpose: the CLI reports them as warnings
pytestmark = pytest.mark.filterwarnings("default::neurona.data.MissingValueWarning")


def _flowers(path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(150, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    frame["colour"] = rng.choice(["red", "blue", "green"], len(frame))
    frame["petals"] = rng.choice([3, 4, 5], len(frame))
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[x.argmax(axis=1)]
    frame.loc[7, "a"] = np.nan
    frame.loc[9, "colour"] = np.nan
    frame.to_csv(path, index=False)
    return path


CASES = {
    "boston": ("boston_housing.csv", "medv", ["--target-transform", "log"]),
    "caravan": ("caravan_customers.csv", "Purchase", ["--batch-size", "512"]),
    "cars": ("used_car_prices.csv", None, []),
    "flowers": (None, "species", ["--categorical", "petals"]),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def run(request, data_dir, tmp_path_factory):
    from neurona.cli import main

    name = request.param
    data, target, options = CASES[name]
    folder = tmp_path_factory.mktemp(name)
    path = _flowers(folder / "flowers.csv") if data is None else data_dir / data
    if target is None:
        target = pd.read_csv(path, nrows=1).columns[-1]
    code = main(["train", str(path), "--target", target, "--epochs", "2", "--out",
                 str(folder / "run"), "-q", *options])
    assert code == 0
    return folder / "run", path, target


def test_the_exported_graph_returns_what_neurona_predict_returns(run, tmp_path, capsys):
    folder, data, target = run
    code, out, _ = run_cli(capsys, "export", folder, "--format", "onnx")
    assert code == 0 and "model.onnx" in out
    raw = pd.read_csv(data).head(60)
    raw.to_csv(tmp_path / "rows.csv", index=False)
    code, _, _ = run_cli(capsys, "predict", folder, tmp_path / "rows.csv", "-o",
                         tmp_path / "pred.csv")
    assert code == 0
    want = pd.read_csv(tmp_path / "pred.csv", keep_default_na=False)
    proto = onnx.load(folder / "model.onnx")
    onnx.checker.check_model(proto, full_check=True)
    preprocessing = load_preprocessing(folder / "model.neurona")
    session = ort.InferenceSession(str(folder / "model.onnx"),
                                   providers=["CPUExecutionProvider"])
    feeds = onnx_inputs(raw, preprocessing)
    assert [i.name for i in session.get_inputs()] == list(feeds)
    got = dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))
    assert list(got) == list(want.columns)
    for column in want.columns:
        if column.startswith("predicted_") and preprocessing["task"] != "regression":
            assert [str(v) for v in got[column]] == want[column].astype(str).tolist()
        else:
            np.testing.assert_allclose(got[column], want[column], rtol=1e-5, atol=1e-6)


def test_unknown_categories_and_missing_values_follow_the_encoder(run, tmp_path):
    folder, data, target = run
    from neurona.cli.inference import load_bundle, predict_rows, prediction_frame

    model, preprocessing, encoder = load_bundle(folder)
    raw = pd.read_csv(data).head(8)
    for column in encoder.categorical_columns:
        raw[column] = raw[column].astype(object)
        raw.loc[0, column] = "never seen in training"
        raw.loc[1, column] = np.nan
    for column in encoder.numeric_columns:
        raw.loc[2, column] = np.nan
    with pytest.warns(UserWarning, match="missing"):
        want = prediction_frame(predict_rows(model, preprocessing, encoder, raw), preprocessing,
                                encoder)
    session = ort.InferenceSession(_export(folder, tmp_path), providers=["CPUExecutionProvider"])
    got = session.run(None, onnx_inputs(raw, preprocessing))
    for value, column in zip(got, want.columns):
        if column.startswith("predicted_") and preprocessing["task"] != "regression":
            assert [str(v) for v in value] == [str(v) for v in want[column]]
        else:
            np.testing.assert_allclose(value, want[column], rtol=1e-5, atol=1e-6)


def _export(folder, tmp_path):
    from neurona.cli.inference import load_bundle
    from neurona.export import export_onnx

    model, preprocessing, _ = load_bundle(folder)
    export_onnx(model, tmp_path / "m.onnx", preprocessing=preprocessing)
    return str(tmp_path / "m.onnx")


def test_a_recorded_decision_threshold_is_in_the_graph(tmp_path, data_dir):
    from neurona.cli import main
    from neurona.cli.inference import load_bundle
    from neurona.export import export_onnx

    folder = tmp_path / "run"
    assert main(["train", str(data_dir / "caravan_customers.csv"), "--target", "Purchase",
                 "--epochs", "1", "--batch-size", "512", "--out", str(folder), "-q"]) == 0
    model, preprocessing, _ = load_bundle(folder)
    raw = pd.read_csv(data_dir / "caravan_customers.csv").head(200)
    for threshold in (0.0, 1.0, 0.07):
        record = dict(preprocessing["threshold"], value=threshold)
        export_onnx(model, tmp_path / "t.onnx", preprocessing=dict(preprocessing,
                                                                   threshold=record))
        session = ort.InferenceSession(str(tmp_path / "t.onnx"),
                                       providers=["CPUExecutionProvider"])
        _, p_yes, predicted = session.run(None, onnx_inputs(raw, preprocessing))
        assert (predicted == np.where(p_yes >= threshold, "Yes", "No")).all()
    for bad in (2, {"value": 2}, {"value": "0.5"}):
        with pytest.raises(ValueError, match="threshold must be a record whose 'value' is a number"):
            export_onnx(model, tmp_path / "bad.onnx", preprocessing=dict(preprocessing,
                                                                         threshold=bad))
