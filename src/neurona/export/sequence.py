"""ONNX converters of the sequence layers: Embedding (Gather), Masking, the recurrent layers
(ONNX's RNN, LSTM and GRU operators), Bidirectional, TimeDistributed and the attention layers
(MatMul and Softmax graphs).

Tensors are ``(batch, time, features)`` as in neurona; ONNX's recurrent operators take
``(time, batch, features)``, so the converters transpose around them. Gate orders differ:
Keras's LSTM kernel holds the gates i, f, c, o, ONNX's LSTM i, o, f, c; Keras's GRU and
ONNX's GRU both hold z, r, h, and Keras's ``reset_after=True`` is ONNX's
``linear_before_reset=1``.

A mask (from ``Masking`` or ``Embedding(mask_zero=True)``) changes what the layers after it
compute; a graph cannot carry it, so a model where a mask reaches another layer is refused
(the mask-producing layer itself exports, as the model's last layer).
"""

import numpy as np

from .layers import converter, input_shape, label

#: the most negative int64: a Slice end that runs to the start of a reversed axis
_BEFORE_START = np.iinfo(np.int64).min
#: activations ONNX's recurrent operators apply themselves: name -> (op, attributes)
RECURRENT_ACTIVATIONS = {
    "tanh": ("Tanh", {}), "sigmoid": ("Sigmoid", {}), "relu": ("Relu", {}),
    "linear": ("Affine", {"alpha": 1.0, "beta": 0.0}),
    "hard_sigmoid": ("HardSigmoid", {"alpha": 1.0 / 6.0, "beta": 0.5}),  # relu6(x + 3) / 6
    "softsign": ("Softsign", {}), "softplus": ("Softplus", {}), "elu": ("Elu", {"alpha": 1.0}),
}


def _numpy(variable):
    return np.asarray(variable.numpy())


def mark_masked(g, value):
    """Record that ``value`` carries a mask (see :func:`check_unmasked`)."""
    g.masked.add(value)
    return value


def check_unmasked(g, layer, inputs):
    """Refuse a layer that a mask reaches: the graph would compute it without the mask."""
    names = inputs if isinstance(inputs, list) else [inputs]
    if any(name in g.masked for name in names):
        raise ValueError(
            f"ONNX export: {label(layer)} receives a mask (from Masking or "
            "Embedding(mask_zero=True)), which an ONNX graph cannot carry, so its outputs "
            "would differ from neurona's; export the model without the mask (mask_zero=False, "
            "no Masking layer) or pad sequences so that no step is masked")


# -- embedding and masking -------------------------------------------------------------------------
@converter("Embedding")
def _embedding(g, layer, x):
    """Row ``int(x)`` of the matrix (floats truncated, as neurona does); with LoRA the matrix
    is the frozen one plus its low-rank update, folded."""
    matrix = g.constant(_numpy(layer.embeddings), f"{layer.name}_embeddings")
    indices = g.node("Cast", [x], to=g.onnx.TensorProto.INT64)
    out = g.node("Gather", [matrix, indices], axis=0)
    return mark_masked(g, out) if layer.mask_zero else out


@converter("Masking")
def _masking(g, layer, x):
    """Timesteps whose features all equal ``mask_value`` become zeros."""
    same = g.node("Equal", [x, g.constant(layer.mask_value, "mask_value")])
    differs = g.node("Cast", [g.node("Not", [same])], to=g.float_type())
    keep = g.reduce("Max", differs, [-1], keepdims=True)
    return mark_masked(g, g.node("Mul", [x, keep]))


# -- recurrent layers ------------------------------------------------------------------------------
def _reverse_time(g, x, axis=1):
    return g.node("Slice", [x, g.ints([-1], "starts"), g.ints([_BEFORE_START], "ends"),
                            g.ints([axis], "axes"), g.ints([-1], "steps")])


