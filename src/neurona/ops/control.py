"""``keras.ops`` control flow as plain Python: ``cond``, ``switch``, ``fori_loop``,
``while_loop``, ``scan``, ``map``, ``vectorized_map`` and ``associative_scan``.

The engine is define-by-run, so a loop simply runs and records what it computes, and gradients
flow through every iteration. Loop states and scanned inputs may be nested lists, tuples and
dicts of tensors, as in Keras.
"""

import builtins
import numbers

from .. import functions as F
from ..validation import boolean, integer
from .dtypes import operands, to_tensor

__all__ = ["cond", "switch", "fori_loop", "while_loop", "scan", "map", "vectorized_map",
           "associative_scan"]


def cond(pred, true_fn, false_fn):
    """``true_fn()`` when ``pred`` is true, else ``false_fn()``."""
    return true_fn() if bool(pred) else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, with ``index`` clamped to the branches (as Keras)."""
    if not branches:
        raise ValueError("switch: branches must hold at least one callable")
    i = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
    return branches[i](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; returns the last val.

    Example:
        >>> float(fori_loop(0, 4, lambda i, v: v + i, 0.0))
        6.0
    """
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (a single loop
    variable is passed as is) and at most ``maximum_iterations`` times.

    Example:
        >>> while_loop(lambda x, y: x < 10, lambda x, y: (x + 1, y + 1), (0, 1))
        (10, 11)
    """
    limit = integer("while_loop", "maximum_iterations", maximum_iterations, low=0,
                    allow_none=True)
    several = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if several else (loop_vars,)
    count = 0
    while (limit is None or count < limit) and bool(cond(*state)):
        out = body(*state)
        state = tuple(out) if several else (out,)
        if len(state) != (len(loop_vars) if several else 1):
            raise ValueError(f"while_loop: body returned {len(state)} values for "
                             f"{len(loop_vars) if several else 1} loop variables")
        count += 1
    return (type(loop_vars)(state) if several else state[0])


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns the last carry and
    the ``y``s stacked (JAX's ``lax.scan``).

    Args:
        f: callable ``(carry, x) -> (carry, y)``; ``y`` may be None or a nested structure.
        init: the first carry.
        xs: tensors (or a nested structure of them) scanned along their first axis, or None.
        length: the number of steps when ``xs`` is None (else checked against it).
        reverse: scan from the last element; the ``y``s still line up with ``xs``.
        unroll: how many steps a compiler would unroll; an eager loop has nothing to unroll,
            so any positive integer (or a bool) gives the same result.

    Returns:
        ``(carry, ys)``.

    Example:
        >>> carry, ys = scan(lambda c, x: (c + x, c * x), 0.0, np.array([1.0, 2.0, 3.0]))
        >>> float(carry), ys.tolist()
        (6.0, [0.0, 2.0, 9.0])
    """
    if not (isinstance(unroll, bool) or isinstance(unroll, numbers.Integral) and unroll >= 1):
        raise ValueError(f"scan: unroll must be a positive integer or a bool, got {unroll!r}")
    boolean("scan", "reverse", reverse)
    leaves, rebuild = _flatten(xs)
    leaves = [to_tensor(x, owner="scan") for x in leaves]
    steps = {int(x.shape[0]) for x in leaves}
    if len(steps) > 1:
        raise ValueError(f"scan: every xs must have the same leading size, got {sorted(steps)}")
    if length is not None:
        length = integer("scan", "length", length, low=0)
        if steps and steps != {length}:
            raise ValueError(f"scan: length={length} does not match xs' leading size {steps.pop()}")
    elif not steps:
        raise ValueError("scan: pass xs or length")
    n = length if length is not None else steps.pop()
    carry, ys = init, [None] * n
    for i in (range(n - 1, -1, -1) if reverse else range(n)):
        x = rebuild([t[i] for t in leaves]) if leaves else None
        carry, ys[i] = f(carry, x)
    return carry, _stack_structures(ys)


def map(f, xs):  # noqa: A001  (Keras's name)
    """``f`` applied to each slice of ``xs`` along its first axis, the results stacked.

    Example:
        >>> map(lambda row: row.sum(), np.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
        [3.0, 7.0]
    """
    leaves, rebuild = _flatten(xs)
    leaves = [to_tensor(x, owner="map") for x in leaves]
    n = int(leaves[0].shape[0]) if leaves else 0
    return _stack_structures([f(rebuild([t[i] for t in leaves])) for i in range(n)])


def vectorized_map(function, elements):
    """Same as :func:`map` (a vectorizing compiler would batch it; the result is the same)."""
    return map(function, elements)


def associative_scan(f, elems, reverse=False, axis=0):
    """The inclusive prefix combination ``y_i = f(y_{i-1}, x_i)`` along ``axis`` (``f``
    associative, applied to slices of ``elems``, a tensor or a nested structure of them).

    Example:
        >>> associative_scan(lambda a, b: a + b, np.array([1.0, 2.0, 3.0])).tolist()
        [1.0, 3.0, 6.0]
    """
    boolean("associative_scan", "reverse", reverse)
    leaves, rebuild = _flatten(elems)
    leaves = [to_tensor(x, owner="associative_scan") for x in leaves]
    axis = integer("associative_scan", "axis", axis)
    moved = [F.transpose(t, _front(t.ndim, axis)) if axis % t.ndim else t for t in leaves]
    n = int(moved[0].shape[0])
    order = range(n - 1, -1, -1) if reverse else range(n)
    outs, acc = [None] * n, None
    for i in order:
        x = rebuild([t[i] for t in moved])
        acc = x if acc is None else f(acc, x)
        outs[i] = acc
    stacked = _stack_structures(outs)
    out_leaves, rebuild_out = _flatten(stacked)
    back = [F.transpose(t, _back(t.ndim, axis)) if axis % t.ndim else t for t in out_leaves]
    return rebuild_out(back)


def _front(ndim, axis):
    axis %= ndim
    return [axis] + [i for i in range(ndim) if i != axis]


def _back(ndim, axis):
    order = _front(ndim, axis)
    return [order.index(i) for i in range(ndim)]




# -- nested structures (lists, tuples, dicts) -----------------------------------------------------
def _flatten(structure):
    """``(leaves, rebuild)``: the non-container items of a nested structure in order, and a
    function that builds the same structure around new leaves."""
    if structure is None:
        return [], lambda leaves: None
    if isinstance(structure, (list, tuple, dict)):
        keys = list(structure) if isinstance(structure, dict) else range(len(structure))
        parts = [_flatten(structure[k]) for k in keys]
        sizes = [len(p[0]) for p in parts]

        def rebuild(leaves):
            items, start = [], 0
            for (_, sub), size in zip(parts, sizes):
                items.append(sub(leaves[start:start + size]))
                start += size
            if isinstance(structure, dict):
                return dict(zip(keys, items))
            return type(structure)(items) if not hasattr(structure, "_fields") else type(
                structure)(*items)

        return [leaf for p in parts for leaf in p[0]], rebuild
    return [structure], lambda leaves: leaves[0]


def _stack_structures(items):
    """A list of like-structured results stacked leaf by leaf along a new first axis."""
    if not items or items[0] is None:
        return None
    flat = [_flatten(item) for item in items]
    rebuild = flat[0][1]
    columns = zip(*[leaves for leaves, _ in flat])
    return rebuild([F.stack(operands("stack", *col)) for col in columns])

