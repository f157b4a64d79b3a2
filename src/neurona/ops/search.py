"""``keras.ops``: searching, counting and index arithmetic (no gradients: integer results).

Results sized by the data (``nonzero``, ``unique``, ``bincount``) are computed eagerly, as
Keras computes them outside a compiled function. Index results are ``int32``.
"""

import numpy as np

from .. import config
from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, choice, integer
from .dtypes import to_tensor

__all__ = ["nonzero", "searchsorted", "digitize", "bincount", "unique", "argpartition",
           "unravel_index", "histogram"]


def _int32(a):
    return Tensor(get_ops().asarray(a).astype("int32"))


def nonzero(x):
    """The indices of the nonzero elements, one int32 tensor per axis.

    Example:
        >>> [t.tolist() for t in nonzero([[0, 3], [4, 0]])]
        [[0, 1], [1, 0]]
    """
    x = to_tensor(x, owner="nonzero")
    return tuple(_int32(i) for i in get_ops().xp.nonzero(x.data))


def searchsorted(sorted_sequence, values, side="left"):
    """Where each value would be inserted into the 1-D ``sorted_sequence`` to keep it sorted.

    Example:
        >>> searchsorted([1.0, 2.0, 3.0], [2.0, 0.5], side="right").tolist()
        [2, 0]
    """
    choice("searchsorted", "side", side, ("left", "right"))
    seq = to_tensor(sorted_sequence, owner="searchsorted")
    if seq.ndim != 1:
        raise ValueError(f"searchsorted: sorted_sequence must be 1-D, got shape {seq.shape}; "
                         "use ops.map for several sequences")
    v = to_tensor(values, owner="searchsorted")
    return _int32(get_ops().xp.searchsorted(seq.data, v.data, side=side))


