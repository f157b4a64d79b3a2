"""New tensors: values against NumPy, default dtypes against Keras 3."""

import numpy as np
import pytest

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same


@pytest.mark.parametrize("call", [
    lambda o: o.arange(5), lambda o: o.arange(5.0), lambda o: o.arange(1, 7, 2),
    lambda o: o.arange(0, 5, 0.5), lambda o: o.arange(3, dtype="float32"),
    lambda o: o.linspace(0, 4, 5), lambda o: o.linspace(0.0, 1.0, 4, endpoint=False),
    lambda o: o.linspace(0, 10, 3, dtype="int32"), lambda o: o.logspace(0, 3, 4),
    lambda o: o.logspace(0, 3, 4, base=2), lambda o: o.geomspace(1, 1000, 4),
    lambda o: o.zeros((2, 3)), lambda o: o.ones(3, dtype="int8"), lambda o: o.full((2,), 7),
    lambda o: o.full((2,), 1.5, dtype="float16"),
    lambda o: o.zeros_like(np.ones((2,), "int32")), lambda o: o.ones_like(np.ones(2, "float16")),
    lambda o: o.full_like(np.ones(2, "int32"), 3), lambda o: o.full_like(np.ones(2), 3, "int8"),
    lambda o: o.eye(3), lambda o: o.eye(2, 4, k=1), lambda o: o.identity(2, dtype="int32"),
    lambda o: o.tri(3), lambda o: o.tri(3, 4, -1), lambda o: o.array([1, 2]),
    lambda o: o.array([1.0, 2.0], dtype="float16"), lambda o: o.empty((2, 2)).shape,
])
def test_matches_keras(keras, call):
    ours, theirs = call(ops), call(keras.ops)
    if isinstance(ours, tuple):
        assert ours == theirs
        return
    assert_same(ours, np.asarray(theirs), rtol=1e-6)


def test_matches_numpy_in_float64():
    assert_same(ops.linspace(0, 1, 5, dtype="float64"), np.linspace(0, 1, 5))
    values, step = ops.linspace(0.0, 1.0, 5, retstep=True, dtype="float64")
    assert_same(values, np.linspace(0.0, 1.0, 5)) and float(step) == 0.25
    assert_same(ops.linspace([0.0, 1.0], [1.0, 3.0], 3, axis=1, dtype="float64"),
                np.linspace([0.0, 1.0], [1.0, 3.0], 3, axis=1))
    assert_same(ops.arange(2 ** 40, 2 ** 40 + 3), np.arange(2 ** 40, 2 ** 40 + 3))
    assert_same(ops.full((2, 2), [1.0, 2.0]), np.full((2, 2), [1.0, 2.0], np.float32))


def test_copy_and_meshgrid_are_differentiable():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([4.0, 5.0])
    assert gradcheck(ops.copy, [x])
    for indexing in ("xy", "ij"):
        ours = ops.meshgrid(x, y, indexing=indexing)
        for a, b in zip(ours, np.meshgrid(x, y, indexing=indexing)):
            assert_same(a, b)
        assert gradcheck(lambda a, b: ops.meshgrid(a, b, indexing=indexing)[0] * 2
                         + ops.meshgrid(a, b, indexing=indexing)[1], [x, y])
    three = ops.meshgrid(x, y, x)
    for a, b in zip(three, np.meshgrid(x, y, x)):
        assert_same(a, b)


def test_array_is_a_copy():
    t = Tensor(np.ones(2))
    out = ops.array(t)
    out.data[0] = 5
    assert t.data[0] == 1


def test_errors():
    with pytest.raises(ValueError, match="step"):
        ops.arange(0, 5, 0)
    with pytest.raises(ValueError, match="negative"):
        ops.zeros((2, -1))
    with pytest.raises(TypeError, match="shape"):
        ops.ones("abc")
    with pytest.raises(ValueError, match="nonzero"):
        ops.geomspace(0, 10, 3)
    with pytest.raises(ValueError, match="indexing"):
        ops.meshgrid([1.0], indexing="ji")
