"""The graph of a functional model: the nodes between its inputs and outputs, in run order."""

from ..layers.input_layer import InputLayer
from ..layers.symbolic import SymbolicTensor, _flatten, substitute


def _structure_list(x):
    if isinstance(x, SymbolicTensor):
        return [x], "single"
    if isinstance(x, dict):
        return list(x.values()), "dict"
    if isinstance(x, (list, tuple)) and all(isinstance(t, SymbolicTensor) for t in x):
        return list(x), "list"
    raise TypeError(f"Model inputs/outputs must be symbolic tensors from keras.Input(...) and "
                    f"layers called on them (or lists/dicts of them), got {x!r}")


class Graph:
    """Nodes reachable backwards from ``outputs``, topologically ordered from ``inputs``."""

    def __init__(self, inputs, outputs):
        self.inputs, self.input_kind = _structure_list(inputs)
        self.outputs, self.output_kind = _structure_list(outputs)
        self.input_names = list(inputs.keys()) if isinstance(inputs, dict) else None
        self.output_names = list(outputs.keys()) if isinstance(outputs, dict) else None
        for t in self.inputs:
            if t.node is None or not isinstance(t.node.layer, InputLayer):
                raise ValueError(f"Model inputs must come from keras.Input(...), got {t!r}")
        self.nodes = self._ordered_nodes()
        self._fused_pairs = None  # found on the first fused run (see pooled_convolutions)
        input_ids = {id(t) for t in self.inputs}
        for node in self.nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs) not in input_ids:
                raise ValueError(
                    f"The outputs depend on input {node.layer.name!r}, which is not in the model's "
                    f"inputs: pass it in Model(inputs=[...])"
                )

    def _ordered_nodes(self):
        order, state = [], {}
        for out in self.outputs:
            stack = [(out.node, False)]
            while stack:
                node, expanded = stack.pop()
                if expanded:
                    state[id(node)] = "done"
                    order.append(node)
                    continue
                if state.get(id(node)) is not None:
                    continue
                state[id(node)] = "open"
                stack.append((node, True))
                for parent in node.parents():
                    if state.get(id(parent.node)) is None:
                        stack.append((parent.node, False))
        return order

    def layers(self):
        """Each layer once, in the order its first node runs (InputLayers included, as Keras)."""
        seen, out = set(), []
        for node in self.nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                out.append(node.layer)
        return out

    def pooled_convolutions(self):
        """``({id(pooling node): convolution node}, {id(convolution node)})`` for each
        convolution whose output is read only by a max/min pooling it can run with as one step
        (``BaseConv.fuses_with``) and is not a model output."""
        if self._fused_pairs is None:
            readers = {}
            for node in self.nodes:
                for t in _flatten(node.inputs):
                    readers.setdefault(id(t), []).append(node)
            model_outputs = {id(t) for t in self.outputs}
            pairs = {}
            for node in self.nodes:
                fuses_with, out = getattr(node.layer, "fuses_with", None), node.outputs
                if (fuses_with is None or node.args or not isinstance(out, SymbolicTensor)
                        or id(out) in model_outputs):
                    continue
                users = readers.get(id(out), [])
                if (len(users) == 1 and users[0].inputs is out and not users[0].args
                        and fuses_with(users[0].layer)):
                    pairs[id(users[0])] = node
            self._fused_pairs = pairs, {id(node) for node in pairs.values()}
        return self._fused_pairs

    def run(self, values, training, fuse=False):
        """Compute the outputs from real tensors ``values`` (one per input, in order); with
        ``fuse``, each of :meth:`pooled_convolutions` runs with its pooling as one step (the
        same values, up to rounding, and gradients)."""
        pairs, deferred = self.pooled_convolutions() if fuse else ({}, ())
        computed = {id(t): v for t, v in zip(self.inputs, values)}
        for node in self.nodes:
            if isinstance(node.layer, InputLayer) or id(node) in deferred:
                continue
            conv = pairs.get(id(node))
            if conv is not None:
                result = conv.layer.call_then_pool(_substitute(conv.inputs, computed), node.layer)
            else:
                def lookup(t):
                    return computed[id(t)]

                args = substitute(node.inputs, lookup)
                kwargs = substitute(dict(node.kwargs), lookup)
                kwargs.setdefault("training", training)
                result = node.layer._call_eager(args, *substitute(list(node.args), lookup),
                                                **kwargs)
            for t, r in zip(_flatten(node.outputs), result if isinstance(node.outputs, list) else [result]):
                computed[id(t)] = r
        outs = [computed[id(t)] for t in self.outputs]
        if self.output_kind == "single":
            return outs[0]
        if self.output_kind == "dict":
            return dict(zip(self.output_names, outs))
        return outs


def _substitute(structure, computed):
    if isinstance(structure, SymbolicTensor):
        return computed[id(structure)]
    if isinstance(structure, dict):
        return {k: _substitute(v, computed) for k, v in structure.items()}
    return [_substitute(v, computed) for v in structure]
