"""Normalization and Discretization: Keras 3's results (adapt on arrays and on batches, given
statistics, invert, any axis; quantile boundaries), saved with the model as data."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.utils import ArrayDataset

from ..helpers import assert_saved_model_predicts_the_same, real_keras


@pytest.mark.parametrize("axis, shape", [(-1, (40, 3)), (None, (40, 3)), ((1, 2), (30, 4, 3)),
                                         (1, (30, 4, 3))])
def test_adapted_normalization_matches_keras(axis, shape, rng):
    real = real_keras()
    data = rng.normal(5.0, 3.0, size=shape).astype("float32")
    ours, theirs = layers.Normalization(axis=axis), real.layers.Normalization(axis=axis)
    ours.adapt(data)
    theirs.adapt(data)
    x = rng.normal(5.0, 3.0, size=(6,) + shape[1:]).astype("float32")
    np.testing.assert_allclose(ours(x).numpy(), real.ops.convert_to_numpy(theirs(x)), rtol=1e-4,
                               atol=1e-5)
    assert [w.name for w in ours.weights] == ["mean", "variance", "count"]


def test_adapt_on_batches_equals_adapt_on_the_array(rng):
    data = rng.normal(2.0, 4.0, size=(103, 4))
    whole, batched, generated = (layers.Normalization() for _ in range(3))
    whole.adapt(data)
    batched.adapt(ArrayDataset(data, np.zeros(103), batch_size=10))  # (x, y) batches use x
    generated.adapt(data[i:i + 7] for i in range(0, 103, 7))
    for layer in (batched, generated):
        for a, b in zip(layer.get_weights(), whole.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(whole.get_weights()[0], data.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(whole.get_weights()[1], data.var(axis=0), rtol=1e-6)
    assert whole.get_weights()[2] == 103


@pytest.mark.parametrize("invert", [False, True])
def test_given_statistics_and_invert_match_keras(invert, rng):
    real = real_keras()
    x = rng.standard_normal((5, 3)).astype("float32")
    mean, variance = [1.0, -2.0, 0.5], [4.0, 0.25, 0.0]
    ours = layers.Normalization(mean=mean, variance=variance, invert=invert)
    theirs = real.layers.Normalization(mean=mean, variance=variance, invert=invert)
    np.testing.assert_allclose(ours(x).numpy(), real.ops.convert_to_numpy(theirs(x)), rtol=1e-5)


def test_gradient_flows_through_normalization():
    layer = layers.Normalization(mean=2.0, variance=4.0, dtype="float64")
    x = keras.Tensor(np.array([[1.0, 3.0]]), requires_grad=True)
    keras.functions.sum(layer(x)).backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0.5]])


DISCRETIZATION_CASES = [
    dict(bin_boundaries=[-1.0, 0.0, 1.5]),
    dict(bin_boundaries=[0.0, 1.0], output_mode="one_hot"),
    dict(bin_boundaries=[0.0, 1.0, 2.0], output_mode="multi_hot"),
    dict(bin_boundaries=[0.0, 1.0, 2.0], output_mode="count"),
]


@pytest.mark.parametrize("kwargs", DISCRETIZATION_CASES)
def test_discretization_matches_keras(kwargs, rng):
    real = real_keras()
    x = rng.normal(0.5, 1.5, size=(6, 4)).astype("float32")
    if kwargs.get("output_mode") == "one_hot":
        x = x[:, :1]
    ours, theirs = layers.Discretization(**kwargs), real.layers.Discretization(**kwargs)
    np.testing.assert_array_equal(ours(x).numpy(), real.ops.convert_to_numpy(theirs(x)))


@pytest.mark.parametrize("num_bins, epsilon, batches", [(4, 0.01, 1), (5, 0.01, 4),
                                                        (3, 0.1, 3)])
def test_adapted_boundaries_match_keras(num_bins, epsilon, batches, rng):
    real = real_keras()
    data = rng.exponential(2.0, size=(400, 1)).astype("float32")
    ours = layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    theirs = real.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    parts = np.array_split(data, batches)
    ours.adapt(parts if batches > 1 else data)
    # Keras's adapt() checks for tf.data first (TensorFlow is not installed); its own two steps
    for part in parts:
        theirs.update_state(part)
    theirs.finalize_state()
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    np.testing.assert_array_equal(ours(data).numpy(), real.ops.convert_to_numpy(theirs(data)))


def test_adapted_layers_travel_in_the_model_file(tmp_path, rng):
    data = rng.normal(3.0, 2.0, size=(50, 2)).astype("float32")
    norm = layers.Normalization()
    norm.adapt(data)
    bins = layers.Discretization(num_bins=4, output_mode="one_hot")
    bins.adapt(data[:, :1])
    inputs = keras.Input((2,))
    first = layers.Lambda(lambda t: t[:, :1], output_shape=(1,))
    keras.saving.register_keras_serializable(name="first_column_for_test")(first.function)
    outputs = layers.concatenate([norm(inputs), bins(first(inputs))])
    model = keras.Model(inputs, layers.Dense(1)(outputs))
    loaded = assert_saved_model_predicts_the_same(model, data, tmp_path)
    assert loaded.get_layer(norm.name).get_weights()[2] == 50
    assert loaded.get_layer(bins.name).bin_boundaries == bins.bin_boundaries
    assert loaded.get_layer(bins.name).get_config() == bins.get_config()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="both mean and variance"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="NaN or inf"):
        layers.Normalization().adapt(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="cannot adapt"):
        layers.Normalization(mean=1.0, variance=1.0).adapt(np.ones((2, 1)))
    with pytest.raises(ValueError, match="batch axis"):
        layers.Normalization(axis=0)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="give bin_boundaries, or num_bins"):
        layers.Discretization()
    with pytest.raises(ValueError, match="sorted list"):
        layers.Discretization(bin_boundaries=[1.0, 0.0])
    with pytest.raises(ValueError, match="call adapt"):
        layers.Discretization(num_bins=3)(np.ones((2, 1)))
    with pytest.raises(ValueError, match="sparse=True is not supported"):
        layers.Discretization(bin_boundaries=[0.0], output_mode="one_hot", sparse=True)


def test_normalization_refuses_a_variance_beyond_float32_instead_of_zeroing_the_feature():
    layer = layers.Normalization()
    with pytest.raises(ValueError, match=r"the variance of the adapt data \(2.22e\+59\) does "
                                         r"not fit in float32"):
        layer.adapt(np.array([[1.0], [2.0], [1e30]]))
    layer = layers.Normalization()
    layer.adapt(np.array([[1.0], [2.0], [3e15]]))  # large but representable: standardized
    np.testing.assert_allclose(np.asarray(layer(np.array([[3e15]])).data), [[2 ** 0.5]],
                               rtol=1e-5)
