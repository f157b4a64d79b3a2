"""Random image augmentation layers (Keras's names, arguments and semantics): RandomFlip,
RandomRotation, RandomZoom, RandomTranslation and RandomContrast.

Images are channels-last, a batch ``(batch, height, width, channels)`` or a single image
``(height, width, channels)``. Each layer transforms its input only when called with
``training=True`` (as ``fit`` does) and passes it through unchanged in inference. Every image of
a batch gets its own random draw; the numbers come from the layer's NumPy generator (its
``seed``, else the library seed) and, within ``fit``, from the fit's generator for a layer
built without a seed, as for :class:`~neurona.layers.Dropout`.

The geometric layers build one 2 x 3 matrix per image that maps each output pixel ``(x, y, 1)``
(x = column, y = row) to the input point it reads, and hand the whole batch to
:func:`affine_transform`: a vectorised nearest/bilinear sampler that gathers with computed
indices (no Python loop over pixels or images). The sampler is plain array code outside the
autograd graph, so RandomRotation, RandomZoom and RandomTranslation return a tensor that does
not require a gradient: place them before any trainable layer, as augmentation always is.
RandomFlip and RandomContrast compose differentiable functions.
"""

import numpy as np

from .. import functions as F
from .. import validation
from ..validation import is_real
from ..autograd.tensor import Tensor
from ..backend import get_ops
from .layer import register_layer
from .regularization import _RandomLayer

__all__ = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast"]

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")
FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


# -- argument checks -----------------------------------------------------------------------------
def factor_range(owner, arg, factor, low=-1.0, high=1.0, meaning=""):
    """Keras's factor rule: a number f means (-|f|, |f|) (clipped at ``low``), a pair
    (a, b) means (min, max); every value must lie in [low, high]."""
    fix = (f"; pass a number in [{low:g}, {high:g}] or a pair of them, e.g. {arg}=0.1 or "
           f"{arg}=(-0.1, 0.2){meaning}")
    if is_real(factor):
        if not low <= factor <= high:
            raise ValueError(f"{owner}: {arg}={factor!r} is out of range{fix}")
        f = abs(float(factor))
        return max(-f, low), f
    if isinstance(factor, (tuple, list)) and len(factor) == 2 and all(map(is_real, factor)):
        if not all(low <= f <= high for f in factor):
            raise ValueError(f"{owner}: {arg}={factor!r} is out of range{fix}")
        a, b = sorted(float(f) for f in factor)
        return a, b
    raise ValueError(f"{owner}: {arg} must be a number or a pair of numbers, got "
                     f"{arg}={factor!r}{fix}")


def _plain(value):
    """A factor as JSON-friendly config: tuples become lists."""
    return list(value) if isinstance(value, tuple) else value


def as_image_batch(owner, x):
    """The array of ``x`` as a 4-D batch, and whether it was a single 3-D image."""
    data = x.data if isinstance(x, Tensor) else x
    if data.ndim == 4:
        return data, False
    if data.ndim == 3:
        return data[None], True
    raise ValueError(f"{owner}: expected images of shape (batch, height, width, channels) or "
                     f"(height, width, channels), got shape {tuple(data.shape)}")


# -- the sampler ---------------------------------------------------------------------------------
def _fix_indices(index, size, fill_mode):
    """Integer tap positions brought inside [0, size) by ``fill_mode``, and (for "constant")
    which taps fell inside. reflect: (d c b a | a b c d | d c b a); wrap: (a b c d | a b c d);
    nearest: (a a | a b c d | d d); constant: taps outside read ``fill_value``."""
    xp = get_ops().xp
    if fill_mode == "reflect":
        m = index % (2 * size)
        return xp.where(m >= size, 2 * size - 1 - m, m), None
    if fill_mode == "wrap":
        return index % size, None
    clipped = xp.clip(index, 0, size - 1)
    if fill_mode == "nearest":
        return clipped, None
    return clipped, (index >= 0) & (index < size)


def _taps(coord, size, interpolation, fill_mode):
    """[(index, weight, valid)] along one axis: one tap for nearest, two for bilinear."""
    xp = get_ops().xp
    if interpolation == "nearest":
        index = xp.floor(coord + 0.5).astype(np.int64)  # round half up, as scipy's order 0
        return [(*_fix_indices(index, size, fill_mode), None)]
    lower = xp.floor(coord)
    upper_weight = coord - lower
    lower = lower.astype(np.int64)
    taps = []
    for index, weight in ((lower, 1 - upper_weight), (lower + 1, upper_weight)):
        fixed, valid = _fix_indices(index, size, fill_mode)
        taps.append((fixed, valid, weight))
    return taps


