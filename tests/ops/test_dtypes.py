"""Keras's dtype names and promotion lattice (neurona.ops.dtypes), against Keras 3 itself."""

import itertools

import numpy as np
import pytest

from neurona import Tensor, config, ops
from neurona.ops.dtypes import SUPPORTED_DTYPES, operands, result_type, standardize_dtype

# Keras on JAX squashes 64-bit results to 32 bits; neurona keeps them
SQUASHED = {"int64": "int32", "uint64": "uint32", "float64": "float32"}


@pytest.mark.parametrize("a, b", list(itertools.combinations_with_replacement(
    list(SUPPORTED_DTYPES) + [int, float], 2)))
def test_promotion_matches_keras(keras, a, b):
    ours = result_type(a, b)
    assert SQUASHED.get(ours, ours) == keras.backend.result_type(a, b)


def test_promotion_keeps_64_bit_types():
    # Keras on JAX or PyTorch squashes these to 32 bits; neurona keeps them (float64 gradients)
    assert result_type("float32", "float64") == "float64"
    assert result_type("int64", "float32") == "float32"
    assert result_type("int64", "int8") == "int64"
    assert result_type("uint64", "int64") == config.floatx()
    assert result_type("float64", float) == "float64"


def test_python_numbers_are_weak():
    f16 = Tensor(np.ones(2, np.float16))
    assert ops.add(f16, 2.0).dtype.name == "float16"
    assert ops.add(np.arange(2, dtype=np.int8), 3).dtype.name == "int8"
    assert ops.add(np.arange(2, dtype=np.int32), 1.5).dtype.name == "float32"
    assert ops.multiply([True, False], 2).dtype.name == "int32"
    # a NumPy scalar is not weak: it promotes as its dtype
    assert ops.add(Tensor(np.ones(2, np.float32)), np.float64(1.0)).dtype.name == "float64"


@pytest.mark.parametrize("value, expected", [
    ([1.0, 2.0], "float32"), ([1, 2], "int32"), ([True], "bool"), ([1, 2.0], "float32"),
    (3, "int32"), (2.5, "float32"), ([2 ** 40], "int64"),
])
def test_python_data_conversion_matches_keras(keras, value, expected):
    assert ops.convert_to_tensor(value).dtype.name == expected
    if expected != "int64":  # Keras on JAX has no int64
        assert keras.ops.dtype(keras.ops.convert_to_tensor(value)) == expected


def test_python_floats_follow_floatx():
    config.set_floatx("float64")
    try:
        assert ops.convert_to_tensor([1.0]).dtype.name == "float64"
        assert result_type("int32", float) == "float64"
    finally:
        config.set_floatx("float32")


@pytest.mark.parametrize("dtype, name", [
    ("float32", "float32"), (np.float16, "float16"), (np.dtype("int8"), "int8"), (bool, "bool"),
    (int, "int32"), (float, "float32"), ("int", "int32"), (None, "float32"),
])
def test_standardize_dtype(dtype, name):
    assert standardize_dtype(dtype) == name


@pytest.mark.parametrize("dtype, message", [
    ("bfloat16", "NumPy has no bfloat16"), ("complex64", "real numbers only"),
    ("string", "numbers only"), ("float8_e4m3fn", "float8"), ("flaot32", "Did you mean"),
    (np.complex128, "not supported"), ("float", "unknown dtype"),
])
def test_unsupported_dtypes_are_named(dtype, message):
    with pytest.raises(ValueError, match=message):
        standardize_dtype(dtype, "zeros")
    with pytest.raises(ValueError, match="zeros"):
        ops.zeros((2,), dtype=dtype)


def test_unsupported_array_dtypes_are_refused():
    with pytest.raises(ValueError, match="complex128"):
        ops.add(np.ones(2, np.complex128), 1)
    with pytest.raises(ValueError, match="not a rectangular array"):
        ops.convert_to_tensor([[1, 2], [3]])


def test_operands_share_one_dtype():
    a, b, c = operands("test", np.ones(2, np.int8), np.ones(2, np.uint8), 2.0)
    assert {a.dtype.name, b.dtype.name, c.dtype.name} == {"float32"}


def test_casts_between_floats_keep_the_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ops.sum(ops.cast(x, "float32") * 3)
    y.backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert not ops.cast(x, "int32").requires_grad  # an integer cast has no gradient
