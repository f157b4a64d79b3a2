"""Record a training step's graph once, then replay it on the next batches.

Eager training rebuilds the same graph every step: each layer runs its Python, each operation
makes a :class:`Function` and a :class:`Tensor`, and ``backward`` sorts the graph again. When
the matrices are small that bookkeeping is most of the step (the tabular MLP of the speed
issue spends about a third of its step on it). A :class:`StepProgram` keeps, from recorded
steps, the list of Function types with their settings and how their inputs connect; a replay
calls the very same ``forward`` and ``backward`` methods on the new batch, in the order
:func:`~neurona.autograd.engine.backward` uses, so its results are bitwise those of eager
execution.

A program is only built when two recorded steps prove the graph static: the same Functions in
the same order, the same settings, the same wiring, and every input either a Function's output,
the very same object (a weight, a constant) or one of the batch's arrays (the step's inputs,
targets and sample weights, flattened). Anything a step computed outside Functions from its
data (a random mask drawn in Python, a cast of the labels) changes between the two recordings,
so no program is built and training stays eager.
"""

import numbers

from .engine import _topological_order, execute
from .function import recordings
from .tensor import Tensor

#: how an input of a recorded Function is found again when replaying
NODE, LEAF, CONSTANT, BATCH = "node", "leaf", "constant", "batch"


class Recording:
    """One step's Functions, in call order, with their settings taken before ``forward``.

    Args:
        batch: the step's arrays (inputs, targets, sample weights: any flat list of backend
            arrays); an input of a Function that is one of them is fed from the next batch's
            array at the same position when replaying.
    """

    def __init__(self, batch):
        self.batch = list(batch)
        self.calls = []  # (function, settings, inputs, output)

    def __enter__(self):
        if getattr(recordings, "current", None) is not None:
            raise RuntimeError("a step is already being recorded in this thread")
        recordings.current = self
        return self

    def __exit__(self, *exc):
        recordings.current = None
        return False

    def add(self, fn, settings, inputs, output):
        self.calls.append((fn, settings, inputs, output))

    def finish(self, watched, loss):
        """Note the tensors a replay must hand back (``watched``: the model's outputs, the
        loss and its parts) and the loss whose backward it runs, and the backward order
        (before ``backward`` frees the graph)."""
        #: the node that made each recorded output (the recording keeps them alive, so ids
        #: stay unique)
        self.made_by = {id(call[3]): i for i, call in enumerate(self.calls)}
        self.watched = [self.made_by.get(id(t)) for t in watched]
        self.loss_node = self.made_by.get(id(loss))
        position = {id(call[0]): i for i, call in enumerate(self.calls)}
        order = _topological_order(loss.creator) if loss.creator is not None else []
        self.backward_order = [position.get(id(fn)) for fn in order]


def build_program(first, second, leaves):
    """A :class:`StepProgram` when the two recordings ran the same static graph, else None.

    ``leaves`` are the trainable variables (their gradients are what a replay produces).
    """
    if (len(first.calls) != len(second.calls) or None in first.watched
            or first.loss_node is None or None in first.backward_order
            or (first.watched, first.loss_node, first.backward_order)
            != (second.watched, second.loss_node, second.backward_order)):
        return None
    leaf_ids = {id(v) for v in leaves}
    nodes = []
    for (fn_a, settings_a, inputs_a, _), (fn_b, settings_b, inputs_b, _) in zip(first.calls,
                                                                                second.calls):
        if type(fn_a) is not type(fn_b) or not _same_settings(settings_a, settings_b):
            return None
        sources = [_source(a, b, first, second, leaf_ids) for a, b in zip(inputs_a, inputs_b)]
        if None in sources or len(inputs_a) != len(inputs_b):
            return None
        needs = [isinstance(t, Tensor) and t.requires_grad for t in inputs_a]
        nodes.append((type(fn_a), settings_a, sources, needs))
    return StepProgram(nodes, first.watched, first.loss_node, first.backward_order, first.batch)


def _same_settings(a, b):
    return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)


