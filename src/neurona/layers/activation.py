"""Activation layers: Keras's Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax, plus PyTorch's
RReLU. Each is a thin wrapper over the function of the same name in :mod:`neurona.functions`.

Every layer accepts the base keyword arguments of :class:`Layer` (``name``, ``trainable``,
``dtype``, ``input_shape``, ``input_dim``) and keeps its input's shape.
"""

from .. import activations
from .. import functions as F
from .. import registry, validation
from ..autograd.tensor import Tensor
from ..random import make_generator, layer_generator
from .layer import InputSpec, Layer, register_layer

__all__ = ["Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "RReLU"]


def _real(layer, arg, value, minimum=None, **options):
    """``value`` as a float (>= ``minimum`` when given); TypeError for a non-number, as the
    functions these layers wrap raise."""
    return validation.real(layer, arg, value, minimum, type_error=TypeError, **options)


class _SameShape(Layer):
    def compute_output_shape(self, input_shape):
        return input_shape


@register_layer("Activation")
class Activation(Layer):
    """Apply an activation function to the input.

    Args:
        activation: a name from :mod:`neurona.activations` ("relu", "sigmoid", "step", ...), a
            callable on tensors, or None (identity).

    Example:
        >>> Activation("relu")(np.array([[-1.0, 2.0]])).tolist()
        [[0.0, 2.0]]
    """

    traceable = True

    def __init__(self, activation, **base):
        super().__init__(**base)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


@register_layer("ReLU")
class ReLU(_SameShape):
    """Rectified linear unit with Keras's options: ``x`` above ``threshold`` (capped at
    ``max_value``), ``negative_slope * (x - threshold)`` below it.

    Args:
        max_value: float >= 0 or None (no cap).
        negative_slope: float >= 0.
        threshold: float >= 0.

    Example:
        >>> ReLU(max_value=6.0)(np.array([[-1.0, 3.0, 9.0]])).tolist()
        [[0.0, 3.0, 6.0]]
    """

    traceable = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **base):
        super().__init__(**base)
        self.max_value = _real("ReLU", "max_value", max_value, 0.0, allow_none=True,
                               finite=False)  # None or inf: no cap
        self.negative_slope = _real("ReLU", "negative_slope", negative_slope, 0.0)
        self.threshold = _real("ReLU", "threshold", threshold, 0.0)

    def call(self, inputs):
        return F.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                      threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


@register_layer("LeakyReLU")
class LeakyReLU(_SameShape):
    """``x`` for x > 0, ``negative_slope * x`` otherwise.

    Args:
        negative_slope: float >= 0 (Keras 3's layer default 0.3).
        alpha: the Keras 2 name of ``negative_slope``; when given it wins, as in Keras 3.

    Example:
        >>> LeakyReLU()(np.array([[-10.0, 5.0]])).tolist()
        [[-3.0, 5.0]]
    """

    traceable = True

    def __init__(self, negative_slope=0.3, *, alpha=None, **base):
        super().__init__(**base)
        if alpha is not None:
            negative_slope = alpha
        self.negative_slope = _real("LeakyReLU", "negative_slope", negative_slope, 0.0)

    def call(self, inputs):
        return F.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


