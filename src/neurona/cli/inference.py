"""``neurona evaluate MODEL DATA.csv`` and ``neurona predict MODEL DATA.csv -o FILE``.

MODEL is a model file or a run folder (its ``model.neurona``). Raw rows go through the encoder
saved inside the model file by ``neurona train``, so the CSV needs only the original columns.
"""

import io
import json
import os
import sys

import numpy as np

from . import config as C, decision, pipeline
from .display import metric_lines
from .errors import CLIError, require

MODEL_FILE = "model.neurona"


def add_parsers(subparsers, parents):
    """Register the ``evaluate`` and ``predict`` commands."""
    e = subparsers.add_parser(
        "evaluate", parents=parents, help="measure a trained model on a labelled CSV",
        description="Measure a trained model (a model file or a run folder) on a CSV that holds "
                    "the target column: loss, metrics and the test report.")
    e.add_argument("model", metavar="MODEL", help="model file or run folder")
    e.add_argument("data", metavar="DATA.csv", help="rows with the target column")
    e.add_argument("--json", action="store_true", help="print the metrics as JSON")
    e.add_argument("-o", "--output", metavar="FILE", help="also write the metrics to a JSON file")
    C.add_csv_arguments(e)
    e.set_defaults(handler=run_evaluate)
    p = subparsers.add_parser(
        "predict", parents=parents, help="predict the target of raw CSV rows",
        description="Predict with a trained model (a model file or a run folder) on raw CSV "
                    "rows; classifiers give one probability column per class and the class.")
    p.add_argument("model", metavar="MODEL", help="model file or run folder")
    p.add_argument("data", metavar="DATA.csv", help="rows to predict (the target may be absent)")
    p.add_argument("-o", "--output", metavar="FILE", help="CSV to write (default: stdout)")
    p.add_argument("--with-input", action="store_true",
                   help="repeat the input columns before the predictions")
    C.add_csv_arguments(p)
    p.set_defaults(handler=run_predict)


def load_bundle(path):
    """``(model, preprocessing dict or None, encoder or None)`` from a model file or run folder.

    Raises:
        CLIError: no model there, or preprocessing that this version cannot use.
    """
    from ..data import TabularEncoder
    from ..saving import load_model
    from ..saving.api import load_preprocessing
    from .pipeline import PREPROCESSING_KIND

    if os.path.isdir(path):
        folder, path = path, os.path.join(path, MODEL_FILE)
        if not os.path.isfile(path):
            raise CLIError(f"{folder}: no {MODEL_FILE} in this folder; pass a run folder of "
                           "'neurona train' or a model file")
    elif not os.path.exists(path):
        raise CLIError(f"{path}: no such model file or run folder")
    model = load_model(path)
    preprocessing = load_preprocessing(path)
    if preprocessing is None:
        return model, None, None
    if preprocessing.get("kind") != PREPROCESSING_KIND or not isinstance(
            preprocessing.get("encoder"), dict) or not {"target", "task", "classes"} <= set(
            preprocessing):
        raise CLIError(f"{path}: unknown preprocessing {preprocessing.get('kind')!r} in the model "
                       f"file (expected {PREPROCESSING_KIND!r}); was it written by a newer "
                       "neurona?")
    try:
        encoder = TabularEncoder.from_config(preprocessing["encoder"])
    except (TypeError, ValueError, KeyError) as err:
        raise CLIError(f"{path}: the saved encoder is invalid ({err})") from None
    _check_threshold(path, preprocessing)
    return model, preprocessing, encoder


def _check_threshold(path, preprocessing):
    """A saved decision threshold must be a probability (the record is data from a file)."""
    try:
        threshold_of(preprocessing)
    except ValueError as err:
        raise CLIError(f"{path}: {err}") from None


def threshold_of(preprocessing):
    """The decision threshold a binary model file decides with (0.5 when it has none)."""
    from ..export.tabular import decision_threshold
    return decision_threshold(preprocessing or {})


def input_columns(encoder):
    """The raw columns the encoder reads: its numeric, then its categorical ones."""
    return [str(c) for c in list(encoder.numeric_columns) + list(encoder.categorical_columns)]


def _features(frame, encoder, path):
    if encoder is not None:
        expected = input_columns(encoder)
        present = {str(c) for c in frame.columns}
        missing = [name for name in expected if name not in present]
        if missing:
            raise CLIError(f"{path}: the model needs the column{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(map(repr, missing))}, missing from the data; the model "
                           f"reads the columns {', '.join(expected)}")
        return encoder.transform(frame)
    try:  # a plain model file: every column is a numeric input
        return frame.to_numpy(dtype=np.float32)
    except (TypeError, ValueError):
        raise CLIError(f"{path}: the model file carries no encoder (it was not written by "
                       "'neurona train'), so every column must be numeric") from None


