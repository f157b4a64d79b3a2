"""``MultiHeadAttention``: fused per-head projections, scaled dot-product attention and the
merge of the heads (:mod:`neurona.functions.attention`), Keras 3's weights, arguments, masks
and outputs."""

import math

import numpy as np

from .. import constraints, initializers, regularizers, registry
from .. import functions as F
from ..autograd.tensor import Tensor
from ..random import layer_generator, make_generator
from ..validation import boolean, integer
from .layer import Layer, register_layer
from .recurrent_cells import check_rate

__all__ = ["MultiHeadAttention"]


def _as_mask(mask):
    """A boolean tensor from a tensor or array mask (nonzero is True, as Keras casts it)."""
    if mask is None:
        return None
    mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))
    return mask if mask.dtype == bool else F.not_equal_mask(mask, 0)


class _HeadDense(Layer):
    """The per-head projection of MultiHeadAttention: kernel (features, heads, dim), bias
    (heads, dim) (Keras's EinsumDense "query", "key", "value", "gate")."""

    traceable = True

    def __init__(self, heads, dim, use_bias, settings, activation=None, **base):
        super().__init__(**base)
        self.heads, self.dim, self.use_bias, self.settings = heads, dim, use_bias, settings
        self.activation = activation

    def build(self, input_shape):
        s = self.settings
        self.kernel = self.add_weight(shape=(input_shape[-1], self.heads, self.dim),
                                      initializer=s["kernel_initializer"],
                                      regularizer=s["kernel_regularizer"],
                                      constraint=s["kernel_constraint"], name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.heads, self.dim),
                                        initializer=s["bias_initializer"],
                                        regularizer=s["bias_regularizer"],
                                        constraint=s["bias_constraint"], name="bias")

    def call(self, inputs):
        out = F.head_projection(inputs, self.kernel, self.bias)
        return out if self.activation is None else self.activation(out)


class _OutputDense(Layer):
    """The merge of the heads: kernel (heads, dim, *output), bias (*output) (Keras's
    "attention_output")."""

    traceable = True

    def __init__(self, heads, dim, output_shape, use_bias, settings, **base):
        super().__init__(**base)
        self.heads, self.dim, self.out_shape = heads, dim, tuple(output_shape)
        self.use_bias, self.settings = use_bias, settings

    def build(self, input_shape=None):
        s = self.settings
        self.kernel = self.add_weight(shape=(self.heads, self.dim) + self.out_shape,
                                      initializer=s["kernel_initializer"],
                                      regularizer=s["kernel_regularizer"],
                                      constraint=s["kernel_constraint"], name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=self.out_shape, initializer=s["bias_initializer"],
                                        regularizer=s["bias_regularizer"],
                                        constraint=s["bias_constraint"], name="bias")

    def call(self, inputs):
        return F.head_merge(inputs, self.kernel, self.bias)


