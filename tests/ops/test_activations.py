"""ops.nn activations against Keras 3 (values, defaults, dtypes), with float64 gradients."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(12)
# away from every kink (0, +-1, +-0.5, +-3, 6)
X = np.sign(_r.standard_normal((3, 8))) * _r.choice([0.2, 0.7, 1.3, 2.2, 4.1, 7.0], (3, 8)) + \
    _r.uniform(-0.05, 0.05, (3, 8))

ACTIVATIONS = [  # name, kwargs
    ("relu", {}), ("relu6", {}), ("sigmoid", {}), ("sparse_sigmoid", {}), ("softplus", {}),
    ("softsign", {}), ("silu", {}), ("swish", {}), ("log_sigmoid", {}), ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.05}), ("hard_sigmoid", {}), ("hard_silu", {}),
    ("hard_swish", {}), ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("gelu", {}),
    ("gelu", {"approximate": False}), ("celu", {}), ("celu", {"alpha": 2.0}), ("glu", {}),
    ("tanh_shrink", {}), ("hard_tanh", {}), ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 1.0}), ("soft_shrink", {}), ("sparse_plus", {}),
    ("squareplus", {}), ("squareplus", {"b": 1.0}), ("softmax", {}), ("softmax", {"axis": 0}),
    ("log_softmax", {}),
]
IDS = [f"{n}-{k}" if k else n for n, k in ACTIVATIONS]


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=IDS)
def test_matches_keras(keras, name, kwargs):
    x = X.astype(np.float32)
    assert_same(getattr(ops.nn, name)(x, **kwargs), getattr(keras.ops.nn, name)(x, **kwargs),
                rtol=2e-6, atol=2e-6)
    assert_same(getattr(ops, name)(x, **kwargs), getattr(keras.ops, name)(x, **kwargs),
                rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=IDS)
def test_gradient(name, kwargs):
    assert gradcheck(lambda x: getattr(ops.nn, name)(x, **kwargs), [X])


def test_threshold(keras):
    x = X.astype(np.float32)
    assert_same(ops.nn.threshold(x, 0.5, -3.0), keras.ops.nn.threshold(x, 0.5, -3.0))
    assert gradcheck(lambda t: ops.nn.threshold(t, 0.5, -3.0), [X])


def test_integer_inputs(keras):
    ints = np.array([-2, 0, 3], np.int32)
    for name in ("relu", "relu6", "softplus", "elu", "silu"):
        ours = getattr(ops.nn, name)(ints)
        theirs = getattr(keras.ops.nn, name)(ints.astype(np.float32) if name != "relu" else ints)
        assert ours.dtype.name == keras.ops.dtype(theirs), name


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_is_the_projection_onto_the_simplex(axis):
    # the projection p of x is the only distribution of the form max(x - tau, 0): check both
    # properties (Keras 3 sums the running sums for tau and misses it when two or more
    # entries stay positive, e.g. [1.0, 0.8, -1.0] -> [0.1, 0, 0] instead of [0.6, 0.4, 0])
    p = ops.nn.sparsemax(X, axis=axis).numpy()
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-12)
    assert (p >= 0).all()
    positive = p > 0
    tau = np.where(positive, X - p, np.nan)
    spread = np.nanmax(tau, axis=axis) - np.nanmin(tau, axis=axis)
    np.testing.assert_allclose(spread, 0.0, atol=1e-12)
    below = np.where(positive, -np.inf, X) <= np.expand_dims(np.nanmin(tau, axis=axis), axis)
    assert below.all()
    assert_same(ops.nn.sparsemax(np.array([1.0, 0.8, -1.0])), np.array([0.6, 0.4, 0.0]),
                rtol=1e-12, atol=1e-15)
    assert gradcheck(lambda x: ops.nn.sparsemax(x, axis=axis), [X])


def test_errors():
    with pytest.raises(ValueError, match="odd"):
        ops.nn.glu(np.ones((2, 3)))
    with pytest.raises(TypeError, match="approximate"):
        ops.nn.gelu(X, approximate="yes")
    with pytest.raises(ValueError, match="alpha"):
        ops.nn.celu(X, alpha=0.0)
