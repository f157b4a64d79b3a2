"""Model files: round trips (bitwise), resumable training, atomic writes, and every kind of
defective or malicious file raising ModelFileError."""

import hashlib
import io
import json
import os
import pickle
import struct
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
import safetensors.numpy as st

import neurona as keras
from neurona import layers
from neurona.layers import LAYERS, register_layer
from neurona.saving import ModelFileError, archive
from neurona.saving.safetensors_format import encode_safetensors, read_safetensors


# -- helpers --------------------------------------------------------------------------------------
def _data(n=32, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    y = (x @ rng.standard_normal((d, 1)) + 0.1).astype("float32")
    return x, y


def _mlp(name=None):
    return keras.Sequential([layers.Dense(8, activation="relu", input_shape=[3], name="hidden"),
                             layers.Dense(1, name="out")], name=name)


def _trained(tmp_path, name="model.neurona"):
    x, y = _data()
    model = _mlp()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    path = tmp_path / name
    model.save(path)
    return model, path


def _entries(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write_zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def _rewrite(src, dst, edit_config=None, edit_tensors=None, weights=None):
    """Copy a good archive with an edited config/tensors and VALID checksums (so only the edit
    is wrong)."""
    entries = _entries(src)
    config = json.loads(entries["config.json"])
    tensors = st.load(entries["model.safetensors"])
    if edit_tensors:
        edit_tensors(tensors)
    data = weights if weights is not None else encode_safetensors(tensors)
    config["metadata"]["sha256"]["model.safetensors"] = hashlib.sha256(data).hexdigest()
    if edit_config:
        edit_config(config)
    return _write_zip(dst, {"config.json": json.dumps(config), "model.safetensors": data})


def _same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(x.dtype == y.dtype and np.array_equal(x, y)
                                      for x, y in zip(wa, wb))


# -- round trips ----------------------------------------------------------------------------------
def test_sequential_round_trip_is_bitwise_and_restores_compile_state(tmp_path):
    model, path = _trained(tmp_path)
    x, _ = _data(10, seed=1)
    restored = keras.models.load_model(path)
    assert type(restored) is keras.Sequential
    assert np.array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))
    assert _same_weights(model, restored)
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    assert restored.get_config() == model.get_config()
    assert type(restored.optimizer) is keras.optimizers.Adam
    assert restored.optimizer.get_config() == model.optimizer.get_config()
    assert restored.optimizer.iterations == model.optimizer.iterations == 4
    old, new = model.optimizer.get_state(), restored.optimizer.get_state()
    assert set(old) == set(new) and all(np.array_equal(old[k], new[k]) for k in old)
    assert restored.metrics_names == ["loss", "mae"]
    assert restored.loss.get_config() == model.loss.get_config()


def test_training_resumes_exactly_after_save_and_load(tmp_path):
    x, y = _data(40)
    xv, yv = _data(12, seed=3)

    def fresh():
        keras.utils.set_random_seed(7)
        model = keras.Sequential([layers.Dense(6, activation="tanh", input_shape=[3]),
                                  layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"])
        return model

    straight = fresh()
    h3 = straight.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0,
                      validation_data=(xv, yv), seed=1)
    first = fresh()
    h2 = first.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0,
                   validation_data=(xv, yv), seed=1)
    first.save(tmp_path / "ckpt.neurona")
    resumed = keras.models.load_model(tmp_path / "ckpt.neurona")
    h1 = resumed.fit(x, y, epochs=3, initial_epoch=2, batch_size=8, shuffle=False, verbose=0,
                     validation_data=(xv, yv), seed=1)
    assert _same_weights(straight, resumed)
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 15
    for key in h3.history:
        assert h2.history[key] + h1.history[key] == h3.history[key]


def _functional():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    ha, hb = shared(a), shared(b)  # one layer, two nodes
    merged = [layers.Add(name="add")([ha, hb]), layers.Subtract(name="sub")([ha, hb]),
              layers.Multiply(name="mul")([ha, hb]), layers.Average(name="avg")([ha, hb]),
              layers.Maximum(name="max")([ha, hb]), layers.Minimum(name="min")([ha, hb])]
    cat = layers.Concatenate(name="cat")(merged)
    inner = keras.Sequential([layers.Dense(5, activation="relu"), layers.Dense(2)], name="inner")
    out1 = inner(cat)
    out2 = layers.Dense(1, name="head")(layers.Concatenate(axis=-1, name="cat2")([out1, hb]))
    return keras.Model(inputs=[a, b], outputs=[out1, out2], name="two_heads")


