"""Cases for the 3-D pooling (max, average; valid, same, overlapping windows)."""

import numpy as np

import neurona.functions as F
from neurona.functions import pooling3d

from . import GradCase

_r = np.random.default_rng(32)
# distinct values, so that the max of each window is unique (no kink under the differences)
P3D = _r.permutation(2 * 4 * 5 * 6 * 2).reshape(2, 4, 5, 6, 2) / 10.0

CASES = [
    GradCase(pooling3d.Pool3D, lambda x: F.max_pool3d(x, 2), [P3D], "max-pool3d"),
    GradCase(pooling3d.Pool3D, lambda x: F.max_pool3d(x, (2, 3, 2), strides=1, padding="same"),
             [P3D], "max-pool3d-overlapping-same"),
    GradCase(pooling3d.Pool3D, lambda x: F.avg_pool3d(x, 3, strides=2, padding="same"), [P3D],
             "avg-pool3d-same"),
    GradCase(pooling3d.Pool3D, lambda x: F.avg_pool3d(x, (1, 2, 2)), [P3D], "avg-pool3d"),
]
