"""Integration, distances, correlation, Vandermonde matrices and windows against NumPy and
Keras 3, with gradients."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(17)
Y = _r.standard_normal((3, 5))
XS = np.sort(_r.uniform(0, 4, 5))


def test_trapezoid():
    assert_same(ops.trapezoid(Y), np.trapezoid(Y), rtol=1e-12)
    assert_same(ops.trapezoid(Y, dx=0.5, axis=0), np.trapezoid(Y, dx=0.5, axis=0), rtol=1e-12)
    assert_same(ops.trapezoid(Y, XS), np.trapezoid(Y, XS), rtol=1e-12)
    assert gradcheck(lambda y, x: ops.trapezoid(y, x), [Y, XS])


def test_cdist(keras):
    a, b = _r.standard_normal((2, 4, 3)), _r.standard_normal((2, 5, 3))
    expected = np.sqrt(((a[:, :, None] - b[:, None]) ** 2).sum(-1))
    assert_same(ops.cdist(a, b), expected, rtol=1e-12)
    assert_same(ops.cdist(a[0].astype(np.float32), b[0].astype(np.float32)),
                keras.ops.cdist(a[0].astype(np.float32), b[0].astype(np.float32)), rtol=1e-5)
    assert gradcheck(ops.cdist, [a, b])


def test_corrcoef():
    assert_same(ops.corrcoef(Y), np.corrcoef(Y), rtol=1e-12)
    assert gradcheck(ops.corrcoef, [Y])


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("lengths", [(6, 3), (5, 4), (3, 6)])
def test_correlate(mode, lengths):
    a, v = _r.standard_normal(lengths[0]), _r.standard_normal(lengths[1])
    assert_same(ops.correlate(a, v, mode), np.correlate(a, v, mode), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, y: ops.correlate(x, y, mode), [a, v])


def test_vander():
    x = _r.standard_normal(4)
    for n, increasing in ((None, False), (3, True), (5, False), (0, False)):
        assert_same(ops.vander(x, n, increasing), np.vander(x, n, increasing), rtol=1e-12)
    assert gradcheck(lambda t: ops.vander(t, 4), [x])


@pytest.mark.parametrize("name, args", [("bartlett", (7,)), ("blackman", (6,)),
                                        ("hamming", (5,)), ("hanning", (8,)),
                                        ("kaiser", (6, 3.0))])
def test_windows_match_keras(keras, name, args):
    assert_same(getattr(ops, name)(*args), getattr(keras.ops, name)(*args), rtol=1e-6,
                atol=1e-7)
