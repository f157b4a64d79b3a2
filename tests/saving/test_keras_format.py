"""Keras 3 files against real Keras 3 (JAX backend, CPU): models saved by Keras load in neurona
with the same predictions, and the reverse; training continues across the two libraries."""

import json
import os
import zipfile

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "jax"  # before Keras is imported anywhere
keras = pytest.importorskip("keras")
h5py = pytest.importorskip("h5py")

import neurona as nk  # noqa: E402
from neurona.saving import ModelFileError  # noqa: E402
from neurona.saving.keras_format import KERAS_LAYERS  # noqa: E402
from neurona.layers.layer import LAYERS  # noqa: E402

from .keras_cases import LAYER_CASES, MERGING  # noqa: E402

TOLERANCE = 1e-5
#: Keras's own warnings under NumPy 2.4 (its Variable.__array__ lacks the copy keyword)
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")


def _randomize(model, rng):
    """Random weights; positive ones where a layer needs them (variances)."""
    for layer in model.layers:
        weights = layer.get_weights()
        layer.set_weights([np.abs(rng.normal(size=w.shape)).astype(w.dtype) + 0.5
                           for w in weights])


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    assert np.max(np.abs(a - b)) <= TOLERANCE * max(1.0, float(np.max(np.abs(b))))


def test_every_layer_with_a_keras_counterpart_is_tested():
    ours = {name for name in KERAS_LAYERS if name != "InputLayer"}
    assert ours == set(LAYER_CASES) | set(MERGING)


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_a_keras_model_of_each_layer_loads_in_neurona_and_back(name, tmp_path, rng):
    kwargs, shape = LAYER_CASES[name]
    model = keras.Sequential([keras.Input(shape), getattr(keras.layers, name)(**kwargs)])
    _randomize(model, rng)
    x = rng.normal(size=(4,) + shape).astype("float32")
    model.save(tmp_path / "k.keras")
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours.layers[0]).__name__ == name
    _close(ours.predict(x, verbose=0), model.predict(x, verbose=0))
    ours.save(tmp_path / "n.keras")
    again = keras.saving.load_model(tmp_path / "n.keras")
    _close(again.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_a_neurona_model_of_each_layer_opens_in_keras(name, tmp_path, rng):
    kwargs, shape = LAYER_CASES[name]
    ours = nk.Sequential([nk.Input(shape), getattr(nk.layers, name)(**kwargs)])
    _randomize(ours, rng)
    x = rng.normal(size=(4,) + shape).astype("float32")
    ours.save(tmp_path / "n.keras")
    theirs = keras.saving.load_model(tmp_path / "n.keras")
    assert type(theirs.layers[0]).__name__ == name
    _close(theirs.predict(x, verbose=0), ours.predict(x, verbose=0))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax", "elu", "selu",
                                        "softplus", "softsign", "swish", "silu", "gelu",
                                        "hard_sigmoid", "hard_silu", "leaky_relu", "relu6",
                                        "mish", "exponential", "log_softmax", "linear"])
def test_activations_mean_the_same_in_both_libraries(activation, tmp_path, rng):
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation=activation)])
    x = rng.normal(size=(5, 6)).astype("float32") * 3
    model.save(tmp_path / "k.keras")
    ours = nk.saving.load_model(tmp_path / "k.keras")
    _close(ours.predict(x, verbose=0), model.predict(x, verbose=0))
    ours.save(tmp_path / "n.keras")
    _close(keras.saving.load_model(tmp_path / "n.keras").predict(x, verbose=0),
           model.predict(x, verbose=0))


def _functional(lib):
    """Two named inputs, a shared layer, every merging layer, a nested Sequential and two
    outputs, written the same in Keras and neurona."""
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


def _check_outputs(ours, theirs):
    assert set(ours) == set(theirs)
    for key in ours:
        _close(ours[key], theirs[key])


