"""``keras.ops``: gathers, padding, repetition, flips and rolls, triangles and diagonals.

Each is differentiable: a gather is a :class:`~neurona.functions.shape.GetItem` node, whose
backward adds every gradient back to the element it came from (also when an element is read
several times, as by ``repeat``, ``tile`` or a padding that mirrors).
"""

import builtins

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import choice, integer
from .dtypes import cast, operands, result_type, to_tensor
from .reductions import normalize_axes, sum as _sum
from .shapes import axis_index as _axis, swapaxes

__all__ = ["take", "take_along_axis", "pad", "tile", "repeat", "flip", "fliplr", "flipud", "roll",
           "rot90", "tril", "triu", "diagonal", "diag", "diagflat", "trace", "diff", "select"]

_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap", "circular")


def _index_array(owner, indices):
    idx = indices.data if isinstance(indices, Tensor) else get_ops().asarray(
        np.asarray(indices) if not get_ops().is_array(indices) else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{owner}: indices must be integers, got dtype {idx.dtype.name}")
    return idx


def take(x, indices, axis=None):
    """Elements of ``x`` at ``indices`` along ``axis`` (of the flattened x when None);
    negative indices count from the end.

    Example:
        >>> take(np.array([[1.0, 2.0], [3.0, 4.0]]), [1, 1], axis=1).tolist()
        [[2.0, 2.0], [4.0, 4.0]]
    """
    x = to_tensor(x, owner="take")
    idx = _index_array("take", indices)
    if axis is None:
        x, a = F.reshape(x, (-1,)), 0
    else:
        a = _axis("take", axis, x.ndim)
    _check_range("take", idx, x.shape[a])
    return F.getitem(x, (builtins.slice(None),) * a + (idx,))


def _check_range(owner, idx, n):
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"{owner}: an index is out of range for an axis of size {n}")


def take_along_axis(x, indices, axis=None):
    """Elements of ``x`` picked along ``axis`` by ``indices`` of x's rank (other axes
    broadcast), e.g. with the output of :func:`argsort`.

    Example:
        >>> take_along_axis(np.array([[3.0, 1.0]]), [[1, 0]], axis=1).tolist()
        [[1.0, 3.0]]
    """
    x = to_tensor(x, owner="take_along_axis")
    idx = _index_array("take_along_axis", indices)
    if axis is None:
        x, a = F.reshape(x, (-1,)), 0
    else:
        a = _axis("take_along_axis", axis, x.ndim)
    if idx.ndim != x.ndim:
        raise ValueError(f"take_along_axis: indices of shape {idx.shape} need as many axes as "
                         f"x of shape {x.shape}")
    _check_range("take_along_axis", idx, x.shape[a])
    xp = get_ops().xp
    try:  # the other axes broadcast between x and the indices
        shape = [idx.shape[a] if i == a else np.broadcast_shapes((m,), (n,))[0]
                 for i, (m, n) in enumerate(zip(idx.shape, x.shape))]
    except ValueError:
        raise ValueError(f"take_along_axis: indices of shape {idx.shape} do not broadcast "
                         f"against x of shape {x.shape} off axis {a}") from None
    idx = xp.broadcast_to(idx, shape)
    if any(n != s and i != a for i, (n, s) in enumerate(zip(x.shape, shape))):
        x = F.broadcast_to(x, [n if i == a else s for i, (n, s) in enumerate(zip(x.shape, shape))])
    grids = xp.ix_(*[xp.arange(n) for n in shape])
    return F.getitem(x, tuple(idx if i == a else grids[i] for i in range(x.ndim)))


def _pad_widths(owner, pad_width, ndim):
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    except ValueError:
        raise ValueError(f"{owner}: pad_width {pad_width!r} is not an int, a (before, after) "
                         f"pair or one pair per axis of a {ndim}-axis tensor") from None
    if (widths < 0).any():
        raise ValueError(f"{owner}: pad_width {pad_width!r} has a negative width")
    return [tuple(int(v) for v in row) for row in widths]


def pad(x, pad_width, mode="constant", constant_values=None):
    """``x`` padded by ``pad_width`` (an int, a ``(before, after)`` pair, or one pair per
    axis).

    Args:
        x: the tensor.
        pad_width: how much to add before and after each axis.
        mode: "constant" (``constant_values``, default 0), "edge" (repeat the border),
            "reflect" (mirror without the border), "symmetric" (mirror with it), "wrap" or
            "circular" (continue from the other side).
        constant_values: the fill of "constant" mode.

    Returns:
        The padded tensor, differentiable in ``x``.

    Example:
        >>> pad(np.array([1.0, 2.0]), (1, 2), mode="reflect").tolist()
        [2.0, 1.0, 2.0, 1.0, 2.0]
    """
    choice("pad", "mode", mode, _PAD_MODES)
    x = to_tensor(x, owner="pad")
    widths = _pad_widths("pad", pad_width, x.ndim)
    if mode != "constant":
        if constant_values is not None:
            raise ValueError(f"pad: constant_values is used only by mode='constant', not "
                             f"mode={mode!r}")
        # each output position reads one input position: NumPy pads the index ranges
        np_mode = "wrap" if mode == "circular" else mode
        for i, n in enumerate(x.shape):
            if n == 0 and widths[i] != (0, 0):
                raise ValueError(f"pad: mode={mode!r} cannot pad an empty axis")
        sources = [np.pad(np.arange(n), w, mode=np_mode) for n, w in zip(x.shape, widths)]
        ops = get_ops()
        return F.getitem(x, ops.xp.ix_(*[ops.asarray(s) for s in sources]))
    value = 0 if constant_values is None else constant_values
    if x.dtype.kind in "iub" and isinstance(value, float) and not float(value).is_integer():
        x = cast(x, result_type(x.dtype, float))
    return F.pad(x, widths, x.dtype.type(value))


