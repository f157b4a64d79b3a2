"""ROC and precision-recall curves, their areas, and choosing a decision threshold.

Everything is exact (one point per distinct score, not a grid as the streaming
:class:`neurona.metrics.AUC` uses) and follows scikit-learn's conventions: a sample is
predicted positive when ``score >= threshold``; the ROC curve starts at (0, 0) with threshold
``inf``; the precision-recall curve ends at (recall 0, precision 1) with no threshold.
Unlike scikit-learn, a curve that is undefined (no positive or no negative sample) raises a
ValueError instead of warning and returning NaN.
"""

import numpy as np

from ._checks import column, finite, labels_array, positives, same_length, to_host

_AVERAGES = ("macro", "weighted", None)
_STRATEGIES = ("f1", "balanced_accuracy", "recall_at_precision", "precision_at_recall")


def _binary_inputs(y_true, y_score, pos_label):
    score_arr = to_host(y_score, "y_score")
    if score_arr.ndim == 2 and score_arr.shape[1] == 2:
        raise ValueError(f"y_score has shape {score_arr.shape}: for a binary problem pass the "
                         "positive class's score only, e.g. y_prob[:, 1]")
    y = positives(y_true, pos_label)
    s = finite(column(score_arr, "y_score"), "y_score")
    same_length(y_true=y, y_score=s)
    return y, s


def _counts(y, s):
    """True and false positives at each distinct score, thresholds in decreasing order."""
    order = np.argsort(s, kind="mergesort")[::-1]
    s, y = s[order], y[order]
    # the last index of each run of equal scores: everything up to it is predicted positive
    ends = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tps = np.cumsum(y, dtype="float64")[ends]
    fps = (ends + 1) - tps
    return fps, tps, s[ends]


def _need_both(y, what):
    if y.all() or not y.any():
        kind = "negative" if y.all() else "positive"
        raise ValueError(f"{what} is undefined: y_true has no {kind} samples; evaluate on a "
                         "set holding both classes (e.g. a stratified split)")