def affine_transform(images, matrices, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0):
    """Resample each image of a batch through its own affine map.

    Args:
        images: backend array of shape (batch, height, width, channels), floating.
        matrices: array of shape (batch, 2, 3); row ``[a0, a1, a2]`` / ``[b0, b1, b2]`` maps the
            output pixel (x = column, y = row) to the input point
            ``(a0 x + a1 y + a2, b0 x + b1 y + b2)`` it reads (Keras's ``affine_transform``
            convention, inverse of the visible motion).
        interpolation: "bilinear" or "nearest".
        fill_mode: how points outside the input are read: "constant", "reflect", "wrap" or
            "nearest" (see :class:`RandomRotation`).
        fill_value: the value read outside the input with ``fill_mode="constant"``.

    Returns:
        A backend array of the images' shape and dtype (no gradient is recorded).

    Example:
        >>> shift_right = np.array([[[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]])
        >>> affine_transform(np.arange(3.0).reshape(1, 1, 3, 1), shift_right)[0, 0, :, 0]
        array([0., 0., 1.])
    """
    validation.choice("affine_transform", "interpolation", interpolation, INTERPOLATIONS)
    validation.choice("affine_transform", "fill_mode", fill_mode, FILL_MODES)
    ops = get_ops()
    xp = ops.xp
    images = ops.asarray(images)
    n, height, width, _ = images.shape
    dtype = images.dtype if images.dtype.kind == "f" else np.dtype("float32")
    m = ops.asarray(np.asarray(ops.to_numpy(matrices), dtype=dtype).reshape(n, 2, 3, 1, 1))
    cols = xp.arange(width, dtype=dtype)[None, :]
    rows = xp.arange(height, dtype=dtype)[:, None]
    src_x = m[:, 0, 0] * cols + m[:, 0, 1] * rows + m[:, 0, 2]  # (batch, height, width)
    src_y = m[:, 1, 0] * cols + m[:, 1, 1] * rows + m[:, 1, 2]
    batch = xp.arange(n)[:, None, None]
    out = xp.zeros(images.shape, dtype=dtype)
    fill = dtype.type(fill_value)
    for iy, valid_y, wy in _taps(src_y, height, interpolation, fill_mode):
        for ix, valid_x, wx in _taps(src_x, width, interpolation, fill_mode):
            values = images[batch, iy, ix].astype(dtype, copy=False)  # one gather per tap
            if fill_mode == "constant":
                values = xp.where((valid_y & valid_x)[..., None], values, fill)
            if wy is None:
                out += values
            else:
                out += (wy * wx)[..., None] * values
    return out


