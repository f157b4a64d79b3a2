"""Shape operations: reshape, transpose, indexing, concatenation, stacking, broadcasting,
constant padding."""

from .. import validation
from ..autograd.function import Function
from ..autograd.tensor import Tensor


class Reshape(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, g):
        return (g.reshape(self.in_shape),)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = None if axes is None else tuple(axes)

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, g):
        if self.axes is None:
            return (g.transpose(),)
        return (g.transpose(self.xp.argsort(self.xp.asarray(self.axes)).tolist()),)


class GetItem(Function):
    """x[index] for basic and advanced indices; repeated indices accumulate their gradients."""

    def __init__(self, index):
        self.index = index.data if isinstance(index, Tensor) else index

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, g):
        xp = self.xp
        out = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(out, self.index, g)
        return (out,)


class Concatenate(Function):
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return self.xp.concatenate(xs, axis=self.axis)

    def backward(self, g):
        bounds = self.xp.cumsum(self.xp.asarray(self.sizes[:-1])).tolist()
        parts = self.xp.split(g, bounds, axis=self.axis)
        return tuple(p if wanted else None for p, wanted in zip(parts, self.needs_grad))


class Stack(Function):
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return self.xp.stack(xs, axis=self.axis)

    def backward(self, g):
        xp = self.xp
        n = g.shape[self.axis]
        return tuple(xp.take(g, i, axis=self.axis) if self.needs_grad[i] else None for i in range(n))


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.in_shape = x.shape
        return self.xp.broadcast_to(x, self.shape)

    def backward(self, g):
        return (self.ops.sum_to(g, self.in_shape),)


class Pad(Function):
    """Constant padding: ``widths`` is one ``(before, after)`` pair per axis."""

    def __init__(self, widths, value=0):
        self.widths, self.value = tuple(tuple(w) for w in widths), value

    def forward(self, x):
        return self.xp.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g):
        # the padded border is constant: the input's gradient is the inner block
        return (g[tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(self.widths))],)


def reshape(x, shape):
    return Reshape(shape)(x)


def flatten(x):
    """Keep the first (batch) axis, flatten the rest."""
    return Reshape((x.shape[0], -1))(x)


def transpose(x, axes=None):
    return Transpose(axes)(x)


def getitem(x, index):
    return GetItem(index)(x)


def concatenate(xs, axis=0):
    return Concatenate(axis)(*xs)


def stack(xs, axis=0):
    return Stack(axis)(*xs)


def broadcast_to(x, shape):
    return BroadcastTo(shape)(x)


def expand_dims(x, axis):
    shape = list(x.shape)
    shape.insert(validation.axis("expand_dims", "axis", axis, len(shape) + 1), 1)
    return Reshape(shape)(x)


def squeeze(x, axis):
    shape = list(x.shape)
    axis = validation.axis("squeeze", "axis", axis, len(shape))
    if shape[axis] != 1:
        raise ValueError(f"squeeze: axis {axis} has size {shape[axis]}, not 1")
    del shape[axis]
    return Reshape(shape)(x)


def pad(x, widths, value=0):
    """``x`` padded with the constant ``value``; ``widths`` is a ``(before, after)`` pair per
    axis."""
    return Pad(widths, value)(x)
