"""The files of a run folder besides the model: metrics.json, the plots, report.html, config.

``history.csv`` is streamed by ``CSVLogger`` and ``logs/`` by ``TensorBoard`` during ``fit``;
this module writes what exists only once training is over.
"""

import os

import numpy as np

from .._json import json_ready, write_json  # noqa: F401 - this module's JSON writers
from . import pipeline


def write_config(folder, config):
    """The resolved configuration as ``config.yaml`` (``neurona train`` runs it again), or as
    ``config.json`` when PyYAML is missing. Returns the path written."""
    saved = dict(config, data=os.path.abspath(config["data"]), out=None)
    try:
        import yaml
    except ImportError:
        path = os.path.join(folder, "config.json")
        write_json(path, saved)
        return path
    path = os.path.join(folder, "config.yaml")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("# neurona train configuration of this run; rerun: neurona train "
                     "config.yaml --out NEW_FOLDER\n")
        yaml.safe_dump(json_ready(saved), stream, sort_keys=False)
    return path


def write_plots(folder, history, prepared, outputs, summary):
    """The run's PNG plots; returns their paths (none when matplotlib is missing).

    Learning curves always; for classes the test confusion matrix, ROC and precision-recall
    curves; for regression predicted-vs-actual and residuals on the test rows.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return []
    from .. import plotting

    def path(name):
        return os.path.join(folder, f"{name}.png")

    drawn = []
    if history.history:
        plotting.plot_history(history, path=path("learning_curves"))
        drawn.append("learning_curves")
    y_true, out = prepared.y["test"], outputs["test"]
    if prepared.task == "regression":
        actual, predicted = pipeline.in_target_units(prepared.encoder, y_true, out)
        plotting.plot_predicted_vs_actual(actual, predicted, path=path("predicted_vs_actual"))
        plotting.plot_residuals(actual, predicted, path=path("residuals"))
        return [path(n) for n in drawn + ["predicted_vs_actual", "residuals"]]
    names = [str(c) for c in prepared.classes]
    plotting.plot_confusion_matrix(summary.confusion_matrix, labels=names,
                                   path=path("confusion_matrix"))
    if out.shape[1] == 1:  # sigmoid output: the positive class's probability
        scores, labels = out[:, 0], None
    else:
        scores, labels = out, names
    plotting.plot_roc(y_true, scores, labels=labels, path=path("roc_curve"))
    plotting.plot_precision_recall(y_true, scores, labels=labels,
                                   path=path("precision_recall_curve"))
    return [path(n) for n in drawn + ["confusion_matrix", "roc_curve", "precision_recall_curve"]]


def data_summary(config, prepared, output):
    """Facts about the data and the model shown at the top of the report."""
    summary = {
        "data file": os.path.abspath(config["data"]),
        "target": config["target"],
        "task": prepared.task,
        "rows (train / validation / test)": " / ".join(str(len(prepared.y[p]))
                                                       for p in ("train", "validation", "test")),
        "input features (after encoding)": prepared.x["train"].shape[1],
        "numeric columns": ", ".join(map(str, prepared.encoder.numeric_columns)) or "none",
        "categorical columns": ", ".join(map(str, prepared.encoder.categorical_columns)) or "none",
        "output layer": f"Dense({output['units']}, activation={output['activation']!r})",
    }
    if prepared.classes is not None:
        counts = np.bincount(prepared.y["train"], minlength=len(prepared.classes))
        summary["classes (training rows)"] = ", ".join(
            f"{c}: {n}" for c, n in zip(prepared.classes, counts))
    return summary
