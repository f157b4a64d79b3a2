"""Reductions: the axes they accept, against NumPy's own reductions."""

import numpy as np
import pytest

import neurona.functions as F


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), [-3, 1], np.int64(1)])
def test_reductions_match_numpy_on_every_axis_form(name, axis, rng):
    x = rng.standard_normal((2, 3, 4))
    expected = getattr(np, name)(x, axis=tuple(axis) if isinstance(axis, list) else axis)
    np.testing.assert_allclose(getattr(F, name)(x, axis=axis).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_an_axis_out_of_range_is_an_error_not_wrapped_around(name):
    with pytest.raises(ValueError, match=rf"^{name}: axis must be an axis of a 2-dimensional "
                                         rf"input, in \[-2, 1\], got axis=2"):
        getattr(F, name)(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match=rf"^{name}: axis must be an integer \(an axis\), got "
                                         rf"axis=1.0"):
        getattr(F, name)(np.ones((2, 3)), axis=(0, 1.0))

