"""Image preprocessing layers that act in training and inference alike (Keras's names and
arguments): Rescaling and Resizing.

Both are differentiable compositions of :mod:`neurona.functions`. Resizing writes the resize as
two small interpolation matrices, ``out = A @ image @ B.T`` per channel (A: output rows x input
rows, B: output columns x input columns), applied with two batched matmuls; cropping and padding
to the target aspect ratio are folded into the same matrices.
"""

import numpy as np

from .. import functions as F
from .. import validation
from ..backend import get_ops
from .augmentation import as_image_batch
from .layer import Layer, register_layer

__all__ = ["Rescaling", "Resizing"]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest")


def _scale_value(owner, arg, value):
    """A number, or a 1-D list of numbers (one per channel)."""
    if validation.is_real(value):
        return validation.real(owner, arg, value)
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if (array.ndim == 1 and array.size and array.dtype.kind in "iuf"
                and np.isfinite(array).all()):
            return [float(v) for v in array]
    raise ValueError(f"{owner}: {arg} must be a number or a list of numbers (one per channel), "
                     f"got {arg}={value!r}")


@register_layer("Rescaling")
class Rescaling(Layer):
    """Multiply the inputs by ``scale`` and add ``offset``: ``x * scale + offset``.

    Args:
        scale: a number, or a list with one number per channel (last axis).
        offset: a number, or a list with one number per channel.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    Gradients flow through it. Integer inputs (e.g. uint8 pixels) are cast to the layer's
    dtype first.

    Example:
        >>> Rescaling(1 / 127.5, offset=-1)(np.array([[0, 255]], dtype="uint8")).numpy().tolist()
        [[-1.0, 1.0]]
    """

    traceable = True

    def __init__(self, scale, offset=0.0, **base):
        super().__init__(**base)
        self.scale = _scale_value("Rescaling", "scale", scale)
        self.offset = _scale_value("Rescaling", "offset", offset)
        self._cache = {}

    def call(self, inputs):
        for arg, value in (("scale", self.scale), ("offset", self.offset)):
            if isinstance(value, list) and len(value) not in (1, inputs.shape[-1]):
                raise ValueError(f"Rescaling: {arg} has {len(value)} values but the input has "
                                 f"{inputs.shape[-1]} channels (last axis of shape "
                                 f"{tuple(inputs.shape)}); give one value per channel or a number")
        scale, offset = self._constants(inputs.dtype)
        out = F.multiply(inputs, scale)
        if self.offset != 0.0:
            out = F.add(out, offset)
        return out

    def _constants(self, dtype):
        """scale and offset as backend arrays of ``dtype``, made once per dtype (the same
        arrays every call, so a recorded training step replays)."""
        key = str(dtype)
        if key not in self._cache:
            ops = get_ops()
            self._cache[key] = (ops.asarray(np.asarray(self.scale, dtype=dtype)),
                                ops.asarray(np.asarray(self.offset, dtype=dtype)))
        return self._cache[key]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def _linear_weights(n_out, n_in, antialias):
    """(n_out, n_in) bilinear resize matrix with half-pixel centres (TF2 / PyTorch
    ``align_corners=False``); with ``antialias`` a downscale widens the triangle kernel to the
    scale so every input pixel contributes."""
    scale = n_in / n_out
    src = np.maximum((np.arange(n_out) + 0.5) * scale - 0.5, 0.0)
    if antialias and scale > 1:
        # triangle of half-width `scale` centred on each output's source point, normalised
        dist = np.abs(np.arange(n_in)[None, :] - ((np.arange(n_out) + 0.5) * scale - 0.5)[:, None])
        weights = np.maximum(0.0, 1.0 - dist / scale)
        return weights / weights.sum(axis=1, keepdims=True)
    lower = np.floor(src).astype(np.int64)
    upper = np.minimum(lower + 1, n_in - 1)
    frac = src - lower
    weights = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    np.add.at(weights, (rows, lower), 1.0 - frac)
    np.add.at(weights, (rows, upper), frac)
    return weights


def _nearest_weights(n_out, n_in):
    """(n_out, n_in) selection matrix: output i reads input floor((i + 0.5) * n_in / n_out)."""
    index = np.minimum(np.floor((np.arange(n_out) + 0.5) * (n_in / n_out)).astype(np.int64),
                       n_in - 1)
    weights = np.zeros((n_out, n_in))
    weights[np.arange(n_out), index] = 1.0
    return weights


