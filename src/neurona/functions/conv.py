"""Convolutions, channels-last like Keras: ``conv1d``, ``conv2d``, ``conv2d_transpose``.

Inputs are ``(batch, height, width, channels)`` (``(batch, length, channels)`` in 1-D) and
kernels ``(kh, kw, in_channels, filters)``, Keras's layouts. Every convolution is one matrix
product over a patch matrix: the input's windows are read through a strided view (im2col) and
copied once into a contiguous ``(batch * out_h * out_w, kh * kw * channels)`` matrix. Inputs
with fewer than :data:`SMALL_CHANNELS` channels (images: grey or RGB) build its transpose
instead, one contiguous row per kernel tap and channel, plus a row of ones that folds the bias
into the product (and its gradient into the kernel's). Its
adjoint, col2im, scatter-adds patch gradients back with one vectorised slice per kernel offset
(kh * kw slices, never a loop over pixels or samples). ``conv2d_transpose`` is exactly the
gradient of ``conv2d`` with respect to its input, so the two share these two kernels.

"same" padding follows TensorFlow/Keras: the total padding of an axis is
``max((out - 1) * stride + (k - 1) * dilation + 1 - length, 0)`` with the odd extra row or
column on the bottom/right.
"""

from ..autograd.function import Function
from ..validation import choice, is_integer

__all__ = ["conv1d", "conv2d", "conv2d_transpose", "conv_output_length", "same_padding",
           "conv_transpose_output_length"]

PADDINGS = ("valid", "same")
#: activations a convolution applies in place on its output (derivative from the output)
FUSED_CONV_ACTIVATIONS = ("linear", "relu")
#: below this many input channels the patch matrix is built transposed, one row per tap and
#: channel: copying whole (batch, out_h, out_w) planes beats gathering rows of C < 4 values
#: (measured 0.24 against 1.9 ms for MNIST's 128 x 28 x 28 x 1 batch under a 3 x 3 kernel)
SMALL_CHANNELS = 4


# -- shape arithmetic (shared with the layers' compute_output_shape) ------------------------------
def conv_output_length(length, kernel, stride, padding, dilation=1):
    """Output length of a convolution along one axis (None stays None), as Keras computes it."""
    if length is None:
        return None
    if padding in ("same", "causal"):
        return (length - 1) // stride + 1
    return (length - (kernel - 1) * dilation - 1) // stride + 1


def same_padding(length, kernel, stride, dilation=1):
    """(before, after) zero padding of TF's "same" along one axis; the odd extra goes after."""
    out = (length - 1) // stride + 1
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - length, 0)
    return total // 2, total - total // 2


def conv_transpose_output_length(length, kernel, stride, padding, output_padding=None,
                                 dilation=1):
    """Output length of a transposed convolution along one axis, as Keras computes it."""
    if length is None:
        return None
    k = (kernel - 1) * dilation + 1
    if output_padding is None:
        return length * stride + max(k - stride, 0) if padding == "valid" else length * stride
    pad = k // 2 if padding == "same" else 0
    return (length - 1) * stride + k - 2 * pad + output_padding


def normalize_tuple(value, n, name, minimum=1):
    """An int or ``n`` ints -> a tuple of ``n`` ints >= ``minimum``, else a ValueError naming
    the argument (Keras accepts ``3`` for ``(3, 3)``)."""
    items = (value,) * n if is_integer(value) else value
    try:
        items = tuple(items)
    except TypeError:
        items = ()
    if len(items) != n or any(not is_integer(v) or v < minimum for v in items):
        raise ValueError(f"{name} must be an int >= {minimum} or a tuple of {n} such ints, "
                         f"got {value!r}")
    return tuple(int(v) for v in items)


def _pair(value, name, minimum=1):
    return normalize_tuple(value, 2, name, minimum)


def check_padding(padding, allowed=PADDINGS):
    return choice(None, "padding", padding, allowed)


