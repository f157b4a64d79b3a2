"""Every layer and activation converter: ONNX Runtime's outputs equal neurona's within 1e-5,
with the batch axis dynamic and the graph passing onnx.checker."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import neurona as nk  # noqa: E402
from neurona.export import ACTIVATION_CONVERTERS, CONVERTERS, REFUSED, export_onnx  # noqa: E402
from neurona.export.sequence import RECURRENT_ACTIVATIONS  # noqa: E402
from neurona.layers.layer import LAYERS  # noqa: E402

from ..saving.keras_cases import LAYER_CASES, SEQUENCE_CASES, sequence_inputs  # noqa: E402

CASES = dict(LAYER_CASES, **{
    "MinPooling1D": ({"pool_size": 3, "strides": 2, "padding": "same"}, (9, 3)),
    "MinPooling2D": ({"pool_size": 2}, (6, 6, 2)),
    "RReLU": ({"lower": 0.1, "upper": 0.3}, (5,)),
})
#: layers the ONNX export cannot hold: string inputs and hashing (the lookups, Keras's
#: farmhash/SipHash, TextVectorization), Python functions (Lambda), and recurrent cells, which
#: compute one step inside the RNN layer that exports them
NOT_EXPORTABLE = {"StringLookup", "IntegerLookup", "Hashing", "HashedCrossing", "Lambda",
                  "TextVectorization", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"}
#: the sequence cases whose mask reaches a layer (refused, see test_masks_that_reach_a_layer_*)
MASKED_CASES = ("Masking", "Embedding-mask_zero")
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


def _signed(model, rng):
    """Small weights of both signs: no gate saturates, so a permuted gate shows."""
    for layer in model.layers:
        layer.set_weights([(0.6 * rng.normal(size=w.shape)).astype(w.dtype)
                           for w in layer.get_weights()])


def _input_names(path):
    return [i.name for i in ort.InferenceSession(str(path)).get_inputs()]


def _check_outputs(model, x, tmp_path, rng):
    """Export; ONNX Runtime's outputs (every one, for batches of 1 and 5) equal neurona's."""
    export_onnx(model, tmp_path / "s.onnx")
    onnx.checker.check_model(onnx.load(tmp_path / "s.onnx"), full_check=True)
    names = _input_names(tmp_path / "s.onnx")
    for batch in (1, 5):
        xs = [a[:batch] for a in (x if isinstance(x, list) else [x])]
        _, got = run_onnx(tmp_path / "s.onnx", dict(zip(names, xs)))
        want = model.predict(xs if isinstance(x, list) else xs[0], verbose=0)
        want = want if isinstance(want, list) else [want]
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", sorted(set(SEQUENCE_CASES) - set(MASKED_CASES)))
def test_sequence_layers_export_with_the_same_outputs(case, tmp_path, rng):
    builder, shape, codes = SEQUENCE_CASES[case]
    model = builder(nk, shape)
    _signed(model, rng)
    _check_outputs(model, sequence_inputs(rng, shape, codes, batch=5), tmp_path, rng)


def _sequence_model(*layers, shape=(6, 3)):
    return nk.Sequential([nk.Input(shape), *layers])


L = nk.layers
#: the arguments the recurrent, wrapper and attention converters branch on
SEQUENCE_VARIANTS = {
    "lstm-backwards-sequences": lambda: _sequence_model(L.LSTM(3, return_sequences=True,
                                                               go_backwards=True)),
    "gru-backwards-no-bias": lambda: _sequence_model(L.GRU(4, go_backwards=True,
                                                           use_bias=False)),
    "simple-rnn-relu": lambda: _sequence_model(L.SimpleRNN(3, activation="relu",
                                                           return_sequences=True)),
    "lstm-hard-sigmoid": lambda: _sequence_model(L.LSTM(3, recurrent_activation="hard_sigmoid",
                                                        unit_forget_bias=False)),
    "gru-reset-before-sequences": lambda: _sequence_model(L.GRU(3, reset_after=False,
                                                                return_sequences=True)),
    "stacked-lstms": lambda: _sequence_model(L.LSTM(4, return_sequences=True), L.LSTM(2)),
    "stacked-cells-backwards": lambda: _sequence_model(L.RNN(
        [L.SimpleRNNCell(3), L.LSTMCell(2)], go_backwards=True, return_sequences=True)),
    "bidirectional-sum": lambda: _sequence_model(L.Bidirectional(
        L.GRU(3, return_sequences=True), merge_mode="sum")),
    "bidirectional-mul": lambda: _sequence_model(L.Bidirectional(L.SimpleRNN(3),
                                                                 merge_mode="mul")),
    "time-distributed-conv": lambda: _sequence_model(
        L.TimeDistributed(L.Conv1D(2, 2, activation="relu")), L.TimeDistributed(L.Flatten()),
        shape=(3, 5, 2)),
    "embedding-lstm": lambda: _sequence_model(L.Embedding(10, 4), L.LSTM(3), shape=(6,)),
}


@pytest.mark.parametrize("variant", sorted(SEQUENCE_VARIANTS))
def test_sequence_arguments_the_converters_branch_on(variant, tmp_path, rng):
    model = SEQUENCE_VARIANTS[variant]()
    _signed(model, rng)
    shape = model._input_shapes()[0][1:]
    codes = 10 if variant.startswith("embedding") else None
    _check_outputs(model, sequence_inputs(rng, tuple(shape), codes, batch=5), tmp_path, rng)


def test_recurrent_states_and_unmerged_bidirectional_outputs_export(tmp_path, rng):
    x = nk.Input((5, 3))
    output, h, c = L.LSTM(4, return_state=True)(x)
    both = L.Bidirectional(L.GRU(2, return_sequences=True, return_state=True),
                           merge_mode=None)(x)
    model = nk.Model(x, [output, h, c] + list(both))
    _signed(model, rng)
    _check_outputs(model, rng.normal(size=(5, 5, 3)).astype("float32"), tmp_path, rng)


@pytest.mark.parametrize("options", [{"output_shape": (2, 3), "value_dim": 2},
                                     {"use_gate": True, "use_bias": False}, {"key_given": True}])
def test_multi_head_attention_variants_export(options, tmp_path, rng):
    options = dict(options)
    key_given = options.pop("key_given", False)
    query, value = nk.Input((4, 6)), nk.Input((3, 5))
    layer = L.MultiHeadAttention(2, 3, **options)
    if key_given:
        key = nk.Input((3, 4))
        model = nk.Model([query, value, key], layer(query, value, key))
    else:
        model = nk.Model([query, value], layer(query, value))
    _signed(model, rng)
    shapes = [(4, 6), (3, 5)] + ([(3, 4)] if key_given else [])
    _check_outputs(model, [rng.normal(size=(5,) + s).astype("float32") for s in shapes],
                   tmp_path, rng)


def test_attention_with_a_separate_key_exports(tmp_path, rng):
    query, value, key = nk.Input((4, 3)), nk.Input((5, 2)), nk.Input((5, 3))
    model = nk.Model([query, value, key], L.Attention(use_scale=True)([query, value, key]))
    _signed(model, rng)
    _check_outputs(model, [rng.normal(size=(5,) + s).astype("float32")
                           for s in [(4, 3), (5, 2), (5, 3)]], tmp_path, rng)


def test_embedding_with_lora_exports_the_folded_matrix(tmp_path, rng):
    layer = L.Embedding(8, 3, lora_rank=2)
    model = _sequence_model(layer, shape=(5,))
    layer.lora_embeddings_b.assign(rng.normal(size=(2, 3)).astype("float32"))
    x = rng.integers(0, 8, size=(5, 5)).astype("float32")
    _check_outputs(model, x, tmp_path, rng)


@pytest.mark.parametrize("last", [L.Masking(mask_value=0.0), L.Embedding(9, 2, mask_zero=True)])
def test_a_mask_producing_last_layer_exports_its_values(last, tmp_path, rng):
    embedding = isinstance(last, L.Embedding)
    shape = (6,) if embedding else (6, 3)
    model = _sequence_model(last, shape=shape)
    _signed(model, rng)
    x = sequence_inputs(rng, shape, 9 if embedding else None, batch=5)
    _check_outputs(model, x, tmp_path, rng)
    if not embedding:  # the padded steps are zeros
        _, (got,) = run_onnx(tmp_path / "s.onnx", {"input": x})
        assert np.all(got[:2, -2:] == 0) and np.all(got[2:] != 0)


@pytest.mark.parametrize("case", MASKED_CASES)
def test_masks_that_reach_a_layer_are_refused(case, tmp_path):
    builder, shape, _ = SEQUENCE_CASES[case]
    with pytest.raises(ValueError, match=r"receives a mask .*cannot carry"):
        export_onnx(builder(nk, shape), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("layer, match", [
    (lambda: L.LSTM(3, stateful=True), "is stateful"),
    (lambda: L.SimpleRNN(3, activation="gelu"), "activation 'gelu'"),
    (lambda: L.MultiHeadAttention(2, 3, sliding_window=2), "sliding_window=2"),
])
def test_recurrent_and_attention_settings_a_graph_cannot_hold_are_refused(layer, match,
                                                                         tmp_path):
    layer = layer()
    x = nk.Input((4, 3), batch_size=2)
    out = layer(x, x) if isinstance(layer, L.MultiHeadAttention) else layer(x)
    with pytest.raises(ValueError, match=match):
        export_onnx(nk.Model(x, out), tmp_path / "r.onnx")


def test_text_vectorization_is_refused_with_the_reason(tmp_path):
    text = L.TextVectorization(output_sequence_length=3, vocabulary=["a", "b"])
    model = nk.Sequential([nk.Input((1,), dtype="string"), text])
    with pytest.raises(ValueError, match=r"TextVectorization\) cannot be exported: .*strings"):
        export_onnx(model, tmp_path / "t.onnx")
    assert set(REFUSED) <= NOT_EXPORTABLE


@pytest.mark.parametrize("activation", sorted(RECURRENT_ACTIVATIONS))
def test_every_cell_activation_the_recurrent_operators_take_exports(activation, tmp_path, rng):
    model = _sequence_model(L.SimpleRNN(3, activation=activation, return_sequences=True),
                            L.GRU(2, recurrent_activation=activation))
    _signed(model, rng)
    _check_outputs(model, rng.normal(size=(5, 6, 3)).astype("float32"), tmp_path, rng)
