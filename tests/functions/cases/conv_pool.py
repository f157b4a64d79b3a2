"""Cases for a convolution pooled in one function: the few-channel (transposed) and the
row-per-pixel patch matrices, strides, "same" padding, dilation, rectangular pools and sizes
that leave rows and columns out of every window."""

import numpy as np

import neurona.functions as F
from neurona.functions import conv_pool

from . import GradCase

_r = np.random.default_rng(8)
X2 = _r.standard_normal((2, 7, 6, 2))
X4 = _r.standard_normal((2, 7, 8, 4))
W2 = _r.standard_normal((3, 3, 2, 3))
W4 = _r.standard_normal((2, 2, 4, 3))
B = _r.standard_normal((3,))

CASES = [
    GradCase(conv_pool.Conv2DPool, lambda x, w, b: F.conv2d_pooled(x, w, b, activation="relu"),
             [X2, W2, B], "conv2d_pooled-2-channels-relu-odd"),
    GradCase(conv_pool.Conv2DPool, lambda x, w: F.conv2d_pooled(x, w, pool="min"), [X2, W2],
             "conv2d_pooled-min-no-bias"),
    GradCase(conv_pool.Conv2DPool,
             lambda x, w, b: F.conv2d_pooled(x, w, b, padding="same", pool_size=(2, 3)),
             [X4, W4, B], "conv2d_pooled-4-channels-same-rect-pool"),
    GradCase(conv_pool.Conv2DPool,
             lambda x, w, b: F.conv2d_pooled(x, w, b, strides=(1, 2), activation="relu"),
             [X4, W4, B], "conv2d_pooled-4-channels-strided-relu"),
    GradCase(conv_pool.Conv2DPool,
             lambda x, w, b: F.conv2d_pooled(x, w, b, dilation_rate=2, pool_size=3, pool="min"),
             [X4, W4, B], "conv2d_pooled-dilated-3x3-min"),
    GradCase(conv_pool.Conv2DPool, lambda x, w, b: F.conv2d_pooled(x, w[:2, :2], b, strides=3),
             [X2, W2, B], "conv2d_pooled-strides-larger-than-kernel"),
]
