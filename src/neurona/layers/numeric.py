"""Preprocessing of numeric features inside a model: ``Normalization`` and ``Discretization``
(Keras 3's arguments, ``adapt`` and results).

What ``adapt`` learns is saved with the model as data: Normalization's mean and variance as
non-trainable weights, Discretization's bin boundaries in its config.
"""

import numbers

import numpy as np

from .. import config
from .. import functions as F
from ..backend import get_ops
from ..validation import choice, integer, real
from .data_layer import (OUTPUT_MODES, DataLayer, adapt_batches, categorical_output_shape,
                         encode_categorical)
from .layer import Layer, register_layer

__all__ = ["Normalization", "Discretization"]


def _axes(axis):
    if axis is None:
        return ()
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return (int(axis),)
    try:
        axes = tuple(axis)
    except TypeError:
        axes = None
    if axes is None or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                               for a in axes):
        raise ValueError(f"Normalization: axis must be an int, a tuple of ints or None, got "
                         f"axis={axis!r}")
    return tuple(int(a) for a in axes)


@register_layer("Normalization")
class Normalization(Layer):
    """Standardize features: ``(x - mean) / sqrt(variance)`` (Keras's ``Normalization``).

    The statistics come from :meth:`adapt` on training data, or are given as ``mean`` and
    ``variance``. ``axis`` names the axes that keep their own statistics (default the last:
    one mean per feature); ``axis=None`` uses one mean and variance for everything.

    Args:
        axis: int, tuple of ints or None.
        mean, variance: the statistics (scalars or arrays broadcastable to the kept axes);
            both or neither.
        invert: undo a normalization instead: ``mean + x * sqrt(variance)``.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    The divisor is ``max(sqrt(variance), epsilon)`` (``epsilon`` = ``keras.config.epsilon()``),
    so a constant feature maps to 0 instead of dividing by zero. Gradients flow to the input.

    Example:
        >>> layer = Normalization()
        >>> layer.adapt(np.array([[1.0, 10.0], [3.0, 30.0]]))
        >>> layer(np.array([[2.0, 20.0]])).numpy().tolist()
        [[0.0, 0.0]]
    """

    traceable = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **base):
        super().__init__(**base)
        self.axis = _axes(axis)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both mean and variance (or neither and call "
                             f"adapt()), got mean={mean!r}, variance={variance!r}")
        self.input_mean = self.input_variance = None
        if mean is not None:
            m, v = np.asarray(mean, dtype=np.float64), np.asarray(variance, dtype=np.float64)
            if m.shape != v.shape:
                raise ValueError(f"Normalization: mean and variance must have the same shape, "
                                 f"got {m.shape} and {v.shape}")
            if m.ndim > len(self.axis):
                raise ValueError(f"Normalization: mean has rank {m.ndim}, more than the "
                                 f"{len(self.axis)} kept axes (axis={axis!r})")
            if (v < 0).any() or not (np.isfinite(m).all() and np.isfinite(v).all()):
                raise ValueError("Normalization: mean must be finite and variance finite and "
                                 ">= 0")
            self.input_mean, self.input_variance = m, v
        if not isinstance(invert, bool):
            raise TypeError(f"Normalization: invert must be True or False, got {invert!r}")
        self.invert = invert

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"Normalization {self.name!r}: axis {self.axis} is out of range for "
                             f"inputs of shape {tuple(input_shape)}")
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        if 0 in self._keep and ndim > 1:
            raise ValueError(f"Normalization {self.name!r}: axis 0 is the batch axis; keep "
                             "feature axes only")
        if any(input_shape[a] is None for a in self._keep):
            raise ValueError(f"Normalization {self.name!r}: the kept axes {self._keep} must have "
                             f"known sizes, got input shape {tuple(input_shape)}")
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._stat_shape = tuple(input_shape[a] for a in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(ndim))
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape=self._stat_shape, initializer="zeros",
                                              trainable=False, name="mean")
            self.adapt_variance = self.add_weight(shape=self._stat_shape, initializer="ones",
                                                  trainable=False, name="variance")
            self.count = self.add_weight(shape=(), initializer="zeros", dtype="int64",
                                         trainable=False, name="count")
        else:
            # Keras aligns given statistics with the last kept axes
            expanded = [1] * ndim
            for i in range(1, self.input_mean.ndim + 1):
                expanded[self._keep[-i]] = self.input_mean.shape[-i]
            try:
                np.broadcast_to(self.input_mean.reshape(expanded), self._broadcast)
            except ValueError:
                raise ValueError(f"Normalization {self.name!r}: mean of shape "
                                 f"{self.input_mean.shape} does not fit the kept axes "
                                 f"{self._stat_shape} of inputs {tuple(input_shape)}") from None
            self._given = (self.input_mean.reshape(expanded), self.input_variance.reshape(
                expanded))
            self._given_cast = {}  # dtype -> (mean, std) in that dtype

    def adapt(self, data, steps=None):
        """Compute the mean and variance of ``data`` (an array, a PyDataset or an iterable of
        batches such as a list of arrays; ``(x, y)`` batches use ``x``) over every axis but the
        kept ones."""
        if self.input_mean is not None:
            raise ValueError(f"Normalization {self.name!r} was given mean and variance; it "
                             "cannot adapt")
        count, mean, m2 = 0, None, None
        for batch in adapt_batches(data, "Normalization", steps, lists_are_batches=True):
            batch = np.asarray(batch, dtype=np.float64)
            if not self.built:
                self._maybe_build((None,) + batch.shape[1:])
            if batch.ndim != len(self._broadcast) or any(
                    batch.shape[a] != self._broadcast[a] for a in self._keep):
                raise ValueError(f"Normalization {self.name!r}: adapt got a batch of shape "
                                 f"{batch.shape}, but the layer keeps axes {self._keep} of "
                                 f"size {self._stat_shape}")
            if not np.isfinite(batch).all():
                raise ValueError(f"Normalization {self.name!r}: adapt data contains NaN or inf; "
                                 "impute or drop those values first")
            n = int(np.prod([batch.shape[a] for a in self._reduce], dtype=np.int64))
            with np.errstate(over="ignore", invalid="ignore"):  # checked once, below
                b_mean = batch.mean(axis=self._reduce)
                b_m2 = ((batch - b_mean.reshape(self._broadcast)) ** 2).sum(axis=self._reduce)
                if mean is None:
                    count, mean, m2 = n, b_mean, b_m2
                else:  # Chan et al.'s pairwise update: exact for any batch sizes
                    delta = b_mean - mean
                    total = count + n
                    mean = mean + delta * (n / total)
                    m2 = m2 + b_m2 + delta ** 2 * (count * n / total)
                    count = total
        if mean is None:
            raise ValueError(f"Normalization {self.name!r}: adapt got no data")
        self._check_variance_fits(m2 / count)
        self.adapt_mean.assign(np.asarray(mean, dtype=self.adapt_mean.dtype))
        self.adapt_variance.assign(np.asarray(m2 / count, dtype=self.adapt_variance.dtype))
        self.count.assign(np.asarray(count, dtype=np.int64))

    def _check_variance_fits(self, variance):
        """A variance beyond the weights' dtype would be stored as inf and turn every value
        into 0: an error naming the size instead."""
        limit = np.finfo(self.adapt_variance.dtype).max
        if not (np.asarray(variance) <= limit).all():
            largest = float(np.nanmax(np.where(np.isfinite(variance), variance, np.inf)))
            raise ValueError(
                f"Normalization {self.name!r}: the variance of the adapt data ({largest:.3g}) "
                f"does not fit in {self.adapt_variance.dtype} (at most {limit:.3g}); the values "
                f"are too large to standardize as they are: divide them by a power of ten, or "
                f"take their log, before adapt")

    def _statistics(self, dtype):
        if self.input_mean is not None:
            # made once per dtype: the same constants every call, so a step can be replayed
            cached = self._given_cast.get(str(dtype))
            if cached is None:
                mean, variance = self._given
                ops = get_ops()  # constants on the backend the inputs are on
                cached = self._given_cast[str(dtype)] = (
                    ops.asarray(mean.astype(dtype)),
                    ops.asarray(np.maximum(np.sqrt(variance), config.epsilon()).astype(dtype)))
            return cached
        mean = F.reshape(self.adapt_mean, self._broadcast)
        std = F.maximum(F.sqrt(self.adapt_variance), np.asarray(config.epsilon(), dtype=dtype))
        return mean, F.reshape(std, self._broadcast)

    def call(self, inputs):
        mean, std = self._statistics(inputs.dtype)
        if self.invert:
            return F.add(F.multiply(inputs, std), mean)
        return F.divide(F.subtract(inputs, mean), std)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        listed = None if self.input_mean is None else (self.input_mean.tolist(),
                                                       self.input_variance.tolist())
        return {**super().get_config(), "axis": list(self.axis),
                "mean": None if listed is None else listed[0],
                "variance": None if listed is None else listed[1], "invert": self.invert}


