"""Cases for the activation Functions (inputs kept away from each function's kinks)."""

import numpy as np

import neurona.functions as F
from neurona.functions import activation as act

from . import GradCase

_r = np.random.default_rng(11)
# away from 0 (every rectifier's kink) and from +-3 (hard sigmoid's) and 6 (relu6's)
X = np.sign(_r.standard_normal((3, 5))) * _r.uniform(0.1, 2.5, (3, 5))
WIDE = np.array([[-7.5, -4.0, -2.5, -0.5, 0.4], [1.7, 2.9, 3.6, 5.5, 6.8]])
ALPHA = _r.uniform(0.05, 0.4, (5,))
SLOPES = _r.uniform(0.1, 0.3, (3, 5))

CASES = [
    GradCase(act.Step, F.step, [X], "step-zero-gradient"),
    GradCase(act.ReLU, F.relu, [X]),
    GradCase(act.ThresholdReLU, F.relu6, [WIDE], "relu6"),
    GradCase(act.ThresholdReLU, lambda x: F.relu(x, negative_slope=0.3, max_value=5.0, threshold=1.0),
             [WIDE], "relu-keras-options"),
    GradCase(act.ThresholdReLU, lambda x: F.relu(x, negative_slope=0.1, max_value=2.0), [X],
             "relu-capped-leaky"),
    GradCase(act.LeakyReLU, F.leaky_relu, [X], "leaky_relu"),
    GradCase(act.LeakyReLU, F.prelu, [X, ALPHA], "prelu-shared-alpha"),
    GradCase(act.LeakyReLU, F.prelu, [X, SLOPES], "prelu-full-alpha"),
    GradCase(act.RReLU, lambda x: F.rrelu(x, training=True, rng=3), [X], "rrelu-training"),
    GradCase(act.ELU, lambda x: F.elu(x, alpha=0.7), [X], "elu"),
    GradCase(act.ELU, F.selu, [X], "selu"),
    GradCase(act.Sigmoid, F.sigmoid, [WIDE]),
    GradCase(act.HardSigmoid, F.hard_sigmoid, [WIDE]),
    GradCase(act.HardSigmoid, F.hard_silu, [WIDE], "hard_silu"),
    GradCase(act.Tanh, F.tanh, [X]),
    GradCase(act.SiLU, F.silu, [WIDE]),
    GradCase(act.Softplus, F.softplus, [WIDE]),
    GradCase(act.Softsign, F.softsign, [WIDE]),
    GradCase(act.Mish, F.mish, [WIDE]),
    GradCase(act.GELU, F.gelu, [WIDE], "gelu-exact"),
    GradCase(act.GELU, lambda x: F.gelu(x, approximate=True), [WIDE], "gelu-tanh"),
    GradCase(act.Softmax, lambda x: F.softmax(x, axis=0), [X], "softmax-axis0"),
    GradCase(act.LogSoftmax, F.log_softmax, [X]),
]