def _activation_attributes(layer, cell, names):
    ops, alphas, betas = [], [], []
    for name in names:
        if name not in RECURRENT_ACTIVATIONS:
            raise ValueError(f"ONNX export: {label(layer)} uses the activation {name!r} in its "
                             "cell; ONNX's recurrent operators take "
                             f"{', '.join(sorted(RECURRENT_ACTIVATIONS))}")
        op, attributes = RECURRENT_ACTIVATIONS[name]
        ops.append(op)
        alphas.append(attributes.get("alpha", 0.0))
        betas.append(attributes.get("beta", 0.0))
    out = {"activations": ops}
    if any(op in ("Affine", "HardSigmoid", "Elu") for op in ops):
        out.update(activation_alpha=alphas, activation_beta=betas)
    return out


def _cell_activations(layer, cell):
    from .layers import activation_of

    activation = activation_of(cell) or "linear"
    recurrent = cell.recurrent_activation
    if recurrent is None:
        return [activation]
    from .. import activations

    try:
        recurrent = activations.serialize(recurrent)
    except ValueError:
        raise ValueError(f"ONNX export: {label(layer)} uses an unregistered recurrent "
                         "activation, which has no ONNX converter") from None
    # ONNX's GRU takes (gates, candidate), its LSTM (gates, cell input, output)
    lstm = type(cell).__name__ == "LSTMCell"
    return [recurrent, activation, activation] if lstm else [recurrent, activation]


def _gates(matrix, order, units):
    """The gate blocks of a ``(..., gates * units)`` matrix in ``order`` (indices)."""
    return np.concatenate([matrix[..., g * units:(g + 1) * units] for g in order], axis=-1)


def _cell_weights(cell):
    """``(op, W, R, B, attributes)`` of a built-in cell in ONNX's layout (one direction)."""
    name = type(cell).__name__
    units = cell.units
    kernel, recurrent = _numpy(cell.kernel), _numpy(cell.recurrent_kernel)
    bias = None if cell.bias is None else _numpy(cell.bias)
    attributes = {}
    if name == "LSTMCell":
        op, order = "LSTM", (0, 3, 1, 2)  # Keras i, f, c, o -> ONNX i, o, f, c
    elif name == "GRUCell":
        op, order = "GRU", (0, 1, 2)  # z, r, h in both
        attributes["linear_before_reset"] = int(cell.reset_after)
    else:
        op, order = "RNN", (0,)
    w = _gates(kernel, order, units).T
    r = _gates(recurrent, order, units).T
    b = None
    if bias is not None:
        if bias.ndim == 2:  # GRU reset_after: (input bias, recurrent bias)
            b = np.concatenate([_gates(bias[0], order, units), _gates(bias[1], order, units)])
        else:
            b = np.concatenate([_gates(bias, order, units), np.zeros_like(bias)])
    return op, w[None], r[None], None if b is None else b[None], attributes


def _run_cell(g, layer, cell, x_time_major):
    """One built-in cell over ``(time, batch, features)``: ``(Y, [final states])`` with Y
    ``(time, batch, units)``."""
    from ..layers.recurrent_cells import GRUCell, LSTMCell, SimpleRNNCell

    if type(cell) not in (SimpleRNNCell, LSTMCell, GRUCell):
        raise ValueError(f"ONNX export: {label(layer)} runs the cell {type(cell).__name__}, "
                         "which is not a built-in cell (SimpleRNNCell, LSTMCell, GRUCell); "
                         "ONNX's recurrent operators hold those only")
    op, w, r, b, attributes = _cell_weights(cell)
    inputs = [x_time_major, g.constant(w, f"{cell.name}_W"), g.constant(r, f"{cell.name}_R")]
    if b is not None:
        inputs.append(g.constant(b, f"{cell.name}_B"))
    attributes.update(_activation_attributes(layer, cell, _cell_activations(layer, cell)))
    count = 3 if op == "LSTM" else 2
    outputs = g.node(op, inputs, outputs=count, hidden_size=cell.units, **attributes)
    axis = g.ints([1], "axis")
    y = g.node("Squeeze", [outputs[0], axis])  # drop the direction axis
    states = [g.node("Squeeze", [s, g.ints([0], "axis")]) for s in outputs[1:]]
    return y, states


def _cells(layer):
    from ..layers.recurrent_cells import StackedRNNCells

    cell = layer.cell
    return list(cell.cells) if isinstance(cell, StackedRNNCells) else [cell]


