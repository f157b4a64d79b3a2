"""Gathers, padding, repetition, flips, rolls, triangles and diagonals against NumPy, with
gradients through each."""

import numpy as np
import pytest

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(7)
X = _r.standard_normal((3, 4))
CUBE = _r.standard_normal((2, 3, 4))

CASES = [  # neurona call, NumPy reference (both on one array)
    (lambda x: ops.take(x, [2, 0, 2], axis=1), lambda x: np.take(x, [2, 0, 2], axis=1)),
    (lambda x: ops.take(x, [[1, -1]]), lambda x: np.take(x, [[1, -1]])),
    (lambda x: ops.take_along_axis(x, np.argsort(x, axis=1), axis=1),
     lambda x: np.take_along_axis(x, np.argsort(x, axis=1), axis=1)),
    (lambda x: ops.take_along_axis(x, np.array([[0], [2], [1]]), axis=1),
     lambda x: np.take_along_axis(x, np.array([[0], [2], [1]]), axis=1)),
    (lambda x: ops.take_along_axis(x, np.array([[0, 1, 2, 0]]), axis=0),
     lambda x: np.take_along_axis(x, np.array([[0, 1, 2, 0]]), axis=0)),
    (lambda x: ops.tile(x, 2), lambda x: np.tile(x, 2)),
    (lambda x: ops.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3))),
    (lambda x: ops.repeat(x, 2), lambda x: np.repeat(x, 2)),
    (lambda x: ops.repeat(x, [1, 0, 3], axis=0), lambda x: np.repeat(x, [1, 0, 3], axis=0)),
    (lambda x: ops.flip(x), lambda x: np.flip(x)),
    (lambda x: ops.flip(x, 1), lambda x: np.flip(x, 1)),
    (ops.fliplr, np.fliplr), (ops.flipud, np.flipud),
    (lambda x: ops.roll(x, 5), lambda x: np.roll(x, 5)),
    (lambda x: ops.roll(x, -1, axis=1), lambda x: np.roll(x, -1, axis=1)),
    (lambda x: ops.roll(x, (1, 2), axis=(0, 1)), lambda x: np.roll(x, (1, 2), axis=(0, 1))),
    (lambda x: ops.rot90(x), np.rot90), (lambda x: ops.rot90(x, 2), lambda x: np.rot90(x, 2)),
    (lambda x: ops.rot90(x, -1), lambda x: np.rot90(x, -1)),
    (ops.tril, np.tril), (lambda x: ops.triu(x, 1), lambda x: np.triu(x, 1)),
    (lambda x: ops.tril(x, -1), lambda x: np.tril(x, -1)),
    (ops.diagonal, np.diagonal), (lambda x: ops.diagonal(x, 1), lambda x: np.diagonal(x, 1)),
    (lambda x: ops.diagonal(x, -2), lambda x: np.diagonal(x, -2)),
    (ops.diag, np.diag), (lambda x: ops.diag(x[0], 1), lambda x: np.diag(x[0], 1)),
    (lambda x: ops.diag(x[1], -2), lambda x: np.diag(x[1], -2)),
    (ops.diagflat, np.diagflat), (ops.trace, np.trace),
    (lambda x: ops.trace(x, 1), lambda x: np.trace(x, 1)),
    (ops.diff, np.diff), (lambda x: ops.diff(x, 2, axis=0), lambda x: np.diff(x, 2, axis=0)),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_matches_numpy_and_is_differentiable(index):
    call, reference = CASES[index]
    assert_same(call(X), reference(X))
    assert gradcheck(call, [X])


def test_batched_triangles_and_diagonals():
    assert_same(ops.tril(CUBE), np.tril(CUBE))
    assert_same(ops.diagonal(CUBE, 0, 1, 2), np.diagonal(CUBE, 0, 1, 2))
    assert_same(ops.trace(CUBE, 0, 2, 1), np.trace(CUBE, 0, 2, 1))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("width", [1, (2, 1), ((0, 2), (3, 1))])
def test_pad_matches_numpy(mode, width):
    assert_same(ops.pad(X, width, mode=mode), np.pad(X, width, mode=mode))
    assert gradcheck(lambda x: ops.pad(x, width, mode=mode), [X])


def test_pad_constant_values_and_circular():
    assert_same(ops.pad(X, 1, constant_values=2.5), np.pad(X, 1, constant_values=2.5))
    assert_same(ops.pad(X, 2, mode="circular"), np.pad(X, 2, mode="wrap"))
    assert_same(ops.pad(np.arange(3, dtype=np.int32), 1), np.pad(np.arange(3, dtype=np.int32), 1))


def test_pad_errors():
    with pytest.raises(ValueError, match="mode"):
        ops.pad(X, 1, mode="mean")
    with pytest.raises(ValueError, match="negative"):
        ops.pad(X, -1)
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(X, 1, mode="edge", constant_values=1.0)


def test_repeated_gathers_accumulate_gradients():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    ops.sum(ops.take(x, [0, 0, 2, 0])).backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_index_errors():
    with pytest.raises(IndexError, match="out of range"):
        ops.take(X, [4], axis=1)
    with pytest.raises(TypeError, match="integers"):
        ops.take(X, [0.5])
    with pytest.raises(ValueError, match="broadcast"):
        ops.take_along_axis(X, np.zeros((2, 2), np.int64), axis=1)


def test_select():
    x = np.linspace(-2, 2, 9)
    conds, choices = [x < -1, x > 1], [x * 10, x ** 2]
    assert_same(ops.select(conds, choices, 0.5), np.select(conds, choices, 0.5))
    assert gradcheck(lambda a: ops.select([x < 0], [a * 3], a), [x + 0.05])
