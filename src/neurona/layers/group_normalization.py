"""``GroupNormalization`` and ``UnitNormalization`` (Keras 3's arguments and results), as
differentiable compositions of :mod:`neurona.functions`."""

import numbers

from .. import constraints, initializers, regularizers, registry
from .. import functions as F
from ..validation import integer, real
from .layer import Layer, register_layer

__all__ = ["GroupNormalization", "UnitNormalization"]


def _axis_list(owner, axis):
    axes = [axis] if isinstance(axis, numbers.Integral) and not isinstance(axis, bool) else axis
    if not isinstance(axes, (list, tuple)) or not axes or not all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes):
        raise ValueError(f"{owner}: axis must be an int or a list of ints, got axis={axis!r}")
    return [int(a) for a in axes]


@register_layer("UnitNormalization")
class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm along ``axis``: ``x / max(||x||, 1e-12)``.

    Example:
        >>> UnitNormalization()(np.array([[3.0, 4.0]])).numpy().astype("float64").round(6).tolist()
        [[0.6, 0.8]]
    """

    traceable = True

    def __init__(self, axis=-1, **base):
        super().__init__(**base)
        self.axis = _axis_list("UnitNormalization", axis)

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"UnitNormalization {self.name!r}: axis {self.axis} is out of range "
                             f"for inputs of shape {tuple(input_shape)}")

    def call(self, inputs):
        squares = F.sum(F.square(inputs), axis=tuple(self.axis), keepdims=True)
        # max(sum, 1e-24) before the root: the gradient stays finite at a zero vector
        return F.divide(inputs, F.sqrt(F.maximum(squares, inputs.dtype.type(1e-24))))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


@register_layer("GroupNormalization")
class GroupNormalization(Layer):
    """Normalize groups of channels per sample (Wu and He, 2018), with Keras's arguments.

    The ``axis`` channels are split into ``groups`` groups; each sample's group is shifted to
    mean 0 and scaled to variance 1 over its channels and every other non-batch axis, then
    multiplied by ``gamma`` and shifted by ``beta`` (one per channel). ``groups=1`` is layer
    normalization over all features, ``groups=channels`` instance normalization.

    Args:
        groups: number of groups (divides the channels; -1: one group per channel).
        axis: the channel axis.
        epsilon: added to the variance.
        center, scale: learn ``beta`` / ``gamma``.
        beta_initializer: and ``gamma_initializer``, ``beta_regularizer``,
            ``gamma_regularizer``, ``beta_constraint``, ``gamma_constraint``: for the two weights.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    Example:
        >>> GroupNormalization(groups=2)(np.arange(8.0).reshape(1, 2, 4)).shape
        (1, 2, 4)
    """

    traceable = True

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **base):
        super().__init__(**base)
        self.groups = integer("GroupNormalization", "groups", groups)
        if self.groups == 0 or self.groups < -1:
            raise ValueError(f"GroupNormalization: groups must be a positive int or -1, got "
                             f"groups={groups!r}")
        self.axis = integer("GroupNormalization", "axis", axis)
        self.epsilon = real("GroupNormalization", "epsilon", epsilon, 0.0, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"GroupNormalization {self.name!r}: axis {self.axis} is not a "
                             f"feature axis of inputs {tuple(input_shape)}")
        self._axis = self.axis % ndim
        channels = input_shape[self._axis]
        if channels is None:
            raise ValueError(f"GroupNormalization {self.name!r}: the channel axis needs a known "
                             f"size, got input shape {tuple(input_shape)}")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups or channels % self.groups:
            raise ValueError(f"GroupNormalization {self.name!r}: groups={self.groups} must "
                             f"divide the {channels} channels of axis {self.axis}")
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(shape=(channels,), initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, name="gamma")
        if self.center:
            self.beta = self.add_weight(shape=(channels,), initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, name="beta")

    def call(self, inputs):
        shape = tuple(inputs.shape)
        axis, channels = self._axis, shape[self._axis]
        grouped_shape = shape[:axis] + (self.groups, channels // self.groups) + shape[axis + 1:]
        x = F.reshape(inputs, grouped_shape)
        reduce = tuple(a for a in range(1, len(grouped_shape)) if a != axis)
        mean = F.mean(x, axis=reduce, keepdims=True)
        centred = F.subtract(x, mean)
        variance = F.mean(F.square(centred), axis=reduce, keepdims=True)
        x = F.divide(centred, F.sqrt(F.add(variance, inputs.dtype.type(self.epsilon))))
        out = F.reshape(x, shape)
        channel_shape = tuple(channels if a == axis else 1 for a in range(len(shape)))
        if self.gamma is not None:
            out = F.multiply(out, F.reshape(self.gamma, channel_shape))
        if self.beta is not None:
            out = F.add(out, F.reshape(self.beta, channel_shape))
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": registry.serialize(self.beta_initializer),
                "gamma_initializer": registry.serialize(self.gamma_initializer),
                "beta_regularizer": registry.serialize(self.beta_regularizer),
                "gamma_regularizer": registry.serialize(self.gamma_regularizer),
                "beta_constraint": registry.serialize(self.beta_constraint),
                "gamma_constraint": registry.serialize(self.gamma_constraint)}
