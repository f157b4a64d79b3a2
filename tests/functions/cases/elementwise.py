"""Cases for the transcendental elementwise Functions (inputs inside each one's domain)."""

import numpy as np

import neurona.functions as F
from neurona.functions import elementwise as el

from . import GradCase

_r = np.random.default_rng(13)
X = _r.standard_normal((3, 4))
UNIT = _r.uniform(-0.9, 0.9, (3, 4))  # inside (-1, 1): arcsin, arccos, arctanh
ABOVE_ONE = _r.uniform(1.2, 3.0, (3, 4))  # arccosh
AWAY = np.sign(X) * (np.abs(X) + 0.2)  # away from 0: cbrt's infinite slope
ROW = _r.standard_normal((4,))
# erf near 0 takes the Taylor branch, beyond 1/2 the erfc one: both are exercised
ERF_X = np.array([[-3.1, -1.2, -0.45, -0.05], [0.02, 0.3, 0.7, 2.6]])
SINC_X = np.array([[-2.3, -0.7, 0.0, 0.4], [1.1, 1.9, 2.5, 3.3]])

CASES = [
    GradCase(el.Sin, F.sin, [X]),
    GradCase(el.Cos, F.cos, [X]),
    GradCase(el.Tan, F.tan, [UNIT]),
    GradCase(el.Arcsin, F.arcsin, [UNIT]),
    GradCase(el.Arccos, F.arccos, [UNIT]),
    GradCase(el.Arctan, F.arctan, [X]),
    GradCase(el.Sinh, F.sinh, [X]),
    GradCase(el.Cosh, F.cosh, [X]),
    GradCase(el.Arcsinh, F.arcsinh, [X]),
    GradCase(el.Arccosh, F.arccosh, [ABOVE_ONE]),
    GradCase(el.Arctanh, F.arctanh, [UNIT]),
    GradCase(el.Expm1, F.expm1, [X]),
    GradCase(el.Cbrt, F.cbrt, [AWAY]),
    GradCase(el.Sinc, F.sinc, [SINC_X], "sinc-through-zero"),
    GradCase(el.Erf, F.erf, [ERF_X]),
    GradCase(el.Erfc, F.erfc, [ERF_X]),
    GradCase(el.Arctan2, F.arctan2, [X, AWAY], "arctan2"),
    GradCase(el.Arctan2, F.arctan2, [X, ROW], "arctan2-broadcast"),
    GradCase(el.Hypot, F.hypot, [X, ROW]),
    GradCase(el.LogAddExp, F.logaddexp, [X, ROW]),
]
