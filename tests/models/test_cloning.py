"""keras.models.clone_model, Model.to_json / keras.models.model_from_json, Model.output_names."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.models import clone_model, model_from_json


def _two_outputs():
    x = keras.Input((3,), name="x")
    hidden = layers.Dense(4, activation="relu")(x)
    return keras.Model(x, {"a": layers.Dense(1, name="a")(hidden),
                           "b": layers.Dense(2, activation="softmax", name="b")(hidden)})


def _sequential():
    return keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                             layers.Dropout(0.1), layers.Dense(1)])


@pytest.mark.parametrize("build", [_sequential, _two_outputs])
def test_a_clone_has_the_architecture_and_fresh_weights(build, rng):
    model = build()
    twin = clone_model(model)
    x = rng.standard_normal((5, 3))
    assert type(twin) is type(model) and twin is not model
    assert all(a is not b for a, b in zip(twin.layers, model.layers))
    assert [w.shape for w in twin.get_weights()] == [w.shape for w in model.get_weights()]
    assert any(not np.array_equal(a, b) for a, b in zip(twin.get_weights(), model.get_weights()))
    twin.set_weights(model.get_weights())
    ours, theirs = twin.predict(x, verbose=0), model.predict(x, verbose=0)
    for a, b in zip(keras.tree.flatten(ours), keras.tree.flatten(theirs)):
        np.testing.assert_array_equal(a, b)


def test_clone_function_call_function_and_input_tensors():
    model = _two_outputs()
    shared = clone_model(model, clone_function=lambda layer: layer)  # share every layer
    assert all(a is b for a, b in zip(shared.layers[1:], model.layers[1:]))
    calls = []

    def call_function(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    inputs = keras.Input((3,), name="fresh")
    twin = clone_model(model, input_tensors=inputs, call_function=call_function)
    assert twin.inputs[0] is inputs and sorted(calls) == sorted(["a", "b", model.layers[1].name])
    renamed = clone_model(_sequential(), clone_function=lambda layer: type(layer).from_config(
        {**layer.get_config(), "name": "clone_" + layer.name}))
    assert all(layer.name.startswith("clone_") for layer in renamed.layers)


def test_recursive_clones_nested_models_and_subclassed_models_clone_from_config():
    inner = _sequential()
    outer = keras.Sequential([keras.Input((3,)), inner, layers.Dense(2)])
    assert clone_model(outer).layers[0] is not inner
    seen = []
    clone_model(outer, clone_function=lambda l: seen.append(type(l).__name__) or l,
                recursive=True)
    assert seen == ["Dense", "Dropout", "Dense", "Dense"]  # the inner model's layers, not it

    class Scaled(keras.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units, self.dense = units, layers.Dense(units)

        def call(self, x):
            return self.dense(x) * 2.0

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    twin = clone_model(Scaled(units=3))
    assert isinstance(twin, Scaled) and twin.units == 3
    with pytest.raises(ValueError, match="subclassed model"):
        clone_model(Scaled(), clone_function=lambda layer: layer)


def test_bad_clone_arguments():
    with pytest.raises(TypeError, match="unexpected arguments"):
        clone_model(_sequential(), copy_weights=True)
    with pytest.raises(TypeError, match="clone_function must be callable"):
        clone_model(_sequential(), clone_function="dense")
    with pytest.raises(ValueError, match="has 1 inputs"):
        clone_model(_two_outputs(), input_tensors=[keras.Input((3,)), keras.Input((3,))])
    with pytest.raises(TypeError, match="must be a neurona Model"):
        clone_model(layers.Dense(2))


def test_to_json_and_model_from_json(rng):
    import json

    model = _two_outputs()
    text = model.to_json(indent=1)
    assert json.loads(text)["class_name"] == "Functional"  # as Keras 3 names it
    again = model_from_json(text)
    assert again.output_names == ["a", "b"]
    again.set_weights(model.get_weights())
    x = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(again.predict(x, verbose=0)["b"], model.predict(x, verbose=0)["b"])
    hostile = json.dumps({"module": "os", "class_name": "system", "config": {"command": "true"}})
    with pytest.raises(Exception, match="system|os"):
        model_from_json(hostile)


def test_output_names_and_a_flat_metrics_list_per_output():
    model = _two_outputs()
    assert model.output_names == ["a", "b"]
    model.compile("sgd", {"a": "mse", "b": "sparse_categorical_crossentropy"},
                  metrics=["mae", keras.metrics.SparseCategoricalAccuracy()])
    history = model.fit(np.ones((8, 3)), {"a": np.ones((8, 1)), "b": np.ones((8,))}, verbose=0)
    # Keras 3's names for metrics=[m_a, m_b] (entry i for output i)
    assert sorted(history.history) == ["a_loss", "a_mae", "b_loss",
                                       "b_sparse_categorical_accuracy", "loss"]
    with pytest.raises(ValueError, match="list of 2 entries"):
        model.compile("sgd", "mse", metrics=["mae", "mse", "mape"])
    with pytest.raises(AttributeError, match="output_names"):
        keras.Model().output_names  # noqa: B018
