"""ActivityRegularization adds Keras 3's penalty (divided by the batch size) to the training
loss and passes its input through."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers

from ..helpers import assert_saved_model_predicts_the_same, real_keras


def test_penalty_matches_keras_and_enters_the_loss(rng, tmp_path):
    real = real_keras()
    x = rng.standard_normal((8, 3)).astype("float32")
    layer = layers.ActivityRegularization(l1=0.01, l2=0.1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    theirs = real.layers.ActivityRegularization(l1=0.01, l2=0.1)
    theirs(x)
    np.testing.assert_allclose(float(layer.losses[0]), float(theirs.losses[0]), rtol=1e-6)
    np.testing.assert_allclose(float(layer.losses[0]),
                               (0.01 * np.abs(x).sum() + 0.1 * (x ** 2).sum()) / 8, rtol=1e-6)
    model = keras.Sequential([keras.Input((3,)), layers.ActivityRegularization(l2=1.0)])
    model.compile("sgd", "mse")
    zeros = np.zeros((8, 3), "float32")
    assert model.evaluate(x, x, verbose=0) == pytest.approx((x ** 2).sum() / 8, rel=1e-5)
    assert model.evaluate(zeros, zeros, verbose=0) == 0.0
    assert_saved_model_predicts_the_same(model, x, tmp_path)


def test_negative_factors_are_refused():
    with pytest.raises(ValueError, match="l1 must be >= 0.0, got l1=-1.0"):
        layers.ActivityRegularization(l1=-1.0)
