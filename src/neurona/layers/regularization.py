"""Noise layers that regularize in training and pass their input through in inference:
Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout (Keras's names,
arguments and formulas).

Each layer draws its noise from its own generator, made at construction from ``seed`` (or from
the library seed when None). Within ``fit`` a layer built without a seed draws from the fit's
generator instead, so ``fit(..., seed=s)`` fixes every mask; a layer given a seed keeps its own.
"""

from .. import functions as F
from .. import validation
from ..functions.noise import check_rate
from ..random import layer_generator, make_generator
from .layer import InputSpec, Layer, register_layer

__all__ = ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
           "GaussianDropout", "AlphaDropout"]


class _RandomLayer(Layer):
    """Seed handling shared by the noise layers; they keep their input's shape."""

    def __init__(self, seed=None, **base):
        super().__init__(**base)
        self.seed = validation.seed(type(self).__name__, "seed", seed)
        self._rng = make_generator(seed)

    def _generator(self):
        return layer_generator(self._rng, seeded=self.seed is not None)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@register_layer("Dropout")
class Dropout(_RandomLayer):
    """Randomly set a fraction ``rate`` of the units to 0 in training, scaling the others by
    ``1 / (1 - rate)`` so the expected sum is unchanged; identity in inference.

    ``trainable`` does not affect it (it has no weights): only ``training`` does.

    Args:
        rate: fraction of the units to drop, in [0, 1).
        noise_shape: shape of the mask, broadcast to the input (None entries take the input's
            size): ``(None, 1, features)`` drops the same features at every timestep.
        seed: seed of the layer's mask generator; None draws it from the library seed.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``, ``input_dim``.

    Example:
        >>> layer = Dropout(0.5, seed=0)
        >>> layer(np.ones((2, 3))).numpy().tolist()  # inference: identity
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
        >>> set(layer(np.ones((200, 3)), training=True).numpy().ravel().tolist())
        {0.0, 2.0}
    """

    traceable = True

    def __init__(self, rate, noise_shape=None, seed=None, **base):
        super().__init__(seed=seed, **base)
        self.rate = check_rate("Dropout", rate)
        self.noise_shape = validation.shape("Dropout", "noise_shape", noise_shape,
                                            allow_unknown=True, allow_none=True)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return F.dropout(inputs, self.rate, self.noise_shape, rng=self._generator())

    def get_config(self):
        shape = None if self.noise_shape is None else list(self.noise_shape)
        return {**super().get_config(), "rate": self.rate, "noise_shape": shape}


class _SpatialDropout(_RandomLayer):
    """Dropout of whole feature maps: one draw per (sample, channel), kept at every position."""

    ndim = None  # rank of the input, batch included

    def __init__(self, rate, data_format, seed, **base):
        super().__init__(seed=seed, **base)
        name = type(self).__name__
        self.rate = check_rate(name, rate)
        validation.choice(name, "data_format", data_format,
                          (None, "channels_last", "channels_first"))
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(ndim=self.ndim)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = [1] * inputs.ndim
        shape[0] = inputs.shape[0]
        channel = 1 if self.data_format == "channels_first" else -1
        shape[channel] = inputs.shape[channel]
        return F.dropout(inputs, self.rate, tuple(shape), rng=self._generator())

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