def test_functional_model_with_shared_merge_and_nested_layers_round_trips(tmp_path):
    model = _functional()
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((6, 4)).astype("float32") for _ in range(2)]
    path = tmp_path / "functional.neurona"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored) is keras.Model and restored.name == "two_heads"
    assert restored.get_config() == model.get_config()
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    for want, got in zip(model.predict(xs, verbose=0), restored.predict(xs, verbose=0)):
        assert np.array_equal(want, got)
    assert _same_weights(model, restored)
    assert "inner/dense/kernel" not in _entries(path)  # keys use the real nested layer names
    keys = st.load(_entries(path)["model.safetensors"]).keys()
    inner_dense = restored.get_layer("inner").layers[0].name
    assert {"shared/kernel", f"inner/{inner_dense}/kernel", "head/bias"} <= set(keys)


def test_functional_get_config_from_config_with_dict_inputs():
    x = keras.Input(shape=(3,), name="x")
    z = keras.Input(shape=(2,), name="z")
    out = layers.Dense(2, name="d")(layers.Concatenate(name="c")([x, z]))
    model = keras.Model({"x": x, "z": z}, out)
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    data = {"x": np.ones((2, 3), "float32"), "z": np.full((2, 2), 0.5, "float32")}
    assert np.array_equal(model.predict(data, verbose=0), clone.predict(data, verbose=0))
    assert clone.get_config() == model.get_config()


#: constructor arguments and one-sample input shape per layer type
LAYER_CASES = {
    "RandomContrast": ({"factor": 0.2}, (6, 6, 2)),
    "RandomRotation": ({"factor": 0.1}, (6, 6, 2)),
    "RandomTranslation": ({"height_factor": 0.1, "width_factor": 0.1}, (6, 6, 2)),
    "RandomZoom": ({"height_factor": 0.1}, (6, 6, 2)),
    "Rescaling": ({"scale": 0.5}, (4,)),
    "Resizing": ({"height": 3, "width": 4}, (6, 6, 2)),
    "Activation": ({"activation": "tanh"}, (4,)),
    "Dense": ({"units": 3, "activation": "sigmoid"}, (4,)),
    "ELU": ({"alpha": 0.5}, (4,)),
    "Flatten": ({}, (2, 3)),
    "Identity": ({}, (4,)),
    "LeakyReLU": ({"negative_slope": 0.2}, (4,)),
    "PReLU": ({}, (4,)),
    "RReLU": ({"seed": 3}, (4,)),
    "ReLU": ({"max_value": 1.5}, (4,)),
    "Reshape": ({"target_shape": (3, 2)}, (6,)),
    "Softmax": ({"axis": -1}, (4,)),
    "AlphaDropout": ({"rate": 0.2}, (4,)),
    "Dropout": ({"rate": 0.3}, (4,)),
    "GaussianDropout": ({"rate": 0.2}, (4,)),
    "GaussianNoise": ({"stddev": 0.1}, (4,)),
    "SpatialDropout1D": ({"rate": 0.2}, (6, 3)),
    "SpatialDropout2D": ({"rate": 0.2}, (5, 5, 2)),
    "SpatialDropout3D": ({"rate": 0.2}, (3, 3, 3, 2)),
    "BatchNormalization": ({"momentum": 0.9}, (4,)),
    "LayerNormalization": ({}, (4,)),
    "Conv1D": ({"filters": 2, "kernel_size": 2, "activation": "relu"}, (6, 3)),
    "Conv2D": ({"filters": 2, "kernel_size": 2, "padding": "same"}, (5, 5, 2)),
    "Conv2DTranspose": ({"filters": 2, "kernel_size": 2, "strides": 2}, (4, 4, 2)),
    "Conv1DTranspose": ({"filters": 2, "kernel_size": 3, "strides": 2}, (5, 3)),
    "Conv3D": ({"filters": 2, "kernel_size": 2, "groups": 2}, (3, 4, 4, 2)),
    "DepthwiseConv1D": ({"kernel_size": 2, "depth_multiplier": 2}, (6, 3)),
    "DepthwiseConv2D": ({"kernel_size": 2}, (5, 5, 2)),
    "SeparableConv1D": ({"filters": 3, "kernel_size": 2}, (6, 3)),
    "SeparableConv2D": ({"filters": 3, "kernel_size": 2, "padding": "same"}, (5, 5, 2)),
    "MaxPooling3D": ({"pool_size": 2, "padding": "same"}, (3, 4, 4, 2)),
    "AveragePooling3D": ({"pool_size": 2}, (4, 4, 4, 2)),
    "GlobalMaxPooling3D": ({}, (3, 3, 3, 2)),
    "GlobalAveragePooling3D": ({"keepdims": True}, (3, 3, 3, 2)),
    "GroupNormalization": ({"groups": 2}, (4,)),
    "RepeatVector": ({"n": 2}, (4,)),
    "Permute": ({"dims": (2, 1)}, (2, 3)),
    "ActivityRegularization": ({"l1": 0.1}, (4,)),
    "UpSampling1D": ({"size": 3}, (4, 2)),
    "UpSampling2D": ({"size": 2, "interpolation": "bilinear"}, (3, 3, 2)),
    "ZeroPadding1D": ({"padding": 2}, (4, 2)),
    "ZeroPadding2D": ({"padding": ((1, 0), (0, 2))}, (3, 3, 2)),
    "Cropping1D": ({"cropping": 1}, (5, 2)),
    "Cropping2D": ({"cropping": ((1, 0), (0, 1))}, (4, 4, 2)),
    "Discretization": ({"bin_boundaries": [-0.5, 0.0, 0.5], "output_mode": "count"}, (4,)),
    "Hashing": ({"num_bins": 5}, (4,)),
    "Embedding": ({"input_dim": 7, "output_dim": 3, "mask_zero": True}, (5,)),
    "Masking": ({"mask_value": 0.5}, (6, 3)),
    "SimpleRNN": ({"units": 3, "return_sequences": True, "go_backwards": True}, (6, 3)),
    "LSTM": ({"units": 3, "return_state": False, "unit_forget_bias": False}, (6, 3)),
    "GRU": ({"units": 3, "reset_after": False, "activation": "relu"}, (6, 3)),
    "RNN": ({"cell": "stacked"}, (6, 3)),
    "Bidirectional": ({"layer": "lstm", "merge_mode": "ave"}, (6, 3)),
    "TimeDistributed": ({"layer": "dense"}, (6, 3)),
}
#: layers whose constructor takes another layer: made fresh for each test
_LAYER_ARGS = {
    "stacked": lambda: [layers.SimpleRNNCell(2), layers.LSTMCell(3)],
    "lstm": lambda: layers.LSTM(2, return_sequences=True),
    "dense": lambda: layers.Dense(2, activation="tanh"),
}
#: cells run inside RNN (covered there), attention and text layers by their own round trips
#: (tests/layers/test_attention.py, test_text.py: several inputs or string data)
SEQUENCE_SPECIAL = {"SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells",
                    "MultiHeadAttention", "Attention", "AdditiveAttention", "TextVectorization"}
