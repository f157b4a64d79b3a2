"""Tensor products against NumPy, with gradients in every operand."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(8)
M = _r.standard_normal((3, 4))
N = _r.standard_normal((4, 2))
V = _r.standard_normal(4)
B3 = _r.standard_normal((2, 3, 4))
B4 = _r.standard_normal((2, 4, 5))

CASES = [  # neurona call, NumPy reference, operands
    (ops.matmul, np.matmul, [M, N]), (ops.matmul, np.matmul, [M, V]),
    (ops.matmul, np.matmul, [V, N]), (ops.matmul, np.matmul, [V, V]),
    (ops.matmul, np.matmul, [B3, B4]), (ops.matmul, np.matmul, [B3, N]),
    (lambda a, b: ops.einsum("ij,jk->ki", a, b), lambda a, b: np.einsum("ij,jk->ki", a, b),
     [M, N]),
    (lambda a, b: ops.einsum("bij,bjk->bik", a, b), lambda a, b: np.einsum("bij,bjk->bik", a, b),
     [B3, B4]),
    (lambda a: ops.einsum("...i->...", a), lambda a: np.einsum("...i->...", a), [B3]),
    (lambda a, b: ops.tensordot(a, b, 1), lambda a, b: np.tensordot(a, b, 1), [M, N]),
    (lambda a, b: ops.tensordot(a, b, ([1, 2], [0, 1])),
     lambda a, b: np.tensordot(a, b, ([1, 2], [0, 1])), [B3, B3[0]]),
    (lambda a, b: ops.tensordot(a, b, 0), lambda a, b: np.tensordot(a, b, 0), [V, V[:2]]),
    (ops.dot, np.dot, [M, N]), (ops.dot, np.dot, [V, V]), (ops.dot, np.dot, [B3, N]),
    (ops.dot, np.dot, [B3, V]), (ops.dot, np.dot, [M, B4]),
    (ops.outer, np.outer, [V, M]), (ops.inner, np.inner, [M, V]), (ops.inner, np.inner, [B3, M]),
    (ops.vdot, np.vdot, [M, M[::-1].copy()]), (ops.kron, np.kron, [M, N]),
    (ops.kron, np.kron, [V, M]),
    (ops.cross, np.cross, [M[:, :3], N.T[:, :3].repeat(2, 0)[:3]]),
    (lambda a, b: ops.cross(a, b, axisa=0, axisb=0), lambda a, b: np.cross(a, b, axisa=0,
                                                                           axisb=0),
     [M[:, :2], M[::-1, 1:3]]),
    (ops.cross, lambda a, b: a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], [M[:, :2], M[:, 2:]]),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_matches_numpy_and_is_differentiable(index):
    call, reference, inputs = CASES[index]
    assert_same(call(*inputs), reference(*inputs), rtol=1e-12, atol=1e-12)
    assert gradcheck(call, inputs)


def test_scalars():
    assert_same(ops.dot(2.0, M), np.dot(2.0, M).astype(np.float64))


def test_int8_accumulates_in_int32(keras):
    a = np.full((2, 3), 100, np.int8)
    for name, args in (("matmul", (a, a.T)), ("einsum", ("ij,kj->ik", a, a))):
        ours = getattr(ops, name)(*args)
        theirs = getattr(keras.ops, name)(*args)
        assert ours.dtype.name == keras.ops.dtype(theirs) == "int32"
        np.testing.assert_array_equal(ours.numpy(), np.asarray(theirs))


def test_mixed_dtypes_promote_as_keras(keras):
    a, b = np.ones((2, 2), np.int32), np.ones((2, 2), np.float32)
    assert ops.matmul(a, b).dtype.name == keras.ops.dtype(keras.ops.matmul(a, b))


def test_errors():
    with pytest.raises(ValueError, match="line up"):
        ops.matmul(M, M)
    with pytest.raises(ValueError, match="pair up"):
        ops.tensordot(M, M, 1)
    with pytest.raises(ValueError, match="2 or 3 components"):
        ops.cross(M, M)
    with pytest.raises(ValueError, match="subscripts"):
        ops.einsum("ij,j", M)
    with pytest.raises(ValueError, match="output"):
        ops.einsum("ij->k", M)
