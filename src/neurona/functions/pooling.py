"""Window pooling, channels-last like Keras: max, average and min, in 1-D and 2-D.

A window loop over the kh * kw kernel offsets does all the work: for each offset the inputs it
touches form one strided view (``x[:, i::sh, j::sw]``, no copy), so a 2 x 2 / stride 2 pool is
four elementwise passes over views. (Measured faster than reshaping to (N, H/2, 2, W/2, 2, C)
and reducing two axes, which NumPy walks in a slower order.)

Max and min remember which offset won each window (a uint8 per output, ties to the first in
row-major order as TF and PyTorch do) and send the whole gradient there. "same" padding is TF's:
the extra row/column goes on the bottom/right, max pads with -inf, min with +inf, and average
divides each window by the count of real (non-padded) elements.
"""

from ..autograd.function import Function
from .conv import check_padding, conv_output_length, normalize_tuple, same_padding, window_slice

__all__ = ["max_pool2d", "avg_pool2d", "min_pool2d", "max_pool1d", "avg_pool1d", "min_pool1d"]

MODES = ("max", "min", "avg")


class Pool2D(Function):
    """Max, min or average over (kh, kw) windows of NHWC ``x`` (or (N, L, C) with kh = 1)."""

    def __init__(self, mode, pool_size, strides, padding="valid"):
        if mode not in MODES:
            raise ValueError(f"Pool2D mode must be one of {MODES}, got {mode!r}")
        self.mode, self.pool, self.strides, self.padding = mode, pool_size, strides, padding

    def forward(self, x):
        xp = self.xp
        self.one_d = x.ndim == 3
        if self.one_d:
            x = x[:, None]
        if x.ndim != 4:
            raise ValueError(f"{self.mode} pooling needs an input (batch, height, width, channels)"
                             f" or (batch, length, channels), got shape {x.shape}")
        size, pool, strides = x.shape[1:3], self.pool, self.strides
        pads = ((0, 0), (0, 0))
        if self.padding == "same":
            pads = tuple(same_padding(n, k, s) for n, k, s in zip(size, pool, strides))
        out_hw = tuple(conv_output_length(n, k, s, self.padding) for n, k, s in
                       zip(size, pool, strides))
        if min(out_hw) <= 0:
            raise ValueError(f"{self.mode} pooling: pool_size {pool} is larger than the input "
                             f"{tuple(size)} with padding='valid'; use padding='same' or a "
                             f"smaller pool_size")
        if pads != ((0, 0), (0, 0)):
            fill = {"max": -xp.inf, "min": xp.inf, "avg": 0}[self.mode]
            x = xp.pad(x, ((0, 0),) + pads + ((0, 0),), constant_values=fill)
        self.pads, self.size, self.padded_shape = pads, size, x.shape
        self.windows = [(window_slice(i, 1, strides[0], out_hw[0]),
                         window_slice(j, 1, strides[1], out_hw[1]))
                        for i in range(pool[0]) for j in range(pool[1])]
        views = [x[:, rows, cols] for rows, cols in self.windows]
        if self.mode == "avg":
            out = views[0].copy()
            for view in views[1:]:
                out += view
            self.scale = self._inverse_counts(xp, out_hw, x.dtype)
            out *= self.scale
        else:
            out, self.winner = extreme_and_winner(xp, views, self.mode)
        return out[:, 0] if self.one_d else out

    def _inverse_counts(self, xp, out_hw, dtype):
        """1 / (number of real elements) of each window: a scalar unless "same" padded."""
        if self.pads == ((0, 0), (0, 0)):
            return 1.0 / (self.pool[0] * self.pool[1])
        counts = []
        for n, k, s, (before, _), m in zip(self.size, self.pool, self.strides, self.pads, out_hw):
            start = xp.arange(m) * s - before
            counts.append(xp.minimum(start + k, n) - xp.maximum(start, 0))
        return (1.0 / (counts[0][:, None] * counts[1][None, :]))[None, :, :, None].astype(dtype)

    def backward(self, g):
        xp = self.xp
        if self.one_d:
            g = g[:, None]
        overlap = any(s < k for s, k in zip(self.strides, self.pool))
        # the windows tile the input exactly (no overlap, no gap between windows, none left
        # over at the end) only when strides equal the pool and the pool divides the size:
        # then every element of dx is written below and it need not be zeroed first
        tiled = all(s == k and n % k == 0 for n, k, s in
                    zip(self.padded_shape[1:3], self.pool, self.strides))
        dx = (xp.empty if tiled else xp.zeros)(self.padded_shape, dtype=g.dtype)
        if self.mode == "avg":
            # d mean / d x_i = 1 / count for every x_i of the window
            part = g * self.scale
            for rows, cols in self.windows:
                if overlap:
                    dx[:, rows, cols] += part
                else:
                    dx[:, rows, cols] = part
        else:
            # d max / d x_i = [i is the window's (first) arg-max]
            views = [dx[:, rows, cols] for rows, cols in self.windows]
            route_to_winner(xp, g, self.winner, views, accumulate=overlap)
        (top, _), (left, _) = self.pads
        dx = dx[:, top:top + self.size[0], left:left + self.size[1]]
        return (dx[:, 0] if self.one_d else dx,)


