"""Cases for the noise Functions: each random array is fixed by a seed, so every call of the
case draws the same mask and central differences see one smooth map."""

import numpy as np

import neurona.functions as F
from neurona.backend import get_ops
from neurona.functions import noise

from . import GradCase

_r = np.random.default_rng(17)
X = _r.standard_normal((4, 5))
X3 = _r.standard_normal((3, 4, 2))
MASK = (_r.random((4, 5)) > 0.3) / 0.7

CASES = [
    GradCase(noise.Noise, lambda x: noise.Noise(scale=get_ops().asarray(MASK))(x), [X], "noise-fixed-mask"),
    GradCase(noise.Dropout, lambda x: F.dropout(x, 0.4, rng=3), [X], "dropout"),
    GradCase(noise.Dropout, lambda x: F.dropout(x, 0.5, noise_shape=(None, 1, 2), rng=3), [X3],
             "dropout-noise-shape"),
    GradCase(noise.Noise, lambda x: F.gaussian_noise(x, 0.5, rng=3), [X], "gaussian_noise"),
    GradCase(noise.Noise, lambda x: F.gaussian_dropout(x, 0.3, rng=3), [X], "gaussian_dropout"),
    GradCase(noise.Noise, lambda x: F.alpha_dropout(x, 0.2, noise_shape=(4, 1), rng=3), [X],
             "alpha_dropout"),
]
