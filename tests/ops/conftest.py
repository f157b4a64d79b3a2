"""Fixtures for the ``neurona.ops`` tests: Keras 3 on JAX as the reference where Keras's
semantics differ from NumPy's (dtype promotion, defaults), and a comparison helper."""

import numpy as np
import pytest

from tests import keras_reference


@pytest.fixture(scope="session")
def keras():
    """Keras 3 on JAX, running in a child process (see :mod:`tests.keras_reference`); the
    test is skipped when it is not installed."""
    reference = keras_reference.start()
    if reference is None:
        pytest.skip("Keras 3 with JAX (and cloudpickle) is needed for this reference")
    yield reference
    reference.close()


def assert_same(ours, expected, rtol=1e-6, atol=1e-6, dtype=True):
    """``ours`` (a Tensor or a tuple of them) equals ``expected`` in values, shape and, unless
    ``dtype=False``, dtype name."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(expected)
        for a, b in zip(ours, expected):
            assert_same(a, b, rtol, atol, dtype)
        return
    got = np.asarray(ours)
    want = np.asarray(expected)
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    if dtype:
        assert got.dtype.name == want.dtype.name, f"dtype {got.dtype.name} != {want.dtype.name}"
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)
