"""Cases for batch and layer normalization (training mode wrt x, gamma and beta)."""

import numpy as np

import neurona.functions as F
from neurona.functions import normalization as norm

from . import GradCase

_r = np.random.default_rng(23)
X2 = _r.normal(1.5, 2.0, (6, 3))
X4 = _r.normal(-0.5, 1.5, (2, 3, 3, 4))
X3 = _r.normal(0.3, 1.2, (3, 4, 5))
G3, B3 = _r.uniform(0.5, 1.5, 3), _r.standard_normal(3)
G4, B4 = _r.uniform(0.5, 1.5, 4), _r.standard_normal(4)
G45, B45 = _r.uniform(0.5, 1.5, (4, 5)), _r.standard_normal((4, 5))
MEAN3, VAR3 = _r.standard_normal(3), _r.uniform(0.5, 2.0, 3)


def _bn(axis=-1):
    return lambda x, g, b: F.batch_norm(x, gamma=g, beta=b, training=True, axis=axis)


CASES = [
    GradCase(norm.BatchNorm, _bn(), [X2, G3, B3], "batch_norm-2d"),
    GradCase(norm.BatchNorm, _bn(), [X4, G4, B4], "batch_norm-4d-channels-last"),
    GradCase(norm.BatchNorm, _bn(axis=1), [X4, G3, B3], "batch_norm-4d-axis1"),
    GradCase(norm.BatchNorm, lambda x: F.batch_norm(x, training=True), [X2],
             "batch_norm-no-affine"),
    GradCase(norm.BatchNormInference,
             lambda x, g, b: F.batch_norm(x, MEAN3, VAR3, g, b, training=False), [X2, G3, B3],
             "batch_norm-inference"),
    GradCase(norm.BatchNormInference,
             lambda x, g, b: F.batch_norm(x, MEAN3, VAR3, g, b, axis=1), [X4, G3, B3],
             "batch_norm-inference-axis1"),
    GradCase(norm.LayerNorm, lambda x, g, b: F.layer_norm(x, g, b), [X2, G3, B3], "layer_norm-2d"),
    GradCase(norm.LayerNorm, lambda x, g, b: F.layer_norm(x, g, b, axis=[1, 2]), [X3, G45, B45],
             "layer_norm-two-axes"),
    GradCase(norm.LayerNorm, lambda x, g: F.layer_norm(x, g, axis=1), [X3, G45[:, 0].copy()],
             "layer_norm-middle-axis-no-beta"),
    GradCase(norm.LayerNorm, lambda x: F.layer_norm(x, axis=0), [X3], "layer_norm-no-affine"),
]
