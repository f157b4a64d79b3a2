"""Keras 3 files against real Keras 3 (JAX backend, CPU): models saved by Keras load in neurona
with the same predictions, and the reverse; training continues across the two libraries.

Keras runs in a spawned worker process (tests/saving/keras_side.py): JAX's threads must not be
in the test process, which forks later (the tuner's workers)."""

import importlib.util
import io
import os
import zipfile

import numpy as np
import pytest

if importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None:
    pytest.skip("needs keras and jax (the test extra)", allow_module_level=True)
h5py = pytest.importorskip("h5py")

import neurona as nk  # noqa: E402
from neurona.layers.layer import LAYERS  # noqa: E402
from neurona.saving import ModelFileError  # noqa: E402
from neurona.saving.keras_format import KERAS_LAYERS  # noqa: E402

from . import keras_side as K  # noqa: E402
from .keras_cases import (INTEGER_CASES, LAYER_CASES, MERGING, SEQUENCE_CASES,  # noqa: E402
                          branching_graph, functional_graph, sequence_inputs)

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def keras():
    """``keras(fn, *args)`` runs ``fn`` of keras_side in the Keras worker."""
    with K.keras_process() as call:
        yield call


def _randomize(model, rng):
    """Random weights; positive ones where a layer needs them (variances)."""
    for layer in model.layers:
        weights = layer.get_weights()
        layer.set_weights([np.abs(rng.normal(size=w.shape)).astype(w.dtype) + 0.5
                           for w in weights])


def _close(a, b):
    if isinstance(b, dict):
        assert set(a) == set(b)
        for key in b:
            _close(a[key], b[key])
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    assert np.max(np.abs(a - b)) <= TOLERANCE * max(1.0, float(np.max(np.abs(b))))


def test_every_layer_with_a_keras_counterpart_is_tested():
    ours = {name for name in KERAS_LAYERS if name != "InputLayer"}
    sequences = {case.split("-")[0] for case in SEQUENCE_CASES}
    texts = {"TextVectorization"}  # test_text_vectorization_travels_with_its_vocabulary
    assert ours == set(LAYER_CASES) | set(INTEGER_CASES) | set(MERGING) | sequences | texts


@pytest.mark.parametrize("name", sorted(LAYER_CASES) + sorted(INTEGER_CASES))
def test_each_layer_travels_both_ways(name, keras, tmp_path, rng):
    if name in INTEGER_CASES:
        kwargs, shape, codes = INTEGER_CASES[name]
        x = rng.integers(0, codes, size=(4,) + shape).astype("float32")
    else:
        kwargs, shape = LAYER_CASES[name]
        x = rng.normal(size=(4,) + shape).astype("float32")
    want = keras(K.save_sequential, name, kwargs, shape, str(tmp_path / "k.keras"), x, 0)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours.layers[0]).__name__ == name
    _close(ours.predict(x, verbose=0), want)
    ours.save(tmp_path / "n.keras")
    assert keras(K.load_predict, str(tmp_path / "n.keras"), x)[0] == name
    _close(keras(K.load_predict, str(tmp_path / "n.keras"), x)[1], want)
    built = nk.Sequential([nk.Input(shape), getattr(nk.layers, name)(**kwargs)])
    _randomize(built, rng)  # a model neurona built opens in Keras too
    built.save(tmp_path / "b.keras")
    kind, theirs = keras(K.load_predict, str(tmp_path / "b.keras"), x)
    assert kind == name
    _close(theirs, built.predict(x, verbose=0))


@pytest.mark.parametrize("case", sorted(SEQUENCE_CASES))
def test_sequence_and_attention_models_travel_both_ways(case, keras, tmp_path, rng):
    """Recurrent layers, their cells and wrappers, masks and attention: a Keras model loads in
    neurona with Keras's predictions, goes back to Keras unchanged, and one neurona built
    opens in Keras with neurona's predictions."""
    builder, shape, codes = SEQUENCE_CASES[case]
    x = sequence_inputs(rng, shape, codes)
    want = keras(K.save_case, builder, shape, str(tmp_path / "k.keras"), x, 0)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    _close(ours.predict(x, verbose=0), want)
    ours.save(tmp_path / "n.keras")
    _close(keras(K.load_predict, str(tmp_path / "n.keras"), x)[1], want)
    built = builder(nk, shape)
    K.signed_weights(built, 1)
    built.save(tmp_path / "b.keras")
    _close(keras(K.load_predict, str(tmp_path / "b.keras"), x)[1], built.predict(x, verbose=0))


