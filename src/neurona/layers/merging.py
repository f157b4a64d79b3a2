"""Layers that merge several inputs of a functional model: Add, Subtract, Multiply, Average,
Maximum, Minimum, Concatenate, Dot, and their functional forms (``layers.add([a, b])``, ...)."""

import numbers
from functools import reduce

import numpy as np

from .. import functions as F
from .. import validation
from ..validation import boolean
from ..autograd.tensor import Tensor
from .layer import Layer, register_layer


class _Merge(Layer):
    """Elementwise merge of a list of same-shaped (or broadcastable) inputs."""

    min_inputs = 2

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < self.min_inputs:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} needs a list of at least "
                             f"{self.min_inputs} inputs, got {inputs!r}")

    def call(self, inputs):
        self._check(inputs)
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def compute_mask(self, inputs, mask=None):
        """Keras's rule: a step is real when it is real in any input (no mask when an input
        has none)."""
        if mask is None or not isinstance(mask, (list, tuple)) or any(m is None for m in mask):
            return None
        return F.logical_or_masks(mask)


@register_layer("Add")
class Add(_Merge):
    """Sum of the inputs."""

    traceable = True

    def _merge(self, xs):
        return reduce(F.add, xs)


@register_layer("Subtract")
class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    traceable = True

    def _merge(self, xs):
        if len(xs) != 2:
            raise ValueError(f"Subtract layer {self.name!r} takes exactly 2 inputs, got {len(xs)}")
        return F.subtract(xs[0], xs[1])


@register_layer("Multiply")
class Multiply(_Merge):
    """Elementwise product of the inputs."""

    traceable = True

    def _merge(self, xs):
        return reduce(F.multiply, xs)


@register_layer("Average")
class Average(_Merge):
    """Elementwise mean of the inputs."""

    traceable = True

    def _merge(self, xs):
        return reduce(F.add, xs) * (1.0 / len(xs))


@register_layer("Maximum")
class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    traceable = True

    def _merge(self, xs):
        return reduce(F.maximum, xs)


@register_layer("Minimum")
class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    traceable = True

    def _merge(self, xs):
        return reduce(F.minimum, xs)


@register_layer("Concatenate")
class Concatenate(_Merge):
    """Join the inputs along ``axis`` (default the last)."""

    traceable = True

    def __init__(self, axis=-1, **base):
        super().__init__(**base)
        self.axis = validation.axis("Concatenate", "axis", axis)

    def _merge(self, xs):
        return F.concatenate(xs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras's rule: joined along the time axis the masks are joined too (an input without
        one counts as all real); along the features a step is real when it is in any input."""
        if mask is None or not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        rank = inputs[0].ndim
        axis = self.axis % rank
        if axis == rank - 1:
            return None if any(m is None for m in mask) else F.logical_or_masks(mask)
        xp = inputs[0].ops.xp
        parts = [m if m is not None else
                 Tensor(xp.ones(tuple(x.shape[:-1]), dtype=bool)) for m, x in zip(mask, inputs)]
        return F.concatenate(parts, axis=axis)

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        axis = self.axis % len(shapes[0])
        sizes = [s[axis] for s in shapes]
        out = list(shapes[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _dot_axes(axes):
    if isinstance(axes, numbers.Integral) and not isinstance(axes, bool):
        return (int(axes), int(axes))
    if isinstance(axes, (list, tuple)) and len(axes) == 2 and all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes):
        return (int(axes[0]), int(axes[1]))
    raise ValueError(f"Dot: axes must be an int or a pair of ints, got axes={axes!r}")


@register_layer("Dot")
class Dot(Layer):
    """Dot products between the samples of two inputs along ``axes`` (Keras's ``Dot``).

    ``(batch, n)`` and ``(batch, n)`` with ``axes=1`` give ``(batch, 1)``; ``(batch, a, d)`` and
    ``(batch, b, d)`` with ``axes=2`` give ``(batch, a, b)``: the axes left of the first input,
    then those of the second.

    Args:
        axes: the axis of both inputs to contract, or one per input (the batch axis 0 cannot
            be contracted).
        normalize: L2-normalize both inputs along those axes first (the products are then
            cosine similarities).
        **base: ``name``, ``dtype``, ...

    Example:
        >>> Dot(axes=1)([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])]).numpy().tolist()
        [[11.0]]
    """

    traceable = True

    def __init__(self, axes, normalize=False, **base):
        super().__init__(**base)
        self.axes = _dot_axes(axes)
        self.normalize = boolean("Dot", "normalize", normalize)

    def _resolved(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise ValueError(f"Dot layer {self.name!r} takes a list of exactly 2 inputs")
        axes = []
        for axis, shape in zip(self.axes, shapes):
            if not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
                raise ValueError(f"Dot layer {self.name!r}: axis {axis} is not a feature axis of "
                                 f"an input of shape {tuple(shape)}")
            axes.append(axis % len(shape))
        a, b = (shapes[i][axes[i]] for i in range(2))
        if a is not None and b is not None and a != b:
            raise ValueError(f"Dot layer {self.name!r}: the contracted axes differ in size "
                             f"({a} vs {b}) for inputs {tuple(shapes[0])} and {tuple(shapes[1])}")
        return axes

    def call(self, inputs):
        ax, ay = self._resolved([t.shape for t in inputs] if isinstance(inputs, (list, tuple))
                                else inputs)
        x, y = inputs
        if self.normalize:
            x, y = _l2_normalize(x, ax), _l2_normalize(y, ay)
        rest_x = [n for i, n in enumerate(x.shape) if i not in (0, ax)]
        rest_y = [n for i, n in enumerate(y.shape) if i not in (0, ay)]
        batch, size = x.shape[0], x.shape[ax]
        x = F.transpose(x, [0] + [i for i in range(1, x.ndim) if i != ax] + [ax])
        y = F.transpose(y, [0, ay] + [i for i in range(1, y.ndim) if i != ay])
        x = F.reshape(x, (batch, int(np.prod(rest_x, dtype=np.int64)), size))
        y = F.reshape(y, (batch, size, int(np.prod(rest_y, dtype=np.int64))))
        return F.reshape(F.matmul(x, y), (batch,) + tuple(rest_x + rest_y or [1]))

    def compute_output_shape(self, input_shape):
        ax, ay = self._resolved(input_shape)
        rest = [n for i, n in enumerate(input_shape[0]) if i not in (0, ax)] + \
            [n for i, n in enumerate(input_shape[1]) if i not in (0, ay)]
        return (input_shape[0][0],) + tuple(rest or [1])

    def get_config(self):
        return {**super().get_config(), "axes": list(self.axes), "normalize": self.normalize}


def _l2_normalize(x, axis):
    squares = F.sum(F.square(x), axis=axis, keepdims=True)
    return F.divide(x, F.sqrt(F.maximum(squares, x.dtype.type(1e-24))))


def add(inputs, **kwargs):
    """Functional form of :class:`Add`: ``layers.add([a, b])``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of :class:`Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of :class:`Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of :class:`Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of :class:`Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of :class:`Minimum`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of :class:`Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of :class:`Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