def tile(x, repeats):
    """``x`` repeated ``repeats`` times along each axis (NumPy's ``tile``).

    Example:
        >>> tile([1.0, 2.0], 2).tolist()
        [1.0, 2.0, 1.0, 2.0]
    """
    x = to_tensor(x, owner="tile")
    reps = [repeats] if isinstance(repeats, (int, np.integer)) else list(repeats)
    reps = [integer("tile", "repeats", r, low=0) for r in reps]
    ndim = builtins.max(x.ndim, len(reps))
    shape = [1] * (ndim - x.ndim) + list(x.shape)
    reps = [1] * (ndim - len(reps)) + reps
    # (a, b) tiled (r, s): view as (1, a, 1, b), broadcast to (r, a, s, b), merge the pairs
    spread = [d for n in shape for d in (1, n)]
    target = [d for r, n in zip(reps, shape) for d in (r, n)]
    out = F.broadcast_to(F.reshape(x, spread), target)
    return F.reshape(out, [r * n for r, n in zip(reps, shape)])


def repeat(x, repeats, axis=None):
    """Each element repeated ``repeats`` times (an int or one count per element) along
    ``axis`` (of the flattened x when None).

    Example:
        >>> repeat([1.0, 2.0], 2).tolist()
        [1.0, 1.0, 2.0, 2.0]
    """
    x = to_tensor(x, owner="repeat")
    if axis is None:
        x, a = F.reshape(x, (-1,)), 0
    else:
        a = _axis("repeat", axis, x.ndim)
    counts = np.asarray(repeats.numpy() if isinstance(repeats, Tensor) else repeats)
    if counts.dtype.kind not in "iu" or (counts < 0).any():
        raise ValueError(f"repeat: repeats must be non-negative integers, got {repeats!r}")
    source = np.repeat(np.arange(x.shape[a]), counts)
    return F.getitem(x, (builtins.slice(None),) * a + (get_ops().asarray(source),))


def flip(x, axis=None):
    """``x`` reversed along ``axis`` (all axes when None).

    Example:
        >>> flip([1.0, 2.0, 3.0]).tolist()
        [3.0, 2.0, 1.0]
    """
    x = to_tensor(x, owner="flip")
    axes = normalize_axes("flip", axis, x.ndim)
    return F.getitem(x, tuple(builtins.slice(None, None, -1) if i in axes else builtins.slice(None)
                              for i in range(x.ndim)))


def fliplr(x):
    """``x`` reversed along its second axis."""
    return flip(x, 1)


def flipud(x):
    """``x`` reversed along its first axis."""
    return flip(x, 0)


