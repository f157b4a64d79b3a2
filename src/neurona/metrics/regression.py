"""Regression metrics: mean errors (absolute, squared, root, percentage, logarithmic, log-cosh),
cosine similarity and the (adjusted) coefficient of determination R^2.

The per-sample functions average over the last axis of (N, D) inputs; inputs of shape (N,)
hold one value per sample. A trailing axis of size 1 is squeezed to match, as Keras does.
"""

import math
import warnings

import numpy as np

from .. import config, validation
from ..backend import get_ops
from .base import (STATE_DTYPE, Metric, broadcast_weights, check_same_shape, host_array,
                   match_rank, metric_function, to_array)
from .reduction import Mean, MeanMetricWrapper


def _pair(y_true, y_pred, where):
    y_pred = to_array(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(config.floatx())
    y_true, y_pred = match_rank(to_array(y_true, y_pred.dtype), y_pred)
    check_same_shape(y_true, y_pred, where)
    return y_true, y_pred


def _per_sample(values):
    return values.mean(axis=-1) if values.ndim > 1 else values


@metric_function("mean_absolute_error", "mae", direction="min")
def mean_absolute_error(y_true, y_pred):
    """Per-sample mean of ``|y_true - y_pred|``.

    Args:
        y_true: targets, shape (N,) or (N, D).
        y_pred: predictions of the same shape.

    Returns:
        A backend array of shape (N,).

    Example:
        >>> mean_absolute_error([[0, 1], [0, 0]], [[1, 1], [0, 0]]).tolist()
        [0.5, 0.0]
    """
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_error")
    return _per_sample(abs(y_true - y_pred))


@metric_function("mean_squared_error", "mse", direction="min")
def mean_squared_error(y_true, y_pred):
    """Per-sample mean of ``(y_true - y_pred) ** 2``.

    Args:
        y_true: targets, shape (N,) or (N, D).
        y_pred: predictions of the same shape.

    Returns:
        A backend array of shape (N,).

    Example:
        >>> mean_squared_error([[0, 1], [0, 0]], [[1, 1], [0, 0]]).tolist()
        [0.5, 0.0]
    """
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_error")
    return _per_sample((y_true - y_pred) ** 2)


@metric_function("mean_absolute_percentage_error", "mape", direction="min")
def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample ``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))``.

    Args:
        y_true: targets, shape (N,) or (N, D).
        y_pred: predictions of the same shape.

    Returns:
        A backend array of shape (N,).

    Example:
        >>> mean_absolute_percentage_error([2.0, 4.0], [1.0, 5.0]).tolist()
        [50.0, 25.0]
    """
    xp = get_ops().xp
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_percentage_error")
    scale = xp.maximum(abs(y_true), config.epsilon())
    return 100.0 * _per_sample(abs(y_true - y_pred) / scale)


@metric_function("mean_squared_logarithmic_error", "msle", direction="min")
def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean of ``(log(1 + y_pred) - log(1 + y_true)) ** 2`` (values floored at eps).

    Args:
        y_true: non-negative targets, shape (N,) or (N, D).
        y_pred: predictions of the same shape.

    Returns:
        A backend array of shape (N,).

    Example:
        >>> round(float(mean_squared_logarithmic_error([0.0], [math.e - 1])[0]), 4)
        1.0
    """
    xp = get_ops().xp
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = config.epsilon()
    diff = xp.log1p(xp.maximum(y_pred, eps)) - xp.log1p(xp.maximum(y_true, eps))
    return _per_sample(diff ** 2)


@metric_function("log_cosh", "logcosh", direction="min")
def log_cosh(y_true, y_pred):
    """Per-sample mean of ``log(cosh(y_pred - y_true))``, computed without overflow.

    Args:
        y_true: targets, shape (N,) or (N, D).
        y_pred: predictions of the same shape.

    Returns:
        A backend array of shape (N,).

    Example:
        >>> round(float(log_cosh([0.0], [1.0])[0]), 4)
        0.4338
    """
    ops = get_ops()
    y_true, y_pred = _pair(y_true, y_pred, "log_cosh")
    err = y_pred - y_true
    # log(cosh(x)) = x + log(1 + exp(-2x)) - log(2): finite for every finite x
    return _per_sample(err + ops.softplus(-2.0 * err) - math.log(2.0))


@metric_function("cosine_similarity", direction="max")
def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample cosine of the angle between label and prediction vectors along ``axis``.

    Args:
        y_true: target vectors, shape (N, D).
        y_pred: predicted vectors of the same shape.
        axis: the vector axis.

    Returns:
        A backend array with ``axis`` removed, shape (N,) for (N, D) inputs.

    Example:
        >>> cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [2.0, 2.0]]).round(4).tolist()
        [0.0, 1.0]
    """
    xp = get_ops().xp
    y_true, y_pred = _pair(y_true, y_pred, "cosine_similarity")
    eps = config.epsilon()

    def unit(v):
        return v / xp.sqrt(xp.maximum((v * v).sum(axis=axis, keepdims=True), eps))

    return (unit(y_true) * unit(y_pred)).sum(axis=axis)


def _simple(cls_name, fn, default_name, direction, doc):
    """A MeanMetricWrapper subclass around one per-sample function (config: name, dtype)."""

    def __init__(self, name=default_name, dtype=None):
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    return type(cls_name, (MeanMetricWrapper,), {
        "__init__": __init__, "get_config": get_config, "direction": direction,
        "__doc__": doc, "__module__": __name__,
    })


_ARGS = """

    Args:
        name: name in logs.
        dtype: result float type.
