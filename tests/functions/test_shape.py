"""Shape functions: the axes they accept, against NumPy."""

import numpy as np
import pytest

import neurona.functions as F


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_expand_dims_and_squeeze_match_numpy(axis, rng):
    x = rng.standard_normal((2, 3))
    expanded = F.expand_dims(x, axis).numpy()
    np.testing.assert_array_equal(expanded, np.expand_dims(x, axis))
    np.testing.assert_array_equal(F.squeeze(expanded, axis).numpy(), x)
    with pytest.raises(ValueError, match=r"expand_dims: axis must be an axis of a 3-dimensional "
                                         r"input, in \[-3, 2\], got axis=3"):
        F.expand_dims(x, 3)
    with pytest.raises(ValueError, match=r"squeeze: axis must be an axis of a 2-dimensional "
                                         r"input, in \[-2, 1\], got axis=-3"):
        F.squeeze(x, -3)
