"""The files of a run folder besides the model: metrics.json, the plots, report.html, config.

``history.csv`` is streamed during ``fit`` (:class:`.pipeline.HistoryLogger`) and ``logs/`` by
``TensorBoard``; this module writes what exists only once training is over.
"""

import os

import numpy as np

from .._json import json_ready, write_json  # noqa: F401 - this module's JSON writers
from . import decision, pipeline

#: learning curves switch to a log scale when the loss falls by more than this factor
LOG_SCALE_RATIO = 20.0


def write_config(folder, config, note=None):
    """The configuration as ``config.yaml`` (``neurona train config.yaml`` runs it again), or
    as ``config.json`` when PyYAML is missing. ``note`` is a comment line saying where the
    configuration comes from. Returns the path written."""
    saved = dict(config, data=os.path.abspath(config["data"]), out=None)
    try:
        import yaml
    except ImportError:
        path = os.path.join(folder, "config.json")
        write_json(path, saved)
        return path
    path = os.path.join(folder, "config.yaml")
    header = ("# neurona train configuration of this run" if note is None else f"# {note}") + \
        "; rerun: neurona train config.yaml --out NEW_FOLDER\n"
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(header)
        yaml.safe_dump(json_ready(saved), stream, sort_keys=False)
    return path


def target_label(config):
    """The target's name with its units for axis labels: ``"medv (k$)"``."""
    units = config.get("target_units")
    return f"{config['target']} ({units})" if units else config["target"]


def curve_options(history, config, task):
    """How the learning curves are drawn: a log scale when the loss falls steeply (the first
    epochs would squash the train/validation gap into a flat line), value axes naming the
    target's units for regression metrics that are in them."""
    losses = [v for key in ("loss", "val_loss") for v in history.get(key, [])
              if isinstance(v, float) and np.isfinite(v)]
    steep = bool(losses) and min(losses) > 0 and max(losses) / min(losses) > LOG_SCALE_RATIO
    ylabels = {}
    if task == "regression" and config["target_transform"] is None:
        for name in ("mae", "rmse"):
            if name in history:
                ylabels[name] = f"{name} of {target_label(config)}"
    return {"log_scale": steep, "ylabels": ylabels}


def write_plots(folder, history, prepared, outputs, summary, config):
    """The run's PNG plots; returns their paths, or None when matplotlib is missing.

    Learning curves always; for classes the test confusion matrix, ROC and precision-recall
    curves; for regression predicted-vs-actual and residuals on the test rows. Test plots say
    "test set" in their titles and name the target (and its units) on their axes.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    from .. import plotting

    def path(name):
        return os.path.join(folder, f"{name}.png")

    drawn = []
    if history.history:
        plotting.plot_history(history, path=path("learning_curves"),
                              **curve_options(history.history, config, prepared.task))
        drawn.append("learning_curves")
    y_true, out = prepared.y["test"], outputs["test"]
    subset = f"test set, {len(y_true):,} rows"
    if prepared.task == "regression":
        actual, predicted = pipeline.in_target_units(prepared.encoder, y_true, out)
        label = target_label(config)
        plotting.plot_predicted_vs_actual(actual, predicted, path=path("predicted_vs_actual"),
                                          subset=subset, target=label)
        plotting.plot_residuals(actual, predicted, path=path("residuals"), subset=subset,
                                target=label)
        return [path(n) for n in drawn + ["predicted_vs_actual", "residuals"]]
    names = [str(c) for c in prepared.classes]
    plotting.plot_confusion_matrix(summary.confusion_matrix, labels=names,
                                   path=path("confusion_matrix"), subset=subset,
                                   target=config["target"])
    if out.shape[1] == 1:  # sigmoid output: the positive class's probability
        scores, labels = out[:, 0], None
    else:
        scores, labels = out, names
    plotting.plot_roc(y_true, scores, labels=labels, path=path("roc_curve"), subset=subset)
    plotting.plot_precision_recall(y_true, scores, labels=labels,
                                   path=path("precision_recall_curve"), subset=subset)
    return [path(n) for n in drawn + ["confusion_matrix", "roc_curve", "precision_recall_curve"]]


def threshold_text(threshold, classes, n_validation):
    """One line on a binary classifier's decision threshold."""
    chosen = threshold["validation"]
    how = {"f1": "maximizes F1", "balanced_accuracy": "maximizes the balanced accuracy",
           "recall_at_precision": f"the best recall at precision >= "
                                  f"{threshold['min_precision']}",
           "precision_at_recall": f"the best precision at recall >= {threshold['min_recall']}",
           "fixed": "fixed"}[threshold["metric"]]
    return (f"{threshold['value']:.4g}: predict {str(classes[1])!r} when its probability is at "
            f"least this ({how}; on the {n_validation:,} validation rows: precision "
            f"{chosen['precision']:.3f}, recall {chosen['recall']:.3f})")


def data_summary(config, prepared, output, threshold=None):
    """Facts about the data and the model shown at the top of the report."""
    summary = {
        "data file": os.path.abspath(config["data"]),
        "target": target_label(config),
        "task": prepared.task,
        "rows (train / validation / test)": " / ".join(f"{len(prepared.y[p]):,}"
                                                       for p in ("train", "validation", "test")),
        "input features (after encoding)": prepared.x["train"].shape[1],
        "numeric columns": ", ".join(map(str, prepared.encoder.numeric_columns)) or "none",
        "categorical columns": ", ".join(map(str, prepared.encoder.categorical_columns)) or "none",
        "output layer": f"Dense({output['units']}, activation={output['activation']!r})",
    }
    if prepared.classes is not None:
        for part in ("train", "test"):
            summary[f"class balance ({part} rows)"] = decision.class_shares(prepared.y[part],
                                                                            prepared.classes)
    if threshold is not None:
        summary["decision threshold"] = threshold_text(threshold, prepared.classes,
                                                       len(prepared.y["validation"]))
    return summary
