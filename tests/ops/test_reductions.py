"""Reductions over axes: values against NumPy for every axis/keepdims form, dtypes against
Keras 3, float64 gradient checks."""

import numpy as np
import pytest
from scipy import special

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(3)
X = _r.standard_normal((2, 3, 4))
DISTINCT = (_r.permutation(24).reshape(2, 3, 4) + _r.uniform(0.1, 0.3, (2, 3, 4)))
POS = _r.uniform(0.5, 1.5, (2, 3, 4))
AXES = [None, 0, -1, (0, 2), [1, 2], (0, 1, 2)]

REDUCTIONS = [  # name, NumPy reference, input
    ("sum", np.sum, X), ("mean", np.mean, X), ("max", np.max, DISTINCT),
    ("min", np.min, DISTINCT), ("amax", np.amax, DISTINCT), ("amin", np.amin, DISTINCT),
    ("prod", np.prod, POS), ("var", np.var, X), ("std", np.std, X),
    ("logsumexp", special.logsumexp, X), ("ptp", np.ptp, DISTINCT),
]


@pytest.mark.parametrize("name, reference, x", REDUCTIONS, ids=[c[0] for c in REDUCTIONS])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_matches_numpy(name, reference, x, axis, keepdims):
    axis_np = tuple(axis) if isinstance(axis, list) else axis
    expected = np.asarray(reference(x, axis=axis_np, keepdims=keepdims))
    assert_same(getattr(ops, name)(x, axis=axis, keepdims=keepdims), expected, rtol=1e-12)


@pytest.mark.parametrize("name, reference, x", REDUCTIONS, ids=[c[0] for c in REDUCTIONS])
def test_gradient(name, reference, x):
    fn = getattr(ops, name)
    assert gradcheck(lambda t: fn(t, axis=(0, 2)), [x])
    assert gradcheck(lambda t: fn(t, keepdims=True), [x])


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "var", "std", "any",
                                  "all", "logsumexp", "ptp", "count_nonzero"])
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int16", "int32", "float16",
                                   "float32"])
def test_dtypes_match_keras(keras, name, dtype):
    x = (np.arange(6).reshape(2, 3) % 3).astype(dtype)
    if name in ("logsumexp", "ptp") and dtype == "bool":
        pytest.skip(f"Keras on JAX refuses {name} of bools")
    kwargs = {} if name == "count_nonzero" else {"axis": 0}
    ours, theirs = getattr(ops, name)(x, **kwargs), getattr(keras.ops, name)(x, **kwargs)
    assert ours.dtype.name == keras.ops.dtype(theirs)
    np.testing.assert_allclose(ours.numpy().astype(float), np.asarray(theirs).astype(float),
                               rtol=1e-3 if dtype == "float16" else 1e-6)


def test_prod_with_zeros_has_exact_gradients():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]])
    t = Tensor(x, requires_grad=True)
    ops.sum(ops.prod(t, axis=1)).backward()
    np.testing.assert_array_equal(t.grad, [[0, 6, 0], [0, 0, 0], [6, 3, 2]])


def test_max_initial_and_empty():
    assert_same(ops.max(np.array([1.0, 2.0]), initial=5.0), np.max([1.0, 2.0], initial=5.0))
    assert_same(ops.min(np.zeros((0, 3)), axis=0, initial=1.0),
                np.min(np.zeros((0, 3)), axis=0, initial=1.0))
    with pytest.raises(ValueError, match="empty"):
        ops.max(np.zeros(0))


def test_any_all():
    b = X > 0
    for axis in (None, 1, (0, 2)):
        assert_same(ops.any(b, axis=axis), np.any(b, axis=axis))
        assert_same(ops.all(b, axis=axis, keepdims=True), np.all(b, axis=axis, keepdims=True))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_extrema(name, axis, keepdims):
    expected = getattr(np, name)(DISTINCT, axis=axis, keepdims=keepdims).astype(np.int32)
    assert_same(getattr(ops, name)(DISTINCT, axis=axis, keepdims=keepdims), expected)


def test_argmax_takes_the_first_of_ties(keras):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32)
    assert_same(ops.argmax(x, axis=1), keras.ops.argmax(x, axis=1))


def test_average():
    w = _r.uniform(0.5, 2.0, 4)
    assert_same(ops.average(X, axis=-1, weights=w), np.average(X, axis=-1, weights=w))
    assert_same(ops.average(X, weights=POS), np.average(X, weights=POS))
    assert_same(ops.average(X, axis=1), np.average(X, axis=1))
    assert gradcheck(lambda x, w: ops.average(x, axis=2, weights=w), [X, w])
    with pytest.raises(ValueError, match="weights"):
        ops.average(X, axis=0, weights=w)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_running_reductions(name, axis):
    assert_same(getattr(ops, name)(POS, axis=axis), getattr(np, name)(POS, axis=axis))
    assert gradcheck(lambda x: getattr(ops, name)(x, axis=axis), [POS])


def test_running_reductions_dtypes_match_keras(keras):
    for dtype in ("bool", "int8", "int32", "float32"):
        x = np.array([1, 0, 2], dtype=dtype)
        for name in ("cumsum", "cumprod"):
            ours, theirs = getattr(ops, name)(x), getattr(keras.ops, name)(x)
            assert ours.dtype.name == keras.ops.dtype(theirs), (name, dtype)
    assert ops.cumsum(np.array([1, 2], np.int8), dtype="float32").dtype.name == "float32"


def test_count_nonzero():
    x = np.array([[0, 1, 2], [0, 0, 3]])
    assert_same(ops.count_nonzero(x), np.array(3, np.int32))
    assert_same(ops.count_nonzero(x, axis=1), np.array([2, 1], np.int32))


def test_bad_axes_are_named():
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        ops.sum(X, axis=3)
    with pytest.raises(ValueError, match="twice"):
        ops.mean(X, axis=(0, -3))
    with pytest.raises(ValueError, match="axis"):
        ops.sum(X, axis=1.5)
    with pytest.raises(TypeError, match="keepdims"):
        ops.sum(X, keepdims=1)
