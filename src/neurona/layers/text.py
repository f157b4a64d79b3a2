"""``TextVectorization``: raw strings to token indices or bag-of-words vectors, inside a model.

Keras 3's layer, without TensorFlow: the text is processed on the host in Python with the same
rules as TensorFlow's string ops (ASCII lowercasing, the ASCII punctuation class, splitting on
ASCII whitespace, ngrams joined by a space), and the vocabulary is ordered as Keras orders it
(by count, ties by the token, both descending). The vocabulary and the IDF weights are part of
the layer's config (JSON lists), so a saved model holds them as data and takes raw strings
after loading.
"""

import collections
import math
import numbers
import os
import re
import string

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, choice, integer
from .layer import Layer, register_layer

__all__ = ["TextVectorization"]

#: TensorFlow's ``strings.regex_replace`` pattern Keras strips punctuation with
STRIP_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
#: ``tf.strings.lower`` without an encoding lowercases ASCII letters only
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
#: ``tf.strings.split`` splits on runs of ASCII whitespace
_WHITESPACE = re.compile(r"[ \t\n\r\x0b\x0c]+")
MASK_TOKEN, OOV_TOKEN = "", "[UNK]"
_MODES = ("int", "multi_hot", "count", "tf_idf")
_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}


def _text_array(data, what):
    """A NumPy unicode array from strings (a list, an array, bytes decoded as UTF-8)."""
    raw = data.data if isinstance(data, Tensor) else data
    ops = get_ops()
    arr = ops.to_numpy(raw) if ops.is_array(raw) else np.asarray(raw)
    if arr.dtype.kind == "S":
        return np.char.decode(arr, "utf-8")
    if arr.dtype.kind == "U":
        return arr
    if arr.dtype == object and all(isinstance(v, (str, bytes)) for v in arr.flat):
        return np.array([v.decode("utf-8") if isinstance(v, bytes) else v for v in arr.flat],
                        dtype=str).reshape(arr.shape)
    raise TypeError(f"{what} takes strings, got an array of dtype {arr.dtype}; pass text (a "
                    "list or array of str), e.g. through Input(shape=(1,), dtype='string')")


