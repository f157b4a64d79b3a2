"""Cases for window pooling (max/min inputs are distinct values, far apart, so no ties)."""

import numpy as np

import neurona.functions as F
from neurona.functions import pooling

from . import GradCase

_r = np.random.default_rng(5)


def _distinct(shape):
    """Values a permutation apart (gaps >= 1) with a small jitter: no window has a tie."""
    size = int(np.prod(shape))
    return (_r.permutation(size) + _r.uniform(0.1, 0.2, size)).reshape(shape) / 4


X = _distinct((2, 5, 6, 2))
X4 = _distinct((1, 4, 4, 3))
X1D = _distinct((2, 7, 2))

CASES = [
    GradCase(pooling.Pool2D, lambda x: F.max_pool2d(x, 2), [X4], "max_pool2d-2x2-fast"),
    GradCase(pooling.Pool2D, lambda x: F.max_pool2d(x, 2), [X], "max_pool2d-valid-odd"),
    GradCase(pooling.Pool2D, lambda x: F.max_pool2d(x, 3, strides=2, padding="same"), [X],
             "max_pool2d-overlap-same"),
    GradCase(pooling.Pool2D, lambda x: F.min_pool2d(x, (2, 3), strides=1), [X],
             "min_pool2d-overlap"),
    GradCase(pooling.Pool2D, lambda x: F.min_pool2d(x, 2, padding="same"), [X],
             "min_pool2d-same"),
    GradCase(pooling.Pool2D, lambda x: F.avg_pool2d(x, 2), [X], "avg_pool2d-valid"),
    GradCase(pooling.Pool2D, lambda x: F.avg_pool2d(x, 3, strides=2, padding="same"), [X],
             "avg_pool2d-same-partial-windows"),
    GradCase(pooling.Pool2D, lambda x: F.avg_pool2d(x, (3, 2), strides=(1, 2)), [X],
             "avg_pool2d-overlap"),
    GradCase(pooling.Pool2D, lambda x: F.max_pool1d(x, 3, strides=2, padding="same"), [X1D],
             "max_pool1d-same"),
    GradCase(pooling.Pool2D, lambda x: F.avg_pool1d(x, 2, padding="same"), [X1D],
             "avg_pool1d-same"),
    GradCase(pooling.Pool2D, lambda x: F.min_pool1d(x, 2), [X1D], "min_pool1d"),
    # strides larger than the pool: gaps between windows get a zero gradient
    GradCase(pooling.Pool2D, lambda x: F.max_pool2d(x, 2, strides=3), [X], "max_pool2d-gaps"),
    GradCase(pooling.Pool2D, lambda x: F.min_pool2d(x, (2, 1), strides=(3, 2)), [X],
             "min_pool2d-gaps-rect"),
    GradCase(pooling.Pool2D, lambda x: F.avg_pool2d(x, 2, strides=3), [X], "avg_pool2d-gaps"),
    GradCase(pooling.Pool2D, lambda x: F.avg_pool2d(x, 2, strides=3, padding="same"), [X],
             "avg_pool2d-gaps-same"),
    GradCase(pooling.Pool2D, lambda x: F.max_pool2d(x, 3, strides=(1, 2)), [X],
             "max_pool2d-odd-pool-strides-differ"),
    GradCase(pooling.Pool2D, lambda x: F.max_pool1d(x, 2, strides=3), [X1D], "max_pool1d-gaps"),
    GradCase(pooling.Pool2D, lambda x: F.avg_pool1d(x, 3, strides=4), [X1D], "avg_pool1d-gaps"),
    GradCase(pooling.Pool2D, lambda x: F.min_pool1d(x, 3, strides=2), [X1D],
             "min_pool1d-odd-overlap"),
]
