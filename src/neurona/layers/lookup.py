"""Vocabulary lookups: ``StringLookup`` and ``IntegerLookup`` (Keras 3's arguments, index
layout, ``adapt`` order and encodings), and ``CategoryEncoding``.

Indices are laid out as Keras lays them: the mask token (when set, in "int" mode) at 0, then
``num_oov_indices`` out-of-vocabulary slots, then the vocabulary. ``adapt`` orders the
vocabulary by decreasing frequency, ties by decreasing token (Keras's order), so an adapted
layer gives the indices Keras gives. The vocabulary is saved in the layer's config (JSON), so a
saved model takes raw categories.
"""

import numpy as np

from .. import config
from ..validation import boolean, choice, integer
from .data_layer import (OUTPUT_MODES, DataLayer, adapt_batches, as_integers, as_text,
                         categorical_output_shape, encode_categorical)
from .fingerprint import fingerprint64, siphash24
from .layer import register_layer

__all__ = ["CategoryEncoding", "StringLookup", "IntegerLookup"]

LOOKUP_MODES = OUTPUT_MODES + ("tf_idf",)


@register_layer("CategoryEncoding")
class CategoryEncoding(DataLayer):
    """Encode integer categories in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors
    (Keras's ``CategoryEncoding``).

    Args:
        num_tokens: the number of categories.
        output_mode: "multi_hot" (default; the last axis holds a sample's categories),
            "one_hot" (each value; a trailing axis of 1 is replaced) or "count".
        sparse: only False (dense outputs).
        **base: ``name``, ``dtype`` (default floatx), ``input_shape``, ...

    Call it as ``layer(x)`` or, in "count" mode, ``layer(x, count_weights=w)``. Values outside
    ``[0, num_tokens)`` are an error.

    Example:
        >>> CategoryEncoding(4, output_mode="one_hot")(np.array([3, 0])).numpy().tolist()
        [[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **base):
        super().__init__(**base)
        self.num_tokens = integer("CategoryEncoding", "num_tokens", num_tokens, low=1)
        self.output_mode = choice("CategoryEncoding", "output_mode", output_mode,
                                  ("one_hot", "multi_hot", "count"))
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported (outputs are "
                             "dense arrays); use sparse=False")
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding {self.name!r}: count_weights works with "
                             f"output_mode='count', not {self.output_mode!r}")
        owner = f"CategoryEncoding {self.name!r}"
        indices = as_integers(self.host(inputs), owner)
        weights = None if count_weights is None else self.host(self._to_tensor(count_weights))
        return self.output(encode_categorical(indices, self.output_mode, self.num_tokens,
                                              self.dtype, owner, count_weights=weights))

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


class IndexLookup(DataLayer):
    """What StringLookup and IntegerLookup share (see the module docstring)."""

    kind = "text"

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                 idf_weights, invert, output_mode, sparse, pad_to_max_tokens, oov_method, salt,
                 **base):
        what = type(self).__name__
        choice(what, "oov_method", oov_method, ("floormod", "farmhash"))
        if salt is not None and self.kind == "integer" and oov_method != "farmhash":
            raise ValueError(f"{what}: salt needs oov_method='farmhash', got "
                             f"oov_method={oov_method!r}")
        if salt is not None:
            if isinstance(salt, (list, tuple)) and len(salt) == 2:
                salt = [integer(what, "salt", v, low=0) for v in salt]
            else:
                salt = [integer(what, "salt", salt, low=0)] * 2
        self.oov_method, self.salt = oov_method, salt
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        choice(what, "output_mode", output_mode, LOOKUP_MODES)
        if base.get("dtype") is None:
            base["dtype"] = ("int64" if output_mode == "int" else config.floatx())
        if invert and output_mode != "int":
            raise ValueError(f"{what}: invert=True needs output_mode='int', got {output_mode!r}")
        if sparse:
            raise ValueError(f"{what}: sparse=True is not supported (outputs are dense "
                             "arrays); use sparse=False")
        super().__init__(**base)
        self.max_tokens = integer(what, "max_tokens", max_tokens, low=2, allow_none=True)
        self.num_oov_indices = integer(what, "num_oov_indices", num_oov_indices, low=0)
        self.pad_to_max_tokens = boolean(what, "pad_to_max_tokens", pad_to_max_tokens)
        if self.pad_to_max_tokens and self.max_tokens is None:
            raise ValueError(f"{what}: pad_to_max_tokens=True needs max_tokens")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{what}: idf_weights is only used with output_mode='tf_idf'")
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert = boolean(what, "invert", invert)
        self.output_mode, self.sparse = output_mode, False
        self._tokens, self.idf_weights = None, None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif output_mode == "tf_idf" and idf_weights is not None:
            raise ValueError(f"{what}: idf_weights needs a vocabulary")

    # -- index layout --------------------------------------------------------------------------
    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def vocabulary_size(self):
        """Tokens plus the mask and OOV slots (the one-hot depth)."""
        if self._tokens is None:
            return self._token_start()
        return self._token_start() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order (with the mask and OOV tokens first)."""
        tokens = [] if self._tokens is None else list(self._tokens)
        if not include_special_tokens:
            return tokens
        return ([self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices
                + tokens)

    def _convert(self, array, owner):
        raise NotImplementedError

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use ``vocabulary`` (a list or 1-D array, optionally starting with the special tokens
        in index order) instead of an adapted one."""
        what = type(self).__name__
        if isinstance(vocabulary, str):
            raise ValueError(f"{what}: vocabulary must be a list of tokens; a file path is not "
                             "read (a model file never points at other files)")
        tokens = self._convert(np.asarray(vocabulary), what).ravel()
        if tokens.size == 0:
            raise ValueError(f"{what}: the vocabulary is empty")
        special = self.get_vocabulary()[:self._token_start()]
        head = tokens[:len(special)].tolist()
        if special and head == special:
            tokens = tokens[len(special):]
        tokens = tokens.tolist()
        if len(set(tokens)) != len(tokens):
            seen, repeated = set(), []
            for t in tokens:
                if t in seen and t not in repeated:
                    repeated.append(t)
                seen.add(t)
            raise ValueError(f"{what}: the vocabulary repeats {repeated[:5]}; give each token "
                             "once")
        for name, token in (("mask_token", self.mask_token), ("oov_token", self.oov_token)):
            if token is not None and token in tokens and (name == "mask_token" or self.invert):
                raise ValueError(f"{what}: the vocabulary holds the {name} {token!r}; leave the "
                                 "special tokens out (or put them first, in index order)")
        if self.max_tokens is not None and self._token_start() + len(tokens) > self.max_tokens:
            raise ValueError(f"{what}: the vocabulary ({len(tokens)} tokens + "
                             f"{self._token_start()} special) is larger than max_tokens="
                             f"{self.max_tokens}")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{what}: output_mode='tf_idf' needs idf_weights with the "
                                 "vocabulary")
            weights = np.asarray(idf_weights, dtype=np.float64).ravel()
            if len(weights) == len(tokens):  # the special slots get the mean weight, as Keras
                weights = np.concatenate([np.full(self._token_start(), weights.mean()), weights])
            if len(weights) != self._token_start() + len(tokens):
                raise ValueError(f"{what}: idf_weights has {len(weights)} values for "
                                 f"{len(tokens)} tokens")
            self.idf_weights = weights.tolist()
        self._tokens = tokens
        self._index = {t: i + self._token_start() for i, t in enumerate(tokens)}

    def adapt(self, data, steps=None):
        """Learn the vocabulary from ``data`` (an array, a PyDataset or batches): the tokens by
        decreasing frequency (ties: decreasing token), at most ``max_tokens`` in all."""
        what = type(self).__name__
        counts, documents, n_docs = {}, {}, 0
        for batch in adapt_batches(data, what, steps):
            values = self._convert(np.asarray(batch), what)
            for token, count in zip(*np.unique(values, return_counts=True)):
                counts[token.item()] = counts.get(token.item(), 0) + int(count)
            if self.output_mode == "tf_idf":
                rows = values.reshape(len(values), -1) if values.ndim > 1 else values[None]
                for row in rows:
                    for token in np.unique(row).tolist():
                        documents[token] = documents.get(token, 0) + 1
                n_docs += len(rows)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        if not counts:
            raise ValueError(f"{what}: adapt found no tokens")
        tokens = np.asarray(list(counts))
        order = np.lexsort((tokens, np.asarray(list(counts.values()))))[::-1]
        if self.max_tokens is not None:
            order = order[:self.max_tokens - self._token_start()]
        tokens = tokens[order].tolist()
        idf = None
        if self.output_mode == "tf_idf":
            idf = np.log(1 + n_docs / (1 + np.asarray([documents[t] for t in tokens])))
        self._tokens = None
        self.set_vocabulary(tokens, idf)

    # -- lookup -------------------------------------------------------------------------------
    def _oov_indices(self, values):
        """OOV slot of each value, as Keras picks it among several: integers by ``value %
        num_oov_indices`` ("floormod"), else the FarmHash (SipHash with a salt) of the value's
        string (integers in decimal)."""
        if self.kind == "integer" and self.oov_method == "floormod":
            return np.mod(values, self.num_oov_indices)
        strings = values.astype(str).tolist()
        if self.salt is None:
            hashed = [fingerprint64(v) % self.num_oov_indices for v in strings]
        else:
            hashed = [siphash24(v, self.salt) % self.num_oov_indices for v in strings]
        return np.asarray(hashed, dtype=np.int64)

    def call(self, inputs):
        what = f"{type(self).__name__} {self.name!r}"
        if self._tokens is None:
            raise ValueError(f"{what}: set a vocabulary (vocabulary=... or adapt()) first")
        if self.invert:
            return self.output(self._invert(self.host(inputs), what))
        values = self._convert(self.host(inputs), what)
        uniques, inverse = np.unique(values, return_inverse=True)
        found = np.asarray([self._index.get(u, -1) for u in uniques.tolist()], dtype=np.int64)
        indices = found[inverse].reshape(values.shape)
        missing = indices == -1
        masked = None
        if self.mask_token is not None:
            masked = values == self.mask_token
            indices[masked] = 0
            missing &= ~masked
        if missing.any():
            if self.num_oov_indices == 0:
                raise ValueError(f"{what}: {values[missing].ravel()[0].item()!r} is not in the "
                                 "vocabulary and num_oov_indices=0; set num_oov_indices=1")
            indices[missing] = self._oov_start() + self._oov_indices(values[missing])
        if self.output_mode == "int":
            return self.output(indices)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(indices, mode, depth, self.dtype, what, ignore=masked)
        if self.output_mode == "tf_idf":
            weights = np.zeros(depth)
            weights[:len(self.idf_weights)] = self.idf_weights
            out = (out * weights).astype(self.dtype)
        return self.output(out)

    def _invert(self, indices, what):
        indices = as_integers(indices, what)
        table = np.asarray(self.get_vocabulary(), dtype=object)
        bad = (indices < 0) | (indices >= len(table))
        out = table[np.where(bad, 0, indices)]
        out[bad] = self.oov_token
        if self.num_oov_indices:
            oov = (indices >= self._oov_start()) & (indices < self._token_start())
            out[oov] = self.oov_token
        return out.astype(str) if self.kind == "text" else out.astype(np.int64)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        return categorical_output_shape(input_shape, "count" if self.output_mode == "tf_idf"
                                        else self.output_mode, depth)

    def get_config(self):
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                "oov_token": self.oov_token, "vocabulary": self._tokens,
                "idf_weights": self.idf_weights, "invert": self.invert,
                "output_mode": self.output_mode, "sparse": self.sparse,
                "pad_to_max_tokens": self.pad_to_max_tokens, "oov_method": self.oov_method,
                "salt": self.salt}


@register_layer("StringLookup")
class StringLookup(IndexLookup):
    """Map strings to indices of a vocabulary (Keras's ``StringLookup``).

    Args:
        max_tokens: the largest vocabulary (special tokens included) ``adapt`` keeps.
        num_oov_indices: slots for unknown strings (several: a FarmHash of the string picks
            one, as Keras).
        salt: None, an int or a pair of ints: with several OOV slots, a SipHash keyed by it
            picks the slot instead of FarmHash.
        mask_token: a string mapped to 0 (and dropped from encodings), or None.
        oov_token: what ``invert=True`` returns for OOV indices.
        vocabulary: a list of strings, or None to :meth:`adapt`.
        idf_weights: with ``output_mode="tf_idf"``, the inverse document frequencies.
        invert: map indices back to strings.
        output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf".
        sparse: only False.
        pad_to_max_tokens: encode into ``max_tokens`` slots whatever the vocabulary size.
        encoding: the text encoding of bytes inputs (only "utf-8").
        **base: ``name``, ``dtype``, ``input_shape``, ...

    Example:
        >>> layer = StringLookup(vocabulary=["a", "b"])
        >>> layer(np.array([["a"], ["z"], ["b"]])).numpy().ravel().tolist()
        [1, 0, 2]
    """

    kind = "text"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", salt=None, **base):
        if encoding not in ("utf-8", "utf8"):
            raise ValueError(f"StringLookup: only encoding='utf-8' is supported, got "
                             f"{encoding!r}")
        for name, token in (("mask_token", mask_token), ("oov_token", oov_token)):
            if token is not None and not isinstance(token, str):
                raise TypeError(f"StringLookup: {name} must be a string or None, got {token!r}")
        self.encoding = "utf-8"
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens, "farmhash",
                         salt, **base)

    def _convert(self, array, owner):
        return as_text(array, owner)

    def get_config(self):
        config = {**super().get_config(), "encoding": self.encoding}
        del config["oov_method"]  # text is always hashed
        return config


@register_layer("IntegerLookup")
class IntegerLookup(IndexLookup):
    """Map integers to indices of a vocabulary (Keras's ``IntegerLookup``); arguments as
    :class:`StringLookup`, with integer tokens (``oov_token`` -1) and ``oov_method``: how
    unknown values spread over several OOV slots, "floormod" (``value % num_oov_indices``) or
    "farmhash" (the hash of the value's decimal string, keyed by ``salt`` when given).

    Example:
        >>> layer = IntegerLookup(vocabulary=[12, 36])
        >>> layer(np.array([12, 7, 36])).numpy().tolist()
        [1, 0, 2]
    """

    kind = "integer"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 output_mode="int", sparse=False, vocabulary=None, vocabulary_dtype="int64",
                 idf_weights=None, invert=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, **base):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(f"IntegerLookup: vocabulary_dtype must be 'int32' or 'int64', got "
                             f"{vocabulary_dtype!r}")
        for name, token in (("mask_token", mask_token), ("oov_token", oov_token)):
            if token is not None and (isinstance(token, bool) or not isinstance(
                    token, (int, np.integer))):
                raise TypeError(f"IntegerLookup: {name} must be an int or None, got {token!r}")
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(max_tokens, num_oov_indices, None if mask_token is None else
                         int(mask_token), None if oov_token is None else int(oov_token),
                         vocabulary, idf_weights, invert, output_mode, sparse,
                         pad_to_max_tokens, oov_method, salt, **base)

    def _convert(self, array, owner):
        return as_integers(array, owner)

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