"""

MeanAbsoluteError = _simple(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error", "min",
    "Streaming mean absolute error, ``mean(|y_true - y_pred|)``." + _ARGS + """
    Example:
        >>> m = MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.25
    """)
MeanSquaredError = _simple(
    "MeanSquaredError", mean_squared_error, "mean_squared_error", "min",
    "Streaming mean squared error, ``mean((y_true - y_pred) ** 2)``." + _ARGS + """
    Example:
        >>> m = MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.25
    """)
MeanAbsolutePercentageError = _simple(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "min",
    "Streaming mean absolute percentage error, in percent." + _ARGS + """
    Example:
        >>> m = MeanAbsolutePercentageError()
        >>> m.update_state([2.0, 4.0], [1.0, 5.0])
        >>> m.result()
        37.5
    """)
MeanSquaredLogarithmicError = _simple(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "min",
    "Streaming mean squared logarithmic error, ``mean((log1p(y_pred) - log1p(y_true))**2)``."
    + _ARGS + """
    Example:
        >>> m = MeanSquaredLogarithmicError()
        >>> m.update_state([0.0, 0.0], [0.0, 0.0])
        >>> m.result()
        0.0
    """)
LogCoshError = _simple(
    "LogCoshError", log_cosh, "logcosh", "min",
    "Streaming mean of ``log(cosh(y_pred - y_true))``." + _ARGS + """
    Example:
        >>> m = LogCoshError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> round(m.result(), 4)
        0.1084
    """)


class CosineSimilarity(MeanMetricWrapper):
    """Streaming mean cosine similarity between label and prediction vectors.

    Args:
        name: name in logs.
        dtype: result float type.
        axis: the vector axis (default -1).

    Example:
        >>> m = CosineSimilarity()
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(m.result(), 4)
        0.5
    """

    direction = "max"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class RootMeanSquaredError(Mean):
    """Streaming root mean squared error, ``sqrt(mean((y_true - y_pred) ** 2))``.

    Args:
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.5
    """

    direction = "min"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch's squared errors to the running mean."""
        y_true, y_pred = _pair(y_true, y_pred, self.name)
        super().update_state((y_pred - y_true) ** 2, sample_weight=sample_weight)

    def result(self):
        return math.sqrt(super().result())


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """Coefficient of determination R^2 (or adjusted R^2), per output or aggregated.

    Args:
        class_aggregation: None (one score per output, an array), "uniform_average" or
            "variance_weighted_average" -- scikit-learn's ``multioutput``.
        num_regressors: number of independent regressors for the adjusted R^2 (0: plain R^2).
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = R2Score()
        >>> m.update_state([[1], [4], [3]], [[2], [4], [4]])
        >>> round(m.result(), 4)
        0.5714
    """

    direction = "max"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.class_aggregation = validation.choice("R2Score", "class_aggregation",
                                                   class_aggregation, _AGGREGATIONS)
        self.num_regressors = validation.integer("R2Score", "num_regressors", num_regressors,
                                                 low=0)
        self.add_state("num_samples")
        self._num_outputs = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch of targets and predictions, shape (N, outputs) or (N,)."""
        y_true, y_pred = _pair(y_true, y_pred, "R2Score")
        if y_pred.ndim == 1:
            y_true, y_pred = y_true[:, None], y_pred[:, None]
        if y_pred.ndim != 2:
            raise ValueError("R2Score expects inputs of shape (N, outputs) or (N,), got "
                             f"shape {tuple(y_pred.shape)}")
        if self._num_outputs is None:
            self._num_outputs = y_pred.shape[1]
            for total in ("sum", "squared_sum", "residual", "count"):
                self.add_state(total, (self._num_outputs,))
        elif y_pred.shape[1] != self._num_outputs:
            raise ValueError(f"R2Score: earlier batches had {self._num_outputs} outputs, this one "
                             f"has shape {tuple(y_pred.shape)}")
        if sample_weight is None:
            w = get_ops().xp.ones(y_true.shape, dtype=y_true.dtype)
        else:
            w = broadcast_weights(to_array(sample_weight, y_true.dtype), y_true.shape, "R2Score")
        weighted = y_true * w
        self.sum += weighted.sum(axis=0, dtype=STATE_DTYPE)
        self.squared_sum += (y_true * weighted).sum(axis=0, dtype=STATE_DTYPE)
        self.residual += ((y_true - y_pred) ** 2 * w).sum(axis=0, dtype=STATE_DTYPE)
        self.count += w.sum(axis=0, dtype=STATE_DTYPE)
        self.num_samples += y_true.size

    def result(self):
        if self._num_outputs is None:
            raise RuntimeError("R2Score.result() called before any update_state; "
                               "the number of outputs is not known yet.")
        total_sum = host_array(self.sum)
        count = host_array(self.count)
        total = host_array(self.squared_sum) - total_sum * total_sum / count
        residual = host_array(self.residual)
        # a constant target has no variance: 1 for an exact fit, else 0 (not -inf or NaN)
        flat = total == 0
        scores = np.where(flat, (residual == 0) * 1.0, 1.0 - residual / np.where(flat, 1, total))
        if self.class_aggregation == "uniform_average":
            score = scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * scores).sum() / total.sum()
        else:
            score = scores
        n, p = float(self.num_samples), self.num_regressors
        if p:
            if p >= n - 1:
                warnings.warn(f"R2Score: num_regressors={p} needs more than {p + 1} samples "
                              f"(got {n:g}); returning the plain R2 score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1) / (n - p - 1)
        return score.astype(self.dtype) if self.class_aggregation is None else float(score)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation, "num_regressors": self.num_regressors}
