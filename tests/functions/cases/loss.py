"""Cases for the fused loss Functions: every reduction, a non-last axis, target gradients."""

import numpy as np

import neurona.functions as F
from neurona.functions import loss

from . import GradCase

_r = np.random.default_rng(11)
PRED = _r.standard_normal((4, 3))
TARGET = _r.standard_normal((4, 3))
# errors kept away from the kinks of |d| at 0 and of Huber at |d| = delta = 0.7
_mag = _r.uniform(0.1, 0.5, (4, 3)) + 0.8 * (_r.random((4, 3)) > 0.5)
FAR = TARGET + _mag * _r.choice([-1.0, 1.0], (4, 3))
LOGITS = 3 * _r.standard_normal((4, 3))
LOGITS3 = _r.standard_normal((2, 4, 3))
SOFT = _r.dirichlet(np.ones(3), size=4)  # rows of soft labels summing to 1
SOFT_AXIS1 = _r.dirichlet(np.ones(4), size=(2, 3)).transpose(0, 2, 1)  # sums to 1 along axis 1
UNNORMALISED = _r.uniform(0.0, 1.0, (4, 3))  # soft labels that do not sum to 1
BINARY = _r.uniform(0.0, 1.0, (4, 3))
PROBS = _r.uniform(0.05, 0.95, (4, 3))
LABELS = np.array([0, 2, 1, 2])
LABELS_AXIS1 = _r.integers(0, 4, (2, 3))

CASES = [
    GradCase(loss.SquaredError, lambda p, t: F.squared_error(p, t), [PRED, TARGET], "mse-mean"),
    GradCase(loss.SquaredError, lambda p, t: F.squared_error(p, t, reduction="none"),
             [PRED, TARGET], "mse-none"),
    GradCase(loss.AbsoluteError, lambda p, t: F.absolute_error(p, t, reduction="sum"),
             [FAR, TARGET], "mae-sum"),
    GradCase(loss.HuberError, lambda p, t: F.huber_error(p, t, delta=0.7, reduction="none"),
             [FAR, TARGET], "huber-none"),
    GradCase(loss.LogCoshError, lambda p, t: F.log_cosh_error(p, t), [3 * PRED, TARGET],
             "logcosh-mean"),
    GradCase(loss.SigmoidBinaryCrossEntropy, lambda z, y: F.sigmoid_binary_cross_entropy(z, y),
             [LOGITS, BINARY], "sigmoid-bce-mean"),
    GradCase(loss.SigmoidBinaryCrossEntropy,
             lambda z, y: F.sigmoid_binary_cross_entropy(z, y, axis=1, reduction="none"),
             [LOGITS3, _r.uniform(0, 1, (2, 4, 3))], "sigmoid-bce-axis1-none"),
    GradCase(loss.BinaryCrossEntropy, lambda p, y: F.binary_cross_entropy(p, y, reduction="sum"),
             [PROBS, BINARY], "bce-probs-sum"),
    GradCase(loss.BinaryCrossEntropy,
             lambda p, y: F.binary_cross_entropy(p, y, reduction="none"),
             [PROBS, BINARY], "bce-probs-none"),
    GradCase(loss.SoftmaxCrossEntropy, lambda z, y: F.softmax_cross_entropy(z, y),
             [LOGITS, SOFT], "softmax-ce-mean"),
    GradCase(loss.SoftmaxCrossEntropy,
             lambda z, y: F.softmax_cross_entropy(z, y, reduction="none"),
             [LOGITS, UNNORMALISED], "softmax-ce-unnormalised-none"),
    GradCase(loss.SoftmaxCrossEntropy,
             lambda z, y: F.softmax_cross_entropy(z, y, axis=1, reduction="sum"),
             [LOGITS3, SOFT_AXIS1], "softmax-ce-axis1-sum"),
    GradCase(loss.SparseSoftmaxCrossEntropy,
             lambda z: F.sparse_softmax_cross_entropy(z, LABELS), [LOGITS], "sparse-ce-mean"),
    GradCase(loss.SparseSoftmaxCrossEntropy,
             lambda z: F.sparse_softmax_cross_entropy(z, LABELS_AXIS1, axis=1, reduction="none"),
             [LOGITS3], "sparse-ce-axis1-none"),
]
