"""What the preprocessing layers that work on raw features share: host arrays in and out,
the data ``adapt`` reads, and the categorical encodings (Keras's ``output_mode``).

Lookups, hashing and binning are not differentiable and run on the host (strings cannot live
on a GPU): a :class:`DataLayer` takes inputs as they come (text, integers, floats), computes
with NumPy and hands back a tensor of the active backend.
"""

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import get_ops
from .layer import Layer

__all__ = ["DataLayer", "encode_categorical", "adapt_batches", "OUTPUT_MODES"]

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


class DataLayer(Layer):
    """A layer computing on host arrays: inputs are neither cast nor moved to the device."""

    _keeps_integer_inputs = True

    def _to_tensor(self, x):
        if isinstance(x, Tensor):
            return x
        if hasattr(x, "to_numpy"):  # a pandas column
            x = x.to_numpy()
        array = np.asarray(x)
        if array.dtype.kind == "O" and array.size and all(isinstance(v, bytes) for v in
                                                          array.flat):
            array = array.astype(str)
        return Tensor(array)

    @staticmethod
    def host(inputs):
        """The input as a NumPy array (copied from the GPU under CuPy)."""
        data = inputs.data if isinstance(inputs, Tensor) else inputs
        return get_ops().to_numpy(data) if not isinstance(data, np.ndarray) else data

    @staticmethod
    def output(array):
        return Tensor(get_ops().asarray(array))


def as_text(array, owner):
    """``array`` as a NumPy unicode array (bytes decoded as UTF-8), or a TypeError."""
    if array.dtype.kind == "U":
        return array
    if array.dtype.kind == "S":
        return np.char.decode(array, "utf-8")
    if array.dtype.kind == "O" and all(isinstance(v, (str, bytes)) for v in array.flat):
        return np.asarray([v.decode("utf-8") if isinstance(v, bytes) else v for v in array.flat],
                          dtype=str).reshape(array.shape)
    raise TypeError(f"{owner}: expected text inputs (strings), got an array of dtype "
                    f"{array.dtype}; use IntegerLookup for integer categories")


def as_integers(array, owner):
    """``array`` as int64; floats must hold whole numbers (a model's float inputs carry
    integer categories that way)."""
    if array.dtype.kind in "iub":
        return array.astype(np.int64, copy=False)
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            bad = array[~np.isfinite(array) | (array != np.round(array))].ravel()[0]
            raise ValueError(f"{owner}: expected integer inputs, got the value {bad.item()!r}")
        return array.astype(np.int64)
    raise TypeError(f"{owner}: expected integer inputs, got an array of dtype {array.dtype}; "
                    "use StringLookup for text categories")


def encode_categorical(indices, output_mode, depth, dtype, owner, count_weights=None,
                       ignore=None):
    """Keras's encodings of integer ``indices`` in ``[0, depth)``.

    Args:
        indices: int array.
        output_mode: "int" (unchanged), "one_hot" (a trailing axis of size 1 is replaced by
            the encoding, else one is added), "multi_hot" or "count" (the last axis is the
            sample's values: ``shape[:-1] + (depth,)``; a 1-D input is one sample).
        depth: the number of categories.
        dtype: dtype of the result.
        owner: the layer, for messages.
        count_weights: weights added instead of 1 in "count" mode (same shape as indices).
        ignore: boolean mask of entries that encode to nothing (a lookup's mask token).

    Returns:
        The encoded NumPy array.
    """
    if output_mode == "int":
        return indices.astype(dtype)
    valid = np.ones(indices.shape, dtype=bool) if ignore is None else ~ignore
    outside = valid & ((indices < 0) | (indices >= depth))
    if outside.any():
        raise ValueError(f"{owner}: input values must be in [0, {depth}) (num_tokens={depth}), "
                         f"got {indices[outside].ravel()[0]}")
    if indices.ndim == 0:
        indices, valid = indices[None], valid[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices, valid = indices[..., 0], valid[..., 0]
        out = np.zeros(indices.shape + (depth,), dtype=dtype)
        np.put_along_axis(out, np.where(valid, indices, 0)[..., None], 1, axis=-1)
        return out * valid[..., None].astype(dtype)
    flat = indices.reshape(-1, indices.shape[-1])
    weights = (np.ones(flat.shape) if count_weights is None else
               np.broadcast_to(np.asarray(count_weights, dtype=np.float64),
                               indices.shape).reshape(flat.shape))
    weights = weights * valid.reshape(flat.shape)
    rows = np.repeat(np.arange(len(flat)), flat.shape[1])
    out = np.zeros((len(flat), depth), dtype=np.float64)
    np.add.at(out, (rows, np.where(valid.reshape(flat.shape), flat, 0).ravel()), weights.ravel())
    if output_mode == "multi_hot":
        out = (out > 0).astype(np.float64)
    return out.reshape(indices.shape[:-1] + (depth,)).astype(dtype)


def categorical_output_shape(input_shape, output_mode, depth):
    """The output shape :func:`encode_categorical` gives for ``input_shape``."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if not shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return shape[:-1] + (depth,)
        return shape + (depth,)
    return shape[:-1] + (depth,)


def adapt_batches(data, owner, steps=None, lists_are_batches=False):
    """The batches ``adapt`` reads from ``data``: one array (a NumPy array, tensor or pandas
    object), or each batch of a PyDataset, generator or other iterable (the ``x`` of ``(x, y)``
    batches). A list or tuple is one array of tokens for the lookups and, as Keras reads it
    for Normalization and Discretization (``lists_are_batches``), a sequence of batches."""
    from ..utils.py_dataset import PyDataset

    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or
                              steps < 1):
        raise ValueError(f"{owner}.adapt: steps must be a positive int, got steps={steps!r}")
    if isinstance(data, Tensor):
        return [DataLayer.host(data)]
    if isinstance(data, np.ndarray) or hasattr(data, "to_numpy") or (
            isinstance(data, (list, tuple)) and not lists_are_batches):
        if steps is not None:
            raise ValueError(f"{owner}.adapt: steps applies to a data set or generator, not to "
                             "an array")
        return [np.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)]
    if isinstance(data, PyDataset) or hasattr(data, "__iter__"):
        return _iterate(data, steps)
    raise TypeError(f"{owner}.adapt: expected an array, a PyDataset or an iterable of batches, "
                    f"got {type(data).__name__}")


def _iterate(data, steps):
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            return
        if isinstance(batch, tuple):
            batch = batch[0]
        yield DataLayer.host(batch) if isinstance(batch, Tensor) else np.asarray(batch)
