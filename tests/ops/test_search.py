"""Searching, counting and index arithmetic against NumPy and Keras 3."""

import numpy as np
import pytest

from neurona import ops

from .conftest import assert_same

_r = np.random.default_rng(16)
INTS = _r.integers(0, 6, (3, 5)).astype(np.int32)


def test_nonzero(keras):
    for ours, theirs in zip(ops.nonzero(INTS), keras.ops.nonzero(INTS)):
        assert_same(ours, theirs)


def test_searchsorted_and_digitize(keras):
    seq = np.array([1.0, 2.0, 2.0, 5.0], np.float32)
    values = np.array([[0.0, 2.0], [3.0, 9.0]], np.float32)
    for side in ("left", "right"):
        assert_same(ops.searchsorted(seq, values, side=side),
                    keras.ops.searchsorted(seq, values, side=side))
    assert_same(ops.digitize(values, seq), keras.ops.digitize(values, seq))
    with pytest.raises(ValueError, match="1-D"):
        ops.searchsorted(np.ones((2, 2)), 1.0)


def test_bincount(keras):
    x = np.array([0, 3, 3, 1], np.int32)
    assert_same(ops.bincount(x), keras.ops.bincount(x))
    assert_same(ops.bincount(x, minlength=6), keras.ops.bincount(x, minlength=6))
    w = np.array([0.5, 1.0, 2.0, 3.0], np.float32)
    assert_same(ops.bincount(x, weights=w), keras.ops.bincount(x, weights=w))
    rows = np.array([[0, 1, 1], [2, 2, 2]], np.int32)  # each row counted (Keras on JAX fails)
    assert_same(ops.bincount(rows), np.stack([np.bincount(r, minlength=3) for r in rows])
                .astype(np.int32))
    with pytest.raises(ValueError, match="non-negative"):
        ops.bincount(np.array([-1, 2]))


def test_unique():
    x = np.array([3, 1, 3, 2, 1], np.int32)
    values, index, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                               return_counts=True)
    ours = ops.unique(x, return_index=True, return_inverse=True, return_counts=True)
    assert_same(ours[0], values)
    assert_same(ours[1], index.astype(np.int32))
    assert_same(ours[2], inverse.astype(np.int32))
    assert_same(ours[3], counts.astype(np.int32))
    assert_same(ops.unique(x, size=5, fill_value=-1), np.array([1, 2, 3, -1, -1], np.int32))
    assert_same(ops.unique(x, size=2), np.array([1, 2], np.int32))
    rows = np.array([[1, 2], [0, 1], [1, 2]])
    assert_same(ops.unique(rows, axis=0), np.unique(rows, axis=0))


def test_argpartition():
    x = _r.permutation(10).astype(np.float32)
    idx = ops.argpartition(x, 3).numpy()
    assert x[idx[3]] == np.sort(x)[3]
    assert (x[idx[:3]] <= x[idx[3]]).all() and (x[idx[4:]] >= x[idx[3]]).all()
    flat = ops.argpartition(x.reshape(2, 5), 2, axis=None).numpy()
    assert x[flat[2]] == np.sort(x)[2]


def test_unravel_index(keras):
    for ours, theirs in zip(ops.unravel_index([7, 0, 11], (3, 4)),
                            keras.ops.unravel_index(np.array([7, 0, 11]), (3, 4))):
        assert_same(ours, theirs)
    with pytest.raises(ValueError, match="out of range"):
        ops.unravel_index([12], (3, 4))


def test_histogram(keras):
    x = _r.normal(size=100).astype(np.float32)
    for bins, rng in ((10, None), (4, (-1.0, 1.0))):
        ours = ops.histogram(x, bins=bins, range=rng)
        theirs = keras.ops.histogram(x, bins=bins, range=rng)
        assert_same(ours[0], theirs[0])
        assert_same(ours[1], theirs[1], rtol=1e-6)
