"""Confusion matrix and the per-class precision / recall / F1 report, with scikit-learn's
conventions: rows are true labels, columns predicted labels; labels default to the sorted union
of the labels in ``y_true`` and ``y_pred``; a class that was never predicted gets precision
``zero_division`` (0 by default)."""

import math

import numpy as np

from ._checks import labels_array, same_label_kind, same_length

_NORMALIZE = (None, "true", "pred", "all")
_HEADERS = ("precision", "recall", "f1-score", "support")


def _pair(y_true, y_pred):
    y_true = labels_array(y_true, "y_true")
    y_pred = labels_array(y_pred, "y_pred")
    same_length(y_true=y_true, y_pred=y_pred)
    same_label_kind(y_true, y_pred, ("y_true", "y_pred"))
    return y_true, y_pred


def _labels(labels, y_true, y_pred):
    """(labels array, given?) after checking user labels are unique and of the right type."""
    if labels is None:
        return np.union1d(y_true, y_pred), False
    given = labels_array(labels, "labels")
    same_label_kind(y_true, given, ("y_true", "labels"))
    uniq, counts = np.unique(given, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"labels has duplicates: {uniq[counts > 1].tolist()}; list each class "
                         "once")
    return given, True


def _index(values, labels):
    """Position of each value in ``labels``, -1 where it is not one of them."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.searchsorted(sorted_labels, values)
    pos = np.minimum(pos, len(labels) - 1)
    found = sorted_labels[pos] == values
    return np.where(found, order[pos], -1)


def confusion_matrix(y_true, y_pred, labels=None, normalize=None):
    """Counts of (true label, predicted label) pairs.

    Entry ``[i, j]`` counts the samples of true class ``labels[i]`` predicted as
    ``labels[j]``. Samples whose true or predicted label is not in ``labels`` are left out.

    Args:
        y_true: true class labels, shape (n,) (integers or strings).
        y_pred: predicted class labels, shape (n,).
        labels: the classes, in the order of the rows and columns (default: the sorted union
            of the labels in ``y_true`` and ``y_pred``); at least one must occur in ``y_true``.
        normalize: None (counts), "true" (each row sums to 1: recall on the diagonal),
            "pred" (each column sums to 1: precision on the diagonal) or "all" (the matrix
            sums to 1). Empty rows or columns normalize to zeros.

    Returns:
        A (k, k) NumPy array: int64 counts, or float64 when normalized.

    Example:
        >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {_NORMALIZE}, got normalize={normalize!r}")
    y_true, y_pred = _pair(y_true, y_pred)
    labels, _ = _labels(labels, y_true, y_pred)
    k = len(labels)
    if k == 0:
        raise ValueError("labels is empty; pass at least one class label")
    t, p = _index(y_true, labels), _index(y_pred, labels)
    if not (t >= 0).any():
        raise ValueError(f"none of labels={labels.tolist()} occurs in y_true (labels there: "
                         f"{np.unique(y_true)[:10].tolist()}); pass labels that y_true uses")
    keep = (t >= 0) & (p >= 0)
    cm = np.bincount(t[keep] * k + p[keep], minlength=k * k).reshape(k, k).astype("int64")
    return cm if normalize is None else normalize_confusion(cm, normalize)


def normalize_confusion(cm, normalize):
    """A confusion matrix of counts divided by its row sums ("true"), column sums ("pred") or
    total ("all"); empty rows or columns become zeros.

    Args:
        cm: (k, k) counts, rows true, columns predicted.
        normalize: "true", "pred", "all", or None (returns ``cm`` unchanged).

    Returns:
        A float64 (k, k) array (``cm`` itself for None).

    Example:
        >>> normalize_confusion(np.array([[3, 1], [0, 0]]), "true").tolist()
        [[0.75, 0.25], [0.0, 0.0]]
    """
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {_NORMALIZE}, got normalize={normalize!r}")
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square (k, k) matrix, got shape {cm.shape}")
    if normalize is None:
        return cm
    if normalize == "all":
        total = cm.sum()
    else:
        total = cm.sum(axis=1 if normalize == "true" else 0, keepdims=True)
    return np.divide(cm, total, out=np.zeros(cm.shape), where=total != 0)


def _check_zero_division(zero_division):
    if isinstance(zero_division, float) and math.isnan(zero_division):
        return zero_division
    if zero_division in (0, 1) and not isinstance(zero_division, bool):
        return float(zero_division)
    raise ValueError("zero_division must be 0, 1 or float('nan'), got "
                     f"zero_division={zero_division!r}")


def _ratio(num, den, zero_division):
    num, den = np.asarray(num, "float64"), np.asarray(den, "float64")
    out = np.full(np.shape(num), zero_division)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _mean(values, weights=None):
    """Average ignoring NaN entries (they only appear with zero_division=nan)."""
    values = np.asarray(values, "float64")
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None:
        return float(values[keep].mean())
    w = np.asarray(weights, "float64")[keep]
    return float((values[keep] * w).sum() / w.sum()) if w.sum() else 0.0


