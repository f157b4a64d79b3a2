"""Hashing categories into a fixed number of bins: ``Hashing`` and ``HashedCrossing``, with
the bins Keras computes (its TensorFlow string hashes, written in
:mod:`~neurona.layers.fingerprint`)."""

import numpy as np

from .. import config
from ..validation import choice, integer
from .data_layer import (OUTPUT_MODES, DataLayer, as_integers, categorical_output_shape,
                         encode_categorical)
from .fingerprint import CROSS_HASH_KEY, MASK, fingerprint64, fingerprint_cat64, siphash24
from .layer import register_layer

__all__ = ["Hashing", "HashedCrossing"]


def _as_strings(values, owner):
    """Keras hashes every value as a string: text as it is, integers in decimal, floats
    truncated to integers first."""
    if values.dtype.kind == "U":
        return values
    if values.dtype.kind == "S":
        return np.char.decode(values, "utf-8")
    if values.dtype.kind == "O":
        if all(isinstance(v, str) for v in values.flat):
            return values.astype(str)
        if all(isinstance(v, bytes) for v in values.flat):
            return np.char.decode(values.astype(bytes), "utf-8")
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise ValueError(f"{owner}: cannot hash NaN or inf")
        values = np.trunc(values).astype(np.int64)
    if values.dtype.kind in "iub":
        return values.astype(np.int64).astype(str)
    raise TypeError(f"{owner}: expected strings or numbers, got dtype {values.dtype}")


def _salt(salt, owner):
    if salt is None:
        return None
    if isinstance(salt, (list, tuple)) and len(salt) == 2:
        pair = [integer(owner, "salt", v, low=0) for v in salt]
    else:
        value = integer(owner, "salt", salt, low=0)
        pair = [value, value]
    return pair


@register_layer("Hashing")
class Hashing(DataLayer):
    """Hash strings or integers into ``num_bins`` bins (Keras's ``Hashing``).

    Without ``salt`` a value goes to ``Fingerprint64(value) % num_bins`` (FarmHash, stable
    across platforms); with ``salt`` (an int or two ints) to ``SipHash-2-4(value) % num_bins``
    keyed by the salt. Numbers are hashed as their decimal strings (floats truncated first),
    as Keras does, so the bins equal Keras's.

    Args:
        num_bins: the number of bins (the mask bin included when ``mask_value`` is set).
        mask_value: a value sent to bin 0 (the others hash into 1..num_bins-1), or None.
        salt: None, an int or a pair of ints.
        output_mode: "int", "one_hot", "multi_hot" or "count".
        sparse: only False.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    Example:
        >>> Hashing(num_bins=3)(np.array([["A"], ["B"], ["C"], ["D"], ["E"]])).numpy().ravel().tolist()
        [1, 0, 1, 1, 2]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **base):
        choice("Hashing", "output_mode", output_mode, OUTPUT_MODES)
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported; use sparse=False")
        if base.get("dtype") is None:
            base["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**base)
        if output_mode == "int" and np.dtype(self.dtype).kind not in "iu":
            raise ValueError(f"Hashing: output_mode='int' needs an integer dtype, got "
                             f"dtype={self.dtype!r}")
        self.num_bins = integer("Hashing", "num_bins", num_bins, low=1)
        self.mask_value = mask_value
        self.salt = _salt(salt, "Hashing")
        self.output_mode, self.sparse = output_mode, False

    def _bins(self, values):
        owner = f"Hashing {self.name!r}"
        bins = self.num_bins - (1 if self.mask_value is not None and self.num_bins > 1 else 0)
        strings = _as_strings(values, owner)
        uniques, inverse = np.unique(strings, return_inverse=True)
        if self.salt is None:
            hashed = [fingerprint64(s) % bins for s in uniques.tolist()]
        else:
            hashed = [siphash24(s, self.salt) % bins for s in uniques.tolist()]
        out = np.asarray(hashed, dtype=np.int64)[inverse].reshape(values.shape)
        if bins != self.num_bins:
            out = np.where(values == self.mask_value, 0, out + 1)
        return out

    def call(self, inputs):
        values = self.host(inputs)
        if self.output_mode == "one_hot" and values.ndim > 1 and values.shape[-1] == 1:
            values = values[..., 0]
        return self.output(encode_categorical(self._bins(values), self.output_mode,
                                              self.num_bins, self.dtype,
                                              f"Hashing {self.name!r}"))

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


@register_layer("HashedCrossing")
class HashedCrossing(DataLayer):
    """Cross two or more scalar categorical features into ``num_bins`` bins (Keras's
    ``HashedCrossing``): the bin of ``(a, b)`` is TensorFlow's ``cross_hashed`` of the features
    (strings by their FarmHash fingerprint, integers by value), so it equals Keras's.

    Args:
        num_bins: the number of bins.
        output_mode: "int" or "one_hot".
        sparse: only False.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    Call it on a tuple or list of features, each of shape ``(batch,)`` or ``(batch, 1)``.

    Example:
        >>> layer = HashedCrossing(num_bins=5)
        >>> layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102]))).numpy().tolist()
        [1, 4, 1, 1, 3]
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, **base):
        choice("HashedCrossing", "output_mode", output_mode, ("int", "one_hot"))
        if sparse:
            raise ValueError("HashedCrossing: sparse=True is not supported; use sparse=False")
        if base.get("dtype") is None:
            base["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**base)
        self.num_bins = integer("HashedCrossing", "num_bins", num_bins, low=1)
        self.output_mode, self.sparse = output_mode, False

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"HashedCrossing {self.name!r} must be called on a list or tuple "
                             f"of at least two features, got {type(inputs).__name__}")
        return super().__call__(list(inputs), *args, **kwargs)

    def _feature_hashes(self, values, owner):
        if values.dtype.kind in "USO":
            strings = _as_strings(values, owner)
            uniques, inverse = np.unique(strings, return_inverse=True)
            return np.asarray([fingerprint64(s) for s in uniques.tolist()],
                              dtype=np.uint64)[inverse]
        # integers hash as their value; a model's float input carries them as whole floats
        return as_integers(values, owner).view(np.uint64)

    def call(self, inputs):
        owner = f"HashedCrossing {self.name!r}"
        features = [self.host(x) for x in inputs]
        shape = features[0].shape
        for i, f in enumerate(features):
            if f.shape != shape or (f.ndim == 2 and f.shape[1] != 1) or f.ndim > 2:
                raise ValueError(f"{owner}: every feature must have the shape (batch,) or "
                                 f"(batch, 1), the same for all; feature {i} has shape {f.shape} "
                                 f"and feature 0 {shape}")
        hashes = [self._feature_hashes(f.reshape(-1), owner).tolist() for f in features]
        crossed = []
        for row in zip(*hashes):
            value = CROSS_HASH_KEY
            for h in row:
                value = fingerprint_cat64(value, int(h) & MASK)
            crossed.append(value % self.num_bins)
        indices = np.asarray(crossed, dtype=np.int64).reshape(shape)
        return self.output(encode_categorical(indices, self.output_mode, self.num_bins,
                                              self.dtype, owner))

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(tuple(input_shape[0]), self.output_mode, self.num_bins)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "output_mode": self.output_mode, "sparse": self.sparse}
