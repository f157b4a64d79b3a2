"""BatchNormalization and LayerNormalization against PyTorch (float64) and closed forms."""

import numpy as np
import pytest

import neurona as keras
import neurona.functions as F
from neurona import layers
from neurona.autograd import Tensor

torch = pytest.importorskip("torch")

MOMENTUM, EPS = 0.9, 1e-3


def _bn_pair(channels, rng, dim):
    """Our layer and torch's with the same random gamma/beta (float64)."""
    ours = layers.BatchNormalization(momentum=MOMENTUM, epsilon=EPS, dtype="float64")
    ours(np.zeros((1, channels) if dim == 1 else (1, 2, 2, channels)))  # builds it
    gamma, beta = rng.uniform(0.5, 1.5, channels), rng.standard_normal(channels)
    ours.gamma.assign(gamma)
    ours.beta.assign(beta)
    ref = (torch.nn.BatchNorm1d if dim == 1 else torch.nn.BatchNorm2d)(
        channels, eps=EPS, momentum=1 - MOMENTUM).double()  # torch's momentum = 1 - Keras's
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
    return ours, ref


def _run_ours(layer, x, g, ops, training):
    xt = Tensor(ops.asarray(x), requires_grad=True)
    y = layer(xt, training=training)
    y.backward(ops.asarray(g))
    return (ops.to_numpy(y.data), ops.to_numpy(xt.grad), ops.to_numpy(layer.gamma.grad),
            ops.to_numpy(layer.beta.grad))


def _run_torch(module, x, g, to_torch, from_torch):
    xt = torch.tensor(to_torch(x), requires_grad=True)
    y = module(xt)
    y.backward(torch.from_numpy(to_torch(g)))
    return (from_torch(y.detach().numpy()), from_torch(xt.grad.numpy()),
            module.weight.grad.numpy(), module.bias.grad.numpy())


# NHWC (ours) <-> NCHW (torch)
LAYOUTS = {1: (lambda a: a, lambda a: a),
           2: (lambda a: np.ascontiguousarray(a.transpose(0, 3, 1, 2)),
               lambda a: a.transpose(0, 2, 3, 1))}


@pytest.mark.parametrize("dim, shape", [(1, (16, 5)), (2, (4, 3, 5, 6))])
def test_batch_norm_training_matches_torch(dim, shape, ops, rng):
    ours, ref = _bn_pair(shape[-1], rng, dim)
    to_torch, from_torch = LAYOUTS[dim]
    count = np.prod(shape[:-1])
    keras_var = torch_var = np.ones(shape[-1])
    for _ in range(3):  # the moving statistics accumulate over steps
        x = rng.normal(2.0, 3.0, shape)
        g = rng.standard_normal(shape)
        ours.gamma.grad = ours.beta.grad = None
        ref.zero_grad()
        got = _run_ours(ours, x, g, ops, training=True)
        want = _run_torch(ref.train(), x, g, to_torch, from_torch)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(ops.to_numpy(ours.moving_mean.data), ref.running_mean.numpy(),
                                   rtol=1e-12)
        # Keras (and we) move the variance with the biased batch variance, torch the unbiased
        biased = x.reshape(-1, shape[-1]).var(axis=0)
        keras_var = MOMENTUM * keras_var + (1 - MOMENTUM) * biased
        torch_var = MOMENTUM * torch_var + (1 - MOMENTUM) * biased * count / (count - 1)
        np.testing.assert_allclose(ops.to_numpy(ours.moving_variance.data), keras_var, rtol=1e-12)
        np.testing.assert_allclose(ref.running_var.numpy(), torch_var, rtol=1e-12)


def test_moving_statistics_follow_keras_momentum_rule(rng):
    layer = layers.BatchNormalization(momentum=0.8, dtype="float64")
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(4):
        x = rng.normal(1.0, 2.0, (10, 3))
        layer(x, training=True)
        mean = 0.8 * mean + 0.2 * x.mean(axis=0)
        var = 0.8 * var + 0.2 * x.var(axis=0)  # biased (ddof=0), as Keras
        np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-12)
        np.testing.assert_allclose(layer.moving_variance.numpy(), var, rtol=1e-12)


@pytest.mark.parametrize("dim, shape", [(1, (16, 5)), (2, (4, 3, 5, 6))])
def test_batch_norm_inference_matches_torch_eval(dim, shape, ops, rng):
    ours, ref = _bn_pair(shape[-1], rng, dim)
    ours.moving_mean.assign(rng.standard_normal(shape[-1]))
    ours.moving_variance.assign(rng.uniform(0.5, 2.0, shape[-1]))
    with torch.no_grad():
        ref.running_mean.copy_(torch.from_numpy(ours.moving_mean.numpy()))
        ref.running_var.copy_(torch.from_numpy(ours.moving_variance.numpy()))
    to_torch, from_torch = LAYOUTS[dim]
    x, g = rng.normal(1.0, 2.0, shape), rng.standard_normal(shape)
    before = ours.get_weights()
    got = _run_ours(ours, x, g, ops, training=False)
    want = _run_torch(ref.eval(), x, g, to_torch, from_torch)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(before, ours.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_norm_channels_first_axis_matches_torch(rng):
    x, g = rng.normal(0.5, 2.0, (5, 4, 7)), rng.standard_normal((5, 4, 7))
    ours = layers.BatchNormalization(axis=1, epsilon=EPS, dtype="float64")
    ref = torch.nn.BatchNorm1d(4, eps=EPS).double()  # (N, C, L): channels on axis 1
    got = _run_ours(ours, x, g, keras.backend.get_ops(), training=True)
    want = _run_torch(ref, x, g, lambda a: a, lambda a: a)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)
    assert ours.gamma.shape == (4,)


