"""A neurona model as an ONNX graph (inference form), optionally with the run's preprocessing.

Sequential and functional models (nested ones included) convert layer by layer through
:data:`~.layers.CONVERTERS`; the batch axis stays dynamic (``batch``). A subclassed model's
``call`` is Python code, which no graph can hold: exporting one is an error.
"""

import os

import numpy as np

from ..atomic import atomic_write
from .graph import DEFAULT_OPSET, MIN_OPSET, OnnxGraph, require_onnx
from .layers import CONVERTERS, POSITIONAL, REFUSED, label
from .sequence import check_unmasked


def _is_sequential(model):
    return hasattr(model, "_stack")


def _is_functional(model):
    return getattr(model, "_graph", None) is not None


def convert_layer(g, layer, inputs):
    """The ONNX output(s) of ``layer`` applied to ``inputs`` (names)."""
    if _is_sequential(layer) or _is_functional(layer):
        return convert_model(g, layer, inputs if isinstance(inputs, list) else [inputs])
    convert = CONVERTERS.get(type(layer).__name__)
    if type(layer).__name__ in REFUSED and type(layer).__module__.startswith("neurona."):
        raise ValueError(f"ONNX export: {label(layer)} cannot be exported: "
                         f"{REFUSED[type(layer).__name__]}")
    if convert is None or not type(layer).__module__.startswith("neurona."):
        raise ValueError(f"ONNX export: {label(layer)} has no ONNX converter; layers that "
                         f"export: {', '.join(sorted(CONVERTERS))} (register one with "
                         "neurona.export.converter)")
    check_unmasked(g, layer, inputs)
    return convert(g, layer, inputs)


def convert_model(g, model, inputs):
    """The ONNX outputs of a Sequential or functional ``model`` on ``inputs`` (a list of
    names, one per model input); a single name when the model has one output."""
    if _is_sequential(model):
        if len(inputs) != 1:
            raise ValueError(f"ONNX export: Sequential {model.name!r} takes one input")
        x = inputs[0]
        for layer in model._stack:
            x = convert_layer(g, layer, x)
        return x
    if not _is_functional(model):
        raise ValueError(f"ONNX export: model {model.name!r} is a subclassed "
                         f"{type(model).__name__}; its call() is Python code, which an ONNX "
                         "graph cannot hold. Export a Sequential or functional model")
    graph = model._graph
    if len(inputs) != len(graph.inputs):
        raise ValueError(f"ONNX export: model {model.name!r} takes {len(graph.inputs)} inputs")
    computed = {id(t): name for t, name in zip(graph.inputs, inputs)}

    def substitute(structure):
        from ..layers.symbolic import SymbolicTensor

        if isinstance(structure, SymbolicTensor):
            return computed[id(structure)]
        if isinstance(structure, dict):
            return [substitute(v) for v in structure.values()]
        return [substitute(v) for v in structure]

    from ..layers.input_layer import InputLayer
    from ..layers.symbolic import SymbolicTensor

    for node in graph.nodes:
        if isinstance(node.layer, InputLayer):
            continue
        extra = {k: v for k, v in node.kwargs.items() if k != "training"}
        tensors_only = all(isinstance(a, SymbolicTensor) for a in node.args)
        positional = type(node.layer).__name__ in POSITIONAL and tensors_only
        if (node.args and not positional) or extra:
            raise ValueError(f"ONNX export: {label(node.layer)} is called with extra arguments "
                             f"{list(node.args) + sorted(extra)}, which the export does not "
                             "carry")
        inputs = substitute(node.inputs)
        if positional:
            inputs = [inputs] + [substitute(a) for a in node.args]
        result = convert_layer(g, node.layer, inputs)
        outputs = node.outputs if isinstance(node.outputs, list) else [node.outputs]
        results = result if isinstance(result, list) else [result]
        for tensor, name in zip(outputs, results):
            computed[id(tensor)] = name
    names = [computed[id(t)] for t in graph.outputs]
    return names[0] if len(names) == 1 else names


def _output_names(tensors):
    """Each output named after its layer; a layer's further outputs (an RNN's states) get
    their index: ``lstm``, ``lstm_1``, ``lstm_2``."""
    names = []
    for t in tensors:
        name = t.node.layer.name
        names.append(name if name not in names and t.index == 0 else f"{name}_{t.index}")
    return names


def model_ends(model):
    """``([(name, shape, dtype)] of the inputs, [(name, shape, dtype)] of the outputs)``."""
    if _is_sequential(model):
        shapes = model._input_shapes(), model._output_shapes()
        last = model._stack[-1].dtype if model._stack else model.dtype
        return ([("input", tuple(shapes[0][0]), model.dtype)],
                [("output", tuple(shapes[1][0]), last)])
    if _is_functional(model):
        graph = model._graph
        ins = [(t.node.layer.name, t.shape, t.dtype) for t in graph.inputs]
        out_names = graph.output_names or _output_names(graph.outputs)
        outs = [(name, t.shape, t.dtype) for name, t in zip(out_names, graph.outputs)]
        return ins, outs
    raise ValueError(f"ONNX export: model {model.name!r} is a subclassed "
                     f"{type(model).__name__}; its call() is Python code, which an ONNX graph "
                     "cannot hold. Export a Sequential or functional model")


