"""Normalization layers: BatchNormalization and LayerNormalization (Keras's names, arguments,
defaults and semantics), each one fused node of :mod:`neurona.functions.normalization`."""

from .. import functions as F
from .. import constraints, initializers, registry, regularizers, validation
from .layer import InputSpec, Layer, register_layer

__all__ = ["BatchNormalization", "LayerNormalization"]


def _resolve_axes(owner, axes, input_shape):
    """Non-negative, sorted axes of ``input_shape``, each of known size."""
    ndim = len(input_shape)
    out = []
    for axis in axes:
        axis = validation.axis(owner, "axis", axis, ndim)
        if input_shape[axis] is None:
            raise ValueError(f"{owner}: the normalized axis {axis} of the input shape "
                             f"{tuple(input_shape)} must have a known size")
        out.append(axis)
    return sorted(set(out))


class _Normalization(Layer):
    """Validation, the gamma/beta weights and their configuration, shared by both layers."""

    def __init__(self, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint, **base):
        super().__init__(**base)
        owner = type(self).__name__
        self.epsilon = validation.real(owner, "epsilon", epsilon, 0.0)
        self.center, self.scale = bool(center), bool(scale)
        # resolved now so a misspelled name fails here, kept as given for get_config
        for getter, value in ((initializers.get, beta_initializer),
                              (initializers.get, gamma_initializer),
                              (regularizers.get, beta_regularizer),
                              (regularizers.get, gamma_regularizer),
                              (constraints.get, beta_constraint),
                              (constraints.get, gamma_constraint)):
            getter(value)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.gamma = self.beta = None

    def _build_affine(self, shape):
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, name="gamma")
        if self.center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, name="beta")

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        s = registry.serialize
        return {**super().get_config(), "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "beta_initializer": s(self.beta_initializer),
                "gamma_initializer": s(self.gamma_initializer),
                "beta_regularizer": s(self.beta_regularizer),
                "gamma_regularizer": s(self.gamma_regularizer),
                "beta_constraint": s(self.beta_constraint),
                "gamma_constraint": s(self.gamma_constraint)}


@register_layer("BatchNormalization")
class BatchNormalization(_Normalization):
    """Normalize each channel with the batch's statistics in training and with moving averages
    of them in inference, then scale by ``gamma`` and shift by ``beta``.

    In training (``fit``, or ``training=True``) the output is
    ``gamma * (x - mean(batch)) / sqrt(var(batch) + epsilon) + beta`` over every axis but
    ``axis``, with the biased variance, and the non-trainable weights move in place:
    ``moving_mean = moving_mean * momentum + mean(batch) * (1 - momentum)``, likewise
    ``moving_variance`` with the biased ``var(batch)``. In inference (``predict``, ``evaluate``,
    the default) ``moving_mean`` and ``moving_variance`` replace the batch's statistics.

    A frozen layer (``layer.trainable = False``) runs in inference mode even when called with
    ``training=True``, and its moving statistics stay fixed (Keras 3 behaviour, what fine-tuning
    a pretrained network needs).

    As the first layer (with ``input_shape``) it standardizes raw features while it learns,
    in place of a fitted scaler.

    Args:
        axis: the channel axis (features of ``(batch, features)``, -1 for channels-last images;
            1 after a channels-first convolution).
        momentum: weight of the old moving statistics, in [0, 1] (PyTorch's is ``1 -`` this).
        epsilon: added to the variance before the square root.
        center, scale: learn ``beta`` / ``gamma`` (else 0 / 1).
        beta_initializer, gamma_initializer: initializers of ``beta`` and ``gamma`` ("zeros",
            "ones").
        moving_mean_initializer, moving_variance_initializer: initializers of the moving
            statistics ("zeros", "ones").
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in ``Dense``.
        synchronized: Keras's cross-device statistics; only False (one device) is supported.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``, ``input_dim``.

    Example:
        >>> layer = BatchNormalization(epsilon=0.0)
        >>> layer(np.array([[1.0], [3.0]]), training=True).numpy().ravel().tolist()
        [-1.0, 1.0]
        >>> [round(float(v), 2) for v in layer.moving_mean.numpy()]
        [0.02]
    """

    traceable = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **base):
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **base)
        self.axis = validation.axis("BatchNormalization", "axis", axis)
        self.momentum = validation.real("BatchNormalization", "momentum", momentum, 0.0, 1.0)
        if synchronized:
            raise ValueError("BatchNormalization: synchronized=True synchronizes statistics across "
                             "devices (TensorFlow only in Keras); neurona trains on one device, "
                             "use synchronized=False")
        self.synchronized = False
        initializers.get(moving_mean_initializer)
        initializers.get(moving_variance_initializer)
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer

    def build(self, input_shape):
        (axis,) = _resolve_axes("BatchNormalization", [self.axis], input_shape)
        channels = input_shape[axis]
        self._build_affine((channels,))
        self.moving_mean = self.add_weight(shape=(channels,),
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight(shape=(channels,),
                                               initializer=self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={axis: channels})

    def call(self, inputs, training=False):
        return F.batch_norm(inputs, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                            training=bool(training) and self.trainable, momentum=self.momentum,
                            epsilon=self.epsilon, axis=self.axis)

    def get_config(self):
        s = registry.serialize
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "moving_mean_initializer": s(self.moving_mean_initializer),
                "moving_variance_initializer": s(self.moving_variance_initializer),
                "synchronized": self.synchronized}


@register_layer("LayerNormalization")
class LayerNormalization(_Normalization):
    """Normalize each sample over ``axis`` (its own mean and biased variance, the same in
    training and inference), then scale by ``gamma`` and shift by ``beta``, which span the
    normalized axes.

    Args:
        axis: an int or a list of ints, the axes to normalize over (default the last).
        epsilon: added to the variance before the square root.
        center, scale: learn ``beta`` / ``gamma`` (else 0 / 1).
        beta_initializer, gamma_initializer: initializers ("zeros", "ones").
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in ``Dense``.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``, ``input_dim``.

    Example:
        >>> LayerNormalization(epsilon=0.0)(np.array([[1.0, 3.0]])).numpy().tolist()
        [[-1.0, 1.0]]
    """

    traceable = True
    supports_masking = True  # per sample: the input mask passes through, as in Keras

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **base):
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **base)
        if isinstance(axis, (list, tuple)):
            if not axis:
                raise ValueError("LayerNormalization: axis=[] normalizes nothing; pass an int "
                                 "or a list of ints")
            self.axis = [validation.axis("LayerNormalization", "axis", a) for a in axis]
        else:
            self.axis = validation.axis("LayerNormalization", "axis", axis)

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = _resolve_axes("LayerNormalization", axes, input_shape)
        self._build_affine(tuple(input_shape[a] for a in self._axes))
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={a: input_shape[a] for a in self._axes})

    def call(self, inputs):
        return F.layer_norm(inputs, self.gamma, self.beta, axis=self._axes, epsilon=self.epsilon)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
