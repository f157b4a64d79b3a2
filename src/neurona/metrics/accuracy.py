"""Accuracy metrics: exact match, thresholded binary, arg-max categorical and top-k.

Each comes as a per-sample function (``binary_accuracy(y_true, y_pred)`` returns one value per
sample) and as a streaming class that averages it. Inputs of shape ``(N,)`` hold one value per
sample; a trailing axis of size 1 is squeezed to match, as Keras does.
"""

from .. import config, validation
from ..backend import get_ops
from .base import check_same_shape, match_rank, metric_function, to_array
from .reduction import MeanMetricWrapper


def _floatx(mask):
    return mask.astype(config.floatx())


def _per_sample(values):
    """Average an element-wise score over the last axis when there is one past the batch."""
    return values.mean(axis=-1) if values.ndim > 1 else values


@metric_function("accuracy", direction="max")
def accuracy(y_true, y_pred):
    """How often predictions equal labels exactly, per sample.

    Args:
        y_true: labels, shape (N,) or (N, D).
        y_pred: predictions of the same shape (already decoded to labels).

    Returns:
        A backend array of shape (N,): the fraction of matching entries per sample.

    Example:
        >>> accuracy([1, 2, 3], [1, 0, 3]).tolist()
        [1.0, 0.0, 1.0]
    """
    y_pred = to_array(y_pred)
    y_true, y_pred = match_rank(to_array(y_true, y_pred.dtype), y_pred)
    check_same_shape(y_true, y_pred, "accuracy")
    return _per_sample(_floatx(y_true == y_pred))


@metric_function("binary_accuracy", direction="max")
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """How often ``y_pred > threshold`` matches 0/1 labels, per sample.

    Args:
        y_true: 0/1 labels, shape (N,) or (N, D).
        y_pred: probabilities of the same shape.
        threshold: predictions above it count as 1.

    Returns:
        A backend array of shape (N,).

    Example:
        >>> binary_accuracy([[1], [0]], [[0.7], [0.6]]).tolist()
        [1.0, 0.0]
    """
    y_true, y_pred = match_rank(to_array(y_true), to_array(y_pred))
    check_same_shape(y_true, y_pred, "binary_accuracy")
    decided = (y_pred > threshold).astype(y_true.dtype)
    return _per_sample(_floatx(y_true == decided))


@metric_function("categorical_accuracy", direction="max")
def categorical_accuracy(y_true, y_pred):
    """Whether the arg-max of the prediction is the arg-max of the one-hot label, per sample.

    Args:
        y_true: one-hot labels, shape (N, C).
        y_pred: scores (probabilities or logits) of the same shape.

    Returns:
        A backend array of shape (N,) of 0.0/1.0.

    Example:
        >>> categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]).tolist()
        [1.0, 0.0]
    """
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    check_same_shape(y_true, y_pred, "categorical_accuracy")
    return _floatx(y_true.argmax(axis=-1) == y_pred.argmax(axis=-1))


@metric_function("sparse_categorical_accuracy", direction="max")
def sparse_categorical_accuracy(y_true, y_pred):
    """Whether the arg-max of the prediction equals the integer label, per sample.

    Args:
        y_true: integer labels, shape (N,) or (N, 1).
        y_pred: scores, shape (N, C).

    Returns:
        A backend array of shape (N,) of 0.0/1.0.

    Example:
        >>> sparse_categorical_accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]]).tolist()
        [1.0, 0.0]
    """
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"sparse_categorical_accuracy: y_true has shape {tuple(y_true.shape)} but y_pred "
            f"has shape {tuple(y_pred.shape)}; pass integer labels of shape (N,) with scores "
            "of shape (N, num_classes) (one-hot labels go to categorical_accuracy)."
        )
    return _floatx(y_true == y_pred.argmax(axis=-1).astype(y_true.dtype))


def _in_top_k(labels, y_pred, k):
    """Whether each integer label's score is among the k largest (ties count as inside)."""
    xp = get_ops().xp
    num_classes = y_pred.shape[-1]
    labels = labels.astype("int64")
    valid = (labels >= 0) & (labels < num_classes)
    safe = xp.clip(labels, 0, num_classes - 1)
    target = xp.take_along_axis(y_pred, safe[..., None], axis=-1)
    above = (y_pred > target).sum(axis=-1)
    return _floatx(valid & (above < k))


@metric_function("sparse_top_k_categorical_accuracy", direction="max")
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the integer label is among the k highest-scored classes, per sample.

    Args:
        y_true: integer labels, shape (N,) or (N, 1).
        y_pred: scores, shape (N, C).
        k: how many top classes count as a hit.

    Returns:
        A backend array of shape (N,) of 0.0/1.0.

    Example:
        >>> sparse_top_k_categorical_accuracy([2], [[0.5, 0.1, 0.4]], k=2).tolist()
        [1.0]
    """
    k = validation.integer("sparse_top_k_categorical_accuracy", "k", k, low=1)
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"sparse_top_k_categorical_accuracy: y_true has shape {tuple(y_true.shape)} but "
            f"y_pred has shape {tuple(y_pred.shape)}; pass integer labels of shape (N,) with "
            "scores of shape (N, num_classes)."
        )
    return _in_top_k(y_true, y_pred, k)


@metric_function("top_k_categorical_accuracy", direction="max")
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the one-hot label's class is among the k highest-scored classes, per sample.

    Args:
        y_true: one-hot labels, shape (N, C).
        y_pred: scores of the same shape.
        k: how many top classes count as a hit.

    Returns:
        A backend array of shape (N,) of 0.0/1.0.

    Example:
        >>> top_k_categorical_accuracy([[0, 0, 1]], [[0.5, 0.1, 0.4]], k=2).tolist()
        [1.0]
    """
    k = validation.integer("top_k_categorical_accuracy", "k", k, low=1)
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    check_same_shape(y_true, y_pred, "top_k_categorical_accuracy")
    return _in_top_k(y_true.argmax(axis=-1), y_pred, k)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (for already-decoded predictions).

    Args:
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> m.result()
        0.75
    """

    direction = "max"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded probabilities match 0/1 labels.

    Args:
        threshold: predictions above it count as 1; must lie in (0, 1).
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> m.result()
        0.75
    """

    direction = "max"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        threshold = validation.real("BinaryAccuracy", "threshold", threshold, 0.0, 1.0,
                                    low_open=True, high_open=True)
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of the scores matches the one-hot label.

    Args:
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    direction = "max"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of the scores matches the integer label.

    Args:
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    direction = "max"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest scores.

    Args:
        k: how many top classes count as a hit (default 5).
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    direction = "max"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        k = validation.integer("TopKCategoricalAccuracy", "k", k, low=1)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest scores.

    Args:
        k: how many top classes count as a hit (default 5).
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    direction = "max"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        k = validation.integer("SparseTopKCategoricalAccuracy", "k", k, low=1)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}
