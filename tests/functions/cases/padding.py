"""Cases for constant padding."""

import numpy as np

import neurona.functions as F
from neurona.functions import padding

from . import GradCase

X = np.random.default_rng(33).standard_normal((2, 5, 6, 4))

CASES = [
    GradCase(padding.Pad, lambda x: F.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))), [X], "pad"),
    GradCase(padding.Pad, lambda x: F.pad(x, ((1, 0), (0, 0), (2, 2), (0, 1)), value=1.5), [X],
             "pad-value-batch-axis"),
]