TEXTS = np.array([["The cat sat on the mat."], ["A dog, a cat!"], ["the bird"], [""],
                  ["Über café, the CAT"]])
TEXT_CASES = {
    "int-adapted": {"adapt": TEXTS[:3, 0], "max_tokens": 8, "output_sequence_length": 5},
    "multi_hot-bigrams": {"adapt": TEXTS[:3, 0], "ngrams": 2, "output_mode": "multi_hot"},
    "count-vocabulary": {"vocabulary": ["cat", "the", "dog"], "output_mode": "count",
                         "standardize": "lower", "split": "whitespace"},
    "tf_idf-vocabulary": {"vocabulary": ["cat", "the", "bird"], "idf_weights": [0.5, 1.5, 2.0],
                          "output_mode": "tf_idf"},
    "int-characters": {"adapt": TEXTS[:2, 0], "split": "character", "standardize": None,
                       "output_sequence_length": 6},
    "tf_idf-adapted": {"adapt": TEXTS[:3, 0], "output_mode": "tf_idf"},
    "tf_idf-padded": {"adapt": TEXTS[:3, 0], "output_mode": "tf_idf", "max_tokens": 12,
                      "pad_to_max_tokens": True},
}
#: files Keras 3.15 writes but cannot load (its load_assets checks the padded IDF weights
#: against the unpadded vocabulary): read by neurona, not sent back
KERAS_CANNOT_LOAD = {"tf_idf-padded"}


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
def test_text_vectorization_travels_with_its_vocabulary(case, keras, tmp_path):
    """Keras keeps an adapted vocabulary as the text asset vocabulary.txt (a given one in the
    config): read as text both ways, never unpickled."""
    if not keras(K.has_tensorflow):
        pytest.skip("Keras 3's TextVectorization needs TensorFlow in the Keras process")
    settings = TEXT_CASES[case]
    vocabulary, want = keras(K.save_text, settings, str(tmp_path / "k.keras"), TEXTS)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    layer = ours.layers[0]
    assert layer.get_vocabulary() == vocabulary
    assert layer._has_input_vocabulary == ("vocabulary" in settings)
    np.testing.assert_allclose(ours.predict(TEXTS, verbose=0), want, rtol=1e-6)
    if case in KERAS_CANNOT_LOAD:
        return
    ours.save(tmp_path / "n.keras")
    assert keras(K.load_text, str(tmp_path / "n.keras"), TEXTS)[0] == vocabulary
    np.testing.assert_allclose(keras(K.load_text, str(tmp_path / "n.keras"), TEXTS)[1], want,
                               rtol=1e-6)
    options = dict(settings)
    adapt = options.pop("adapt", None)
    built = nk.layers.TextVectorization(**options)
    if adapt is not None:
        built.adapt(adapt)
    model = nk.Sequential([nk.Input((1,), dtype="string"), built])
    model.save(tmp_path / "b.keras")
    with zipfile.ZipFile(tmp_path / "b.keras") as archive:
        in_assets = "assets/layers/text_vectorization/vocabulary.txt" in archive.namelist()
    assert in_assets == (adapt is not None)
    theirs, outputs = keras(K.load_text, str(tmp_path / "b.keras"), TEXTS)
    assert theirs == built.get_vocabulary()
    np.testing.assert_allclose(outputs, model.predict(TEXTS, verbose=0), rtol=1e-6)


def test_an_embedding_with_lora_is_not_written_to_a_keras_file(tmp_path):
    model = nk.Sequential([nk.Input((3,)), nk.layers.Embedding(5, 2, lora_rank=2)])
    with pytest.raises(ValueError, match=r"Embedding 'embedding.*' with LoRA .*\.neurona"):
        model.save(tmp_path / "lora.keras")
    assert not (tmp_path / "lora.keras").exists()