def _same_value(a, b):
    """The same object, or equal plain values (numbers, strings, slices and tuples of them:
    an index such as ``(slice(None), 0)``)."""
    if a is b:
        return True
    if isinstance(a, (str, numbers.Number)) and type(a) is type(b):
        return a == b
    if isinstance(a, slice) and isinstance(b, slice):
        return all(_same_value(u, v) for u, v in ((a.start, b.start), (a.stop, b.stop),
                                                  (a.step, b.step)))
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(_same_value(u, v) for u, v in zip(a, b))
    return False


def _source(a, b, first, second, leaf_ids):
    """Where an input comes from, the same in both recordings, or None."""
    producer_a, producer_b = first.made_by.get(id(a)), second.made_by.get(id(b))
    if producer_a is not None or producer_b is not None:
        return (NODE, producer_a) if producer_a == producer_b else None
    # the batch before identity: train_on_batch may pass the very same array twice
    data_a, data_b = _data(a), _data(b)
    for k, (batch_a, batch_b) in enumerate(zip(first.batch, second.batch)):
        if data_a is batch_a and data_b is batch_b:
            return (BATCH, k)
    if a is b and getattr(a, "creator", None) is None:
        return (LEAF, a) if id(a) in leaf_ids else (CONSTANT, a)
    if isinstance(a, numbers.Number) and _same_value(a, b):  # a Python constant, made anew
        return (CONSTANT, a)
    return None


def _data(t):
    return t.data if isinstance(t, Tensor) else t


class StepProgram:
    """A recorded training step: :meth:`run` does forward, loss and backward on a new batch of
    the recorded shapes and leaves the gradients in the variables' ``grad``."""

    def __init__(self, nodes, watched, loss_node, backward_order, batch):
        self.nodes, self.watched, self.loss_node = nodes, watched, loss_node
        self.backward_order = backward_order
        #: per node, per input, where its gradient goes (see engine.execute): gradients reach
        #: the nodes that made an input and the trainable leaves, nothing else
        self.routes = [tuple(ref if wanted and kind in (NODE, LEAF) else None
                             for (kind, ref), wanted in zip(sources, needs))
                       for _, _, sources, needs in nodes]
        self.seed = None  # d loss / d loss (never written to: the engine copies gradients)
        self.signature = [(a.shape, a.dtype) for a in batch]

    def fits(self, batch):
        """True when the batch's arrays have the recorded shapes and dtypes (a last, smaller
        batch and other inputs run eagerly)."""
        if len(batch) != len(self.signature):
            return False
        for a, (shape, dtype) in zip(batch, self.signature):
            if getattr(a, "shape", None) != shape or a.dtype != dtype:
                return False
        return True

    def run(self, batch):
        """The arrays of the watched tensors for this batch; gradients accumulate into the
        variables exactly as :func:`~neurona.autograd.engine.backward` would."""
        functions, outputs = self._forward(batch)
        self._backward(functions, outputs[self.loss_node])
        return [outputs[i] for i in self.watched]

    def _forward(self, batch):
        functions, outputs = [], []
        for cls, settings, sources, needs in self.nodes:
            fn = cls.__new__(cls)
            fn.__dict__.update(settings)
            arrays, inputs = [], []
            for kind, ref in sources:
                if kind == NODE:
                    arrays.append(outputs[ref])
                    inputs.append(None)
                elif kind == LEAF:
                    arrays.append(ref.data)
                    inputs.append(ref)  # so backward can write into its gradient storage
                elif kind == CONSTANT:
                    arrays.append(_data(ref))
                    inputs.append(ref)
                else:
                    arrays.append(batch[ref])
                    inputs.append(None)
            fn.inputs, fn.needs_grad = tuple(inputs), needs
            outputs.append(fn.forward(*arrays))
            functions.append(fn)
        return functions, outputs

    def _backward(self, functions, loss):
        if self.seed is None:
            self.seed = functions[self.loss_node].xp.ones_like(loss)
        # shapes unchecked: the eager steps this program was recorded from checked them
        execute(functions, self.backward_order, self.routes, self.loss_node, self.seed)
