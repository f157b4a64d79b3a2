"""Norms, inverses, determinants and solves against NumPy, with gradients."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(9)
A = _r.standard_normal((3, 3)) + 3 * np.eye(3)
BATCH = _r.standard_normal((2, 3, 3)) + 3 * np.eye(3)
V = _r.standard_normal(5)
M = _r.standard_normal((3, 4))


@pytest.mark.parametrize("ord", [None, 1, 2, 3, 0.5, np.inf, -np.inf, 0])
def test_vector_norms(ord):
    assert_same(ops.norm(V, ord=ord), np.linalg.norm(V, ord=ord), rtol=1e-12)
    assert_same(ops.linalg.norm(M, ord=ord, axis=1, keepdims=True),
                np.linalg.norm(M, ord=ord, axis=1, keepdims=True), rtol=1e-12)
    if ord != 0:
        assert gradcheck(lambda x: ops.norm(x, ord=ord, axis=0), [M])


@pytest.mark.parametrize("ord", [None, "fro", 1, -1, np.inf, -np.inf])
def test_matrix_norms(ord):
    assert_same(ops.norm(M, ord=ord), np.linalg.norm(M, ord=ord), rtol=1e-12)
    assert_same(ops.norm(BATCH, ord=ord, axis=(1, 2)), np.linalg.norm(BATCH, ord=ord,
                                                                       axis=(1, 2)), rtol=1e-12)
    assert gradcheck(lambda x: ops.norm(x, ord=ord), [M])


def test_norm_of_many_axes_and_errors(keras):
    assert_same(ops.norm(BATCH), np.linalg.norm(BATCH.ravel()), rtol=1e-12)
    x = np.arange(6, dtype="int32").reshape(2, 3)
    assert ops.norm(x).dtype.name == keras.ops.dtype(keras.ops.norm(x))
    with pytest.raises(ValueError, match="SVD"):
        ops.norm(M, ord=2, axis=(0, 1))
    with pytest.raises(ValueError, match="matrix norm"):
        ops.norm(V, ord="fro")


def test_inverse_determinant_and_solve():
    assert_same(ops.inv(A), np.linalg.inv(A), rtol=1e-12, atol=1e-12)
    assert_same(ops.linalg.inv(BATCH), np.linalg.inv(BATCH), rtol=1e-12, atol=1e-12)
    assert_same(ops.det(BATCH), np.linalg.det(BATCH), rtol=1e-12)
    b = _r.standard_normal(3)
    assert_same(ops.solve(A, b), np.linalg.solve(A, b[:, None])[:, 0], rtol=1e-12)
    bb = _r.standard_normal((2, 3, 2))
    assert_same(ops.solve(BATCH, bb), np.linalg.solve(BATCH, bb), rtol=1e-12)
    assert gradcheck(lambda a, v: ops.solve(a, v), [A, b])
    with pytest.raises(ValueError, match="square"):
        ops.inv(M)
    with pytest.raises(ValueError, match="does not fit"):
        ops.solve(A, np.ones(4))


def test_missing_decompositions_say_so():
    with pytest.raises(AttributeError, match="decompositions are not provided"):
        ops.svd
    with pytest.raises(AttributeError, match="decompositions are not provided"):
        ops.linalg.qr


def test_slogdet_and_solve_triangular():
    sign, logabs = ops.slogdet(BATCH * np.array([1.0, -1.0])[:, None, None])
    expected = np.linalg.slogdet(BATCH * np.array([1.0, -1.0])[:, None, None])
    assert_same(sign, expected[0]) and assert_same(logabs, expected[1], rtol=1e-12)
    assert gradcheck(lambda a: ops.slogdet(a)[1], [A])
    b = _r.standard_normal((3, 2))
    for lower in (True, False):
        triangle = np.tril(A) if lower else np.triu(A)
        assert_same(ops.solve_triangular(A, b, lower=lower), np.linalg.solve(triangle, b),
                    rtol=1e-12, atol=1e-12)
        assert gradcheck(lambda a, v: ops.solve_triangular(a, v, lower=lower), [A, b])
