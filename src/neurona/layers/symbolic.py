"""Symbolic tensors for the functional API: ``Input`` -> layers -> ``Model(inputs, outputs)``.

Calling a layer on a :class:`SymbolicTensor` builds the layer for that shape and records a
:class:`Node` (layer, its symbolic inputs, its symbolic outputs). A functional model replays the
nodes in order on real tensors. This module knows layers only by what they do (build, output
shapes), so :mod:`~neurona.layers.layer` imports it without a cycle.
"""

import numpy as np


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

    def run(self, args, training, trusted=False):
        """This call on real tensors ``args`` (shaped like ``inputs``). ``trusted``: a model's
        trusted forward, which skips the layer's per-call checks when the call has no extra
        arguments."""
        if trusted and not self.args and not self.kwargs:
            return self.layer._call_trusted(args, training)
        kwargs = dict(self.kwargs)
        kwargs.setdefault("training", training)
        return self.layer._call_eager(args, *self.args, **kwargs)


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
