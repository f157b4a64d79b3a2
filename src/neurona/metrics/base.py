"""The streaming-metric contract and the array helpers every metric shares.

A metric keeps its running state as arrays of the active backend (NumPy or CuPy). Its
``update_state`` runs every training batch, so it does a few vectorised array operations and
never reads a value back to the host; only ``result()`` does. State accumulates in float64 so a
long epoch of float32 batches does not drift; ``result()`` reports in the metric's ``dtype``.
"""

import abc
import re

import numpy as np

from ..autograd import Tensor
from ..backend import get_ops
from .. import config, validation
from ..registry import Registry

# Functions that MeanMetricWrapper can wrap and deserialize by name.
metric_functions = Registry("metric function")

_DIRECTIONS = ("max", "min")
_FLOAT_DTYPES = ("float16", "float32", "float64")
STATE_DTYPE = "float64"


def metric_function(*names, direction):
    """Register a per-sample metric function and record whether higher values are better."""
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {_DIRECTIONS}, got {direction!r}")

    def decorator(fn):
        fn.direction = direction
        return metric_functions.register(*names)(fn)

    return decorator


def to_array(x, dtype=None):
    """The backend array behind ``x`` (a Tensor's ``.data``, an array, or array-like)."""
    if isinstance(x, Tensor):
        x = x.data
    ops = get_ops()
    if ops.is_array(x):
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    return ops.asarray(np.asarray(x), dtype=dtype)


def match_rank(a, b):
    """Keras's squeeze-or-expand: reconcile ranks that differ by one trailing unit axis.

    ``(N, 1)`` against ``(N,)`` squeezes the unit axis, except that a rank-1 array facing a
    ``(N, 1)`` array is expanded to ``(N, 1)``. Other shapes are returned unchanged.
    """
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        if b.ndim == 1:
            b = b[:, None]
        else:
            a = a.reshape(a.shape[:-1])
    elif b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        if a.ndim == 1:
            a = a[:, None]
        else:
            b = b.reshape(b.shape[:-1])
    return a, b


def check_same_shape(y_true, y_pred, where):
    """Raise a ValueError quoting both shapes when labels and predictions disagree."""
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true has shape {tuple(y_true.shape)} but y_pred has shape "
            f"{tuple(y_pred.shape)}; pass labels and predictions of the same shape "
            "(one row per sample, one column per output)."
        )


def broadcast_weights(sample_weight, shape, where):
    """``sample_weight`` broadcast to ``shape`` with trailing axes added, or a clear error."""
    w = sample_weight
    if w.ndim < len(shape):
        w = w.reshape(w.shape + (1,) * (len(shape) - w.ndim))
    try:
        return get_ops().xp.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(
            f"{where}: sample_weight has shape {tuple(sample_weight.shape)}, which does not "
            f"broadcast to the batch shape {tuple(shape)}; pass one weight per sample "
            f"(shape ({shape[0] if shape else 1},)) or a scalar."
        ) from None


def host_array(x):
    """A running total copied to the host as a float64 NumPy array (``result()`` only)."""
    return np.asarray(get_ops().to_numpy(x), dtype="float64")


def _snake_case(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class Metric(abc.ABC):
    """Base class of streaming metrics: accumulate per batch, read the result at the end.

    Subclasses create their running totals with :meth:`add_state` (zeros on the active
    backend) and implement ``update_state`` and ``result``. The class attribute ``direction``
    says whether higher values are better (``"max"``) or lower (``"min"``); ``None`` means
    unknown, so callbacks in ``mode="auto"`` must be told.

    Args:
        name: the name shown in logs; defaults to the class name in snake case.
        dtype: float type of array results; defaults to ``config.floatx()`` ("float32").

    Example:
        >>> class Count(Metric):
        ...     direction = "max"
        ...     def __init__(self, name="count", dtype=None):
        ...         super().__init__(name=name, dtype=dtype)
        ...         self.add_state("n")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.n += to_array(y_pred).shape[0]
        ...     def result(self):
        ...         return float(self.n)
    """

    direction = None

    def __init__(self, name=None, dtype=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None, got {name!r}")
        try:
            dtype = config.floatx() if dtype is None else np.dtype(dtype).name
        except TypeError:
            dtype = repr(dtype)
        validation.choice(type(self).__name__, "dtype", dtype, _FLOAT_DTYPES)
        self.name = name or _snake_case(type(self).__name__)
        self.dtype = dtype
        self._state_names = []

    def add_state(self, name, shape=()):
        """Create a zero-filled running total ``self.<name>`` that ``reset_state`` clears."""
        setattr(self, name, get_ops().xp.zeros(shape, dtype=STATE_DTYPE))
        self._state_names.append(name)

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """A state variable of this metric (Keras 3's ``Metric.add_variable``): update it with
        ``assign_add``/``assign`` in ``update_state``, read it in ``result``; the default
        ``reset_state`` zeroes it.

        Args:
            shape: the variable's shape.
            initializer: its initial value's initializer ("zeros", "ones", ...).
            dtype: its dtype (default: the metric's).
            aggregation: how replicas would combine it ("sum", "mean", "none",
                "only_first_replica"); neurona runs on one device, where every choice is
                the variable itself.
            name: its name.

        Returns:
            The :class:`~neurona.Variable`.
        """
        from ..autograd import Variable
        from ..validation import choice

        choice(type(self).__name__, "aggregation", aggregation,
               ("sum", "mean", "none", "only_first_replica"))
        variable = Variable(initializer, shape=tuple(shape), dtype=dtype or self.dtype,
                            trainable=False, name=name)
        self.__dict__.setdefault("_variables", []).append(variable)
        return variable

    add_weight = add_variable

    @property
    def variables(self):
        """The variables made with :meth:`add_variable`."""
        return list(self.__dict__.get("_variables", []))

    @abc.abstractmethod
    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulate one batch (arrays or Tensors; weights default to 1)."""

    @abc.abstractmethod
    def result(self):
        """The metric over everything accumulated since the last reset."""

    def reset_state(self):
        """Zero every running total and variable (called at the start of each epoch)."""
        for name in self._state_names:
            getattr(self, name)[...] = 0
        for variable in self.variables:
            variable.data[...] = 0

    def __call__(self, *args, **kwargs):
        """Update with one batch (``update_state``'s arguments) and return the running result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """Rebuild a metric from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"
