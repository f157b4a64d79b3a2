"""Activations: values and gradients against PyTorch, stability for large |x|, the registry and
the activation layers."""

import numpy as np
import pytest

import neurona.functions as F
from neurona import activations, layers
from neurona.autograd import Tensor
from neurona.functions import activation as act

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _run(fn, x, weights):
    """Our output and d(sum(out * weights))/dx, as NumPy arrays."""
    t = Tensor(x, requires_grad=True)
    out = fn(t)
    out.backward(out.ops.asarray(weights))
    return out.numpy(), t.ops.to_numpy(t.grad)


def _torch_run(fn, x, weights):
    t = torch.tensor(x, requires_grad=True)
    out = fn(t)
    (out * torch.tensor(weights)).sum().backward()
    return out.detach().numpy(), t.grad.numpy()


# (name, ours, torch's); the inputs avoid the kinks at 0, +-3 and 6
PAIRS = [
    ("relu", F.relu, TF.relu),
    ("relu6", F.relu6, TF.relu6),
    ("leaky_relu", F.leaky_relu, lambda t: TF.leaky_relu(t, 0.2)),
    ("relu-negative-slope", lambda x: F.relu(x, negative_slope=0.1), lambda t: TF.leaky_relu(t, 0.1)),
    ("elu", lambda x: F.elu(x, alpha=0.7), lambda t: TF.elu(t, alpha=0.7)),
    ("selu", F.selu, TF.selu),
    ("gelu", F.gelu, TF.gelu),
    ("gelu-tanh", lambda x: F.gelu(x, approximate=True), lambda t: TF.gelu(t, approximate="tanh")),
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh),
    ("silu", F.silu, TF.silu),
    ("softplus", F.softplus, TF.softplus),
    ("softsign", F.softsign, TF.softsign),
    ("hard_sigmoid", F.hard_sigmoid, TF.hardsigmoid),
    ("hard_silu", F.hard_silu, TF.hardswish),
    ("mish", F.mish, TF.mish),
    ("softmax", F.softmax, lambda t: TF.softmax(t, dim=-1)),
    ("softmax-axis0", lambda x: F.softmax(x, axis=0), lambda t: TF.softmax(t, dim=0)),
    ("log_softmax", F.log_softmax, lambda t: TF.log_softmax(t, dim=-1)),
    ("rrelu-inference", F.rrelu, lambda t: TF.rrelu(t, training=False)),
]


def _inputs(rng, shape=(6, 7)):
    x = rng.uniform(-8, 8, shape)
    x[np.abs(x) < 0.05] += 0.1
    x[np.abs(np.abs(x) - 3) < 0.05] += 0.1
    x[np.abs(x - 6) < 0.05] += 0.1
    return x.astype(np.float32), rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name, ours, theirs", PAIRS, ids=[p[0] for p in PAIRS])