def precision_recall_f1_support(y_true, y_pred, labels=None, zero_division=0):
    """Per-class precision, recall, F1 and support (scikit-learn's
    ``precision_recall_fscore_support(average=None)``).

    Precision of a class counts every sample predicted as that class, whether or not its true
    label is in ``labels``.

    Args:
        y_true: true class labels, shape (n,).
        y_pred: predicted class labels, shape (n,).
        labels: the classes to score (default: sorted union of both).
        zero_division: the value of a ratio whose denominator is 0: 0, 1 or NaN.

    Returns:
        dict with "labels" and the arrays "precision", "recall", "f1-score", "support",
        plus the raw counts "tp", "predicted" (tp + fp) and "true" (tp + fn).

    Example:
        >>> precision_recall_f1_support([0, 1, 1], [0, 1, 0])["recall"].tolist()
        [1.0, 0.5]
    """
    zero_division = _check_zero_division(zero_division)
    y_true, y_pred = _pair(y_true, y_pred)
    labels, _ = _labels(labels, y_true, y_pred)
    t, p = _index(y_true, labels), _index(y_pred, labels)
    k = len(labels)
    tp = np.bincount(t[(t == p) & (t >= 0)], minlength=k)
    predicted = np.bincount(p[p >= 0], minlength=k)
    true = np.bincount(t[t >= 0], minlength=k)
    return {
        "labels": labels,
        "precision": _ratio(tp, predicted, zero_division),
        "recall": _ratio(tp, true, zero_division),
        "f1-score": _ratio(2 * tp, predicted + true, zero_division),
        "support": true,
        "tp": tp, "predicted": predicted, "true": true,
    }


def classification_report(y_true, y_pred, labels=None, target_names=None, output_dict=False,
                          digits=2, zero_division=0):
    """Per-class precision, recall, F1 and support, then accuracy and the macro and
    support-weighted averages, laid out as scikit-learn's ``classification_report``.

    The "accuracy" row appears when ``labels`` covers every label present; when ``labels`` is
    a subset it is replaced by a "micro avg" row over those labels.

    Args:
        y_true: true class labels, shape (n,).
        y_pred: predicted class labels, shape (n,).
        labels: the classes to report, in order (default: sorted union of both).
        target_names: display names, one per label (default: the labels as strings).
        output_dict: return a nested dict instead of the text table.
        digits: decimals in the text table.
        zero_division: the value of a ratio whose denominator is 0: 0, 1 or NaN.

    Returns:
        The report as a string, or a dict ``{name: {"precision", "recall", "f1-score",
        "support"}, "accuracy": float, "macro avg": {...}, "weighted avg": {...}}``.

    Example:
        >>> print(classification_report([0, 1, 1, 0], [0, 1, 0, 0]))
                      precision    recall  f1-score   support
        <BLANKLINE>
                   0       0.67      1.00      0.80         2
                   1       1.00      0.50      0.67         2
        <BLANKLINE>
            accuracy                           0.75         4
           macro avg       0.83      0.75      0.73         4
        weighted avg       0.83      0.75      0.73         4
        <BLANKLINE>
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a non-negative integer, got digits={digits!r}")
    zd = _check_zero_division(zero_division)
    y_true, y_pred = _pair(y_true, y_pred)
    scores = precision_recall_f1_support(y_true, y_pred, labels, zd)
    labels, given = _labels(labels, y_true, y_pred)
    if target_names is None:
        target_names = [str(label) for label in labels.tolist()]
    else:
        target_names = [str(name) for name in target_names]
        if len(target_names) != len(labels):
            raise ValueError(f"target_names has {len(target_names)} names for {len(labels)} "
                             f"labels {labels.tolist()}; pass one name per label (or labels=)")
    present = set(np.union1d(y_true, y_pred).tolist())
    micro_is_accuracy = not given or set(labels.tolist()) >= present

    rows = {}
    for i, name in enumerate(target_names):
        rows[name] = {h: float(scores[h][i]) for h in _HEADERS[:3]}
        rows[name]["support"] = int(scores["support"][i])
    tp, predicted, true = (scores[key].sum() for key in ("tp", "predicted", "true"))
    support = int(true)
    micro = [float(v) for v in (_ratio(tp, predicted, zd), _ratio(tp, true, zd),
                                _ratio(2 * tp, predicted + true, zd))]
    averages = {"macro avg": [_mean(scores[h]) for h in _HEADERS[:3]],
                "weighted avg": [_mean(scores[h], scores["support"]) for h in _HEADERS[:3]]}

    if output_dict:
        out = dict(rows)
        if micro_is_accuracy:
            out["accuracy"] = micro[2]
        else:
            out["micro avg"] = dict(zip(_HEADERS, micro + [support]))
        for name, values in averages.items():
            out[name] = dict(zip(_HEADERS, values + [support]))
        return out

    width = max(max(len(n) for n in target_names), len("weighted avg"), digits)
    lines = [f"{'':>{width}} " + "".join(f" {h:>9}" for h in _HEADERS), ""]

    def row(name, values, count):
        return f"{name:>{width}} " + "".join(f" {v:>9.{digits}f}" for v in values) \
            + f" {count:>9}"

    for name, r in rows.items():
        lines.append(row(name, [r[h] for h in _HEADERS[:3]], r["support"]))
    lines.append("")
    if micro_is_accuracy:
        lines.append(f"{'accuracy':>{width}} " + " " * 20 + f" {micro[2]:>9.{digits}f}"
                     f" {support:>9}")
    else:
        lines.append(row("micro avg", micro, support))
    for name, values in averages.items():
        lines.append(row(name, values, support))
    return "\n".join(lines) + "\n"
