"""Reductions: sum, mean, max, min over axes."""

from .. import validation
from ..autograd.function import Function


def _normalize_axes(fn, axis, ndim):
    """Non-negative axes of an ``ndim``-dimensional input (an out-of-range axis is an error,
    not wrapped around)."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    owner = type(fn).__name__.lower()
    return tuple(validation.axis(owner, "axis", a, ndim) for a in axes)


def _expand(g, shape, axes, keepdims):
    """Broadcast a reduced gradient back to ``shape``."""
    if not keepdims:
        kept = [1 if i in axes else n for i, n in enumerate(shape)]
        g = g.reshape(kept)
    return g


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        self.axes = _normalize_axes(self, self.axis, x.ndim)
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        g = _expand(g, self.shape, self.axes, self.keepdims)
        return (self.xp.broadcast_to(g, self.shape),)


class Mean(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        self.axes = _normalize_axes(self, self.axis, x.ndim)
        count = 1
        for a in self.axes:
            count *= x.shape[a]
        self.count = count
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        g = _expand(g, self.shape, self.axes, self.keepdims) / self.count
        return (self.xp.broadcast_to(g, self.shape),)


class _Extremum(Function):
    """Max/min: the gradient goes to the extreme elements, split evenly between ties."""

    reducer = None

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axes = _normalize_axes(self, self.axis, x.ndim)
        y = getattr(x, self.reducer)(axis=self.axes, keepdims=True)
        self.mask = x == y
        return y if self.keepdims else y.squeeze(self.axes)

    def backward(self, g):
        mask = self.mask
        g = _expand(g, mask.shape, self.axes, self.keepdims)
        return (g * mask / mask.sum(axis=self.axes, keepdims=True),)


class Max(_Extremum):
    reducer = "max"


class Min(_Extremum):
    reducer = "min"


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    return Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return Max(axis, keepdims)(x)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return Min(axis, keepdims)(x)
