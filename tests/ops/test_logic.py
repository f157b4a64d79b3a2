"""Comparisons, logic, bit operations and predicates against NumPy (and Keras's dtypes)."""

import numpy as np
import pytest

from neurona import Tensor, ops

from .conftest import assert_same

_r = np.random.default_rng(2)
A = np.round(_r.standard_normal((3, 4)), 1)
ROW = np.round(_r.standard_normal((4,)), 1)
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5])
INTS = np.array([[12, 5, 7], [0, 255, 3]], dtype=np.int32)


@pytest.mark.parametrize("name", ["equal", "not_equal", "less", "less_equal", "greater",
                                  "greater_equal", "logical_and", "logical_or", "logical_xor"])
def test_comparisons_match_numpy(name):
    assert_same(getattr(ops, name)(A, ROW), getattr(np, name)(A, ROW))
    assert_same(getattr(ops, name)(Tensor(A), 0.1), getattr(np, name)(A, 0.1))
    result = getattr(ops, name)(Tensor(A, requires_grad=True), ROW)
    assert result.dtype == bool and not result.requires_grad


def test_comparisons_promote_before_comparing(keras):
    ints = np.array([1, 2, 3], dtype="int32")
    assert_same(ops.equal(ints, 2.0), np.array([False, True, False]))
    assert_same(ops.less(np.array([0.1], np.float32), 0.1), np.array([False]))
    assert ops.equal(ints, 2).dtype.name == keras.ops.dtype(keras.ops.equal(ints, 2))


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isneginf", "isposinf",
                                  "signbit", "isreal"])
def test_predicates_match_numpy(name):
    assert_same(getattr(ops, name)(SPECIAL), getattr(np, name)(SPECIAL))


def test_logical_not():
    assert_same(ops.logical_not(A > 0), np.logical_not(A > 0))


def test_isclose_and_allclose():
    b = A + np.array([0.0, 1e-9, 1e-3, 0.0])
    assert_same(ops.isclose(A, b), np.isclose(A, b))
    assert_same(ops.isclose(A, b, rtol=0.1, atol=0.1), np.isclose(A, b, rtol=0.1, atol=0.1))
    assert bool(ops.allclose(A, A + 1e-10)) and not bool(ops.allclose(A, b))
    nan = np.array([np.nan])
    assert bool(ops.isclose(nan, nan, equal_nan=True)) and not bool(ops.isclose(nan, nan))
    with pytest.raises(ValueError, match="rtol"):
        ops.isclose(A, b, rtol=-1)


def test_isin():
    assert_same(ops.isin(INTS, [5, 0, 99]), np.isin(INTS, [5, 0, 99]))
    assert_same(ops.isin(INTS, [5], invert=True), np.isin(INTS, [5], invert=True))


@pytest.mark.parametrize("name, numpy_name", [
    ("bitwise_and", "bitwise_and"), ("bitwise_or", "bitwise_or"), ("bitwise_xor", "bitwise_xor"),
    ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift"),
    ("left_shift", "left_shift"), ("right_shift", "right_shift")])
def test_bit_operations_match_numpy(name, numpy_name):
    shift = np.array([1, 2, 3], np.int32)
    assert_same(getattr(ops, name)(INTS, shift), getattr(np, numpy_name)(INTS, shift))


def test_bit_inversion_and_errors():
    assert_same(ops.bitwise_invert(INTS), np.invert(INTS))
    assert_same(ops.bitwise_not(np.array([True, False])), np.array([False, True]))
    with pytest.raises(TypeError, match="integer"):
        ops.bitwise_and(A, A)
    with pytest.raises(TypeError, match="integer"):
        ops.bitwise_invert(A)
