"""Conversion, control flow as plain Python, slices and scatters."""

import numpy as np
import pytest

from neurona import Tensor, Variable, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(11)
X = _r.standard_normal((4, 3))


def test_conversions():
    t = ops.convert_to_tensor(X)
    assert isinstance(t, Tensor) and t.dtype.name == "float64"
    assert ops.convert_to_tensor(t) is t
    assert ops.convert_to_tensor(t, dtype="float32").dtype.name == "float32"
    stacked = ops.convert_to_tensor([Tensor([1.0]), Tensor([2.0])])
    assert stacked.shape == (2, 1)
    assert isinstance(ops.convert_to_numpy(t), np.ndarray)
    assert ops.convert_to_numpy([1, 2]).tolist() == [1, 2]
    assert ops.is_tensor(t) and ops.is_tensor(Variable(X)) and not ops.is_tensor(X)
    assert ops.shape(X) == (4, 3) and ops.shape(t) == (4, 3) and ops.shape([1, 2]) == (2,)
    assert all(type(n) is int for n in ops.shape(t))
    assert ops.dtype(X) == "float64" and ops.dtype([1]) == "int32"
    with pytest.raises(ValueError, match="sparse"):
        ops.convert_to_tensor(X, sparse=True)


def test_stop_gradient():
    x = Tensor(X, requires_grad=True)
    y = ops.sum(ops.multiply(x, ops.stop_gradient(x)))
    y.backward()
    np.testing.assert_allclose(x.grad, X)


def test_cast_and_saturate_cast(keras):
    x = np.array([-300.0, 1.7, 300.0])
    assert_same(ops.cast(x, "int32"), x.astype("int32"))
    assert_same(ops.saturate_cast(x, "uint8"), np.array([0, 1, 255], np.uint8))
    x32 = x.astype(np.float32)
    assert_same(ops.saturate_cast(x32, "int8"), keras.ops.saturate_cast(x32, "int8"))


def test_cond_switch_and_loops():
    assert float(ops.cond(Tensor(True), lambda: 1.0, lambda: 2.0)) == 1.0
    assert ops.cond(False, lambda: "a", lambda: "b") == "b"
    branches = [lambda v: v + 1, lambda v: v * 10]
    assert ops.switch(1, branches, 2) == 20 and ops.switch(7, branches, 2) == 20
    assert ops.switch(-3, branches, 2) == 3
    assert float(ops.fori_loop(0, 5, lambda i, v: v + i, 0.0)) == 10.0
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0) == 10
    assert ops.while_loop(lambda x, y: x < 10, lambda x, y: (x + 1, y + 1), (0, 1)) == (10, 11)
    assert ops.while_loop(lambda i: True, lambda i: i + 1, 0, maximum_iterations=4) == 4
    assert ops.while_loop(lambda a: a < 3, lambda a: [a + 1], [0]) == [3]  # lists: positional


def test_loops_are_differentiable():
    def f(x):
        return ops.fori_loop(0, 3, lambda i, v: v * x + i, x)

    assert gradcheck(f, [X])
    assert gradcheck(lambda x: ops.while_loop(lambda v, n: n < 3, lambda v, n: (ops.sin(v), n + 1),
                                              (x, 0))[0], [X])


def test_scan_matches_a_python_loop(keras):
    xs = np.arange(1.0, 6.0, dtype=np.float32)
    ours = ops.scan(lambda c, x: (c + x, c * x), 0.0, xs)
    theirs = keras.ops.scan(lambda c, x: (c + x, c * x), 0.0, xs)
    assert_same(ours[0], np.asarray(theirs[0]))
    assert_same(ours[1], np.asarray(theirs[1]))
    rev = ops.scan(lambda c, x: (c + x, c), 0.0, xs, reverse=True)
    krev = keras.ops.scan(lambda c, x: (c + x, c), 0.0, xs, reverse=True)
    assert_same(rev[1], np.asarray(krev[1]))
    carry, ys = ops.scan(lambda c, _: (c * 2, None), 1.0, length=4)
    assert float(carry) == 16.0 and ys is None
    nested = ops.scan(lambda c, x: (c + x["a"], {"b": x["a"] * 2}), 0.0, {"a": xs})
    assert_same(nested[1]["b"], xs * 2)
    assert gradcheck(lambda x: ops.scan(lambda c, r: (c * 0.5 + r, ops.sum(r * c)),
                                        ops.zeros(3, dtype="float64"), x)[1], [X])
    with pytest.raises(ValueError, match="length"):
        ops.scan(lambda c, x: (c, x), 0.0, xs, length=3)
    with pytest.raises(ValueError, match="unroll"):
        ops.scan(lambda c, x: (c, x), 0.0, xs, unroll=0)


