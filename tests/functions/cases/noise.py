"""Cases for the noise Functions: each case seeds its generator, so every call draws the same
noise and central differences see one smooth map."""

import numpy as np

import neurona.functions as F
from neurona.functions import noise

from . import GradCase

_r = np.random.default_rng(17)
X = _r.standard_normal((4, 5))
X3 = _r.standard_normal((3, 4, 2))

CASES = [
    GradCase(noise.Dropout, lambda x: F.dropout(x, 0.4, rng=3), [X], "dropout"),
    GradCase(noise.Dropout, lambda x: F.dropout(x, 0.5, noise_shape=(None, 1, 2), rng=3), [X3],
             "dropout-noise-shape"),
    GradCase(noise.GaussianNoise, lambda x: F.gaussian_noise(x, 0.5, rng=3), [X],
             "gaussian_noise"),
    GradCase(noise.GaussianDropout, lambda x: F.gaussian_dropout(x, 0.3, rng=3), [X],
             "gaussian_dropout"),
    GradCase(noise.AlphaDropout, lambda x: F.alpha_dropout(x, 0.2, noise_shape=(4, 1), rng=3),
             [X], "alpha_dropout"),
]