@register_layer("Resizing")
class Resizing(Layer):
    """Resize images to ``(height, width)``.

    Input: a batch ``(batch, rows, cols, channels)`` or one image ``(rows, cols, channels)``
    (channels last).

    Args:
        height, width: output size in pixels.
        interpolation: "bilinear" (half-pixel centres, as TF2, JAX and PyTorch with
            ``align_corners=False``) or "nearest".
        crop_to_aspect_ratio: first crop the largest centred window with the target aspect
            ratio, so the image is not distorted.
        pad_to_aspect_ratio: first pad the image symmetrically with ``fill_value`` to the
            target aspect ratio instead (not together with ``crop_to_aspect_ratio``).
        fill_mode: how the padding is filled; only "constant" (Keras's only mode too).
        fill_value: the padding's value.
        antialias: when downscaling with "bilinear", average over every input pixel under the
            widened kernel instead of reading only the two nearest ones.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    Gradients flow through it (the resize is linear in the image).

    Example:
        >>> Resizing(4, 6)(np.zeros((2, 8, 8, 3))).shape
        (2, 4, 6, 3)
    """

    traceable = True

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, **base):
        super().__init__(**base)
        self.height = validation.integer("Resizing", "height", height, low=1)
        self.width = validation.integer("Resizing", "width", width, low=1)
        self.interpolation = validation.choice("Resizing", "interpolation", interpolation,
                                          RESIZE_INTERPOLATIONS)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both "
                             "be True; pick one (crop cuts the image, pad adds fill_value)")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = validation.choice("Resizing", "fill_mode", fill_mode, ("constant",))
        self.fill_value = validation.real("Resizing", "fill_value", fill_value)
        self.antialias = bool(antialias)
        self._cache = {}

    def _axis_matrix(self, n_out, n_in, n_window, start):
        """Resize matrix of one axis: the window [start, start + n_window) of the input (a crop
        when smaller than n_in, a padded frame around it when larger) onto n_out pixels."""
        if self.interpolation == "nearest":
            window = _nearest_weights(n_out, n_window)
        else:
            window = _linear_weights(n_out, n_window, self.antialias)
        if n_window <= n_in:  # crop (or the whole axis): input pixels outside get weight 0
            matrix = np.zeros((n_out, n_in))
            matrix[:, start:start + n_window] = window
            return matrix
        return window[:, start:start + n_in]  # pad: the frame's columns that hold the image

    def _matrices(self, rows, cols, dtype):
        """A (height x rows), B (width x cols) and the padding term as backend arrays, cached
        per input size and dtype (the same arrays every call: a recorded step replays)."""
        key = (rows, cols, str(dtype))
        if key not in self._cache:
            win_rows, win_cols = rows, cols
            if self.crop_to_aspect_ratio:
                win_rows = max(min(rows, int(cols * self.height / self.width)), 1)
                win_cols = max(min(cols, int(rows * self.width / self.height)), 1)
            elif self.pad_to_aspect_ratio:
                win_rows = max(rows, int(cols * self.height / self.width))
                win_cols = max(cols, int(rows * self.width / self.height))
            start_r = (abs(rows - win_rows)) // 2
            start_c = (abs(cols - win_cols)) // 2
            a = self._axis_matrix(self.height, rows, win_rows, start_r)
            b = self._axis_matrix(self.width, cols, win_cols, start_c)
            # padding pixels hold fill_value; rows of the frame's matrices sum to 1, so their
            # share of each output is 1 - (A 1)(B 1)^T
            pad = None
            if win_rows > rows or win_cols > cols:
                pad = self.fill_value * (1.0 - np.outer(a.sum(axis=1), b.sum(axis=1)))
                pad = pad[None, :, :, None]
            ops = get_ops()
            self._cache[key] = tuple(None if m is None else ops.asarray(m.astype(dtype))
                                     for m in (a, b, pad))
        return self._cache[key]

    def call(self, inputs):
        images, single = as_image_batch("Resizing", inputs)
        n, rows, cols, channels = images.shape
        a, b, pad = self._matrices(rows, cols, images.dtype)
        x = F.reshape(inputs, (n, rows, cols * channels))
        x = F.matmul(a, x)  # (n, height, cols * channels)
        x = F.reshape(x, (n * self.height, cols, channels))
        x = F.matmul(b, x)  # (n * height, width, channels)
        x = F.reshape(x, (n, self.height, self.width, channels))
        if pad is not None:
            x = F.add(x, pad)
        return F.reshape(x, (self.height, self.width, channels)) if single else x

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) not in (3, 4):
            raise ValueError(f"Resizing: expected images of shape (batch, height, width, "
                             f"channels) or (height, width, channels), got shape {shape}")
        return shape[:-3] + (self.height, self.width, shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}