def extreme_and_winner(xp, windows, mode, out=None):
    """The elementwise maximum ("max") or minimum ("min") of the equally shaped arrays
    ``windows`` (written into ``out`` when given) and, per element, the index of the window it
    came from: a uint8 array (int32 from 256 windows on), ties to the first window, as TF and
    PyTorch break them.

    The running extreme changes exactly where a later window is strictly better, so the winner
    is the largest ``k`` whose window was better at step ``k``: a running maximum of
    ``k * better`` (two passes per window, over one byte per element)."""
    better_than = xp.greater if mode == "max" else xp.less
    keep = xp.maximum if mode == "max" else xp.minimum
    first = windows[0]
    dtype = xp.uint8 if len(windows) < 256 else xp.int32
    winner = xp.zeros(first.shape, dtype=dtype)
    if len(windows) == 1:
        if out is None:
            return first.copy(), winner
        out[...] = first
        return out, winner
    better = xp.empty(first.shape, dtype=bool)
    claimed = xp.empty(first.shape, dtype=dtype)
    extreme = first
    for k, window in enumerate(windows[1:], 1):
        better_than(window, extreme, out=better)
        extreme = out = keep(extreme, window, out=out)  # in place from the second window on
        xp.multiply(better, dtype(k), out=claimed)
        xp.maximum(winner, claimed, out=winner)
    return extreme, winner


def route_to_winner(xp, g, winner, targets, accumulate=False):
    """Backward of :func:`extreme_and_winner`: ``targets[k]`` gets ``g`` where window ``k``
    won and 0 elsewhere (added to it with ``accumulate``, for overlapping windows)."""
    hit = xp.empty(winner.shape, dtype=bool)
    for k, target in enumerate(targets):
        xp.equal(winner, k, out=hit)
        if accumulate:
            target += g * hit
        else:
            xp.multiply(g, hit, out=target)


def _pool(mode, x, pool_size, strides, padding, one_d):
    check_padding(padding)
    n = 1 if one_d else 2
    pool = normalize_tuple(pool_size, n, "pool_size")
    strides = pool if strides is None else normalize_tuple(strides, n, "strides")
    if one_d:
        pool, strides = (1,) + pool, (1,) + strides
    return Pool2D(mode, pool, strides, padding)(x)


def max_pool2d(x, pool_size, strides=None, padding="valid"):
    """Maximum over windows of NHWC ``x``.

    Args:
        x: input (batch, height, width, channels).
        pool_size: int or (ph, pw).
        strides: int, pair or None (= pool_size).
        padding: "valid" or "same" (TF's: output ceil(input / stride), -inf padding).

    Returns:
        Tensor (batch, out_h, out_w, channels).

    Example:
        >>> import numpy as np
        >>> max_pool2d(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    return _pool("max", x, pool_size, strides, padding, one_d=False)


def min_pool2d(x, pool_size, strides=None, padding="valid"):
    """Minimum over windows of NHWC ``x`` (equal to ``-max_pool2d(-x)``); args as
    :func:`max_pool2d`.

    Example:
        >>> import numpy as np
        >>> min_pool2d(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[0.0, 2.0], [8.0, 10.0]]
    """
    return _pool("min", x, pool_size, strides, padding, one_d=False)


def avg_pool2d(x, pool_size, strides=None, padding="valid"):
    """Mean over windows of NHWC ``x``; with "same" padding each window's mean counts only its
    real elements (as TF). Args as :func:`max_pool2d`.

    Example:
        >>> import numpy as np
        >>> avg_pool2d(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    return _pool("avg", x, pool_size, strides, padding, one_d=False)


def max_pool1d(x, pool_size, strides=None, padding="valid"):
    """Maximum over windows of (batch, length, channels) ``x``; ints for pool_size/strides.

    Example:
        >>> import numpy as np
        >>> max_pool1d(np.arange(6.0).reshape(1, 6, 1), 3)[0, :, 0].tolist()
        [2.0, 5.0]
    """
    return _pool("max", x, pool_size, strides, padding, one_d=True)


def min_pool1d(x, pool_size, strides=None, padding="valid"):
    """Minimum over windows of (batch, length, channels) ``x``.

    Example:
        >>> import numpy as np
        >>> min_pool1d(np.arange(6.0).reshape(1, 6, 1), 3)[0, :, 0].tolist()
        [0.0, 3.0]
    """
    return _pool("min", x, pool_size, strides, padding, one_d=True)


def avg_pool1d(x, pool_size, strides=None, padding="valid"):
    """Mean over windows of (batch, length, channels) ``x``.

    Example:
        >>> import numpy as np
        >>> avg_pool1d(np.arange(6.0).reshape(1, 6, 1), 3)[0, :, 0].tolist()
        [1.0, 4.0]
    """
    return _pool("avg", x, pool_size, strides, padding, one_d=True)