def test_a_weights_file_carries_tf_idf_weights_for_the_layers_vocabulary(tmp_path):
    def model(adapt=True):
        layer = nk.layers.TextVectorization(output_mode="tf_idf")
        if adapt:
            layer.adapt(TEXTS[:3, 0])
        return nk.Sequential([nk.Input((1,), dtype="string"), layer])

    source, target = model(), model()
    vocabulary = target.layers[0].get_vocabulary()
    target.layers[0].set_vocabulary(vocabulary, np.ones(len(vocabulary)))
    source.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:  # Keras's named datasets, twice
        assert "layers/text_vectorization/_lookup_layer/vars/idf_weights" in f
    target.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(target.layers[0].idf_weights, source.layers[0].idf_weights)
    np.testing.assert_array_equal(target.predict(TEXTS, verbose=0),
                                  source.predict(TEXTS, verbose=0))
    with pytest.raises(ModelFileError, match="has no vocabulary to load the file's idf_weights"):
        model(adapt=False).load_weights(tmp_path / "w.weights.h5")


def test_an_asset_no_layer_claims_and_a_vocabulary_that_is_not_text_are_refused(tmp_path):
    layer = nk.layers.TextVectorization()
    layer.adapt(TEXTS[:3, 0])
    nk.Sequential([nk.Input((1,), dtype="string"), layer]).save(tmp_path / "t.keras")
    with zipfile.ZipFile(tmp_path / "t.keras") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    for name, data, match in (
            ("assets/layers/dense/vocabulary.txt", b"a", "belongs to no layer"),
            ("assets/layers/text_vectorization/vocabulary.txt", b"\xff\xfe", "not UTF-8"),
            ("assets/layers/text_vectorization/_lookup_layer/vocabulary.txt", b"\n[UNK]\nx",
             "two vocabulary assets differ")):
        with zipfile.ZipFile(tmp_path / "bad.keras", "w") as archive:
            for entry, content in dict(entries, **{name: data}).items():
                archive.writestr(entry, content)
        with pytest.raises(ModelFileError, match=match):
            nk.saving.load_model(tmp_path / "bad.keras")


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax", "elu", "selu",
                                        "softplus", "softsign", "swish", "silu", "gelu",
                                        "hard_sigmoid", "hard_silu", "leaky_relu", "relu6",
                                        "mish", "exponential", "log_softmax", "linear"])
def test_activations_mean_the_same_in_both_libraries(activation, keras, tmp_path, rng):
    x = rng.normal(size=(5, 6)).astype("float32") * 3
    want = keras(K.save_activation, activation, str(tmp_path / "k.keras"), x)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    _close(ours.predict(x, verbose=0), want)
    ours.save(tmp_path / "n.keras")
    _close(keras(K.load_predict, str(tmp_path / "n.keras"), x)[1], want)


def test_functional_models_travel_both_ways(keras, tmp_path, rng):
    x = {"a": rng.normal(size=(6, 4)).astype("float32"),
         "b": rng.normal(size=(6, 4)).astype("float32")}
    want = keras(K.save_functional, str(tmp_path / "k.keras"), x, 0)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    _close(ours.predict(x, verbose=0), want)
    built = functional_graph(nk)
    _randomize(built, rng)
    built.save(tmp_path / "n.keras")
    _close(keras(K.load_predict, str(tmp_path / "n.keras"), x)[1], built.predict(x, verbose=0))


def test_keras_layer_order_is_replicated_for_branching_graphs(keras, tmp_path, rng):
    """Keras names weights by class and position in model.layers: for a branching graph the
    replicated order is Keras's own, so every weight lands in its layer both ways."""
    from neurona.saving.keras_format.weights import keras_operation_order

    built = branching_graph(nk)
    assert [layer.name for layer in keras_operation_order(built._graph)] == \
        keras(K.branching_order)
    _randomize(built, rng)
    x = rng.normal(size=(5, 3)).astype("float32")
    built.save(tmp_path / "n.keras")
    _close(keras(K.load_predict, str(tmp_path / "n.keras"), x)[1], built.predict(x, verbose=0))
    want = keras(K.save_branching, str(tmp_path / "k.keras"), x, 0)
    _close(nk.saving.load_model(tmp_path / "k.keras").predict(x, verbose=0), want)