class _AffineLayer(_RandomLayer):
    """Fill mode, interpolation and the resampling step shared by rotation, zoom and shift;
    a subclass draws its matrices in ``_matrices(rng, n, height, width)``."""

    def __init__(self, fill_mode, interpolation, seed, fill_value, **base):
        super().__init__(seed=seed, **base)
        owner = type(self).__name__
        self.fill_mode = validation.choice(owner, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = validation.choice(owner, "interpolation", interpolation,
                                               INTERPOLATIONS)
        self.fill_value = validation.real(owner, "fill_value", fill_value)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        images, single = as_image_batch(type(self).__name__, inputs)
        n, height, width, _ = images.shape
        matrices = self._matrices(self._generator(), n, height, width)
        out = affine_transform(images, matrices, self.interpolation, self.fill_mode,
                               self.fill_value)
        return Tensor(out[0] if single else out)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


def _stack_matrices(n, *entries):
    """(n, 2, 3) float64 matrices from six entries [a0, a1, a2, b0, b1, b2], each a number or
    an array of n values."""
    rows = [np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for v in entries]
    return np.stack(rows, axis=1).reshape(n, 2, 3)


@register_layer("RandomRotation")
class RandomRotation(_AffineLayer):
    """Rotate each image by a random angle about its centre in training; identity in inference.

    Args:
        factor: fraction of a full turn: a number f draws angles in ``[-f, f] * 360°``, a pair
            ``(a, b)`` in ``[a, b] * 360°``; values in [-1, 1]. Positive angles rotate
            counter-clockwise (as the image is displayed, row 0 at the top).
        fill_mode: how the corners that come from outside the image are filled:
            "reflect" ``(d c b a | a b c d | d c b a)``, "wrap" ``(a b c d | a b c d)``,
            "constant" (``fill_value``) or "nearest" ``(a a | a b c d | d d)``.
        interpolation: "bilinear" or "nearest".
        seed: seed of the layer's generator; None draws it from the library seed.
        fill_value: value of the points outside the input with ``fill_mode="constant"``.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    The output carries no gradient (see the module docstring).

    Example:
        >>> image = np.arange(9.0).reshape(3, 3, 1)
        >>> quarter = RandomRotation((0.25, 0.25), seed=0)(image, training=True)
        >>> np.allclose(quarter.numpy()[..., 0], np.rot90(image[..., 0]))
        True
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **base):
        super().__init__(fill_mode, interpolation, seed, fill_value, **base)
        self.factor = factor_range("RandomRotation", "factor", factor,
                                   meaning=" (fractions of a full turn)")

    def _matrices(self, rng, n, height, width):
        angle = rng.uniform(self.factor[0], self.factor[1], size=n) * 2 * np.pi
        cos, sin = np.cos(angle), np.sin(angle)
        # rotate about the centre ((width - 1) / 2, (height - 1) / 2): the offsets keep it fixed
        x_offset = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2
        y_offset = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2
        return _stack_matrices(n, cos, -sin, x_offset, sin, cos, y_offset)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


@register_layer("RandomZoom")
class RandomZoom(_AffineLayer):
    """Zoom each image in or out about its centre by a random amount in training; identity in
    inference.

    Args:
        height_factor: vertical zoom as a fraction: a number f draws from ``[-f, f]``, a pair
            ``(a, b)`` from ``[a, b]``; values in [-1, 1]. Positive values zoom out (the
            content shrinks), negative values zoom in: 0.2 shows a 20% taller region.
        width_factor: the same horizontally; None (default) zooms both axes by the height's
            draw, keeping the aspect ratio.
        fill_mode, interpolation, seed, fill_value: as in :class:`RandomRotation`.

    Example:
        >>> out = RandomZoom((-0.5, -0.5), seed=0)(np.ones((2, 8, 8, 3)), training=True)
        >>> out.shape
        (2, 8, 8, 3)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **base):
        super().__init__(fill_mode, interpolation, seed, fill_value, **base)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = factor_range("RandomZoom", "height_factor",
                                                            height_factor)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_range("RandomZoom", "width_factor",
                                                              width_factor)

    def _matrices(self, rng, n, height, width):
        zoom_y = 1.0 + rng.uniform(self.height_lower, self.height_upper, size=n)
        zoom_x = (zoom_y if self.width_factor is None
                  else 1.0 + rng.uniform(self.width_lower, self.width_upper, size=n))
        # scale the sampling grid about the image centre
        return _stack_matrices(n, zoom_x, 0.0, (width - 1) / 2 * (1 - zoom_x),
                               0.0, zoom_y, (height - 1) / 2 * (1 - zoom_y))

    def get_config(self):
        return {**super().get_config(), "height_factor": _plain(self.height_factor),
                "width_factor": _plain(self.width_factor)}


