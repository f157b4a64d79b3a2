"""Cases for the grouped, depthwise and 3-D convolutions."""

import numpy as np

import neurona.functions as F
from neurona.functions.grouped_convolution import GroupedConv

from . import GradCase

_r = np.random.default_rng(31)
X4 = _r.standard_normal((2, 5, 6, 4))
W_G2 = _r.standard_normal((3, 3, 2, 6))  # 2 groups of 2 channels -> 3 filters each
B6 = _r.standard_normal((6,))
W_DW = _r.standard_normal((3, 2, 4, 2))  # depthwise, multiplier 2
X1D = _r.standard_normal((2, 7, 4))
W1D = _r.standard_normal((3, 1, 4))  # 1-D, 4 groups
X3D = _r.standard_normal((2, 4, 5, 3, 2))
W3D = _r.standard_normal((2, 3, 2, 2, 3))

CASES = [
    GradCase(GroupedConv, lambda x, w, b: F.grouped_conv(x, w, b, groups=2),
             [X4, W_G2, B6], "grouped-conv2d-valid"),
    GradCase(GroupedConv,
             lambda x, w, b: F.grouped_conv(x, w, b, groups=2, strides=(2, 1), padding="same"),
             [X4, W_G2, B6], "grouped-conv2d-strided-same"),
    GradCase(GroupedConv,
             lambda x, w: F.grouped_conv(x, w, groups=2, dilation_rate=2, padding="same"),
             [X4, W_G2], "grouped-conv2d-dilated"),
    GradCase(GroupedConv, lambda x, w: F.depthwise_conv(x, w, padding="same"),
             [X4, W_DW], "depthwise-conv2d-same"),
    GradCase(GroupedConv, lambda x, w: F.grouped_conv(x, w, groups=4, strides=2),
             [X1D, W1D], "grouped-conv1d-strided"),
    GradCase(GroupedConv, lambda x, w: F.conv3d(x, w, padding="same"), [X3D, W3D],
             "conv3d-same"),
    GradCase(GroupedConv, lambda x, w: F.conv3d(x, w, strides=(1, 2, 1)),
             [X3D, W3D], "conv3d-strided"),
]