def _summarize(values, epsilon):
    """A (2, k) summary of sorted ``values``: every ``1 / epsilon``-th value and its weight
    (Keras's streaming quantile summary, so adapted boundaries match Keras's)."""
    values = np.sort(values.ravel())
    step = max(values.size * epsilon, 1)
    kept = values[int(step - 1)::int(step)]
    return np.stack([kept, np.full(kept.shape, float(step))])


def _compress(summary, epsilon):
    """Re-bin ``summary`` onto ``1 / epsilon`` equal-weight points by interpolating its
    cumulative weights."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    bins = np.interp(percents, fractions, summary[0])
    weights = np.interp(percents, fractions, cumulative)
    return np.stack([bins, np.diff(weights, prepend=0.0)]).astype("float32")


@register_layer("Discretization")
class Discretization(DataLayer):
    """Bucket numeric values: ``bin_boundaries=[0., 1., 2.]`` maps x < 0 to 0, 0 <= x < 1 to
    1, 1 <= x < 2 to 2 and x >= 2 to 3 (Keras's ``Discretization``).

    Args:
        bin_boundaries: sorted boundaries, or None to learn ``num_bins`` quantile bins with
            :meth:`adapt`.
        num_bins: number of bins to learn (with ``adapt``).
        epsilon: the accuracy of the learned quantiles (smaller: more exact, more memory).
        output_mode: "int" (bin indices), "one_hot", "multi_hot" or "count".
        sparse: only False (dense outputs).
        **base: ``name``, ``dtype`` (of encoded outputs), ``input_shape``, ...

    Example:
        >>> Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-1.0, 0.5, 3.0]])).numpy().tolist()
        [[0, 1, 2]]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **base):
        choice("Discretization", "output_mode", output_mode, OUTPUT_MODES)
        if sparse:
            raise ValueError("Discretization: sparse=True is not supported (outputs are dense "
                             "arrays); use sparse=False")
        if base.get("dtype") is None:
            base["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**base)
        if bin_boundaries is None and num_bins is None:
            raise ValueError("Discretization: give bin_boundaries, or num_bins and call adapt()")
        if bin_boundaries is not None:
            bounds = np.asarray(bin_boundaries, dtype=np.float64)
            if bounds.ndim != 1 or np.any(np.diff(bounds) < 0) or not np.isfinite(bounds).all():
                raise ValueError(f"Discretization: bin_boundaries must be a sorted list of "
                                 f"finite numbers, got {bin_boundaries!r}")
            bin_boundaries = bounds.tolist()
        self.bin_boundaries = bin_boundaries
        self.num_bins = integer("Discretization", "num_bins", num_bins, low=2, allow_none=True)
        if None not in (bin_boundaries, num_bins) and len(bin_boundaries) != num_bins - 1:
            raise ValueError(f"Discretization: num_bins={num_bins} needs {num_bins - 1} "
                             f"bin_boundaries, got {len(bin_boundaries)}")
        self.epsilon = real("Discretization", "epsilon", epsilon, 0.0, 1.0, low_open=True)
        self.output_mode, self.sparse = output_mode, False

    def adapt(self, data, steps=None):
        """Learn ``num_bins`` quantile bins from ``data`` (array, PyDataset or batches);
        adapting again replaces the boundaries."""
        if self.num_bins is None:
            raise ValueError("Discretization: this layer was given bin_boundaries; create it "
                             "with num_bins to adapt")
        summary = np.zeros((2, 0), dtype="float32")
        for batch in adapt_batches(data, "Discretization", steps,
                                   lists_are_batches=True):
            batch = np.asarray(batch, dtype="float32")
            merged = np.concatenate([_summarize(batch, self.epsilon), summary], axis=1)
            summary = _compress(merged[:, np.argsort(merged[0], kind="stable")], self.epsilon)
        if summary.shape[1] == 0:
            raise ValueError("Discretization: adapt got no data")
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def _depth(self):
        return self.num_bins if self.bin_boundaries is None else len(self.bin_boundaries) + 1

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization {self.name!r}: call adapt() first (or give "
                             "bin_boundaries)")
        values = self.host(inputs)
        if values.dtype.kind not in "iuf":
            raise TypeError(f"Discretization {self.name!r}: expected numeric inputs, got dtype "
                            f"{values.dtype}")
        indices = np.digitize(values, np.asarray(self.bin_boundaries, dtype=values.dtype))
        return self.output(encode_categorical(indices, self.output_mode, self._depth(),
                                              self.dtype, f"Discretization {self.name!r}"))

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode, self._depth())

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}
