"""``keras.ops`` core: conversion, dtypes, gradients stopped, slices and scatters (control flow
is in :mod:`neurona.ops.control`)."""

import builtins

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import choice, integer
from .dtypes import cast as _cast, operands, standardize_dtype, to_tensor

__all__ = ["convert_to_tensor", "convert_to_numpy", "is_tensor", "shape", "dtype", "cast",
           "saturate_cast", "stop_gradient", "slice", "slice_update", "scatter", "scatter_update",
           "get_item", "unstack"]


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """``x`` as a Tensor (Keras's ``convert_to_tensor``).

    Args:
        x: a Tensor (returned as is unless ``dtype`` differs), an array or Python data
            (floats become ``floatx()``, ints ``int32``, bools ``bool``).
        dtype: a Keras dtype name, or None to keep or infer it.
        sparse, ragged: neurona has neither sparse nor ragged tensors; True is an error.

    Returns:
        A Tensor.

    Example:
        >>> t = convert_to_tensor([1, 2])
        >>> t.dtype.name, t.tolist()
        ('int32', [1, 2])
    """
    for arg, value in (("sparse", sparse), ("ragged", ragged)):
        if value:
            raise ValueError(f"convert_to_tensor: {arg}=True is not supported (neurona has no "
                             f"{arg} tensors); pass dense data")
    return to_tensor(x, dtype, "convert_to_tensor")


def convert_to_numpy(x):
    """``x`` as a NumPy array (a copy from the GPU on the CuPy backend)."""
    if isinstance(x, Tensor):
        return x.numpy()
    ops = get_ops()
    return ops.to_numpy(x) if ops.is_array(x) else np.asarray(x)


def is_tensor(x):
    """True for a neurona Tensor (or Variable)."""
    return isinstance(x, Tensor)


def shape(x):
    """The shape of ``x`` as a tuple of ints.

    Example:
        >>> shape(np.zeros((2, 3)))
        (2, 3)
    """
    s = getattr(x, "shape", None)
    return tuple(int(n) for n in (np.shape(x) if s is None else s))


def dtype(x):
    """The Keras name of ``x``'s dtype ("float32", "int32", ...)."""
    if isinstance(x, Tensor) or hasattr(x, "dtype"):
        return standardize_dtype(x.dtype, "dtype")
    return to_tensor(x, owner="dtype").dtype.name


def cast(x, dtype):
    """``x`` converted to ``dtype``; differentiable between float dtypes (a cast to an integer
    or bool dtype has no gradient, as in Keras).

    Example:
        >>> cast(np.array([1.7, -1.7]), "int32").tolist()
        [1, -1]
    """
    return _cast(to_tensor(x, owner="cast"), standardize_dtype(dtype, "cast"))


def saturate_cast(x, dtype):
    """``cast`` that first clips ``x`` to the range of ``dtype`` (so large values saturate
    instead of wrapping around)."""
    target = standardize_dtype(dtype, "saturate_cast")
    x = to_tensor(x, owner="saturate_cast")
    if target != "bool" and x.dtype.name != "bool":
        info = np.finfo(target) if target.startswith("float") else np.iinfo(target)
        low, high = info.min, info.max
        own = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(x.dtype)
        low, high = builtins.max(low, own.min), builtins.min(high, own.max)
        x = F.clip(x, x.dtype.type(low), x.dtype.type(high))
    return _cast(x, target)


def stop_gradient(variable):
    """The same values with no gradient flowing back (Keras's ``stop_gradient``)."""
    return Tensor(to_tensor(variable, owner="stop_gradient").data)


# -- slices and scatters --------------------------------------------------------------------------
def _starts(owner, start_indices, ndim):
    starts = [int(s) for s in (start_indices.tolist() if hasattr(start_indices, "tolist")
                               else start_indices)]
    if len(starts) != ndim:
        raise ValueError(f"{owner}: start_indices has {len(starts)} entries for a tensor with "
                         f"{ndim} axes; give one start per axis")
    return starts


