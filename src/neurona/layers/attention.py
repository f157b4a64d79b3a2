"""``Attention`` (Luong's dot-product) and ``AdditiveAttention`` (Bahdanau's), composed from
:mod:`neurona.functions` with Keras 3's arguments, masks and outputs."""

import numpy as np

from .. import functions as F
from ..random import layer_generator, make_generator
from ..validation import boolean, choice, integer
from .layer import Layer, register_layer
from .multi_head_attention import _as_mask
from .recurrent_cells import check_rate

__all__ = ["Attention", "AdditiveAttention"]


@register_layer("Attention")
class Attention(Layer):
    """Dot-product attention (Luong et al., 2015), Keras's ``Attention``: scores ``q k^T``
    (times a learnt scalar with ``use_scale``; or, with ``score_mode="concat"``,
    ``w * sum(tanh(scale (q + k)))``), a softmax over the value steps, then the weighted sum
    of the values.

    Args:
        use_scale: learn a scalar ``scale`` multiplying the scores.
        score_mode: "dot" or "concat".
        dropout: dropout rate on the attention weights (training only).
        seed: seed of the dropout.
        **base: ``name``, ``trainable``, ``dtype``.

    Call arguments: ``inputs`` = ``[query, value]`` or ``[query, value, key]`` (batch, T,
    dim); ``mask`` = ``[query_mask, value_mask]`` (taken from the inputs' Keras masks when
    absent); ``return_attention_scores``; ``use_causal_mask``; ``training``.

    Example:
        >>> q, v = np.ones((2, 3, 4)), np.ones((2, 5, 4))
        >>> Attention()([q, v]).shape
        (2, 3, 4)
    """

    traceable = True

    supports_masking = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **base):
        super().__init__(**base)
        owner = type(self).__name__
        self.use_scale = boolean(owner, "use_scale", use_scale)
        self.score_mode = choice(owner, "score_mode", score_mode, ("dot", "concat"))
        self.dropout = check_rate(owner, "dropout", dropout)
        self.seed = integer(owner, "seed", seed, low=0, allow_none=True)
        self._rng = make_generator(seed)

    def _validate(self, inputs, mask):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} {self.name!r} must be called on a list [query, value] or "
                             f"[query, value, key], got {type(inputs).__name__}")
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} {self.name!r}: mask must be a list [query_mask, "
                             f"value_mask], got {mask!r}")

    def build(self, input_shape):
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(shape=(), initializer="ones",
                                                       name="concat_score_weight")

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = F.matmul(query, F.transpose(key, (0, 2, 1)))
            return scores if self.scale is None else F.multiply(scores, self.scale)
        total = F.add(F.expand_dims(query, -2), F.expand_dims(key, -3))
        if self.scale is not None:
            total = F.multiply(self.scale, total)
        return F.multiply(self.concat_score_weight, F.sum(F.tanh(total), axis=-1))

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _as_mask(mask[0]) if mask else None
        value_mask = _as_mask(mask[1]) if mask else None
        scores = self._scores(query, key)
        keep = None
        if value_mask is not None:
            keep = F.expand_dims(value_mask, -2)  # (batch, 1, Tv)
        if use_causal_mask:
            tq, tv = scores.shape[-2], scores.shape[-1]
            causal = np.tril(np.ones((tq, tv), dtype=bool))[None]
            keep = F.logical_and_masks([keep, causal])
        if keep is not None:  # Keras: masked scores lose 1e9
            scores = F.where_mask(keep, scores, F.subtract(scores, 1e9))
        weights = F.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout,
                                rng=layer_generator(self._rng, seeded=self.seed is not None))
        out = F.matmul(weights, value)
        if query_mask is not None:
            out = F.where_mask(F.expand_dims(query_mask, -1), out, 0.0)
        return (out, weights) if return_attention_scores else out

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return _as_mask(mask[0])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


@register_layer("AdditiveAttention")
class AdditiveAttention(Attention):
    """Additive attention (Bahdanau et al., 2015), Keras's ``AdditiveAttention``: scores
    ``sum(scale * tanh(q + k))`` with a learnt vector ``scale`` (``use_scale``, default
    True), then as :class:`Attention`.

    Example:
        >>> q, v = np.ones((2, 3, 4)), np.ones((2, 5, 4))
        >>> AdditiveAttention()([q, v]).shape
        (2, 3, 4)
    """

    traceable = True

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **base):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **base)

    def build(self, input_shape):
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform", name="scale")

    def _scores(self, query, key):
        total = F.tanh(F.add(F.expand_dims(query, -2), F.expand_dims(key, -3)))
        if self.scale is not None:
            total = F.multiply(self.scale, total)
        return F.sum(total, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
