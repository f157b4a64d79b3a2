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
    padding, on NHWC ``x`` and a (kh, kw, in, out) kernel; act is "linear" or "relu".

    The batch goes through in blocks of samples (``Ops.cache_block_bytes`` of patches and
    outputs each), so that a block's products stay in the CPU's cache for the pooling and the
    gradients: the MNIST CNN's step took 34-35 instead of 38-39 ms (one process, blocks and
    whole batches in alternate epochs)."""

    def __init__(self, strides, padding, dilation, activation, mode, pool_size):
        super().__init__(strides, padding, dilation, activation)
        if mode not in POOL_MODES:
            raise ValueError(f"conv2d_pooled: pool must be one of {POOL_MODES}, got {mode!r}")
        self.mode, self.pool = mode, pool_size

    def forward(self, x, w, b=None):
        if x.ndim != 4:
            raise ValueError(f"conv2d_pooled: needs an input (batch, height, width, channels), "
                             f"got shape {x.shape}")
        xp = self.xp
        xpad, w = self._prepare(x, w)
        (ph, pw), (oh, ow) = self.pool, self.out_hw
        pooled_hw = (oh // ph, ow // pw)
        if min(pooled_hw) == 0:
            raise ValueError(f"conv2d_pooled: pool_size {self.pool} is larger than the "
                             f"convolution's output {self.out_hw}; use a smaller pool_size")
        self.out_hw = (pooled_hw[0] * ph, pooled_hw[1] * pw)  # the outputs a window reads
        n, filters = x.shape[0], w.shape[3]
        out = xp.empty((n,) + pooled_hw + (filters,), dtype=xp.result_type(x, w))
        starts = range(0, n, self._samples_per_block(w, pooled_hw, b is not None, n))
        # (first sample, patch matrix, winners) per block; the blocks are independent, so
        # they run on the backend's chunk pool (their cut depends on the cache budget only)
        self.blocks = [None] * len(starts)

        def block(index):
            start = starts[index]
            part = xpad[start:start + self.block]
            cols = self._window_major_patches(part, w, pooled_hw, ones_row=b is not None)
            windows = self._product(cols, w, b).reshape(ph * pw, -1)
            pooled = out[start:start + self.block].reshape(-1)  # a view: written in place
            _, winner = extreme_and_winner(xp, windows, self.mode, out=pooled)
            if self.activation == "relu":
                xp.maximum(pooled, 0, out=pooled)
            self.blocks[index] = (start, cols, winner)

        self.ops.run_chunks(block, len(starts))
        if self.activation == "relu":
            self.y = out
        return out

    def _samples_per_block(self, w, pooled_hw, ones_row, n):
        """Samples per block: about ``cache_block_bytes`` of patch matrix and outputs."""
        budget = self.ops.cache_block_bytes
        outputs = pooled_hw[0] * pooled_hw[1] * self.pool[0] * self.pool[1]
        row_bytes = (w.shape[0] * w.shape[1] * w.shape[2] + ones_row + w.shape[3]) * w.itemsize
        self.block = n if budget is None else max(1, min(n, budget // (outputs * row_bytes)))
        return self.block

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
        if self.activation == "relu":
            g = g * (self.y > 0)  # relu'(z) = [y > 0]
        needs = self.needs_grad
        needs_bias = len(needs) > 2 and needs[2]
        wants_product = needs[1] or (needs_bias and self.transposed)
        gx = xp.empty((g.shape[0],) + tuple(self.in_hw) + (self.w.shape[2],),
                      dtype=g.dtype) if needs[0] else None
        terms = [None] * len(self.blocks)

        def block(index):
            start, cols, winner = self.blocks[index]
            part = g[start:start + self.block]
            rows = xp.empty((self.pool[0] * self.pool[1], part.size), dtype=g.dtype)
            route_to_winner(xp, part.reshape(-1), winner, rows)  # window-major, as the patches
            if gx is not None:
                gx[start:start + part.shape[0]] = self._block_input_gradient(rows, part.shape)
            if wants_product:
                rows = rows.reshape(-1, filters)
                terms[index] = cols @ rows if self.transposed else cols.T @ rows

        self.ops.run_chunks(block, len(self.blocks))
        product = None
        for term in terms if wants_product else ():  # summed in block order on any threads
            product = term if product is None else product.__iadd__(term)
        if self.transposed:
            return (gx,) + self._kernel_and_bias_t(product, needs[1], needs_bias)
        gw = product.reshape(self.w.shape) if needs[1] else None
        # every pooled gradient reaches exactly one convolution output: db sums g itself
        gb = self.ops.column_sums(g.reshape(-1, filters)) if needs_bias else None
        return gx, gw, gb

    def _block_input_gradient(self, rows, pooled_shape):
        """The input gradient of one block from its window-major output gradients ``rows``."""
        (ph, pw), (n, p, q, filters) = self.pool, pooled_shape
        # col2im wants image order: (n, p, a, q, b) = (n, row, column); the one copy
        image = rows.reshape(ph, pw, n, p, q, filters).transpose(2, 3, 0, 4, 1, 5)
        padded = (n,) + tuple(self.padded_shape[1:])
        return self._input_gradient(image.reshape(-1, filters), padded)


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