# -- the two kernels: im2col and its adjoint -----------------------------------------------------
def window_slice(offset, dilation, stride, count):
    """Positions ``offset * dilation + stride * o`` for o < count, as a slice."""
    start = offset * dilation
    return slice(start, start + stride * (count - 1) + 1, stride)


def _patches(xp, x, out_hw, kernel, strides, dilation, out=None):
    """im2col: the (N * OH * OW, kh * kw * C) contiguous patch matrix of padded NHWC ``x``,
    written into ``out`` when given."""
    n, _, _, c = x.shape
    oh, ow = out_hw
    kh, kw = kernel
    sn, sh, sw, sc = x.strides
    view = xp.lib.stride_tricks.as_strided(
        x, shape=(n, oh, ow, kh, kw, c),
        strides=(sn, sh * strides[0], sw * strides[1], sh * dilation[0], sw * dilation[1], sc))
    if out is not None:
        out.reshape(view.shape)[...] = view
        return out
    return view.reshape(n * oh * ow, kh * kw * c)  # the one copy (a view when kh = kw = 1)


def _patches_t(xp, x, out_hw, kernel, strides, dilation, ones_row, out=None):
    """Transposed im2col for few channels: the (kh * kw * C [+ 1], N * OH * OW) matrix whose
    row (i * kw + j) * C + c is channel c under kernel tap (i, j); with ``ones_row`` a last row
    of ones, so that ``P^T @ [W; b]`` adds the bias and ``P @ dY`` ends with its gradient.
    ``out``, when given, is a (kh * kw * C [+ 1], N, OH, OW) array to fill."""
    n, _, _, c = x.shape
    oh, ow = out_hw
    kh, kw = kernel
    taps = kh * kw * c
    cols = xp.empty((taps + ones_row, n, oh, ow), dtype=x.dtype) if out is None else out
    for i in range(kh):
        rows = window_slice(i, dilation[0], strides[0], oh)
        for j in range(kw):
            tap = (i * kw + j) * c
            window = x[:, rows, window_slice(j, dilation[1], strides[1], ow)]
            cols[tap:tap + c] = window.transpose(3, 0, 1, 2)
    if ones_row:
        cols[taps] = 1
    return cols.reshape(taps + ones_row, n * oh * ow)


def _col2im(xp, g, w, padded_shape, out_hw, strides, dilation):
    """Adjoint of :func:`_patches` applied to the patch gradients ``g @ W^T``: each kernel
    offset's (N, OH, OW, C) block is added into the padded input, one slice per offset.

    ``g`` is (N * OH * OW, out) and ``w`` (kh, kw, C, out). With C >= 4 the block of offset
    (i, j) is computed as its own product ``g @ w[i, j].T``, so it arrives contiguous and the
    scatter runs over long rows; with fewer channels one product for all offsets is faster
    (measured: the strided scatter's short rows cost less than re-reading ``g`` kh * kw times).
    """
    oh, ow = out_hw
    n, _, _, c = padded_shape
    kh, kw = w.shape[:2]
    cols = w_t = None
    if c < SMALL_CHANNELS:
        cols = (g @ w.reshape(-1, w.shape[3]).T).reshape(n, oh, ow, kh, kw, c)
    else:  # each tap's W^T contiguous: BLAS runs ~7% faster than on the transposed view
        w_t = xp.ascontiguousarray(w.transpose(0, 1, 3, 2))
    out = xp.zeros(padded_shape, dtype=g.dtype)
    for i in range(kh):
        rows = window_slice(i, dilation[0], strides[0], oh)
        for j in range(kw):
            block = cols[:, :, :, i, j] if cols is not None else \
                (g @ w_t[i, j]).reshape(n, oh, ow, c)
            out[:, rows, window_slice(j, dilation[1], strides[1], ow)] += block
    return out


def _pad(xp, x, pads):
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    return xp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def _crop(x, pads, size):
    (top, _), (left, _) = pads
    return x[:, top:top + size[0], left:left + size[1]]


def _as_2d(x, w):
    """1-D arrays (N, L, C) and kernels (k, in, out) as 2-D ones with a unit height."""
    return x[:, None], w[None]


