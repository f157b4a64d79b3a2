"""Cases for the fused recurrences (through time: sequences, states, masks, both directions,
every fused activation), the embedding lookup and the mask Functions."""

import numpy as np

import neurona.functions as F
from neurona.functions import gru, masks, recurrent
from neurona.functions.embedding import Embedding as EmbeddingFn

from . import GradCase

_r = np.random.default_rng(23)
B, T, D, U = 3, 5, 4, 3
X = _r.standard_normal((B, T, D))
# padding at the end, at the start and in the middle, so carried states are exercised
MASK = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 1, 0]], dtype=bool)


def _weights(gates, bias_shape):
    return [_r.standard_normal((D, gates * U)) * 0.6, _r.standard_normal((U, gates * U)) * 0.6,
            _r.standard_normal(bias_shape) * 0.3]


def _states(n):
    return [_r.standard_normal((B, U)) * 0.5 for _ in range(n)]


_KINDS = {  # kind: (Function class, gates, bias shape, states, reset_after)
    "simple_rnn": (recurrent.SimpleRNNSequence, 1, (U,), 1, True),
    "lstm": (recurrent.LSTMSequence, 4, (4 * U,), 2, True),
    "gru": (gru.GRUSequence, 3, (2, 3 * U), 1, True),
    "gru_reset_before": (gru.GRUResetBeforeSequence, 3, (3 * U,), 1, False),
}
_VARIANTS = {  # id: (settings, mask)
    "last": ({}, None),
    "sequences": ({"return_sequences": True}, None),
    "backwards-states": ({"go_backwards": True, "return_state": True}, None),
    "masked-sequences-states": ({"return_sequences": True, "return_state": True}, MASK),
    "masked-zero-output": ({"return_sequences": True, "zero_output_for_mask": True}, MASK),
    "masked-backwards-last": ({"go_backwards": True}, MASK),
    "relu-hard-sigmoid": ({"activation": "relu", "recurrent_activation": "hard_sigmoid",
                           "return_sequences": True}, MASK),
    "linear-linear": ({"activation": "linear", "recurrent_activation": "linear"}, None),
}


def _case(kind, variant):
    cls, gates, bias_shape, n_states, reset_after = _KINDS[kind]
    settings, mask = _VARIANTS[variant]
    name = "gru" if kind.startswith("gru") else kind

    def call(x, w, r, b, *h):
        return F.rnn_sequence(name, x, w, r, b, mask=mask, initial_state=list(h),
                              reset_after=reset_after, **settings)

    weights = _weights(gates, bias_shape)
    if variant == "linear-linear":  # no squashing: keep the products of gates small
        weights = [w * 0.3 for w in weights]
    return GradCase(cls, call, [X, *weights, *_states(n_states)], f"{kind}-{variant}",
                    atol=1e-5, rtol=1e-4)


def _no_bias_case():
    def call(x, w, r):
        return F.rnn_sequence("lstm", x, w, r, None, return_sequences=True)

    return GradCase(recurrent.LSTMSequence, call, [X, *_weights(4, (4 * U,))[:2]],
                    "lstm-no-bias-zero-state", atol=1e-5, rtol=1e-4)


_TABLE = _r.standard_normal((6, 3))
_IDS = np.array([[1, 4, 1], [0, 5, 1]])
_DISTINCT = _r.permutation(12).reshape(3, 4) + 0.5
_PADDED = np.where(_DISTINCT > 6, _DISTINCT, 0.0)

CASES = [_case(kind, variant) for kind in _KINDS for variant in _VARIANTS] + [
    _no_bias_case(),
    GradCase(EmbeddingFn, lambda t: F.embedding(_IDS, t), [_TABLE], "embedding-repeats"),
    # a mask has no gradient: computed from a constant, the product's gradient is the mask
    GradCase(masks.NotEqualMask, lambda x: x * F.not_equal_mask(_DISTINCT, 4.5), [_DISTINCT],
             "not-equal-mask"),
    GradCase(masks.NotEqualMask,
             lambda x: x * F.expand_dims(F.not_equal_mask(_PADDED, 0.0, -1), -1), [_DISTINCT],
             "not-equal-mask-any"),
    GradCase(masks.LogicalAnd, lambda x: x * F.logical_and_masks([_DISTINCT > 2, _DISTINCT < 9]),
             [_DISTINCT], "logical-and"),
    GradCase(masks.LogicalAnd, lambda x: x * F.logical_or_masks([_DISTINCT < 2, _DISTINCT > 9]),
             [_DISTINCT], "logical-or"),
    GradCase(masks.MaskWeights,
             lambda x: x * F.mask_weights(_DISTINCT > 3, "sum_over_batch_size", "float64"),
             [_DISTINCT], "mask-weights"),
    GradCase(masks.WhereMask, lambda a, b: F.where_mask(_DISTINCT > 5, a, b),
             [_r.standard_normal((3, 4)), _r.standard_normal((4,))], "where-mask-broadcast"),
    GradCase(masks.DropoutKeepMask, lambda x: x * F.dropout_keep_mask((3, 4), 0.4, 5, "float64"),
             [_DISTINCT], "dropout-keep-mask"),
]
