"""Reductions that skip NaNs, against NumPy's nan functions."""

import numpy as np
import pytest

from neurona import Tensor, ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(5)
X = _r.uniform(0.5, 2.0, (3, 4))
X[0, 1] = X[2, 3] = X[1, 0] = np.nan
ALL_NAN_ROW = X.copy()
ALL_NAN_ROW[1] = np.nan


@pytest.mark.parametrize("name", ["nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar",
                                  "nanstd"])
@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matches_numpy(name, axis, keepdims):
    expected = getattr(np, name)(X, axis=axis, keepdims=keepdims)
    assert_same(getattr(ops, name)(X, axis=axis, keepdims=keepdims), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["nanmean", "nanmax", "nanmin"])
def test_all_nan_slices_give_nan(name):
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = getattr(np, name)(ALL_NAN_ROW, axis=1)
    assert_same(getattr(ops, name)(ALL_NAN_ROW, axis=1), expected)


@pytest.mark.parametrize("name", ["nancumsum", "nancumprod"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_running(name, axis):
    assert_same(getattr(ops, name)(X, axis=axis), getattr(np, name)(X, axis=axis), rtol=1e-12)


@pytest.mark.parametrize("name", ["nanargmax", "nanargmin"])
def test_arg_extrema(name, keras):
    assert_same(getattr(ops, name)(X, axis=1), getattr(np, name)(X, axis=1).astype(np.int32))
    x32 = ALL_NAN_ROW.astype(np.float32)
    assert_same(getattr(ops, name)(x32, axis=1), getattr(keras.ops, name)(x32, axis=1))


@pytest.mark.parametrize("name", ["nansum", "nanmean", "nanmax", "nanprod", "nanvar"])
def test_gradient_skips_the_nans(name):
    fn = getattr(ops, name)
    t = Tensor(X, requires_grad=True)
    ops.sum(fn(t, axis=1)).backward()
    assert np.isfinite(t.grad).all() and (t.grad[np.isnan(X)] == 0).all()
    clean = np.where(np.isnan(X), 1.0, X)
    mask = np.isnan(X)
    assert gradcheck(lambda x: fn(ops.where(mask, np.nan, x), axis=1), [clean])
