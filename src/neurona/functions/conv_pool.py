"""A convolution and the max or min pooling after it, as one function: ``conv2d_pooled``.

A pooling whose windows do not overlap (strides = pool size, "valid") reads each convolution
output once, and drops the last rows/columns when the size is not a multiple of the pool (the
MNIST CNN's 11 x 11 map pools to 5 x 5). Done together, the two steps:

- compute only the convolution outputs some window reads: 100 of the 121 positions per map
  there, and the dropped ones never reach the kernel's products, forward or backward;
- order the patch matrix window-major, ``(window offset (a, b), n, p, q)`` for the output at
  ``(p * ph + a, q * pw + b)``: each window offset's outputs then form one contiguous block,
  the (N, P, Q, filters) image of the pooled size, so the pooling is an elementwise extreme of
  ``ph * pw`` contiguous blocks instead of strided views with rows of ``filters`` values, and
  its gradient is written back the same way.

relu commutes with max and min (it is monotone), so a fused relu is applied to the pooled
output: the same values and gradients, on an array ``ph * pw`` times smaller.
"""

from .conv import Conv2D, _pair, _patches, _patches_t, check_padding, normalize_tuple
from .pooling import extreme_and_winner, route_to_winner

__all__ = ["conv2d_pooled"]

POOL_MODES = ("max", "min")


class Conv2DPool(Conv2D):
    """``pool(act(conv2d(x, w) + b))`` for a max or min pool with strides = pool size and no
    padding, on NHWC ``x`` and a (kh, kw, in, out) kernel; act is "linear" or "relu"."""

    def __init__(self, strides, padding, dilation, activation, mode, pool_size):
        super().__init__(strides, padding, dilation, activation)
        if mode not in POOL_MODES:
            raise ValueError(f"conv2d_pooled: pool must be one of {POOL_MODES}, got {mode!r}")
        self.mode, self.pool = mode, pool_size

    def forward(self, x, w, b=None):
        if x.ndim != 4:
            raise ValueError(f"conv2d_pooled: needs an input (batch, height, width, channels), "
                             f"got shape {x.shape}")
        xpad, w = self._prepare(x, w)
        (ph, pw), (oh, ow) = self.pool, self.out_hw
        pooled_hw = (oh // ph, ow // pw)
        if min(pooled_hw) == 0:
            raise ValueError(f"conv2d_pooled: pool_size {self.pool} is larger than the "
                             f"convolution's output {self.out_hw}; use a smaller pool_size")
        self.out_hw = (pooled_hw[0] * ph, pooled_hw[1] * pw)  # the outputs a window reads
        self.pooled_shape = (x.shape[0],) + pooled_hw + (w.shape[3],)
        cols = self._window_major_patches(xpad, w, pooled_hw, ones_row=b is not None)
        windows = self._product(cols, w, b).reshape(ph * pw, -1)
        out, self.winner = extreme_and_winner(self.xp, windows, self.mode)
        if self.activation == "relu":
            self.xp.maximum(out, 0, out=out)
            self.y = out
        return out.reshape(self.pooled_shape)

    def _window_major_patches(self, xpad, w, pooled_hw, ones_row):
        """The patch matrix (transposed for few channels) of the convolution outputs at
        ``(p * ph + a, q * pw + b)``, ordered ``(a, b, n, p, q)``: window offset (a, b) is the
        convolution with strides ``pool * strides`` started ``(a, b) * strides`` further."""
        xp = self.xp
        (ph, pw), (sh, sw), kernel = self.pool, self.strides, w.shape[:2]
        strides = (sh * ph, sw * pw)
        n, taps = xpad.shape[0], kernel[0] * kernel[1] * w.shape[2]
        offsets = [(a, b) for a in range(ph) for b in range(pw)]
        if self.transposed:
            cols = xp.empty((taps + ones_row, len(offsets), n) + pooled_hw, dtype=xpad.dtype)
            for k, (a, b) in enumerate(offsets):
                _patches_t(xp, xpad[:, a * sh:, b * sw:], pooled_hw, kernel, strides,
                           self.dilation, ones_row=False, out=cols[:taps, k])
            if ones_row:
                cols[taps] = 1
            return cols.reshape(taps + ones_row, -1)
        cols = xp.empty((len(offsets), n * pooled_hw[0] * pooled_hw[1], taps), dtype=xpad.dtype)
        for k, (a, b) in enumerate(offsets):
            _patches(xp, xpad[:, a * sh:, b * sw:], pooled_hw, kernel, strides, self.dilation,
                     out=cols[k])
        return cols.reshape(-1, taps)

    def backward(self, g):
        xp, filters = self.xp, self.w.shape[3]
        g = g.reshape(-1)
        if self.activation == "relu":
            g = g * (self.y > 0)  # relu'(z) = [y > 0]
        (ph, pw), (n, p, q, _) = self.pool, self.pooled_shape
        rows = xp.empty((ph * pw, g.size), dtype=g.dtype)  # window-major, as the patches
        route_to_winner(xp, g, self.winner, rows)
        image = None
        if self.needs_grad[0]:  # col2im wants image order: (n, p, a, q, b) = (n, row, column)
            image = rows.reshape(ph, pw, n, p, q, filters).transpose(2, 3, 0, 4, 1, 5)
            image = image.reshape(-1, filters)  # the one copy
        return self._gradients(rows.reshape(-1, filters), image)


def conv2d_pooled(x, w, b=None, strides=1, padding="valid", dilation_rate=1, activation="linear",
                  pool="max", pool_size=2):
    """``max_pool2d(act(conv2d(x, w, b)), pool_size)`` (or ``min_pool2d``) in one function.

    Equal to the two calls (strides = pool size, "valid" pooling), computed faster: only the
    convolution outputs the pooling reads, and each window offset's outputs contiguous (see
    the module's notes).

    Args:
        x, w, b, strides, padding, dilation_rate, activation: as :func:`conv2d`.
        pool: "max" or "min".
        pool_size: int or (ph, pw); the pooling's strides are the same.

    Returns:
        Tensor (batch, out_h // ph, out_w // pw, filters), out_h x out_w being the
        convolution's output size.

    Example:
        >>> import numpy as np
        >>> conv2d_pooled(np.ones((2, 28, 28, 1)), np.ones((3, 3, 1, 4)), pool_size=2).shape
        (2, 13, 13, 4)
    """
    fn = Conv2DPool(_pair(strides, "strides"), check_padding(padding),
                    _pair(dilation_rate, "dilation_rate"), activation, pool,
                    normalize_tuple(pool_size, 2, "pool_size"))
    return fn(x, w) if b is None else fn(x, w, b)
