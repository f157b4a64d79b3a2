"""Elementwise functions of one tensor: values against NumPy/SciPy, dtypes against Keras 3,
float64 gradient checks."""

import numpy as np
import pytest
from scipy import special

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(0)
DOMAINS = {
    "any": _r.standard_normal((3, 4)) * 2,
    "positive": _r.uniform(0.2, 3.0, (3, 4)),
    "unit": _r.uniform(-0.9, 0.9, (3, 4)),
    "above1": _r.uniform(1.2, 3.0, (3, 4)),
    "nonzero": np.sign(_r.standard_normal((3, 4))) * _r.uniform(0.3, 2.0, (3, 4)),
}
# name, NumPy reference, input domain, differentiable
UNARY = [
    ("abs", np.abs, "nonzero", True), ("absolute", np.abs, "nonzero", True),
    ("fabs", np.fabs, "nonzero", True), ("negative", np.negative, "any", True),
    ("square", np.square, "any", True), ("sqrt", np.sqrt, "positive", True),
    ("rsqrt", lambda x: 1 / np.sqrt(x), "positive", True),
    ("reciprocal", np.reciprocal, "nonzero", True), ("cbrt", np.cbrt, "nonzero", True),
    ("exp", np.exp, "any", True), ("exp2", np.exp2, "any", True),
    ("expm1", np.expm1, "any", True), ("log", np.log, "positive", True),
    ("log1p", np.log1p, "positive", True), ("log2", np.log2, "positive", True),
    ("log10", np.log10, "positive", True), ("sin", np.sin, "any", True),
    ("cos", np.cos, "any", True), ("tan", np.tan, "unit", True),
    ("arcsin", np.arcsin, "unit", True), ("arccos", np.arccos, "unit", True),
    ("arctan", np.arctan, "any", True), ("sinh", np.sinh, "any", True),
    ("cosh", np.cosh, "any", True), ("tanh", np.tanh, "any", True),
    ("arcsinh", np.arcsinh, "any", True), ("arccosh", np.arccosh, "above1", True),
    ("arctanh", np.arctanh, "unit", True), ("erf", special.erf, "any", True),
    ("erfc", special.erfc, "any", True), ("sinc", np.sinc, "any", True),
    ("deg2rad", np.deg2rad, "any", True), ("rad2deg", np.rad2deg, "any", True),
    ("sign", np.sign, "nonzero", False), ("floor", np.floor, "any", False),
    ("ceil", np.ceil, "any", False), ("round", np.round, "any", False),
    ("trunc", np.trunc, "any", False),
]
IDS = [case[0] for case in UNARY]
#: Keras on JAX refuses integer inputs here; neurona computes them in floatx() as for the others
KERAS_REFUSES_INTS = {"rsqrt", "erf"}


@pytest.mark.parametrize("name, reference, domain, differentiable", UNARY, ids=IDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matches_numpy(name, reference, domain, differentiable, dtype):
    x = DOMAINS[domain].astype(dtype)
    expected = reference(x).astype(dtype)
    assert_same(getattr(ops, name)(x), expected, rtol=1e-6 if dtype == "float32" else 1e-12)
    assert_same(getattr(ops, name)(Tensor(x)), expected, rtol=1e-6 if dtype == "float32"
                else 1e-12)


@pytest.mark.parametrize("name, reference, domain, differentiable", UNARY, ids=IDS)
def test_matches_keras_values_and_dtypes(keras, name, reference, domain, differentiable):
    x = DOMAINS[domain].astype("float32")
    assert_same(getattr(ops, name)(x), getattr(keras.ops, name)(x), rtol=2e-6, atol=1e-6)
    ints = np.array([[1, 2], [3, 4]], dtype="int32")
    if domain in ("unit",):
        ints = np.zeros((2, 2), dtype="int32")
    if name in KERAS_REFUSES_INTS:
        assert getattr(ops, name)(ints).dtype.name == "float32"
        return
    ours, theirs = getattr(ops, name)(ints), getattr(keras.ops, name)(ints)
    assert ours.dtype.name == keras.ops.dtype(theirs)
    np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=2e-6)


@pytest.mark.parametrize("name, reference, domain, differentiable",
                         [c for c in UNARY if c[3]], ids=[c[0] for c in UNARY if c[3]])
def test_gradient(name, reference, domain, differentiable):
    assert gradcheck(getattr(ops, name), [DOMAINS[domain]])


@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round", "trunc"])
def test_piecewise_constant_ops_carry_no_gradient(name):
    x = Tensor(DOMAINS["any"], requires_grad=True)
    assert not getattr(ops, name)(x).requires_grad


def test_python_scalars_and_lists():
    assert ops.exp(0.0).tolist() == 1.0
    assert ops.sqrt([4, 9]).tolist() == [2.0, 3.0]
    assert ops.sqrt([4, 9]).dtype.name == "float32"


def test_round_to_decimals_matches_numpy():
    x = np.array([1.2345, -2.5551, 12.5])
    assert_same(ops.round(x, 2), np.round(x, 2))
    assert_same(ops.round(x, -1), np.round(x, -1))
    assert_same(ops.round(np.array([15, 25], np.int32), -1), np.array([20, 20], np.int32))


def test_erf_is_accurate_in_both_tails_and_near_zero():
    x = np.concatenate([np.linspace(-6, 6, 241), [1e-12, -1e-8, 0.4999, 0.5001]])
    np.testing.assert_allclose(ops.erf(x).numpy(), special.erf(x), rtol=1e-14, atol=0)
    np.testing.assert_allclose(ops.erfc(x).numpy(), special.erfc(x), rtol=2e-14, atol=0)


def test_sign_of_bool_is_an_error():
    with pytest.raises(TypeError, match="bool"):
        ops.sign([True])
