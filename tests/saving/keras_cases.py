"""Layer cases shared by the Keras-format and ONNX tests: ``{name: (kwargs, sample shape)}``.

Each builds the same layer in Keras 3 and in neurona (same class name, same arguments).
"""

LAYER_CASES = {
    "Dense": ({"units": 3, "activation": "tanh"}, (5,)),
    "Activation": ({"activation": "softplus"}, (5,)),
    "Reshape": ({"target_shape": (2, 3)}, (6,)),
    "Identity": ({}, (4,)),
    "Flatten": ({}, (2, 3)),
    "ReLU": ({"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}, (5,)),
    "LeakyReLU": ({"negative_slope": 0.2}, (5,)),
    "PReLU": ({}, (5,)),
    "ELU": ({"alpha": 0.7}, (5,)),
    "Softmax": ({"axis": -1}, (5,)),
    "Dropout": ({"rate": 0.3}, (5,)),
    "GaussianNoise": ({"stddev": 0.1}, (5,)),
    "GaussianDropout": ({"rate": 0.2}, (5,)),
    "AlphaDropout": ({"rate": 0.2}, (5,)),
    "SpatialDropout1D": ({"rate": 0.2}, (4, 3)),
    "SpatialDropout2D": ({"rate": 0.2}, (4, 4, 3)),
    "SpatialDropout3D": ({"rate": 0.2}, (3, 3, 3, 2)),
    "Conv1D": ({"filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}, (8, 3)),
    "Conv2D": ({"filters": 4, "kernel_size": 3, "strides": 2, "groups": 2}, (9, 9, 4)),
    "Conv2DTranspose": ({"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
                        (5, 5, 2)),
    "MaxPooling1D": ({"pool_size": 2}, (8, 3)),
    "MaxPooling2D": ({"pool_size": 2}, (6, 6, 2)),
    "AveragePooling1D": ({"pool_size": 2}, (8, 3)),
    "AveragePooling2D": ({"pool_size": 2, "strides": 1}, (6, 6, 2)),
    "GlobalMaxPooling1D": ({}, (8, 3)),
    "GlobalMaxPooling2D": ({}, (6, 6, 2)),
    "GlobalAveragePooling1D": ({}, (8, 3)),
    "GlobalAveragePooling2D": ({"keepdims": True}, (6, 6, 2)),
    "BatchNormalization": ({}, (5,)),
    "LayerNormalization": ({}, (5,)),
    "Rescaling": ({"scale": 0.5, "offset": 0.1}, (5,)),
    "Resizing": ({"height": 4, "width": 6}, (7, 5, 2)),
    "RandomFlip": ({}, (5, 5, 3)),
    "RandomRotation": ({"factor": 0.1}, (5, 5, 3)),
    "RandomZoom": ({"height_factor": 0.1}, (5, 5, 3)),
    "RandomTranslation": ({"height_factor": 0.1, "width_factor": 0.1}, (5, 5, 3)),
    "RandomContrast": ({"factor": 0.1}, (5, 5, 3)),
    "ActivityRegularization": ({"l1": 0.01}, (5,)),
    "Conv1DTranspose": ({"filters": 3, "kernel_size": 3, "strides": 2}, (5, 2)),
    "Conv3D": ({"filters": 2, "kernel_size": 2}, (4, 4, 4, 2)),
    "DepthwiseConv1D": ({"kernel_size": 3, "depth_multiplier": 2}, (7, 3)),
    "DepthwiseConv2D": ({"kernel_size": 2, "padding": "same"}, (5, 5, 3)),
    "SeparableConv1D": ({"filters": 4, "kernel_size": 3}, (7, 3)),
    "SeparableConv2D": ({"filters": 3, "kernel_size": 2, "depth_multiplier": 2}, (5, 5, 2)),
    "MaxPooling3D": ({"pool_size": 2, "strides": 1, "padding": "same"}, (3, 4, 4, 2)),
    "AveragePooling3D": ({"pool_size": 2}, (4, 4, 4, 2)),
    "GlobalMaxPooling3D": ({"keepdims": True}, (3, 3, 3, 2)),
    "GlobalAveragePooling3D": ({}, (3, 3, 3, 2)),
    "Cropping1D": ({"cropping": (1, 2)}, (7, 3)),
    "Cropping2D": ({"cropping": ((1, 0), (0, 2))}, (5, 6, 2)),
    "ZeroPadding1D": ({"padding": (1, 2)}, (4, 3)),
    "ZeroPadding2D": ({"padding": ((1, 0), (2, 1))}, (3, 3, 2)),
    "UpSampling1D": ({"size": 2}, (3, 2)),
    "UpSampling2D": ({"size": (2, 3)}, (3, 3, 2)),
    "Permute": ({"dims": (2, 1)}, (3, 4)),
    "RepeatVector": ({"n": 3}, (4,)),
    "GroupNormalization": ({"groups": 2}, (4, 6)),
    "UnitNormalization": ({}, (5,)),
    "Normalization": ({"mean": [0.5, 1.0, 2.0], "variance": [1.0, 4.0, 0.25]}, (3,)),
    "Discretization": ({"bin_boundaries": [-1.0, 0.0, 1.0]}, (4,)),
}
#: layers whose inputs are integer codes: ``{name: (kwargs, sample shape, number of codes)}``
INTEGER_CASES = {
    "CategoryEncoding": ({"num_tokens": 5, "output_mode": "multi_hot"}, (3,), 5),
    "Embedding": ({"input_dim": 7, "output_dim": 3}, (4,), 7),
}
#: layers tested through whole models (several inputs) rather than alone
MERGING = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot")


def functional_graph(lib):
    """Two named inputs, a shared layer, every merging layer, a nested Sequential and two
    outputs, written the same in Keras (``lib=keras``) and neurona."""
    L = lib.layers
    a, b = lib.Input((4,), name="a"), lib.Input((4,), name="b")
    shared = L.Dense(3, name="shared")
    sa, sb = shared(a), shared(b)
    merged = [L.Add()([sa, sb]), L.Subtract()([sa, sb]), L.Multiply()([sa, sb]),
              L.Average()([sa, sb]), L.Maximum()([sa, sb]), L.Minimum()([sa, sb]),
              L.Dot(axes=1)([sa, sb])]
    joined = L.Concatenate(name="joined")(merged)
    inner = lib.Sequential([L.Dense(5, activation="relu"), L.BatchNormalization()],
                           name="inner")
    deep = L.Dense(2, name="head")(inner(joined))
    side = L.Dense(1, activation="sigmoid", name="side")(sb)
    return lib.Model({"a": a, "b": b}, {"head": deep, "side": side})


def branching_graph(lib):
    """Branches of different depths, so that the order of model.layers is not the order the
    layers were written in."""
    L = lib.layers
    x = lib.Input((3,), name="x")
    left = L.Dense(4, name="left2")(L.Dense(4, name="left1")(x))
    right = L.Dense(4, name="right1")(x)
    deep = L.Dense(4, name="deep")(L.Add(name="add")([left, right]))
    skip = L.Dense(2, name="skip")(x)
    return lib.Model(x, L.Concatenate(name="cat")([deep, skip]))


# -- sequences and attention: whole models, built the same in both libraries -----------------------
def _sequential(lib, shape, *layers):
    return lib.Sequential([lib.Input(shape), *layers])


def _self_attention(lib, shape, layer):
    x = lib.Input(shape)
    if type(layer).__name__ == "MultiHeadAttention":
        return lib.Model(x, layer(x, x))
    query = lib.layers.Dense(shape[-1], name="query_projection")(x)
    return lib.Model(x, layer([query, x]))


def simple_rnn(lib, shape):
    return _sequential(lib, shape, lib.layers.SimpleRNN(4, return_sequences=True,
                                                        go_backwards=True))


def lstm(lib, shape):
    return _sequential(lib, shape, lib.layers.LSTM(4))


def gru(lib, shape):
    return _sequential(lib, shape, lib.layers.GRU(4, return_sequences=True))


def gru_reset_before(lib, shape):
    return _sequential(lib, shape, lib.layers.GRU(3, reset_after=False, return_state=False))


def masking(lib, shape):
    return _sequential(lib, shape, lib.layers.Masking(), lib.layers.LSTM(3,
                                                                           return_sequences=True))


def embedding_mask_zero(lib, shape):
    return _sequential(lib, shape, lib.layers.Embedding(9, 4, mask_zero=True),
                       lib.layers.GRU(3))


def rnn_simple_cell(lib, shape):
    return _sequential(lib, shape, lib.layers.RNN(lib.layers.SimpleRNNCell(3)))


def rnn_lstm_cell(lib, shape):
    return _sequential(lib, shape, lib.layers.RNN(lib.layers.LSTMCell(3),
                                                  return_sequences=True))


def rnn_gru_cell(lib, shape):
    return _sequential(lib, shape, lib.layers.RNN(lib.layers.GRUCell(3, reset_after=False)))


def stacked_cells(lib, shape):
    L = lib.layers
    return _sequential(lib, shape, L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)])))


def bidirectional(lib, shape):
    return _sequential(lib, shape, lib.layers.Bidirectional(
        lib.layers.LSTM(3, return_sequences=True)))


def bidirectional_gru(lib, shape):
    return _sequential(lib, shape, lib.layers.Bidirectional(lib.layers.GRU(3),
                                                            merge_mode="ave"))


def time_distributed(lib, shape):
    return _sequential(lib, shape, lib.layers.TimeDistributed(lib.layers.Dense(2)))


def attention(lib, shape):
    return _self_attention(lib, shape, lib.layers.Attention(use_scale=True))


def attention_concat(lib, shape):
    return _self_attention(lib, shape, lib.layers.Attention(score_mode="concat"))


def additive_attention(lib, shape):
    return _self_attention(lib, shape, lib.layers.AdditiveAttention())


def multi_head_attention(lib, shape):
    return _self_attention(lib, shape, lib.layers.MultiHeadAttention(2, 3))


#: ``{case: (model builder, sample shape, number of integer codes or None for floats)}``; the
#: layer a case tests is the part of its name before any "-"
SEQUENCE_CASES = {
    "SimpleRNN": (simple_rnn, (5, 3), None),
    "LSTM": (lstm, (6, 3), None),
    "GRU": (gru, (5, 3), None),
    "GRU-reset_before": (gru_reset_before, (5, 3), None),
    "Masking": (masking, (6, 3), None),
    "Embedding-mask_zero": (embedding_mask_zero, (6,), 9),
    "RNN": (rnn_simple_cell, (5, 3), None),
    "SimpleRNNCell": (rnn_simple_cell, (4, 2), None),
    "LSTMCell": (rnn_lstm_cell, (5, 3), None),
    "GRUCell": (rnn_gru_cell, (5, 3), None),
    "StackedRNNCells": (stacked_cells, (5, 3), None),
    "Bidirectional": (bidirectional, (5, 3), None),
    "Bidirectional-gru": (bidirectional_gru, (5, 3), None),
    "TimeDistributed": (time_distributed, (4, 3), None),
    "Attention": (attention, (4, 3), None),
    "Attention-concat": (attention_concat, (4, 3), None),
    "AdditiveAttention": (additive_attention, (4, 3), None),
    "MultiHeadAttention": (multi_head_attention, (4, 6), None),
}


def sequence_inputs(rng, shape, codes, batch=4):
    """Inputs of a sequence case: half the samples padded at the end (zeros: padding for
    Masking and for Embedding(mask_zero=True))."""
    if codes is not None:
        x = rng.integers(1, codes, size=(batch,) + shape).astype("float32")
    else:
        x = rng.normal(size=(batch,) + shape).astype("float32")
    x[: batch // 2, -2:] = 0
    return x
