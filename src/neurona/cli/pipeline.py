"""The steps of ``neurona train``: read, split, encode, build, fit, measure.

Each step is a plain function on the validated run configuration (see :mod:`.config`), so the
command line and tests drive the same code. The encoder is fitted on the training rows only.
"""

import difflib
import hashlib
import os
from dataclasses import dataclass, field

import numpy as np

from .errors import CLIError

#: the kind of preprocessing record stored in the model files of the command line
PREPROCESSING_KIND = "neurona.tabular"


@dataclass
class Prepared:
    """The data of a run, split and encoded."""

    frame: object          # the whole table (a pandas DataFrame)
    parts: dict            # "train"/"validation"/"test" -> DataFrame
    x: dict                # part -> float32 features
    y: dict                # part -> labels (int64) or float32 targets
    encoder: object        # the fitted TabularEncoder
    task: str
    classes: list = field(default=None)


def file_sha256(path):
    """SHA-256 of a file (the data fingerprint stored with the model)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_data(path, target=None):
    """The CSV as a DataFrame, through ``neurona.data.read_table`` (one-line DataErrors that
    also cover a missing, empty or single-class ``target``)."""
    from ..data import read_table

    return read_table(path, target=target)


def check_column(frame, name, path, where=""):
    """Raise a CLIError naming the columns when ``name`` is not one of ``frame``'s."""
    columns = [str(c) for c in frame.columns]
    if name in columns:
        return
    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    lower = [c for c in columns if c.lower() == name.lower()]
    hint = f" (did you mean {(lower or close)[0]!r}?)" if lower or close else ""
    shown = ", ".join(columns[:15]) + (", ..." if len(columns) > 15 else "")
    prefix = f"{where}: " if where else ""
    raise CLIError(f"{path}: {prefix}column {name!r} is not in the data{hint}; the columns are: "
                   f"{shown}")


def prepare(config):
    """Read the data, split it (stratified for classes) and fit the encoder on the training rows.

    Args:
        config: the validated run configuration.

    Returns:
        A :class:`Prepared`.

    Raises:
        CLIError / DataError: a problem with the data or the columns, naming it.
    """
    from ..data import TabularEncoder, train_val_test_split
    from ..data import _target

    path, target, columns = config["data"], config["target"], config["columns"]
    frame = read_data(path, target)
    for key in ("drop", "categorical", "numeric"):
        for name in columns[key]:
            check_column(frame, name, path, where=f"columns.{key}")
    if target in columns["drop"]:
        raise CLIError(f"columns.drop lists the target {target!r}; remove it from the list")
    frame = frame.drop(columns=columns["drop"])
    if frame.shape[1] < 2:
        raise CLIError(f"{path}: no feature columns left besides the target {target!r}")
    task = None if config["task"] == "auto" else config["task"]
    try:
        fitted = _target.fit_target(frame[target], task, max_classes=20,
                                    transform=config["target_transform"])
    except ValueError as err:
        raise CLIError(f"{path}: {str(err).replace('TabularEncoder.fit: ', '')}") from None
    task = fitted["task"]
    split = config["split"]
    stratify = None
    if task != "regression" and split["stratify"] in ("auto", True):
        stratify = frame[target].astype(str).to_numpy()
    elif task == "regression" and split["stratify"] is True:
        raise CLIError("split.stratify: true needs a class target; this is a regression task")
    try:
        train, val, test = train_val_test_split(frame, val_size=split["validation"],
                                                test_size=split["test"], stratify=stratify,
                                                seed=split["seed"])
    except ValueError as err:
        raise CLIError(f"{path}: cannot split {len(frame)} rows: {err}") from None
    encoder = TabularEncoder(numeric=columns["numeric"] or None,
                             categorical=columns["categorical"] or None, target=target, task=task,
                             target_transform=config["target_transform"])
    encoder.fit(train)  # the whole target passed fit_target above: its errors came there
    parts = {"train": train, "validation": val, "test": test}
    x = {name: encoder.transform(part) for name, part in parts.items()}
    y = {name: encoder.transform_target(part) for name, part in parts.items()}
    return Prepared(frame, parts, x, y, encoder, task, encoder.classes)