def digitize(x, bins):
    """The index of the bin each element of ``x`` falls in (NumPy's ``digitize``).

    Example:
        >>> digitize([0.5, 1.5, 3.0], [1.0, 2.0]).tolist()
        [0, 1, 2]
    """
    xs, b = to_tensor(x, owner="digitize"), to_tensor(bins, owner="digitize")
    if b.ndim != 1:
        raise ValueError(f"digitize: bins must be 1-D, got shape {b.shape}")
    return _int32(get_ops().xp.digitize(xs.data, b.data))


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts (or summed ``weights``) of each non-negative integer in 1-D ``x``; a 2-D ``x``
    counts each row.

    Example:
        >>> bincount([0, 2, 2, 3]).tolist()
        [1, 0, 2, 1]
    """
    if sparse:
        raise ValueError("bincount: sparse=True is not supported (neurona has no sparse "
                         "tensors)")
    minlength = integer("bincount", "minlength", minlength, low=0)
    x = to_tensor(x, owner="bincount")
    if x.dtype.kind not in "iu" or x.ndim not in (1, 2):
        raise ValueError(f"bincount: x must be 1-D or 2-D integers, got shape {x.shape}, dtype "
                         f"{x.dtype.name}")
    values = x.numpy()
    if values.size and values.min() < 0:
        raise ValueError("bincount: x must hold non-negative integers")
    w = None if weights is None else to_tensor(weights, owner="bincount").numpy()
    length = max(minlength, int(values.max()) + 1 if values.size else 0)
    rows = values[None] if values.ndim == 1 else values
    wrows = None if w is None else (w[None] if w.ndim == 1 else w)
    counts = np.stack([np.bincount(r, None if wrows is None else wrows[i], minlength=length)
                       for i, r in enumerate(rows)]) if len(rows) else np.zeros((0, length))
    counts = counts[0] if values.ndim == 1 else counts
    dtype = "int32" if w is None else w.dtype.name
    return Tensor(get_ops().asarray(counts.astype(dtype)))


def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):
    """The distinct elements of ``x`` (of the flattened x, or distinct slices along
    ``axis``), sorted, with optionally the first indices, the inverse map and the counts.

    Args:
        x: the data.
        sorted: the distinct values come sorted either way (a valid order for False too).
        return_index, return_inverse, return_counts: also return these (int32).
        axis: None (flatten) or the axis whose slices are compared.
        size: pad (with ``fill_value``, default the minimum) or cut the result to this many.
        fill_value: the padding value for ``size``.

    Returns:
        A tensor, or a tuple with the requested extras.

    Example:
        >>> unique([3, 1, 3, 2]).tolist()
        [1, 2, 3]
    """
    for arg, value in (("sorted", sorted), ("return_index", return_index),
                       ("return_inverse", return_inverse), ("return_counts", return_counts)):
        boolean("unique", arg, value)
    x = to_tensor(x, owner="unique")
    out = np.unique(x.numpy(), return_index=True, return_inverse=True, return_counts=True,
                    axis=axis)
    values, index, inverse, counts = out
    if size is not None:
        size = integer("unique", "size", size, low=0)
        n = values.shape[0 if axis is None else axis]
        fill = values.min() if fill_value is None and values.size else fill_value
        if n >= size:
            take = np.arange(size)
            values = np.take(values, take, axis=0 if axis is None else axis)
            index, counts = index[:size], counts[:size]
        else:
            pad = [(0, 0)] * values.ndim
            pad[0 if axis is None else axis] = (0, size - n)
            values = np.pad(values, pad, constant_values=0 if fill is None else fill)
            index = np.pad(index, (0, size - n), constant_values=0)
            counts = np.pad(counts, (0, size - n), constant_values=0)
    ops = get_ops()
    result = [Tensor(ops.asarray(values))]
    if return_index:
        result.append(_int32(index))
    if return_inverse:
        result.append(_int32(inverse.reshape(x.shape) if axis is None else inverse))
    if return_counts:
        result.append(_int32(counts))
    return result[0] if len(result) == 1 else tuple(result)


def argpartition(x, kth, axis=-1):
    """Indices that partition ``x`` along ``axis`` around its ``kth`` element: smaller ones
    first, then it, then larger ones (None: of the flattened x).

    Example:
        >>> argpartition([3.0, 1.0, 2.0], 1).tolist()[1]
        2
    """
    x = to_tensor(x, owner="argpartition")
    if axis is None:
        x, axis = F.reshape(x, (-1,)), 0
    return _int32(get_ops().xp.argpartition(x.data, kth, axis=integer("argpartition", "axis",
                                                                      axis)))


def unravel_index(indices, shape):
    """Flat indices as a tuple of coordinate tensors for ``shape``.

    Example:
        >>> [t.tolist() for t in unravel_index([5, 1], (2, 3))]
        [[1, 0], [2, 1]]
    """
    idx = to_tensor(indices, owner="unravel_index").numpy()
    dims = tuple(int(n) for n in shape)
    if idx.size and (idx.min() < 0 or idx.max() >= int(np.prod(dims))):
        raise ValueError(f"unravel_index: an index is out of range for shape {dims}")
    return tuple(_int32(c) for c in np.unravel_index(idx, dims))


def histogram(x, bins=10, range=None):  # noqa: A002  (Keras's name)
    """Counts of ``x`` in ``bins`` equal bins over ``range`` (default: x's min to max), and
    the ``bins + 1`` edges; both floats, as Keras on JAX gives them.

    Example:
        >>> counts, edges = histogram([0.0, 0.2, 0.9, 1.0], bins=2)
        >>> counts.tolist(), edges.tolist()
        ([2.0, 2.0], [0.0, 0.5, 1.0])
    """
    bins = integer("histogram", "bins", bins, low=1)
    values = to_tensor(x, owner="histogram")
    if values.ndim != 1:
        raise ValueError(f"histogram: x must be 1-D, got shape {values.shape}")
    counts, edges = np.histogram(values.numpy(), bins=bins, range=range)
    dtype = values.dtype.name if values.dtype.kind == "f" else config.floatx()
    ops = get_ops()
    return Tensor(ops.asarray(counts.astype(dtype))), Tensor(ops.asarray(edges.astype(dtype)))

