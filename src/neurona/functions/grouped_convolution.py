"""Grouped convolutions in 1, 2 or 3 spatial dimensions, channels last: ``grouped_conv``
(Conv2D(groups=...), Conv3D), ``depthwise_conv`` (DepthwiseConv1D/2D) and ``conv3d``.

``x`` is ``(batch, *spatial, channels)`` and the kernel ``(*kernel_size, channels // groups,
filters)``, Keras's layouts: output channel ``f`` belongs to group ``f // (filters // groups)``
and reads only that group's input channels. As in :mod:`~neurona.functions.conv`, each call is
a patch matrix (read through one strided view of the padded input, copied once) times the
kernel: one batched product over the groups, ``(groups, rows, taps * in/groups) @ (groups,
taps * in/groups, filters/groups)``. Its adjoint scatters the patch gradients back with one
vectorised slice per kernel tap. A depthwise convolution is the grouped one with one group per
input channel (its ``(*k, channels, multiplier)`` kernel is that grouped kernel reshaped).
"""

import itertools

from ..autograd.function import Function
from .conv import check_padding, conv_output_length, normalize_tuple, same_padding, window_slice
from .shape import reshape

__all__ = ["grouped_conv", "depthwise_conv", "conv3d"]


def _patches_nd(xp, x, out_size, kernel, strides, dilation):
    """im2col in ``rank`` dimensions: the (N * prod(out), prod(kernel) * C) patch matrix of
    padded ``x`` (N, *spatial, C)."""
    rank = len(kernel)
    step = x.strides
    view = xp.lib.stride_tricks.as_strided(
        x, shape=(x.shape[0],) + tuple(out_size) + tuple(kernel) + (x.shape[-1],),
        strides=(step[0],) + tuple(step[1 + i] * strides[i] for i in range(rank))
        + tuple(step[1 + i] * dilation[i] for i in range(rank)) + (step[-1],))
    rows = x.shape[0]
    for n in out_size:
        rows *= n
    return view.reshape(rows, -1)  # the one copy


def _col2im_nd(xp, cols, padded_shape, out_size, kernel, strides, dilation):
    """Adjoint of :func:`_patches_nd`: ``cols`` (N, *out, *kernel, C) added into a zero array
    of ``padded_shape``, one slice per kernel tap."""
    out = xp.zeros(padded_shape, dtype=cols.dtype)
    rank = len(kernel)
    for tap in itertools.product(*(range(k) for k in kernel)):
        window = tuple(window_slice(tap[i], dilation[i], strides[i], out_size[i])
                       for i in range(rank))
        out[(slice(None),) + window] += cols[(slice(None),) * (1 + rank) + tap]
    return out


def resolve_padding(padding, spatial, kernel, strides, dilation):
    """"valid", "same" (TF's split) or explicit (before, after) pairs -> pairs per axis."""
    if padding == "valid":
        return tuple((0, 0) for _ in spatial)
    if padding == "same":
        return tuple(same_padding(n, k, s, d) for n, k, s, d in
                     zip(spatial, kernel, strides, dilation))
    return tuple(tuple(p) for p in padding)


