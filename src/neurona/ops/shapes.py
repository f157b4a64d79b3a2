"""``keras.ops``: shapes, axes, joins and splits; all differentiable (they only move values)."""

import builtins

import numpy as np

from .. import functions as F
from ..validation import integer
from .dtypes import operands, to_tensor
from .reductions import normalize_axes

__all__ = ["reshape", "transpose", "expand_dims", "squeeze", "ravel", "broadcast_to",
           "swapaxes", "moveaxis", "ndim", "size", "concatenate", "stack", "hstack", "vstack",
           "dstack", "append", "split", "array_split", "hsplit", "vsplit", "dsplit"]


def axis_index(owner, axis, ndim):
    (a,) = normalize_axes(owner, integer(owner, "axis", axis), ndim)
    return a


def reshape(x, newshape):
    """``x`` with a new shape of the same size (one entry may be -1).

    Example:
        >>> reshape(np.arange(6.0), (2, -1)).shape
        (2, 3)
    """
    x = to_tensor(x, owner="reshape")
    shape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    shape = tuple(-1 if n is None else int(n) for n in shape)
    try:
        np.empty(x.shape, dtype=bool).reshape(shape)  # checks the shape before any work
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} (size {x.size}) "
                         f"into {shape}") from None
    return F.reshape(x, shape)


