"""Sorting and order statistics against NumPy, with gradients through the sort."""

import numpy as np
import pytest

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(4)
DISTINCT = _r.permutation(30).reshape(2, 3, 5) + _r.uniform(0.1, 0.3, (2, 3, 5))


@pytest.mark.parametrize("axis", [-1, 0, 1, None])
def test_sort_and_argsort(axis):
    assert_same(ops.sort(DISTINCT, axis=axis), np.sort(DISTINCT, axis=axis))
    assert_same(ops.argsort(DISTINCT, axis=axis),
                np.argsort(DISTINCT, axis=axis, kind="stable").astype(np.int32))
    assert gradcheck(lambda x: ops.sort(x, axis=axis), [DISTINCT])


def test_argsort_is_stable(keras):
    x = np.array([3.0, 1.0, 3.0, 1.0], np.float32)
    assert_same(ops.argsort(x), keras.ops.argsort(x))


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("axis", [None, 1, (0, 2), -1])
@pytest.mark.parametrize("q", [0.5, [0.0, 0.3, 1.0]])
def test_quantile_matches_numpy(method, axis, q):
    expected = np.quantile(DISTINCT, q, axis=axis, method=method)
    assert_same(ops.quantile(DISTINCT, q, axis=axis, method=method), expected, rtol=1e-12)
    kept = np.quantile(DISTINCT, q, axis=axis, method=method, keepdims=True)
    assert_same(ops.quantile(DISTINCT, q, axis=axis, method=method, keepdims=True), kept,
                rtol=1e-12)


def test_percentile_and_median_match_numpy():
    assert_same(ops.percentile(DISTINCT, [10, 90], axis=1), np.percentile(DISTINCT, [10, 90],
                                                                          axis=1), rtol=1e-12)
    assert_same(ops.median(DISTINCT, axis=-1), np.median(DISTINCT, axis=-1), rtol=1e-12)
    assert_same(ops.median(DISTINCT[0, 0, :4]), np.median(DISTINCT[0, 0, :4]), rtol=1e-12)


def test_quantiles_are_differentiable():
    assert gradcheck(lambda x: ops.quantile(x, [0.25, 0.6], axis=2), [DISTINCT])
    assert gradcheck(lambda x: ops.median(x, axis=(0, 1)), [DISTINCT])


def test_median_dtype_matches_keras(keras):
    x = np.arange(6, dtype="int32")
    assert ops.median(x).dtype.name == keras.ops.dtype(keras.ops.median(x))


def test_quantile_errors():
    with pytest.raises(ValueError, match="q must"):
        ops.quantile(DISTINCT, 1.5)
    with pytest.raises(ValueError, match="method"):
        ops.quantile(DISTINCT, 0.5, method="cubic")
    with pytest.raises(ValueError, match="q must be in"):
        ops.percentile(DISTINCT, 101)


def test_sorted_values_route_their_gradient_back():
    x = Tensor(np.array([3.0, 1.0, 2.0]), requires_grad=True)
    (ops.sort(x) * np.array([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


@pytest.mark.parametrize("method", ["linear", "nearest", "midpoint"])
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
def test_nan_quantiles_match_numpy(method, axis):
    x = DISTINCT.copy()
    x[0, 1, :3] = x[1, 2, 4] = np.nan
    assert_same(ops.nanquantile(x, [0.2, 0.5], axis=axis, method=method),
                np.nanquantile(x, [0.2, 0.5], axis=axis, method=method), rtol=1e-12)
    assert_same(ops.nanpercentile(x, 30, axis=axis, keepdims=True),
                np.nanpercentile(x, 30, axis=axis, keepdims=True), rtol=1e-12)
    assert_same(ops.nanmedian(x, axis=axis), np.nanmedian(x, axis=axis), rtol=1e-12)
    clean = DISTINCT.copy()
    mask = np.isnan(x)
    assert gradcheck(lambda t: ops.nanquantile(ops.where(mask, np.nan, t), 0.4, axis=2), [clean])


def test_nan_quantile_of_an_all_nan_slice():
    x = np.array([[np.nan, np.nan], [1.0, 3.0]])
    with pytest.warns(RuntimeWarning):
        expected = np.nanmedian(x, axis=1)
    assert_same(ops.nanmedian(x, axis=1), expected)
