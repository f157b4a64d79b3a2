"""Dropout-family layers: closed forms, statistics, seeding (own seed and fit's), configs."""

import re

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor
from neurona.functions.activation import SELU_ALPHA, SELU_SCALE
from neurona.random import set_random_seed

NOISE_LAYERS = [
    lambda **k: layers.Dropout(0.3, **k),
    lambda **k: layers.GaussianNoise(0.3, **k),
    lambda **k: layers.GaussianDropout(0.3, **k),
    lambda **k: layers.AlphaDropout(0.3, **k),
]


@pytest.mark.parametrize("make", NOISE_LAYERS)
def test_identity_in_inference(make, ops, rng):
    x = rng.standard_normal((5, 4)).astype(np.float32)
    layer = make(seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    assert not np.array_equal(layer(x, training=True).numpy(), x)


def test_dropout_inverted_scaling_and_gradient_uses_the_mask(ops, rng):
    x = Tensor(rng.uniform(1.0, 2.0, (50, 40)), requires_grad=True)
    y = layers.Dropout(0.25, seed=3, dtype="float64")(x, training=True)
    out, xs = y.numpy(), x.numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], xs[kept] / 0.75, rtol=1e-12)
    assert abs(1 - kept.mean() - 0.25) < 0.03
    g = rng.standard_normal(out.shape)
    y.backward(ops.asarray(g))
    np.testing.assert_allclose(ops.to_numpy(x.grad), np.where(kept, g / 0.75, 0.0), rtol=1e-12)


def test_dropout_preserves_the_mean():
    out = layers.Dropout(0.4, seed=0)(np.ones((400, 500)), training=True).numpy()
    assert abs(out.mean() - 1.0) < 0.01
    assert abs((out == 0).mean() - 0.4) < 0.005


def test_same_seed_same_mask_and_fresh_masks_per_call():
    x = np.ones((20, 30))
    a, b = layers.Dropout(0.5, seed=7), layers.Dropout(0.5, seed=7)
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())
    assert not np.array_equal(first, a(x, training=True).numpy())


def test_unseeded_layers_follow_the_library_seed():
    x = np.ones((20, 30))
    set_random_seed(5)
    first = layers.Dropout(0.5)(x, training=True).numpy()
    set_random_seed(5)
    np.testing.assert_array_equal(first, layers.Dropout(0.5)(x, training=True).numpy())


def test_noise_shape_shares_the_mask():
    out = layers.Dropout(0.5, noise_shape=(None, 1, 4), seed=2)(np.ones((6, 5, 4)), training=True)
    out = out.numpy()
    assert (out == out[:, :1, :]).all() and set(np.unique(out)) == {0.0, 2.0}
    with pytest.raises(ValueError, match="noise_shape"):
        layers.Dropout(0.5, noise_shape=(None, 2, 4))(np.ones((6, 5, 4)), training=True)


@pytest.mark.parametrize("make, shape, channel", [
    (lambda: layers.SpatialDropout1D(0.5, seed=1), (8, 7, 6), -1),
    (lambda: layers.SpatialDropout2D(0.5, seed=1), (8, 3, 4, 6), -1),
    (lambda: layers.SpatialDropout2D(0.5, data_format="channels_first", seed=1), (8, 6, 3, 4), 1),
    (lambda: layers.SpatialDropout3D(0.5, seed=1), (4, 2, 3, 2, 6), -1),
])
def test_spatial_dropout_drops_whole_channels(make, shape, channel):
    out = make()(np.ones(shape), training=True).numpy()
    maps = np.moveaxis(out, channel, 1).reshape(shape[0], shape[channel], -1)
    assert (maps == maps[:, :, :1]).all()  # one value per (sample, channel)
    assert set(np.unique(maps)) == {0.0, 2.0}


def test_spatial_dropout_checks_the_rank():
    with pytest.raises(ValueError, match="must have 4 dimensions"):
        layers.SpatialDropout2D(0.5)(np.ones((2, 3, 4)), training=True)