class Conv2D(Function):
    """act(conv(x, w) + b) on NHWC ``x`` and (kh, kw, in, out) ``w``; also 1-D (N, L, C) input
    with a (k, in, out) kernel. ``padding`` is "valid", "same" or explicit
    ((top, bottom), (left, right)) pairs; ``activation`` is "linear" or "relu" (fused)."""

    def __init__(self, strides=(1, 1), padding="valid", dilation=(1, 1), activation="linear"):
        if activation not in FUSED_CONV_ACTIVATIONS:
            raise ValueError(f"Conv2D fuses only {FUSED_CONV_ACTIVATIONS}, got {activation!r}")
        self.strides, self.padding, self.dilation = strides, padding, dilation
        self.activation = activation

    def forward(self, x, w, b=None):
        xpad, w = self._prepare(x, w)
        if self.transposed:
            self.cols_t = cols = _patches_t(self.xp, xpad, self.out_hw, w.shape[:2],
                                            self.strides, self.dilation, ones_row=b is not None)
        else:
            self.cols = cols = _patches(self.xp, xpad, self.out_hw, w.shape[:2], self.strides,
                                        self.dilation)
        y = self._product(cols, w, b)
        if self.activation == "relu":
            self.xp.maximum(y, 0, out=y)
            self.y = y
        out = y.reshape((x.shape[0],) + self.out_hw + (w.shape[3],))
        return out[:, 0] if self.one_d else out

    def _prepare(self, x, w):
        """Check the shapes, settle the padding and output size; returns the padded NHWC input
        and the 2-D kernel (1-D inputs get a unit height)."""
        self.one_d = x.ndim == 3
        if self.one_d:
            x, w = _as_2d(x, w)
        if x.ndim != 4 or w.ndim != 4 or w.shape[2] != x.shape[3]:
            raise ValueError(f"conv: input of shape {x.shape} does not match a kernel of shape "
                             f"{w.shape}: kernel in_channels must equal the input's channels")
        kernel = w.shape[:2]
        pads = self.padding
        if pads == "same":
            pads = tuple(same_padding(n, k, s, d) for n, k, s, d in
                         zip(x.shape[1:3], kernel, self.strides, self.dilation))
        elif pads == "valid":
            pads = ((0, 0), (0, 0))
        self.pads, self.in_hw = pads, x.shape[1:3]
        xpad = _pad(self.xp, x, pads)
        out_hw = tuple(conv_output_length(n, k, s, "valid", d) for n, k, s, d in
                       zip(xpad.shape[1:3], kernel, self.strides, self.dilation))
        if min(out_hw) <= 0:
            raise ValueError(
                f"conv: the kernel {tuple(kernel)} (dilation {self.dilation}) is larger than the "
                f"input {tuple(self.in_hw)} with padding {self.padding!r}; use padding='same', a "
                f"smaller kernel or a larger input")
        self.padded_shape, self.out_hw, self.w = xpad.shape, out_hw, w
        self.transposed = x.shape[3] < SMALL_CHANNELS
        return xpad, w

    def _product(self, cols, w, b):
        """Patch matrix (transposed for few channels, with its ones row when ``b`` is given)
        times kernel, plus the bias: (patch rows, filters)."""
        kernel_matrix = w.reshape(-1, w.shape[3])
        if self.transposed:
            if b is not None:
                kernel_matrix = self.xp.concatenate([kernel_matrix, b[None]])
            return cols.T @ kernel_matrix
        y = cols @ kernel_matrix
        if b is not None:
            y += b
        return y

    def backward(self, g):
        g = g.reshape(-1, self.w.shape[3])
        if self.activation == "relu":
            g = g * (self.y > 0)  # relu'(z) = [y > 0]
        # y = P @ W (P the patch matrix): dP = dY @ W^T, dW = P^T @ dY, db = sum of dY rows
        gx = None
        if self.needs_grad[0]:
            gx = self._input_gradient(g, self.padded_shape)
            gx = gx[:, 0] if self.one_d else gx
        needs = self.needs_grad
        needs_bias = len(needs) > 2 and needs[2]
        if self.transposed:
            grads = self.cols_t @ g if needs[1] or needs_bias else None
            return (gx,) + self._kernel_and_bias_t(grads, needs[1], needs_bias)
        gw = gb = None
        if needs[1]:
            target = None if self.one_d else self.gradient_buffer(1)
            if target is not None:  # straight into the kernel's gradient storage
                self.xp.matmul(self.cols.T, g, out=target.reshape(-1, g.shape[1]))
                gw = target
            else:
                gw = (self.cols.T @ g).reshape(self.w.shape)
                gw = gw[0] if self.one_d else gw
        if needs_bias:
            gb = self.ops.column_sums(g, out=self.gradient_buffer(2))
        return gx, gw, gb

    def _input_gradient(self, g_image, padded_shape):
        """col2im of ``g_image`` (the gradient of the outputs in image order, (N * OH * OW,
        filters)) into ``padded_shape``, cropped to the unpadded input."""
        dx = _col2im(self.xp, g_image, self.w, padded_shape, self.out_hw, self.strides,
                     self.dilation)
        return _crop(dx, self.pads, self.in_hw)

    def _kernel_and_bias_t(self, grads, needs_kernel, needs_bias):
        """(dW, db) out of ``P @ dY`` for the transposed patches: [dW; db] in one product (the
        ones row sums dY's rows), or dW alone when the bias is absent."""
        taps = self.w.shape[0] * self.w.shape[1] * self.w.shape[2]
        gw = gb = None
        if needs_kernel:
            gw = grads[:taps].reshape(self.w.shape)
            gw = gw[0] if self.one_d else gw
        if needs_bias:
            gb = grads[taps]
        return gw, gb


