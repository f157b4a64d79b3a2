"""``Embedding`` (integer indices to dense vectors, with an optional padding mask) and
``Masking`` (skip the timesteps whose features all equal a padding value): Keras 3's names,
arguments and mask rules."""

import numbers

from .. import constraints, initializers, regularizers, registry
from .. import functions as F
from ..validation import boolean, integer, real
from .layer import InputSpec, Layer, register_layer

__all__ = ["Embedding", "Masking"]


@register_layer("Embedding")
class Embedding(Layer):
    """Turn integer indices into dense vectors: row ``i`` of a trainable
    ``(input_dim, output_dim)`` matrix for index ``i``.

    Args:
        input_dim: size of the vocabulary (largest index + 1).
        output_dim: size of each vector.
        embeddings_initializer: initializer of the matrix (default "uniform", in [-0.05, 0.05]).
        embeddings_regularizer, embeddings_constraint: penalty and projection of the matrix.
        mask_zero: index 0 is padding: the output carries a mask (False where the index is 0)
            that recurrent layers, attention, pooling, losses and metrics honour. Index 0 is
            then not a word, so ``input_dim`` must count it.
        weights: optional initial matrix (or a list holding it).
        lora_rank: when set, the matrix is frozen and a trainable low-rank update
            ``(lora_alpha / lora_rank) * A @ B`` is learnt instead (see :meth:`enable_lora`).
        lora_alpha: scale of the low-rank update (default ``lora_rank``).
        input_length: accepted for code written for Keras 2: the length of the sequences, i.e.
            ``input_shape=(input_length,)`` when no input shape is given; the sequences must
            then have that length.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.

    Input shape ``(batch, ...)`` of indices (floats are truncated to integers); output shape
    ``(batch, ..., output_dim)``. Indices outside ``[0, input_dim)`` are an error.

    Example:
        >>> layer = Embedding(10, 3, mask_zero=True)
        >>> out = layer(np.array([[4, 2, 0]]))
        >>> out.shape, out._keras_mask.tolist()
        ((1, 3, 3), [[True, True, False]])
    """

    _keeps_integer_inputs = True
    traceable = True

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, input_length=None,
                 quantization_config=None, **base):
        owner = "Embedding"
        input_dim = integer(owner, "input_dim", input_dim, low=1)
        output_dim = integer(owner, "output_dim", output_dim, low=1)
        if quantization_config is not None:
            raise ValueError("Embedding: quantization_config is not supported by neurona (it "
                             "trains and predicts in float32/float64); leave it None")
        if input_length is not None:
            input_length = integer(owner, "input_length", input_length, low=1)
            if base.get("input_shape") is None and base.get("input_dim") is None:
                base["input_shape"] = (input_length,)
        super().__init__(**base)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.input_length = input_length
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = boolean(owner, "mask_zero", mask_zero)
        self.supports_masking = self.mask_zero
        self.lora_rank = integer(owner, "lora_rank", lora_rank, low=1, allow_none=True)
        self.lora_alpha = real(owner, "lora_alpha", lora_alpha, low=0, low_open=True,
                               allow_none=True)
        self.lora_enabled = False
        if input_length is not None:
            self.input_spec = InputSpec(axes={1: input_length})
        if weights is not None:
            self.build(None)
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape=None):
        if getattr(self, "_embeddings", None) is not None:
            return  # built at construction from ``weights``
        self._embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                           initializer=self.embeddings_initializer,
                                           regularizer=self.embeddings_regularizer,
                                           constraint=self.embeddings_constraint,
                                           name="embeddings")
        if self.lora_rank:
            self.enable_lora(self.lora_rank)

    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform",
                    b_initializer="zeros"):
        """Freeze the matrix and train a rank-``rank`` update ``A @ B`` instead (LoRA):
        ``A`` is ``(input_dim, rank)``, ``B`` is ``(rank, output_dim)`` and starts at 0, so
        the layer's output is unchanged until training moves it.

        Example:
            >>> layer = Embedding(100, 8)
            >>> layer.build()
            >>> layer.enable_lora(2)
            >>> [v.name for v in layer.trainable_weights]
            ['lora_embeddings_a', 'lora_embeddings_b']
        """
        if self.lora_enabled:
            raise ValueError(f"Embedding {self.name!r}: LoRA is already enabled")
        rank = integer("Embedding.enable_lora", "rank", rank, low=1)
        self._embeddings.trainable = False
        self._embeddings.declared_trainable = False
        self.lora_embeddings_a = self.add_weight(shape=(self.input_dim, rank),
                                                 initializer=a_initializer,
                                                 name="lora_embeddings_a")
        self.lora_embeddings_b = self.add_weight(shape=(rank, self.output_dim),
                                                 initializer=b_initializer,
                                                 name="lora_embeddings_b")
        self.lora_rank = rank
        if lora_alpha is not None:
            self.lora_alpha = real("Embedding.enable_lora", "lora_alpha", lora_alpha, low=0,
                                   low_open=True)
        self.lora_enabled = True

    @property
    def embeddings(self):
        """The matrix the lookup reads (with the LoRA update added when enabled)."""
        if not self.lora_enabled:
            return self._embeddings
        alpha = self.lora_alpha if self.lora_alpha is not None else self.lora_rank
        delta = F.matmul(self.lora_embeddings_a, self.lora_embeddings_b)
        return F.add(self._embeddings, F.multiply(delta, alpha / self.lora_rank))

    def call(self, inputs):
        data = inputs.data
        if data.dtype.kind not in "iuf" or data.dtype == bool:
            raise TypeError(f"Embedding {self.name!r} takes integer indices, got an input of "
                            f"dtype {data.dtype}; map text to indices first (e.g. with "
                            "layers.TextVectorization)")
        # the range check runs inside the Function: a replayed step checks every batch too
        return F.embedding(inputs, self.embeddings, owner=f"Embedding {self.name!r}")

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return F.not_equal_mask(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = {**super().get_config(), "input_dim": self.input_dim,
                  "output_dim": self.output_dim,
                  "embeddings_initializer": registry.serialize(self.embeddings_initializer),
                  "embeddings_regularizer": registry.serialize(self.embeddings_regularizer),
                  "embeddings_constraint": registry.serialize(self.embeddings_constraint),
                  "mask_zero": self.mask_zero, "lora_rank": self.lora_rank,
                  "lora_alpha": self.lora_alpha}
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return config


@register_layer("Masking")
class Masking(Layer):
    """Mark the timesteps whose features all equal ``mask_value`` as padding: they are set to 0
    and the output carries a mask (False there) for the layers after it.

    Args:
        mask_value: the padding value (default 0.0).
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.

    Input shape ``(batch, timesteps, features)`` (or more axes; the last is the features).

    Example:
        >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
        >>> out = Masking()(x)
        >>> out._keras_mask.tolist()
        [[True, False, True]]
    """

    traceable = True
    supports_masking = True

    def __init__(self, mask_value=0.0, **base):
        super().__init__(**base)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise ValueError(f"Masking: mask_value must be a number, got mask_value="
                             f"{mask_value!r}")
        self.mask_value = float(mask_value)
        self.input_spec = InputSpec(min_ndim=2)

    def call(self, inputs):
        keep = F.not_equal_mask(inputs, self.mask_value, axis=-1)
        out = F.multiply(inputs, F.expand_dims(keep, -1))
        out._keras_mask = keep
        return out

    def compute_mask(self, inputs, mask=None):
        return F.not_equal_mask(inputs, self.mask_value, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