class GroupedConv(Function):
    """``conv(x, w) + b`` with ``groups`` channel groups, in 1 to 3 spatial dimensions (see
    the module docstring)."""

    def __init__(self, groups, strides, padding, dilation):
        self.groups, self.strides, self.padding, self.dilation = groups, strides, padding, dilation

    def forward(self, x, w, b=None):
        xp, g = self.xp, self.groups
        rank = x.ndim - 2
        kernel = w.shape[:rank]
        channels, filters = x.shape[-1], w.shape[-1]
        if w.ndim != rank + 2 or channels % g or w.shape[-2] * g != channels or filters % g:
            raise ValueError(f"grouped conv: input {x.shape} and kernel {w.shape} do not match "
                             f"groups={g}: the kernel must be (*kernel_size, channels / groups, "
                             "filters) with channels and filters divisible by groups")
        pads = resolve_padding(self.padding, x.shape[1:-1], kernel, self.strides, self.dilation)
        if any(p != (0, 0) for p in pads):
            x_pad = xp.pad(x, ((0, 0),) + pads + ((0, 0),))
        else:
            x_pad = x
        out_size = tuple(conv_output_length(n, k, s, "valid", d) for n, k, s, d in
                         zip(x_pad.shape[1:-1], kernel, self.strides, self.dilation))
        if min(out_size) <= 0:
            raise ValueError(f"conv: the kernel {tuple(kernel)} (dilation {self.dilation}) is "
                             f"larger than the input {x.shape[1:-1]} with padding "
                             f"{self.padding!r}; use padding='same' or a smaller kernel")
        self.pads, self.in_size, self.padded_shape = pads, x.shape[1:-1], x_pad.shape
        self.out_size, self.kernel_shape = out_size, w.shape
        cols = _patches_nd(xp, x_pad, out_size, kernel, self.strides, self.dilation)
        taps = cols.shape[1] // channels
        # (rows, taps, g, C/g) -> (g, rows, taps * C/g); the kernel likewise per group
        self.cols = xp.ascontiguousarray(
            cols.reshape(len(cols), taps, g, channels // g).transpose(2, 0, 1, 3)
        ).reshape(g, len(cols), -1)
        self.w_g = w.reshape(taps, channels // g, g, filters // g).transpose(2, 0, 1, 3).reshape(
            g, taps * (channels // g), filters // g)
        y = (self.cols @ self.w_g).transpose(1, 0, 2).reshape(len(cols), filters)
        if b is not None:
            y += b
        return y.reshape((x.shape[0],) + out_size + (filters,))

    def backward(self, grad):
        xp, g = self.xp, self.groups
        filters = self.kernel_shape[-1]
        rows = self.cols.shape[1]
        g_y = grad.reshape(rows, g, filters // g).transpose(1, 0, 2)  # (g, rows, F/g)
        gx = gw = gb = None
        if self.needs_grad[0]:
            # y = P W per group: dP = dY W^T, scattered back by col2im
            rank = len(self.out_size)
            kernel = self.kernel_shape[:rank]
            taps = self.cols.shape[2] // self.kernel_shape[-2]
            d_cols = (g_y @ self.w_g.transpose(0, 2, 1)).reshape(g, rows, taps, -1)
            d_cols = d_cols.transpose(1, 2, 0, 3).reshape(
                (self.padded_shape[0],) + self.out_size + tuple(kernel) + (-1,))
            gx = _col2im_nd(xp, d_cols, self.padded_shape, self.out_size, kernel, self.strides,
                            self.dilation)
            gx = gx[(slice(None),) + tuple(slice(before, before + n) for (before, _), n in
                                           zip(self.pads, self.in_size))]
        if self.needs_grad[1]:
            # dW = P^T dY per group, back to (*kernel, C/g, F)
            taps_in = self.cols.shape[2]
            cg = self.kernel_shape[-2]
            gw = (self.cols.transpose(0, 2, 1) @ g_y).reshape(g, taps_in // cg, cg, filters // g)
            gw = gw.transpose(1, 2, 0, 3).reshape(self.kernel_shape)
        if len(self.needs_grad) > 2 and self.needs_grad[2]:
            gb = grad.reshape(-1, filters).sum(axis=0)
        return gx, gw, gb


def _check(rank, strides, padding, dilation_rate):
    strides = normalize_tuple(strides, rank, "strides")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate")
    if isinstance(padding, str):
        check_padding(padding)
    return strides, dilation


def grouped_conv(x, w, b=None, groups=1, strides=1, padding="valid", dilation_rate=1):
    """Convolution of channels-last ``x`` (batch, *spatial, C) in ``groups`` channel groups.

    Args:
        x: input with 1, 2 or 3 spatial axes.
        w: kernel (*kernel_size, C // groups, filters).
        b: optional bias (filters,).
        groups: number of groups (divides C and filters); 1 is an ordinary convolution.
        strides, dilation_rate: int or one per spatial axis.
        padding: "valid", "same" (TF's split) or explicit (before, after) pairs per axis.

    Returns:
        Tensor (batch, *out, filters).

    Example:
        >>> import numpy as np
        >>> grouped_conv(np.ones((1, 5, 5, 4)), np.ones((3, 3, 2, 6)), groups=2).shape
        (1, 3, 3, 6)
    """
    rank = x.ndim - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"grouped_conv: x must have 1 to 3 spatial axes (batch, *spatial, "
                         f"channels), got shape {tuple(x.shape)}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"grouped_conv: groups must be a positive int, got {groups!r}")
    strides, dilation = _check(rank, strides, padding, dilation_rate)
    fn = GroupedConv(groups, strides, padding, dilation)
    return fn(x, w) if b is None else fn(x, w, b)


def depthwise_conv(x, w, b=None, strides=1, padding="valid", dilation_rate=1):
    """Depthwise convolution: each input channel convolved with its own ``multiplier``
    filters (Keras's DepthwiseConv1D/2D), outputs ordered ``channel * multiplier + m``.

    Args:
        x: (batch, *spatial, C), 1 or 2 spatial axes.
        w: kernel (*kernel_size, C, multiplier).
        b: optional bias (C * multiplier,).
        strides, padding, dilation_rate: as :func:`grouped_conv`.

    Returns:
        Tensor (batch, *out, C * multiplier).

    Example:
        >>> import numpy as np
        >>> depthwise_conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 2))).shape
        (1, 3, 3, 6)
    """
    *kernel, channels, multiplier = w.shape
    return grouped_conv(x, reshape(w, tuple(kernel) + (1, channels * multiplier)), b,
                        groups=channels, strides=strides, padding=padding,
                        dilation_rate=dilation_rate)


def conv3d(x, w, b=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """3-D convolution of (batch, depth, height, width, C) ``x`` with a (kd, kh, kw, C //
    groups, filters) kernel (Keras's Conv3D).

    Example:
        >>> import numpy as np
        >>> conv3d(np.ones((1, 4, 4, 4, 2)), np.ones((3, 3, 3, 2, 5)), padding="same").shape
        (1, 4, 4, 4, 5)
    """
    if x.ndim != 5:
        raise ValueError(f"conv3d: x must be (batch, depth, height, width, channels), got shape "
                         f"{tuple(x.shape)}")
    return grouped_conv(x, w, b, groups, strides, padding, dilation_rate)
