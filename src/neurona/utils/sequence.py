"""``pad_sequences``: variable-length sequences to one array (Keras's semantics)."""

import numpy as np

from ..validation import choice, integer

__all__ = ["pad_sequences"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (or truncate) each sequence to ``maxlen`` steps and stack them.

    Args:
        sequences: a list of sequences (lists or arrays; each step a scalar or an array of
            one shape shared by every sequence).
        maxlen: the output length; default the longest sequence.
        dtype: dtype of the result (``object`` or a string dtype for text).
        padding: "pre" (pad at the start) or "post" (at the end).
        truncating: "pre" (drop steps at the start of longer sequences) or "post".
        value: the padding value.

    Returns:
        A NumPy array ``(len(sequences), maxlen) + step shape``.

    Example:
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
        [[2, 3], [0, 4]]
        >>> pad_sequences([[1], [2, 3]], padding="post").tolist()
        [[1, 0], [2, 3]]
    """
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: sequences must be a list of sequences, got "
                         f"{type(sequences).__name__}")
    choice("pad_sequences", "padding", padding, ("pre", "post"))
    choice("pad_sequences", "truncating", truncating, ("pre", "post"))
    maxlen = integer("pad_sequences", "maxlen", maxlen, low=1, allow_none=True)
    lengths, step_shape = [], None
    for i, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise ValueError(f"pad_sequences: sequence {i} is not a list or array, got {seq!r}")
        lengths.append(len(seq))
        if step_shape is None and len(seq):
            step_shape = np.asarray(seq).shape[1:]
    step_shape = step_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    dtype = np.dtype(dtype)
    if isinstance(value, str) and dtype.kind not in "OUS":
        raise ValueError(f"pad_sequences: a text value {value!r} needs dtype=object or a string "
                         f"dtype, got dtype={dtype}")
    out = np.full((len(lengths), maxlen) + step_shape, value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq):
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != step_shape:
            raise ValueError(f"pad_sequences: the steps of sequence {i} have shape "
                             f"{kept.shape[1:]}, but earlier ones have {step_shape}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