@register_layer("SpatialDropout1D")
class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole 1-D feature maps of ``(batch, steps, channels)`` inputs: each channel of
    each sample is dropped (at every step) with probability ``rate``; identity in inference.

    Args:
        rate: fraction of the channels to drop, in [0, 1).
        seed: seed of the layer's mask generator.

    Example:
        >>> SpatialDropout1D(0.5, seed=0)(np.ones((2, 4, 3)), training=True).shape
        (2, 4, 3)
    """

    traceable = True

    ndim = 3

    def __init__(self, rate, seed=None, **base):
        super().__init__(rate, "channels_last", seed, **base)


class _SpatialDropoutND(_SpatialDropout):
    def __init__(self, rate, data_format=None, seed=None, **base):
        super().__init__(rate, data_format, seed, **base)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


@register_layer("SpatialDropout2D")
class SpatialDropout2D(_SpatialDropoutND):
    """Dropout of whole 2-D feature maps of ``(batch, rows, cols, channels)`` inputs
    (``(batch, channels, rows, cols)`` with ``data_format="channels_first"``); identity in
    inference.

    Args:
        rate: fraction of the channels to drop, in [0, 1).
        data_format: "channels_last" (default) or "channels_first".
        seed: seed of the layer's mask generator.

    Example:
        >>> SpatialDropout2D(0.5, seed=0)(np.ones((2, 4, 4, 3)), training=True).shape
        (2, 4, 4, 3)
    """

    traceable = True

    ndim = 4


@register_layer("SpatialDropout3D")
class SpatialDropout3D(_SpatialDropoutND):
    """Dropout of whole 3-D feature maps of ``(batch, d1, d2, d3, channels)`` inputs (channels
    after the batch axis with ``data_format="channels_first"``); identity in inference.

    Example:
        >>> SpatialDropout3D(0.5, seed=0)(np.ones((2, 3, 3, 3, 4)), training=True).shape
        (2, 3, 3, 3, 4)
    """

    traceable = True

    ndim = 5


@register_layer("GaussianNoise")
class GaussianNoise(_RandomLayer):
    """Add zero-centred Gaussian noise of standard deviation ``stddev`` in training (a form of
    data augmentation for real-valued inputs); identity in inference.

    Args:
        stddev: standard deviation of the noise, >= 0 (Keras also caps it at 1; no cap here).
        seed: seed of the layer's noise generator.

    Example:
        >>> GaussianNoise(0.1, seed=0)(np.zeros((2, 3))).numpy().tolist()  # inference
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """

    traceable = True

    def __init__(self, stddev, seed=None, **base):
        super().__init__(seed=seed, **base)
        self.stddev = validation.real("GaussianNoise", "stddev", stddev, low=0.0,
                                      fix="it is the noise's standard deviation")

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        return F.gaussian_noise(inputs, self.stddev, rng=self._generator())

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


@register_layer("GaussianDropout")
class GaussianDropout(_RandomLayer):
    """Multiply by 1-centred Gaussian noise of standard deviation ``sqrt(rate / (1 - rate))``
    in training (the variance of dropout with that rate, without zeros); identity in inference.

    Args:
        rate: drop probability of the equivalent dropout, in [0, 1).
        seed: seed of the layer's noise generator.

    Example:
        >>> GaussianDropout(0.2, seed=0)(np.ones((2, 3)), training=True).shape
        (2, 3)
    """

    traceable = True

    def __init__(self, rate, seed=None, **base):
        super().__init__(seed=seed, **base)
        self.rate = check_rate("GaussianDropout", rate)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return F.gaussian_dropout(inputs, self.rate, rng=self._generator())

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


@register_layer("AlphaDropout")
class AlphaDropout(_RandomLayer):
    """Dropout that keeps the mean and variance of its inputs, for self-normalizing networks
    (SELU activations, "lecun_normal" kernels): dropped units are set to SELU's negative
    saturation value and an affine map restores mean 0 and variance 1 (Keras's formulas, see
    :func:`neurona.functions.alpha_dropout`); identity in inference.

    Args:
        rate: fraction of the units to drop, in [0, 1).
        noise_shape: shape of the mask, as in :class:`Dropout`.
        seed: seed of the layer's mask generator.

    Example:
        >>> AlphaDropout(0.1, seed=0)(np.zeros((2, 3)), training=True).shape
        (2, 3)
    """

    traceable = True

    def __init__(self, rate, noise_shape=None, seed=None, **base):
        super().__init__(seed=seed, **base)
        self.rate = check_rate("AlphaDropout", rate)
        self.noise_shape = validation.shape("AlphaDropout", "noise_shape", noise_shape,
                                            allow_unknown=True, allow_none=True)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return F.alpha_dropout(inputs, self.rate, self.noise_shape, rng=self._generator())

    def get_config(self):
        shape = None if self.noise_shape is None else list(self.noise_shape)
        return {**super().get_config(), "rate": self.rate, "noise_shape": shape}
