"""Thresholded confusion counts (TP/FP/TN/FN) and the precision and recall built on them.

A prediction is positive at threshold ``t`` when ``y_pred > t``; labels count as positive when
non-zero. Counting every threshold at once uses buckets, not an N x T comparison: each
prediction's bucket is the number of thresholds below it (``searchsorted``), a weighted
``bincount`` totals the buckets, and a reversed cumulative sum turns them into counts per
threshold -- O(N log T) per batch with no host round trip.
"""

import numpy as np

from .. import validation
from ..backend import get_ops
from .base import Metric, broadcast_weights, check_same_shape, host_array, match_rank, to_array

NEG_INF = -1e10  # the threshold that top_k uses: every kept prediction is above it


def parse_thresholds(thresholds, default, where):
    """A list of float thresholds, each checked to lie in [0, 1]."""
    if thresholds is None:
        return [default]
    values = [thresholds] if validation.is_real(thresholds) else list(thresholds)
    bad = [t for t in values if not validation.is_real(t) or not 0 <= t <= 1]
    if bad or not values:
        raise ValueError(
            f"{where}: thresholds must be a number or a non-empty list of numbers in [0, 1], "
            f"got thresholds={thresholds!r}"
        )
    return [float(t) for t in values]


def threshold_counts(y_true, y_pred, weights, thresholds, multi_label=False):
    """Weighted positives and negatives predicted above each threshold.

    Args:
        y_true: labels (non-zero = positive), same shape as ``y_pred``.
        y_pred: scores; with ``multi_label`` shape (N, L), else any shape (flattened).
        weights: per-entry weights of the same shape, or None for ones.
        thresholds: ascending 1-D backend array of length T.
        multi_label: keep one column of counts per label.

    Returns:
        (tp, fp, positives, negatives): ``tp``/``fp`` of shape (T,) or (T, L); the weighted
        totals of positive and negative labels of shape () or (L,).
    """
    xp = get_ops().xp
    num_t = thresholds.shape[0]
    if weights is None:
        weights = xp.ones(y_pred.shape, dtype=y_pred.dtype)
    pos_w = xp.where(y_true != 0, weights, 0).ravel()
    neg_w = weights.ravel() - pos_w
    bucket = xp.searchsorted(thresholds, y_pred.ravel(), side="left")
    num_labels = y_pred.shape[-1] if multi_label else 1
    if multi_label:  # give each label its own run of T + 1 buckets
        bucket = (bucket.reshape(y_pred.shape) + xp.arange(num_labels) * (num_t + 1)).ravel()
    size = num_labels * (num_t + 1)
    tp_b = xp.bincount(bucket, weights=pos_w, minlength=size).reshape(num_labels, num_t + 1)
    fp_b = xp.bincount(bucket, weights=neg_w, minlength=size).reshape(num_labels, num_t + 1)
    # bucket b holds predictions above thresholds[:b]; threshold i sees buckets i+1 .. T
    tp = xp.cumsum(tp_b[:, ::-1], axis=1)[:, ::-1][:, 1:]
    fp = xp.cumsum(fp_b[:, ::-1], axis=1)[:, ::-1][:, 1:]
    positives, negatives = tp_b.sum(axis=1), fp_b.sum(axis=1)
    if multi_label:
        return tp.T, fp.T, positives, negatives
    return tp[0], fp[0], positives[0], negatives[0]


def _keep_top_k(y_pred, k):
    """y_pred with all but the k largest of the last axis set to NEG_INF (ties: lower index)."""
    xp = get_ops().xp
    rank = xp.argsort(xp.argsort(-y_pred, axis=-1, kind="stable"), axis=-1, kind="stable")
    return xp.where(rank < k, y_pred, NEG_INF)


def safe_ratio(num, den):
    """num / den with 0 where den is 0 (host NumPy arrays)."""
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


