"""Keras's ``keras.utils``: the helpers users call directly, ``PyDataset`` and the data set
builders (batches of NumPy arrays that ``fit`` takes), ``pad_sequences`` and ``plot_model``."""

import numpy as np

from ..random import set_random_seed
from ..validation import integer
from .array_dataset import ArrayDataset, split_dataset, timeseries_dataset_from_array
from .directory import image_dataset_from_directory, text_dataset_from_directory
from .image import array_to_img, img_to_array, load_img, save_img
from .plot_model import model_to_dot, plot_model
from .py_dataset import PyDataset, PyDatasetRunner, Sequence
from .sequence import pad_sequences

__all__ = ["set_random_seed", "to_categorical", "normalize", "PyDataset", "Sequence",
           "PyDatasetRunner", "ArrayDataset", "split_dataset", "timeseries_dataset_from_array",
           "image_dataset_from_directory", "text_dataset_from_directory", "pad_sequences",
           "plot_model", "model_to_dot", "load_img", "img_to_array", "array_to_img",
           "save_img"]


#: with num_classes inferred, labels may span at most this many classes per distinct label
#: (above it they are ids, not class indices, and the one-hot array would dwarf the data)
_MAX_CLASSES_PER_LABEL = 100


def _check_label_span(y, top):
    """Labels like {0, 10**9} would make a billion columns for two classes: an error naming
    the fix, before allocating."""
    distinct = len(np.unique(y)) if y.size else 0
    if top > max(1000, _MAX_CLASSES_PER_LABEL * distinct):
        raise ValueError(
            f"to_categorical: the largest label {top - 1} would make {top} classes for "
            f"{distinct} distinct labels; class labels must be 0..K-1: encode them first "
            f"(np.unique(y, return_inverse=True)[1], or layers.IntegerLookup), or pass "
            f"num_classes if there really are {top} classes")


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels (Keras's ``to_categorical``).

    Args:
        y: array-like of non-negative integer labels, any shape (a trailing axis of size 1 is
            dropped, as Keras does).
        num_classes: number of classes; default ``max(y) + 1``.
        dtype: dtype of the result.

    Returns:
        An array of shape ``y.shape + (num_classes,)``.

    Example:
        >>> to_categorical([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if y.size and (not np.all(np.isfinite(y)) or np.any(y != np.round(y)) or y.min() < 0):
        raise ValueError("to_categorical: y must hold non-negative integer class labels")
    y = y.astype(np.int64)
    top = int(y.max()) + 1 if y.size else 0
    num_classes = integer("to_categorical", "num_classes", num_classes, low=1, allow_none=True)
    if num_classes is None:
        _check_label_span(y, top)
    num_classes = top if num_classes is None else num_classes
    if top > num_classes:
        raise ValueError(
            f"to_categorical: label {top - 1} is out of range for num_classes={num_classes}; "
            f"labels must be in [0, {num_classes - 1}]"
        )
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(x)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)