def test_gaussian_noise_and_dropout_statistics():
    x = np.full((500, 400), 2.0)
    noise = layers.GaussianNoise(0.5, seed=0)(x, training=True).numpy() - x
    assert abs(noise.mean()) < 0.005 and abs(noise.std() - 0.5) < 0.005
    ratio = layers.GaussianDropout(0.2, seed=0)(x, training=True).numpy() / x
    assert abs(ratio.mean() - 1) < 0.005 and abs(ratio.std() - np.sqrt(0.2 / 0.8)) < 0.005


def test_alpha_dropout_closed_form_and_self_normalization(rng):
    rate = 0.2
    alpha_p = -SELU_ALPHA * SELU_SCALE
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    x = rng.standard_normal((1000, 200))  # mean 0, variance 1: SELU's fixed point
    out = layers.AlphaDropout(rate, seed=4, dtype="float64")(x, training=True).numpy()
    dropped = np.isclose(out, a * alpha_p + b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out[~dropped], a * x[~dropped] + b, rtol=1e-12)
    assert abs(dropped.mean() - rate) < 0.005
    assert abs(out.mean()) < 0.01 and abs(out.var() - 1) < 0.01


def _train(fit_seed, dropout_seed=None):
    set_random_seed(0)  # same initial weights every time
    model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=(4,)),
                              layers.Dropout(0.5, seed=dropout_seed), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    data = np.random.default_rng(0)
    x, y = data.standard_normal((32, 4)), data.standard_normal(32)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0, seed=fit_seed)
    return model.get_weights()


def test_fit_seed_controls_the_masks():
    same = _train(1), _train(1)
    for u, v in zip(*same):
        np.testing.assert_array_equal(u, v)
    assert any(not np.array_equal(u, v) for u, v in zip(same[0], _train(2)))
    # a layer given its own seed ignores fit's
    for u, v in zip(_train(1, dropout_seed=3), _train(2, dropout_seed=3)):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("layer", [
    layers.Dropout(0.3, noise_shape=(None, 1), seed=2, name="drop"),
    layers.SpatialDropout1D(0.2, seed=1),
    layers.SpatialDropout2D(0.2, data_format="channels_first"),
    layers.SpatialDropout3D(0.1),
    layers.GaussianNoise(0.4, seed=3),
    layers.GaussianDropout(0.25),
    layers.AlphaDropout(0.1, noise_shape=(None, 4), seed=9),
])
def test_get_config_round_trips(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert layers.get(type(layer).__name__) is type(layer)


@pytest.mark.parametrize("make", [layers.Dropout, layers.GaussianDropout, layers.AlphaDropout,
                                  layers.SpatialDropout1D, layers.SpatialDropout2D])
@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", True, None])
def test_bad_rates_raise_clear_errors(make, rate):
    what = r"in \[0.0, 1.0\)" if isinstance(rate, float) else "a finite number"
    with pytest.raises(ValueError, match=rf"^{make.__name__}: rate must be {what}, got "
                                         rf"rate={re.escape(repr(rate))}; it is the fraction"):
        make(rate)


@pytest.mark.parametrize("kwargs, match", [
    ({"stddev": -1.0}, "GaussianNoise: stddev must be >= 0.0, got stddev=-1.0"),
    ({"stddev": float("inf")}, "GaussianNoise: stddev must be a finite number, got stddev=inf"),
    ({"stddev": 0.1, "seed": -3}, "GaussianNoise: seed must be an integer >= 0 or None, got "
                                  "seed=-3"),
])
def test_bad_gaussian_noise_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.GaussianNoise(**kwargs)


@pytest.mark.parametrize("noise_shape", ["abc", (2, 0), (2, 1.5)])
def test_bad_noise_shape(noise_shape):
    with pytest.raises(ValueError, match="noise_shape"):
        layers.Dropout(0.5, noise_shape=noise_shape)


def test_unknown_keyword_is_rejected():
    with pytest.raises(TypeError):
        layers.Dropout(0.5, rte=0.1)
