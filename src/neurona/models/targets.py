"""Targets made ready for the loss before training starts: checked against the loss and the
output layer (the rules of :mod:`~neurona.models.label_rules`), shaped, and class weights
turned into sample weights."""

import numpy as np

from .arrays import _as_array, check_finite
from .label_rules import LabelSetup, describe_output, first_error


def prepare_targets(y, output, check=True):
    """y as an array shaped for the loss of ``output`` (an
    :class:`~neurona.models.compile_utils.OutputSetup`); with ``check``, the first problem the
    rules of :mod:`~neurona.models.label_rules` find is a ValueError naming the fix."""
    y = _as_array(y, "y")
    if y.ndim == 0:
        raise ValueError("y must have one entry per sample, got a scalar")
    loss, shape = output.loss, output.info.shape
    kind = getattr(loss, "label_kind", "any")
    column = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    if check:
        check_finite(y.astype(np.float64) if y.dtype.kind != "f" else y, "y")
        activation, units = describe_output(output.info.layer, shape)
        error = first_error(LabelSetup(column.astype(np.float64, copy=False), kind,
                                       output.loss_name, bool(getattr(loss, "from_logits", False)),
                                       activation, units))
        if error is not None:
            raise ValueError(f"{error.message}; fix: {error.fix}")
    if kind == "sparse_categorical":
        return column.astype(np.int64)
    if kind == "categorical":
        return y.astype(np.float32) if y.dtype.kind != "f" else y
    if shape is not None and y.ndim == len(shape) - 1 and shape[-1] == 1:
        y = y.reshape(-1, *([1] * (len(shape) - 1)))  # (N,) labels for an (N, 1) output
    y = y.astype(np.float32) if y.dtype.kind != "f" else y
    if shape is not None and y.shape[1:] != tuple(shape[1:]) and None not in shape[1:]:
        raise ValueError(
            f"y has samples of shape {y.shape[1:]} but the model outputs {tuple(shape[1:])} "
            f"per sample; the last layer's units must match the targets"
        )
    return y


def class_indices(y, kind):
    """Class of each sample, for class weights."""
    if kind == "categorical" or (y.ndim == 2 and y.shape[1] > 1):
        return np.argmax(y, axis=1)
    return np.round(y.reshape(len(y))).astype(np.int64)


def class_weight_to_sample_weight(class_weight, y, kind):
    """Per-sample weights from a ``{class: weight}`` dict or ``"balanced"`` (scikit-learn's rule
    n_samples / (n_classes * count))."""
    classes = class_indices(y, kind)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be a dict or 'balanced', got {class_weight!r}")
        present, counts = np.unique(classes, return_counts=True)
        table = {int(c): len(classes) / (len(present) * n) for c, n in zip(present, counts)}
    elif isinstance(class_weight, dict):
        table = {}
        for key, value in class_weight.items():
            try:
                table[int(key)] = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"class_weight must map integer classes to numbers, got "
                                 f"{key!r}: {value!r}") from None
    else:
        raise ValueError(f"class_weight must be a dict or 'balanced', got {class_weight!r}")
    size = max(int(classes.max()) + 1, max(table) + 1 if table else 0)
    lookup = np.ones(size, dtype=np.float64)  # classes missing from the dict weigh 1 (Keras)
    for cls, weight in table.items():
        if cls < 0:
            raise ValueError(f"class_weight has a negative class {cls}")
        lookup[cls] = weight
    return lookup[classes]
