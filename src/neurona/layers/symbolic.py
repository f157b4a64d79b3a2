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

    def symbolic_inputs(self):
        """Every symbolic tensor this call reads: its inputs, and those among its other
        positional and keyword arguments (``layer(targets, logits)``)."""
        return _flatten(self.inputs) + _flatten(list(self.args)) + _flatten(self.kwargs)

    def parents(self):
        return [t for t in self.symbolic_inputs() if t.node is not None]

    def run(self, computed, training, trusted=False):
        """This call on real tensors: ``computed`` maps ``id(symbolic tensor)`` to its value.
        ``trusted``: a model's trusted forward, which skips the layer's per-call checks when the
        call has no extra arguments."""
        inputs = substitute(self.inputs, computed)
        if trusted and not self.args and not self.kwargs:
            return self.layer._call_trusted(inputs, training)
        args = substitute(list(self.args), computed)
        kwargs = substitute(dict(self.kwargs), computed)
        kwargs.setdefault("training", training)
        return self.layer._call_eager(inputs, *args, **kwargs)


def substitute(structure, computed):
    """``structure`` with each symbolic tensor replaced by its value in ``computed``."""
    if isinstance(structure, SymbolicTensor):
        return computed[id(structure)]
    if isinstance(structure, dict):
        return {k: substitute(v, computed) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(substitute(v, computed) for v in structure)
    return structure


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
    spec = layer.input_spec
    if spec is not None and isinstance(inputs, SymbolicTensor):
        # the rank is known now, so a wrong one fails here, naming the layer, before any build
        # (sizes of axes are checked on real data: a symbolic axis may still be None)
        if (spec.ndim is not None and inputs.ndim != spec.ndim) or (
                spec.min_ndim is not None and inputs.ndim < spec.min_ndim):
            spec.check(layer, inputs)
    layer._maybe_build(shapes)
    extra = _flatten(list(args)) + _flatten(kwargs)
    out_shapes = (_shapes_by_running(layer, inputs, args, kwargs) if extra
                  else layer.compute_output_shape(shapes))
    node = Node(layer, inputs, tuple(args),
                dict(kwargs, **({} if training is None else {"training": training})), None)
    if isinstance(out_shapes, list):
        outputs = [SymbolicTensor(s, layer.dtype, node, i) for i, s in enumerate(out_shapes)]
    else:
        outputs = SymbolicTensor(out_shapes, layer.dtype, node, 0)
    node.outputs = outputs
    layer._inbound_nodes.append(node)
    return outputs


def _shapes_by_running(layer, inputs, args, kwargs):
    """The output shape(s) of a call whose extra arguments hold symbolic tensors: the layer
    runs once on zeros of every symbolic tensor's shape (batch of 1)."""
    from ..autograd.grad_mode import no_grad
    from ..autograd.tensor import Tensor
    from ..backend import get_ops

    xp = get_ops().xp
    zeros = {}
    for t in _flatten(inputs) + _flatten(list(args)) + _flatten(kwargs):
        dtype = t.dtype if t.dtype != "string" else "float32"
        zeros[id(t)] = Tensor(xp.zeros(tuple(1 if n is None else n for n in t.shape),
                                       dtype=dtype))
    with no_grad():
        out = layer._call_eager(substitute(inputs, zeros), *substitute(list(args), zeros),
                                **substitute(dict(kwargs), zeros))
    return map_structure(out, lambda o: (None,) + tuple(o.shape[1:]))


def map_structure(structure, fn):
    """``fn`` applied to each item of a list, tuple or dict (one level), or to a single item."""
    if isinstance(structure, (list, tuple)):
        return [fn(o) for o in structure]
    if isinstance(structure, dict):
        return {k: fn(v) for k, v in structure.items()}
    return fn(structure)