def build_model(config, prepared):
    """The MLP of the run: hidden Dense layers (+ Dropout), the recommended output, compiled."""
    from .. import layers, optimizers, regularizers
    from ..data import recommended_output
    from ..models import Sequential

    n_classes = len(prepared.classes) if prepared.classes else None
    output = recommended_output(prepared.task, n_classes)
    model = Sequential(name="mlp")
    model.add(layers.Input(shape=(prepared.x["train"].shape[1],)))
    initializer = "he_normal" if all(s["activation"] == "relu" for s in config["layers"]) \
        else "glorot_uniform"
    for spec in config["layers"]:
        penalty = regularizers.L1L2(l1=spec["l1"], l2=spec["l2"]) \
            if spec["l1"] or spec["l2"] else None
        model.add(layers.Dense(spec["units"], activation=spec["activation"],
                               kernel_initializer=initializer, kernel_regularizer=penalty))
        if spec["dropout"] > 0:
            model.add(layers.Dropout(spec["dropout"]))
    model.add(layers.Dense(output["units"], activation=output["activation"]))
    comp = config["compile"]
    optimizer = optimizers.get({"class_name": comp["optimizer"],
                                "config": {"learning_rate": comp["learning_rate"]}})
    metrics = comp["metrics"] if comp["metrics"] is not None else output["metrics"]
    model.compile(optimizer=optimizer, loss=comp["loss"] or output["loss"], metrics=metrics)
    return model, output


def callbacks_for(config, folder, verbose=0):
    """EarlyStopping (restoring the best weights), CSVLogger and TensorBoard of a run."""
    from .. import callbacks

    found = [callbacks.CSVLogger(os.path.join(folder, "history.csv"))]
    early = config["callbacks"]["early_stopping"]
    if early is not None:
        found.append(callbacks.EarlyStopping(**early, verbose=1 if verbose else 0))
    board = config["callbacks"]["tensorboard"]
    if board is not None:
        found.append(callbacks.TensorBoard(log_dir=os.path.join(folder, "logs"), **board))
    return found


def predict_parts(model, prepared):
    """Model outputs per part, as float64 arrays."""
    return {name: np.asarray(model.predict(x, verbose=0), dtype=np.float64)
            for name, x in prepared.x.items()}


def in_target_units(encoder, y_true, outputs):
    """Regression targets and predictions as float64 values in the target's own units (any
    ``target_transform`` undone), so metrics and plots speak dollars, not log-dollars."""
    return (encoder.inverse_transform_target(y_true),
            encoder.inverse_transform_target(outputs[:, 0]))


def report(encoder, y_true, outputs):
    """Scalar test metrics from predictions: the regression report (in the target's units), or
    accuracy, macro F1, ROC AUC and PR AUC of a classifier. Returns ``(metrics,
    ClassificationSummary or None)``."""
    from .. import evaluation

    if encoder.task == "regression":
        found = evaluation.regression_report(*in_target_units(encoder, y_true, outputs))
        return {k: float(v) for k, v in found.items()}, None
    summary = evaluation.classification_summary(y_true, outputs,
                                                target_names=[str(c) for c in encoder.classes])
    return {"accuracy": float(summary.report["accuracy"]),
            "macro_f1": float(summary.report["macro avg"]["f1-score"]),
            "roc_auc": float(summary.roc_auc), "pr_auc": float(summary.pr_auc)}, summary


def measure(model, prepared, outputs):
    """Keras metrics on every part plus the test report (regression or classification)."""
    metrics = {}
    for name in prepared.x:
        logs = model.evaluate(prepared.x[name], prepared.y[name], verbose=0, return_dict=True)
        metrics[name] = {key: float(value) for key, value in logs.items()}
    found, summary = report(prepared.encoder, prepared.y["test"], outputs["test"])
    metrics["test"].update(found)
    if summary is not None:
        metrics["test_report"] = summary.report
        metrics["confusion_matrix"] = summary.confusion_matrix.tolist()
    return metrics, summary


def preprocessing_record(config, prepared):
    """What a run's model file carries besides the network: the fitted encoder, the target,
    the task and classes, and the data file's fingerprint (so raw rows can be predicted)."""
    return {
        "kind": PREPROCESSING_KIND, "target": config["target"], "task": prepared.task,
        "classes": prepared.classes, "encoder": prepared.encoder.get_config(),
        "dropped_columns": config["columns"]["drop"],
        "data": {"file": os.path.basename(config["data"]),
                 "sha256": file_sha256(config["data"])},
    }
