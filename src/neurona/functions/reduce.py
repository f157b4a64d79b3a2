"""Reductions over axes (sum, mean, max, min, prod, logsumexp) and running ones (cumsum,
cumprod)."""

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


class Prod(Function):
    """Product over axes; the gradient of each element is the product of the others, formed
    from prefix and suffix products so that zeros need no division."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x = x
        self.axes = _normalize_axes(self, self.axis, x.ndim)
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        # d prod / dx_i = prod_{j != i} x_j = (prod_{j < i} x_j) (prod_{j > i} x_j)
        xp, x, axes = self.xp, self.x, self.axes
        kept = [i for i in range(x.ndim) if i not in axes]
        order = kept + list(axes)
        moved = x.transpose(order)
        rows = moved.reshape(moved.shape[:len(kept)] + (-1,))
        ones = xp.ones(rows.shape[:-1] + (1,), dtype=x.dtype)
        before = xp.concatenate([ones, xp.cumprod(rows[..., :-1], axis=-1)], axis=-1)
        after = xp.concatenate([xp.cumprod(rows[..., :0:-1], axis=-1)[..., ::-1], ones], axis=-1)
        others = (before * after).reshape(moved.shape).transpose(_inverse(order))
        return (_expand(g, x.shape, axes, self.keepdims) * others,)


class LogSumExp(Function):
    """log(sum(exp(x))) over axes, shifted by the maximum so nothing overflows."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        xp = self.xp
        self.x, self.axes = x, _normalize_axes(self, self.axis, x.ndim)
        m = x.max(axis=self.axes, keepdims=True) if x.size else xp.zeros((1,) * x.ndim, x.dtype)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or an inf): no shift, no inf - inf
        self.y = xp.log(xp.exp(x - m).sum(axis=self.axes, keepdims=True)) + m
        return self.y if self.keepdims else self.y.reshape(
            [n for i, n in enumerate(x.shape) if i not in self.axes])

    def backward(self, g):
        # d lse / dx = softmax(x) over the axes
        g = _expand(g, self.x.shape, self.axes, self.keepdims)
        return (g * self.xp.exp(self.x - self.y),)


class CumSum(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return self.xp.cumsum(x, axis=self.axis)

    def backward(self, g):
        # y_j = sum_{i <= j} x_i: dL/dx_i = sum_{j >= i} g_j, a cumulative sum from the end
        xp = self.xp
        return (xp.flip(xp.cumsum(xp.flip(g, self.axis), axis=self.axis), self.axis),)


class CumProd(Function):
    """Running product along an axis; exact gradients with zeros (no division)."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        self.x = x
        return self.xp.cumprod(x, axis=self.axis)

    def backward(self, g):
        # y_j = prod_{k <= j} x_k: dL/dx_i = (prod_{k < i} x_k) s_i with
        # s_i = sum_{j >= i} g_j prod_{i < k <= j} x_k, i.e. s_i = g_i + x_{i+1} s_{i+1}
        xp = self.xp
        x = xp.moveaxis(self.x, self.axis, 0)
        g = xp.moveaxis(g, self.axis, 0)
        n = x.shape[0]
        if n == 0:
            return (self.xp.zeros_like(self.x),)
        s = xp.empty_like(g)
        s[n - 1] = g[n - 1]
        for i in range(n - 2, -1, -1):
            s[i] = g[i] + x[i + 1] * s[i + 1]
        before = xp.concatenate([xp.ones_like(x[:1]), xp.cumprod(x[:-1], axis=0)], axis=0)
        return (xp.moveaxis(before * s, 0, self.axis),)


def _inverse(order):
    inverse = [0] * len(order)
    for position, axis in enumerate(order):
        inverse[axis] = position
    return inverse


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    return Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return Max(axis, keepdims)(x)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return Min(axis, keepdims)(x)


def prod(x, axis=None, keepdims=False):
    return Prod(axis, keepdims)(x)


def logsumexp(x, axis=None, keepdims=False):
    return LogSumExp(axis, keepdims)(x)


def cumsum(x, axis):
    return CumSum(axis)(x)


def cumprod(x, axis):
    return CumProd(axis)(x)
