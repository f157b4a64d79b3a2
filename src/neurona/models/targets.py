"""Checking labels against the loss and the output layer before training starts."""

import numpy as np

from .arrays import _as_array, check_finite


def output_activation(model):
    """Name of the activation of the model's last layer, when it has a simple one."""
    layers = model.layers
    if not layers:
        return None
    last = layers[-1]
    name = getattr(last, "_activation_name", None)
    return name


def _fix(kind):
    return {
        "binary": "use binary_crossentropy with one sigmoid output unit for two classes",
        "sparse_categorical": "use sparse_categorical_crossentropy with integer labels 0..K-1 and a "
                              "softmax output of K units",
        "categorical": "use categorical_crossentropy with one-hot labels (keras.utils.to_categorical) "
                       "and a softmax output of K units",
    }[kind]


def prepare_targets(y, loss, output_shape, activation, loss_name):
    """y as an array shaped for ``loss`` against outputs of ``output_shape``; clear errors else."""
    y = _as_array(y, "y")
    if y.ndim == 0:
        raise ValueError("y must have one entry per sample, got a scalar")
    check_finite(y.astype(np.float64) if y.dtype.kind != "f" else y, "y")
    kind = getattr(loss, "label_kind", "any")
    units = output_shape[-1] if output_shape is not None and len(output_shape) > 1 else None
    if kind == "sparse_categorical":
        return _sparse_labels(y, units, activation, loss_name)
    if kind == "categorical":
        _check_categorical(y, units, activation, loss_name)
        return y.astype(np.float32) if y.dtype.kind != "f" else y
    if kind == "binary":
        y = _binary_labels(y, units, activation, loss_name)
    if output_shape is not None and y.ndim == len(output_shape) - 1 and output_shape[-1] == 1:
        y = y.reshape(-1, *([1] * (len(output_shape) - 1)))  # (N,) labels for an (N, 1) output
    y = y.astype(np.float32) if y.dtype.kind != "f" else y
    if output_shape is not None and y.shape[1:] != tuple(output_shape[1:]) and None not in output_shape[1:]:
        raise ValueError(
            f"y has samples of shape {y.shape[1:]} but the model outputs {tuple(output_shape[1:])} "
            f"per sample; the last layer's units must match the targets"
        )
    return y


def _sparse_labels(y, units, activation, loss_name):
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{loss_name} expects integer class labels of shape (n,), got y of shape "
                         f"{y.shape}; for one-hot labels use categorical_crossentropy")
    if units == 1:
        raise ValueError(f"{loss_name} with a 1-unit output cannot learn ({activation or 'linear'} "
                         f"over one class); {_fix('binary')}")
    if np.any(y != np.round(y)):
        raise ValueError(f"{loss_name} expects integer class labels; y holds non-integers such as "
                         f"{y[y != np.round(y)][0]!r}")
    low, high = int(y.min()), int(y.max())
    if low < 0 or (units is not None and high >= units):
        raise ValueError(
            f"Labels out of range for {loss_name}: y spans [{low}, {high}] but the output has "
            f"{units} units, so labels must be in [0, {units - 1}]. Make the last Dense layer "
            f"{high + 1} units wide, or re-encode the labels to 0..K-1"
        )
    return y.astype(np.int64)


def _check_categorical(y, units, activation, loss_name):
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and (units or 0) > 1):
        raise ValueError(f"{loss_name} expects one-hot labels of shape (n, {units}); y has shape "
                         f"{y.shape}. Use keras.utils.to_categorical(y) or sparse_categorical_crossentropy")
    if units == 1:
        raise ValueError(f"{loss_name} with a 1-unit output is always 0 and cannot learn; "
                         f"{_fix('binary')}")
    if units is not None and y.shape[-1] != units:
        raise ValueError(f"y has {y.shape[-1]} columns (classes) but the output has {units} units")
    if y.min() < 0 or y.max() > 1:
        raise ValueError(f"{loss_name} expects probabilities in [0, 1] (one-hot rows); y spans "
                         f"[{y.min()}, {y.max()}]")


def _binary_labels(y, units, activation, loss_name):
    if activation == "softmax" and units == 1:
        raise ValueError(f"A 1-unit softmax output always predicts 1.0, so {loss_name} cannot learn; "
                         f"use activation='sigmoid' on the last layer (or softmax with 2 units and "
                         f"sparse_categorical_crossentropy)")
    low, high = float(y.min()), float(y.max())
    if low < 0 or high > 1:
        hint = " (labels -1/1? map them to 0/1)" if low == -1 else ""
        raise ValueError(f"{loss_name} expects labels in [0, 1]; y spans [{low:g}, {high:g}]{hint}. "
                         f"For more than two classes {_fix('sparse_categorical')}")
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