def transpose(x, axes=None):
    """``x`` with its axes permuted (reversed when ``axes`` is None).

    Example:
        >>> transpose(np.zeros((2, 3, 4)), (2, 0, 1)).shape
        (4, 2, 3)
    """
    x = to_tensor(x, owner="transpose")
    if axes is not None:
        axes = [integer("transpose", "axes", a) % builtins.max(x.ndim, 1) for a in axes]
        if sorted(axes) != list(range(x.ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of {x.ndim} axes")
    return F.transpose(x, axes)


def expand_dims(x, axis):
    """``x`` with new size-1 axes at ``axis`` (an int or a tuple).

    Example:
        >>> expand_dims(np.zeros((2, 3)), (0, -1)).shape
        (1, 2, 3, 1)
    """
    x = to_tensor(x, owner="expand_dims")
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out_ndim = x.ndim + len(axes)
    new = normalize_axes("expand_dims", axes, out_ndim)
    dims = iter(x.shape)
    return F.reshape(x, [1 if i in new else next(dims) for i in range(out_ndim)])


def squeeze(x, axis=None):
    """``x`` without size-1 axes (all of them, or those in ``axis``).

    Example:
        >>> squeeze(np.zeros((1, 2, 1))).shape
        (2,)
    """
    x = to_tensor(x, owner="squeeze")
    if axis is None:
        axes = [i for i, n in enumerate(x.shape) if n == 1]
    else:
        axes = normalize_axes("squeeze", axis, x.ndim)
        wide = [a for a in axes if x.shape[a] != 1]
        if wide:
            raise ValueError(f"squeeze: axis {wide[0]} of shape {x.shape} has size "
                             f"{x.shape[wide[0]]}, not 1")
    return F.reshape(x, [n for i, n in enumerate(x.shape) if i not in axes])


def ravel(x):
    """``x`` flattened to one axis.

    Example:
        >>> ravel(np.zeros((2, 3))).shape
        (6,)
    """
    return F.reshape(to_tensor(x, owner="ravel"), (-1,))


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape`` (the gradient is summed back).

    Example:
        >>> broadcast_to([1.0, 2.0], (2, 2)).tolist()
        [[1.0, 2.0], [1.0, 2.0]]
    """
    x = to_tensor(x, owner="broadcast_to")
    shape = tuple(int(n) for n in shape)
    try:
        np.broadcast_shapes(x.shape, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None
    return F.broadcast_to(x, shape)


def swapaxes(x, axis1, axis2):
    """``x`` with two axes exchanged.

    Example:
        >>> swapaxes(np.zeros((2, 3, 4)), 0, 2).shape
        (4, 3, 2)
    """
    x = to_tensor(x, owner="swapaxes")
    a, b = axis_index("swapaxes", axis1, x.ndim), axis_index("swapaxes", axis2, x.ndim)
    order = list(range(x.ndim))
    order[a], order[b] = order[b], order[a]
    return F.transpose(x, order)


def moveaxis(x, source, destination):
    """``x`` with the ``source`` axes moved to ``destination`` (ints or tuples).

    Example:
        >>> moveaxis(np.zeros((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    x = to_tensor(x, owner="moveaxis")
    src = source if isinstance(source, (tuple, list)) else (source,)
    dst = destination if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: {len(src)} source axes for {len(dst)} destinations")
    src = [axis_index("moveaxis", a, x.ndim) for a in src]
    dst = [axis_index("moveaxis", a, x.ndim) for a in dst]
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return F.transpose(x, order)


def ndim(x):
    """The number of axes of ``x``.

    Example:
        >>> ndim(np.zeros((2, 3)))
        2
    """
    return len(getattr(x, "shape", np.shape(x)))


def size(x):
    """The number of elements of ``x``.

    Example:
        >>> size(np.zeros((2, 3)))
        6
    """
    return int(np.prod(getattr(x, "shape", np.shape(x)), dtype=np.int64))


# -- joins and splits -------------------------------------------------------------------------
def concatenate(xs, axis=0):
    """Tensors joined along an existing ``axis`` (dtypes promoted).

    Example:
        >>> concatenate([np.ones((1, 2)), np.zeros((1, 2))], axis=0).shape
        (2, 2)
    """
    xs = operands("concatenate", *xs)
    if not xs:
        raise ValueError("concatenate: needs at least one tensor")
    if axis is None:
        xs, axis = [F.reshape(x, (-1,)) for x in xs], 0
    a = axis_index("concatenate", axis, xs[0].ndim)
    rest = {x.shape[:a] + x.shape[a + 1:] for x in xs}
    if len(rest) != 1 or len({x.ndim for x in xs}) != 1:
        raise ValueError(f"concatenate: shapes {[x.shape for x in xs]} differ off axis {a}")
    return F.concatenate(xs, axis=a)


def stack(x, axis=0):
    """Tensors of one shape stacked along a new ``axis``.

    Example:
        >>> stack([np.ones(2), np.zeros(2)], axis=1).shape
        (2, 2)
    """
    xs = operands("stack", *x)
    if not xs or len({t.shape for t in xs}) != 1:
        raise ValueError(f"stack: needs tensors of one shape, got {[t.shape for t in xs]}")
    a = normalize_axes("stack", integer("stack", "axis", axis), xs[0].ndim + 1)[0]
    return F.stack(xs, axis=a)


def hstack(xs):
    """Join along the second axis (the first for 1-D tensors)."""
    xs = operands("hstack", *xs)
    return F.concatenate(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    """Join along the first axis (1-D tensors become rows)."""
    xs = [F.reshape(x, (1, -1)) if x.ndim == 1 else x for x in operands("vstack", *xs)]
    return F.concatenate(xs, axis=0)


def dstack(xs):
    """Join along the third axis (1-D and 2-D tensors get size-1 axes first)."""
    def as3d(x):
        if x.ndim == 1:
            return F.reshape(x, (1, -1, 1))
        return F.reshape(x, x.shape + (1,)) if x.ndim == 2 else x

    return F.concatenate([as3d(x) for x in operands("dstack", *xs)], axis=2)


def append(x1, x2, axis=None):
    """``x2`` appended to ``x1`` along ``axis`` (both flattened when None).

    Example:
        >>> append([1.0, 2.0], [3.0]).tolist()
        [1.0, 2.0, 3.0]
    """
    return concatenate([x1, x2], axis=axis)


def _split(owner, x, indices_or_sections, axis, even):
    x = to_tensor(x, owner=owner)
    a = axis_index(owner, axis, x.ndim)
    n = x.shape[a]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = integer(owner, "indices_or_sections", indices_or_sections, low=1)
        if even and n % k:
            raise ValueError(f"{owner}: axis {a} of size {n} does not split into {k} equal "
                             "parts; use array_split")
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        bounds = np.cumsum([0] + sizes).tolist()
    else:
        cuts = [builtins.min(builtins.max(int(i) + n if int(i) < 0 else int(i), 0), n)
                for i in indices_or_sections]
        bounds = [0] + cuts + [n]
    lead = (builtins.slice(None),) * a
    return [F.getitem(x, lead + (builtins.slice(lo, builtins.max(lo, hi)),))
            for lo, hi in zip(bounds[:-1], bounds[1:])]


def split(x, indices_or_sections, axis=0):
    """``x`` cut along ``axis`` into equal parts (an int) or at the given indices (a list).

    Example:
        >>> [t.tolist() for t in split(np.arange(4.0), 2)]
        [[0.0, 1.0], [2.0, 3.0]]
    """
    return _split("split", x, indices_or_sections, axis, even=True)


def array_split(x, indices_or_sections, axis=0):
    """Like :func:`split`, but parts may differ in size by one (the first ones are longer).

    Example:
        >>> [t.tolist() for t in array_split(np.arange(3.0), 2)]
        [[0.0, 1.0], [2.0]]
    """
    return _split("array_split", x, indices_or_sections, axis, even=False)


def hsplit(x, indices_or_sections):
    """:func:`split` along the second axis (the first for 1-D tensors)."""
    x = to_tensor(x, owner="hsplit")
    return split(x, indices_or_sections, axis=0 if x.ndim == 1 else 1)


def vsplit(x, indices_or_sections):
    """:func:`split` along the first axis."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """:func:`split` along the third axis."""
    return split(x, indices_or_sections, axis=2)
