"""Binary arithmetic: values and broadcasting against NumPy, promotion against Keras 3, float64
gradient checks in both operands."""

import numpy as np
import pytest

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(1)
A = _r.standard_normal((3, 4)) * 2
ROW = _r.standard_normal((4,)) * 2
POS = _r.uniform(0.5, 2.0, (3, 4))
POS_ROW = _r.uniform(0.5, 2.0, (4,))
DISTINCT = _r.permutation(12).reshape(3, 4) + 0.5 + _r.uniform(0, 0.2, (3, 4))
DISTINCT_ROW = _r.permutation(4) * 3.0 + 0.25

BINARY = [  # name, NumPy reference, x1, x2, differentiable
    ("add", np.add, A, ROW, True), ("subtract", np.subtract, A, ROW, True),
    ("multiply", np.multiply, A, ROW, True), ("divide", np.divide, A, POS_ROW, True),
    ("true_divide", np.true_divide, A, POS_ROW, True),
    ("floor_divide", np.floor_divide, A, POS_ROW, False),
    ("mod", np.mod, A * 3, POS_ROW, True), ("fmod", np.fmod, A * 3, POS_ROW, True),
    ("power", np.power, POS, POS_ROW, True), ("maximum", np.maximum, DISTINCT, DISTINCT_ROW, True),
    ("minimum", np.minimum, DISTINCT, DISTINCT_ROW, True),
    ("fmax", np.fmax, DISTINCT, DISTINCT_ROW, True),
    ("fmin", np.fmin, DISTINCT, DISTINCT_ROW, True),
    ("arctan2", np.arctan2, A, POS_ROW, True), ("hypot", np.hypot, A, ROW, True),
    ("logaddexp", np.logaddexp, A, ROW, True), ("logaddexp2", np.logaddexp2, A, ROW, True),
    ("heaviside", np.heaviside, A, ROW, False), ("nextafter", np.nextafter, A, ROW, False),
]
IDS = [c[0] for c in BINARY]


@pytest.mark.parametrize("name, reference, x1, x2, differentiable", BINARY, ids=IDS)
def test_matches_numpy_with_broadcasting(name, reference, x1, x2, differentiable):
    fn = getattr(ops, name)
    assert_same(fn(x1, x2), reference(x1, x2), rtol=1e-12)
    assert_same(fn(Tensor(x2), x1[:1]), reference(x2, x1[:1]), rtol=1e-12)
    assert_same(fn(x1, 1.5), reference(x1, 1.5), rtol=1e-12)  # a Python number


@pytest.mark.parametrize("name, reference, x1, x2, differentiable", BINARY, ids=IDS)
def test_matches_keras(keras, name, reference, x1, x2, differentiable):
    a, b = x1.astype("float32"), x2.astype("float32")
    assert_same(getattr(ops, name)(a, b), getattr(keras.ops, name)(a, b), rtol=3e-6, atol=1e-6)
    ints = np.array([[5, -7], [3, 4]], dtype="int32")
    if name == "power":  # integers to negative integer powers are an error in NumPy
        ints = np.abs(ints)
    for other in (ints, 2, 2.5, np.array([2, 3], dtype="int8")):
        if name in ("mod", "fmod", "floor_divide") and isinstance(other, float):
            continue
        ours = getattr(ops, name)(ints, other)
        theirs = getattr(keras.ops, name)(ints, other)
        assert ours.dtype.name == keras.ops.dtype(theirs), (name, other)
        np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=2e-6)


@pytest.mark.parametrize("name, reference, x1, x2, differentiable",
                         [c for c in BINARY if c[4]], ids=[c[0] for c in BINARY if c[4]])
def test_gradient_in_both_operands(name, reference, x1, x2, differentiable):
    assert gradcheck(getattr(ops, name), [x1, x2])


def test_gradient_with_a_python_number():
    assert gradcheck(lambda x: ops.power(x, 2.5), [POS])
    assert gradcheck(lambda x: ops.divide(3.0, x), [POS])


def test_power_of_integers_stays_integer(keras):
    ints = np.array([1, 2, 3], dtype="int32")
    assert_same(ops.power(ints, 2), np.array([1, 4, 9], dtype="int32"))
    assert ops.power(ints, 2.0).dtype.name == keras.ops.dtype(keras.ops.power(ints, 2.0))


def test_booleans_add_as_or_and_multiply_as_and():
    t, f = np.array([True, True]), np.array([True, False])
    assert_same(ops.add(t, f), np.add(t, f))
    assert_same(ops.multiply(t, f), np.multiply(t, f))
    with pytest.raises(TypeError, match="bool"):
        ops.subtract(t, f)