def test_map_and_associative_scan(keras):
    assert_same(ops.map(lambda r: ops.sum(r), X), X.sum(axis=1))
    assert_same(ops.vectorized_map(lambda r: r * 2, X), X * 2)
    pairs = ops.map(lambda d: (d["x"] + 1, d["x"] * 2), {"x": X})
    assert_same(pairs[0], X + 1) and assert_same(pairs[1], X * 2)
    x32 = X.astype(np.float32)
    assert_same(ops.associative_scan(lambda a, b: a + b, x32),
                keras.ops.associative_scan(lambda a, b: a + b, x32), rtol=1e-6)
    assert_same(ops.associative_scan(lambda a, b: a * b, x32, reverse=True, axis=1),
                keras.ops.associative_scan(lambda a, b: a * b, x32, reverse=True, axis=1),
                rtol=1e-6)
    assert gradcheck(lambda x: ops.associative_scan(ops.maximum, x, axis=1), [X])


def test_slice_and_slice_update(keras):
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    assert_same(ops.slice(x, (1, 0, 1), (1, 2, -1)), keras.ops.slice(x, (1, 0, 1), (1, 2, -1)))
    u = np.full((1, 2, 2), -1.0, np.float32)
    assert_same(ops.slice_update(x, (1, 1, 2), u), keras.ops.slice_update(x, (1, 1, 2), u))
    assert gradcheck(lambda a, b: ops.slice_update(a, (1, 0), b), [X, X[:2, :2].copy()])
    with pytest.raises(ValueError, match="leaves"):
        ops.slice(x, (0, 0, 3), (1, 1, 2))
    with pytest.raises(ValueError, match="one start per axis"):
        ops.slice(x, (0, 0), (1, 1))


def test_scatter(keras):
    idx = np.array([[0, 1], [2, 0], [0, 1]])
    values = np.array([1.0, 2.0, 3.0], np.float32)
    assert_same(ops.scatter(idx, values, (3, 2)), keras.ops.scatter(idx, values, (3, 2)))
    rows = np.array([[1], [3]])
    block = np.ones((2, 4), np.float32)
    assert_same(ops.scatter(rows, block, (4, 4)), keras.ops.scatter(rows, block, (4, 4)))
    assert gradcheck(lambda v: ops.scatter(idx, v, (3, 2)), [values.astype(np.float64)])


@pytest.mark.parametrize("reduction", [None, "add", "max", "min", "mul"])
def test_scatter_update_matches_keras(keras, reduction):
    inputs = _r.uniform(1.0, 2.0, (4, 3)).astype(np.float32)
    idx = np.array([[1], [3], [1]])
    updates = _r.uniform(0.5, 3.0, (3, 3)).astype(np.float32)
    ours = ops.scatter_update(inputs, idx, updates, reduction=reduction)
    theirs = keras.ops.scatter_update(inputs, idx, updates, reduction=reduction)
    assert_same(ours, np.asarray(theirs), rtol=1e-6)
    assert gradcheck(lambda a, b: ops.scatter_update(a, idx, b, reduction=reduction),
                     [inputs.astype(np.float64), updates.astype(np.float64)])


def test_scatter_update_errors():
    with pytest.raises(ValueError, match="reduction"):
        ops.scatter_update(np.zeros(3), [[0]], [1.0], reduction="sum")
    with pytest.raises(IndexError, match="out of range"):
        ops.scatter_update(np.zeros(3), [[3]], [1.0])


def test_get_item_and_unstack():
    assert_same(ops.get_item(X, (slice(1, 3), 0)), X[1:3, 0])
    parts = ops.unstack(X, axis=1)
    assert len(parts) == 3 and all(p.shape == (4,) for p in parts)
    assert_same(parts[2], X[:, 2])
    with pytest.raises(ValueError, match="num"):
        ops.unstack(X, num=2)
