"""Symbolic tensors for the functional API: ``Input`` -> layers -> ``Model(inputs, outputs)``.

Calling a layer on a :class:`SymbolicTensor` builds the layer for that shape and records a
:class:`Node` (layer, its symbolic inputs, its symbolic outputs). A functional model replays the
nodes in order on real tensors. This module knows layers only by what they do (build, output
shapes), so :mod:`~neurona.layers.layer` imports it without a cycle.
"""

import numpy as np

#: the names of text dtypes; Keras calls them all "string"
_STRING_DTYPES = ("string", "str", "object")


def standardize_dtype(dtype):
    """A dtype's name: NumPy's (``"float32"``, ``"int64"``), or ``"string"`` for text (Keras's
    name: ``Input(dtype="string")`` feeds StringLookup or Hashing raw strings)."""
    if dtype is str or (isinstance(dtype, str) and dtype in _STRING_DTYPES):
        return "string"
    kind = np.dtype(dtype).kind
    return "string" if kind in "USO" else np.dtype(dtype).name


class SymbolicTensor:
    """A placeholder with a shape (batch axis None) and the node that produces it."""

    def __init__(self, shape, dtype, node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = standardize_dtype(dtype)
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
    shapes = map_structure(inputs, lambda t: t.shape)
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


def map_structure(structure, fn):
    """``fn`` applied to each item of a list, tuple or dict (one level), or to a single item."""
    if isinstance(structure, (list, tuple)):
        return [fn(o) for o in structure]
    if isinstance(structure, dict):
        return {k: fn(v) for k, v in structure.items()}
    return fn(structure)