def test_divide_no_nan():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 0.0, -1.0])
    assert_same(ops.divide_no_nan(x, y), np.array([0.5, 0.0, -3.0]))
    t = Tensor(x, requires_grad=True)
    ops.sum(ops.divide_no_nan(t, y)).backward()
    assert_same(Tensor(t.grad), np.array([0.5, 0.0, -1.0]))
    assert gradcheck(lambda a, b: ops.divide_no_nan(a, b), [A, np.where(ROW > 0, ROW, 0.0)],
                     wrt=[0])


def test_nan_aware_extrema():
    nan = np.nan
    x, y = np.array([nan, 1.0, nan]), np.array([2.0, nan, nan])
    assert_same(ops.fmax(x, y), np.fmax(x, y))
    assert_same(ops.fmin(x, y), np.fmin(x, y))


@pytest.mark.parametrize("name", ["gcd", "lcm"])
def test_integer_ops(name):
    a, b = np.array([12, 18, 7], np.int32), np.array([8, 12, 3], np.int32)
    assert_same(getattr(ops, name)(a, b), getattr(np, name)(a, b))
    with pytest.raises(TypeError, match="integer"):
        getattr(ops, name)(a.astype(float), b)


def test_ldexp():
    assert_same(ops.ldexp(np.array([1.5, 3.0]), np.array([2, -1])), np.array([6.0, 1.5]))
    assert gradcheck(lambda x: ops.ldexp(x, np.array([1, 2, 3, 0])), [A])
    with pytest.raises(TypeError, match="integers"):
        ops.ldexp(np.ones(2), np.ones(2))


def test_clip():
    assert_same(ops.clip(A, -1.0, 1.0), np.clip(A, -1.0, 1.0))
    lo, hi = np.full(4, -0.5), np.full(4, 0.5)
    assert_same(ops.clip(A, lo, hi), np.clip(A, lo, hi))
    assert gradcheck(lambda x: ops.clip(x, -1.0, 1.0), [np.where(np.abs(A - 1) < 0.1, 0, A)])
    assert gradcheck(lambda x, a, b: ops.clip(x, a, b), [DISTINCT, DISTINCT_ROW - 4,
                                                         DISTINCT_ROW + 5])


def test_clip_dtypes_match_keras(keras):
    for x, lo, hi in [(np.array([True, False]), 0, 1), (np.arange(3, dtype="int8"), 0, 1.5),
                      (np.arange(3, dtype="int32"), 0, 2)]:
        ours, theirs = ops.clip(x, lo, hi), keras.ops.clip(x, lo, hi)
        assert ours.dtype.name == keras.ops.dtype(theirs)
        np.testing.assert_array_equal(ours.numpy(), np.asarray(theirs))


def test_where():
    cond = A > 0
    assert_same(ops.where(cond, A, ROW), np.where(cond, A, ROW))
    assert_same(ops.where(cond, 1.0, 0.0), np.where(cond, 1.0, 0.0).astype("float32"))
    assert gradcheck(lambda a, b: ops.where(cond, a, b), [A, ROW])
    assert [t.tolist() for t in ops.where([0, 3, 0, 5])] == [[1, 3]]
    with pytest.raises(ValueError, match="both"):
        ops.where(cond, A)


def test_where_dtypes_match_keras(keras):
    cond = np.array([True, False])
    for a, b in [(1, 2), (1.0, 2), (np.ones(2, "int8"), 2.5)]:
        assert ops.where(cond, a, b).dtype.name == keras.ops.dtype(keras.ops.where(cond, a, b))


def test_nan_to_num():
    x = np.array([np.nan, np.inf, -np.inf, 1.0])
    assert_same(ops.nan_to_num(x), np.nan_to_num(x))
    assert_same(ops.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0),
                np.array([1.0, 2.0, -2.0, 1.0]))
    t = Tensor(x, requires_grad=True)
    ops.sum(ops.nan_to_num(t)).backward()
    assert t.grad.tolist() == [0.0, 0.0, 0.0, 1.0]


def test_operators_on_results_stay_differentiable():
    x = Tensor(A, requires_grad=True)
    y = ops.sum(ops.square(ops.subtract(x, 1.0)) * 0.5 + ops.multiply(2.0, x))
    y.backward()
    np.testing.assert_allclose(x.grad, A - 1.0 + 2.0)