def test_functional_models_travel_both_ways(tmp_path, rng):
    model = _functional(keras)
    _randomize(model, rng)
    x = {"a": rng.normal(size=(6, 4)).astype("float32"),
         "b": rng.normal(size=(6, 4)).astype("float32")}
    model.save(tmp_path / "k.keras")
    ours = nk.saving.load_model(tmp_path / "k.keras")
    _check_outputs(ours.predict(x, verbose=0), model.predict(x, verbose=0))

    built = _functional(nk)
    _randomize(built, rng)
    built.save(tmp_path / "n.keras")
    theirs = keras.saving.load_model(tmp_path / "n.keras")
    _check_outputs(theirs.predict(x, verbose=0), built.predict(x, verbose=0))


def test_keras_layer_order_is_replicated_for_branching_graphs(tmp_path, rng):
    """Keras names weights by class and position in model.layers: for a branching graph the
    replicated order is Keras's own, so every weight lands in its layer both ways."""
    from neurona.saving.keras_format.weights import keras_operation_order

    def graph(lib):
        L = lib.layers
        x = lib.Input((3,), name="x")
        left = L.Dense(4, name="left2")(L.Dense(4, name="left1")(x))
        right = L.Dense(4, name="right1")(x)
        deep = L.Dense(4, name="deep")(L.Add(name="add")([left, right]))
        skip = L.Dense(2, name="skip")(x)
        return lib.Model(x, L.Concatenate(name="cat")([deep, skip]))

    built, model = graph(nk), graph(keras)
    assert [layer.name for layer in keras_operation_order(built._graph)] == \
        [layer.name for layer in model.layers]
    _randomize(built, rng)
    x = rng.normal(size=(5, 3)).astype("float32")
    built.save(tmp_path / "n.keras")
    _close(keras.saving.load_model(tmp_path / "n.keras").predict(x, verbose=0),
           built.predict(x, verbose=0))
    _randomize(model, rng)
    model.save(tmp_path / "k.keras")
    _close(nk.saving.load_model(tmp_path / "k.keras").predict(x, verbose=0),
           model.predict(x, verbose=0))


@keras.saving.register_keras_serializable(package="travel")
class KerasBlock(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.heads = [keras.layers.Dense(2), keras.layers.Dense(2)]

    def call(self, x):
        h = self.hidden(x)
        return self.heads[0](h) + self.heads[1](h)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


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


def test_registered_subclassed_models_travel_by_attribute(tmp_path, rng):
    x = rng.normal(size=(4, 5)).astype("float32")
    model = KerasBlock(units=6)
    model(x)
    _randomize(model, rng)
    model.save(tmp_path / "k.keras")
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours) is Block and ours.units == 6
    _close(ours.predict(x, verbose=0), model.predict(x, verbose=0))
    ours.save(tmp_path / "n.keras")
    theirs = keras.saving.load_model(tmp_path / "n.keras")
    assert type(theirs) is KerasBlock
    _close(theirs.predict(x, verbose=0), model.predict(x, verbose=0))


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
])
def test_training_continues_across_the_libraries(optimizer, tmp_path, rng):
    """Train in neurona, save .keras, fine-tune in Keras, save, load back: the same weights
    as fine-tuning in neurona from its own state (optimizer slots and step count carried)."""
    x, y = _regression(rng)
    ours = nk.Sequential([nk.layers.Dense(8, activation="tanh", input_shape=[4]),
                          nk.layers.Dense(1)])
    ours.compile(optimizer=nk.optimizers.deserialize(optimizer), loss="mse", metrics=["mae"])
    ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    ours.save(tmp_path / "trained.keras")
    ours.save(tmp_path / "trained.neurona")

    theirs = keras.saving.load_model(tmp_path / "trained.keras")
    assert int(theirs.optimizer.iterations.numpy()) == 12
    theirs.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    theirs.save(tmp_path / "tuned.keras")

    mine = nk.saving.load_model(tmp_path / "trained.neurona")
    mine.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    back = nk.saving.load_model(tmp_path / "tuned.keras")
    assert back.optimizer.iterations == 20 == mine.optimizer.iterations
    for a, b in zip(back.get_weights(), mine.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    _close(back.predict(x, verbose=0), theirs.predict(x, verbose=0))


def test_keras_compile_settings_and_schedules_load(tmp_path, rng):
    x, y = _regression(rng)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=4, decay_rate=0.5)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mae",
                  metrics=["mse", keras.metrics.RootMeanSquaredError()])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "k.keras")
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours.optimizer).__name__ == "Adam" and ours.optimizer.iterations == 4
    assert callable(ours.optimizer._learning_rate)
    keras_eval = model.evaluate(x, y, verbose=0, return_dict=True)
    ours_eval = ours.evaluate(x, y, verbose=0, return_dict=True)
    assert ours_eval["loss"] == pytest.approx(keras_eval["loss"], rel=1e-5)
    assert ours_eval["root_mean_squared_error"] == pytest.approx(
        keras_eval["root_mean_squared_error"], rel=1e-5)
    assert not nk.saving.load_model(tmp_path / "k.keras", compile=False).compiled


