"""Targets made ready for the loss before training starts: checked against the loss and the
output layer (the rules of :mod:`~neurona.models.label_rules`), shaped, and class weights
turned into sample weights."""

import math
from collections.abc import Mapping

import numpy as np

from ..validation import is_integer, is_real
from .arrays import _as_array, check_finite, check_in_range
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
        check_in_range(y, "y")  # the loss computes in the model's dtype
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


def class_weight_to_sample_weight(class_weight, y, output):
    """Per-sample weights from a ``{class: weight}`` dict or ``"balanced"`` (scikit-learn's rule
    n_samples / (n_classes * count)) for the targets ``y`` of ``output`` (an
    :class:`~neurona.models.compile_utils.OutputSetup`). The dict is checked first: integer
    class keys the output can predict, finite weights >= 0, a classification loss."""
    kind = getattr(output.loss, "label_kind", "any")
    if kind == "regression":
        raise ValueError(f"fit: class_weight weighs classes, but the loss {output.loss_name!r} "
                         f"is a regression loss (its targets have no classes); pass "
                         f"sample_weight for one weight per row instead")
    classes = class_indices(y, kind)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"fit: class_weight must be a dict {{class: weight}} or 'balanced', "
                             f"got class_weight={class_weight!r}")
        present, counts = np.unique(classes, return_counts=True)
        table = {int(c): len(classes) / (len(present) * n) for c, n in zip(present, counts)}
    elif isinstance(class_weight, Mapping):
        table = _class_weight_table(class_weight, _class_count(y, kind, output), classes)
    else:
        raise ValueError(f"fit: class_weight must be a dict {{class: weight}} or 'balanced', "
                         f"got a {type(class_weight).__name__}")
    # one weight per distinct class present: memory bounded by the rows, never by a key's value
    present, position = np.unique(classes, return_inverse=True)
    per_class = np.array([table.get(int(c), 1.0) for c in present], dtype=np.float64)
    return per_class[position.reshape(-1)]  # classes missing from the dict weigh 1 (Keras)


def _class_count(y, kind, output):
    """How many classes ``output`` predicts, None where the loss does not say."""
    if kind == "binary":
        return 2
    if kind == "categorical" and y.ndim == 2:
        return y.shape[1]
    if kind == "sparse_categorical":
        return describe_output(output.info.layer, output.info.shape)[1]
    return None


def _class_weight_table(class_weight, n_classes, classes):
    """``{int class: float weight}`` from the user's dict, each entry checked; an entry is
    formatted alone into a message (the dict may be huge)."""
    known = (f"the classes are 0 to {n_classes - 1}" if n_classes is not None else
             f"the classes in y are {sorted(int(c) for c in np.unique(classes))[:20]}")
    table = {}
    for key, weight in class_weight.items():
        integral = is_integer(key) or (is_real(key) and float(key).is_integer())
        if not integral or key < 0:
            raise ValueError(f"fit: class_weight keys must be class indices (integers >= 0), "
                             f"got the key {key!r}; {known}")
        cls = int(key)
        if (cls >= n_classes) if n_classes is not None else cls not in classes:
            raise ValueError(f"fit: class_weight names class {cls}, which the model does not "
                             f"predict; {known}")
        if not is_real(weight) or not math.isfinite(weight) or weight < 0:
            raise ValueError(f"fit: class_weight weights must be finite numbers >= 0, got "
                             f"class_weight[{key!r}]={weight!r}; use e.g. 2.0 to count a class "
                             f"twice and 1.0 to leave it as it is")
        table[cls] = float(weight)
    return table