@nk.saving.register_keras_serializable(package="travel", name="KerasBlock")
class Block(nk.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = nk.layers.Dense(units, activation="relu")
        self.heads = [nk.layers.Dense(2), nk.layers.Dense(2)]

    def call(self, x):
        h = self.hidden(x)
        return self.heads[0](h) + self.heads[1](h)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_registered_subclassed_models_travel_by_attribute(keras, tmp_path, rng):
    x = rng.normal(size=(4, 5)).astype("float32")
    want = keras(K.save_block, str(tmp_path / "k.keras"), x, 0)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours) is Block and ours.units == 6
    _close(ours.predict(x, verbose=0), want)
    ours.save(tmp_path / "n.keras")
    kind, theirs = keras(K.load_predict, str(tmp_path / "n.keras"), x)
    assert kind == "KerasBlock"
    _close(theirs, want)


def _regression(rng, n=64):
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], dtype="float32") + 0.3)


@pytest.mark.parametrize("optimizer", [
    {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9}},
    {"class_name": "Adam", "config": {"learning_rate": 0.01}},
    {"class_name": "Adam", "config": {"learning_rate": 0.01, "amsgrad": True}},
    {"class_name": "RMSprop", "config": {"learning_rate": 0.01, "momentum": 0.5,
                                         "centered": True}},
    {"class_name": "Adagrad", "config": {"learning_rate": 0.05}},
    {"class_name": "Nadam", "config": {"learning_rate": 0.01}},
    {"class_name": "Adamax", "config": {"learning_rate": 0.01}},
], ids=lambda o: "-".join([o["class_name"], *sorted(k for k in o["config"]
                                                      if k != "learning_rate")]))
def test_training_continues_across_the_libraries(optimizer, keras, tmp_path, rng):
    """Train in neurona, save .keras, fine-tune in Keras, save, load back: the same weights
    as fine-tuning in neurona from its own state (optimizer slots and step count carried)."""
    x, y = _regression(rng)
    ours = nk.Sequential([nk.layers.Dense(8, activation="tanh", input_shape=[4]),
                          nk.layers.Dense(1)])
    ours.compile(optimizer=nk.optimizers.deserialize(optimizer), loss="mse", metrics=["mae"])
    ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    ours.save(tmp_path / "trained.keras")
    ours.save(tmp_path / "trained.neurona")
    steps, theirs = keras(K.fine_tune, str(tmp_path / "trained.keras"),
                          str(tmp_path / "tuned.keras"), x, y)
    assert steps == 12
    mine = nk.saving.load_model(tmp_path / "trained.neurona")
    mine.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    back = nk.saving.load_model(tmp_path / "tuned.keras")
    assert back.optimizer.iterations == 20 == mine.optimizer.iterations
    for a, b in zip(back.get_weights(), mine.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    _close(back.predict(x, verbose=0), theirs)


def test_keras_compile_settings_and_schedules_load(keras, tmp_path, rng):
    x, y = _regression(rng)
    keras_eval = keras(K.save_scheduled, str(tmp_path / "k.keras"), x, y)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours.optimizer).__name__ == "Adam" and ours.optimizer.iterations == 4
    assert callable(ours.optimizer._learning_rate)
    ours_eval = ours.evaluate(x, y, verbose=0, return_dict=True)
    assert ours_eval["loss"] == pytest.approx(keras_eval["loss"], rel=1e-5)
    assert ours_eval["root_mean_squared_error"] == pytest.approx(
        keras_eval["root_mean_squared_error"], rel=1e-5)
    assert not nk.saving.load_model(tmp_path / "k.keras", compile=False).compiled


def test_an_unbuilt_optimizer_is_written_as_keras_builds_it(keras, tmp_path):
    ours = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2)])
    ours.compile("adagrad", "mse")  # compiled, never trained: initial accumulators 0.1
    ours.save(tmp_path / "fresh.keras")
    with zipfile.ZipFile(tmp_path / "fresh.keras") as archive:
        data = archive.read("model.weights.h5")
    with h5py.File(io.BytesIO(data), "r") as f:
        assert sorted(f["optimizer/vars"], key=int) == [str(i) for i in range(4)]
        assert np.allclose(f["optimizer/vars/2"][()], 0.1)
    x = np.ones((2, 3), dtype="float32")
    _close(keras(K.load_predict, str(tmp_path / "fresh.keras"), x)[1], ours.predict(x, verbose=0))


