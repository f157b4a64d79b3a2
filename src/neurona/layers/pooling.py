"""Pooling layers: Max/Average/Min pooling in 1-D and 2-D, and global max/average pooling.

Keras 3 names, arguments and output shapes. ``MinPooling1D/2D`` are the course's addition (no
mainstream library ships them): the minimum of each window, ``-MaxPooling(-x)``.
"""

from .. import functions as F
from ..functions.conv import conv_output_length, normalize_tuple
from .conv import standardize_data_format, standardize_padding, to_channels_first, to_channels_last
from .layer import InputSpec, Layer, register_layer

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "MinPooling1D", "MinPooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D"]

_POOLS = {"max": (F.max_pool1d, F.max_pool2d), "avg": (F.avg_pool1d, F.avg_pool2d),
          "min": (F.min_pool1d, F.min_pool2d)}


class BasePooling(Layer):
    """Window pooling over ``rank`` spatial axes.

    Args:
        pool_size: int or tuple of ``rank`` ints (default 2 per axis).
        strides: int, tuple or None (= pool_size).
        padding: "valid" or "same" (TF's: output ceil(n / stride); average pooling divides by
            the number of real elements of each window).
        data_format: "channels_last" (default) or "channels_first".
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.
    """

    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **base):
        super().__init__(**base)
        what = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, f"{what} pool_size")
        self.strides = (self.pool_size if strides is None else
                        normalize_tuple(strides, self.rank, f"{what} strides"))
        self.padding = standardize_padding(what, padding, ("valid", "same"))
        self.data_format = standardize_data_format(what, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        pool = _POOLS[self.mode][self.rank - 1]
        x = to_channels_last(inputs, self.data_format)
        out = pool(x, self.pool_size, self.strides, self.padding)
        return to_channels_first(out, self.data_format)

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        spatial = tuple(input_shape[1:-1] if last else input_shape[2:])
        out = tuple(conv_output_length(n, k, s, self.padding) for n, k, s in
                    zip(spatial, self.pool_size, self.strides))
        if any(n is not None and n <= 0 for n in out):
            raise ValueError(f"{type(self).__name__} {self.name!r}: pool_size {self.pool_size} is "
                             f"larger than the input {spatial} with padding='valid'; use "
                             f"padding='same' or a smaller pool_size")
        if last:
            return (input_shape[0],) + out + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + out

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


@register_layer("MaxPooling1D")
class MaxPooling1D(BasePooling):
    """Maximum over windows of (batch, steps, channels) inputs; see :class:`BasePooling`.

    Example:
        >>> MaxPooling1D()(np.ones((2, 10, 3))).shape
        (2, 5, 3)
    """

    traceable = True

    rank, mode = 1, "max"


@register_layer("MaxPooling2D")
class MaxPooling2D(BasePooling):
    """Maximum over windows of (batch, height, width, channels) inputs; see :class:`BasePooling`.

    Example:
        >>> MaxPooling2D()(np.ones((2, 26, 26, 8))).shape
        (2, 13, 13, 8)
    """

    traceable = True

    rank, mode = 2, "max"


@register_layer("AveragePooling1D")
class AveragePooling1D(BasePooling):
    """Mean over windows of (batch, steps, channels) inputs; see :class:`BasePooling`.

    Example:
        >>> AveragePooling1D(3, padding="same")(np.ones((2, 10, 3))).shape
        (2, 4, 3)
    """

    traceable = True

    rank, mode = 1, "avg"


@register_layer("AveragePooling2D")
class AveragePooling2D(BasePooling):
    """Mean over windows of (batch, height, width, channels) inputs; see :class:`BasePooling`.

    Example:
        >>> AveragePooling2D((2, 3))(np.ones((1, 6, 6, 2))).shape
        (1, 3, 2, 2)
    """

    traceable = True

    rank, mode = 2, "avg"


@register_layer("MinPooling1D")
class MinPooling1D(BasePooling):
    """Minimum over windows of (batch, steps, channels) inputs; see :class:`BasePooling`.

    Example:
        >>> MinPooling1D()(np.ones((2, 10, 3))).shape
        (2, 5, 3)
    """

    traceable = True

    rank, mode = 1, "min"


@register_layer("MinPooling2D")
class MinPooling2D(BasePooling):
    """Minimum over windows of (batch, height, width, channels) inputs; see :class:`BasePooling`.

    Example:
        >>> MinPooling2D()(np.ones((2, 6, 6, 1))).shape
        (2, 3, 3, 1)
    """

    traceable = True

    rank, mode = 2, "min"


class BaseGlobalPooling(Layer):
    """Max or mean over every spatial axis.

    Args:
        data_format: "channels_last" (default) or "channels_first".
        keepdims: keep the spatial axes with size 1 (default False: output (batch, channels)).
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.
    """

    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **base):
        super().__init__(**base)
        self.data_format = standardize_data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs):
        reduce = F.max if self.mode == "max" else F.mean
        return reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else n for i, n in enumerate(input_shape))
        return tuple(n for i, n in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


@register_layer("GlobalMaxPooling1D")
class GlobalMaxPooling1D(BaseGlobalPooling):
    """Maximum over the steps of (batch, steps, channels); see :class:`BaseGlobalPooling`.

    Example:
        >>> GlobalMaxPooling1D()(np.ones((2, 10, 3))).shape
        (2, 3)
    """

    traceable = True

    rank, mode = 1, "max"


@register_layer("GlobalMaxPooling2D")
class GlobalMaxPooling2D(BaseGlobalPooling):
    """Maximum over height and width; see :class:`BaseGlobalPooling`.

    Example:
        >>> GlobalMaxPooling2D(keepdims=True)(np.ones((2, 5, 5, 3))).shape
        (2, 1, 1, 3)
    """

    traceable = True

    rank, mode = 2, "max"


@register_layer("GlobalAveragePooling1D")
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps of (batch, steps, channels); see :class:`BaseGlobalPooling`.

    Example:
        >>> GlobalAveragePooling1D()(np.ones((2, 10, 3))).shape
        (2, 3)
    """

    traceable = True

    rank, mode = 1, "avg"


@register_layer("GlobalAveragePooling2D")
class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over height and width; see :class:`BaseGlobalPooling`.

    Example:
        >>> GlobalAveragePooling2D()(np.ones((2, 5, 5, 3))).shape
        (2, 3)
    """

    traceable = True

    rank, mode = 2, "avg"