def roc_curve(y_true, y_score, pos_label=None, drop_intermediate=True):
    """Receiver operating characteristic: false and true positive rates at every threshold.

    Args:
        y_true: binary targets, shape (n,): {0, 1}, {-1, 1}, booleans, or any values with
            ``pos_label``.
        y_score: scores, probabilities or logits of the positive class, shape (n,) or (n, 1).
        pos_label: the value of ``y_true`` that is positive (default 1).
        drop_intermediate: drop thresholds whose point lies on a straight segment between its
            neighbours (they do not change the plotted curve or its area).

    Returns:
        (fpr, tpr, thresholds): increasing rates, from (0, 0) at threshold ``inf`` to (1, 1)
        at the lowest score; thresholds decreasing.

    Example:
        >>> fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> fpr.tolist(), tpr.tolist()
        ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    y, s = _binary_inputs(y_true, y_score, pos_label)
    _need_both(y, "the ROC curve")
    fps, tps, thresholds = _counts(y, s)
    if drop_intermediate and len(fps) > 2:
        corner = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[corner], tps[corner], thresholds[corner]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    return fps / fps[-1], tps / tps[-1], np.r_[np.inf, thresholds]


def precision_recall_curve(y_true, y_score, pos_label=None, drop_intermediate=False):
    """Precision and recall at every threshold.

    Args:
        y_true: binary targets, shape (n,) (see :func:`roc_curve`).
        y_score: scores of the positive class, shape (n,) or (n, 1).
        pos_label: the value of ``y_true`` that is positive (default 1).
        drop_intermediate: keep only the first and last threshold of each run with the same
            recall (the curve's vertical segments).

    Returns:
        (precision, recall, thresholds): recall decreasing to a final point (recall 0,
        precision 1) that has no threshold, so ``thresholds`` is one shorter and increasing.

    Example:
        >>> p, r, thr = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> p.round(3).tolist(), r.tolist(), thr.tolist()
        ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0], [0.1, 0.35, 0.4, 0.8])
    """
    y, s = _binary_inputs(y_true, y_score, pos_label)
    if not y.any():
        raise ValueError("the precision-recall curve is undefined: y_true has no positive "
                         "samples; evaluate on a set holding positives")
    fps, tps, thresholds = _counts(y, s)
    if drop_intermediate and len(fps) > 2:
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    precision = tps / (tps + fps)  # every threshold predicts at least one sample positive
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def _binary_roc_auc(y, s):
    fpr, tpr, _ = roc_curve(y, s)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2)  # trapezoids


def _binary_ap(y, s):
    precision, recall, _ = precision_recall_curve(y, s)
    # step-wise area: sum over thresholds of (R_i - R_{i-1}) * P_i, no interpolation
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def _one_vs_rest(score_fn, y_true, y_score, labels, average, skip_absent=False):
    """Average a binary score over classes, each class's column against the rest."""
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {_AVERAGES}, got average={average!r}")
    y = labels_array(y_true, "y_true")
    scores = finite(to_host(y_score, "y_score"), "y_score")
    same_length(y_true=y, y_score=scores)
    labels = np.unique(y) if labels is None else labels_array(labels, "labels")
    if scores.shape[1] != len(labels):
        raise ValueError(f"y_score has {scores.shape[1]} columns but there are {len(labels)} "
                         f"classes {labels.tolist()[:10]}; pass labels= naming the class of "
                         "each column")
    unknown = np.setdiff1d(y, labels)
    if unknown.size:
        raise ValueError(f"y_true holds labels {unknown.tolist()[:10]} that are not in "
                         f"labels={labels.tolist()}")
    values, weights = [], []
    for j, label in enumerate(labels.tolist()):
        is_label = y == label
        if is_label.all() or not is_label.any():
            if skip_absent:
                continue
            raise ValueError(f"class {label!r} {'is every' if is_label.all() else 'has no'} "
                             "sample of y_true, so its one-vs-rest curve is undefined; "
                             "evaluate on a set holding every class")
        values.append(score_fn(is_label, scores[:, j]))
        weights.append(is_label.sum())
    if not values:
        return float("nan")
    if average is None:
        return np.asarray(values)
    return float(np.average(values, weights=weights if average == "weighted" else None))


def roc_auc_score(y_true, y_score, average="macro", labels=None, pos_label=None):
    """Area under the ROC curve (exact, trapezoidal): binary, or one-vs-rest for classes.

    Args:
        y_true: binary targets, or class labels for a (n, k) ``y_score``.
        y_score: shape (n,) or (n, 1) positive-class scores, or (n, k) per-class scores
            (softmax probabilities) for one-vs-rest.
        average: one-vs-rest only: "macro" (mean over classes), "weighted" (by class
            prevalence) or None (one AUC per class).
        labels: one-vs-rest only: the class of each column of ``y_score`` (default: the
            sorted labels in ``y_true``).
        pos_label: binary only: the value of ``y_true`` that is positive.

    Returns:
        A float in [0, 1] (an array per class when ``average=None``).

    Example:
        >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        0.75
    """
    arr = to_host(y_score, "y_score")
    if arr.ndim == 2 and arr.shape[1] > 1:
        return _one_vs_rest(_binary_roc_auc, y_true, arr, labels, average)
    y, s = _binary_inputs(y_true, arr, pos_label)
    return _binary_roc_auc(y, s)


def average_precision_score(y_true, y_score, average="macro", labels=None, pos_label=None):
    """Average precision, the area under the step-wise precision-recall curve:
    ``sum_i (R_i - R_{i-1}) * P_i`` over thresholds (scikit-learn's definition).

    Args:
        y_true: binary targets, or class labels for a (n, k) ``y_score``.
        y_score: shape (n,) or (n, 1) positive-class scores, or (n, k) per-class scores.
        average: one-vs-rest only: "macro", "weighted" or None (see :func:`roc_auc_score`).
        labels: one-vs-rest only: the class of each column of ``y_score``.
        pos_label: binary only: the value of ``y_true`` that is positive.

    Returns:
        A float in [0, 1] (an array per class when ``average=None``).

    Example:
        >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
        0.8333
    """
    arr = to_host(y_score, "y_score")
    if arr.ndim == 2 and arr.shape[1] > 1:
        return _one_vs_rest(_binary_ap, y_true, arr, labels, average)
    y, s = _binary_inputs(y_true, arr, pos_label)
    return _binary_ap(y, s)


