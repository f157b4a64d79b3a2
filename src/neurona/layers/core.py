"""Core layers: Dense, Flatten, Reshape, Identity."""

import numpy as np

from .. import constraints, initializers, regularizers, registry, validation
from .. import functions as F
from ..functions.affine import FUSED_ACTIVATIONS
from .layer import InputSpec, Layer, register_layer


def _activation(identifier):
    from .. import activations

    fn = activations.get(identifier)
    return fn, activations.serialize(fn)


def add_kernel_and_bias(layer, kernel_shape, units):
    """Create ``layer.kernel`` and (when ``layer.use_bias``) ``layer.bias`` from the layer's
    kernel_/bias_ initializer, regularizer and constraint attributes (Dense, Conv...)."""
    layer.kernel = layer.add_weight(shape=kernel_shape, initializer=layer.kernel_initializer,
                                    regularizer=layer.kernel_regularizer,
                                    constraint=layer.kernel_constraint, name="kernel")
    layer.bias = None
    if layer.use_bias:
        layer.bias = layer.add_weight(shape=(units,), initializer=layer.bias_initializer,
                                      regularizer=layer.bias_regularizer,
                                      constraint=layer.bias_constraint, name="bias")


@register_layer("Dense")
class Dense(Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: number of outputs.
        activation: name or callable; default none ("linear").
        use_bias: add a bias vector.
        kernel_initializer, bias_initializer: initializers ("glorot_uniform", "zeros").
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
        kernel_constraint, bias_constraint: projections applied after each optimizer step.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``, ``input_dim``.

    Inputs of shape ``(batch, ..., features)`` give ``(batch, ..., units)``.

    Example:
        >>> layer = Dense(3, activation="relu")
        >>> layer(np.ones((2, 4))).shape
        (2, 3)
    """

    traceable = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **base):
        super().__init__(**base)
        self.units = validation.integer("Dense", "units", units, low=1)
        self.activation, self._activation_name = _activation(activation)
        # relu/tanh/linear run inside the fused node; sigmoid/softmax stay separate nodes so the
        # output keeps its logits for an exact cross-entropy
        self._fused = self._activation_name if self._activation_name in FUSED_ACTIVATIONS and \
            self._activation_name != "sigmoid" else None
        self.use_bias = bool(use_bias)
        # resolved now, so a misspelled name fails at construction, not at build
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense layer {self.name!r} needs a known last input dimension, "
                             f"got input shape {input_shape}")
        add_kernel_and_bias(self, (in_dim, self.units), self.units)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})

    def call(self, inputs):
        if self._fused is not None:
            out = F.dense(inputs, self.kernel, self.bias, activation=self._fused)
        else:
            out = self.activation(F.dense(inputs, self.kernel, self.bias))
        if self.activity_regularizer is not None:
            # divided by the batch size so the strength does not depend on it (as tf.keras)
            self.add_loss(self.activity_regularizer(out) / out.shape[0])
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self._activation_name,
                "use_bias": self.use_bias,
                "kernel_initializer": registry.serialize(self.kernel_initializer),
                "bias_initializer": registry.serialize(self.bias_initializer),
                "kernel_regularizer": registry.serialize(self.kernel_regularizer),
                "bias_regularizer": registry.serialize(self.bias_regularizer),
                "activity_regularizer": registry.serialize(self.activity_regularizer),
                "kernel_constraint": registry.serialize(self.kernel_constraint),
                "bias_constraint": registry.serialize(self.bias_constraint)}


@register_layer("Flatten")
class Flatten(Layer):
    """Flatten every axis but the batch axis: ``(batch, a, b) -> (batch, a*b)``."""

    traceable = True

    def __init__(self, data_format=None, **base):
        super().__init__(**base)
        self.data_format = validation.choice("Flatten", "data_format", data_format,
                                             (None, "channels_last", "channels_first"))

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = F.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        return F.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(n is None for n in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


@register_layer("Reshape")
class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one entry may be -1)."""

    traceable = True

    def __init__(self, target_shape, **base):
        super().__init__(**base)
        target = validation.shape("Reshape", "target_shape", target_shape, low=-1)
        if sum(n == -1 for n in target) > 1 or 0 in target:
            raise ValueError(f"Reshape: target_shape must be sizes >= 1 with at most one -1 (the "
                             f"size inferred), got target_shape={target_shape!r}")
        self.target_shape = target

    def _resolve(self, sample_shape):
        size = int(np.prod(sample_shape, dtype=np.int64))
        known = int(np.prod([n for n in self.target_shape if n != -1], dtype=np.int64))
        target = tuple(size // known if n == -1 else n for n in self.target_shape)
        if int(np.prod(target, dtype=np.int64)) != size or (-1 in self.target_shape and size % known):
            raise ValueError(f"Reshape {self.name!r}: cannot reshape samples of shape "
                             f"{tuple(sample_shape)} ({size} values) to {self.target_shape}")
        return target

    def call(self, inputs):
        return F.reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        if any(n is None for n in input_shape[1:]):
            return (input_shape[0],) + self.target_shape
        return (input_shape[0],) + self._resolve(input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


@register_layer("Identity")
class Identity(Layer):
    """Return the input unchanged (a placeholder in architectures)."""

    traceable = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
