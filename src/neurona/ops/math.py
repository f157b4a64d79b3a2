"""``keras.ops.math``: segment reductions, top-k, framing and a few special functions.

Segment reductions combine the rows of ``data`` that share a segment id (ids outside
``[0, num_segments)`` are dropped, as in JAX); empty segments hold the reduction's identity
(0 for sums, 1 for products, -inf/+inf for max/min of floats). All are differentiable in data.
"""

import numpy as np

from ._missing import missing
from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, integer
from .dtypes import as_float, to_tensor
from .elementwise import erf, erfc, rsqrt
from .reductions import logsumexp

__all__ = ["segment_sum", "segment_max", "segment_min", "segment_prod", "top_k", "in_top_k",
           "logsumexp", "erf", "erfc", "rsqrt", "extract_sequences", "logdet"]


def _segments(owner, data, segment_ids, num_segments, sorted_):
    boolean(owner, "sorted", sorted_)
    x = to_tensor(data, owner=owner)
    ids = np.asarray(to_tensor(segment_ids, owner=owner).numpy())
    if ids.dtype.kind not in "iu" or ids.ndim != 1 or (x.ndim and ids.shape[0] != x.shape[0]):
        raise ValueError(f"{owner}: segment_ids must be 1-D integers, one per row of data "
                         f"(shape {x.shape}); got shape {ids.shape}, dtype {ids.dtype.name}")
    n = (int(ids.max()) + 1 if ids.size else 0) if num_segments is None else integer(
        owner, "num_segments", num_segments, low=0)
    keep = (ids >= 0) & (ids < n)
    ops = get_ops()
    if not keep.all():  # out-of-range ids: their rows take part in no segment
        x = F.getitem(x, ops.asarray(np.nonzero(keep)[0]))
        ids = ids[keep]
    return x, (ops.asarray(ids),), (n,) + x.shape[1:]


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sum of the rows of ``data`` in each segment (``num_segments`` default: max id + 1;
    ``sorted`` says the ids are sorted, which changes nothing in the result).

    Example:
        >>> segment_sum(np.array([1.0, 2.0, 3.0]), [0, 0, 1]).tolist()
        [3.0, 3.0]
    """
    x, index, shape = _segments("segment_sum", data, segment_ids, num_segments, sorted)
    return F.scatter_add(index, x, shape)


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Maximum of the rows of ``data`` in each segment.

    Example:
        >>> segment_max(np.array([1.0, 2.0, 3.0]), [0, 0, 1]).tolist()
        [2.0, 3.0]
    """
    x, index, shape = _segments("segment_max", data, segment_ids, num_segments, sorted)
    return F.segment_max(index, x, shape)


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Minimum of the rows of ``data`` in each segment.

    Example:
        >>> segment_min(np.array([1.0, 2.0, 3.0]), [0, 0, 1]).tolist()
        [1.0, 3.0]
    """
    x, index, shape = _segments("segment_min", data, segment_ids, num_segments, sorted)
    return F.segment_min(index, x, shape)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Product of the rows of ``data`` in each segment.

    Example:
        >>> segment_prod(np.array([1.0, 2.0, 3.0]), [0, 0, 1]).tolist()
        [2.0, 3.0]
    """
    x, index, shape = _segments("segment_prod", data, segment_ids, num_segments, sorted)
    return F.segment_prod(index, x, shape)


def top_k(x, k, sorted=True):  # noqa: A002
    """The ``k`` largest values along the last axis and their indices (int32), largest
    first; ties go to the lower index. ``sorted=False`` allows any order: this order is one.

    Example:
        >>> values, indices = top_k(np.array([1.0, 3.0, 2.0]), 2)
        >>> values.tolist(), indices.tolist()
        ([3.0, 2.0], [1, 2])
    """
    boolean("top_k", "sorted", sorted)
    x = to_tensor(x, owner="top_k")
    k = integer("top_k", "k", k, low=0, high=x.shape[-1] if x.ndim else 0)
    xp = get_ops().xp
    # a stable sort of the negated values puts the largest first and ties in index order
    key = -x.data if x.dtype.kind == "f" else -x.data.astype("int64")
    order = get_ops().argsort(key, axis=-1)[..., :k]
    grids = xp.ix_(*[xp.arange(n) for n in order.shape])
    values = F.getitem(x, tuple(grids[:-1]) + (order,))
    return values, Tensor(order.astype("int32"))


def in_top_k(targets, predictions, k):
    """True where the target class's prediction is among the ``k`` largest of its row (ties
    with it count in its favour; a NaN prediction never is).

    Example:
        >>> in_top_k([2, 0], np.array([[0.1, 0.2, 0.7], [0.1, 0.2, 0.7]]), 1).tolist()
        [True, False]
    """
    k = integer("in_top_k", "k", k, low=0)
    p = to_tensor(predictions, owner="in_top_k").data
    t = to_tensor(targets, owner="in_top_k").data
    xp = get_ops().xp
    at_label = xp.take_along_axis(p, t.astype("int64")[..., None], axis=-1)
    at_label = xp.where(xp.isnan(at_label), -xp.inf, at_label)
    rank = 1 + (p > at_label).sum(axis=-1)
    return Tensor(rank <= k)


def extract_sequences(x, sequence_length, sequence_stride):
    """Overlapping frames of the last axis: ``(..., n)`` becomes ``(..., frames,
    sequence_length)`` with frames starting every ``sequence_stride``.

    Example:
        >>> extract_sequences(np.arange(5.0), 2, 2).tolist()
        [[0.0, 1.0], [2.0, 3.0]]
    """
    x = to_tensor(x, owner="extract_sequences")
    length = integer("extract_sequences", "sequence_length", sequence_length, low=1)
    stride = integer("extract_sequences", "sequence_stride", sequence_stride, low=1)
    n = x.shape[-1]
    if length > n:
        raise ValueError(f"extract_sequences: sequence_length {length} exceeds the signal "
                         f"length {n}")
    frames = (n - length) // stride + 1
    index = np.arange(length)[None, :] + stride * np.arange(frames)[:, None]
    return F.getitem(x, (Ellipsis, get_ops().asarray(index)))


def logdet(x):
    """``log(det(x))`` of (batches of) positive-definite matrices.

    Example:
        >>> round(float(logdet(np.eye(2) * 2.0)), 6)
        1.386294
    """
    return F.log(F.det(as_float(x, "logdet")))


def __getattr__(name):
    raise missing(__name__, name, __all__)