def test_weights_h5_files_travel_both_ways(tmp_path, rng):
    kwargs, shape = {"filters": 3, "kernel_size": 2}, (6, 6, 2)
    theirs = keras.Sequential([keras.Input(shape), keras.layers.Conv2D(**kwargs),
                               keras.layers.BatchNormalization(), keras.layers.Flatten(),
                               keras.layers.Dense(2)])
    ours = nk.Sequential([nk.Input(shape), nk.layers.Conv2D(**kwargs),
                          nk.layers.BatchNormalization(), nk.layers.Flatten(),
                          nk.layers.Dense(2)])
    _randomize(theirs, rng)
    x = rng.normal(size=(3,) + shape).astype("float32")
    theirs.save_weights(tmp_path / "k.weights.h5")
    ours.load_weights(tmp_path / "k.weights.h5")
    _close(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))
    _randomize(ours, rng)
    ours.save_weights(tmp_path / "n.weights.h5")
    theirs.load_weights(tmp_path / "n.weights.h5")
    _close(theirs.predict(x, verbose=0), ours.predict(x, verbose=0))
    ours.load_weights(tmp_path / "k.weights.h5")  # the weights of a whole .keras file too
    theirs.save(tmp_path / "whole.keras")
    ours.load_weights(tmp_path / "whole.keras")
    _close(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))


def test_a_mismatched_weights_file_changes_nothing(tmp_path, rng):
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    theirs.save_weights(tmp_path / "k.weights.h5")
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


def test_keras_arguments_neurona_lacks_are_named_not_dropped(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(renorm=True)])
    model.save(tmp_path / "renorm.keras")
    with pytest.raises(ModelFileError, match=r"layer 'batch_normalization.*renorm=True"):
        nk.saving.load_model(tmp_path / "renorm.keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, lora_rank=2)])
    model.save(tmp_path / "lora.keras")
    with pytest.raises(ModelFileError, match=r"layer 'dense.*lora_rank=2"):
        nk.saving.load_model(tmp_path / "lora.keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="celu")])
    model.save(tmp_path / "celu.keras")
    with pytest.raises(ModelFileError, match="activation 'celu' has no neurona equivalent"):
        nk.saving.load_model(tmp_path / "celu.keras")
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.Conv1DTranspose(2, 2)])
    model.save(tmp_path / "conv.keras")
    with pytest.raises(ModelFileError, match="Conv1DTranspose.*no neurona equivalent"):
        nk.saving.load_model(tmp_path / "conv.keras")


def test_neurona_files_named_keras_still_load(tmp_path):
    """Before the extension chose the format, neurona wrote its own archive under any name."""
    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(1)])
    model.save(tmp_path / "m.neurona")
    os.rename(tmp_path / "m.neurona", tmp_path / "old.keras")
    with pytest.warns(DeprecationWarning, match="rename it to '.neurona'"):
        restored = nk.saving.load_model(tmp_path / "old.keras")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), restored.get_weights()))