class Conv2DTranspose(Function):
    """The transpose (input gradient) of :class:`Conv2D`: NHWC ``y`` with a (kh, kw, filters,
    in_channels) kernel gives (N, out_h, out_w, filters), ``out_hw`` given by the caller."""

    def __init__(self, out_hw, strides=(1, 1), padding="valid", dilation=(1, 1)):
        self.out_hw, self.strides, self.padding, self.dilation = out_hw, strides, padding, dilation

    def forward(self, y, w, b=None):
        xp = self.xp
        if y.ndim != 4 or w.ndim != 4 or w.shape[3] != y.shape[3]:
            raise ValueError(f"conv2d_transpose: input of shape {y.shape} does not match a kernel "
                             f"of shape {w.shape}: kernel[-1] must equal the input's channels")
        kernel, in_hw = w.shape[:2], y.shape[1:3]
        pads, padded = [], []
        for n, k, s, d, out in zip(in_hw, kernel, self.strides, self.dilation, self.out_hw):
            full = (n - 1) * s + (k - 1) * d + 1  # the span the windows cover
            before = max(full - out, 0) // 2 if self.padding == "same" else 0
            size = max(full, before + out)
            assert size - full < s, "output size not reachable by this transposed convolution"
            pads.append((before, size - before - out))
            padded.append(size)
        self.pads, self.in_hw, self.w = tuple(pads), in_hw, w
        self.padded_shape = (y.shape[0], padded[0], padded[1], w.shape[2])
        self.y = y.reshape(-1, y.shape[3])
        # the input gradient of conv2d(., w): the patch values Y @ W^T scattered by col2im
        out = _col2im(xp, self.y, w, self.padded_shape, in_hw, self.strides, self.dilation)
        out = _crop(out, self.pads, self.out_hw)
        if b is not None:
            out = out + b
        return out

    def backward(self, g):
        xp, w = self.xp, self.w
        needs = self.needs_grad
        cols = _patches(xp, _pad(xp, g, self.pads), self.in_hw, w.shape[:2], self.strides,
                        self.dilation)
        gy = gw = gb = None
        # out = col2im(Y @ W^T) is linear: dY = patches(dOut) @ W, dW = (patches(dOut)^T @ Y)
        if needs[0]:
            gy = (cols @ w.reshape(-1, w.shape[3])).reshape((g.shape[0],) + self.in_hw + (-1,))
        if needs[1]:
            gw = (cols.T @ self.y).reshape(w.shape)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 1, 2))
        return gy, gw, gb


