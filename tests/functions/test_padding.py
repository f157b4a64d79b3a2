"""F.pad is NumPy's constant padding, and its errors name the bad pairs."""

import numpy as np
import pytest

import neurona.functions as F


def test_pad_equals_numpy(rng):
    x = rng.standard_normal((2, 3, 4))
    pads = ((0, 1), (2, 0), (1, 3))
    np.testing.assert_array_equal(F.pad(x, pads, value=-2.0).numpy(),
                                  np.pad(x, pads, constant_values=-2.0))


def test_bad_pads_are_named():
    with pytest.raises(ValueError, match="pairs of ints >= 0"):
        F.pad(np.ones((2, 2)), ((0, -1), (0, 0)))
    with pytest.raises(ValueError, match="one pair per axis"):
        F.pad(np.ones((2, 2)), ((1, 1),))
