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
    "Conv2D": ({"filters": 4, "kernel_size": 3, "strides": 2}, (9, 9, 3)),
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
}
#: layers tested through whole models (several inputs) rather than alone
MERGING = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")


def functional_graph(lib):
    """Two named inputs, a shared layer, every merging layer, a nested Sequential and two
    outputs, written the same in Keras (``lib=keras``) and neurona."""
    L = lib.layers
    a, b = lib.Input((4,), name="a"), lib.Input((4,), name="b")
    shared = L.Dense(3, name="shared")
    sa, sb = shared(a), shared(b)
    merged = [L.Add()([sa, sb]), L.Subtract()([sa, sb]), L.Multiply()([sa, sb]),
              L.Average()([sa, sb]), L.Maximum()([sa, sb]), L.Minimum()([sa, sb])]
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