@register_layer("MultiHeadAttention")
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), Keras 3's layer: ``num_heads`` heads of
    ``softmax(q k^T / sqrt(key_dim)) v`` over per-head projections of the query, key and
    value, merged by an output projection.

    Args:
        num_heads: number of heads.
        key_dim: size of each head for the query and key.
        value_dim: size of each head for the value (default ``key_dim``).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: the last axes of the output (default the query's last axis).
        attention_axes: the axes attention runs over (default every axis between the batch
            and the features).
        sliding_window: attend only within ``sliding_window - 1`` positions on either side.
        flash_attention: None or False (neurona has no flash-attention kernel; True is an
            error).
        use_gate: multiply the attention output by a sigmoid gate projected from the query.
        kernel_initializer: of every projection, as ``bias_initializer``,
            ``kernel_regularizer``, ``bias_regularizer``, ``activity_regularizer``,
            ``kernel_constraint`` and ``bias_constraint``.
        seed: seed of the dropout.
        **base: ``name``, ``trainable``, ``dtype``.

    Call arguments: ``query`` (batch, Tq, features), ``value`` (batch, Tv, features), ``key``
    (default ``value``), ``attention_mask`` (batch, Tq, Tv) booleans (True: may attend),
    ``return_attention_scores``, ``training``, ``use_causal_mask``; the Keras masks of
    query, value and key (``Embedding(mask_zero=True)``) are combined with them, and the
    output carries the query's mask.

    Weights (Keras's order and shapes): query/kernel (features, heads, key_dim), query/bias
    (heads, key_dim), key/..., [gate/...], value/... (value_dim), attention_output/kernel
    (heads, value_dim, features), attention_output/bias.

    Example:
        >>> mha = MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = np.ones((3, 5, 8))
        >>> out, scores = mha(x, x, return_attention_scores=True)
        >>> out.shape, scores.shape
        ((3, 5, 8), (3, 2, 5, 5))
    """

    traceable = True

    supports_masking = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **base):
        super().__init__(**base)
        owner = "MultiHeadAttention"
        self.num_heads = integer(owner, "num_heads", num_heads, low=1)
        self.key_dim = integer(owner, "key_dim", key_dim, low=1)
        self.value_dim = integer(owner, "value_dim", value_dim, low=1, allow_none=True) \
            or self.key_dim
        self.dropout = check_rate(owner, "dropout", dropout)
        self.use_bias = boolean(owner, "use_bias", use_bias)
        self.use_gate = boolean(owner, "use_gate", use_gate)
        if output_shape is not None:
            output_shape = (output_shape,) if isinstance(output_shape, int) else \
                tuple(output_shape)
            for n in output_shape:
                integer(owner, "output_shape", n, low=1)
        self._output_shape = output_shape
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        self.attention_axes = None if attention_axes is None else tuple(
            integer(owner, "attention_axes", a) for a in attention_axes)
        self.sliding_window = integer(owner, "sliding_window", sliding_window, low=1,
                                      allow_none=True)
        if flash_attention:
            raise ValueError("MultiHeadAttention: flash_attention=True asks for a flash-"
                             "attention kernel, which neurona does not have; leave it None "
                             "(the attention runs as one fused Function)")
        self.flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = integer(owner, "seed", seed, low=0, allow_none=True)
        self._rng = make_generator(seed)
        self._projections_built = False

    # -- weights ----------------------------------------------------------------------------
    def _settings(self):
        return {"kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer,
                "kernel_regularizer": self.kernel_regularizer,
                "bias_regularizer": self.bias_regularizer,
                "kernel_constraint": self.kernel_constraint,
                "bias_constraint": self.bias_constraint}

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None or self._projections_built:
            return  # built on the first call, when the value's shape is known
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(f"MultiHeadAttention {self.name!r}: value and key must agree on "
                             f"every axis but the last, got value shape {tuple(value_shape)} "
                             f"and key shape {tuple(key_shape)}")
        heads = self.num_heads
        self.query_dense = _HeadDense(heads, self.key_dim, self.use_bias, self._settings(),
                                      name="query", dtype=self.dtype)
        self.query_dense._maybe_build(tuple(query_shape))
        self.key_dense = _HeadDense(heads, self.key_dim, self.use_bias, self._settings(),
                                    name="key", dtype=self.dtype)
        self.key_dense._maybe_build(tuple(key_shape))
        self.gate_dense = None
        if self.use_gate:
            self.gate_dense = _HeadDense(heads, self.value_dim, self.use_bias, self._settings(),
                                         activation=F.sigmoid, name="gate", dtype=self.dtype)
            self.gate_dense._maybe_build(tuple(query_shape))
        self.value_dense = _HeadDense(heads, self.value_dim, self.use_bias, self._settings(),
                                      name="value", dtype=self.dtype)
        self.value_dense._maybe_build(tuple(value_shape))
        out = self._output_shape or (query_shape[-1],)
        self.output_dense = _OutputDense(heads, self.value_dim, out, self.use_bias,
                                         self._settings(), name="attention_output",
                                         dtype=self.dtype)
        self.output_dense._maybe_build((None, self.value_dim))
        self._projections_built = True

    # -- call -----------------------------------------------------------------------------
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=False,
             use_causal_mask=False):
        if key is None:
            key = value
        key_given = key is not value
        query, value, key = (self._to_tensor(t) for t in (query, value, key))
        for what, t in (("query", query), ("value", value), ("key", key)):
            if t.dtype.kind != "f" or t.ndim < 3:
                raise ValueError(f"MultiHeadAttention {self.name!r}: {what} must be a float "
                                 f"tensor (batch, time, features), got dtype {t.dtype} and "
                                 f"shape {tuple(t.shape)}")
        if not self._projections_built:
            self.build(query.shape, value.shape, key.shape)
        query_mask = getattr(query, "_keras_mask", None) if query_mask is None else query_mask
        value_mask = getattr(value, "_keras_mask", None) if value_mask is None else value_mask
        if key_mask is None and key_given:
            key_mask = getattr(key, "_keras_mask", None)
        q3, restore = self._to_sequence(query)
        k3, _ = self._to_sequence(key)
        v3, _ = self._to_sequence(value)
        masks = [_as_mask(m) for m in (query_mask, value_mask, key_mask, attention_mask)]
        if any(m is not None for m in masks) and query.ndim > 3 and \
                self.attention_axes is not None:
            raise ValueError(f"MultiHeadAttention {self.name!r}: masks with attention_axes are "
                             "supported for 3-D inputs only; pass (batch, time, features)")
        mask = self._attention_mask(masks, q3.shape[0], q3.shape[1], k3.shape[1])
        # the projections' own calls: the masks were read above and are not theirs to carry
        q = self.query_dense.call(q3)
        k = self.key_dense.call(k3)
        v = self.value_dense.call(v3)
        rate = self.dropout if training else 0.0
        result = F.dot_product_attention(
            q, k, v, mask=mask, scale=1.0 / math.sqrt(self.key_dim), causal=use_causal_mask,
            window=self.sliding_window, dropout=rate,
            rng=layer_generator(self._rng, seeded=self.seed is not None),
            return_scores=return_attention_scores,
            # Keras's explicit-softmax path (scores, dropout or more than one attention axis)
            # zeroes padded queries' attention; its fused path attends uniformly
            zero_empty_rows=(return_attention_scores or self.dropout > 0
                             or query.ndim != 3))
        out, scores = result if return_attention_scores else (result, None)
        if self.gate_dense is not None:
            out = F.multiply(out, self.gate_dense.call(q3))
        out = restore(self.output_dense.call(out))
        if self.activity_regularizer is not None:
            self.add_loss(F.divide(self.activity_regularizer(out), out.shape[0]))
        return (out, scores) if return_attention_scores else out

    def _axes(self, ndim):
        """The attention axes as positive indices (default: all between batch and features)."""
        if self.attention_axes is None:
            return tuple(range(1, ndim - 1))
        axes = tuple(a % ndim for a in self.attention_axes)
        if any(a in (0, ndim - 1) for a in axes):
            raise ValueError(f"MultiHeadAttention {self.name!r}: attention_axes "
                             f"{self.attention_axes} must not include the batch or the feature "
                             "axis")
        return axes

    def _to_sequence(self, x):
        """(batch', time, features) with the attention axes flattened into time (the other
        axes fold into the batch), and the function mapping an output back."""
        if x.ndim == 3 and self._axes(3) == (1,):
            return x, lambda y: y
        axes = self._axes(x.ndim)
        others = tuple(a for a in range(1, x.ndim - 1) if a not in axes)
        perm = (0,) + others + axes + (x.ndim - 1,)
        moved = F.transpose(x, perm) if perm != tuple(range(x.ndim)) else x
        sizes = tuple(moved.shape)
        n_other = len(others)
        batch = int(np.prod(sizes[:1 + n_other], dtype=np.int64))
        steps = int(np.prod(sizes[1 + n_other:-1], dtype=np.int64))
        flat = F.reshape(moved, (batch, steps, sizes[-1]))
        inverse = tuple(int(i) for i in np.argsort(perm))

        def restore(y):
            y = F.reshape(y, sizes[:-1] + tuple(y.shape[2:]))
            if len(y.shape) != len(perm):  # a multi-axis output_shape: features at the end
                return y
            return F.transpose(y, inverse) if perm != tuple(range(len(perm))) else y

        return flat, restore

    def _attention_mask(self, masks, batch, tq, tk):
        """One (batch, 1, Tq, Tk) mask from the query, value, key and attention masks (None
        when there is none; the causal and window bands are applied inside the attention)."""
        query_mask, value_mask, key_mask, attention_mask = masks
        if all(m is None for m in masks):
            return None
        parts = []
        for m, shape, what in ((query_mask, (batch, tq, 1), "query"),
                               (value_mask, (batch, 1, tk), "value"),
                               (key_mask, (batch, 1, tk), "key"),
                               (attention_mask, (batch, tq, tk), "attention")):
            if m is None:
                continue
            expected = int(np.prod(shape))
            if m.size != expected and not (what == "attention" and
                                           m.size in (tq * tk, batch * tq * tk)):
                raise ValueError(f"MultiHeadAttention {self.name!r}: the {what} mask has shape "
                                 f"{tuple(m.shape)}, which does not fit {shape} (batch, "
                                 f"{'Tq, Tv' if what == 'attention' else 'time'})")
            if what == "attention" and m.size == tq * tk and batch != 1:
                shape = (1, tq, tk)
            parts.append(F.reshape(m, shape))
        mask = F.logical_and_masks(parts)
        return F.reshape(mask, (mask.shape[0], 1, tq, tk))

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "use_gate": self.use_gate,
                "output_shape": None if self._output_shape is None else list(self._output_shape),
                "attention_axes": None if self.attention_axes is None else
                list(self.attention_axes),
                "sliding_window": self.sliding_window,
                "kernel_initializer": registry.serialize(self.kernel_initializer),
                "bias_initializer": registry.serialize(self.bias_initializer),
                "kernel_regularizer": registry.serialize(self.kernel_regularizer),
                "bias_regularizer": registry.serialize(self.bias_regularizer),
                "activity_regularizer": registry.serialize(self.activity_regularizer),
                "kernel_constraint": registry.serialize(self.kernel_constraint),
                "bias_constraint": registry.serialize(self.bias_constraint),
                "seed": self.seed}
