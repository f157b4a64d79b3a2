"""3-D window pooling, channels last: ``max_pool3d`` and ``avg_pool3d`` (Keras's
MaxPooling3D / AveragePooling3D).

As in :mod:`~neurona.functions.pooling`, the work is a loop over the kd * kh * kw window
offsets, each a strided view of the input; max remembers which offset won each window (ties to
the first) and sends the gradient there; "same" padding is TF's (the extra on the far side,
average over the real elements only).
"""

import itertools

from ..autograd.function import Function
from .conv import check_padding, conv_output_length, normalize_tuple, same_padding, window_slice
from .pooling import extreme_and_winner, route_to_winner

__all__ = ["max_pool3d", "avg_pool3d"]


class Pool3D(Function):
    """Max or average over (kd, kh, kw) windows of (N, D, H, W, C) ``x``."""

    def __init__(self, mode, pool_size, strides, padding="valid"):
        if mode not in ("max", "avg"):
            raise ValueError(f"Pool3D mode must be 'max' or 'avg', got {mode!r}")
        self.mode, self.pool, self.strides, self.padding = mode, pool_size, strides, padding

    def forward(self, x):
        xp = self.xp
        if x.ndim != 5:
            raise ValueError(f"3-D pooling needs an input (batch, depth, height, width, "
                             f"channels), got shape {x.shape}")
        size = x.shape[1:4]
        out = tuple(conv_output_length(n, k, s, self.padding) for n, k, s in
                    zip(size, self.pool, self.strides))
        if min(out) <= 0:
            raise ValueError(f"3-D pooling: pool_size {self.pool} is larger than the input "
                             f"{tuple(size)} with padding='valid'; use padding='same' or a "
                             "smaller pool_size")
        pads = ((0, 0),) * 3
        if self.padding == "same":
            pads = tuple(same_padding(n, k, s) for n, k, s in zip(size, self.pool, self.strides))
        if pads != ((0, 0),) * 3:
            fill = -xp.inf if self.mode == "max" else 0
            x = xp.pad(x, ((0, 0),) + pads + ((0, 0),), constant_values=fill)
        self.pads, self.size, self.padded_shape = pads, size, x.shape
        self.windows = [tuple(window_slice(t, 1, s, n) for t, s, n in
                              zip(tap, self.strides, out))
                        for tap in itertools.product(*(range(k) for k in self.pool))]
        views = [x[(slice(None),) + w] for w in self.windows]
        if self.mode == "avg":
            result = views[0].copy()
            for view in views[1:]:
                result += view
            self.scale = self._inverse_counts(xp, out, x.dtype)
            result *= self.scale
            return result
        result, self.winner = extreme_and_winner(xp, views, "max")
        return result

    def _inverse_counts(self, xp, out, dtype):
        """1 / (number of real elements) per window: a scalar unless "same" padded."""
        if self.pads == ((0, 0),) * 3:
            return 1.0 / (self.pool[0] * self.pool[1] * self.pool[2])
        counts = []
        for n, k, s, (before, _), m in zip(self.size, self.pool, self.strides, self.pads, out):
            start = xp.arange(m) * s - before
            counts.append(xp.minimum(start + k, n) - xp.maximum(start, 0))
        total = counts[0][:, None, None] * counts[1][None, :, None] * counts[2][None, None, :]
        return (1.0 / total)[None, ..., None].astype(dtype)

    def backward(self, g):
        xp = self.xp
        dx = xp.zeros(self.padded_shape, dtype=g.dtype)
        overlap = any(s < k for s, k in zip(self.strides, self.pool))
        if self.mode == "avg":
            # d mean / d x_i = 1 / count for every x_i of the window
            part = g * self.scale
            for w in self.windows:
                dx[(slice(None),) + w] += part
        else:
            # d max / d x_i = [i is the window's (first) arg-max]
            route_to_winner(xp, g, self.winner, [dx[(slice(None),) + w] for w in self.windows],
                            accumulate=overlap)
        return (dx[(slice(None),) + tuple(slice(before, before + n) for (before, _), n in
                                          zip(self.pads, self.size))],)


def _pool3d(mode, x, pool_size, strides, padding):
    check_padding(padding)
    pool = normalize_tuple(pool_size, 3, "pool_size")
    strides = pool if strides is None else normalize_tuple(strides, 3, "strides")
    return Pool3D(mode, pool, strides, padding)(x)


def max_pool3d(x, pool_size, strides=None, padding="valid"):
    """Maximum over 3-D windows of (batch, depth, height, width, channels) ``x``.

    Example:
        >>> import numpy as np
        >>> max_pool3d(np.arange(8.0).reshape(1, 2, 2, 2, 1), 2).numpy().ravel().tolist()
        [7.0]
    """
    return _pool3d("max", x, pool_size, strides, padding)


def avg_pool3d(x, pool_size, strides=None, padding="valid"):
    """Mean over 3-D windows ("same" padding averages the real elements only).

    Example:
        >>> import numpy as np
        >>> avg_pool3d(np.arange(8.0).reshape(1, 2, 2, 2, 1), 2).numpy().ravel().tolist()
        [3.5]
    """
    return _pool3d("avg", x, pool_size, strides, padding)