def _call(fn, x, w, b):
    return fn(x, w) if b is None else fn(x, w, b)


def conv2d(x, w, b=None, strides=1, padding="valid", dilation_rate=1, activation="linear"):
    """2-D convolution (cross-correlation, as Keras) of NHWC ``x`` with a (kh, kw, in, out) kernel.

    Args:
        x: input (batch, height, width, in_channels).
        w: kernel (kh, kw, in_channels, filters).
        b: optional bias (filters,).
        strides: int or (sh, sw).
        padding: "valid" (no padding) or "same" (output size ceil(input / stride), TF's split).
        dilation_rate: int or (dh, dw); spacing between kernel taps.
        activation: "linear" or "relu", applied in place on the output.

    Returns:
        Tensor (batch, out_h, out_w, filters).

    Example:
        >>> import numpy as np
        >>> conv2d(np.ones((2, 5, 5, 3)), np.ones((3, 3, 3, 4)), padding="same").shape
        (2, 5, 5, 4)
    """
    fn = Conv2D(_pair(strides, "strides"), check_padding(padding),
                _pair(dilation_rate, "dilation_rate"), activation)
    return _call(fn, x, w, b)


def conv1d(x, w, b=None, strides=1, padding="valid", dilation_rate=1, activation="linear"):
    """1-D convolution of (batch, length, in) ``x`` with a (k, in, out) kernel.

    Args:
        x, w, b: input, kernel and optional bias (filters,).
        strides, dilation_rate: positive ints.
        padding: "valid", "same" or "causal" (left padding only: output t sees inputs <= t).
        activation: "linear" or "relu" (fused).

    Returns:
        Tensor (batch, out_length, filters).

    Example:
        >>> import numpy as np
        >>> conv1d(np.ones((2, 10, 3)), np.ones((3, 3, 4)), padding="causal").shape
        (2, 10, 4)
    """
    (stride,) = normalize_tuple(strides, 1, "strides")
    (dilation,) = normalize_tuple(dilation_rate, 1, "dilation_rate")
    check_padding(padding, PADDINGS + ("causal",))
    if padding == "causal":
        padding = ((0, 0), ((w.shape[0] - 1) * dilation, 0))
    return _call(Conv2D((1, stride), padding, (1, dilation), activation), x, w, b)


def conv2d_transpose(x, w, b=None, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1):
    """Transposed 2-D convolution (the input gradient of :func:`conv2d`), Keras's layout.

    Args:
        x: input (batch, height, width, in_channels).
        w: kernel (kh, kw, filters, in_channels), as Keras's ``Conv2DTranspose`` stores it.
        b: optional bias (filters,).
        strides, dilation_rate: int or pair.
        padding: "valid" or "same".
        output_padding: None or int/pair of ints < stride: extra rows/columns of output.

    Returns:
        Tensor (batch, out_h, out_w, filters) with Keras's output size.

    Example:
        >>> import numpy as np
        >>> conv2d_transpose(np.ones((1, 4, 4, 3)), np.ones((3, 3, 2, 3)), strides=2,
        ...                  padding="same").shape
        (1, 8, 8, 2)
    """
    strides, dilation = _pair(strides, "strides"), _pair(dilation_rate, "dilation_rate")
    check_padding(padding)
    if output_padding is not None:
        output_padding = _pair(output_padding, "output_padding", minimum=0)
        if any(p >= s for p, s in zip(output_padding, strides)):
            raise ValueError(f"output_padding {output_padding} must be smaller than the strides "
                             f"{strides}")
    extra = (None, None) if output_padding is None else output_padding
    out_hw = tuple(conv_transpose_output_length(n, k, s, padding, p, d) for n, k, s, d, p in
                   zip(x.shape[1:3], w.shape[:2], strides, dilation, extra))
    return _call(Conv2DTranspose(out_hw, strides, padding, dilation), x, w, b)