def slice(inputs, start_indices, shape):  # noqa: A001  (Keras's name)
    """The block of ``inputs`` starting at ``start_indices`` with the given ``shape`` (-1: to
    the end of that axis).

    Example:
        >>> slice(np.arange(6.0).reshape(2, 3), (0, 1), (2, 2)).tolist()
        [[1.0, 2.0], [4.0, 5.0]]
    """
    x = to_tensor(inputs, owner="slice")
    starts = _starts("slice", start_indices, x.ndim)
    sizes = [int(s) for s in shape]
    if len(sizes) != x.ndim:
        raise ValueError(f"slice: shape {tuple(sizes)} has {len(sizes)} entries for a tensor "
                         f"with {x.ndim} axes")
    index = []
    for axis, (start, size) in enumerate(zip(starts, sizes)):
        stop = x.shape[axis] if size == -1 else start + size
        if not 0 <= start <= stop <= x.shape[axis]:
            raise ValueError(f"slice: the block from {starts} of shape {tuple(sizes)} leaves "
                             f"axis {axis} of size {x.shape[axis]}")
        index.append(builtins.slice(start, stop))
    return F.getitem(x, tuple(index))


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates`` (differentiable
    in both: the replaced block's gradient goes to ``updates``)."""
    x, u = operands("slice_update", inputs, updates)
    starts = _starts("slice_update", start_indices, x.ndim)
    if u.ndim != x.ndim:
        raise ValueError(f"slice_update: updates of shape {u.shape} must have as many axes as "
                         f"inputs of shape {x.shape}")
    widths = []
    for axis, start in enumerate(starts):
        after = x.shape[axis] - start - u.shape[axis]
        if start < 0 or after < 0:
            raise ValueError(f"slice_update: updates of shape {u.shape} at {starts} leave inputs "
                             f"of shape {x.shape} on axis {axis}")
        widths.append((start, after))
    inside = get_ops().xp.zeros(x.shape, dtype=bool)
    inside[tuple(builtins.slice(lo, n - hi) for (lo, hi), n in zip(widths, x.shape))] = True
    return F.where(inside, F.pad(u, widths), x)


def _index_tuple(owner, indices, shape):
    """Integer index rows ``(N, k)`` as a tuple of k index arrays on the backend."""
    idx = np.asarray(convert_to_numpy(indices))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{owner}: indices must be integers, got dtype {idx.dtype.name}")
    if idx.ndim == 1:
        idx = idx[:, None]
    k = idx.shape[-1]
    if k > len(shape):
        raise ValueError(f"{owner}: index rows of length {k} for a tensor of shape {tuple(shape)}")
    idx = idx.reshape(-1, k)
    bounds = np.asarray(shape[:k])
    if idx.size and ((idx < -bounds).any() or (idx >= bounds).any()):
        raise IndexError(f"{owner}: an index is out of range for shape {tuple(shape)}")
    ops = get_ops()
    return tuple(ops.asarray(idx[:, j] % bounds[j]) for j in range(k)), idx.shape[0]


def scatter(indices, values, shape):
    """zeros(shape) with ``values`` added at ``indices`` (rows of k indices into the first k
    axes; repeated rows add up). Differentiable in ``values``.

    Example:
        >>> scatter([[0], [2], [0]], np.array([1.0, 2.0, 3.0]), (4,)).tolist()
        [4.0, 0.0, 2.0, 0.0]
    """
    shape = tuple(int(n) for n in shape)
    index, n = _index_tuple("scatter", indices, shape)
    values = to_tensor(values, owner="scatter")
    values = F.reshape(values, (n,) + shape[len(index):])
    return F.scatter_add(index, values, shape)


_SCATTER_REDUCTIONS = (None, "add", "max", "min", "mul")


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with ``updates`` written at ``indices`` (rows of k indices into the first k
    axes).

    Args:
        inputs: the tensor to update (it is not modified: a new tensor is returned).
        indices: ``(N, k)`` integer indices.
        updates: ``(N,) + inputs.shape[k:]`` values.
        reduction: None (the last update of a position wins), "add", "max", "min" or "mul"
            (updates combined with each other and with the value already there).

    Returns:
        A tensor of ``inputs``' shape and dtype, differentiable in ``inputs`` and ``updates``.

    Example:
        >>> scatter_update(np.zeros(3), [[0], [0], [2]], np.array([1.0, 2.0, 5.0]), "add").tolist()
        [3.0, 0.0, 5.0]
    """
    choice("scatter_update", "reduction", reduction, _SCATTER_REDUCTIONS)
    x = to_tensor(inputs, owner="scatter_update")
    u = _cast(to_tensor(updates, owner="scatter_update"), x.dtype.name)
    index, n = _index_tuple("scatter_update", indices, x.shape)
    u = F.reshape(u, (n,) + x.shape[len(index):])
    xp = get_ops().xp
    hit = xp.zeros(x.shape[:len(index)], dtype=bool)
    hit[index] = True
    hit = hit.reshape(hit.shape + (1,) * (x.ndim - len(index)))
    if reduction == "add":
        return F.add(x, F.scatter_add(index, u, x.shape))
    if reduction is None:  # the last write of each position: keep only those updates
        flat = np.ravel_multi_index([get_ops().to_numpy(i) for i in index], x.shape[:len(index)])
        _, last_reversed = np.unique(flat[::-1], return_index=True)
        last = xp.asarray(n - 1 - last_reversed)
        placed = F.scatter_add(tuple(i[last] for i in index), F.getitem(u, last), x.shape)
        return F.where(hit, placed, x)
    if reduction == "mul":
        return F.multiply(x, F.where(hit, F.segment_prod(index, u, x.shape), 1))
    combined = (F.segment_max if reduction == "max" else F.segment_min)(index, u, x.shape)
    pick = F.maximum if reduction == "max" else F.minimum
    return pick(x, F.where(hit, combined, x))  # unreached positions: x against itself


def get_item(x, key):
    """``x[key]`` (Keras's ``get_item``), differentiable."""
    key = key.data if isinstance(key, Tensor) else key
    return F.getitem(to_tensor(x, owner="get_item"), key)


def unstack(x, num=None, axis=0):
    """The slices of ``x`` along ``axis``, as a list of tensors.

    Example:
        >>> [t.tolist() for t in unstack(np.array([[1.0, 2.0], [3.0, 4.0]]))]
        [[1.0, 2.0], [3.0, 4.0]]
    """
    x = to_tensor(x, owner="unstack")
    axis = integer("unstack", "axis", axis)
    n = x.shape[axis]
    if num is not None and integer("unstack", "num", num) != n:
        raise ValueError(f"unstack: num={num} does not match axis {axis} of size {n}")
    lead = (builtins.slice(None),) * (axis % x.ndim)
    return [F.getitem(x, lead + (i,)) for i in range(n)]
