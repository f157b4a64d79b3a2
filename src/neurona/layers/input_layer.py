"""Symbolic tensors for the functional API: ``Input`` -> layers -> ``Model(inputs, outputs)``.

Calling a layer on a :class:`SymbolicTensor` builds the layer for that shape and records a
:class:`Node` (layer, its symbolic inputs, its symbolic outputs). A functional model replays the
nodes in order on real tensors.
"""

import numpy as np

from .. import config
from .layer import Layer, register_layer, standardize_shape, _map_outputs


class SymbolicTensor:
    """A placeholder with a shape (batch axis None) and the node that produces it."""

    def __init__(self, shape, dtype, node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype).name
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        producer = self.node.layer.name if self.node is not None else "?"
        return f"<SymbolicTensor shape={self.shape} dtype={self.dtype} from {producer!r}>"


class Node:
    """One call of ``layer`` in a functional graph."""

    def __init__(self, layer, inputs, args, kwargs, outputs):
        self.layer = layer
        self.inputs = inputs  # a SymbolicTensor or a list/dict of them
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs

    def parents(self):
        return [t for t in _flatten(self.inputs) if t.node is not None]


def _flatten(structure):
    if isinstance(structure, SymbolicTensor):
        return [structure]
    if isinstance(structure, dict):
        return [t for v in structure.values() for t in _flatten(v)]
    if isinstance(structure, (list, tuple)):
        return [t for v in structure for t in _flatten(v)]
    return []


def call_symbolic(layer, inputs, args, training, kwargs):
    """Record ``layer(inputs)`` on symbolic tensors and return symbolic outputs."""
    shapes = _map_outputs(inputs, lambda t: t.shape)
    layer._maybe_build(shapes)
    out_shapes = layer.compute_output_shape(shapes)
    node = Node(layer, inputs, args, dict(kwargs, **({} if training is None else {"training": training})), None)
    if isinstance(out_shapes, list):
        outputs = [SymbolicTensor(s, layer.dtype, node, i) for i, s in enumerate(out_shapes)]
    else:
        outputs = SymbolicTensor(out_shapes, layer.dtype, node, 0)
    node.outputs = outputs
    layer._inbound_nodes.append(node)
    return outputs


@register_layer("InputLayer")
class InputLayer(Layer):
    """The layer behind :func:`Input`; it passes its input through."""

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
        self.shape = standardize_shape(shape, "Input shape")
        self.batch_size = batch_size
        self.output = SymbolicTensor((batch_size,) + self.shape, self.dtype, Node(self, [], (), {}, None),
                                     0, name=self.name)
        self.output.node.outputs = self.output
        self.built = True

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
