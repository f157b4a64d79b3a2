"""Cases for the attention Functions: projections into heads and back, and scaled dot-product
attention with masks, causal and sliding-window bands, returned scores and dropout."""

import numpy as np

import neurona.functions as F
from neurona.functions import attention

from . import GradCase

_r = np.random.default_rng(29)
X = _r.standard_normal((2, 4, 5))
Q, K, V = (_r.standard_normal((2, 2, 4, 3)), _r.standard_normal((2, 2, 5, 3)),
           _r.standard_normal((2, 2, 5, 2)))
MASK = _r.random((2, 1, 4, 5)) > 0.3
MASK[0, 0, 1] = False  # a fully masked row attends to nothing

CASES = [
    GradCase(attention.HeadProjection, F.head_projection,
             [X, _r.standard_normal((5, 2, 3)), _r.standard_normal((2, 3))], "head-projection"),
    GradCase(attention.HeadProjection, F.head_projection, [X, _r.standard_normal((5, 3, 2))],
             "head-projection-no-bias"),
    GradCase(attention.HeadMerge, F.head_merge,
             [Q, _r.standard_normal((2, 3, 6)), _r.standard_normal((6,))], "head-merge"),
    GradCase(attention.HeadMerge, F.head_merge, [Q, _r.standard_normal((2, 3, 2, 2))],
             "head-merge-2d-output"),
    GradCase(attention.DotProductAttention, F.dot_product_attention, [Q, K, V], "attention"),
    GradCase(attention.DotProductAttention,
             lambda q, k, v: F.dot_product_attention(q, k, v, mask=MASK), [Q, K, V],
             "attention-masked"),
    GradCase(attention.DotProductAttention,
             lambda q, k, v: F.dot_product_attention(q, k, v, mask=MASK, zero_empty_rows=True),
             [Q, K, V], "attention-masked-zero-empty-rows"),
    GradCase(attention.DotProductAttention,
             lambda q, k, v: F.dot_product_attention(q, k, v, causal=True, window=2,
                                                     scale=0.7), [Q, Q, V[:, :, :4]],
             "attention-causal-window"),
    GradCase(attention.DotProductAttention,
             lambda q, k, v: F.concatenate(F.dot_product_attention(q, k, v, mask=MASK,
                                                                   return_scores=True), -1),
             [Q, K, V], "attention-scores"),
    GradCase(attention.DotProductAttention,
             lambda q, k, v: F.dot_product_attention(q, k, v, dropout=0.3, rng=4), [Q, K, V],
             "attention-dropout"),
]