def _signature_shapes(input_signature, expected):
    """Input shapes from Keras's ``input_signature`` (shapes or objects with ``.shape``)."""
    if input_signature is None:
        return [shape for _, shape, _ in expected]
    items = list(input_signature) if isinstance(input_signature, (list, tuple)) and \
        input_signature and not isinstance(input_signature[0], (int, type(None))) \
        else [input_signature]
    if len(items) != len(expected):
        raise ValueError(f"export: input_signature has {len(items)} entries, the model takes "
                         f"{len(expected)} inputs")
    shapes = []
    for item, (name, built, _) in zip(items, expected):
        shape = tuple(getattr(item, "shape", item))
        if len(shape) != len(built) or any(b is not None and s not in (None, b)
                                           for s, b in zip(shape, built)):
            raise ValueError(f"export: input_signature shape {shape} does not fit input "
                             f"{name!r} of shape {built}")
        shapes.append(shape)
    return shapes


def check_opset(opset_version):
    """The opset to export with (default :data:`DEFAULT_OPSET`), validated."""
    onnx = require_onnx()
    highest = onnx.defs.onnx_opset_version()
    if opset_version is None:
        return DEFAULT_OPSET
    if isinstance(opset_version, bool) or not isinstance(opset_version, int) or \
            not MIN_OPSET <= opset_version <= highest:
        raise ValueError(f"export: opset_version must be an int in [{MIN_OPSET}, {highest}] "
                         f"(this onnx package's newest), got opset_version={opset_version!r}")
    return opset_version


def build_model_proto(model, opset_version=None, input_signature=None, preprocessing=None):
    """The checked ``onnx.ModelProto`` of ``model`` (see :func:`export_onnx`)."""
    from ..models.model import Model

    if not isinstance(model, Model):
        raise TypeError(f"export: expects a neurona Model, got {model!r}")
    if not model.built:
        raise ValueError(f"export: model {model.name!r} is not built yet; build it (or run it "
                         "on data) first")
    opset = check_opset(opset_version)
    g = OnnxGraph(opset, dtype=model.dtype)
    ins, outs = model_ends(model)
    if preprocessing is not None:
        from .tabular import tabular_features, tabular_outputs

        if len(ins) != 1 or len(outs) != 1:
            raise ValueError("export: tabular preprocessing needs a model with one input and "
                             "one output")
        features = tabular_features(g, preprocessing, ins[0][1])
        result = convert_model(g, model, [features])
        tabular_outputs(g, result, preprocessing, outs[0][1])
        return g.model(model.name, doc="neurona model with its tabular preprocessing")
    elem = g.onnx.helper.np_dtype_to_tensor_dtype
    names = [g.add_input(name, elem(np.dtype(dtype)), shape)
             for (name, _, dtype), shape in zip(ins, _signature_shapes(input_signature, ins))]
    g.reserve(name for name, _, _ in outs)
    result = convert_model(g, model, names)
    results = result if isinstance(result, list) else [result]
    for value, (name, shape, dtype) in zip(results, outs):
        g.add_output(value, name, elem(np.dtype(dtype)), shape)
    return g.model(model.name)


def export_onnx(model, filepath, opset_version=None, input_signature=None, preprocessing=None):
    """Write ``model`` as an ONNX file for ONNX Runtime (servers, phones, browsers).

    The graph is the inference form: dropout, noise and augmentation removed, batch
    normalization folded into a scale and a shift, min pooling as ``-maxpool(-x)``. The batch
    axis is dynamic. With ``preprocessing`` (a run folder's record: its ``TabularEncoder``,
    target transform and decision threshold), the graph takes raw table rows, one input per
    column (numbers as double ``[batch, 1]``, categories as strings ``[batch, 1]`` in the
    encoder's text form, ``""`` for a missing one), and returns what ``neurona predict``
    returns: ``probability_<class>`` and ``predicted_<target>`` (one ``[batch]`` output each).

    Args:
        model: a built Sequential or functional model.
        filepath: the ``.onnx`` file to write (atomically).
        opset_version: the ai.onnx opset (default 17).
        input_signature: optional input shapes (one per input; tuples or objects with a
            ``.shape``), for example to fix the batch size.
        preprocessing: optional preprocessing record (``neurona.saving.load_preprocessing``).

    Returns:
        None.

    Raises:
        ValueError: a layer or activation without an ONNX converter (named), a subclassed
            model, or invalid arguments.
        ImportError: the onnx package is missing.

    Example:
        >>> model.export("model.onnx", format="onnx")  # doctest: +SKIP
    """
    proto = build_model_proto(model, opset_version, input_signature, preprocessing)
    data = proto.SerializeToString()
    atomic_write(os.fspath(filepath), lambda stream: stream.write(data))


__all__ = ["export_onnx", "build_model_proto", "convert_model", "convert_layer"]
