"""Reshaping layers: RepeatVector, Permute, UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D
(Keras 3's names, arguments and shapes). All are differentiable compositions of
:mod:`neurona.functions`."""

import numbers

from .. import functions as F
from ..validation import choice, integer
from .conv import standardize_data_format
from .layer import InputSpec, Layer, register_layer
from .preprocessing import Resizing

__all__ = ["RepeatVector", "Permute", "UpSampling1D", "UpSampling2D", "ZeroPadding1D",
           "ZeroPadding2D", "Cropping1D", "Cropping2D"]


@register_layer("RepeatVector")
class RepeatVector(Layer):
    """Repeat each input vector ``n`` times: ``(batch, features) -> (batch, n, features)``.

    Example:
        >>> RepeatVector(3)(np.ones((2, 4))).shape
        (2, 3, 4)
    """

    traceable = True

    def __init__(self, n, **base):
        super().__init__(**base)
        self.n = integer("RepeatVector", "n", n, low=1)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        batch, features = inputs.shape
        repeated = F.broadcast_to(F.reshape(inputs, (batch, 1, features)),
                                  (batch, self.n, features))
        return F.reshape(repeated, (batch, self.n, features))  # a contiguous copy

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


@register_layer("Permute")
class Permute(Layer):
    """Permute the axes of each sample; ``dims`` numbers them from 1 (the batch axis stays).

    Example:
        >>> Permute((2, 1))(np.ones((2, 3, 4))).shape
        (2, 4, 3)
    """

    traceable = True

    def __init__(self, dims, **base):
        super().__init__(**base)
        dims = tuple(dims) if isinstance(dims, (list, tuple)) else None
        if dims is None or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..n (the batch axis 0 "
                             f"is not included), got dims={dims!r}")
        self.dims = tuple(int(d) for d in dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return F.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


def _repeat(x, axis, times):
    """Each entry of ``axis`` repeated ``times`` times in place (nearest upsampling)."""
    shape = list(x.shape)
    wide = shape[:axis + 1] + [1] + shape[axis + 1:]
    target = shape[:axis + 1] + [times] + shape[axis + 1:]
    shape[axis] *= times
    return F.reshape(F.broadcast_to(F.reshape(x, wide), target), shape)


@register_layer("UpSampling1D")
class UpSampling1D(Layer):
    """Repeat each step ``size`` times: ``(batch, steps, features) -> (batch, steps * size,
    features)``.

    Example:
        >>> UpSampling1D(2)(np.arange(3.0).reshape(1, 3, 1)).numpy().ravel().tolist()
        [0.0, 0.0, 1.0, 1.0, 2.0, 2.0]
    """

    traceable = True

    def __init__(self, size=2, **base):
        super().__init__(**base)
        self.size = integer("UpSampling1D", "size", size, low=1)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return _repeat(inputs, 1, self.size)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


def _pair(owner, arg, value):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"{owner}: {arg} must be an int or a pair of ints, got {arg}={value!r}")
    return tuple(integer(owner, arg, v, low=0) for v in value)


@register_layer("UpSampling2D")
class UpSampling2D(Layer):
    """Upsample images by ``size = (rows, cols)``: each pixel repeated ("nearest") or
    bilinear interpolation (half-pixel centres, as Keras's resize).

    Args:
        size: int or (rows, cols) factors.
        data_format: "channels_last" (default) or "channels_first".
        interpolation: "nearest" or "bilinear".

    Example:
        >>> UpSampling2D((2, 3))(np.ones((1, 2, 2, 1))).shape
        (1, 4, 6, 1)
    """

    traceable = True

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **base):
        super().__init__(**base)
        self.size = _pair("UpSampling2D", "size", size)
        if min(self.size) < 1:
            raise ValueError(f"UpSampling2D: size must be >= 1, got size={size!r}")
        self.data_format = standardize_data_format("UpSampling2D", data_format)
        self.interpolation = choice("UpSampling2D", "interpolation",
                                    interpolation.lower() if isinstance(interpolation, str)
                                    else interpolation, ("nearest", "bilinear"))
        self.input_spec = InputSpec(ndim=4)
        self._resizers = {}

    def call(self, inputs):
        first = self.data_format == "channels_first"
        x = F.transpose(inputs, (0, 2, 3, 1)) if first else inputs
        if self.interpolation == "nearest":
            out = _repeat(_repeat(x, 1, self.size[0]), 2, self.size[1])
        else:
            rows, cols = x.shape[1] * self.size[0], x.shape[2] * self.size[1]
            resize = self._resizers.get((rows, cols))
            if resize is None:
                resize = self._resizers[(rows, cols)] = Resizing(rows, cols, dtype=self.dtype)
            out = resize.call(x)
        return F.transpose(out, (0, 3, 1, 2)) if first else out

    def compute_output_shape(self, input_shape):
        axes = (2, 3) if self.data_format == "channels_first" else (1, 2)
        shape = list(input_shape)
        for axis, factor in zip(axes, self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size),
                "data_format": self.data_format, "interpolation": self.interpolation}


