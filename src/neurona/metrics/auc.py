"""Area under the ROC or precision-recall curve, approximated on a grid of thresholds.

Like Keras, the curve is sampled at ``num_thresholds`` thresholds (``-eps, 1/(T-1), ...,
(T-2)/(T-1), 1+eps``): confusion counts accumulate per threshold batch by batch (bucketed,
see :mod:`.confusion`) and ``result()`` integrates the sampled curve with a Riemann sum.
"""

import numpy as np

from .. import config, validation
from ..backend import get_ops
from .base import Metric, broadcast_weights, check_same_shape, host_array, match_rank, to_array
from .confusion import parse_thresholds, safe_ratio, threshold_counts

_CURVES = ("ROC", "PR")
_SUMMATIONS = ("interpolation", "minoring", "majoring")


class AUC(Metric):
    """Area under the ROC curve (default) or the precision-recall curve.

    Args:
        num_thresholds: how many thresholds sample the curve (> 1); more is closer to exact.
        curve: "ROC" or "PR".
        summation_method: "interpolation" (trapezoids for ROC; Davis & Goadrich interpolation
            of true/false positives for PR), "minoring" (lower sum) or "majoring" (upper sum).
        name: name in logs.
        dtype: result float type.
        thresholds: explicit thresholds in [0, 1] instead of the even grid (then
            ``num_thresholds`` becomes ``len(thresholds) + 2``).
        multi_label: with (N, L) inputs, compute one AUC per label and average them, instead
            of flattening all entries into one curve.
        num_labels: number of labels when ``multi_label`` (else taken from the first batch).
        label_weights: non-negative weight per label: the average's weights when
            ``multi_label``, otherwise per-column weights of the flattened entries.
        from_logits: ``y_pred`` holds logits; a sigmoid maps them to probabilities.

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> m.result()
        0.75
    """

    direction = "max"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve_key = validation.choice("AUC", "curve",
                                      curve.upper() if isinstance(curve, str) else curve, _CURVES)
        method = validation.choice(
            "AUC", "summation_method",
            summation_method.lower() if isinstance(summation_method, str) else summation_method,
            _SUMMATIONS)
        if thresholds is not None:
            inner = sorted(parse_thresholds(thresholds, 0.5, "AUC"))
            self._evenly = False
        else:
            num_thresholds = validation.integer("AUC", "num_thresholds", num_thresholds, low=2)
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        if num_labels is not None and not multi_label:
            raise ValueError("AUC: num_labels is only used with multi_label=True; "
                             f"got num_labels={num_labels!r} with multi_label=False")
        self.curve = curve_key
        self.summation_method = method
        self.num_thresholds = len(inner) + 2
        self._init_thresholds = thresholds
        eps = config.epsilon()
        self.thresholds = [-eps] + inner + [1.0 + eps]
        self._grid = get_ops().xp.asarray(self.thresholds, dtype=self.dtype)
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None
        if label_weights is not None:
            weights = np.asarray(label_weights, dtype="float64")
            if weights.ndim != 1 or (weights < 0).any():
                raise ValueError("AUC: label_weights must be a 1-D list of non-negative "
                                 f"weights, one per label, got {label_weights!r}")
            self.label_weights = weights
        self.from_logits = bool(from_logits)
        self._built = False
        if not self.multi_label:
            self._build(None)
        elif num_labels:
            self._build(num_labels)

    def _build(self, num_labels):
        shape = (self.num_thresholds,) if num_labels is None else (self.num_thresholds, num_labels)
        for count in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            self.add_state(count, shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch of 0/1 labels and scores (probabilities, or logits if ``from_logits``)."""
        ops = get_ops()
        y_pred, y_true = match_rank(to_array(y_pred, self.dtype), to_array(y_true))
        check_same_shape(y_true, y_pred, "AUC")
        labels = y_pred.shape[-1] if y_pred.ndim == 2 else None
        if self.multi_label and labels is None:
            raise ValueError("AUC(multi_label=True) needs y_pred of shape (N, num_labels), "
                             f"got shape {tuple(y_pred.shape)}")
        if self.label_weights is not None and labels != len(self.label_weights):
            raise ValueError(f"AUC: label_weights has {len(self.label_weights)} entries but "
                             f"y_pred has shape {tuple(y_pred.shape)}; give one weight per label")
        if not self._built:
            self._build(labels)
        elif self.multi_label and self.true_positives.shape[1] != labels:
            raise ValueError(f"AUC: expected {self.true_positives.shape[1]} labels as in earlier "
                             f"batches, got y_pred of shape {tuple(y_pred.shape)}")
        if self.from_logits:
            y_pred = ops.sigmoid(y_pred)
        if self._evenly:  # the even grid ends at -eps and 1+eps: keep scores inside it
            y_pred = ops.xp.clip(y_pred, 0.0, 1.0)
        weights = None
        if sample_weight is not None:
            weights = broadcast_weights(to_array(sample_weight, self.dtype), y_pred.shape, "AUC")
        if self.label_weights is not None and not self.multi_label:
            column = ops.xp.asarray(self.label_weights, dtype=self.dtype)
            weights = column if weights is None else weights * column
            weights = ops.xp.broadcast_to(weights, y_pred.shape)
        tp, fp, positives, negatives = threshold_counts(
            y_true, y_pred, weights, self._grid, multi_label=self.multi_label)
        self.true_positives += tp
        self.false_positives += fp
        self.true_negatives += negatives - fp
        self.false_negatives += positives - tp

    def result(self):
        if not self._built:
            return 0.0
        tp = host_array(self.true_positives)
        fp = host_array(self.false_positives)
        tn = host_array(self.true_negatives)
        fn = host_array(self.false_negatives)
        if self.curve == "PR" and self.summation_method == "interpolation":
            per_label = self._interpolated_pr(tp, fp, fn)
        else:
            recall = safe_ratio(tp, tp + fn)
            if self.curve == "ROC":
                x, y = safe_ratio(fp, fp + tn), recall
            else:
                x, y = recall, safe_ratio(tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            per_label = ((x[:-1] - x[1:]) * heights).sum(axis=0)
        if not self.multi_label:
            return float(per_label)
        if self.label_weights is None:
            return float(per_label.mean())
        total = self.label_weights.sum()
        return float((per_label * self.label_weights).sum() / total) if total else 0.0

    @staticmethod
    def _interpolated_pr(tp, fp, fn):
        """PR area with true and false positives linear between thresholds (Davis & Goadrich).

        Between thresholds A and B, with P = tp + fp and precision slope s = dTP / dP, the area
        is s * (dTP + (TP_B - s * P_B) * log(P_A / P_B)) / positives.
        """
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = safe_ratio(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, safe_ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
        area = safe_ratio(slope * (dtp + intercept * np.log(ratio)),
                          np.maximum(tp[1:] + fn[1:], 0))
        return area.sum(axis=0)

    def get_config(self):
        cfg = {
            "name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
            "curve": self.curve, "summation_method": self.summation_method,
            "multi_label": self.multi_label, "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self.from_logits,
        }
        if self._init_thresholds is not None:
            # the explicit thresholds define the grid; num_thresholds follows from them
            cfg["thresholds"] = list(self.thresholds[1:-1])
        return cfg
