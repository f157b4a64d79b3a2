"""Scatters and segment reductions: values sent to positions of a new array and combined there.

Gathering (``x[index]``) is :class:`~neurona.functions.shape.GetItem`; these are its duals. Each
takes constant integer positions (an index tuple into the output's leading axes) and one
differentiable input, the values.
"""

import numpy as np

from ..autograd.function import Function
from ..backend import get_ops

__all__ = ["scatter_add", "segment_max", "segment_min", "segment_prod"]


class ScatterAdd(Function):
    """zeros(shape) with ``values[i]`` added at ``index[i]`` (repeated positions sum)."""

    def __init__(self, index, shape):
        self.index, self.shape = index, tuple(shape)

    def forward(self, values):
        out = self.xp.zeros(self.shape, dtype=values.dtype)
        self.xp.add.at(out, self.index, values)
        return out

    def backward(self, g):
        # each value went to one position: its gradient is read back from there
        return (g[self.index],)


class _SegmentExtremum(Function):
    """The max (min) of the values sent to each position; positions no value reaches hold the
    reduction's identity (-inf for max, inf for min; the dtype's limit for integers)."""

    reducer = None

    def __init__(self, index, shape):
        self.index, self.shape = index, tuple(shape)

    def forward(self, values):
        xp = self.xp
        if values.dtype.kind == "f":
            identity = -xp.inf if self.reducer == "maximum" else xp.inf
        else:
            info = xp.iinfo(values.dtype)
            identity = info.min if self.reducer == "maximum" else info.max
        out = xp.full(self.shape, identity, dtype=values.dtype)
        getattr(xp, self.reducer).at(out, self.index, values)
        self.values, self.out = values, out
        return out

    def backward(self, g):
        # the gradient of a position goes to the values that attain it, split evenly among ties
        xp = self.xp
        wins = self.values == self.out[self.index]
        counts = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(counts, self.index, wins.astype(g.dtype))
        return (g[self.index] * wins / xp.maximum(counts[self.index], 1),)


class SegmentMax(_SegmentExtremum):
    reducer = "maximum"


class SegmentMin(_SegmentExtremum):
    reducer = "minimum"


class SegmentProd(Function):
    """The product of the values sent to each position (1 where none is)."""

    def __init__(self, index, shape):
        self.index, self.shape = index, tuple(shape)

    def forward(self, values):
        out = self.xp.ones(self.shape, dtype=values.dtype)
        multiply_at(self.xp, out, self.index, values)
        self.values = values
        return out

    def backward(self, g):
        # d/dv_k of a position's product = the product of the other values there: with no zero
        # among them prod / v_k; with exactly one, the product of the nonzero ones for that
        # zero and 0 for the rest; with more, 0 (counted, so no division by zero)
        xp, v, index = self.xp, self.values, self.index
        zero = v == 0
        nonzero_prod = xp.ones(self.shape, dtype=v.dtype)
        multiply_at(xp, nonzero_prod, index, xp.where(zero, 1, v))
        zeros = xp.zeros(self.shape, dtype="int64")
        xp.add.at(zeros, index, zero.astype("int64"))
        p, z = nonzero_prod[index], zeros[index]
        others = xp.where(zero, xp.where(z == 1, p, 0),
                          xp.where(z == 0, p / xp.where(zero, 1, v), 0))
        return (g[index] * others,)


def multiply_at(xp, out, index, values):
    """``out[index] *= values``, multiplying in every repeat of a position (NumPy's
    ``multiply.at``, which CuPy lacks): in rounds, each of which touches a position once."""
    if values.shape[0] == 0:
        return
    flat = xp.ravel_multi_index(index, out.shape[:len(index)])
    order = xp.argsort(flat)  # repeats of one position side by side (their order is free:
    ranked = flat[order]       # products commute)
    first = xp.concatenate([xp.ones(1, dtype=bool), ranked[1:] != ranked[:-1]])
    starts = xp.nonzero(first)[0]
    rank = xp.empty_like(order)
    rank[order] = xp.arange(ranked.shape[0]) - starts[xp.cumsum(first) - 1]
    for r in range(int(rank.max()) + 1):
        pick = xp.nonzero(rank == r)[0]
        where = tuple(i[pick] for i in index)
        out[where] = out[where] * values[pick]


def _on_backend(index):
    """The positions (a tuple of integer arrays) as the backend's arrays: they index its
    arrays in the forward and the backward (a NumPy index would be a host array on a GPU)."""
    ops = get_ops()
    return tuple(i if ops.is_array(i) else ops.asarray(np.asarray(i)) for i in index)


def scatter_add(index, values, shape):
    """zeros(shape) with ``values`` added at ``index`` (a tuple of integer arrays, one per
    leading axis of ``shape``); differentiable in ``values``."""
    return ScatterAdd(_on_backend(index), shape)(values)


def segment_max(index, values, shape):
    """The max of the values sent to each position of an array of ``shape``."""
    return SegmentMax(_on_backend(index), shape)(values)


def segment_min(index, values, shape):
    """The min of the values sent to each position of an array of ``shape``."""
    return SegmentMin(_on_backend(index), shape)(values)


def segment_prod(index, values, shape):
    """The product of the values sent to each position of an array of ``shape``."""
    return SegmentProd(_on_backend(index), shape)(values)
