"""Keras 3's serialization helpers, written the way keras.io's "Save, serialize, and export
models" guide writes them: register_keras_serializable, custom_objects, custom_object_scope,
get_custom_objects, serialize_keras_object / deserialize_keras_object, layers.serialize /
deserialize, Model.from_config(..., custom_objects=...). A name resolves only to neurona's
classes or to what the user registered."""

import os
import sys

import numpy as np
import pytest

import neurona as keras
from neurona.layers.layer import LAYERS
from neurona.registry import GLOBAL_CUSTOM_NAMES, GLOBAL_CUSTOM_OBJECTS
from neurona.saving import ModelFileError


@pytest.fixture(autouse=True)
def _clean_custom_objects():
    """Each test registers its own classes; the global table is restored afterwards."""
    objects, names = dict(GLOBAL_CUSTOM_OBJECTS), dict(GLOBAL_CUSTOM_NAMES)
    yield
    GLOBAL_CUSTOM_OBJECTS.clear(), GLOBAL_CUSTOM_OBJECTS.update(objects)
    GLOBAL_CUSTOM_NAMES.clear(), GLOBAL_CUSTOM_NAMES.update(names)


def _guide_objects():
    @keras.saving.register_keras_serializable(package="MyLayers")
    class CustomLayer(keras.layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
    def custom_fn(x):
        return x ** 2

    return CustomLayer, custom_fn


def test_the_guides_custom_layer_and_function_round_trip(tmp_path):
    CustomLayer, custom_fn = _guide_objects()
    assert keras.saving.get_registered_name(CustomLayer) == "MyLayers>CustomLayer"
    assert keras.saving.get_registered_name(custom_fn) == "my_package>custom_fn"
    assert keras.saving.get_custom_objects()["my_package>custom_fn"] is custom_fn
    model = keras.Sequential([keras.Input((3,)), CustomLayer(0.5),
                              keras.layers.Dense(2, activation=custom_fn)])
    x = np.arange(6, dtype="float32").reshape(2, 3)
    for name in ("custom.neurona", "custom.keras"):
        model.save(tmp_path / name)
        reconstructed = keras.models.load_model(tmp_path / name)
        assert type(reconstructed.layers[0]) is CustomLayer
        assert reconstructed.layers[1].activation is custom_fn
        np.testing.assert_array_equal(reconstructed.predict(x, verbose=0),
                                      model.predict(x, verbose=0))


def test_custom_objects_and_scopes_hold_only_where_they_are_given(tmp_path):
    class Halver(keras.layers.Layer):  # not registered
        def call(self, x):
            return x * 0.5

    config = {"class_name": "Halver", "config": {"name": "h"}}
    with pytest.raises(ValueError, match="Unknown layer 'Halver'"):
        keras.layers.deserialize(config)
    assert type(keras.layers.deserialize(config, custom_objects={"Halver": Halver})) is Halver
    with keras.saving.custom_object_scope({"Halver": Halver}):
        assert type(keras.layers.deserialize(config)) is Halver
        with keras.saving.custom_object_scope({"Halver": keras.layers.Identity}):
            assert type(keras.layers.deserialize(config)) is keras.layers.Identity  # innermost
    with pytest.raises(ValueError, match="Unknown layer 'Halver'"):
        keras.layers.deserialize(config)
    keras.saving.get_custom_objects()["Halver"] = Halver  # editing the table registers
    assert type(keras.layers.deserialize(config)) is Halver
    assert keras.saving.get_registered_object("Halver") is Halver
    with pytest.raises(TypeError, match="class or a function"):
        keras.saving.custom_object_scope({"x": 1})


def test_serialize_and_deserialize_keras_object_round_trip():
    objects = [keras.initializers.HeNormal(seed=3), keras.regularizers.L1L2(l1=0.1, l2=0.2),
               keras.constraints.MaxNorm(2.0), keras.optimizers.Adam(learning_rate=0.01),
               keras.losses.Huber(delta=2.0), keras.metrics.AUC(num_thresholds=50),
               keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)]
    for obj in objects:
        serialized = keras.saving.serialize_keras_object(obj)
        assert serialized["module"].startswith("keras.") and serialized["registered_name"] is None
        rebuilt = keras.saving.deserialize_keras_object(serialized)
        assert type(rebuilt) is type(obj) and rebuilt.get_config() == obj.get_config()
    layer = keras.layers.Dense(4, activation="relu", kernel_regularizer="l2")
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(rebuilt, keras.layers.Dense) and rebuilt.get_config() == layer.get_config()
    assert keras.layers.deserialize(keras.layers.serialize(layer)).get_config() == \
        layer.get_config()
    relu = keras.saving.serialize_keras_object(keras.activations.get("relu"))
    assert relu == {"module": "builtins", "class_name": "function", "config": "relu",
                    "registered_name": "function"}
    assert keras.saving.deserialize_keras_object(relu) == "relu"
    array = keras.saving.serialize_keras_object(np.array([1.0, 2.0]))
    assert keras.saving.deserialize_keras_object(array) == [1.0, 2.0]
    with pytest.raises(TypeError, match="lambda"):
        keras.saving.serialize_keras_object(lambda x: x)


