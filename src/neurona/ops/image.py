"""``keras.ops.image``: resizing and color conversion of images, differentiable.

Resizing is separable: along each spatial axis the output is a fixed linear map of the input (a
weight matrix built on the host from the interpolation kernel), so it is a product with that
matrix and its gradient is the product with the transpose. Pixels are centered at half
integers, and the kernels are JAX's (``jax.image.resize``, which Keras uses on JAX): triangle
for "bilinear", Keys' cubic with a = -0.5 for "bicubic", Lanczos of radius 3 or 5, pixel overlap
for "area", and for "nearest" the input pixel under each output pixel's center.
"""

import numpy as np

from ._missing import missing
from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, choice, real
from .dtypes import as_float, cast, to_tensor

__all__ = ["resize", "rgb_to_grayscale"]

INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
_FORMATS = ("channels_last", "channels_first")
_RADIUS = {"bilinear": 1, "bicubic": 2, "lanczos3": 3, "lanczos5": 5}


def _kernel(method, d):
    """The interpolation kernel at distances ``d >= 0``."""
    if method == "bilinear":
        return np.maximum(0.0, 1.0 - d)
    if method == "bicubic":  # Keys (1981) with a = -0.5
        near = ((1.5 * d - 2.5) * d) * d + 1.0
        far = ((-0.5 * d + 2.5) * d - 4.0) * d + 2.0
        return np.where(d >= 2.0, 0.0, np.where(d >= 1.0, far, near))
    radius = _RADIUS[method]
    safe = np.where(d > 1e-3, d, 1.0)
    value = radius * np.sin(np.pi * safe) * np.sin(np.pi * safe / radius) / (np.pi * safe) ** 2
    return np.where(d > radius, 0.0, np.where(d > 1e-3, value, 1.0))


def resize_weights(n_in, n_out, method, antialias):
    """The ``(n_out, n_in)`` matrix taking an axis of ``n_in`` pixels to ``n_out`` pixels."""
    scale = n_out / n_in
    if method == "area":  # the overlap of each output pixel's span with each input pixel
        left = np.arange(n_out) / scale
        right = left + 1.0 / scale
        weights = np.maximum(0.0, np.minimum(right[:, None], np.arange(1, n_in + 1)[None, :])
                             - np.maximum(left[:, None], np.arange(n_in)[None, :]))
    else:
        # downsampling with antialias widens the kernel into a low-pass filter
        stretch = max(1.0 / scale, 1.0) if antialias else 1.0
        centers = (np.arange(n_out) + 0.5) / scale - 0.5
        weights = _kernel(method, np.abs(centers[:, None] - np.arange(n_in)[None, :]) / stretch)
    totals = weights.sum(axis=1, keepdims=True)
    usable = np.abs(totals) > 1000.0 * np.finfo(np.float32).eps
    weights = np.where(usable, weights / np.where(totals != 0, totals, 1.0), 0.0)
    if method != "area":  # an output pixel whose center falls outside the input is 0
        inside = (centers >= -0.5) & (centers <= n_in - 0.5)
        weights = np.where(inside[:, None], weights, 0.0)
    return weights


def _nearest(n_in, n_out):
    # computed in float32, as JAX does, so the chosen pixels agree at exact halves
    return np.floor((np.arange(n_out, dtype=np.float32) + 0.5) * np.float32(n_in / n_out)
                    ).astype(np.int64)


