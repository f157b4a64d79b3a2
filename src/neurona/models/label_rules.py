"""One table of rules for labels, the output layer and the loss.

Both the trainer (which raises the first error before any step: :func:`first_error`) and the
doctor (which reports every finding, warnings too: :func:`label_findings`) read this table, so
a mistake is explained the same way wherever it is found. A rule looks at a
:class:`LabelSetup` and returns :class:`~neurona.models.doctor.Finding` objects (or none).
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Finding:
    """One problem: ``level`` ("error" or "warning"), a short ``code``, the ``message`` and
    the ``fix``."""

    level: str
    code: str
    message: str
    fix: str

    def __str__(self):
        return f"{self.level.upper()} [{self.code}] {self.message}\n    fix: {self.fix}"


@dataclass
class LabelSetup:
    """What the rules look at: the targets (float64; an (n, 1) column as (n,)), the loss's
    ``label_kind`` and name, whether it takes logits, and the last layer's activation and units
    (None where unknown)."""

    y: np.ndarray
    kind: str = None
    loss_name: str = None
    logits: bool = False
    activation: str = None
    units: int = None

    def __post_init__(self):
        y = self.y
        self.low, self.high = (float(y.min()), float(y.max())) if y.size else (0.0, 0.0)
        self.whole = bool(np.all(y == np.round(y)))


_SPARSE_FIX = ("for K classes use Dense(K, activation='softmax') with "
               "loss='sparse_categorical_crossentropy' and labels 0..K-1")
_BINARY_FIX = ("for two classes use Dense(1, activation='sigmoid') with "
               "loss='binary_crossentropy'")


def _error(code, message, fix):
    return [Finding("error", code, message, fix)]


def softmax_one_unit(s):
    if s.activation == "softmax" and s.units == 1:
        loss = f", so {s.loss_name} cannot learn" if s.loss_name else ""
        return _error("softmax_one_unit", f"A 1-unit softmax output always predicts 1.0{loss}",
                      f"use activation='sigmoid' on the last layer ({_BINARY_FIX}), or "
                      f"{_SPARSE_FIX}")
    return []


def labels_out_of_sigmoid_range(s):
    if s.activation == "sigmoid" and (s.low < 0 or s.high > 1) and s.kind not in (
            "sparse_categorical", "categorical", "binary"):
        return _error("labels_out_of_sigmoid_range", f"the output is a sigmoid (values in "
                      f"(0, 1)) but y spans [{s.low:g}, {s.high:g}]",
                      _SPARSE_FIX if s.whole and s.low >= 0 else
                      "use a linear output (Dense(1)) for real-valued targets")
    return []


def binary_labels(s):
    if s.kind != "binary":
        return []
    found = []
    if s.low < 0 or s.high > 1:
        hint = " (labels -1/1? map them to 0/1)" if s.low == -1 else ""
        found += _error("labels_out_of_range", f"{s.loss_name} expects labels in [0, 1]; y "
                        f"spans [{s.low:g}, {s.high:g}]{hint}",
                        _SPARSE_FIX if s.whole and s.low >= 0 else
                        "map the labels to 0/1 (TabularEncoder(target=...).transform_target)")
    if s.activation not in (None, "sigmoid", "softmax") and not s.logits:
        found += _error("missing_sigmoid", f"{s.loss_name} expects probabilities but the last "
                        f"layer's activation is {s.activation!r}", "use activation='sigmoid' on "
                        "the last layer (or the loss with from_logits=True)")
    return found


def sparse_labels(s):
    if s.kind != "sparse_categorical":
        return []
    y, units = s.y, s.units
    found = []
    if y.ndim == 2:
        found += _error("one_hot_with_sparse_loss", f"{s.loss_name} expects integer class "
                        f"labels of shape (n,), got y of shape {y.shape}", "for one-hot labels "
                        "use categorical_crossentropy, or y.argmax(axis=1) as labels")
    elif not s.whole or s.low < 0:
        found += _error("labels_not_classes", f"{s.loss_name} expects class indices 0..K-1 but "
                        f"y spans [{s.low:g}, {s.high:g}]{'' if s.whole else ' with fractions'}",
                        "label-encode the classes (TabularEncoder(target=...).transform_target)"
                        ", or use a regression loss for real targets")
    elif units == 1:
        found += _error("sparse_loss_one_unit", f"{s.loss_name} with a 1-unit output cannot "
                        "learn", f"{_BINARY_FIX}; otherwise {_SPARSE_FIX}")
    elif units is not None and s.high >= units:
        found += _error("labels_exceed_units", f"Labels out of range for {s.loss_name}: y spans "
                        f"[{int(s.low)}, {int(s.high)}] but the output has {units} units, so "
                        f"labels must be in [0, {units - 1}]", f"make the last layer "
                        f"Dense({int(s.high) + 1}, activation='softmax'), or re-encode the "
                        "labels to 0..K-1")
    if s.activation not in (None, "softmax") and not s.logits and units != 1:
        level = "error" if s.activation != "sigmoid" else "warning"
        found.append(Finding(level, "missing_softmax", f"{s.loss_name} expects a softmax "
                             f"distribution but the last layer's activation is "
                             f"{s.activation!r}", "use activation='softmax' on the last layer "
                             "(or the loss with from_logits=True)"))
    return found


def categorical_labels(s):
    if s.kind != "categorical":
        return []
    y, units = s.y, s.units
    if y.ndim == 1:
        return _error("labels_not_one_hot", f"{s.loss_name} expects one-hot rows of shape "
                      f"(n, {units or 'K'}) but y is 1-D labels", "use keras.utils."
                      "to_categorical(y), or loss='sparse_categorical_crossentropy'")
    if units == 1:
        return _error("categorical_one_unit", f"{s.loss_name} with a 1-unit output is always 0 "
                      "and cannot learn", _BINARY_FIX)
    if units is not None and y.shape[1] != units:
        return _error("labels_exceed_units", f"y has {y.shape[1]} one-hot columns but the "
                      f"output has {units} units", f"make the last layer Dense({y.shape[1]}, "
                      "activation='softmax')")
    if s.low < 0 or s.high > 1:
        return _error("labels_not_probabilities", f"{s.loss_name} expects probabilities in "
                      f"[0, 1] (one-hot rows); y spans [{s.low:g}, {s.high:g}]",
                      "use keras.utils.to_categorical(labels)")
    return []


def regression_targets(s):
    if s.kind != "regression":
        return []
    if s.activation in ("relu", "softplus") and s.low < 0:
        return _error("labels_out_of_range", f"the output activation {s.activation!r} cannot "
                      f"be negative but y goes down to {s.low:g}", "use a linear output "
                      "(Dense(1))")
    return []


def regression_loss_on_labels(s):
    """Only a warning: 0/1 targets under a regression loss."""
    y = s.y
    if s.kind == "regression" and y.ndim == 1 and s.whole and s.low == 0 and s.high == 1:
        return [Finding("warning", "regression_loss_on_labels", f"{s.loss_name} on 0/1 labels "
                        "treats a classification as a regression", "use Dense(1, activation="
                        "'sigmoid') with loss='binary_crossentropy' (and accuracy as the "
                        "metric)")]
    return []


#: every rule, in the order their findings are reported
RULES = (softmax_one_unit, labels_out_of_sigmoid_range, binary_labels, sparse_labels,
         categorical_labels, regression_targets, regression_loss_on_labels)
#: rules that can only warn: the trainer skips them
WARNING_RULES = (regression_loss_on_labels,)


def label_findings(setup):
    """Every finding of :data:`RULES` about ``setup``."""
    return [finding for rule in RULES for finding in rule(setup)]


def first_error(setup):
    """The first error-level finding about ``setup``, or None."""
    for rule in RULES:
        if rule in WARNING_RULES:
            continue
        for finding in rule(setup):
            if finding.level == "error":
                return finding
    return None


def output_layer(model):
    """(activation name, units) of the model's last layer, None where unknown."""
    if model is None or not getattr(model, "layers", None):
        return None, None
    try:
        shapes = model._output_shapes()
    except (AttributeError, TypeError, ValueError):  # a model not built yet
        shapes = None
    shape = shapes[0] if shapes and len(shapes) == 1 else None
    return describe_output(model.layers[-1], shape)


def describe_output(layer, shape):
    """(activation name, units) of an output made by ``layer`` (None for a subclassed model's
    output) with ``shape``, None where unknown."""
    activation = getattr(layer, "_activation_name", None)
    if activation is None and type(layer).__name__ == "Softmax":
        activation = "softmax"
    elif activation is None and hasattr(layer, "activation"):
        from .. import activations
        try:
            activation = activations.serialize(layer.activation)
        except (TypeError, ValueError):
            activation = None
    units = getattr(layer, "units", None)
    if shape is not None and len(shape) >= 2:
        units = shape[-1]
    return activation, units
