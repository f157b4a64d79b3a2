"""``keras.ops.nn`` convolutions and pooling over 1, 2 or 3 spatial axes.

Inputs are ``channels_last`` (``(batch, *spatial, channels)``) unless ``data_format=
"channels_first"``; kernels have Keras's layout ``(*kernel, in_channels, filters)``. Plain 1-D
and 2-D convolutions and poolings run on the library's fused im2col Functions. The others
(3-D, grouped, depthwise, adaptive pooling) are sums over the kernel's taps of strided slices,
each contracted with that tap's weights: differentiable compositions, one node per tap.
"""

import itertools

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..functions.conv import conv_output_length, normalize_tuple, same_padding
from ..validation import choice, integer
from .dtypes import as_float, operands, to_tensor

__all__ = ["conv", "conv_transpose", "depthwise_conv", "separable_conv", "max_pool",
           "average_pool", "adaptive_max_pool", "adaptive_average_pool", "depth_to_space",
           "space_to_depth"]

_FORMATS = ("channels_last", "channels_first")


def _padding(owner, padding):
    value = padding.lower() if isinstance(padding, str) else padding
    return choice(owner, "padding", value, ("valid", "same"))


def _format(owner, data_format):
    return "channels_last" if data_format is None else choice(owner, "data_format",
                                                               data_format, _FORMATS)


def _to_last(x, data_format):
    """channels_first input as channels_last (and the function that converts back)."""
    if data_format == "channels_last":
        return x, lambda y: y
    n = x.ndim
    back = [0, n - 1] + list(range(1, n - 1))
    return F.transpose(x, [0] + list(range(2, n)) + [1]), lambda y: F.transpose(y, back)


def _spatial(owner, x, low=1, high=3):
    rank = x.ndim - 2
    if not low <= rank <= high:
        raise ValueError(f"{owner}: inputs must have 1 to {high} spatial axes, i.e. rank 3 to "
                         f"{high + 2} (batch, *spatial, channels); got shape {x.shape}")
    return rank


def _windows(x, kernel, strides, dilation, padding, fill=0.0):
    """x padded as "same"/"valid" asks, and for each tap of the kernel the strided slice of it
    that tap reads: yields ``(tap, slice)`` with ``tap`` a tuple of kernel offsets."""
    spatial = x.shape[1:-1]
    out = [conv_output_length(n, k, s, padding, d) for n, k, s, d in
           zip(spatial, kernel, strides, dilation)]
    if padding == "same":
        pads = [same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel, strides, dilation)]
        if any(p != (0, 0) for p in pads):
            x = F.pad(x, [(0, 0)] + pads + [(0, 0)], x.dtype.type(fill))
    for tap in itertools.product(*[range(k) for k in kernel]):
        index = (slice(None),) + tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in
            zip(tap, dilation, strides, out)) + (slice(None),)
        yield tap, F.getitem(x, index)


