"""Cases for the convolutions: strides, paddings, dilations, odd sizes, 1-D and transposed."""

import numpy as np

import neurona.functions as F
from neurona.functions import conv

from . import GradCase

_r = np.random.default_rng(21)
X = _r.standard_normal((2, 5, 6, 2))  # 2 channels: the transposed patch matrix (few channels)
X4 = _r.standard_normal((2, 5, 6, 4))  # 4 channels: the row-per-pixel patch matrix
W34 = _r.standard_normal((3, 3, 4, 3))
X7 = _r.standard_normal((1, 7, 7, 2))
W3 = _r.standard_normal((3, 3, 2, 3))
W23 = _r.standard_normal((2, 3, 2, 3))
B = _r.standard_normal((3,))
W1 = _r.standard_normal((1, 1, 2, 3))
X1D = _r.standard_normal((2, 7, 2))
K1D = _r.standard_normal((3, 2, 3))
Y = _r.standard_normal((2, 3, 3, 2))
WT = _r.standard_normal((3, 3, 3, 2))  # transposed: (kh, kw, filters, in_channels)

CASES = [
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b), [X, W3, B], "conv2d-valid"),
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b, padding="same"), [X, W3, B],
             "conv2d-same"),
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b, strides=2, padding="same"),
             [X4, W34, B], "conv2d-4-channels-stride2-same"),
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b, activation="relu"),
             [X4, W34, B], "conv2d-4-channels-relu"),
    GradCase(conv.Conv2D, lambda x, w: F.conv2d(x, w, strides=2, padding="same"), [X7, W3],
             "conv2d-stride2-same-odd"),
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b, strides=(2, 1)), [X, W23, B],
             "conv2d-rect-kernel-strides"),
    GradCase(conv.Conv2D, lambda x, w: F.conv2d(x, w, dilation_rate=2, padding="same"),
             [X7, W3], "conv2d-dilated-same"),
    GradCase(conv.Conv2D, lambda x, w: F.conv2d(x, w, strides=2, dilation_rate=(1, 2)),
             [X7, W23], "conv2d-dilated-strided"),
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b, activation="relu"),
             [X, W1, np.array([0.37, -0.41, 0.23])], "conv2d-1x1-relu"),
    GradCase(conv.Conv2D,
             lambda x, w, b: F.conv1d(x, w, b, strides=2, padding="same"), [X1D, K1D, B],
             "conv1d-stride2-same"),
    GradCase(conv.Conv2D, lambda x, w: F.conv1d(x, w, padding="causal", dilation_rate=2),
             [X1D, K1D], "conv1d-causal-dilated"),
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b, strides=3), [X7, W23, B],
             "conv2d-strides-larger-than-kernel"),
    GradCase(conv.Conv2D, lambda x, w, b: F.conv2d(x, w, b, strides=(3, 2)), [X4, W34, B],
             "conv2d-4-channels-strides-larger-odd"),
    GradCase(conv.Conv2D, lambda x, w: F.conv1d(x, w, strides=4), [X1D, K1D],
             "conv1d-strides-larger-than-kernel"),
    GradCase(conv.Conv2DTranspose, lambda y, w, b: F.conv2d_transpose(y, w, b), [Y, WT, B[:3]],
             "conv2d_transpose-valid"),
    GradCase(conv.Conv2DTranspose,
             lambda y, w, b: F.conv2d_transpose(y, w, b, strides=2, padding="same"),
             [Y, WT, B[:3]], "conv2d_transpose-stride2-same"),
    GradCase(conv.Conv2DTranspose,
             lambda y, w: F.conv2d_transpose(y, w, strides=(2, 3), output_padding=1), [Y, WT],
             "conv2d_transpose-output_padding"),
]
