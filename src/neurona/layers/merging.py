"""Layers that merge several inputs of a functional model: Add, Subtract, Multiply, Average,
Maximum, Minimum, Concatenate."""

from functools import reduce

from .. import functions as F
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

    def _merge(self, xs):
        return reduce(F.add, xs)


@register_layer("Subtract")
class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def _merge(self, xs):
        if len(xs) != 2:
            raise ValueError(f"Subtract layer {self.name!r} takes exactly 2 inputs, got {len(xs)}")
        return F.subtract(xs[0], xs[1])


@register_layer("Multiply")
class Multiply(_Merge):
    """Elementwise product of the inputs."""

    def _merge(self, xs):
        return reduce(F.multiply, xs)


@register_layer("Average")
class Average(_Merge):
    """Elementwise mean of the inputs."""

    def _merge(self, xs):
        return reduce(F.add, xs) * (1.0 / len(xs))


@register_layer("Maximum")
class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    def _merge(self, xs):
        return reduce(F.maximum, xs)


@register_layer("Minimum")
class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    def _merge(self, xs):
        return reduce(F.minimum, xs)


@register_layer("Concatenate")
class Concatenate(_Merge):
    """Join the inputs along ``axis`` (default the last)."""

    def __init__(self, axis=-1, **base):
        super().__init__(**base)
        self.axis = int(axis)

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


def add(inputs):
    """Functional form of :class:`Add`."""
    return Add()(inputs)


def concatenate(inputs, axis=-1):
    """Functional form of :class:`Concatenate`."""
    return Concatenate(axis=axis)(inputs)