@register_layer("PReLU")
class PReLU(_SameShape):
    """Parametric ReLU: ``x`` for x > 0, ``alpha * x`` otherwise, with ``alpha`` learned.

    ``alpha`` has the shape of one sample, except along ``shared_axes`` where one slope is
    shared (e.g. ``shared_axes=[1, 2]`` for one slope per channel of ``(batch, h, w, c)``).

    Args:
        alpha_initializer: initializer of the slopes (default "zeros": starts as a ReLU).
        alpha_regularizer: penalty on the slopes, or None.
        alpha_constraint: projection of the slopes after each step, or None.
        shared_axes: int or list of axes (1 = first axis after the batch) sharing one slope.

    Example:
        >>> PReLU(alpha_initializer="ones")(np.array([[-2.0, 3.0]])).tolist()
        [[-2.0, 3.0]]
    """

    traceable = True

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **base):
        super().__init__(**base)
        self.alpha_initializer = alpha_initializer
        self.alpha_regularizer = alpha_regularizer
        self.alpha_constraint = alpha_constraint
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        if shared_axes is not None:
            shared_axes = [validation.integer("PReLU", "shared_axes", a, low=1,
                                              fix="they are axes after the batch axis 0")
                           for a in shared_axes]
        self.shared_axes = shared_axes

    def build(self, input_shape):
        shared = set(self.shared_axes or ())
        if shared and max(shared) >= len(input_shape):
            raise ValueError(f"PReLU {self.name!r}: shared_axes={self.shared_axes} out of range "
                             f"for inputs of shape {tuple(input_shape)}")
        shape = [1 if i in shared else n for i, n in enumerate(input_shape) if i > 0]
        if None in shape:
            raise ValueError(f"PReLU {self.name!r}: axes of unknown size must be shared, got "
                             f"input shape {tuple(input_shape)} and shared_axes={self.shared_axes}")
        self.alpha = self.add_weight(shape=shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint, name="alpha")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={
            i: n for i, n in enumerate(input_shape) if i > 0 and i not in shared})

    def call(self, inputs):
        return F.prelu(inputs, self.alpha)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": registry.serialize(self.alpha_initializer),
                "alpha_regularizer": registry.serialize(self.alpha_regularizer),
                "alpha_constraint": registry.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


@register_layer("ELU")
class ELU(_SameShape):
    """Exponential linear unit: ``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: scale of the negative part (default 1.0).

    Example:
        >>> ELU()(np.array([[0.0, 2.0]])).tolist()
        [[0.0, 2.0]]
    """

    traceable = True

    def __init__(self, alpha=1.0, **base):
        super().__init__(**base)
        self.alpha = _real("ELU", "alpha", alpha)

    def call(self, inputs):
        return F.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


@register_layer("Softmax")
class Softmax(_SameShape):
    """Softmax along ``axis``; an optional boolean ``mask`` (True = keep) gives the masked
    positions probability 0, as Keras does.

    Args:
        axis: the axis that sums to 1 (default -1).

    Example:
        >>> Softmax()(np.array([[1.0, 1.0]])).tolist()
        [[0.5, 0.5]]
    """

    traceable = True

    def __init__(self, axis=-1, **base):
        super().__init__(**base)
        self.axis = validation.axis("Softmax", "axis", axis, type_error=TypeError)

    def call(self, inputs, mask=None):
        if mask is not None:
            xp = inputs.ops.xp
            keep = xp.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
            # a large finite negative rather than -inf: a fully masked row stays finite
            inputs = inputs + Tensor(xp.where(keep, 0, -1e9).astype(inputs.dtype))
        return F.softmax(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


@register_layer("RReLU")
class RReLU(_SameShape):
    """Randomized leaky ReLU (PyTorch's ``nn.RReLU``; not in Keras).

    In training each negative element is scaled by a slope drawn uniformly from
    ``[lower, upper]``; in inference by the mean slope ``(lower + upper) / 2``.

    Args:
        lower: smallest slope (default 1/8, as PyTorch).
        upper: largest slope (default 1/3, as PyTorch).
        seed: seed of the layer's slope generator; None draws it from the library seed.

    Example:
        >>> RReLU(lower=0.1, upper=0.3)(np.array([[-10.0, 5.0]])).tolist()
        [[-2.0, 5.0]]
    """

    traceable = True

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, seed=None, **base):
        super().__init__(**base)
        self.lower = _real("RReLU", "lower", lower, 0.0)
        self.upper = _real("RReLU", "upper", upper, self.lower)
        self.seed = validation.seed("RReLU", "seed", seed)
        self._rng = make_generator(seed)

    def call(self, inputs, training=False):
        rng = layer_generator(self._rng, seeded=self.seed is not None)
        return F.rrelu(inputs, self.lower, self.upper, training=training, rng=rng)

    def get_config(self):
        return {**super().get_config(), "lower": self.lower, "upper": self.upper,
                "seed": self.seed}