def _tap_conv(x, kernel, strides, dilation, padding, groups):
    """Grouped N-D convolution as a sum over the kernel's taps."""
    k, cg, filters = kernel.shape[:-2], kernel.shape[-2], kernel.shape[-1]
    fg = filters // groups
    total = None
    for tap, window in _windows(x, k, strides, dilation, padding):
        w = F.reshape(F.getitem(kernel, tap), (cg, groups, fg))
        grouped = F.reshape(window, window.shape[:-1] + (groups, cg))
        term = F.einsum("...gc,cgf->...gf", grouped, w)
        total = term if total is None else F.add(total, term)
    return F.reshape(total, total.shape[:-2] + (filters,))


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (cross-correlation, as Keras) for 1 to 3 spatial axes.

    Args:
        inputs: ``(batch, *spatial, in_channels)`` (channels second for "channels_first").
        kernel: ``(*kernel_size, in_channels / groups, filters)``; fewer kernel input channels
            than input channels make a grouped convolution.
        strides, dilation_rate: an int or one per spatial axis.
        padding: "valid" or "same" (TF's split: the odd extra padding after).
        data_format: "channels_last" (default) or "channels_first".

    Returns:
        ``(batch, *out_spatial, filters)``, differentiable in inputs and kernel.

    Example:
        >>> conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4)), padding="same").shape
        (1, 5, 5, 4)
    """
    padding = _padding("conv", padding)
    data_format = _format("conv", data_format)
    x, w = operands("conv", as_float(inputs, "conv"), kernel)
    rank = _spatial("conv", x)
    if w.ndim != rank + 2:
        raise ValueError(f"conv: a kernel for {rank} spatial axes has rank {rank + 2}, got "
                         f"shape {w.shape}")
    x, back = _to_last(x, data_format)
    strides = normalize_tuple(strides, rank, "conv: strides")
    dilation = normalize_tuple(dilation_rate, rank, "conv: dilation_rate")
    channels, per_group, filters = x.shape[-1], w.shape[-2], w.shape[-1]
    if channels % per_group or filters % (channels // per_group):
        raise ValueError(f"conv: inputs with {channels} channels and a kernel of shape "
                         f"{w.shape} do not form groups (in_channels must be a multiple of the "
                         f"kernel's {per_group}, and filters of the group count)")
    groups = channels // per_group
    if groups == 1 and rank == 2:
        out = F.conv2d(x, w, strides=strides, padding=padding, dilation_rate=dilation)
    elif groups == 1 and rank == 1:
        out = F.conv1d(x, w, strides=strides[0], padding=padding, dilation_rate=dilation[0])
    else:
        out = _tap_conv(x, w, strides, dilation, padding, groups)
    return back(out)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution (the gradient of :func:`conv` with respect to its input) for 1
    or 2 spatial axes, with Keras's output sizes.

    Args:
        inputs: ``(batch, *spatial, in_channels)``.
        kernel: ``(*kernel_size, filters, in_channels)`` (Keras's ``Conv*DTranspose`` layout).
        strides, dilation_rate: an int or one per spatial axis.
        padding: "valid" or "same".
        output_padding: None, or an int or one per axis (< stride): extra output size.
        data_format: "channels_last" (default) or "channels_first".

    Returns:
        ``(batch, *out_spatial, filters)``.

    Example:
        >>> conv_transpose(np.ones((1, 4, 4, 3)), np.ones((3, 3, 2, 3)), 2, "same").shape
        (1, 8, 8, 2)
    """
    padding = _padding("conv_transpose", padding)
    data_format = _format("conv_transpose", data_format)
    x, w = operands("conv_transpose", as_float(inputs, "conv_transpose"), kernel)
    rank = _spatial("conv_transpose", x, high=2)
    if w.ndim != rank + 2:
        raise ValueError(f"conv_transpose: a kernel for {rank} spatial axes has rank "
                         f"{rank + 2}, got shape {w.shape}")
    x, back = _to_last(x, data_format)
    strides = normalize_tuple(strides, rank, "conv_transpose: strides")
    dilation = normalize_tuple(dilation_rate, rank, "conv_transpose: dilation_rate")
    extra = None if output_padding is None else normalize_tuple(
        output_padding, rank, "conv_transpose: output_padding", minimum=0)
    if rank == 1:  # as 2-D with a height of 1
        x = F.reshape(x, (x.shape[0], 1) + x.shape[1:])
        w = F.reshape(w, (1,) + w.shape)
        strides, dilation = (1,) + strides, (1,) + dilation
        extra = None if extra is None else (0,) + extra
    out = F.conv2d_transpose(x, w, strides=strides, padding=padding, output_padding=extra,
                             dilation_rate=dilation)
    if rank == 1:
        out = F.reshape(out, (out.shape[0],) + out.shape[2:])
    return back(out)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution: each input channel convolved with its own ``multiplier``
    filters; output channel ``c * multiplier + m``.

    Args:
        inputs: ``(batch, *spatial, channels)``.
        kernel: ``(*kernel_size, channels, multiplier)``.
        strides, padding, data_format, dilation_rate: as :func:`conv`.

    Returns:
        ``(batch, *out_spatial, channels * multiplier)``.

    Example:
        >>> depthwise_conv(np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 2))).shape
        (1, 2, 2, 4)
    """
    padding = _padding("depthwise_conv", padding)
    data_format = _format("depthwise_conv", data_format)
    x, w = operands("depthwise_conv", as_float(inputs, "depthwise_conv"), kernel)
    rank = _spatial("depthwise_conv", x)
    x, back = _to_last(x, data_format)
    if w.ndim != rank + 2 or w.shape[-2] != x.shape[-1]:
        raise ValueError(f"depthwise_conv: kernel of shape {w.shape} does not fit "
                         f"{x.shape[-1]} input channels over {rank} spatial axes (expected "
                         f"(*kernel_size, {x.shape[-1]}, multiplier))")
    strides = normalize_tuple(strides, rank, "depthwise_conv: strides")
    dilation = normalize_tuple(dilation_rate, rank, "depthwise_conv: dilation_rate")
    total = None
    for tap, window in _windows(x, w.shape[:-2], strides, dilation, padding):
        term = F.einsum("...c,cm->...cm", window, F.getitem(w, tap))
        total = term if total is None else F.add(total, term)
    return back(F.reshape(total, total.shape[:-2] + (-1,)))


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution mixing channels.

    Example:
        >>> x, depthwise = np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 1))
        >>> separable_conv(x, depthwise, np.ones((1, 1, 2, 5))).shape
        (1, 2, 2, 5)
    """
    data_format = _format("separable_conv", data_format)
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format)