def prediction_frame(outputs, preprocessing, encoder):
    """The predictions as a DataFrame: ``probability_<class>`` columns and
    ``predicted_<target>`` for classifiers, ``predicted_<target>`` for regression."""
    import pandas as pd

    if preprocessing is None:
        return pd.DataFrame({f"output_{i}": outputs[:, i] for i in range(outputs.shape[1])})
    target = preprocessing["target"]
    if preprocessing["task"] == "regression":
        return pd.DataFrame({f"predicted_{target}": encoder.inverse_transform_target(outputs)})
    classes = preprocessing["classes"]
    probs = np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]]) if outputs.shape[1] == 1 \
        else outputs
    columns = {f"probability_{c}": probs[:, i] for i, c in enumerate(classes)}
    labels = decision.predicted_classes(outputs, threshold_of(preprocessing))
    columns[f"predicted_{target}"] = encoder.inverse_transform_target(labels)
    return pd.DataFrame(columns)


def predict_rows(model, preprocessing, encoder, frame, path="data"):
    """Model outputs (float64) for the raw rows of ``frame``."""
    x = _features(frame, encoder, path)
    return np.asarray(model.predict(x, verbose=0), dtype=np.float64)


def run_predict(args):
    """Carry out ``neurona predict``; returns the exit status."""
    require("pandas", "neurona predict", "cli")
    import pandas as pd

    from ..atomic import atomic_write

    model, preprocessing, encoder = load_bundle(args.model)
    frame = pipeline.read_data(args.data, csv=_csv_options(args))
    outputs = predict_rows(model, preprocessing, encoder, frame, args.data)
    result = prediction_frame(outputs, preprocessing, encoder)
    # the network computes in float32: its outputs as many digits as float32 holds (%.7g),
    # without the noise of printing them as float64; the input columns stay as they were read
    for name in result.columns:
        if result[name].dtype.kind == "f":
            result[name] = result[name].map("{:.7g}".format)
    if args.with_input:
        result = pd.concat([frame.reset_index(drop=True), result], axis=1)
    text = result.to_csv(index=False)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        atomic_write(args.output, lambda stream: stream.write(text.encode("utf-8")))
    except (FileNotFoundError, IsADirectoryError) as err:
        raise CLIError(str(err)) from None
    print(f"wrote {len(result)} predictions to {args.output}")
    return 0


def _csv_options(args):
    csv = C.csv_overrides(args)
    return {"sep": csv["csv.sep"], "na_values": csv["csv.na_values"]}


def run_evaluate(args):
    """Carry out ``neurona evaluate``; returns the exit status."""
    require("pandas", "neurona evaluate", "cli")
    model, preprocessing, encoder = load_bundle(args.model)
    if preprocessing is None:
        raise CLIError(f"{args.model}: the model file carries no encoder or target name (it was "
                       "not written by 'neurona train'); evaluate it in Python with "
                       "model.evaluate(x, y)")
    target = preprocessing["target"]
    frame = pipeline.read_data(args.data, target=target, csv=_csv_options(args))
    x, y = _features(frame, encoder, args.data), encoder.transform_target(frame)
    metrics = {k: float(v) for k, v in
               model.evaluate(x, y, verbose=0, return_dict=True).items()}
    outputs = np.asarray(model.predict(x, verbose=0), dtype=np.float64)
    binary = preprocessing["task"] == "binary"
    threshold = threshold_of(preprocessing) if binary else None
    found, summary = pipeline.report(encoder, y, outputs, threshold)
    metrics.update(found)
    result = {"rows": len(frame), "task": preprocessing["task"], "target": target,
              "threshold": threshold, "metrics": metrics, "warnings": []}
    if summary is not None:
        result["confusion_matrix"] = summary.confusion_matrix.tolist()
        result["report"] = summary.report
        result["warnings"] = decision.missed_classes(y, summary.y_pred,
                                                      preprocessing["classes"], "given")
    if args.output:
        from .artifacts import write_json

        write_json(args.output, result)
    if args.json:
        from .artifacts import json_ready

        print(json.dumps(json_ready(result), indent=2))
        return 0
    buffer = io.StringIO()
    decides = f", decision threshold {threshold:.4g}" if binary else ""
    print(f"{args.data}: {len(frame):,} rows, target {target!r} ({preprocessing['task']}"
          f"{decides})", file=buffer)
    buffer.write(metric_lines(metrics))
    for line in result["warnings"]:
        print(f"warning: {line}", file=buffer)
    if summary is not None:
        print("\n" + str(summary), file=buffer)
    sys.stdout.write(buffer.getvalue())
    return 0
