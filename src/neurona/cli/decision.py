"""How a classifier of the command line decides, and what its decisions say about the classes.

A binary classifier's decision threshold is chosen on the validation rows (by the
``threshold`` section of the run configuration: the F1-maximizing threshold by default), saved
in the model file, and used by ``neurona predict`` and ``neurona evaluate``; 0.5 assumes the
classes are balanced, and on imbalanced data (Caravan: 6% buyers) it predicts the rare class
almost never. The checks below put the user's class names in every message.
"""

import numpy as np

# the threshold a model file without one decides with (a sigmoid's natural midpoint): one
# constant for the command line, the ONNX graph and the service
from ..export.tabular import DEFAULT_THRESHOLD  # noqa: F401


def choose_threshold(settings, y_val, p_val, classes):
    """The decision threshold of a binary classifier, from the validation rows.

    Args:
        settings: the ``threshold`` section of the run configuration (``metric``,
            ``min_precision``, ``min_recall``, ``value``).
        y_val: the validation labels (0/1).
        p_val: the positive class's probability on those rows, shape (n,).
        classes: the class names (negative first).

    Returns:
        ``(record, notes)``: the record saved in the model file (``value``, ``metric``, its
        floors, and the validation ``precision``/``recall``/``f1``/``balanced_accuracy`` at
        that threshold) and a list of warnings (a floor that could not be reached, no positive
        validation row).
    """
    from .. import evaluation

    metric, notes = settings["metric"], []
    y_val = np.asarray(y_val).reshape(-1)
    positive = classes[1]
    if metric == "fixed":
        value = settings["value"]
    elif not y_val.any():
        value = DEFAULT_THRESHOLD
        notes.append(f"the validation rows hold no {positive!r}, so no threshold can be chosen "
                     f"on them; {value} is used")
        metric = "fixed"
    else:
        floors = {"recall_at_precision": {"min_precision": settings["min_precision"]},
                  "precision_at_recall": {"min_recall": settings["min_recall"]}}.get(metric, {})
        try:
            value = evaluation.choose_threshold(y_val, p_val, strategy=metric, **floors)[
                "threshold"]
        except ValueError as err:  # a precision floor no threshold reaches
            value = evaluation.choose_threshold(y_val, p_val, strategy="f1")["threshold"]
            notes.append(f"threshold.metric {metric}: {err}; the threshold that maximizes F1 on "
                         f"the validation rows ({value:.4g}) is used instead")
            metric = "f1"
    record = {"value": float(value), "metric": metric,
              "min_precision": settings["min_precision"] if metric == "recall_at_precision"
              else None,
              "min_recall": settings["min_recall"] if metric == "precision_at_recall" else None,
              "validation": at_threshold(y_val, p_val, value)}
    return record, notes


def at_threshold(y_true, p, value):
    """Precision, recall, F1 and balanced accuracy of the positive class at ``value``."""
    y = np.asarray(y_true).reshape(-1).astype(bool)
    predicted = np.asarray(p).reshape(-1) >= value
    tp = int(np.sum(predicted & y))
    fp, fn = int(np.sum(predicted & ~y)), int(np.sum(~predicted & y))
    tn = len(y) - tp - fp - fn
    recall = tp / (tp + fn) if tp + fn else 0.0
    specificity = tn / (tn + fp) if tn + fp else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "balanced_accuracy": (recall + specificity) / 2}


def predicted_classes(outputs, threshold):
    """Class indices from model outputs: ``p >= threshold`` for a sigmoid output (n, 1), the
    most probable class for a softmax output (n, k)."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    value = DEFAULT_THRESHOLD if threshold is None else threshold
    return (outputs.reshape(-1) >= value).astype(np.int64)


def class_shares(y, classes):
    """``"'No': 5,474 (94.0%), 'Yes': 348 (6.0%)"``: how the rows split over the classes."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(classes))
    total = max(int(counts.sum()), 1)
    return ", ".join(f"{str(c)!r}: {int(n):,} ({n / total:.1%})" for c, n in zip(classes, counts))


def missed_classes(y_true, y_pred, classes, part):
    """Warnings for each class that ``part``'s rows hold but the model never finds (recall 0):
    never predicted at all, or predicted only for rows of other classes.

    Example:
        >>> missed_classes([0, 1, 0, 1], [0, 0, 0, 0], ["No", "Yes"], "test")[0].split(";")[0]
        "the model never predicts 'Yes' on the 4 test rows (2 of them are 'Yes': recall 0)"
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    fix = "train with --class-weight balanced (fit.class_weight: balanced in YAML)"
    found = []
    for index, name in enumerate(classes):
        present = int(np.sum(y_true == index))
        if not present or np.any((y_pred == index) & (y_true == index)):
            continue
        if np.any(y_pred == index):
            found.append(f"the model finds none of the {present:,} {str(name)!r} of the "
                         f"{len(y_true):,} {part} rows (recall 0 for {str(name)!r}); {fix}")
        else:
            found.append(f"the model never predicts {str(name)!r} on the {len(y_true):,} {part} "
                         f"rows ({present:,} of them are {str(name)!r}: recall 0); {fix}")
    return found
