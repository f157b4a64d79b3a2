"""``model.summary()``: layers, output shapes and parameter counts."""

import numpy as np


def _shape_text(layer, model):
    try:
        if getattr(layer, "_inbound_nodes", None):
            outs = layer._inbound_nodes[-1].outputs
            return str(outs.shape) if not isinstance(outs, list) else str([o.shape for o in outs])
        return str(_sequential_shapes(model).get(id(layer), "?"))
    except Exception:  # a layer whose shape cannot be inferred yet
        return "?"


def _sequential_shapes(model):
    shapes = {}
    if not getattr(model, "built", False) or not hasattr(model, "_stack"):
        return shapes
    shape = model._build_input_shape
    for layer in model._stack:
        shape = layer.compute_output_shape(shape)
        shapes[id(layer)] = shape
    return shapes


def _count(weights):
    return int(sum(int(np.prod(v.shape)) for v in weights))


def _bytes(weights):
    return int(sum(int(np.prod(v.shape)) * v.data.dtype.itemsize for v in weights))


def _human(nbytes):
    for unit in ("B", "KB", "MB", "GB"):
        if nbytes < 1024 or unit == "GB":
            return f"{nbytes:.2f} {unit}" if unit != "B" else f"{nbytes} B"
        nbytes /= 1024


def print_summary(model, line_length=None, print_fn=None, expand_nested=False, show_trainable=False):
    print_fn = print_fn or print
    width = line_length or (98 if show_trainable else 86)
    cols = [0.42, 0.32, 0.26] if not show_trainable else [0.36, 0.28, 0.2, 0.16]
    stops = [int(width * sum(cols[: i + 1])) for i in range(len(cols))]

    def row(fields):
        text, start = "", 0
        for field, stop in zip(fields, stops):
            cell = str(field)
            text += cell[: stop - start - 1].ljust(stop - start)
            start = stop
        return text.rstrip()

    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    print_fn(f'Model: "{model.name}"')
    print_fn("━" * width)
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Trainable"] if show_trainable else [])
    print_fn(row(header))
    print_fn("━" * width)
    for i, layer in enumerate(layers):
        fields = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer, model),
                  f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"]
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        print_fn(row(fields))
        print_fn(("─" if i < len(layers) - 1 else "━") * width)
    weights = model.weights
    trainable, frozen = model.trainable_weights, model.non_trainable_weights
    print_fn(f" Total params: {_count(weights):,} ({_human(_bytes(weights))})")
    print_fn(f" Trainable params: {_count(trainable):,} ({_human(_bytes(trainable))})")
    print_fn(f" Non-trainable params: {_count(frozen):,} ({_human(_bytes(frozen))})")
