"""``keras.ops``: reductions that skip NaNs (NaN counts as 0 in sums, 1 in products, and is left
out of means, variances, extrema and arg-extrema)."""

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import integer
from .dtypes import to_tensor
from .reductions import (argmax, argmin, cumprod, cumsum, max, mean, min, normalize_axes, prod,
                         sum, var)

__all__ = ["nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar", "nanstd", "nancumsum",
           "nancumprod", "nanargmax", "nanargmin"]


def _without_nan(owner, x, fill):
    x = to_tensor(x, owner=owner)
    if x.dtype.kind != "f":
        return x, None
    nan = get_ops().xp.isnan(x.data)
    return F.where(nan, x.dtype.type(fill), x), nan


def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis`` treating NaN as 0.

    Example:
        >>> nansum([1.0, float("nan"), 2.0]).tolist()
        3.0
    """
    return sum(_without_nan("nansum", x, 0)[0], axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis`` treating NaN as 1.

    Example:
        >>> nanprod([2.0, float("nan"), 3.0]).tolist()
        6.0
    """
    return prod(_without_nan("nanprod", x, 1)[0], axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean over ``axis`` of the non-NaN elements (NaN where all are NaN).

    Example:
        >>> nanmean([1.0, float("nan"), 3.0]).tolist()
        2.0
    """
    filled, nan = _without_nan("nanmean", x, 0)
    if nan is None:
        return mean(filled, axis, keepdims)
    axes = normalize_axes("nanmean", axis, filled.ndim)
    count = (~nan).sum(axis=axes, keepdims=keepdims).astype(filled.dtype)
    return F.divide(F.sum(filled, axis=axes, keepdims=keepdims), _no_zero(count))


def _no_zero(count):
    """Counts with NaN for 0, so an all-NaN slice gives NaN without a division warning."""
    return get_ops().xp.where(count == 0, np.nan, count).astype(count.dtype)


def nanmax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` ignoring NaN (NaN where all are NaN: -inf is returned there).

    Example:
        >>> nanmax([1.0, float("nan"), 3.0]).tolist()
        3.0
    """
    filled, nan = _without_nan("nanmax", x, -np.inf)
    out = max(filled, axis, keepdims)
    return _restore_all_nan(out, nan, axis, keepdims, filled.ndim)


def nanmin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` ignoring NaN.

    Example:
        >>> nanmin([1.0, float("nan"), 3.0]).tolist()
        1.0
    """
    filled, nan = _without_nan("nanmin", x, np.inf)
    out = min(filled, axis, keepdims)
    return _restore_all_nan(out, nan, axis, keepdims, filled.ndim)


def _restore_all_nan(out, nan, axis, keepdims, ndim):
    """NaN where every element reduced was NaN (as NumPy and Keras give)."""
    if nan is None:
        return out
    axes = normalize_axes("nan reduction", axis, ndim)
    every = nan.all(axis=axes, keepdims=keepdims)
    return F.where(every, out.dtype.type(np.nan), out) if every.any() else out


def nanvar(x, axis=None, keepdims=False):
    """Variance over ``axis`` of the non-NaN elements.

    Example:
        >>> nanvar([1.0, float("nan"), 3.0]).tolist()
        1.0
    """
    filled, nan = _without_nan("nanvar", x, 0)
    if nan is None:
        return var(filled, axis, keepdims)
    axes = normalize_axes("nanvar", axis, filled.ndim)
    count = _no_zero((~nan).sum(axis=axes, keepdims=True).astype(filled.dtype))
    centered = F.subtract(filled, F.divide(F.sum(filled, axis=axes, keepdims=True), count))
    squared = F.square(F.where(nan, filled.dtype.type(0), centered))
    total = F.sum(squared, axis=axes, keepdims=True)
    out = F.divide(total, count)
    return out if keepdims else F.reshape(out, [n for i, n in enumerate(out.shape)
                                                if i not in axes])


def nanstd(x, axis=None, keepdims=False):
    """Standard deviation over ``axis`` of the non-NaN elements.

    Example:
        >>> nanstd([1.0, float("nan"), 3.0]).tolist()
        1.0
    """
    return F.sqrt(nanvar(x, axis, keepdims))


def nancumsum(x, axis=None, dtype=None):
    """Running sum treating NaN as 0.

    Example:
        >>> nancumsum([1.0, float("nan"), 2.0]).tolist()
        [1.0, 1.0, 3.0]
    """
    return cumsum(_without_nan("nancumsum", x, 0)[0], axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    """Running product treating NaN as 1.

    Example:
        >>> nancumprod([2.0, float("nan"), 3.0]).tolist()
        [2.0, 2.0, 6.0]
    """
    return cumprod(_without_nan("nancumprod", x, 1)[0], axis, dtype)


def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum ignoring NaN (-1 where every element is NaN, as Keras on JAX).

    Example:
        >>> nanargmax([1.0, float("nan"), 3.0]).tolist()
        2
    """
    return _nan_arg("nanargmax", argmax, -np.inf, x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum ignoring NaN.

    Example:
        >>> nanargmin([1.0, float("nan"), 3.0]).tolist()
        0
    """
    return _nan_arg("nanargmin", argmin, np.inf, x, axis, keepdims)


def _nan_arg(owner, fn, fill, x, axis, keepdims):
    filled, nan = _without_nan(owner, x, fill)
    out = fn(filled, axis, keepdims)
    if nan is None:
        return out
    if axis is None:
        every = nan.all().reshape((1,) * nan.ndim if keepdims else ())
    else:
        every = nan.all(axis=integer(owner, "axis", axis), keepdims=keepdims)
    return Tensor(get_ops().xp.where(every, -1, out.data).astype("int32"))
