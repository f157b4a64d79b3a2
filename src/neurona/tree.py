"""Nested structures of lists, tuples and dicts (Keras's ``keras.tree``): the one utility the
trainer, losses, metrics and data handling use for several inputs and outputs.

A structure is a leaf (anything that is not a list, tuple or dict) or a list, tuple or dict of
structures. Dicts are walked in sorted key order, as Keras's tree does, so two dicts with the
same keys flatten alike whatever order they were written in. ``None`` is a leaf.

Example:
    >>> flatten({"b": 2, "a": [1, (3, 4)]})
    [1, 3, 4, 2]
    >>> map_structure(lambda v: v * 10, {"x": 1, "y": [2, 3]})
    {'x': 10, 'y': [20, 30]}
"""

__all__ = ["is_nested", "flatten", "map_structure", "pack_sequence_as", "assert_same_structure",
           "flatten_with_path"]


def is_nested(structure):
    """True for a list, tuple or dict (a structure with parts), False for a leaf."""
    return isinstance(structure, (list, tuple, dict))


def _children(structure):
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure)]
    return list(structure)


def flatten(structure):
    """The leaves of ``structure``, depth first, dicts in sorted key order."""
    if not is_nested(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def flatten_with_path(structure, path=()):
    """``[(path, leaf), ...]``: each leaf with the keys/indices leading to it."""
    if not is_nested(structure):
        return [(path, structure)]
    keys = sorted(structure) if isinstance(structure, dict) else range(len(structure))
    out = []
    for key in keys:
        out.extend(flatten_with_path(structure[key], path + (key,)))
    return out


def _rebuild(structure, children):
    if isinstance(structure, dict):
        keys = sorted(structure)
        made = dict(zip(keys, children))
        return {k: made[k] for k in structure}  # the caller's key order
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):  # a namedtuple
        return type(structure)(*children)
    return type(structure)(children)


def map_structure(fn, *structures):
    """``fn`` applied to the leaves of ``structures`` (all of the same structure), in a
    structure like the first."""
    first = structures[0]
    for other in structures[1:]:
        assert_same_structure(first, other)
    if not is_nested(first):
        return fn(*structures)
    columns = zip(*(_children(s) for s in structures))
    return _rebuild(first, [map_structure(fn, *column) for column in columns])


def pack_sequence_as(structure, flat):
    """The leaves ``flat`` (in :func:`flatten`'s order) put back into ``structure``'s shape."""
    flat = list(flat)
    leaves = len(flatten(structure))
    if leaves != len(flat):
        raise ValueError(f"pack_sequence_as: the structure has {leaves} leaves, got "
                         f"{len(flat)} values")
    iterator = iter(flat)

    def build(s):
        if not is_nested(s):
            return next(iterator)
        return _rebuild(s, [build(child) for child in _children(s)])

    return build(structure)


def assert_same_structure(a, b):
    """Raise a ValueError saying where ``a`` and ``b`` differ in nesting, length or keys
    (lists and tuples count as the same kind)."""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The structures differ: {_describe(a)} against {_describe(b)}")
    if not is_nested(a):
        return
    if isinstance(a, dict) != isinstance(b, dict):
        raise ValueError(f"The structures differ: {_describe(a)} against {_describe(b)}")
    if isinstance(a, dict):
        if set(a) != set(b):
            raise ValueError(f"The structures differ: keys {sorted(a)} against {sorted(b)}")
    elif len(a) != len(b):
        raise ValueError(f"The structures differ: {len(a)} items against {len(b)}")
    for x, y in zip(_children(a), _children(b)):
        assert_same_structure(x, y)


def _describe(x):
    if isinstance(x, dict):
        return f"a dict with keys {sorted(x)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)}"
    return "a single value"