def roll(x, shift, axis=None):
    """``x`` shifted cyclically by ``shift`` along ``axis`` (the flattened x when None).

    Example:
        >>> roll([1.0, 2.0, 3.0], 1).tolist()
        [3.0, 1.0, 2.0]
    """
    x = to_tensor(x, owner="roll")
    if axis is None:
        shape = x.shape
        return F.reshape(roll(F.reshape(x, (-1,)), shift, 0), shape)
    shifts = shift if isinstance(shift, (tuple, list)) else (shift,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: {len(shifts)} shifts for {len(axes)} axes")
    total = {}
    for s, a in zip(shifts, axes):
        a = _axis("roll", a, x.ndim)
        total[a] = total.get(a, 0) + integer("roll", "shift", s)
    ops = get_ops()
    index = [ops.xp.arange(n) if i not in total else ops.asarray(
        (np.arange(n) - total[i]) % builtins.max(n, 1)) for i, n in enumerate(x.shape)]
    return F.getitem(x, ops.xp.ix_(*index))


def rot90(array, k=1, axes=(0, 1)):
    """``array`` rotated by 90 degrees ``k`` times in the plane of ``axes`` (from the first
    axis toward the second).

    Example:
        >>> rot90(np.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
        [[2.0, 4.0], [1.0, 3.0]]
    """
    x = to_tensor(array, owner="rot90")
    k = integer("rot90", "k", k) % 4
    a, b = (_axis("rot90", ax, x.ndim) for ax in axes)
    if a == b:
        raise ValueError(f"rot90: axes {tuple(axes)} must be two different axes")
    if k == 0:
        return x
    if k == 2:
        return flip(x, (a, b))
    if k == 1:
        return swapaxes(flip(x, b), a, b)
    return flip(swapaxes(x, a, b), b)


# -- triangles and diagonals ------------------------------------------------------------------
def _triangle(owner, x, k, lower):
    x = to_tensor(x, owner=owner)
    k = integer(owner, "k", k)
    if x.ndim < 2:
        raise ValueError(f"{owner}: needs a tensor with at least 2 axes, got shape {x.shape}")
    xp = get_ops().xp
    rows, cols = x.shape[-2:]
    keep = xp.tri(rows, cols, k, dtype=bool) if lower else ~xp.tri(rows, cols, k - 1, dtype=bool)
    return F.where(keep, x, x.dtype.type(0))


def tril(x, k=0):
    """The lower triangle of the last two axes (on and below diagonal ``k``), zeros above.

    Example:
        >>> tril(np.ones((2, 2))).tolist()
        [[1.0, 0.0], [1.0, 1.0]]
    """
    return _triangle("tril", x, k, lower=True)


def triu(x, k=0):
    """The upper triangle of the last two axes (on and above diagonal ``k``), zeros below.

    Example:
        >>> triu(np.ones((2, 2))).tolist()
        [[1.0, 1.0], [0.0, 1.0]]
    """
    return _triangle("triu", x, k, lower=False)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal ``offset`` of the plane ``(axis1, axis2)``, on a new last axis.

    Example:
        >>> diagonal(np.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
        [1.0, 4.0]
    """
    x = to_tensor(x, owner="diagonal")
    offset = integer("diagonal", "offset", offset)
    a, b = _axis("diagonal", axis1, x.ndim), _axis("diagonal", axis2, x.ndim)
    if a == b:
        raise ValueError("diagonal: axis1 and axis2 must differ")
    moved = F.transpose(x, [i for i in range(x.ndim) if i not in (a, b)] + [a, b])
    rows, cols = x.shape[a], x.shape[b]
    i = np.arange(builtins.max(0, builtins.min(rows, cols - offset) if offset >= 0 else
                               builtins.min(rows + offset, cols)))
    r, c = (i, i + offset) if offset >= 0 else (i - offset, i)
    ops = get_ops()
    lead = (builtins.slice(None),) * (x.ndim - 2)
    return F.getitem(moved, lead + (ops.asarray(r), ops.asarray(c)))


def diag(x, k=0):
    """A 1-D tensor's values on diagonal ``k`` of a square matrix, or a 2-D tensor's
    diagonal ``k``.

    Example:
        >>> diag([1.0, 2.0]).tolist()
        [[1.0, 0.0], [0.0, 2.0]]
    """
    x = to_tensor(x, owner="diag")
    k = integer("diag", "k", k)
    if x.ndim == 2:
        return diagonal(x, k)
    if x.ndim != 1:
        raise ValueError(f"diag: needs a 1-D or 2-D tensor, got shape {x.shape}")
    n = x.shape[0] + builtins.abs(k)
    i = np.arange(x.shape[0])
    r, c = (i, i + k) if k >= 0 else (i - k, i)
    ops = get_ops()
    return F.scatter_add((ops.asarray(r), ops.asarray(c)), x, (n, n))


def diagflat(x, k=0):
    """:func:`diag` of the flattened ``x``.

    Example:
        >>> diagflat([[1.0, 2.0]]).tolist()
        [[1.0, 0.0], [0.0, 2.0]]
    """
    return diag(F.reshape(to_tensor(x, owner="diagflat"), (-1,)), k)


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum of diagonal ``offset`` of the plane ``(axis1, axis2)``.

    Example:
        >>> trace(np.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
        5.0
    """
    return _sum(diagonal(x, offset, axis1, axis2), axis=-1)


def diff(a, n=1, axis=-1):
    """The ``n``-th forward difference ``a[i+1] - a[i]`` along ``axis``.

    Example:
        >>> diff([1.0, 4.0, 9.0]).tolist()
        [3.0, 5.0]
    """
    x = to_tensor(a, owner="diff")
    n = integer("diff", "n", n, low=0)
    ax = _axis("diff", axis, x.ndim)
    lead = (builtins.slice(None),) * ax
    for _ in range(n):
        x = F.subtract(F.getitem(x, lead + (builtins.slice(1, None),)),
                       F.getitem(x, lead + (builtins.slice(None, -1),)))
    return x


def select(condlist, choicelist, default=0):
    """The choice of the first true condition, elementwise (``default`` where none is).

    Example:
        >>> x = np.array([-1.0, 0.5, 2.0])
        >>> select([x < 0, x > 1], [-x, x * 10], 0.0).tolist()
        [1.0, 0.0, 20.0]
    """
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions for {len(choicelist)} choices")
    values = operands("select", *choicelist, default)
    out = values[-1]
    for cond, value in zip(condlist[::-1], values[-2::-1]):
        out = F.where(to_tensor(cond, owner="select").data.astype(bool), value, out)
    return out