class _ThresholdMetric(Metric):
    """Confusion counts at a list of thresholds, optionally after top-k and class selection."""

    _counts = ()  # which of "tp", "fp", "tn", "fn" the subclass keeps

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        where = type(self).__name__
        top_k = validation.integer(where, "top_k", top_k, low=1, allow_none=True)
        class_id = validation.integer(where, "class_id", class_id, low=0, allow_none=True)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF, where)
        self.top_k = top_k
        self.class_id = class_id
        order = np.argsort(self.thresholds, kind="stable")
        xp = get_ops().xp
        self._sorted = xp.asarray(np.asarray(self.thresholds)[order], dtype=self.dtype)
        self._unsort = xp.asarray(np.argsort(order))
        for count in self._counts:
            self.add_state(count, (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch: ``y_pred`` scores in [0, 1], ``y_true`` 0/1 labels of the same shape."""
        where = type(self).__name__
        y_pred, y_true = match_rank(to_array(y_pred, self.dtype), to_array(y_true))
        check_same_shape(y_true, y_pred, where)
        weights = None
        if sample_weight is not None:
            weights = broadcast_weights(to_array(sample_weight, self.dtype), y_pred.shape, where)
        if self.top_k is not None:
            y_pred = _keep_top_k(y_pred, self.top_k)
        if self.class_id is not None:
            if y_pred.ndim < 2 or self.class_id >= y_pred.shape[-1]:
                raise ValueError(
                    f"{where}: class_id={self.class_id} needs y_pred of shape (N, num_classes) "
                    f"with more than {self.class_id} classes, got shape {tuple(y_pred.shape)}"
                )
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
            weights = None if weights is None else weights[..., self.class_id]
        tp, fp, positives, negatives = threshold_counts(y_true, y_pred, weights, self._sorted)
        found = {"tp": tp, "fp": fp}
        if "tn" in self._counts:
            found["tn"] = negatives - fp
        if "fn" in self._counts:
            found["fn"] = positives - tp
        for count in self._counts:
            getattr(self, count)[...] += found[count][self._unsort]

    def _report(self, values):
        return float(values[0]) if len(self.thresholds) == 1 else values.astype(self.dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}


class _Count(_ThresholdMetric):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def result(self):
        return self._report(host_array(getattr(self, self._counts[0])))


class TruePositives(_Count):
    """Weighted count of positive labels predicted positive (``y_pred > threshold``).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a list gives an array.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> m.result()
        2.0
    """

    direction = "max"
    _counts = ("tp",)


class FalsePositives(_Count):
    """Weighted count of negative labels predicted positive (``y_pred > threshold``).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a list gives an array.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = FalsePositives()
        >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
        >>> m.result()
        2.0
    """

    direction = "min"
    _counts = ("fp",)


class TrueNegatives(_Count):
    """Weighted count of negative labels predicted negative (``y_pred <= threshold``).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a list gives an array.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = TrueNegatives()
        >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
        >>> m.result()
        2.0
    """

    direction = "max"
    _counts = ("tn",)


class FalseNegatives(_Count):
    """Weighted count of positive labels predicted negative (``y_pred <= threshold``).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a list gives an array.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = FalseNegatives()
        >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
        >>> m.result()
        2.0
    """

    direction = "min"
    _counts = ("fn",)


class Precision(_ThresholdMetric):
    """Precision ``tp / (tp + fp)`` of thresholded predictions (0 when nothing is predicted).

    Args:
        thresholds: a float or list of floats in [0, 1]; default 0.5, or "in the top k" when
            ``top_k`` is set. A list makes ``result()`` an array, one value per threshold.
        top_k: only the k highest scores of each sample's last axis can be positive.
        class_id: score only this class (column) of multi-class predictions.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(m.result(), 4)
        0.6667
    """

    direction = "max"
    _counts = ("tp", "fp")

    def result(self):
        tp, fp = host_array(self.tp), host_array(self.fp)
        return self._report(safe_ratio(tp, tp + fp))

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class Recall(_ThresholdMetric):
    """Recall ``tp / (tp + fn)`` of thresholded predictions (0 when there are no positives).

    Args:
        thresholds: a float or list of floats in [0, 1]; default 0.5, or "in the top k" when
            ``top_k`` is set. A list makes ``result()`` an array, one value per threshold.
        top_k: only the k highest scores of each sample's last axis can be positive.
        class_id: score only this class (column) of multi-class predictions.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(m.result(), 4)
        0.6667
    """

    direction = "max"
    _counts = ("tp", "fn")

    def result(self):
        tp, fn = host_array(self.tp), host_array(self.fn)
        return self._report(safe_ratio(tp, tp + fn))

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}