def recurrent_outputs(g, layer, x):
    """An RNN layer's outputs: the output alone, or ``[output, *states]`` with
    ``return_state``; stacked cells run one after the other over the whole sequence, which
    is what running them step by step computes."""
    if layer.stateful:
        raise ValueError(f"ONNX export: {label(layer)} is stateful: it carries its states from "
                         "one batch to the next, which a graph cannot hold; export a copy "
                         "with stateful=False")
    if layer.go_backwards:  # processing order: the outputs come out reversed, as in Keras
        x = _reverse_time(g, x)
    y = g.transpose(x, (1, 0, 2))
    states = []
    for cell in _cells(layer):
        y, cell_states = _run_cell(g, layer, cell, y)
        states += cell_states
    if layer.return_sequences:
        output = g.transpose(y, (1, 0, 2))
    else:  # the last cell's last output is its first final state
        output = states[-len(cell_states)]
    return [output] + states if layer.return_state else output


@converter("SimpleRNN", "LSTM", "GRU", "RNN")
def _recurrent(g, layer, x):
    return recurrent_outputs(g, layer, x)


@converter("Bidirectional")
def _bidirectional(g, layer, x):
    forward = recurrent_outputs(g, layer.forward_layer, x)
    backward = recurrent_outputs(g, layer.backward_layer, x)
    states = []
    if layer.return_state:
        states = forward[1:] + backward[1:]
        forward, backward = forward[0], backward[0]
    if layer.return_sequences:  # back to the input's time order
        backward = _reverse_time(g, backward)
    mode = layer.merge_mode
    if mode == "concat":
        merged = [g.node("Concat", [forward, backward], axis=-1)]
    elif mode == "sum":
        merged = [g.node("Add", [forward, backward])]
    elif mode == "ave":
        merged = [g.node("Mul", [g.node("Add", [forward, backward]), g.constant(0.5, "half")])]
    elif mode == "mul":
        merged = [g.node("Mul", [forward, backward])]
    else:
        merged = [forward, backward]
    outputs = merged + states
    return outputs[0] if len(outputs) == 1 else outputs


@converter("TimeDistributed")
def _time_distributed(g, layer, x):
    """The timesteps folded into the batch, the layer once, and unfolded (as neurona runs
    it)."""
    from .onnx_export import convert_layer

    shape = input_shape(layer)
    inner = tuple(shape[2:])
    if any(n is None for n in inner):
        raise ValueError(f"ONNX export: {label(layer)} needs fixed sizes after the time axis, "
                         f"got input shape {shape}")
    folded = g.node("Reshape", [x, g.ints((-1,) + inner, "shape")])
    out = convert_layer(g, layer.layer, folded)
    if isinstance(out, list):
        raise ValueError(f"ONNX export: {label(layer)} wraps a layer with several outputs")
    out_inner = tuple(layer.layer.compute_output_shape((None,) + inner)[1:])
    batch_and_time = g.node("Slice", [g.node("Shape", [x]), g.ints([0], "starts"),
                                      g.ints([2], "ends")])
    target = g.node("Concat", [batch_and_time, g.ints(out_inner, "shape")], axis=0)
    return g.node("Reshape", [out, target])


# -- attention -------------------------------------------------------------------------------------
def _attend(g, scores, value):
    return g.node("MatMul", [g.node("Softmax", [scores], axis=-1), value])


