"""``ActivityRegularization``: a penalty on the activations that pass through."""

from .. import regularizers
from ..validation import real
from .layer import Layer, register_layer

__all__ = ["ActivityRegularization"]


@register_layer("ActivityRegularization")
class ActivityRegularization(Layer):
    """Pass the input through and add ``(l1 * sum|x| + l2 * sum x^2) / batch`` to the training
    loss (divided by the batch size, as Keras 3 does for activity penalties).

    Args:
        l1, l2: the factors (>= 0).
        **base: ``name``, ``dtype``, ``input_shape``, ...

    Example:
        >>> layer = ActivityRegularization(l1=0.1)
        >>> _ = layer(np.array([[1.0, -2.0]]))
        >>> round(float(layer.losses[0]), 6)
        0.3
    """

    def __init__(self, l1=0.0, l2=0.0, **base):
        super().__init__(**base)
        self.l1 = real("ActivityRegularization", "l1", l1, 0.0)
        self.l2 = real("ActivityRegularization", "l2", l2, 0.0)
        self._penalty = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def call(self, inputs):
        self.add_loss(self._penalty(inputs) / inputs.shape[0])
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
