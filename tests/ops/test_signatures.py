"""Every op has Keras 3's name, argument names, order and defaults."""

import inspect

import pytest

from neurona import ops

# Keras takes **kwargs for an option it warns about or renamed; neurona names it
NAMED_KWARGS = {"layer_normalization": "rms_scaling", "multi_hot": "num_tokens"}
NAMESPACES = ["", "nn", "image", "linalg"]


def _pairs(keras):
    for space in NAMESPACES:
        ours = getattr(ops, space) if space else ops
        theirs = getattr(keras.ops, space) if space else keras.ops
        for name in ours.__all__:
            candidate = getattr(ours, name)
            if callable(candidate) and not inspect.ismodule(candidate) and hasattr(theirs, name):
                yield f"{space or 'ops'}.{name}", candidate, getattr(theirs, name)


def _parameters(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_signatures_match_keras(keras):
    checked, different = 0, []
    for label, ours, theirs in _pairs(keras):
        mine, reference = _parameters(ours), _parameters(theirs)
        name = label.split(".")[-1]
        if name in NAMED_KWARGS:
            assert reference[-1][1] is inspect.Parameter.VAR_KEYWORD
            assert mine[-1][0] == NAMED_KWARGS[name]
            mine, reference = mine[:-1], reference[:-1]
        checked += 1
        if mine != reference:
            different.append(f"{label}: {mine} != {reference}")
    assert not different, "\n".join(different)
    assert checked > 250


def test_keras_ops_without_a_neurona_version_say_why(keras):
    names = {n for n in dir(keras.ops) if not n.startswith("_")} - set(ops.__all__) - {"numpy"}
    for name in names:
        with pytest.raises(AttributeError, match=f"has no '{name}': "):
            getattr(ops, name)
    with pytest.raises(AttributeError, match="Did you mean 'matmul'"):
        ops.matmull