@register_layer("RandomTranslation")
class RandomTranslation(_AffineLayer):
    """Shift each image by a random fraction of its height and width in training; identity in
    inference.

    Args:
        height_factor: vertical shift as a fraction of the height: a number f draws from
            ``[-f, f]``, a pair ``(a, b)`` from ``[a, b]``; values in [-1, 1]. Positive values
            shift the content down, negative up.
        width_factor: horizontal shift as a fraction of the width; positive shifts right.
        fill_mode, interpolation, seed, fill_value: as in :class:`RandomRotation`.

    Example:
        >>> image = np.arange(4.0).reshape(1, 4, 1)
        >>> layer = RandomTranslation(0.0, (0.25, 0.25), fill_mode="constant", seed=0)
        >>> layer(image, training=True).numpy()[0, :, 0].tolist()
        [0.0, 0.0, 1.0, 2.0]
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **base):
        super().__init__(fill_mode, interpolation, seed, fill_value, **base)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = factor_range("RandomTranslation",
                                                            "height_factor", height_factor)
        self.width_lower, self.width_upper = factor_range("RandomTranslation", "width_factor",
                                                          width_factor)

    def _matrices(self, rng, n, height, width):
        dy = rng.uniform(self.height_lower, self.height_upper, size=n) * height
        dx = rng.uniform(self.width_lower, self.width_upper, size=n) * width
        return _stack_matrices(n, 1.0, 0.0, -dx, 0.0, 1.0, -dy)  # output (x, y) reads (x-dx, y-dy)

    def get_config(self):
        return {**super().get_config(), "height_factor": _plain(self.height_factor),
                "width_factor": _plain(self.width_factor)}


@register_layer("RandomFlip")
class RandomFlip(_RandomLayer):
    """Flip each image left-right and/or upside down with probability 1/2 in training;
    identity in inference.

    Args:
        mode: "horizontal" (left-right), "vertical" (upside down) or
            "horizontal_and_vertical" (default): each of the two flips is drawn on its own, so
            an image comes out in one of four orientations. (Keras 3 draws one coin for both,
            giving only the identity or a half turn.)
        seed: seed of the layer's generator; None draws it from the library seed.

    Gradients flow through it (a flip only moves values).

    Example:
        >>> x = np.arange(6.0).reshape(1, 2, 3, 1)
        >>> out = RandomFlip("horizontal", seed=0)(x, training=True).numpy()
        >>> any(np.array_equal(out, y) for y in (x, x[:, :, ::-1]))
        True
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, **base):
        super().__init__(seed=seed, **base)
        self.mode = validation.choice("RandomFlip", "mode", mode, FLIP_MODES)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        images, single = as_image_batch("RandomFlip", inputs)
        x = F.reshape(inputs, images.shape) if single else inputs
        rng = self._generator()
        axes = {"horizontal": (2,), "vertical": (1,), "horizontal_and_vertical": (2, 1)}[self.mode]
        for axis in axes:
            flips = rng.random(images.shape[0]) < 0.5
            index = [slice(None)] * 4
            index[axis] = slice(None, None, -1)
            mask = get_ops().asarray(flips.reshape(-1, 1, 1, 1))
            x = F.where(mask, F.getitem(x, tuple(index)), x)
        return F.reshape(x, images.shape[1:]) if single else x

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@register_layer("RandomContrast")
class RandomContrast(_RandomLayer):
    """Scale each image's deviation from its per-channel mean by a random factor in training,
    ``(x - mean) * c + mean``, then clip to ``value_range``; identity in inference.

    Args:
        factor: a number f in [0, 1] draws ``c`` from ``[1 - f, 1 + f]``; a pair ``(a, b)``
            draws from ``[1 - a, 1 + b]``.
        value_range: ``(low, high)`` range of the pixel values; the output is clipped to it
            (default (0, 255); use (0, 1) for images scaled to [0, 1]).
        seed: seed of the layer's generator; None draws it from the library seed.

    The mean is taken over height and width, per image and channel, so an unclipped output
    keeps every channel's mean. Gradients flow through it.

    Example:
        >>> x = np.array([[[0.2], [0.6]], [[0.4], [0.4]]])
        >>> out = RandomContrast(0.5, value_range=(0, 1), seed=0)(x, training=True).numpy()
        >>> round(float(out.mean()), 6)
        0.4
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **base):
        super().__init__(seed=seed, **base)
        meaning = " (the contrast is drawn from [1 - a, 1 + b])"
        bounds = factor_range("RandomContrast", "factor", factor, 0.0, 1.0, meaning)
        # one number f means [1 - f, 1 + f], as Keras documents
        self.factor = (float(factor), float(factor)) if is_real(factor) else bounds
        if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
                or not all(map(is_real, value_range)) or not value_range[0] < value_range[1]):
            raise ValueError(f"RandomContrast: value_range must be a pair (low, high) with "
                             f"low < high, e.g. (0, 255) or (0, 1), got "
                             f"value_range={value_range!r}")
        self.value_range = (float(value_range[0]), float(value_range[1]))

    def call(self, inputs, training=False):
        if not training:
            return inputs
        images, single = as_image_batch("RandomContrast", inputs)
        shape = (1, 1, 1) if single else (images.shape[0], 1, 1, 1)
        c = self._generator().uniform(1 - self.factor[0], 1 + self.factor[1], size=shape)
        c = get_ops().asarray(c.astype(images.dtype))
        mean = F.mean(inputs, axis=(-3, -2), keepdims=True)
        out = (inputs - mean) * c + mean
        return F.clip(out, *self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}
