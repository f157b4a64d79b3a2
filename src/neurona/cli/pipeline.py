"""The steps of ``neurona train``: read, split, encode, build, fit, measure.

Each step is a plain function on the validated run configuration (see :mod:`.config`), so the
command line and tests drive the same code. The encoder is fitted on the training rows only.
"""

import copy
import difflib
import hashlib
import os
import shlex
from dataclasses import dataclass, field

import numpy as np

from . import decision
from ..callbacks import CSVLogger
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


def read_data(path, target=None, csv=None):
    """The CSV as a DataFrame, through ``neurona.data.read_table`` (one-line DataErrors that
    also cover a missing, empty or single-class ``target``).

    Args:
        path: the CSV file.
        target: the target column to check, or None.
        csv: the ``csv`` section of the run configuration (``sep``, ``na_values``).
    """
    from ..data import DataError, read_table

    csv = csv or {}
    try:
        return read_table(path, target=target, na_values=csv.get("na_values") or None,
                          sep=csv.get("sep"))
    except DataError as err:
        if err.na_value is None:
            raise
        raise CLIError(f"{err.problem}; fix the cell, or pass --na-values "
                       f"{shlex.quote(err.na_value)} (csv.na_values in YAML) if it marks a "
                       "missing value") from None


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
    frame = read_data(path, target, config["csv"])
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


def training_seed(config):
    """The seed of training: ``fit.seed``, else the split's seed."""
    return config["fit"]["seed"] if config["fit"]["seed"] is not None else config["split"]["seed"]


def output_for(prepared):
    """The recommended output layer, loss and metrics of the run's task."""
    from ..data import recommended_output

    return recommended_output(prepared.task, len(prepared.classes) if prepared.classes else None)


def build_model(config, prepared):
    """The MLP of the run (``neurona.tuner.build_mlp``, the network ``neurona tune`` tunes):
    the hidden layers of ``config["layers"]``, the recommended output, compiled."""
    from ..tuner.mlp import build_mlp

    output = output_for(prepared)
    comp, fit = config["compile"], config["fit"]
    training = {"optimizer": comp["optimizer"], "learning_rate": comp["learning_rate"],
                "momentum": comp["momentum"], "schedule": comp["schedule"],
                "batch_size": fit["batch_size"], "epochs": fit["epochs"]}
    model = build_mlp(config["layers"], training, prepared.x["train"].shape[1], output,
                      len(prepared.y["train"]), loss=comp["loss"], metrics=comp["metrics"])
    return model, output


class HistoryLogger(CSVLogger):
    """``history.csv`` of a run folder: CSVLogger's rows with epochs numbered from 1, as the
    console, the report and the plots number them (Keras's CSVLogger counts from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch + 1, logs)


def callbacks_for(config, folder, verbose=0):
    """EarlyStopping (restoring the best weights), the history CSV and TensorBoard of a run."""
    from .. import callbacks

    found = [HistoryLogger(os.path.join(folder, "history.csv"))]
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


def report(encoder, y_true, outputs, threshold=None):
    """Scalar metrics from predictions: the regression report (in the target's units), or
    accuracy, balanced accuracy, macro F1, ROC AUC, PR AUC and each class's recall of a
    classifier (a binary one deciding at ``threshold``, default 0.5). Returns ``(metrics,
    ClassificationSummary or None)``."""
    from .. import evaluation

    if encoder.task == "regression":
        found = evaluation.regression_report(*in_target_units(encoder, y_true, outputs))
        return {k: float(v) for k, v in found.items()}, None
    names = [str(c) for c in encoder.classes]
    binary = outputs.ndim == 1 or outputs.shape[1] == 1
    summary = evaluation.classification_summary(
        y_true, outputs, target_names=names,
        threshold=decision.DEFAULT_THRESHOLD if threshold is None or not binary else threshold)
    found = {"accuracy": float(summary.report["accuracy"]),
             "balanced_accuracy": float(summary.report["macro avg"]["recall"]),
             "macro_f1": float(summary.report["macro avg"]["f1-score"]),
             "roc_auc": float(summary.roc_auc), "pr_auc": float(summary.pr_auc)}
    for name in names:
        found[f"recall_{name}"] = float(summary.report[name]["recall"])
    return found, summary


def measure(model, prepared, outputs, threshold=None):
    """The loss and Keras metrics on every part, with the report's metrics of each part over
    them (regression or classification; a binary classifier decides at ``threshold``, so its
    accuracy is the accuracy of its decisions), and the test rows' full report."""
    metrics, summaries = {}, {}
    for name in prepared.x:
        logs = model.evaluate(prepared.x[name], prepared.y[name], verbose=0, return_dict=True)
        metrics[name] = {key: float(value) for key, value in logs.items()}
        found, summaries[name] = report(prepared.encoder, prepared.y[name], outputs[name],
                                        threshold)
        metrics[name].update(found)
    summary = summaries["test"]
    if summary is not None:
        metrics["test_report"] = summary.report
        metrics["confusion_matrix"] = summary.confusion_matrix.tolist()
    return metrics, summary


def decide(config, prepared, outputs):
    """The binary decision threshold chosen on the validation rows (None for other tasks),
    with its warnings."""
    if prepared.task != "binary":
        return None, []
    return decision.choose_threshold(config["threshold"], prepared.y["validation"],
                                     outputs["validation"][:, 0], prepared.classes)


def class_warnings(prepared, summary):
    """The warnings of a classifier's test predictions (a class it never finds)."""
    if summary is None:
        return []
    return decision.missed_classes(prepared.y["test"], summary.y_pred, prepared.classes,
                                    "test")


def resolved_config(config, prepared, seed):
    """The configuration as the run used it: the task, the loss and metrics, the seed and the
    columns' kinds as inferred, so ``config.yaml`` and the report say what was done (and
    ``neurona train config.yaml`` does it again)."""
    output = output_for(prepared)
    used = copy.deepcopy(config)
    used["task"] = prepared.task
    used["compile"]["loss"] = config["compile"]["loss"] or output["loss"]
    if config["compile"]["metrics"] is None:
        used["compile"]["metrics"] = list(output["metrics"])
    used["fit"]["seed"] = seed
    used["columns"]["numeric"] = [str(c) for c in prepared.encoder.numeric_columns]
    used["columns"]["categorical"] = [str(c) for c in prepared.encoder.categorical_columns]
    return used


def preprocessing_record(config, prepared, threshold=None):
    """What a run's model file carries besides the network: the fitted encoder, the target
    (and its units), the task and classes, a binary classifier's decision ``threshold``
    (the record of :func:`.decision.choose_threshold`), and the data file's fingerprint (so
    raw rows can be predicted as the run predicted them)."""
    return {
        "kind": PREPROCESSING_KIND, "target": config["target"], "task": prepared.task,
        "classes": prepared.classes, "encoder": prepared.encoder.get_config(),
        "dropped_columns": config["columns"]["drop"], "threshold": threshold,
        "target_units": config["target_units"],
        "data": {"file": os.path.basename(config["data"]),
                 "sha256": file_sha256(config["data"])},
    }
