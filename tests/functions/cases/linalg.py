"""Cases for the inverse, the determinant and the linear solve (well-conditioned matrices)."""

import numpy as np

import neurona.functions as F
from neurona.functions import linalg

from . import GradCase

_r = np.random.default_rng(23)
A = _r.standard_normal((3, 3)) + 3 * np.eye(3)
BATCH = _r.standard_normal((2, 3, 3)) + 3 * np.eye(3)
B = _r.standard_normal((3, 2))
BATCH_B = _r.standard_normal((2, 3, 2))

CASES = [
    GradCase(linalg.Inv, F.inv, [A]),
    GradCase(linalg.Inv, F.inv, [BATCH], "inv-batched"),
    GradCase(linalg.Det, F.det, [A]),
    GradCase(linalg.Det, F.det, [BATCH], "det-batched"),
    GradCase(linalg.Solve, F.solve, [A, B]),
    GradCase(linalg.Solve, F.solve, [BATCH, BATCH_B], "solve-batched"),
    GradCase(linalg.Solve, F.solve, [A, BATCH_B], "solve-shared-matrix"),
]