#: covered by their own tests: models, merges (several inputs: the functional test), Lambda (a
#: registered function) and the layers that take categories or text (tests/layers/test_lookup.py,
#: test_hashing.py)
SPECIAL = {"Model", "Functional", "Sequential", "InputLayer", "Add", "Subtract", "Multiply",
           "Average", "Maximum", "Minimum", "Concatenate", "Dot", "Lambda", "CategoryEncoding",
           "StringLookup", "IntegerLookup", "HashedCrossing"}
_FALLBACK_SHAPES = [(4,), (6, 3), (6, 6, 2)]


def _make_layer_model(name):
    cls = LAYERS.lookup(name)
    cases = ([LAYER_CASES[name]] if name in LAYER_CASES
             else [({}, shape) for shape in _FALLBACK_SHAPES])
    for kwargs, shape in cases:
        kwargs = {k: _LAYER_ARGS[v]() if isinstance(v, str) and v in _LAYER_ARGS else v
                  for k, v in kwargs.items()}
        try:
            model = keras.Sequential([keras.Input(shape=shape), cls(**kwargs)])
            x = np.random.default_rng(1).standard_normal((3, *shape)).astype("float32")
            if name == "Embedding":
                x = np.random.default_rng(1).integers(0, 7, (3, *shape))
            model.predict(x, verbose=0)
            return model, x
        except (TypeError, ValueError):
            if name in LAYER_CASES:
                raise
    pytest.skip(f"layer {name!r} needs constructor arguments or a special input: add it to "
                "LAYER_CASES in tests/saving/test_saving.py")


@pytest.mark.parametrize("name", sorted({n for n in LAYERS.names()
                                         if LAYERS.lookup(n).__name__ == n or n in LAYER_CASES}))
def test_every_registered_layer_round_trips(name, tmp_path):
    if name in SPECIAL:
        pytest.skip(f"{name} has its own tests (see SPECIAL)")
        pytest.skip(f"{name} is tested through whole models (test_functional_..., test_sequential_...)")
    if name in SEQUENCE_SPECIAL:
        pytest.skip(f"{name} round-trips in tests/layers (inside RNN, with several inputs or "
                    "with text)")
    model, x = _make_layer_model(name)
    rng = np.random.default_rng(2)
    # positive values keep every weight valid (variances of BatchNormalization included)
    model.set_weights([rng.uniform(0.1, 1.0, w.shape).astype(w.dtype) for w in model.get_weights()])
    model.save(tmp_path / "layer.neurona")
    restored = keras.models.load_model(tmp_path / "layer.neurona")
    assert type(restored.layers[0]) is type(model.layers[0])
    assert restored.layers[0].get_config() == model.layers[0].get_config()
    assert _same_weights(model, restored)
    assert np.array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))