def test_weights_h5_files_travel_both_ways(keras, tmp_path, rng):
    shape = (6, 6, 2)
    ours = nk.Sequential([nk.Input(shape), nk.layers.Conv2D(3, 2),
                          nk.layers.BatchNormalization(), nk.layers.Flatten(),
                          nk.layers.Dense(2)])
    x = rng.normal(size=(3,) + shape).astype("float32")
    want = keras(K.save_conv, str(tmp_path / "k.weights.h5"), str(tmp_path / "whole.keras"),
                 x, 0)
    ours.load_weights(tmp_path / "k.weights.h5")
    _close(ours.predict(x, verbose=0), want)
    _randomize(ours, rng)
    ours.save_weights(tmp_path / "n.weights.h5")
    _close(keras(K.load_conv_weights, str(tmp_path / "n.weights.h5"), x),
           ours.predict(x, verbose=0))
    ours.load_weights(tmp_path / "whole.keras")  # the weights of a whole .keras file too
    _close(ours.predict(x, verbose=0), want)


def test_a_mismatched_weights_file_changes_nothing(keras, tmp_path):
    keras(K.save_dense_weights, str(tmp_path / "k.weights.h5"))
    ours = nk.Sequential([nk.Input((4,)), nk.layers.Dense(3), nk.layers.Dense(5)])
    before = ours.get_weights()
    with pytest.raises(ModelFileError, match=r"layer 'dense_\d+' \(Dense\) at 'layers/dense_1"):
        ours.load_weights(tmp_path / "k.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(before, ours.get_weights()))


def test_extensions_choose_the_format_and_unknown_ones_are_refused(tmp_path):
    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(1)])
    for name in ("model.pkl", "model", "model.h5", "weights.h5.bak"):
        with pytest.raises(ValueError, match=r"'\.neurona'.*'\.keras'"):
            model.save(tmp_path / name)
    for name in ("w.keras", "w.h5", "w.npz"):
        with pytest.raises(ValueError, match=r"'\.weights\.h5'.*'\.neurona'"):
            model.save_weights(tmp_path / name)
    with pytest.raises(ValueError, match="save_weights"):
        model.save(tmp_path / "m.weights.h5")
    assert os.listdir(tmp_path) == []
    model.save(tmp_path / "m.neurona")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.neurona") as ours, \
            zipfile.ZipFile(tmp_path / "m.keras") as theirs:
        assert sorted(ours.namelist()) == ["config.json", "model.safetensors"]
        assert sorted(theirs.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]


def test_layers_keras_lacks_are_named_when_writing_a_keras_file(tmp_path):
    model = nk.Sequential([nk.Input((6, 6, 1)), nk.layers.MinPooling2D(2)])
    with pytest.raises(ValueError, match=r"layer 'min_pooling2d.*Keras 3 has no MinPooling2D.*"
                                         r"\.neurona"):
        model.save(tmp_path / "m.keras")
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2, activation="step")])
    with pytest.raises(ValueError, match="activation 'step' has no Keras 3 equivalent"):
        model.save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []
    model.save(tmp_path / "m.neurona")  # neurona's own format holds both


def test_keras_arguments_neurona_lacks_are_named_not_dropped(keras, tmp_path):
    keras(K.save_refused, str(tmp_path))
    for name, message in (("renorm", r"layer 'batch_normalization.*renorm=True"),
                          ("lora", r"layer 'dense.*lora_rank=2"),
                          ("celu", "activation 'celu' has no neurona equivalent"),
                          ("conv", "Conv3DTranspose.*no neurona equivalent")):
        with pytest.raises(ModelFileError, match=message):
            nk.saving.load_model(tmp_path / f"{name}.keras")


def test_neurona_files_named_keras_still_load(tmp_path):
    """Before the extension chose the format, neurona wrote its own archive under any name."""
    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(1)])
    model.save(tmp_path / "m.neurona")
    os.rename(tmp_path / "m.neurona", tmp_path / "old.keras")
    with pytest.warns(DeprecationWarning, match="rename it to '.neurona'"):
        restored = nk.saving.load_model(tmp_path / "old.keras")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), restored.get_weights()))


def test_every_registered_layer_is_either_mapped_or_named_as_neurona_only():
    # Keras 3 has no MinPooling or RReLU; its lookup and hashing layers need TensorFlow (so
    # their files cannot be tested here), and its Lambda holds bytecode
    neurona_only = {"MinPooling1D", "MinPooling2D", "RReLU", "StringLookup", "IntegerLookup",
                    "Hashing", "HashedCrossing", "Lambda"}
    models = {"Model", "Functional", "Sequential"}
    builtin = {name for name, cls in LAYERS._entries.items()
               if cls.__module__.startswith("neurona.") and name == cls.__name__}
    assert builtin - models - neurona_only <= set(KERAS_LAYERS)