def _pads_2d(owner, arg, value):
    """An int, (rows, cols) or ((top, bottom), (left, right)) -> the nested form."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = ((value, value), (value, value))
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, numbers.Integral) for v in value):
        value = ((value[0], value[0]), (value[1], value[1]))
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"{owner}: {arg} must be an int, a pair of ints or a pair of pairs, "
                         f"got {arg}={value!r}")
    return tuple(_pair(owner, arg, v) for v in value)


@register_layer("ZeroPadding1D")
class ZeroPadding1D(Layer):
    """Add zero steps at the start and end of sequences: ``padding`` int or (start, end).

    Example:
        >>> ZeroPadding1D((1, 2))(np.ones((1, 3, 2))).shape
        (1, 6, 2)
    """

    traceable = True

    def __init__(self, padding=1, data_format=None, **base):
        super().__init__(**base)
        self.padding = _pair("ZeroPadding1D", "padding", padding)
        self.data_format = standardize_data_format("ZeroPadding1D", data_format)
        self.input_spec = InputSpec(ndim=3)

    def _axis(self):
        return 2 if self.data_format == "channels_first" else 1

    def call(self, inputs):
        pads = [(0, 0)] * 3
        pads[self._axis()] = self.padding
        return F.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = self._axis()
        shape[axis] = None if shape[axis] is None else shape[axis] + sum(self.padding)
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": list(self.padding),
                "data_format": self.data_format}


@register_layer("ZeroPadding2D")
class ZeroPadding2D(Layer):
    """Add rows and columns of zeros around images: ``padding`` int, (rows, cols) or
    ((top, bottom), (left, right)).

    Example:
        >>> ZeroPadding2D(((1, 0), (2, 1)))(np.ones((1, 3, 3, 1))).shape
        (1, 4, 6, 1)
    """

    traceable = True

    def __init__(self, padding=(1, 1), data_format=None, **base):
        super().__init__(**base)
        self.padding = _pads_2d("ZeroPadding2D", "padding", padding)
        self.data_format = standardize_data_format("ZeroPadding2D", data_format)
        self.input_spec = InputSpec(ndim=4)

    def _axes(self):
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def call(self, inputs):
        pads = [(0, 0)] * 4
        for axis, pad in zip(self._axes(), self.padding):
            pads[axis] = pad
        return F.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, pad in zip(self._axes(), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + sum(pad)
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "data_format": self.data_format}


def _crop(layer, inputs, axes, crops):
    index = [slice(None)] * inputs.ndim
    for axis, (start, end) in zip(axes, crops):
        if start + end >= inputs.shape[axis]:
            raise ValueError(f"{type(layer).__name__} {layer.name!r}: cropping {(start, end)} "
                             f"removes every entry of axis {axis} (size {inputs.shape[axis]})")
        index[axis] = slice(start, inputs.shape[axis] - end)
    return F.getitem(inputs, tuple(index))


def _cropped_shape(layer, input_shape, axes, crops):
    shape = list(input_shape)
    for axis, (start, end) in zip(axes, crops):
        if shape[axis] is not None:
            if start + end >= shape[axis]:
                raise ValueError(f"{type(layer).__name__} {layer.name!r}: cropping "
                                 f"{(start, end)} removes every entry of axis {axis} of inputs "
                                 f"{tuple(input_shape)}")
            shape[axis] -= start + end
    return tuple(shape)


@register_layer("Cropping1D")
class Cropping1D(Layer):
    """Remove steps at the start and end of sequences: ``cropping`` int or (start, end).

    Example:
        >>> Cropping1D((1, 2))(np.ones((1, 6, 2))).shape
        (1, 3, 2)
    """

    traceable = True

    def __init__(self, cropping=(1, 1), **base):
        super().__init__(**base)
        self.cropping = _pair("Cropping1D", "cropping", cropping)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return _crop(self, inputs, (1,), (self.cropping,))

    def compute_output_shape(self, input_shape):
        return _cropped_shape(self, input_shape, (1,), (self.cropping,))

    def get_config(self):
        return {**super().get_config(), "cropping": list(self.cropping)}


@register_layer("Cropping2D")
class Cropping2D(Layer):
    """Remove rows and columns at the borders of images: ``cropping`` int, (rows, cols) or
    ((top, bottom), (left, right)).

    Example:
        >>> Cropping2D(((1, 0), (1, 1)))(np.ones((1, 4, 5, 2))).shape
        (1, 3, 3, 2)
    """

    traceable = True

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **base):
        super().__init__(**base)
        self.cropping = _pads_2d("Cropping2D", "cropping", cropping)
        self.data_format = standardize_data_format("Cropping2D", data_format)
        self.input_spec = InputSpec(ndim=4)

    def _axes(self):
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def call(self, inputs):
        return _crop(self, inputs, self._axes(), self.cropping)

    def compute_output_shape(self, input_shape):
        return _cropped_shape(self, input_shape, self._axes(), self.cropping)

    def get_config(self):
        return {**super().get_config(), "cropping": [list(c) for c in self.cropping],
                "data_format": self.data_format}