@register_layer("ScaledMLP")
class ScaledMLP(keras.Model):
    """A registered subclassed model with its own constructor argument."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="relu")
        self.out = layers.Dense(1)

    def call(self, inputs, training=False):
        return self.out(self.hidden(inputs)) * 2.0

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_registered_subclassed_model_round_trips(tmp_path):
    model = ScaledMLP(units=5)
    x, y = _data(16)
    model.compile(optimizer="rmsprop", loss="mae")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    model.save(tmp_path / "sub.neurona")
    restored = keras.models.load_model(tmp_path / "sub.neurona")
    assert type(restored) is ScaledMLP and restored.units == 5
    assert np.array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))
    assert restored.optimizer.iterations == 4


def test_unregistered_subclassed_model_refuses_to_save_but_saves_weights(tmp_path):
    class Unregistered(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs, training=False):
            return self.dense(inputs)

    model = Unregistered()
    model.build((None, 3))
    with pytest.raises(ValueError, match="register_keras_serializable"):
        model.save(tmp_path / "x.neurona")
    assert not (tmp_path / "x.neurona").exists()
    model.save_weights(tmp_path / "x.weights.neurona")
    other = Unregistered()
    other.build((None, 3))
    other.load_weights(tmp_path / "x.weights.neurona")
    assert _same_weights(model, other)


def test_save_weights_load_weights_round_trip_and_mismatches(tmp_path):
    model = _mlp()
    model.save_weights(tmp_path / "w.weights.neurona")
    other = _mlp()
    assert not _same_weights(model, other)
    other.load_weights(tmp_path / "w.weights.neurona")
    assert _same_weights(model, other)
    # a full model file also serves load_weights (its optimizer state is ignored)
    trained, path = _trained(tmp_path)
    other.load_weights(path)
    assert _same_weights(trained, other)
    # a different architecture: nothing changes, the message names the weight
    wide = keras.Sequential([layers.Dense(9, activation="relu", input_shape=[3]), layers.Dense(1)])
    for layer, ref in zip(wide.layers, other.layers):
        layer.name = ref.name  # same keys, different shapes
    before = wide.get_weights()
    with pytest.raises(ModelFileError, match="kernel"):
        wide.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(before, wide.get_weights()))
    with pytest.warns(UserWarning, match="skipped"):
        wide.load_weights(path, skip_mismatch=True)
    with pytest.raises(ModelFileError, match="only weights"):
        keras.models.load_model(tmp_path / "w.weights.neurona")


def test_compile_settings_holding_python_functions_refuse_to_save(tmp_path):
    def my_loss(y_true, y_pred):
        return (y_true - y_pred) ** 2

    model = _mlp()
    model.compile(optimizer="sgd", loss=my_loss)
    with pytest.raises(ValueError, match="wraps a Python function"):
        model.save(tmp_path / "m.neurona")
    model.compile(optimizer="sgd", loss="mse", metrics=[lambda t, p: abs(t - p)])
    with pytest.raises(ValueError, match="unregistered function"):
        model.save(tmp_path / "m.neurona")
    assert os.listdir(tmp_path) == []


def test_saving_namespace_and_overwrite_false(tmp_path):
    assert keras.saving.save_model is not None and issubclass(keras.saving.ModelFileError, ValueError)
    model, path = _trained(tmp_path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite"):
        model.save(path, overwrite=False)
    with pytest.raises(FileExistsError):
        keras.saving.save_weights(model, path, overwrite=False)
    assert path.read_bytes() == before
    model.save(tmp_path / "new.neurona", overwrite=False)
    assert (tmp_path / "new.neurona").exists()
    assert sorted(os.listdir(tmp_path)) == ["model.neurona", "new.neurona"]


# -- atomic writes --------------------------------------------------------------------------------
def test_crash_during_replace_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    model, path = _trained(tmp_path)
    before = path.read_bytes()
    model.fit(*_data(), epochs=1, verbose=0)  # different weights now

    def crash(*args):
        raise OSError("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.neurona"]
    monkeypatch.undo()
    keras.models.load_model(path)  # still a valid file


def test_crash_while_writing_leaves_old_file(tmp_path, monkeypatch):
    model, path = _trained(tmp_path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(archive, "write_safetensors", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.neurona"]


# -- safetensors interoperability -----------------------------------------------------------------
def _assorted():
    rng = np.random.default_rng(0)
    return {
        "f32": rng.standard_normal((3, 4)).astype("float32"),
        "f64": rng.standard_normal(5),
        "f16": rng.standard_normal((2, 2)).astype("float16"),
        "i64/scalar": np.asarray(123456789012, dtype="int64"),
        "i8": np.arange(-4, 4, dtype="int8"),
        "u8": np.arange(6, dtype="uint8").reshape(2, 3),
        "bool": np.array([True, False, True]),
        "empty": np.zeros((0, 3), dtype="float32"),
    }


def test_our_safetensors_and_the_reference_package_read_each_other():
    tensors = _assorted()
    ours = encode_safetensors(tensors)
    theirs = st.save(tensors)
    for data in (ours, theirs):
        for decoded in (read_safetensors(data), st.load(data)):
            assert set(decoded) == set(tensors)
            for key, value in tensors.items():
                assert decoded[key].dtype == value.dtype and decoded[key].shape == value.shape
                assert np.array_equal(decoded[key], value)
    assert read_safetensors(ours)["f32"].flags.writeable


def _safetensors_with_header(header, body=b""):
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + body


@pytest.mark.parametrize("data, message", [
    (b"\x01\x02", "truncated"),
    ((10**9).to_bytes(8, "little") + b"{}", "header claims"),
    (_safetensors_with_header([1, 2]), "JSON object"),
    (_safetensors_with_header({"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}},
                              b"\0\0"), "unsupported dtype"),
    (_safetensors_with_header({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}},
                              b"\0" * 4), "needs 8 bytes"),
    (_safetensors_with_header({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}},
                              b"\0" * 4), "invalid shape"),
    (_safetensors_with_header({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
                               "b": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}},
                              b"\0" * 4), "overlapping"),
    (_safetensors_with_header({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}},
                              b"\0" * 6), "trailing"),
    (_safetensors_with_header({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2],
                                     "extra": 1}}, b"\0" * 2), "exactly"),
])
def test_malformed_safetensors_raise_model_file_error(data, message):
    with pytest.raises(ModelFileError, match=message):
        read_safetensors(data)


def test_absurd_tensor_size_fails_fast_without_allocating():
    data = _safetensors_with_header(
        {"w": {"dtype": "F64", "shape": [10**6, 10**6], "data_offsets": [0, 8 * 10**12]}}, b"\0" * 8)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match="8000000000000 bytes"):
        read_safetensors(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1_000_000 and time.perf_counter() - start < 0.5


# -- defective and malicious archives -------------------------------------------------------------
def test_not_a_zip_truncated_and_missing_files(tmp_path):
    _, path = _trained(tmp_path)
    (tmp_path / "text.neurona").write_text("not a model")
    with pytest.raises(ModelFileError, match="not a model archive"):
        keras.models.load_model(tmp_path / "text.neurona")
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        (tmp_path / "cut.neurona").write_bytes(data[:cut])
        with pytest.raises(ModelFileError):
            keras.models.load_model(tmp_path / "cut.neurona")
    with pytest.raises(FileNotFoundError, match="No model file"):
        keras.models.load_model(tmp_path / "absent.neurona")


def test_flipped_bits_are_detected(tmp_path):
    _, path = _trained(tmp_path)
    data = bytearray(path.read_bytes())
    offset = data.index(b"hidden/kernel") + 400  # inside the stored weights
    data[offset] ^= 0x10
    (tmp_path / "flipped.neurona").write_bytes(bytes(data))
    with pytest.raises(ModelFileError):  # zip CRC or our SHA-256: either way a clear error
        keras.models.load_model(tmp_path / "flipped.neurona")
    # altered weights with a recomputed zip CRC still fail the SHA-256 in config.json
    entries = _entries(path)
    weights = bytearray(entries["model.safetensors"])
    weights[-1] ^= 0x01
    entries["model.safetensors"] = bytes(weights)
    _write_zip(tmp_path / "altered.neurona", entries)
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        keras.models.load_model(tmp_path / "altered.neurona")


def test_unknown_or_code_naming_classes_are_refused(tmp_path):
    _, path = _trained(tmp_path)

    def rename(new):
        def edit(config):
            config["model"]["config"]["layers"][0]["class_name"] = new
        return edit

    for name in ("EvilLayer", "os.system", "builtins.eval", "__import__"):
        _rewrite(path, tmp_path / "bad.neurona", edit_config=rename(name))
        with pytest.raises(ModelFileError,
                           match=f"Unknown layer '{name}'.*register_keras_serializable"):
            keras.models.load_model(tmp_path / "bad.neurona")

    def top_level_layer(config):
        config["model"] = {"class_name": "Dense", "config": {"units": 1}}

    _rewrite(path, tmp_path / "bad.neurona", edit_config=top_level_layer)
    with pytest.raises(ModelFileError, match="not a model"):
        keras.models.load_model(tmp_path / "bad.neurona")

    def bad_kwargs(config):
        config["model"]["config"]["layers"][0]["config"]["units"] = "many"

    _rewrite(path, tmp_path / "bad.neurona", edit_config=bad_kwargs)
    with pytest.raises(ModelFileError, match="cannot rebuild"):
        keras.models.load_model(tmp_path / "bad.neurona")


def test_custom_layer_loads_once_registered_via_custom_objects(tmp_path):
    class Doubler(layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

    model = keras.Sequential([keras.Input(shape=(2,)), Doubler()])
    with pytest.raises(ValueError, match="not registered"):
        model.save(tmp_path / "d.neurona")
    LAYERS.add("Doubler", Doubler)
    model.save(tmp_path / "d.neurona")
    LAYERS._entries.pop("Doubler"), LAYERS._folded.pop("doubler")  # a fresh process: unknown
    with pytest.raises(ModelFileError, match="Doubler"):
        keras.models.load_model(tmp_path / "d.neurona")
    restored = keras.models.load_model(tmp_path / "d.neurona", custom_objects={"Doubler": Doubler})
    assert np.array_equal(restored.predict(np.ones((1, 2)), verbose=0), [[2.0, 2.0]])
    assert LAYERS.lookup("Doubler") is None  # custom_objects hold for that one load, as in Keras
    with pytest.raises(TypeError, match="class or a function"):
        keras.models.load_model(tmp_path / "d.neurona", custom_objects={"f": 3})


def test_register_keras_serializable_makes_a_custom_layer_loadable(tmp_path):
    @keras.saving.register_keras_serializable(package="course", name="Halver")
    class HalveLayer(layers.Layer):
        def call(self, inputs):
            return inputs * 0.5

    model = keras.Sequential([keras.Input(shape=(2,)), HalveLayer()])
    model.save(tmp_path / "h.neurona")
    assert json.loads(_entries(tmp_path / "h.neurona")["config.json"])[
        "model"]["config"]["layers"][0]["class_name"] == "course>Halver"  # Keras's package>name
    restored = keras.models.load_model(tmp_path / "h.neurona")
    assert type(restored.layers[0]) is HalveLayer
    assert np.array_equal(restored.predict(np.ones((1, 2)), verbose=0), [[0.5, 0.5]])


def test_wrong_shapes_dtypes_and_missing_weights_are_refused(tmp_path):
    _, path = _trained(tmp_path)
    edits = {
        "float32\\[3, 9\\] in the file": lambda t: t.__setitem__("hidden/kernel",
                                                                np.zeros((3, 9), "float32")),
        "float64\\[3, 8\\] in the file": lambda t: t.__setitem__(
            "hidden/kernel", t["hidden/kernel"].astype("float64")),
        "missing \\['hidden/bias'\\]": lambda t: t.pop("hidden/bias"),
        "unexpected \\['ghost/kernel'\\]": lambda t: t.__setitem__("ghost/kernel",
                                                                 np.zeros(1, "float32")),
        "optimizer state 'gradient_sum/0'": lambda t: t.__setitem__(
            "optimizer/gradient_sum/0", np.zeros((2, 2), "float32")),
        "optimizer state does not match": lambda t: t.pop("optimizer/square_sum/1"),
    }
    for message, edit in edits.items():
        _rewrite(path, tmp_path / "bad.neurona", edit_tensors=edit)
        with pytest.raises(ModelFileError, match=message):
            keras.models.load_model(tmp_path / "bad.neurona")


def test_pickle_payloads_never_run(tmp_path):
    _, path = _trained(tmp_path)
    calls = []

    class Payload:
        def __reduce__(self):
            return (calls.append, ("pwned",))

    blob = pickle.dumps(Payload())
    _rewrite(path, tmp_path / "pickled.neurona", weights=blob)
    with pytest.raises(ModelFileError, match="safetensors"):
        keras.models.load_model(tmp_path / "pickled.neurona")
    entries = _entries(path)
    entries["data.pkl"] = blob
    _write_zip(tmp_path / "extra.neurona", entries)
    with pytest.raises(ModelFileError, match="unexpected \\['data.pkl'\\]"):
        keras.models.load_model(tmp_path / "extra.neurona")
    assert calls == []


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "a/../../b", "C:\\x", "..\\x"])
def test_path_traversal_entries_are_refused(tmp_path, name):
    _, path = _trained(tmp_path)
    entries = _entries(path)
    entries[name] = b"x"
    _write_zip(tmp_path / "evil.neurona", entries)
    with pytest.raises(ModelFileError, match="unsafe entry name"):
        keras.models.load_model(tmp_path / "evil.neurona")


def test_extra_missing_and_duplicated_entries(tmp_path):
    _, path = _trained(tmp_path)
    entries = _entries(path)
    _write_zip(tmp_path / "missing.neurona", {"config.json": entries["config.json"]})
    with pytest.raises(ModelFileError, match="missing \\['model.safetensors'\\]"):
        keras.models.load_model(tmp_path / "missing.neurona")
    with zipfile.ZipFile(tmp_path / "dup.neurona", "w") as zf, pytest.warns(UserWarning):
        for name, data in entries.items():
            zf.writestr(name, data)
        zf.writestr("config.json", b"{}")
    with pytest.raises(ModelFileError, match="duplicated"):
        keras.models.load_model(tmp_path / "dup.neurona")


def test_json_too_deep_too_large_or_wrong_kind(tmp_path, monkeypatch):
    _, path = _trained(tmp_path)
    weights = _entries(path)["model.safetensors"]
    cases = {
        "deep": ("[" * 100_000 + "]" * 100_000, "nested"),
        "deep2": ('{"a":' * 150 + "1" + "}" * 150, "nested"),
        "list": ("[1, 2]", "JSON object"),
        "garbage": ("{not json", "not valid JSON"),
        "format": ('{"format": "pickle", "format_version": 1}', "format"),
        "version": ('{"format": "neurona.model", "format_version": 99}', "newer"),
        "nochecksum": ('{"format": "neurona.model", "format_version": 1, "metadata": {}}', "sha256"),
    }
    for label, (text, message) in cases.items():
        _write_zip(tmp_path / f"{label}.neurona", {"config.json": text, "model.safetensors": weights})
        with pytest.raises(ModelFileError, match=message):
            keras.models.load_model(tmp_path / f"{label}.neurona")
    monkeypatch.setattr(archive, "MAX_CONFIG_BYTES", 100)
    with pytest.raises(ModelFileError, match="exceed"):
        keras.models.load_model(path)


def test_lying_zip_sizes_are_refused_before_reading(tmp_path):
    _, path = _trained(tmp_path)
    data = bytearray(path.read_bytes())
    # patch config.json's uncompressed size in the central directory to ~4 GB
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    assert data[central + 46:central + 46 + 11] == b"config.json"
    data[central + 24:central + 28] = struct.pack("<I", 0xFFFFFFF0)
    (tmp_path / "bomb.neurona").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="impossible|exceed"):
        keras.models.load_model(tmp_path / "bomb.neurona")


def test_bad_compile_section_and_dangling_graph(tmp_path):
    _, path = _trained(tmp_path)

    def bad_optimizer(config):
        config["compile"]["optimizer"] = {"class_name": "subprocess.Popen", "config": {}}

    _rewrite(path, tmp_path / "bad.neurona", edit_config=bad_optimizer)
    with pytest.raises(ModelFileError, match="compile settings"):
        keras.models.load_model(tmp_path / "bad.neurona")
    # compile=False skips the compile section entirely
    assert not keras.models.load_model(tmp_path / "bad.neurona", compile=False).compiled

    model = _functional()
    model.save(tmp_path / "f.neurona")

    def dangling(config):
        head = config["model"]["config"]["layers"][-1]
        head["inbound_nodes"][0]["inputs"] = {"__tensor__": ["nowhere", 0, 0]}

    _rewrite(tmp_path / "f.neurona", tmp_path / "bad.neurona", edit_config=dangling)
    with pytest.raises(ModelFileError, match="unknown layer 'nowhere'"):
        keras.models.load_model(tmp_path / "bad.neurona")


def test_metadata_records_version_time_and_checksum(tmp_path):
    _, path = _trained(tmp_path)
    entries = _entries(path)
    config = json.loads(entries["config.json"])
    meta = config["metadata"]
    assert config["format"] == "neurona.model" and config["format_version"] == 1
    assert meta["version"] == keras.__version__ and meta["created"].endswith("+00:00")
    assert meta["sha256"] == {"model.safetensors": hashlib.sha256(
        entries["model.safetensors"]).hexdigest()}
    assert io.BytesIO(entries["model.safetensors"]).read(8)  # a real safetensors payload


def test_float64_sequential_keeps_its_dtype_through_a_file(tmp_path):
    model = keras.Sequential([keras.layers.Dense(2, input_shape=[3], dtype="float64")])
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m.neurona")
    loaded = keras.models.load_model(tmp_path / "m.neurona")
    assert model.dtype == loaded.dtype == "float64"
    x = np.linspace(0, 1, 3)[None] + 1e-12
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# -- issue 18, item 6: a model built again in the same process takes its weights back -----------
def _two_dense():
    return keras.Sequential([layers.Input((3,)), layers.Dense(4), layers.Dropout(0.1),
                             layers.Dense(2)])


def test_weights_load_into_a_rebuilt_model_whose_automatic_names_differ(tmp_path):
    model = _two_dense()
    model.save_weights(tmp_path / "w.neurona")
    again = _two_dense()  # same cell run again: dense_2 / dense_3 instead of dense / dense_1
    assert [w.path for w in again.weights] != [w.path for w in model.weights]
    with pytest.warns(UserWarning, match=r"differ from the model's only by automatic suffixes "
                                         r".*matched by structure: layer order and weight shapes"):
        again.load_weights(tmp_path / "w.neurona")
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_weights_of_another_structure_are_still_refused(tmp_path):
    _two_dense().save_weights(tmp_path / "w.neurona")
    other = keras.Sequential([layers.Input((3,)), layers.Dense(2), layers.Dense(4)])
    with pytest.raises(keras.saving.ModelFileError, match="do not match the model's architecture"):
        other.load_weights(tmp_path / "w.neurona")


# -- issue 18, item 8: a model file costs what its honest size says -------------------------------
def test_a_deflate_bomb_in_the_weights_is_refused_before_reading(tmp_path):
    _, path = _trained(tmp_path)
    entries = _entries(path)
    with zipfile.ZipFile(tmp_path / "bomb.neurona", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", entries["config.json"])
        zf.writestr("model.safetensors", entries["model.safetensors"] + bytes(60 << 20))
    assert (tmp_path / "bomb.neurona").stat().st_size < 200_000  # 60 MiB of zeros inside
    tracemalloc.start()
    with pytest.raises(ModelFileError, match=r"claim to expand to \d+, more than 64 times: "
                                             r"weights do not compress like that"):
        keras.models.load_model(tmp_path / "bomb.neurona")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000


def test_many_duplicated_entries_are_found_in_linear_time(tmp_path):
    _, path = _trained(tmp_path)
    entries = _entries(path)
    with zipfile.ZipFile(tmp_path / "dup.neurona", "w") as zf, \
            pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("config.json", entries["config.json"])
        zf.writestr("model.safetensors", entries["model.safetensors"])
        for _ in range(20_000):
            zf.writestr("config.json", b"")
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match=r"duplicated entries \['config.json'\]"):
        keras.models.load_model(tmp_path / "dup.neurona")
    assert time.perf_counter() - start < 2.0  # names.count made this quadratic (48 s at 60k)


def test_a_functional_graph_listed_in_reverse_loads_in_linear_time(tmp_path):
    x = first = keras.Input((4,))
    for _ in range(2000):
        x = layers.Activation("relu")(x)
    keras.Model(first, x).save(tmp_path / "chain.neurona")
    rewritten = _rewrite(tmp_path / "chain.neurona", tmp_path / "reversed.neurona",
                         edit_config=lambda c: c["model"]["config"]["layers"].reverse())
    start = time.perf_counter()
    model = keras.models.load_model(rewritten)
    assert time.perf_counter() - start < 5.0  # the pass-per-layer loader took ~12 s here
    probe = np.array([[-1.0, 0.5, 2.0, -3.0]], dtype="float32")
    np.testing.assert_array_equal(model.predict(probe, verbose=0), np.maximum(probe, 0))


def test_layer_sizes_beyond_the_stored_weights_fail_before_allocating(tmp_path):
    _, path = _trained(tmp_path)

    def huge(config):
        config["model"]["config"]["layers"][-1]["config"]["units"] = 10 ** 9

    rewritten = _rewrite(path, tmp_path / "huge.neurona", edit_config=huge)
    tracemalloc.start()
    with pytest.raises(ModelFileError, match=r"would create a weight of shape .*beyond the \d+ "
                                             r"numbers the file's weights hold.*refused before "
                                             r"allocating"):
        keras.models.load_model(rewritten)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20_000_000  # the kernel alone would be gigabytes


@pytest.mark.parametrize("flag", [0x20, 0x40])
def test_zip_flags_zipfile_cannot_read_are_a_model_file_error(tmp_path, flag):
    _, path = _trained(tmp_path)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")  # the first central-directory record
    data[central + 8] |= flag  # its general-purpose flags (zipfile: NotImplementedError)
    (tmp_path / "flags.neurona").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="patched or strongly encrypted"):
        keras.models.load_model(tmp_path / "flags.neurona")


@pytest.mark.parametrize("shape", [[0, 2 ** 62], [0, 2 ** 63], [0, 2 ** 40, 2 ** 40]])
def test_impossible_empty_shapes_are_a_model_file_error(shape):
    data = _safetensors_with_header({"w": {"dtype": "F32", "shape": shape,
                                           "data_offsets": [0, 0]}}, b"")
    with pytest.raises(ModelFileError, match="impossible shape"):
        read_safetensors(data)
