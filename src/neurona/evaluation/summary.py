"""``classification_summary``: everything about a classifier's probabilities in one call."""

from dataclasses import dataclass, field

import numpy as np

from ._checks import finite, to_host
from .classification import classification_report, confusion_matrix
from .curves import _one_vs_rest, _binary_ap, _binary_roc_auc, average_precision_score, \
    roc_auc_score


@dataclass
class ClassificationSummary:
    """What :func:`classification_summary` returns; ``print(summary)`` shows it as text.

    Attributes:
        kind: "binary" or "multiclass".
        y_pred: the predicted class indices, shape (n,).
        labels: the class indices 0..k-1 (the report's and the matrix's order).
        target_names: the display name of each class.
        report: :func:`classification_report` as a dict.
        report_text: the same report as text.
        confusion_matrix: (k, k) counts, rows true, columns predicted.
        roc_auc: ROC AUC (macro one-vs-rest over the classes present in ``y_true`` for
            multi-class); NaN when undefined (a single class in ``y_true``).
        pr_auc: average precision, the area under the precision-recall curve (macro
            one-vs-rest for multi-class); NaN when undefined.
        threshold: the decision threshold used for binary predictions (None for multi-class).
    """

    kind: str
    y_pred: np.ndarray
    labels: list
    target_names: list
    report: dict
    report_text: str
    confusion_matrix: np.ndarray
    roc_auc: float
    pr_auc: float
    threshold: float = field(default=None)

    def __str__(self):
        width = max(len(n) for n in self.target_names)
        header = " " * (width + 1) + " ".join(f"{n:>{max(len(n), 6)}}" for n in self.target_names)
        rows = [f"{name:>{width}} " + " ".join(
                    f"{int(c):>{max(len(n), 6)}}" for c, n in zip(row, self.target_names))
                for name, row in zip(self.target_names, self.confusion_matrix)]
        return (self.report_text + "\nconfusion matrix (rows: true, columns: predicted)\n"
                + header + "\n" + "\n".join(rows) + "\n\n"
                + f"ROC AUC: {self.roc_auc:.4f}    PR AUC (average precision): "
                f"{self.pr_auc:.4f}\n")


def _class_targets(y_true, k):
    """Class indices from integer labels (n,) / (n, 1) or one-hot rows (n, k)."""
    y = to_host(y_true, "y_true")
    if y.ndim == 2 and y.shape[1] == k and k > 1:
        y = finite(y, "y_true")
        if not np.isin(y, (0, 1)).all() or (y.sum(axis=1) != 1).any():
            raise ValueError("y_true of shape (n, k) must be one-hot rows (a single 1 per row); "
                             "pass class indices of shape (n,) otherwise")
        return y.argmax(axis=1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y_true must have shape (n,), (n, 1) or one-hot (n, {k}), got shape "
                         f"{y.shape}")
    y = finite(y, "y_true")
    bad = (y != np.round(y)) | (y < 0) | (y >= k)
    if bad.any():
        raise ValueError(f"y_true holds {y[bad][0]!r}, not a class index in 0..{k - 1} for "
                         f"{k} classes; pass integer labels 0..{k - 1} (encode string labels "
                         "first)")
    return y.astype("int64")


def _safe(fn, y, p):
    try:
        return fn(y, p)
    except ValueError:  # a curve undefined on these labels (a single class present)
        return float("nan")


def classification_summary(y_true, y_prob, threshold=0.5, target_names=None, digits=2):
    """Labels, report, confusion matrix, ROC AUC and PR AUC from predicted probabilities.

    Args:
        y_true: class indices, shape (n,) or (n, 1) (0/1 for binary), or one-hot (n, k).
        y_prob: probabilities: (n,) or (n, 1) from a sigmoid output (binary), or (n, k) from
            a softmax output (multi-class).
        threshold: binary only: predict class 1 when ``p >= threshold`` (the convention of
            :func:`choose_threshold`, so its threshold can be passed here).
        target_names: display names of the classes (default "0", "1", ...).
        digits: decimals in the text report.

    Returns:
        A :class:`ClassificationSummary`.

    Example:
        >>> s = classification_summary([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.1])
        >>> s.y_pred.tolist(), s.roc_auc
        ([0, 1, 0, 0], 1.0)
    """
    prob = finite(to_host(y_prob, "y_prob"), "y_prob")
    if prob.ndim == 2 and prob.shape[1] == 1:
        prob = prob[:, 0]
    if prob.ndim not in (1, 2) or prob.shape[0] == 0:
        raise ValueError(f"y_prob must have shape (n,), (n, 1) or (n, k) with n > 0, got shape "
                         f"{prob.shape}")
    if prob.min() < 0 or prob.max() > 1:
        raise ValueError(f"y_prob must hold probabilities in [0, 1], found {prob.min():.4g}.."
                         f"{prob.max():.4g}; apply a sigmoid/softmax to logits first (or give "
                         "the output layer its activation)")
    binary = prob.ndim == 1
    k = 2 if binary else prob.shape[1]
    y = _class_targets(y_true, k)
    if len(y) != len(prob):
        raise ValueError(f"inconsistent numbers of samples: y_true has {len(y)}, y_prob has "
                         f"{len(prob)}; pass one entry per sample in each")
    if binary:
        if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) \
                or not 0 <= threshold <= 1:
            raise ValueError(f"threshold must be a number in [0, 1], got threshold={threshold!r}")
        y_pred = (prob >= threshold).astype("int64")
        roc, pr = _safe(roc_auc_score, y, prob), _safe(average_precision_score, y, prob)
    else:
        y_pred = prob.argmax(axis=1)
        labels = np.arange(k)
        roc = _one_vs_rest(_binary_roc_auc, y, prob, labels, "macro", skip_absent=True)
        pr = _one_vs_rest(_binary_ap, y, prob, labels, "macro", skip_absent=True)
    labels = list(range(k))
    names = [str(i) for i in labels] if target_names is None else [str(n) for n in target_names]
    if len(names) != k:
        raise ValueError(f"target_names has {len(names)} names for {k} classes; pass one name "
                         "per class")
    return ClassificationSummary(
        kind="binary" if binary else "multiclass", y_pred=y_pred, labels=labels,
        target_names=names,
        report=classification_report(y, y_pred, labels=labels, target_names=names,
                                     output_dict=True),
        report_text=classification_report(y, y_pred, labels=labels, target_names=names,
                                          digits=digits),
        confusion_matrix=confusion_matrix(y, y_pred, labels=labels),
        roc_auc=float(roc), pr_auc=float(pr), threshold=float(threshold) if binary else None)