def test_values_and_gradients_match_torch_float32(name, ours, theirs, ops, rng):
    x, w = _inputs(rng)
    y, gx = _run(ours, x, w)
    ty, tgx = _torch_run(theirs, x, w)
    assert y.dtype == np.float32 and gx.dtype == np.float32
    np.testing.assert_allclose(y, ty, rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(gx, tgx, rtol=2e-5, atol=2e-6)


def test_gelu_exact_float64_matches_torch_to_double_precision(ops):
    x = np.linspace(-12, 12, 2001)
    y, g = _run(F.gelu, x, np.ones_like(x))
    ty, tg = _torch_run(TF.gelu, x, np.ones_like(x))
    np.testing.assert_allclose(y, ty, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(g, tg, rtol=1e-13, atol=1e-15)


def test_prelu_matches_torch_per_channel(ops, rng):
    x, w = _inputs(rng, (4, 5))
    alpha = rng.uniform(0.05, 0.5, (5,)).astype(np.float32)
    a = Tensor(alpha, requires_grad=True)
    t = Tensor(x, requires_grad=True)
    out = F.prelu(t, a)
    out.backward(ops.asarray(w))
    ta = torch.tensor(alpha, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    (TF.prelu(tt, ta) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.numpy(), TF.prelu(torch.tensor(x), torch.tensor(alpha)).numpy(),
                               rtol=1e-6)
    np.testing.assert_allclose(ops.to_numpy(t.grad), tt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ops.to_numpy(a.grad), ta.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_relu_keras_options_match_keras_examples(ops):
    x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    assert F.relu(x).tolist() == [0.0, 0.0, 0.0, 5.0, 10.0]
    assert F.relu(x, negative_slope=0.5).tolist() == [-5.0, -2.5, 0.0, 5.0, 10.0]
    assert F.relu(x, max_value=5.0).tolist() == [0.0, 0.0, 0.0, 5.0, 5.0]
    assert F.relu(x, threshold=5.0).tolist() == [0.0, 0.0, 0.0, 0.0, 10.0]
    # below the threshold: negative_slope * (x - threshold); above max_value: max_value
    assert F.relu(x, negative_slope=0.5, max_value=8.0, threshold=1.0).tolist() == \
        [-5.5, -3.0, -0.5, 5.0, 8.0]


def test_step_and_exponential_closed_forms(ops):
    x = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    t = Tensor(x, requires_grad=True)
    y = F.step(t)
    assert y.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    y.backward(ops.asarray(np.ones(5)))
    assert ops.to_numpy(t.grad).tolist() == [0.0] * 5
    assert act.Step.differentiable is False
    y, g = _run(F.exponential, x, np.ones(5))
    np.testing.assert_allclose(y, np.exp(x), rtol=1e-15)
    np.testing.assert_allclose(g, np.exp(x), rtol=1e-15)
    assert F.hard_sigmoid([-3.0, 0.0, 1.5, 3.0]).tolist() == [0.0, 0.5, 0.75, 1.0]
    assert F.crelu([[-1.0, 2.0]]).tolist() == [[0.0, 2.0, 1.0, 0.0]]


BIG = np.array([-1000.0, -100.0, 100.0, 1000.0], dtype=np.float32)
STABLE = [
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("softplus", F.softplus, TF.softplus),
    ("gelu", F.gelu, TF.gelu),
    ("gelu-tanh", lambda x: F.gelu(x, approximate=True), lambda t: TF.gelu(t, approximate="tanh")),
    ("swish", F.swish, TF.silu),
    ("mish", F.mish, TF.mish),
    ("elu", F.elu, TF.elu),
    ("selu", F.selu, TF.selu),
    ("softmax", F.softmax, lambda t: TF.softmax(t, dim=-1)),
    ("log_softmax", F.log_softmax, lambda t: TF.log_softmax(t, dim=-1)),
]


@pytest.mark.parametrize("name, ours, theirs", STABLE, ids=[p[0] for p in STABLE])
def test_large_inputs_give_finite_exact_values_and_gradients(name, ours, theirs, ops):
    w = np.array([0.5, -1.0, 2.0, 1.5], dtype=np.float32)
    y, g = _run(ours, BIG, w)  # warnings are errors: no overflow may occur
    ty, tg = _torch_run(theirs, BIG.astype(np.float64), w.astype(np.float64))
    assert np.isfinite(y).all() and np.isfinite(g).all()
    np.testing.assert_allclose(y, ty, rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(g, tg, rtol=1e-6, atol=1e-30)


def test_rrelu_training_draws_seeded_slopes_within_bounds(ops):
    x = -np.ones((50, 40), dtype=np.float32)
    a = F.rrelu(x, 0.1, 0.3, training=True, rng=np.random.default_rng(5)).numpy()
    b = F.rrelu(x, 0.1, 0.3, training=True, rng=np.random.default_rng(5)).numpy()
    slopes = -a
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.05
    np.testing.assert_array_equal(a, b)
    assert F.rrelu(np.abs(x), training=True).tolist() == np.abs(x).tolist()


@pytest.mark.parametrize("bad, error, match", [
    (lambda: F.relu([1.0], negative_slope="0.1"), TypeError, "negative_slope"),
    (lambda: F.leaky_relu([1.0], negative_slope=None), TypeError, "negative_slope"),
    (lambda: F.gelu([1.0], approximate="tanh"), TypeError, "approximate"),
    (lambda: F.rrelu([1.0], lower=0.5, upper=0.1), ValueError,
     "rrelu: upper must be >= 0.5, got upper=0.1"),
    (lambda: F.rrelu([1.0], lower=-0.5), ValueError, "rrelu: lower must be >= 0.0, got lower=-0.5"),
    (lambda: F.relu([1.0], threshold=float("nan")), ValueError,
     "relu: threshold must be a finite number, got threshold=nan"),
    (lambda: F.relu([1.0], max_value=float("nan")), ValueError, "relu: max_value must be a number"),
    (lambda: F.elu([1.0], alpha=True), TypeError, "elu: alpha must be a finite number, got "
                                                 "alpha=True"),
    (lambda: F.softmax([1.0], axis=1.5), TypeError,
     r"softmax: axis must be an integer \(an axis\), got axis=1.5"),
    (lambda: layers.Softmax(axis="last"), TypeError, r"Softmax: axis must be an integer"),
    (lambda: layers.ReLU(max_value="6"), TypeError, "ReLU: max_value must be a number"),
    (lambda: layers.PReLU(shared_axes=[0, 1]), ValueError,
     "PReLU: shared_axes must be an integer >= 1, got shared_axes=0"),
    (lambda: layers.RReLU(seed=1.5), ValueError, "RReLU: seed must be an integer >= 0 or None"),
    (lambda: F.prelu([1.0], 0.3), TypeError, "alpha"),
])
def test_bad_arguments_are_named(bad, error, match):
    with pytest.raises(error, match=match):
        bad()


# -- registry ----------------------------------------------------------------------------------
KERAS_NAMES = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid",
               "hard_sigmoid", "hard_silu", "hard_swish", "tanh", "softmax", "log_softmax",
               "softplus", "softsign", "swish", "silu", "exponential", "mish", "crelu", "step"]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_every_name_resolves_and_round_trips(name):
    fn = activations.get(name)
    assert fn is getattr(F, name)
    assert activations.get(activations.serialize(fn)) is fn
    assert activations.get({"class_name": "function", "config": name}) is fn


def test_get_rules_and_aliases():
    assert activations.get(None) is F.linear
    assert activations.get("swish") is F.silu and activations.serialize(F.swish) == "silu"
    assert activations.get("hard_swish") is F.hard_silu

    def custom(x):
        return x

    assert activations.get(custom) is custom
    assert activations.serialize(custom) == {"module": __name__, "class_name": "function",
                                             "config": "custom", "registered_name": "function"}
    with pytest.raises(ValueError, match="neither a registered activation nor a named"):
        activations.serialize(lambda x: x)
    with pytest.raises(TypeError, match="Could not interpret activation"):
        activations.get(3)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'.*'relu'.*Valid activation "
                                         r"names: .*leaky_relu.*step.*tanh"):
        activations.get("rleu")


def test_three_faces_share_one_implementation(rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    expected = np.maximum(x, 0)
    np.testing.assert_array_equal(F.relu(x).numpy(), expected)
    np.testing.assert_array_equal(Tensor(x).relu().numpy(), expected)
    np.testing.assert_array_equal(layers.Activation("relu")(x).numpy(), expected)
    assert isinstance(F.relu(Tensor(x, requires_grad=True)).creator, act.ReLU)


# -- layers ------------------------------------------------------------------------------------
def test_leaky_relu_layer_default_slope_and_keras2_alpha():
    x = np.array([[-10.0, 5.0]], dtype=np.float32)
    assert layers.LeakyReLU()(x).tolist() == [[-3.0, 5.0]]
    assert layers.LeakyReLU(alpha=0.1)(x).tolist() == [[-1.0, 5.0]]
    assert layers.LeakyReLU(alpha=0.1).get_config()["negative_slope"] == 0.1
    with pytest.raises(ValueError, match="LeakyReLU: negative_slope must be >= 0.0, got "
                                         "negative_slope=-0.1"):
        layers.LeakyReLU(negative_slope=-0.1)


def test_relu_layer_validates_like_keras():
    for kwargs in ({"max_value": -1.0}, {"negative_slope": -0.5}, {"threshold": -1.0}):
        arg, value = next(iter(kwargs.items()))
        with pytest.raises(ValueError, match=f"ReLU: {arg} must be >= 0.0, got {arg}={value}"):
            layers.ReLU(**kwargs)
    uncapped = layers.ReLU(max_value=float("inf"))  # as Keras: inf is no cap
    assert uncapped(np.array([[-1.0, 1e30]], dtype=np.float32)).tolist() == [[0.0, np.float32(1e30)]]
    assert layers.ReLU(max_value=10, negative_slope=0.5)(
        np.array([[-10.0, -5.0, 0.0, 5.0, 10.0]])).tolist() == [[-5.0, -2.5, 0.0, 5.0, 10.0]]


def test_prelu_layer_learns_shared_slopes_like_torch(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    layer = layers.PReLU(alpha_initializer="zeros", shared_axes=[1, 2])
    np.testing.assert_array_equal(layer(x).numpy(), np.maximum(x, 0))  # zeros: a ReLU
    assert layer.alpha.shape == (1, 1, 5) and layer.count_params() == 5
    alpha = rng.uniform(0.1, 0.5, (1, 1, 5)).astype(np.float32)
    layer.set_weights([alpha])
    out = layer(Tensor(x))
    out.backward(out.ops.asarray(w))
    ta = torch.tensor(alpha.ravel(), requires_grad=True)
    ty = TF.prelu(torch.tensor(x).permute(0, 3, 1, 2), ta).permute(0, 2, 3, 1)
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.numpy(), ty.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(layer.alpha.grad.reshape(-1), ta.grad.numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="axis 3 must have size 5"):
        layer(np.ones((2, 3, 4, 6), dtype=np.float32))


def test_rrelu_layer_training_and_inference():
    x = -np.ones((64, 32), dtype=np.float32)
    layer = layers.RReLU(seed=7)
    inference = layer(x).numpy()
    np.testing.assert_allclose(inference, -(1 / 8 + 1 / 3) / 2 * np.ones_like(x), rtol=1e-6)
    first = -layer(x, training=True).numpy()
    second = -layer(x, training=True).numpy()
    assert first.min() >= 1 / 8 and first.max() <= 1 / 3
    assert not np.array_equal(first, second)  # a fresh draw per call
    np.testing.assert_array_equal(first, -layers.RReLU(seed=7)(x, training=True).numpy())
    np.testing.assert_allclose(first.mean(), (1 / 8 + 1 / 3) / 2, atol=0.01)
    np.testing.assert_allclose(inference, TF.rrelu(torch.tensor(x), training=False).numpy(),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="upper must be >= 0.5"):
        layers.RReLU(lower=0.5, upper=0.2)


def test_softmax_layer_axis_and_mask():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(layers.Softmax(axis=0)(x).numpy(),
                               TF.softmax(torch.tensor(x), dim=0).numpy(), rtol=1e-6)
    mask = np.array([[True, True, False], [True, True, True]])
    np.testing.assert_allclose(layers.Softmax()(x, mask=mask).numpy(),
                               [[1 / (1 + np.e), np.e / (1 + np.e), 0.0], [1 / 3] * 3], rtol=1e-6)


@pytest.mark.parametrize("layer", [
    layers.Activation("swish"), layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5),
    layers.LeakyReLU(0.1), layers.PReLU(alpha_initializer="ones", shared_axes=1),
    layers.ELU(alpha=0.5), layers.Softmax(axis=1), layers.RReLU(0.2, 0.4, seed=3),
], ids=lambda layer: type(layer).__name__)
def test_get_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert layers.get(type(layer).__name__) is type(layer)
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(2, 6)
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