def _floor(strategy, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"strategy={strategy!r} needs {name} in (0, 1], got {name}={value!r}")
    return float(value)


def choose_threshold(y_true, y_score, strategy="f1", min_precision=None, pos_label=None,
                     min_recall=None):
    """The decision threshold of a binary classifier that best meets a goal.

    Candidates are the distinct scores (predict positive when ``score >= threshold``). Among
    equally good thresholds the highest is chosen.

    Args:
        y_true: binary targets, shape (n,).
        y_score: scores of the positive class, shape (n,) or (n, 1).
        strategy: "f1" (maximize F1), "balanced_accuracy" (maximize the mean of the two
            classes' recalls, i.e. Youden's J), "recall_at_precision" (the highest recall
            whose precision is at least ``min_precision``) or "precision_at_recall" (the
            highest precision whose recall is at least ``min_recall``).
        min_precision: the precision floor in (0, 1], required by "recall_at_precision".
        pos_label: the value of ``y_true`` that is positive (default 1).
        min_recall: the recall floor in (0, 1], required by "precision_at_recall".

    Returns:
        dict with "threshold", "precision", "recall", "f1", "balanced_accuracy" and the counts
        "tp", "fp", "fn", "tn" at that threshold.

    Raises:
        ValueError: a bad argument, no positive sample, or a floor no threshold reaches.

    Example:
        >>> choose_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])["threshold"]
        0.35
        >>> choose_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], "precision_at_recall",
        ...                  min_recall=0.5)["threshold"]
        0.8
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f"strategy must be one of {_STRATEGIES}, got strategy={strategy!r}")
    floors = {"recall_at_precision": ("min_precision", min_precision),
              "precision_at_recall": ("min_recall", min_recall)}
    for used_by, (name, value) in floors.items():
        if strategy == used_by:
            floor = _floor(strategy, name, value)
        elif value is not None:
            raise ValueError(f"{name}={value!r} is only used with strategy={used_by!r}")
    y, s = _binary_inputs(y_true, y_score, pos_label)
    if not y.any():
        raise ValueError("choose_threshold: y_true has no positive samples; evaluate on a set "
                         "holding positives")
    fps, tps, thresholds = _counts(y, s)
    n_pos, n_neg = tps[-1], len(y) - tps[-1]
    precision, recall = tps / (tps + fps), tps / n_pos
    f1 = 2 * tps / (tps + fps + n_pos)
    balanced = (recall + (1 - fps / n_neg)) / 2 if n_neg else recall
    # thresholds decrease, so the first maximum is the highest threshold
    if strategy == "f1":
        best = int(np.argmax(f1))
    elif strategy == "balanced_accuracy":
        best = int(np.argmax(balanced))
    elif strategy == "recall_at_precision":
        ok = precision >= floor
        if not ok.any():
            raise ValueError(f"no threshold reaches precision >= {floor} (the best is "
                             f"{precision.max():.4g}); lower min_precision")
        best = int(np.argmax(np.where(ok, recall, -1.0)))
    else:
        ok = recall >= floor  # recall grows as the threshold falls: always reached at the end
        best = int(np.argmax(np.where(ok, precision, -1.0)))
    tp, fp = int(tps[best]), int(fps[best])
    return {"threshold": float(thresholds[best]), "precision": float(precision[best]),
            "recall": float(recall[best]), "f1": float(f1[best]),
            "balanced_accuracy": float(balanced[best]), "tp": tp, "fp": fp,
            "fn": int(n_pos) - tp, "tn": int(n_neg) - fp}
