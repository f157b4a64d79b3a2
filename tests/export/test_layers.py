"""Every layer and activation converter: ONNX Runtime's outputs equal neurona's within 1e-5,
with the batch axis dynamic and the graph passing onnx.checker."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import neurona as nk  # noqa: E402
from neurona.export import ACTIVATION_CONVERTERS, CONVERTERS, export_onnx  # noqa: E402
from neurona.layers.layer import LAYERS  # noqa: E402

from ..saving.keras_cases import LAYER_CASES  # noqa: E402

CASES = dict(LAYER_CASES, **{
    "MinPooling1D": ({"pool_size": 3, "strides": 2, "padding": "same"}, (9, 3)),
    "MinPooling2D": ({"pool_size": 2}, (6, 6, 2)),
    "RReLU": ({"lower": 0.1, "upper": 0.3}, (5,)),
})
#: layers the ONNX export cannot hold: string inputs and hashing (the lookups, Keras's
#: farmhash/SipHash), and Python functions (Lambda)
NOT_EXPORTABLE = {"StringLookup", "IntegerLookup", "Hashing", "HashedCrossing", "Lambda"}
#: more arguments of the layers whose converters branch on them
VARIANTS = [
    ("Conv1D", {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, (9, 2)),
    ("Conv1D", {"filters": 3, "kernel_size": 4, "strides": 3, "padding": "same"}, (10, 2)),
    ("Conv2D", {"filters": 2, "kernel_size": (3, 2), "padding": "same", "strides": (2, 1),
                "activation": "relu"}, (7, 6, 3)),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "use_bias": False}, (8, 8, 1)),
    ("Conv2D", {"filters": 2, "kernel_size": 2, "data_format": "channels_first"}, (3, 5, 5)),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "groups": 2, "activation": "relu"}, (6, 6, 4)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2}, (4, 4, 3)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 2, "strides": 3}, (3, 3, 1)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                         "output_padding": 1}, (4, 5, 2)),
    ("Conv2DTranspose", {"filters": 1, "kernel_size": 4, "strides": 2, "padding": "same"},
     (3, 3, 2)),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (7, 6, 2)),
    ("AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (7, 6, 2)),
    ("AveragePooling1D", {"pool_size": 3, "padding": "same"}, (7, 2)),
    ("MaxPooling2D", {"pool_size": 2, "data_format": "channels_first"}, (2, 6, 6)),
    ("GlobalMaxPooling2D", {"keepdims": True}, (4, 4, 3)),
    ("BatchNormalization", {"axis": 1, "center": False}, (3, 4, 2)),
    ("LayerNormalization", {"axis": [1, 2], "scale": False}, (3, 4)),
    ("PReLU", {"shared_axes": [1, 2]}, (4, 4, 3)),
    ("ReLU", {"negative_slope": 0.3}, (5,)),
    ("ReLU", {"max_value": 1.0}, (5,)),
    ("Softmax", {"axis": 1}, (3, 4)),
    ("Flatten", {"data_format": "channels_first"}, (2, 3, 4)),
    ("Reshape", {"target_shape": (-1, 2)}, (3, 4)),
    ("Resizing", {"height": 3, "width": 8, "interpolation": "nearest"}, (5, 5, 1)),
    ("Resizing", {"height": 4, "width": 4, "crop_to_aspect_ratio": True}, (6, 8, 2)),
    ("Resizing", {"height": 4, "width": 4, "pad_to_aspect_ratio": True, "fill_value": 1.0},
     (6, 8, 2)),
    ("Rescaling", {"scale": [0.5, 2.0], "offset": [1.0, -1.0]}, (3, 2)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
     (4, 3)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"}, (5, 4, 3, 2)),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 3, "strides": 2}, (7, 6, 2)),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 3, "padding": "same",
                         "activation": "relu"}, (5, 5, 3)),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, (3, 4, 2)),
    ("UpSampling2D", {"size": 2, "data_format": "channels_first"}, (2, 3, 3)),
    ("Cropping2D", {"cropping": 1, "data_format": "channels_first"}, (2, 5, 5)),
    ("ZeroPadding1D", {"padding": 3}, (3, 2)),
    ("GroupNormalization", {"groups": 3, "axis": 1, "center": False}, (6, 4)),
    ("UnitNormalization", {"axis": [1, 2]}, (3, 4)),
    ("Normalization", {"axis": None, "mean": 1.0, "variance": 9.0, "invert": True}, (4,)),
    ("Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": "count"}, (5,)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4)),
]


def _randomize(model, rng):
    for layer in model.layers:
        layer.set_weights([np.abs(rng.normal(size=w.shape)).astype(w.dtype) + 0.5
                           for w in layer.get_weights()])


def run_onnx(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session, session.run(None, feeds)


def _check(model, shape, tmp_path, rng, randomize=True):
    if randomize:
        _randomize(model, rng)
    export_onnx(model, tmp_path / "m.onnx")
    onnx.checker.check_model(onnx.load(tmp_path / "m.onnx"), full_check=True)
    for batch in (1, 7):  # the batch axis is dynamic
        x = rng.normal(size=(batch,) + shape).astype("float32")
        _, (got,) = run_onnx(tmp_path / "m.onnx", {"input": x})
        want = model.predict(x, verbose=0)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_layer_exports_with_the_same_outputs(name, tmp_path, rng):
    kwargs, shape = CASES[name]
    _check(nk.Sequential([nk.Input(shape), getattr(nk.layers, name)(**kwargs)]), shape,
           tmp_path, rng)


@pytest.mark.parametrize("name, kwargs, shape", VARIANTS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(VARIANTS)])
def test_layer_arguments_the_converters_branch_on(name, kwargs, shape, tmp_path, rng):
    _check(nk.Sequential([nk.Input(shape), getattr(nk.layers, name)(**kwargs)]), shape,
           tmp_path, rng)


@pytest.mark.parametrize("mode", ["multi_hot", "count", "one_hot"])
def test_category_encoding_exports(mode, tmp_path, rng):
    shape = (1,) if mode == "one_hot" else (3,)
    model = nk.Sequential([nk.Input(shape), nk.layers.CategoryEncoding(5, output_mode=mode)])
    export_onnx(model, tmp_path / "c.onnx")
    x = rng.integers(0, 5, size=(6,) + shape).astype("float32")
    _, (got,) = run_onnx(tmp_path / "c.onnx", {"input": x})
    np.testing.assert_array_equal(got, model.predict(x, verbose=0))


@pytest.mark.parametrize("axes, shapes", [(1, [(4,), (4,)]), ((2, 2), [(3, 4), (5, 4)]),
                                          ((1, 2), [(4, 3), (2, 4)])])
def test_dot_exports(axes, shapes, tmp_path, rng):
    a, b = nk.Input(shapes[0]), nk.Input(shapes[1])
    model = nk.Model([a, b], nk.layers.Dot(axes, normalize=axes == 1)([a, b]))
    export_onnx(model, tmp_path / "d.onnx")
    x = [rng.normal(size=(3,) + s).astype("float32") for s in shapes]
    _, (got,) = run_onnx(tmp_path / "d.onnx", dict(zip(
        [i.name for i in ort.InferenceSession(str(tmp_path / "d.onnx")).get_inputs()], x)))
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", sorted(ACTIVATION_CONVERTERS))
def test_each_activation_exports(activation, tmp_path, rng):
    dense = nk.layers.Dense(4, activation=activation if activation != "crelu" else None)
    model = nk.Sequential([nk.Input((6,)), dense, nk.layers.Activation(activation)])
    _check(model, (6,), tmp_path, rng, randomize=False)  # exp(exp(.)) of large weights overflows


def test_every_layer_and_activation_has_a_converter():
    from neurona.activations import ACTIVATIONS

    models = {"Model", "Functional", "Sequential"}
    builtin = {name for name, cls in LAYERS._entries.items()
               if cls.__module__.startswith("neurona.") and name == cls.__name__}
    assert builtin - models - NOT_EXPORTABLE <= set(CONVERTERS)
    assert set(ACTIVATIONS.names()) <= set(ACTIVATION_CONVERTERS) | {"linear"}