def _pool(owner, mode, inputs, pool_size, strides, padding, data_format):
    padding = _padding(owner, padding)
    data_format = _format(owner, data_format)
    x = as_float(inputs, owner)
    rank = _spatial(owner, x)
    x, back = _to_last(x, data_format)
    pool = normalize_tuple(pool_size, rank, f"{owner}: pool_size")
    strides = pool if strides is None else normalize_tuple(strides, rank, f"{owner}: strides")
    if rank == 2:
        fn = F.max_pool2d if mode == "max" else F.avg_pool2d
        return back(fn(x, pool, strides, padding))
    if rank == 1:
        fn = F.max_pool1d if mode == "max" else F.avg_pool1d
        return back(fn(x, pool[0], strides[0], padding))
    ones = (1,) * rank
    total = None
    fill = -np.inf if mode == "max" else 0.0
    for _, window in _windows(x, pool, strides, ones, padding, fill):
        if total is None:
            total = window
        else:
            total = F.maximum(total, window) if mode == "max" else F.add(total, window)
    if mode == "avg":  # "same" windows count only the real elements, as TF does
        count = 0
        real = Tensor(get_ops().xp.ones((1,) + x.shape[1:-1] + (1,), dtype=x.dtype))
        for _, window in _windows(real, pool, strides, ones, padding):
            count = window.data + count
        total = F.divide(total, count)
    return back(total)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Maximum over windows, for 1 to 3 spatial axes.

    Args:
        inputs: ``(batch, *spatial, channels)``.
        pool_size: an int or one per spatial axis.
        strides: as pool_size, or None (= pool_size).
        padding: "valid" or "same".
        data_format: "channels_last" (default) or "channels_first".

    Returns:
        The pooled tensor, differentiable (the gradient goes to each window's maximum).

    Example:
        >>> max_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    return _pool("max_pool", "max", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over windows, for 1 to 3 spatial axes ("same" windows average their real
    elements only). Arguments as :func:`max_pool`.

    Example:
        >>> average_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    return _pool("average_pool", "avg", inputs, pool_size, strides, padding, data_format)


def _bins(n, out):
    """PyTorch's adaptive bins: [floor(i n / out), ceil((i + 1) n / out)) for i < out."""
    return [(i * n // out, -(-(i + 1) * n // out)) for i in range(out)]


def _adaptive(owner, mode, inputs, output_size, data_format):
    data_format = _format(owner, data_format)
    x = as_float(inputs, owner)
    rank = _spatial(owner, x)
    x, back = _to_last(x, data_format)
    sizes = normalize_tuple(output_size, rank, f"{owner}: output_size")
    for axis, out in enumerate(sizes, start=1):
        n = x.shape[axis]
        lead = (slice(None),) * axis
        if mode == "avg":  # a bin-averaging matrix along this axis
            weights = np.zeros((out, n))
            for i, (lo, hi) in enumerate(_bins(n, out)):
                weights[i, lo:hi] = 1.0 / (hi - lo)
            moved = F.transpose(x, [i for i in range(x.ndim) if i != axis] + [axis])
            reduced = F.matmul(moved, get_ops().asarray(weights.T.astype(x.dtype.name)))
            order = list(range(x.ndim - 1))
            order.insert(axis, x.ndim - 1)
            x = F.transpose(reduced, order)
        else:  # the maximum over a box is the maximum over each of its axes in turn
            parts = [F.max(F.getitem(x, lead + (slice(lo, hi),)), axis=axis, keepdims=True)
                     for lo, hi in _bins(n, out)]
            x = F.concatenate(parts, axis=axis)
    return back(x)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed ``output_size`` (PyTorch's bins: window i spans
    ``[floor(i n / out), ceil((i + 1) n / out))``).

    Example:
        >>> adaptive_max_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    return _adaptive("adaptive_max_pool", "max", inputs, output_size, data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed ``output_size`` (bins as :func:`adaptive_max_pool`).

    Example:
        >>> adaptive_average_pool(np.arange(16.0).reshape(1, 4, 4, 1), 1)[0, :, :, 0].tolist()
        [[7.5]]
    """
    return _adaptive("adaptive_average_pool", "avg", inputs, output_size, data_format)


def depth_to_space(x, block_size, data_format="channels_last"):
    """Channels rearranged into ``block_size x block_size`` spatial blocks: ``(B, H, W, C)``
    becomes ``(B, H * b, W * b, C / b**2)``. The channel order follows Keras: block row, block
    column, channel for channels_last (TF's DCR); channel, block row, block column for
    channels_first (PyTorch's ``pixel_shuffle``).

    Example:
        >>> depth_to_space(np.arange(4.0).reshape(1, 1, 1, 4), 2)[0, :, :, 0].tolist()
        [[0.0, 1.0], [2.0, 3.0]]
    """
    b = integer("depth_to_space", "block_size", block_size, low=2)
    data_format = _format("depth_to_space", data_format)
    x = _rank4("depth_to_space", to_tensor(x, owner="depth_to_space"))
    c = x.shape[3] if data_format == "channels_last" else x.shape[1]
    if c % (b * b):
        raise ValueError(f"depth_to_space: {c} channels do not divide into {b}x{b} blocks")
    if data_format == "channels_last":
        n, h, w, _ = x.shape
        y = F.transpose(F.reshape(x, (n, h, w, b, b, c // (b * b))), (0, 1, 3, 2, 4, 5))
        return F.reshape(y, (n, h * b, w * b, c // (b * b)))
    n, _, h, w = x.shape
    y = F.transpose(F.reshape(x, (n, c // (b * b), b, b, h, w)), (0, 1, 4, 2, 5, 3))
    return F.reshape(y, (n, c // (b * b), h * b, w * b))


def space_to_depth(x, block_size, data_format="channels_last"):
    """The inverse of :func:`depth_to_space`: ``(B, H, W, C)`` becomes
    ``(B, H / b, W / b, C * b**2)``.

    Example:
        >>> space_to_depth(np.arange(4.0).reshape(1, 2, 2, 1), 2).tolist()
        [[[[0.0, 1.0, 2.0, 3.0]]]]
    """
    b = integer("space_to_depth", "block_size", block_size, low=2)
    data_format = _format("space_to_depth", data_format)
    x = _rank4("space_to_depth", to_tensor(x, owner="space_to_depth"))
    h, w = x.shape[1:3] if data_format == "channels_last" else x.shape[2:]
    if h % b or w % b:
        raise ValueError(f"space_to_depth: spatial size {(h, w)} is not a multiple of {b}")
    if data_format == "channels_last":
        n, _, _, c = x.shape
        y = F.transpose(F.reshape(x, (n, h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5))
        return F.reshape(y, (n, h // b, w // b, c * b * b))
    n, c = x.shape[:2]
    y = F.transpose(F.reshape(x, (n, c, h // b, b, w // b, b)), (0, 1, 3, 5, 2, 4))
    return F.reshape(y, (n, c * b * b, h // b, w // b))


def _rank4(owner, x):
    if x.ndim != 4:
        raise ValueError(f"{owner}: needs a 4-D tensor (batch, height, width, channels), got "
                         f"shape {x.shape}")
    return x
