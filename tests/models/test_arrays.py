"""What fit/predict take as x, as Keras: a 1-D column for a one-feature input, text for
Input(dtype="string") only."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers

from ..helpers import real_keras


def test_predict_on_a_1d_array_for_one_feature_per_sample(rng):
    real = real_keras()
    x = rng.standard_normal(6).astype("float32")
    inputs = keras.Input((1,))
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    theirs_in = real.Input((1,))
    theirs = real.Model(theirs_in, real.layers.Dense(2)(theirs_in))
    theirs.set_weights(model.get_weights())
    ours = model.predict(x, verbose=0)
    assert ours.shape == (6, 2)
    np.testing.assert_allclose(ours, theirs.predict(x, verbose=0), rtol=1e-6)
    before = x.shape
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((6, 2)), epochs=1, verbose=0)
    assert x.shape == before  # the caller's array keeps its shape
    sequential = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    assert sequential.predict(x, verbose=0).shape == (6, 1)
    scalar_inputs = keras.Input(())  # a model of scalars takes the 1-D array as it is
    assert keras.Model(scalar_inputs, layers.Lambda(lambda t: t * 2.0)(scalar_inputs)).predict(
        x, verbose=0).shape == (6,)


def test_text_goes_only_to_string_inputs():
    words = keras.Input((1,), dtype="string")
    lookup = layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    model = keras.Model(words, layers.Dense(1)(lookup(words)))
    assert model.predict(np.array(["a", "b", "c"]), verbose=0).shape == (3, 1)
    assert model.predict(np.array([b"a", b"b"]), verbose=0).shape == (2, 1)  # bytes decoded
    numeric = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="non-numeric values.*Input\\(dtype='string'\\)"):
        numeric.predict(np.array([["a"], ["b"]]), verbose=0)
    assert words.dtype == "string" and keras.Input((1,), dtype=str).dtype == "string"


def test_a_sequential_model_on_strings_keeps_a_float_dtype():
    model = keras.Sequential([keras.Input((1,), dtype="string"),
                              layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot"),
                              layers.Dense(1)])
    assert model.dtype == "float32"
    model.compile("sgd", "mse")
    words, targets = np.array(["a", "b", "c"]), np.array([1.0, 2.0, 3.0])
    history = model.fit(words, targets, sample_weight=np.ones(3), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
