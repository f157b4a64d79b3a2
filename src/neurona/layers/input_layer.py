"""``Input`` and the ``InputLayer`` behind it: where a functional model's graph starts."""

from .. import config, validation
from .layer import Layer, register_layer
from .symbolic import Node, SymbolicTensor


@register_layer("InputLayer")
class InputLayer(Layer):
    """The layer behind :func:`Input`; it passes its input through."""

    traceable = True

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_shape=None,
                 input_shape=None):
        if batch_shape is not None:
            batch_shape = tuple(batch_shape)
            batch_size, shape = batch_shape[0], batch_shape[1:]
        shape = shape if shape is not None else input_shape
        if shape is None:
            raise ValueError("Input: pass shape=, the shape of one sample without the batch axis "
                             "(e.g. shape=(13,))")
        super().__init__(name=name, dtype=dtype or config.floatx())
        self.shape = validation.shape("Input", "shape", shape, allow_unknown=True)
        self.batch_size = validation.integer("Input", "batch_size", batch_size, low=1,
                                             allow_none=True)
        self._output = SymbolicTensor((batch_size,) + self.shape, self.dtype,
                                      Node(self, [], (), {}, None), 0, name=self.name)
        self._output.node.outputs = self._output
        self.built = True

    @property
    def output(self):
        """The symbolic tensor this input stands for."""
        return self._output

    @property
    def input(self):
        return self._output

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {"batch_shape": [self.batch_size, *self.shape], "dtype": self.dtype, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):  # noqa: N802
    """A symbolic input of a functional model (Keras's ``keras.Input``).

    Args:
        shape: shape of one sample, without the batch axis, e.g. ``(13,)`` or ``(28, 28, 1)``.
        batch_size: optional fixed batch size.
        dtype: dtype of the input (default floatx).
        name: optional name.
        batch_shape: alternatively the full shape including the batch axis.

    Returns:
        A :class:`SymbolicTensor` to call layers on.

    Example:
        >>> inputs = Input(shape=(13,))
        >>> inputs.shape
        (None, 13)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                       batch_shape=batch_shape)
    return layer.output