def _aspect_window(height, width, target_h, target_w, mode):
    """(box height, box width, top, left) of the crop or padded canvas with the target's
    aspect ratio, as Keras computes them."""
    if mode == "crop":
        box_h = max(min(height, int(float(width * target_h) / target_w)), 1)
        box_w = max(min(width, int(float(height * target_w) / target_h)), 1)
        return box_h, box_w, int(float(height - box_h) / 2), int(float(width - box_w) / 2)
    box_h = max(height, int(float(width * target_h) / target_w))
    box_w = max(width, int(float(height * target_w) / target_h))
    return box_h, box_w, int(float(box_h - height) / 2), int(float(box_w - width) / 2)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Images resized to ``size = (height, width)``.

    Args:
        images: ``(height, width, channels)`` or ``(batch, height, width, channels)``
            (channels first with ``data_format="channels_first"``).
        size: the output ``(height, width)``.
        interpolation: "bilinear" (default), "nearest", "bicubic", "lanczos3", "lanczos5"
            or "area".
        antialias: low-pass filter when downsampling (widens the kernel by the scale).
        crop_to_aspect_ratio: first crop the largest centered box with the target's aspect
            ratio.
        pad_to_aspect_ratio: first pad (with ``fill_value``) to the target's aspect ratio.
        fill_mode: "constant", the only padding Keras offers here.
        fill_value: the padding value.
        data_format: "channels_last" (default) or "channels_first".

    Returns:
        The resized images, in their dtype (integer images are rounded and saturated, as
        Keras does). Differentiable in float ``images``.

    Example:
        >>> resize(np.arange(4.0).reshape(2, 2, 1), (4, 4))[..., 0].tolist()[0]
        [0.0, 0.25, 0.75, 1.0]
    """
    choice("resize", "interpolation", interpolation, INTERPOLATIONS)
    boolean("resize", "antialias", antialias)
    boolean("resize", "crop_to_aspect_ratio", crop_to_aspect_ratio)
    boolean("resize", "pad_to_aspect_ratio", pad_to_aspect_ratio)
    choice("resize", "fill_mode", fill_mode, ("constant",))
    fill_value = real("resize", "fill_value", fill_value)
    data_format = "channels_last" if data_format is None else choice(
        "resize", "data_format", data_format, _FORMATS)
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be "
                         "True")
    if len(tuple(size)) != 2 or any(int(n) < 1 for n in size):
        raise ValueError(f"resize: size must be (height, width) of positive ints, got {size!r}")
    target_h, target_w = (int(n) for n in size)
    x = to_tensor(images, owner="resize")
    if x.ndim not in (3, 4):
        raise ValueError(f"resize: images must have rank 3 (one image) or 4 (a batch), got "
                         f"shape {x.shape}")
    # spatial axes of x
    h_axis = x.ndim - 3 if data_format == "channels_last" else x.ndim - 2
    axes = (h_axis, h_axis + 1)
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        height, width = x.shape[axes[0]], x.shape[axes[1]]
        mode = "crop" if crop_to_aspect_ratio else "pad"
        box_h, box_w, top, left = _aspect_window(height, width, target_h, target_w, mode)
        if mode == "crop":
            index = [slice(None)] * x.ndim
            index[axes[0]], index[axes[1]] = slice(top, top + box_h), slice(left, left + box_w)
            x = F.getitem(x, tuple(index))
        elif top > 0 or left > 0:  # Keras pads the same amount on both sides
            widths = [(0, 0)] * x.ndim
            widths[axes[0]], widths[axes[1]] = (top, top), (left, left)
            x = F.pad(x, widths, x.dtype.type(fill_value))
    if interpolation == "nearest":
        ops = get_ops()
        for axis, n_out in zip(axes, (target_h, target_w)):
            if x.shape[axis] != n_out:
                index = [slice(None)] * x.ndim
                index[axis] = ops.asarray(_nearest(x.shape[axis], n_out))
                x = F.getitem(x, tuple(index))
        return x
    original = x.dtype
    x = as_float(x, "resize")
    for axis, n_out in zip(axes, (target_h, target_w)):
        n_in = x.shape[axis]
        if n_in == n_out:
            continue
        weights = resize_weights(n_in, n_out, interpolation, antialias)
        w = get_ops().asarray(weights.astype(x.dtype.name))
        letters = "abcd"[:x.ndim]
        spec = f"{letters},z{letters[axis]}->{letters.replace(letters[axis], 'z')}"
        x = F.einsum(spec, x, w)
    if original.kind in "iub":  # back to the images' dtype, rounded and saturated (Keras)
        info = np.iinfo(original) if original.kind != "b" else None
        values = x.ops.xp.round(x.data)
        if info is not None:
            values = x.ops.xp.clip(values, info.min, info.max)
        return Tensor(values.astype(original))
    return x


def rgb_to_grayscale(images, data_format=None):
    """RGB images to one luma channel, ``0.2989 R + 0.587 G + 0.114 B`` (ITU-R 601 weights,
    as Keras); the channel axis is kept with size 1.

    Example:
        >>> rgb_to_grayscale(np.ones((1, 1, 3))).shape
        (1, 1, 1)
    """
    data_format = "channels_last" if data_format is None else choice(
        "rgb_to_grayscale", "data_format", data_format, _FORMATS)
    x = to_tensor(images, owner="rgb_to_grayscale")
    if x.ndim not in (3, 4):
        raise ValueError(f"rgb_to_grayscale: images must have rank 3 or 4, got shape {x.shape}")
    channel = x.ndim - 1 if data_format == "channels_last" else x.ndim - 3
    if x.shape[channel] != 3:
        raise ValueError(f"rgb_to_grayscale: needs 3 color channels, got {x.shape[channel]}")
    original = x.dtype.name
    x = as_float(x, "rgb_to_grayscale")
    shape = [3 if i == channel else 1 for i in range(x.ndim)]
    weights = get_ops().asarray(np.array([0.2989, 0.5870, 0.1140], dtype=x.dtype.name)
                                .reshape(shape))
    gray = F.sum(F.multiply(x, weights), axis=channel, keepdims=True)
    return gray if original.startswith("float") else cast(gray, original)


def __getattr__(name):
    raise missing(__name__, name, __all__)

