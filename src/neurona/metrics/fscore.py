"""F-beta and F1 scores of multi-class or multi-label predictions, per class or averaged."""

from .. import config, validation
from ..backend import get_ops
from .base import Metric, broadcast_weights, check_same_shape, host_array, match_rank, to_array

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score ``(1 + b^2) * P * R / (b^2 * P + R)`` of (N, num_classes) predictions.

    Each row's prediction is decoded to 0/1 per class: above ``threshold``, or, when
    ``threshold`` is None, the row's maximum (a one-hot arg-max). A small epsilon keeps empty
    classes at 0 rather than NaN, as in Keras.

    Args:
        average: None (one score per class, an array), "micro" (global counts), "macro"
            (unweighted mean of the class scores) or "weighted" (mean weighted by support).
        beta: weight of recall against precision; > 0.
        threshold: a float in (0, 1], or None for arg-max decoding.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = FBetaScore(beta=2.0, threshold=0.5, average="micro")
        >>> m.update_state([[1, 0], [0, 1]], [[0.9, 0.2], [0.6, 0.7]])
        >>> round(m.result(), 4)
        0.9091
    """

    direction = "max"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        where = type(self).__name__
        self.average = validation.choice(where, "average", average, _AVERAGES)
        self.beta = validation.real(where, "beta", beta, low=0.0, low_open=True)
        self.threshold = validation.real(where, "threshold", threshold, 0.0, 1.0, low_open=True,
                                         allow_none=True)
        self._num_classes = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch: 0/1 labels and scores, both of shape (N, num_classes)."""
        xp = get_ops().xp
        where = type(self).__name__
        y_true, y_pred = match_rank(to_array(y_true, self.dtype), to_array(y_pred, self.dtype))
        check_same_shape(y_true, y_pred, where)
        if y_pred.ndim != 2:
            raise ValueError(f"{where} expects inputs of shape (N, num_classes), got y_pred of "
                             f"shape {tuple(y_pred.shape)}; one-hot encode the labels.")
        if self._num_classes is None:
            self._num_classes = y_pred.shape[1]
            shape = () if self.average == "micro" else (self._num_classes,)
            for count in ("true_positives", "false_positives", "false_negatives", "support"):
                self.add_state(count, shape)
        elif y_pred.shape[1] != self._num_classes:
            raise ValueError(f"{where}: earlier batches had {self._num_classes} classes, this one "
                             f"has y_pred of shape {tuple(y_pred.shape)}")
        if self.threshold is None:
            top = y_pred.max(axis=-1, keepdims=True)
            decided = (y_pred >= top) & (xp.abs(y_pred) > 1e-9)  # an all-zero row stays zero
        else:
            decided = y_pred > self.threshold
        decided = decided.astype(self.dtype)
        if sample_weight is not None:
            w = broadcast_weights(to_array(sample_weight, self.dtype), y_pred.shape[:1], where)
            decided_w, y_true_w = decided * w[:, None], y_true * w[:, None]
        else:
            decided_w, y_true_w = decided, y_true
        axis = None if self.average == "micro" else 0
        tp = (decided_w * y_true).sum(axis=axis, dtype="float64")
        self.true_positives += tp
        self.false_positives += decided_w.sum(axis=axis, dtype="float64") - tp
        self.false_negatives += y_true_w.sum(axis=axis, dtype="float64") - tp
        self.support += y_true_w.sum(axis=axis, dtype="float64")

    def result(self):
        if self._num_classes is None:
            raise RuntimeError(f"{type(self).__name__}.result() called before any update_state; "
                               "the number of classes is not known yet.")
        eps = config.epsilon()
        tp = host_array(self.true_positives)
        precision = tp / (tp + host_array(self.false_positives) + eps)
        recall = tp / (tp + host_array(self.false_negatives) + eps)
        b2 = self.beta ** 2
        score = (1 + b2) * precision * recall / (b2 * precision + recall + eps)
        if self.average == "weighted":
            support = host_array(self.support)
            return float((score * support / (support.sum() + eps)).sum())
        if self.average is not None:
            return float(score.mean())
        return score.astype(self.dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score, the harmonic mean of precision and recall (:class:`FBetaScore` with beta=1).

    Args:
        average: None (one score per class, an array), "micro", "macro" or "weighted".
        threshold: a float in (0, 1], or None for arg-max decoding.
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = F1Score(threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(v, 4) for v in m.result().tolist()]
        [0.5, 0.8, 0.6667]
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        cfg = super().get_config()
        del cfg["beta"]
        return cfg