@converter("Attention", "AdditiveAttention")
def _attention(g, layer, inputs):
    """``softmax(scores(query, key)) @ value`` with the layer's scores."""
    if not isinstance(inputs, list) or len(inputs) not in (2, 3):
        raise ValueError(f"ONNX export: {label(layer)} takes [query, value] or [query, value, "
                         "key]")
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) == 3 else value
    additive = type(layer).__name__ == "AdditiveAttention"
    if layer.score_mode == "dot" and not additive:
        scores = g.node("MatMul", [query, g.transpose(key, (0, 2, 1))])
        if layer.scale is not None:
            scores = g.node("Mul", [scores, g.constant(_numpy(layer.scale), f"{layer.name}_scale")])
        return _attend(g, scores, value)
    total = g.node("Add", [g.node("Unsqueeze", [query, g.ints([2], "axis")]),
                           g.node("Unsqueeze", [key, g.ints([1], "axis")])])
    if additive:
        total = g.node("Tanh", [total])
        if layer.scale is not None:
            total = g.node("Mul", [total, g.constant(_numpy(layer.scale), f"{layer.name}_scale")])
        return _attend(g, g.reduce("Sum", total, [-1], keepdims=False), value)
    if layer.scale is not None:
        total = g.node("Mul", [total, g.constant(_numpy(layer.scale), f"{layer.name}_scale")])
    scores = g.reduce("Sum", g.node("Tanh", [total]), [-1], keepdims=False)
    weight = g.constant(_numpy(layer.concat_score_weight), f"{layer.name}_concat_score_weight")
    return _attend(g, g.node("Mul", [scores, weight]), value)


def _heads(g, dense, x, heads, dim):
    """A per-head projection ``(batch, time, features) -> (batch, heads, time, dim)``."""
    kernel = _numpy(dense.kernel)
    y = g.node("MatMul", [x, g.constant(kernel.reshape(kernel.shape[0], -1),
                                        f"{dense.name}_kernel")])
    if dense.bias is not None:
        y = g.node("Add", [y, g.constant(_numpy(dense.bias).reshape(-1), f"{dense.name}_bias")])
    y = g.node("Reshape", [y, g.ints([0, 0, heads, dim], "shape")])
    return g.transpose(y, (0, 2, 1, 3))


def _check_plain_attention(layer, query_shape):
    if len(query_shape) != 3 or layer.attention_axes not in (None, (1,), (-2,)):
        raise ValueError(f"ONNX export: {label(layer)} attends over axes "
                         f"{layer.attention_axes} of {len(query_shape)}-D inputs; the export "
                         "holds (batch, time, features) inputs attending over time")
    if layer.sliding_window is not None:
        raise ValueError(f"ONNX export: {label(layer)} uses sliding_window="
                         f"{layer.sliding_window}, a band mask the export does not build")


@converter("MultiHeadAttention", positional=True)
def _multi_head_attention(g, layer, inputs):
    """Projections per head, ``softmax(q k^T / sqrt(key_dim)) v``, the gate, the merge."""
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) > 2 else value
    _check_plain_attention(layer, input_shape(layer))
    heads = layer.num_heads
    q = _heads(g, layer.query_dense, query, heads, layer.key_dim)
    k = _heads(g, layer.key_dense, key, heads, layer.key_dim)
    v = _heads(g, layer.value_dense, value, heads, layer.value_dim)
    q = g.node("Mul", [q, g.constant(1.0 / np.sqrt(layer.key_dim), "inverse_sqrt_key_dim")])
    scores = g.node("MatMul", [q, g.transpose(k, (0, 1, 3, 2))])
    out = g.transpose(_attend(g, scores, v), (0, 2, 1, 3))  # (batch, time, heads, dim)
    if layer.gate_dense is not None:
        gate = g.transpose(_heads(g, layer.gate_dense, query, heads, layer.value_dim),
                           (0, 2, 1, 3))
        out = g.node("Mul", [out, g.node("Sigmoid", [gate])])
    merged = g.node("Reshape", [out, g.ints([0, 0, heads * layer.value_dim], "shape")])
    dense = layer.output_dense
    kernel = _numpy(dense.kernel)
    y = g.node("MatMul", [merged, g.constant(kernel.reshape(heads * layer.value_dim, -1),
                                             f"{dense.name}_kernel")])
    if dense.bias is not None:
        y = g.node("Add", [y, g.constant(_numpy(dense.bias).reshape(-1), f"{dense.name}_bias")])
    if len(dense.out_shape) > 1:
        y = g.node("Reshape", [y, g.ints([0, 0] + list(dense.out_shape), "shape")])
    return y


__all__ = ["recurrent_outputs", "RECURRENT_ACTIVATIONS", "mark_masked", "check_unmasked"]