def test_a_layer_holding_a_sublayer_serializes_it_as_the_guide_does(tmp_path):
    @keras.saving.register_keras_serializable(package="guide")
    class Wrapper(keras.layers.Layer):
        def __init__(self, inner, **kwargs):
            super().__init__(**kwargs)
            self.inner = inner

        def call(self, x):
            return self.inner(x) + 1.0

        def get_config(self):
            return {**super().get_config(),
                    "inner": keras.saving.serialize_keras_object(self.inner)}

        @classmethod
        def from_config(cls, config):
            config["inner"] = keras.saving.deserialize_keras_object(config["inner"])
            return cls(**config)

    model = keras.Sequential([keras.Input((3,)), Wrapper(keras.layers.Dense(2, name="in"))])
    x = np.ones((2, 3), dtype="float32")
    for name in ("w.neurona", "w.keras"):
        model.save(tmp_path / name)
        restored = keras.models.load_model(tmp_path / name)
        np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_from_config_takes_custom_objects():
    class Twice(keras.layers.Layer):
        def call(self, x):
            return x * 2.0

    LAYERS.add("Twice", Twice)  # registered for get_config's check only while building
    inputs = keras.Input((2,))
    model = keras.Model(inputs, Twice(name="twice")(inputs))
    config = model.get_config()
    sequential = keras.Sequential([keras.Input((2,)), Twice()]).get_config()
    LAYERS._entries.pop("Twice"), LAYERS._folded.pop("twice")
    with pytest.raises(ValueError, match="Unknown layer 'Twice'"):
        keras.Model.from_config(config)
    rebuilt = keras.Model.from_config(config, custom_objects={"Twice": Twice})
    assert type(rebuilt.get_layer("twice")) is Twice
    assert type(keras.Sequential.from_config(sequential, custom_objects={"Twice": Twice})
                .layers[0]) is Twice


def test_deserializing_never_reaches_modules_named_in_a_config():
    for config in ({"module": "os", "class_name": "system", "config": "touch x",
                    "registered_name": None},
                   {"module": "neurona_probe_module", "class_name": "Evil", "config": {},
                    "registered_name": "probe>Evil"},
                   {"module": "keras.layers", "class_name": "Lambda",
                    "config": {"name": "l", "function": {"class_name": "__lambda__",
                                                         "config": {"code": "AA=="}}},
                    "registered_name": None}):
        with pytest.raises(ModelFileError):
            keras.saving.deserialize_keras_object(config)
    assert "neurona_probe_module" not in sys.modules
    assert not os.path.exists("x")
