"""Constant padding of any axes: ``pad`` (ZeroPadding layers and padded convolutions)."""

from ..autograd.function import Function

__all__ = ["pad"]


class Pad(Function):
    """``x`` with ``pads[i] = (before, after)`` constant entries around axis ``i``."""

    def __init__(self, pads, value=0.0):
        self.pads, self.value = tuple(tuple(int(n) for n in p) for p in pads), value

    def forward(self, x):
        if len(self.pads) != x.ndim:
            raise ValueError(f"pad: {len(self.pads)} (before, after) pairs for an input of rank "
                             f"{x.ndim}; give one pair per axis")
        self.window = tuple(slice(before, before + n) for (before, _), n in
                            zip(self.pads, x.shape))
        return self.xp.pad(x, self.pads, constant_values=self.value)

    def backward(self, g):
        # the padding is constant: only the window holding x gets a gradient
        return (g[self.window],)


def pad(x, pads, value=0.0):
    """Pad ``x`` with ``value``: ``pads`` is one ``(before, after)`` pair per axis.

    Example:
        >>> import numpy as np
        >>> pad(np.ones((1, 2)), ((0, 0), (1, 1))).numpy().tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """
    for p in pads:
        if len(p) != 2 or min(p) < 0:
            raise ValueError(f"pad: pads must be (before, after) pairs of ints >= 0, got {pads!r}")
    return Pad(pads, value)(x)
