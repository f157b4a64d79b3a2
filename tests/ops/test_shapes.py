"""Shapes, axes, joins and splits against NumPy, with gradients through each."""

import numpy as np
import pytest

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(6)
X = _r.standard_normal((2, 3, 4))
Y = _r.standard_normal((2, 3, 4))


@pytest.mark.parametrize("call, reference", [
    (lambda x: ops.reshape(x, (4, -1)), lambda x: np.reshape(x, (4, -1))),
    (lambda x: ops.reshape(x, 24), lambda x: np.reshape(x, 24)),
    (lambda x: ops.transpose(x), np.transpose),
    (lambda x: ops.transpose(x, (1, 2, 0)), lambda x: np.transpose(x, (1, 2, 0))),
    (lambda x: ops.expand_dims(x, 1), lambda x: np.expand_dims(x, 1)),
    (lambda x: ops.expand_dims(x, (0, -1)), lambda x: np.expand_dims(x, (0, -1))),
    (lambda x: ops.squeeze(x[:1, :, :1]), lambda x: np.squeeze(x[:1, :, :1])),
    (lambda x: ops.squeeze(x[:1], axis=0), lambda x: np.squeeze(x[:1], axis=0)),
    (ops.ravel, np.ravel),
    (lambda x: ops.broadcast_to(x[:, :1], (2, 3, 4)), lambda x: np.broadcast_to(x[:, :1],
                                                                               (2, 3, 4))),
    (lambda x: ops.swapaxes(x, 0, 2), lambda x: np.swapaxes(x, 0, 2)),
    (lambda x: ops.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1)),
    (lambda x: ops.moveaxis(x, (0, 1), (2, 0)), lambda x: np.moveaxis(x, (0, 1), (2, 0))),
])
def test_matches_numpy_and_is_differentiable(call, reference):
    assert_same(call(X), reference(X))
    assert gradcheck(call, [X])


def test_ndim_and_size():
    assert ops.ndim(X) == 3 and ops.size(X) == 24 and ops.size(Tensor(X)) == 24
    assert ops.ndim(3.0) == 0


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_stack(axis):
    assert_same(ops.concatenate([X, Y], axis=axis), np.concatenate([X, Y], axis=axis))
    assert_same(ops.stack([X, Y], axis=axis), np.stack([X, Y], axis=axis))
    assert gradcheck(lambda a, b: ops.concatenate([a, b], axis=axis), [X, Y])
    assert gradcheck(lambda a, b: ops.stack([a, b], axis=axis), [X, Y])


def test_concatenate_promotes_and_checks(keras):
    ints, floats = np.ones((1, 2), np.int32), np.ones((1, 2), np.float32)
    assert ops.concatenate([ints, floats]).dtype.name == keras.ops.dtype(
        keras.ops.concatenate([ints, floats]))
    assert_same(ops.concatenate([X, Y], axis=None), np.concatenate([X, Y], axis=None))
    with pytest.raises(ValueError, match="differ"):
        ops.concatenate([X, Y[:, :2]], axis=0)


def test_stacks():
    a, b = np.arange(3.0), np.arange(3.0, 6.0)
    for name in ("hstack", "vstack", "dstack"):
        assert_same(getattr(ops, name)([a, b]), getattr(np, name)([a, b]))
        assert_same(getattr(ops, name)([X, Y]), getattr(np, name)([X, Y]))
    assert_same(ops.append(X, Y, axis=1), np.append(X, Y, axis=1))
    assert_same(ops.append(X, Y), np.append(X, Y))


@pytest.mark.parametrize("sections", [2, [1, 3], [-1], [0, 5]])
def test_splits(sections):
    x = np.arange(12.0).reshape(4, 3)
    if sections != 2:
        for ours, theirs in zip(ops.array_split(x, sections), np.array_split(x, sections)):
            assert_same(ours, theirs)
    for ours, theirs in zip(ops.split(x, sections), np.split(x, sections)):
        assert_same(ours, theirs)
    parts = ops.array_split(x, 3, axis=1)
    assert [p.shape for p in parts] == [(4, 1)] * 3
    with pytest.raises(ValueError, match="array_split"):
        ops.split(x, 3)
    for name in ("hsplit", "vsplit"):
        for ours, theirs in zip(getattr(ops, name)(x.reshape(2, 6) if name == "hsplit" else x, 2),
                                getattr(np, name)(x.reshape(2, 6) if name == "hsplit" else x,
                                                  2)):
            assert_same(ours, theirs)
    cube = np.arange(8.0).reshape(2, 2, 2)
    for ours, theirs in zip(ops.dsplit(cube, 2), np.dsplit(cube, 2)):
        assert_same(ours, theirs)


def test_split_is_differentiable():
    assert gradcheck(lambda x: ops.concatenate(ops.split(x, [1, 3], axis=2)[::-1], axis=2), [X])


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="cannot reshape"):
        ops.reshape(X, (5, -1))
    with pytest.raises(ValueError, match="size 3, not 1"):
        ops.squeeze(X, axis=1)
    with pytest.raises(ValueError, match="cannot broadcast"):
        ops.broadcast_to(X, (3, 3, 4))
    with pytest.raises(ValueError, match="permutation"):
        ops.transpose(X, (0, 0, 1))