@register_layer("TextVectorization")
class TextVectorization(Layer):
    """Map strings to sequences of token indices (``output_mode="int"``) or to vocabulary-sized
    vectors (``"multi_hot"``, ``"count"``, ``"tf_idf"``), learning the vocabulary with
    :meth:`adapt` (Keras 3's ``TextVectorization``).

    Each string is standardized, split into tokens, optionally combined into ngrams, and each
    token is looked up: in "int" mode index 0 is padding and 1 the out-of-vocabulary token
    "[UNK]"; in the other modes index 0 is "[UNK]".

    Args:
        max_tokens: the vocabulary's largest size, special tokens included (None: no limit).
        standardize: "lower_and_strip_punctuation" (default), "lower", "strip_punctuation",
            None, or a callable taking a NumPy array of strings and returning one.
        split: "whitespace" (default), "character", None (each string is one token), or a
            callable taking a 1-D array of strings and returning one sequence of tokens each.
        ngrams: None, an int n (ngrams of 1 to n tokens) or a tuple of ngram sizes.
        output_mode: "int", "multi_hot", "count" or "tf_idf".
        output_sequence_length: "int" mode: pad with 0 or cut every sequence to this length
            (default: the longest sequence of the batch).
        pad_to_max_tokens: vector modes: the vectors have ``max_tokens`` entries even when the
            vocabulary is smaller.
        vocabulary: a list of tokens (or a path to a file of one token per line) instead of
            :meth:`adapt`.
        idf_weights: "tf_idf" mode with ``vocabulary``: one weight per token.
        sparse, ragged: accepted as False only (neurona has no sparse or ragged tensors).
        encoding: "utf-8" (the only encoding of bytes input).
        **base: ``name``, ``trainable``, ``dtype`` (of the vector modes' output).

    Example:
        >>> layer = TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "The dog!"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> layer(np.array(["the bird sat"])).tolist()
        [[2, 1, 3, 0]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", has_input_vocabulary=None,
                 vocabulary_size=None, **base):
        super().__init__(**base)
        owner = "TextVectorization"
        self.max_tokens = integer(owner, "max_tokens", max_tokens, low=1, allow_none=True)
        if not callable(standardize):
            choice(owner, "standardize", standardize,
                   (None, "lower_and_strip_punctuation", "lower", "strip_punctuation"))
        if not callable(split):
            choice(owner, "split", split, (None, "whitespace", "character"))
        self.standardize, self.split = standardize, split
        self.ngrams = ngrams
        self._widths = self._check_ngrams(ngrams)
        output_mode = _ALIASES.get(output_mode, output_mode)
        self.output_mode = choice(owner, "output_mode", output_mode, _MODES)
        self.output_sequence_length = integer(owner, "output_sequence_length",
                                              output_sequence_length, low=1, allow_none=True)
        if self.output_mode != "int" and output_sequence_length is not None:
            raise ValueError("TextVectorization: output_sequence_length applies to "
                             f"output_mode='int' only, got output_mode={self.output_mode!r}")
        self.pad_to_max_tokens = boolean(owner, "pad_to_max_tokens", pad_to_max_tokens)
        if self.pad_to_max_tokens and self.max_tokens is None and self.output_mode != "int":
            raise ValueError("TextVectorization: pad_to_max_tokens=True needs max_tokens")
        for arg, value in (("sparse", sparse), ("ragged", ragged)):
            if boolean(owner, arg, value):
                raise ValueError(f"TextVectorization: {arg}=True is not available (neurona "
                                 f"has no {arg} tensors); leave {arg}=False")
        if encoding.replace("-", "").lower() != "utf8":
            raise ValueError(f"TextVectorization: encoding must be 'utf-8', got {encoding!r}")
        self.encoding = "utf-8"
        self._vocabulary, self._index, self.idf_weights = None, {}, None
        self._has_input_vocabulary = (vocabulary is not None if has_input_vocabulary is None
                                      else bool(has_input_vocabulary))
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
            if vocabulary_size is not None and vocabulary_size != self.vocabulary_size():
                raise ValueError(f"TextVectorization: vocabulary_size={vocabulary_size} does "
                                 f"not match the vocabulary's {self.vocabulary_size()} entries")
        elif idf_weights is not None:
            raise ValueError("TextVectorization: idf_weights needs a vocabulary")
        self.built = True

    @staticmethod
    def _check_ngrams(ngrams):
        if ngrams is None:
            return None
        if isinstance(ngrams, numbers.Integral) and not isinstance(ngrams, bool) and ngrams >= 1:
            return tuple(range(1, int(ngrams) + 1))
        if isinstance(ngrams, (tuple, list)) and ngrams and all(
                isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1
                for n in ngrams):
            return tuple(int(n) for n in ngrams)
        raise ValueError(f"TextVectorization: ngrams must be None, an int >= 1 or a tuple of "
                         f"them, got ngrams={ngrams!r}")

    # -- vocabulary -----------------------------------------------------------------------
    def _special_tokens(self):
        return [MASK_TOKEN, OOV_TOKEN] if self.output_mode == "int" else [OOV_TOKEN]

    def get_vocabulary(self, include_special_tokens=True):
        """The tokens, in index order (with the padding and "[UNK]" tokens first unless
        ``include_special_tokens=False``)."""
        tokens = list(self._vocabulary or [])
        return self._special_tokens() + tokens if include_special_tokens else tokens

    def vocabulary_size(self):
        """The number of indices, special tokens included."""
        return len(self._special_tokens()) + len(self._vocabulary or [])

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use ``vocabulary`` (a list of tokens, or a path to a file of one token per line; it
        may start with the special tokens) and, in "tf_idf" mode, its ``idf_weights``."""
        if isinstance(vocabulary, (str, os.PathLike)):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        tokens = [str(t) for t in (vocabulary.tolist() if isinstance(vocabulary, np.ndarray)
                                   else vocabulary)]
        if not tokens:
            raise ValueError("TextVectorization: the vocabulary is empty")
        special = self._special_tokens()
        found_special = tokens[:len(special)] == special
        if found_special:
            tokens = tokens[len(special):]
        repeated = sorted(t for t, n in collections.Counter(tokens).items() if n > 1)
        if repeated:
            raise ValueError(f"TextVectorization: the vocabulary repeats {repeated[:10]}; "
                             "each token must appear once")
        misplaced = [t for t in special if t in tokens]
        if misplaced:
            raise ValueError(f"TextVectorization: the reserved token(s) {misplaced} may only "
                             f"open the vocabulary, in this order: {special}")
        size = len(special) + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"TextVectorization: the vocabulary has {size} entries (special "
                             f"tokens included), more than max_tokens={self.max_tokens}")
        weights = None
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("TextVectorization: output_mode='tf_idf' needs idf_weights "
                                 "with a vocabulary")
            weights = np.asarray(idf_weights, dtype=np.float64).reshape(-1)
            expected = len(tokens) + (len(special) if found_special else 0)
            if weights.size != expected:
                raise ValueError(f"TextVectorization: idf_weights has {weights.size} entries "
                                 f"for a vocabulary of {expected}")
            if not found_special:  # the OOV token's weight: the average, as Keras
                weights = np.concatenate([[weights.mean()], weights])
        elif idf_weights is not None:
            raise ValueError("TextVectorization: idf_weights applies to output_mode='tf_idf' "
                             "only")
        self._install(tokens, weights)

    def _install(self, tokens, idf):
        self._vocabulary = tokens
        start = len(self._special_tokens())
        self._index = {t: i + start for i, t in enumerate(tokens)}
        if idf is not None:
            idf = np.asarray(idf, dtype=self.dtype)
            if self.pad_to_max_tokens:
                idf = np.concatenate([idf, np.zeros(self.max_tokens - idf.size, self.dtype)])
        self.idf_weights = idf

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and the IDF weights in "tf_idf" mode) from ``data``: a list or
        array of strings, or an iterable of such batches (at most ``steps`` of them).

        Example:
            >>> layer = TextVectorization(max_tokens=3)
            >>> layer.adapt(np.array(["a b b", "b c"]))
            >>> layer.get_vocabulary()
            ['', '[UNK]', 'b']
        """
        if self._has_input_vocabulary:
            raise ValueError(f"TextVectorization {self.name!r} was given a vocabulary; it "
                             "cannot also adapt (create a layer without vocabulary=)")
        if batch_size is not None:
            integer("TextVectorization.adapt", "batch_size", batch_size, low=1)
        steps = integer("TextVectorization.adapt", "steps", steps, low=1, allow_none=True)
        if isinstance(data, (list, tuple, np.ndarray, Tensor, str)):
            batches = [[data] if isinstance(data, str) else data]
        else:
            batches = data
        counts, documents, n_docs = collections.Counter(), collections.Counter(), 0
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            for tokens in self._tokenize(_text_array(batch, "TextVectorization.adapt")):
                counts.update(tokens)
                if self.output_mode == "tf_idf":
                    documents.update(set(tokens))
                    n_docs += 1
        for special in (MASK_TOKEN, OOV_TOKEN):
            counts.pop(special, None)
        # Keras's order: by count, ties by the token, both descending
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:max(self.max_tokens - len(self._special_tokens()), 0)]
        tokens = [t for t, _ in ranked]
        idf = None
        if self.output_mode == "tf_idf":
            token_idf = np.array([math.log(1 + n_docs / (1 + documents[t])) for t in tokens],
                                 dtype=self.dtype)
            oov = token_idf.mean(dtype=self.dtype) if token_idf.size else 0.0
            idf = np.concatenate([np.array([oov], dtype=self.dtype), token_idf])
        self._install(tokens, idf)

    # -- processing -----------------------------------------------------------------------
    def _standardized(self, texts):
        mode = self.standardize
        if callable(mode):
            out = np.asarray(mode(texts))
            return _text_array(out, "TextVectorization's standardize callable")
        if mode is None:
            return texts
        flat = texts.reshape(-1).tolist()
        if mode in ("lower", "lower_and_strip_punctuation"):
            flat = [s.translate(_ASCII_LOWER) for s in flat]
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [STRIP_PUNCTUATION.sub("", s) for s in flat]
        return np.array(flat, dtype=str).reshape(texts.shape) if flat else texts

    def _tokenize(self, texts):
        """One list of tokens per string (per row without split)."""
        texts = self._standardized(texts)
        if self.split is None:
            rows = texts.reshape(texts.shape[0], -1).tolist() if texts.ndim else [[str(texts)]]
        else:
            if texts.ndim > 1:
                if texts.shape[-1] != 1:
                    raise ValueError(f"TextVectorization {self.name!r} splits strings, so its "
                                     f"input must be (batch,) or (batch, 1), got shape "
                                     f"{texts.shape}")
                texts = texts.reshape(texts.shape[:-1])
            flat = texts.reshape(-1)
            if callable(self.split):
                rows = [[str(t) for t in row] for row in self.split(flat)]
            elif self.split == "whitespace":
                rows = [[t for t in _WHITESPACE.split(s) if t] for s in flat.tolist()]
            else:
                rows = [list(s) for s in flat.tolist()]
        if self._widths is not None:
            rows = [[" ".join(row[i:i + w]) for w in self._widths
                     for i in range(len(row) - w + 1)] for row in rows]
        return rows

    def call(self, inputs):
        texts = _text_array(inputs, f"TextVectorization {self.name!r}")
        if self._vocabulary is None:
            raise RuntimeError(f"TextVectorization {self.name!r} has no vocabulary: call "
                               "adapt(texts) or pass vocabulary= before using it")
        rows = self._tokenize(texts)
        index = self._index
        if self.output_mode == "int":
            lookups = [[index.get(t, 1) for t in row] for row in rows]
            if self.split is None and self.output_sequence_length is None:
                out = np.array(lookups, dtype=np.int64).reshape(texts.shape if texts.ndim > 1
                                                                else (len(rows), 1))
                return Tensor(get_ops().asarray(out))
            length = self.output_sequence_length
            if length is None:
                length = max((len(r) for r in lookups), default=0)
            out = np.zeros((len(lookups), length), dtype=np.int64)
            for i, row in enumerate(lookups):
                row = row[:length]
                out[i, :len(row)] = row
            return Tensor(get_ops().asarray(out))
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        out = np.zeros((len(rows), depth), dtype=self.dtype)
        for i, row in enumerate(rows):
            ids = np.fromiter((index.get(t, 0) for t in row), dtype=np.int64, count=len(row))
            if self.output_mode == "multi_hot":
                out[i, ids] = 1
            else:
                np.add.at(out[i], ids, 1)
        if self.output_mode == "tf_idf":
            out *= self.idf_weights[:depth]
        return Tensor(get_ops().asarray(out))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        depth = self.max_tokens if self.pad_to_max_tokens else \
            (self.vocabulary_size() if self._vocabulary is not None else None)
        return (input_shape[0], depth)

    def get_config(self):
        for arg in ("standardize", "split"):
            if callable(getattr(self, arg)):
                raise ValueError(f"Cannot save TextVectorization {self.name!r}: its {arg} is a "
                                 "Python function, and a model file holds no code; use one of "
                                 "the named modes, or save only the weights")
        config = {**super().get_config(), "max_tokens": self.max_tokens,
                  "standardize": self.standardize, "split": self.split,
                  "ngrams": list(self.ngrams) if isinstance(self.ngrams, (list, tuple))
                  else self.ngrams,
                  "output_mode": self.output_mode,
                  "output_sequence_length": self.output_sequence_length,
                  "pad_to_max_tokens": self.pad_to_max_tokens, "encoding": self.encoding,
                  "has_input_vocabulary": self._has_input_vocabulary,
                  "vocabulary": None if self._vocabulary is None else list(self._vocabulary),
                  "idf_weights": None}
        if self.idf_weights is not None:
            # every weight of the vocabulary, the OOV token's first: floats survive JSON exactly
            size = self.vocabulary_size()
            config["vocabulary"] = self.get_vocabulary(include_special_tokens=True)
            config["idf_weights"] = [float(w) for w in self.idf_weights[:size]]
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)
