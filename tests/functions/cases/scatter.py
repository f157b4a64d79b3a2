"""Cases for scatters and segment reductions (repeated positions, ties and zeros included)."""

import numpy as np

import neurona.functions as F
from neurona.functions import scatter

from . import GradCase

_r = np.random.default_rng(19)
ROWS = (np.array([0, 2, 0, 3]),)
VALUES = _r.standard_normal((4, 3))
# segment 0 has two distinct values per column, segment 2 one; no near-ties
DISTINCT = np.array([[1.0, 5.0, -2.0], [0.5, 0.1, 3.0], [4.0, -1.0, 0.7], [2.0, 2.5, -3.0]])
# products with no zero, one zero and two zeros in a segment
WITH_ZEROS = np.array([[1.5, 0.0, 0.0], [2.0, 3.0, -1.0], [-0.5, 2.0, 0.0], [0.7, 1.1, 1.3]])
SEGMENTS = (np.array([0, 1, 0, 2]),)  # every segment reached: no infinite identity
PAIRS = (np.array([0, 1, 0]), np.array([2, 0, 2]))  # two leading axes, one position twice

CASES = [
    GradCase(scatter.ScatterAdd, lambda v: F.scatter_add(ROWS, v, (4, 3)), [VALUES],
             "scatter-add-repeated-rows"),
    GradCase(scatter.ScatterAdd, lambda v: F.scatter_add(PAIRS, v, (2, 3)), [VALUES[:3, 0]],
             "scatter-add-pairs"),
    GradCase(scatter.SegmentMax, lambda v: F.segment_max(SEGMENTS, v, (3, 3)), [DISTINCT]),
    GradCase(scatter.SegmentMin, lambda v: F.segment_min(SEGMENTS, v, (3, 3)), [DISTINCT]),
    GradCase(scatter.SegmentProd, lambda v: F.segment_prod((np.array([0, 0, 1, 0]),), v, (2, 3)),
             [WITH_ZEROS], "segment-prod-with-zeros"),
]
