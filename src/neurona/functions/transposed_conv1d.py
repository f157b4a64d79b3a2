"""``conv1d_transpose``: the transposed 1-D convolution, as the 2-D one on a unit height."""

from .conv import conv2d_transpose, normalize_tuple
from .shape import reshape

__all__ = ["conv1d_transpose"]


def conv1d_transpose(x, w, b=None, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1):
    """Transposed 1-D convolution of (batch, steps, in_channels) ``x`` with Keras's
    (kernel_size, filters, in_channels) kernel.

    Args:
        x, w, b: input, kernel and optional bias (filters,).
        strides, dilation_rate: ints.
        padding: "valid" or "same".
        output_padding: None or an int smaller than ``strides``.

    Returns:
        Tensor (batch, out_steps, filters), Keras's output length.

    Example:
        >>> import numpy as np
        >>> conv1d_transpose(np.ones((2, 5, 3)), np.ones((3, 4, 3)), strides=2,
        ...                  padding="same").shape
        (2, 10, 4)
    """
    (stride,) = normalize_tuple(strides, 1, "strides")
    (dilation,) = normalize_tuple(dilation_rate, 1, "dilation_rate")
    if output_padding is not None:
        (output_padding,) = normalize_tuple(output_padding, 1, "output_padding", minimum=0)
        output_padding = (0, output_padding)
    if x.ndim != 3 or w.ndim != 3:
        raise ValueError(f"conv1d_transpose: expected x (batch, steps, channels) and a kernel "
                         f"(k, filters, channels), got {tuple(x.shape)} and {tuple(w.shape)}")
    out = conv2d_transpose(reshape(x, (x.shape[0], 1) + tuple(x.shape[1:])),
                           reshape(w, (1,) + tuple(w.shape)), b, (1, stride), padding,
                           output_padding, (1, dilation))
    return reshape(out, (out.shape[0],) + tuple(out.shape[2:]))