def test_every_registered_layer_is_either_mapped_or_named_as_neurona_only():
    neurona_only = {"MinPooling1D", "MinPooling2D", "RReLU"}
    models = {"Model", "Functional", "Sequential"}
    builtin = {name for name, cls in LAYERS._entries.items()
               if cls.__module__.startswith("neurona.") and name == cls.__name__}
    assert builtin - models - neurona_only <= set(KERAS_LAYERS)


def test_legacy_h5_models_and_weights_load(tmp_path, rng):
    from keras.src.legacy.saving import legacy_h5_format

    x, y = _regression(rng)
    model = _functional(keras)
    _randomize(model, rng)
    model.compile(optimizer="adam", loss={"head": "mse", "side": "mse"})
    inputs = {"a": x, "b": x[::-1].copy()}
    targets = {"head": np.repeat(y, 2, axis=1), "side": (y > 0).astype("float32")}
    model.fit(inputs, targets, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "m.h5")  # Keras 3 still writes the legacy format
    ours = nk.saving.load_model(tmp_path / "m.h5", compile=False)
    _check_outputs(ours.predict(inputs, verbose=0), model.predict(inputs, verbose=0))

    sequential = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                                   keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    sequential.compile(optimizer="adam", loss="mse")
    sequential.fit(x, y, epochs=2, batch_size=16, verbose=0)
    sequential.save(tmp_path / "s.h5")
    restored = nk.saving.load_model(tmp_path / "s.h5")
    _close(restored.predict(x, verbose=0), sequential.predict(x, verbose=0))
    assert restored.optimizer.iterations == 8  # Keras 3's optimizer layout is restored
    with h5py.File(tmp_path / "w.h5", "w") as f:  # what save_weights("w.h5") wrote
        legacy_h5_format.save_weights_to_hdf5_group(f, sequential)
    fresh = nk.Sequential([nk.Input((4,)), nk.layers.Dense(3, activation="relu"),
                           nk.layers.BatchNormalization(), nk.layers.Dense(1)])
    fresh.load_weights(tmp_path / "w.h5")
    _close(fresh.predict(x, verbose=0), sequential.predict(x, verbose=0))


def test_a_lambda_in_a_legacy_h5_file_is_refused(tmp_path):
    """CVE-2025-9905: Keras's legacy loader ran Lambda bytecode whatever safe_mode said."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2.0)])
    model.save(tmp_path / "lambda.h5")
    with pytest.raises(ModelFileError, match=r"Lambda\).*never runs code"):
        nk.saving.load_model(tmp_path / "lambda.h5")


@keras.saving.register_keras_serializable(package="travel", name="scaled_square")
def keras_scaled_square(x):
    return 0.5 * x ** 2


@nk.saving.register_keras_serializable(package="travel", name="scaled_square")
def scaled_square(x):
    return 0.5 * x ** 2


def _keras_scale():
    """Keras's side of the custom layer: the same class name as neurona's (Keras keys a
    custom layer's weights by its class name)."""
    @keras.saving.register_keras_serializable(package="travel", name="Scale")
    class Scale(keras.layers.Layer):
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

    return Scale


KerasScale = _keras_scale()


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


def test_custom_layers_and_functions_registered_under_one_name_travel(tmp_path, rng):
    x = rng.normal(size=(3, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), KerasScale(3.0),
                              keras.layers.Dense(2, activation=keras_scaled_square)])
    _randomize(model, rng)
    model.save(tmp_path / "k.keras")
    ours = nk.saving.load_model(tmp_path / "k.keras")
    assert type(ours.layers[0]) is Scale and ours.layers[1].activation is scaled_square
    _close(ours.predict(x, verbose=0), model.predict(x, verbose=0))
    ours.save(tmp_path / "n.keras")
    theirs = keras.saving.load_model(tmp_path / "n.keras")
    assert type(theirs.layers[0]) is KerasScale
    _close(theirs.predict(x, verbose=0), model.predict(x, verbose=0))
