"""The scatter helpers against NumPy's ufunc.at."""

import numpy as np

from neurona.functions.scatter import multiply_at


def test_multiply_at_matches_numpy_with_repeats():
    rng = np.random.default_rng(0)
    for shape, k in (((6,), 1), ((4, 5), 2), ((4, 3), 1)):
        index = tuple(rng.integers(0, n, 40) for n in shape[:k])
        values = rng.uniform(0.5, 1.5, (40,) + shape[k:])
        expected, out = np.full(shape, 2.0), np.full(shape, 2.0)
        np.multiply.at(expected, index, values)
        multiply_at(np, out, index, values)
        np.testing.assert_allclose(out, expected, rtol=1e-12)
    ints = np.ones(3, dtype=np.int64)
    multiply_at(np, ints, (np.array([0, 2, 0, 0]),), np.array([2, 3, 5, 7]))
    assert ints.tolist() == [70, 1, 3]
    untouched = np.ones(2)
    multiply_at(np, untouched, (np.array([], dtype=np.int64),), np.array([]))
    assert untouched.tolist() == [1.0, 1.0]
