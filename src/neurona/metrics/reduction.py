"""Weighted running sums and means, and the wrapper that turns a per-sample function into a
streaming metric."""

import inspect

from .base import (STATE_DTYPE, Metric, apply_mask, broadcast_weights, match_rank,
                   metric_functions, to_array)


def _samplewise(values, sample_weight, reduce_fn, dtype, where):
    """Reduce ``values`` to one number per sample, weighted (Keras's rules).

    Weights are matched in rank to the values, values are reduced over the axes the weights do
    not cover, then everything past the batch axis is reduced with ``reduce_fn``.

    Returns:
        (values of shape (N,) or (), weights of the same shape or None)
    """
    values = to_array(values, dtype)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, dtype)
        values, sample_weight = match_rank(values, sample_weight)
        w_ndim = sample_weight.ndim
        if values.ndim > w_ndim:
            values = reduce_fn(values, axis=tuple(range(w_ndim, values.ndim)))
        sample_weight = broadcast_weights(sample_weight, values.shape, where)
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


def _mean(x, axis):
    return x.mean(axis=axis)


def _sum(x, axis):
    return x.sum(axis=axis)


class Sum(Metric):
    """The (weighted) running sum of the values it is given.

    Args:
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = Sum()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> m.result()
        4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.add_state("total")

    def update_state(self, values, sample_weight=None):
        """Add ``sum(values * sample_weight)`` to the running total."""
        values, _ = _samplewise(values, sample_weight, _sum, self.dtype, self.name)
        self.total += values.sum(dtype=STATE_DTYPE)

    def result(self):
        return float(self.total)


class Mean(Metric):
    """The (weighted) running mean of the values it is given; the trainer tracks the loss with it.

    Per-sample values are first averaged over their non-batch axes; the result is
    ``sum(value * weight) / sum(weight)`` over all samples seen (0 before any update).

    Args:
        name: name in logs.
        dtype: result float type.

    Example:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> m.result()
        2.0
    """

    direction = "min"

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.add_state("total")
        self.add_state("count")

    def update_state(self, values, sample_weight=None):
        """Add one batch of values (any shape; axis 0 is the sample axis)."""
        values, sample_weight = _samplewise(values, sample_weight, _mean, self.dtype, self.name)
        self.total += values.sum(dtype=STATE_DTYPE)
        if sample_weight is not None:
            self.count += sample_weight.sum(dtype=STATE_DTYPE)
        else:
            self.count += values.shape[0] if values.ndim else 1

    def result(self):
        count = float(self.count)
        return float(self.total) / count if count else 0.0


class MeanMetricWrapper(Mean):
    """A streaming mean of a per-sample metric function ``fn(y_true, y_pred, **kwargs)``.

    Args:
        fn: a function returning one value per sample (e.g. :func:`binary_accuracy`).
        name: name in logs; defaults to ``fn.__name__``.
        dtype: result float type.
        **kwargs: extra keyword arguments of ``fn`` (checked against its signature now).

    Example:
        >>> from neurona.metrics import binary_accuracy
        >>> m = MeanMetricWrapper(binary_accuracy, threshold=0.3)
        >>> m.update_state([[1], [0]], [[0.4], [0.2]])
        >>> m.result()
        1.0
    """

    direction = None

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be callable, got {fn!r}")
        try:
            inspect.signature(fn).bind(None, None, **kwargs)
        except TypeError as err:
            raise TypeError(
                f"MeanMetricWrapper: arguments {sorted(kwargs)} do not fit "
                f"{getattr(fn, '__name__', fn)}{inspect.signature(fn)}: {err}"
            ) from None
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if hasattr(fn, "direction"):  # registered functions know it; others stay undecided
            self.direction = fn.direction

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Evaluate ``fn`` on the batch and add its per-sample values to the running mean
        (entries masked in ``y_pred``'s Keras mask carry no weight, as Keras)."""
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=apply_mask(sample_weight, y_pred))

    def get_config(self):
        fn_name = getattr(self._fn, "registered_name", None) or getattr(self._fn, "__name__", None)
        return {"fn": fn_name, "name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        if "fn" not in config:  # subclasses fix their own function
            return cls(**config)
        config = dict(config)
        return cls(metric_functions.get(config.pop("fn")), **config)