def test_frozen_batch_norm_runs_in_inference_mode(rng):
    layer = layers.BatchNormalization(dtype="float64")
    x = rng.normal(3.0, 2.0, (8, 3))
    layer(x, training=True)
    layer.trainable = False
    before = layer.get_weights()
    frozen = layer(x, training=True).numpy()
    np.testing.assert_array_equal(frozen, layer(x, training=False).numpy())
    mean, var = before[2], before[3]
    np.testing.assert_allclose(frozen, (x - mean) / np.sqrt(var + 1e-3) * before[0] + before[1])
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_weights_and_their_trainability():
    layer = layers.BatchNormalization(center=False)
    layer(np.zeros((1, 3)))
    assert [v.name for v in layer.trainable_weights] == ["gamma"]
    assert [v.name for v in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert layer.count_params() == 9


def test_batch_norm_as_the_first_layer_standardizes_raw_features(rng):
    x = rng.normal([100.0, -5.0, 0.01], [30.0, 2.0, 0.001], (256, 3)).astype(np.float32)
    y = x @ np.array([0.02, -0.5, 1000.0], dtype=np.float32)
    model = keras.Sequential([layers.BatchNormalization(input_shape=[3], momentum=0.8),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mae")
    model.fit(x, y, epochs=10, batch_size=32, verbose=0, seed=0)
    bn = model.layers[0]
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(axis=0), rtol=0.05)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x.var(axis=0), rtol=0.3)
    assert np.isfinite(model.predict(x, verbose=0)).all()


@pytest.mark.parametrize("shape, axis", [((6, 8), -1), ((3, 4, 5), [1, 2]), ((3, 4, 5), [-1, 1])])
def test_layer_norm_matches_torch(shape, axis, ops, rng):
    x, g = rng.normal(1.0, 2.0, shape), rng.standard_normal(shape)
    layer = layers.LayerNormalization(axis=axis, dtype="float64")
    layer(np.zeros(shape))
    normalized = shape[-1:] if axis == -1 else shape[1:]
    gamma, beta = rng.uniform(0.5, 1.5, normalized), rng.standard_normal(normalized)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    got = _run_ours(layer, x, g, ops, training=True)
    xt = torch.tensor(x, requires_grad=True)
    wt, bt = (torch.tensor(a, requires_grad=True) for a in (gamma, beta))
    yt = torch.nn.functional.layer_norm(xt, normalized, wt, bt, eps=1e-3)
    yt.backward(torch.from_numpy(g))
    for a, b in zip(got, (yt.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


def test_layer_norm_without_affine_is_standardization(rng):
    x = rng.normal(2.0, 3.0, (4, 7))
    out = layers.LayerNormalization(center=False, scale=False, epsilon=0.0, dtype="float64")(x)
    want = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("layer", [
    layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-4, center=False,
                              gamma_regularizer="l2", beta_constraint="non_neg",
                              moving_variance_initializer="zeros", name="bn"),
    layers.BatchNormalization(input_shape=[11]),
    layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, scale=False, beta_initializer="ones"),
])
def test_get_config_round_trips(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert layers.get(type(layer).__name__) is type(layer)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.BatchNormalization(momentum=1.5),
     r"^BatchNormalization: momentum must be in \[0.0, 1.0\], got momentum=1.5$"),
    (lambda: layers.LayerNormalization(epsilon=-1.0),
     r"^LayerNormalization: epsilon must be >= 0.0, got epsilon=-1.0$"),
    (lambda: layers.BatchNormalization(axis="channels"),
     r"BatchNormalization: axis must be an integer \(an axis\), got axis='channels'"),
    (lambda: layers.LayerNormalization(axis=[1, 2.0]),
     r"LayerNormalization: axis must be an integer \(an axis\), got axis=2.0"),
    (lambda: layers.BatchNormalization(synchronized=True), "synchronized=False"),
    (lambda: layers.BatchNormalization(gamma_initializer="onez"), "Unknown initializer"),
    (lambda: layers.LayerNormalization(axis=[]), "normalizes nothing"),
])
def test_bad_arguments_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_axis_and_shape_mismatch_at_call():
    with pytest.raises(ValueError, match=r"BatchNormalization: axis must be an axis of a "
                                         r"2-dimensional input, in \[-2, 1\], got axis=2"):
        layers.BatchNormalization(axis=2)(np.ones((4, 3)))
    layer = layers.BatchNormalization()
    layer(np.ones((4, 3)))
    with pytest.raises(ValueError, match="axis 1 must have size 3"):
        layer(np.ones((4, 5)))


def test_functional_batch_norm_needs_statistics_in_inference():
    with pytest.raises(ValueError, match="pass both"):
        F.batch_norm(np.ones((4, 3)))
    with pytest.raises(ValueError, match="gamma has shape"):
        F.batch_norm(np.ones((4, 3)), gamma=np.ones(4), training=True)
