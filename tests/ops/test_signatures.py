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
        path = f"ops.{space}" if space else "ops"
        theirs = set(keras.names(path))
        for name in ours.__all__:
            candidate = getattr(ours, name)
            if callable(candidate) and not inspect.ismodule(candidate) and name in theirs:
                yield f"{path}.{name}", candidate


def _parameters(fn):
    return [(p.name, int(p.kind), p.default if p.default is not inspect.Parameter.empty
             else "<required>") for p in inspect.signature(fn).parameters.values()]


def test_signatures_match_keras(keras):
    checked, different = 0, []
    for label, ours in _pairs(keras):
        mine, reference = _parameters(ours), [tuple(p) for p in keras.signature(label)]
        name = label.split(".")[-1]
        if name in NAMED_KWARGS:
            assert reference[-1][1] == inspect.Parameter.VAR_KEYWORD
            assert mine[-1][0] == NAMED_KWARGS[name]
            mine, reference = mine[:-1], reference[:-1]
        checked += 1
        if mine != reference:
            different.append(f"{label}: {mine} != {reference}")
    assert not different, "\n".join(different)
    assert checked > 250


def test_keras_ops_without_a_neurona_version_say_why(keras):
    names = set(keras.names("ops")) - set(ops.__all__) - {"numpy"}
    for name in names:
        with pytest.raises(AttributeError, match=f"has no '{name}': "):
            getattr(ops, name)
    with pytest.raises(AttributeError, match="Did you mean 'matmul'"):
        ops.matmull


def test_the_reference_runs_outside_this_process(keras):
    # JAX running in this process would warn on (and risk deadlocking) every fork the tuner
    # tests make. Importing Keras on PyTorch in-process (tests/helpers.keras3) imports the jax
    # module too, but starts no JAX backend, and that is what the threads come with.
    import sys

    assert keras.ops.add(1, 2) == 3
    if "jax" in sys.modules:
        from jax._src import xla_bridge

        assert not xla_bridge.backends_are_initialized()
