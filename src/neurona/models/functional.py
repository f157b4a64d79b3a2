"""The graph of a functional model: the nodes between its inputs and outputs, in run order."""

from ..layers.input_layer import InputLayer
from ..layers.symbolic import SymbolicTensor, _flatten


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
        self._fused = None  # the nodes rewritten by models.fusion, made on the first trusted run
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

    def run(self, values, training, trusted=False):
        """Compute the outputs from real tensors ``values`` (one per input, in order).

        ``trusted``: the model's trusted forward (training steps, predict), whose input shapes
        were checked against the data: layers run without their per-call checks, nested models
        run trusted too, and the graph runs as rewritten by :mod:`~neurona.models.fusion`
        (the same values, up to rounding, and gradients)."""
        if trusted:
            if self._fused is None:
                from .fusion import fused_nodes

                self._fused = fused_nodes(self)
            nodes = self._fused
        else:
            nodes = self.nodes
        computed = {id(t): v for t, v in zip(self.inputs, values)}
        for node in nodes:
            if isinstance(node.layer, InputLayer):
                continue
            result = node.run(computed, training, trusted)
            for t, r in zip(_flatten(node.outputs), result if isinstance(node.outputs, list) else [result]):
                computed[id(t)] = r
        outs = [computed[id(t)] for t in self.outputs]
        if self.output_kind == "single" or len(outs) == 1:  # outputs=[y] is y, as in Keras 3
            return outs[0]
        if self.output_kind == "dict":
            return dict(zip(self.output_names, outs))
        return outs
