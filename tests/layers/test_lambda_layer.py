"""Lambda runs any function in memory; a model holding one saves only when the function is
registered by name (a model file never carries code)."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.layers.lambda_layer import LAMBDA_FUNCTIONS

from ..helpers import assert_saved_model_predicts_the_same


def test_lambda_runs_trains_and_passes_arguments(rng):
    x = rng.standard_normal((16, 3)).astype("float32")
    inputs = keras.Input((3,))
    hidden = layers.Dense(4)(inputs)
    scaled = layers.Lambda(lambda t, factor: t * factor, arguments={"factor": 2.0})(hidden)
    model = keras.Model(inputs, layers.Dense(1)(scaled))
    dense = model.get_layer(index=1)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.get_layer(index=3)(2.0 * dense(x).numpy()).numpy(),
                               rtol=1e-6)
    model.compile("sgd", "mse")
    before = dense.get_weights()[0].copy()
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    assert not np.allclose(before, dense.get_weights()[0])  # gradients flow through the lambda


def test_output_shape_and_training_flag():
    seen = []

    def record(t, training=False):
        seen.append(training)
        return t[:, :2]

    layer = layers.Lambda(record, output_shape=(2,))
    assert layer.compute_output_shape((None, 5)) == (None, 2)
    layer(np.ones((1, 5)), training=True)
    assert seen == [True]
    inferred = layers.Lambda(lambda t: t[:, :3])
    assert inferred.compute_output_shape((None, 5)) == (None, 3)


def test_saving_needs_a_registered_function(tmp_path, rng):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Lambda(lambda t: t * 3.0)(inputs))
    with pytest.raises(ValueError, match="a model file never carries code.*"
                                         "register_keras_serializable"):
        model.save(tmp_path / "m.neurona")
    assert not (tmp_path / "m.neurona").exists()

    @keras.saving.register_keras_serializable()
    def cube_for_saving(t):
        return t * t * t

    try:
        registered = keras.Model(inputs, layers.Lambda(cube_for_saving)(inputs))
        loaded = assert_saved_model_predicts_the_same(registered, rng.standard_normal((2, 3)),
                                                      tmp_path)
        assert loaded.layers[1].function is cube_for_saving
    finally:
        LAMBDA_FUNCTIONS._entries.pop("cube_for_saving", None)
        LAMBDA_FUNCTIONS._folded.pop("cubeforsaving", None)


def test_loading_names_the_missing_function(tmp_path):
    def halve_for_loading(t):
        return t * 0.5

    layers.register_lambda_function()(halve_for_loading)
    inputs = keras.Input((2,))
    keras.Model(inputs, layers.Lambda(halve_for_loading)(inputs)).save(tmp_path / "h.neurona")
    LAMBDA_FUNCTIONS._entries.pop("halve_for_loading")
    LAMBDA_FUNCTIONS._folded.pop("halveforloading")
    with pytest.raises(keras.saving.ModelFileError, match="no registered function named "
                                                          "'halve_for_loading'"):
        keras.saving.load_model(tmp_path / "h.neurona")
    try:
        loaded = keras.saving.load_model(tmp_path / "h.neurona",
                                         custom_objects={"halve_for_loading": halve_for_loading})
        np.testing.assert_allclose(loaded.predict(np.ones((1, 2)), verbose=0), [[0.5, 0.5]])
    finally:
        LAMBDA_FUNCTIONS._entries.pop("halve_for_loading", None)
        LAMBDA_FUNCTIONS._folded.pop("halveforloading", None)


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="must be callable"):
        layers.Lambda(3)
    with pytest.raises(ValueError, match="mask is not supported"):
        layers.Lambda(lambda t: t, mask=lambda t, m: m)
    with pytest.raises(TypeError, match="arguments must be a dict"):
        layers.Lambda(lambda t: t, arguments=[1])