def test_legacy_h5_models_and_weights_load(keras, tmp_path, rng):
    x, y = _regression(rng)
    inputs = {"a": x, "b": x[::-1].copy()}
    targets = {"head": np.repeat(y, 2, axis=1), "side": (y > 0).astype("float32")}
    functional, sequential = keras(K.save_legacy, str(tmp_path), inputs, targets, x, y)
    ours = nk.saving.load_model(tmp_path / "m.h5", compile=False)
    _close(ours.predict(inputs, verbose=0), functional)
    restored = nk.saving.load_model(tmp_path / "s.h5")
    _close(restored.predict(x, verbose=0), sequential)
    assert restored.optimizer.iterations == 8  # Keras 3's optimizer layout is restored
    fresh = nk.Sequential([nk.Input((4,)), nk.layers.Dense(3, activation="relu"),
                           nk.layers.BatchNormalization(), nk.layers.Dense(1)])
    fresh.load_weights(tmp_path / "w.h5")
    _close(fresh.predict(x, verbose=0), sequential)


def test_a_lambda_in_a_legacy_h5_file_is_refused(keras, tmp_path):
    """CVE-2025-9905: Keras's legacy loader ran Lambda bytecode whatever safe_mode said."""
    keras(K.save_lambda_h5, str(tmp_path / "lambda.h5"))
    with pytest.raises(ModelFileError, match=r"Lambda\).*never runs code"):
        nk.saving.load_model(tmp_path / "lambda.h5")


@nk.saving.register_keras_serializable(package="travel", name="scaled_square")
def scaled_square(x):
    return 0.5 * x ** 2


@nk.saving.register_keras_serializable(package="travel", name="Scale")
class Scale(nk.layers.Layer):
    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.offset = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                      name="offset")

    def call(self, x):
        return x * self.factor + self.offset

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_layers_and_functions_registered_under_one_name_travel(keras, tmp_path, rng):
    x = rng.normal(size=(3, 4)).astype("float32")
    want = keras(K.save_scaled, str(tmp_path / "k.keras"), x, 0)
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours.layers[0]) is Scale and ours.layers[1].activation is scaled_square
    _close(ours.predict(x, verbose=0), want)
    ours.save(tmp_path / "n.keras")
    kind, theirs = keras(K.load_predict, str(tmp_path / "n.keras"), x)
    assert kind == "Scale"
    _close(theirs, want)


class _Unregistered(nk.layers.Layer):
    """A custom layer never registered (the serialization guide's CustomLayer)."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, x):
        return nk.ops.matmul(x, self.w)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_an_unregistered_layer_is_saved_by_name_and_loaded_with_custom_objects(tmp_path):
    # as Keras 3: the file names the class; loading needs it passed (a file brings no code)
    model = nk.Sequential([nk.Input((3,)), _Unregistered(4)])
    model.save(tmp_path / "m.keras")
    with pytest.raises(ModelFileError, match="'_Unregistered' from module .* is not registered"):
        nk.models.load_model(tmp_path / "m.keras")
    again = nk.models.load_model(tmp_path / "m.keras", custom_objects={"_Unregistered":
                                                                        _Unregistered})
    x = np.ones((2, 3), dtype="float32")
    assert isinstance(again.layers[0], _Unregistered) and again.layers[0].units == 4
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def _squared(x):
    return x * x


@pytest.mark.parametrize("extension", ["keras", "neurona"])
def test_an_unregistered_activation_function_is_saved_by_name(tmp_path, extension):
    # the serialization guide's custom_fn: written by name as Keras 3 writes it, found again
    # only through custom_objects
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2, activation=_squared)])
    path = tmp_path / f"m.{extension}"
    model.save(path)
    with pytest.raises(ModelFileError, match="._squared."):
        nk.models.load_model(path)
    again = nk.models.load_model(path, custom_objects={"_squared": _squared})
    x = np.ones((2, 3), dtype="float32")
    assert again.layers[0].activation is _squared
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="neither a registered activation nor a named function"):
        nk.layers.Dense(2, activation=lambda t: t).get_config()
