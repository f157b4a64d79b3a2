"""A check-up of a training setup before the first epoch: data, labels, output layer and loss.

:func:`check_training_setup` looks for the mistakes the course warns about and returns
:class:`Finding` objects: an ``"error"`` where training would be wrong (a sigmoid asked to
reach labels up to 9, a 1-unit softmax, non-finite inputs), a ``"warning"`` where it would work
badly (unscaled inputs, class imbalance, MSE on 0/1 labels, a validation split that takes sorted
rows). Each finding says what was seen and how to fix it; :func:`format_findings` prints them.

Thresholds: a feature is "unscaled" when its mean is beyond +-3, its standard deviation above
3, or every one of its values is below 0.001 in size (constant columns aside; a mostly-zero
column such as an edge pixel of MNIST has a tiny deviation but is on the same scale as the
rest); images when pixel values exceed 5. A class is a
minority when it holds less than 0.4/K of the rows for K classes (20% for two). A validation
split "differs" when the class proportions of the last rows and of the rest are more than 0.2
apart (total variation), or, for real targets, when their means are more than half a standard
deviation apart.
"""

import contextlib
import warnings

import numpy as np

from .arrays import split_shift_message, validation_count
from .label_rules import Finding, LabelSetup, label_findings, output_layer

LEVELS = ("error", "warning")

#: fit looks at no more than this many input values (a sample of rows) for its scale check
FIT_SAMPLE_VALUES = 1_000_000


class TrainingSetupWarning(UserWarning):
    """A problem in a training setup that makes training work badly (see :func:`check_fit`)."""


def check_training_setup(x, y=None, model=None, loss=None, validation_split=0.0,
                         class_weight=None, scale_rows=None, class_names=None):
    """Findings about training ``model`` on ``(x, y)`` with ``loss`` — before spending epochs.

    Args:
        x: the inputs: an array (rows first) or a pandas DataFrame.
        y: the targets (optional): labels, one-hot rows or real values.
        model: a neurona model (optional); its last layer's activation and units are checked.
        loss: a loss name or instance (optional); defaults to the compiled model's loss.
        validation_split: the fraction ``fit`` will take from the END of the rows.
        class_weight: the ``class_weight`` (or row weights) ``fit`` will use: with weights,
            an imbalance is taken as handled.
        scale_rows: a slice or index of the rows the scale check looks at (default: all).
        class_names: the name of each class index 0..K-1 (e.g. an encoder's classes), so the
            findings name the user's classes ("'Yes'") rather than their indices.

    Returns:
        A list of :class:`Finding`, errors first; empty when nothing looks wrong.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(50.0, 20.0, size=(100, 3))
        >>> y = np.array([0] * 90 + [1] * 10)
        >>> [f.code for f in check_training_setup(x, y, loss="mse")]
        ['unscaled_inputs', 'regression_loss_on_labels', 'class_imbalance']
    """
    from .. import losses

    findings = []
    x_arr, names = _inputs(x, findings, scale_rows)
    y_arr = None if y is None else _targets(y, findings)
    if loss is None and model is not None:
        loss = getattr(model, "loss", None)
    loss_obj = losses.get(loss) if loss is not None else None
    loss_name = loss if isinstance(loss, str) else getattr(loss_obj, "name", None)
    activation, units = output_layer(model)
    if x_arr is not None:
        findings += _scale(x_arr, names, model)
    if y_arr is not None:
        findings += label_findings(LabelSetup(
            y_arr, getattr(loss_obj, "label_kind", None), loss_name,
            bool(getattr(loss_obj, "from_logits", False)), activation, units))
        classes = _class_labels(y_arr, getattr(loss_obj, "label_kind", None), activation)
        if classes is not None and class_weight is None:
            findings += _imbalance(classes, class_names)
        if validation_split:
            findings += _sorted_split(y_arr, classes, validation_split)
    return sorted(findings, key=lambda f: LEVELS.index(f.level))


def check_fit(model, x, y, validation_split=0.0, class_weight=None):
    """The doctor as ``fit`` runs it, on the data it was given, before any work.

    Raises a ValueError naming the first error's problem and fix; warns each warning (a
    :class:`TrainingSetupWarning`) once per model. Only single-input arrays are looked at; the
    scale check uses an evenly spaced sample of rows so large data sets cost no copy.
    """
    if not isinstance(x, np.ndarray) or y is None or len(x) == 0:
        return
    if x.dtype.kind == "U":  # text for a string input (check_input_shapes let only those pass)
        return
    step = max(1, -(-x.size // FIT_SAMPLE_VALUES))
    findings = check_training_setup(x, y, model=model, validation_split=validation_split,
                                    class_weight=class_weight, scale_rows=slice(None, None, step))
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise ValueError(f"{errors[0].message}; fix: {errors[0].fix}")
    warned = model.__dict__.setdefault("_setup_warnings", set())
    for finding in findings:
        if finding.code not in warned:
            warned.add(finding.code)
            warnings.warn(f"{finding.message}; fix: {finding.fix}", TrainingSetupWarning,
                          stacklevel=3)


@contextlib.contextmanager
def quiet():
    """No :class:`TrainingSetupWarning` inside the block: for callers that report the findings
    their own way (the command line, the tuner's probe) or fit many times (searches)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingSetupWarning)
        yield


def format_findings(findings):
    """The findings as text, one block each (``"No problems found."`` when empty)."""
    if not findings:
        return "No problems found."
    errors = sum(f.level == "error" for f in findings)
    head = f"{errors} error(s), {len(findings) - errors} warning(s):"
    return "\n".join([head] + [str(f) for f in findings])


# -- inputs and targets -------------------------------------------------------------------------
def _inputs(x, findings, rows=None):
    names = None
    if hasattr(x, "columns") and hasattr(x, "select_dtypes"):  # a DataFrame
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        text = [c for c in x.columns if not (is_numeric_dtype(x[c]) or is_bool_dtype(x[c]))]
        if text:
            findings.append(Finding("error", "text_inputs",
                                    f"x has non-numeric columns {text[:5]}",
                                    "encode them first: neurona.data.TabularEncoder (one-hot, "
                                    "fitted on the training rows)"))
            return None, None
        names = [str(c) for c in x.columns]
    arr = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x)
    if arr.dtype.kind not in "biuf":
        findings.append(Finding("error", "text_inputs", f"x is not numeric (dtype {arr.dtype})",
                                "encode text columns (neurona.data.TabularEncoder) or convert "
                                "with astype(float)"))
        return None, None
    if rows is not None:
        arr = arr[rows]
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0]
        findings.append(Finding("error", "non_finite_inputs",
                                f"x holds {int(bad.sum())} NaN/inf value(s) (first at row "
                                f"{where[0]}{f', column {where[1]}' if len(where) > 1 else ''})",
                                "impute or drop them (TabularEncoder imputes the training mean)"))
        return None, None
    return arr, names


def _targets(y, findings):
    arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if arr.dtype.kind not in "biuf":
        findings.append(Finding("error", "text_labels", f"y holds non-numeric labels such as "
                                f"{arr.reshape(-1)[0]!r}", "label-encode them to 0..K-1: "
                                "TabularEncoder(target=...).transform_target"))
        return None
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        findings.append(Finding("error", "non_finite_labels",
                                f"y holds {int((~np.isfinite(arr)).sum())} NaN/inf value(s)",
                                "drop those rows before training"))
        return None
    return arr[:, 0] if arr.ndim == 2 and arr.shape[1] == 1 else arr


# -- the checks ---------------------------------------------------------------------------------
def _scale(x, names, model):
    if model is not None and model.layers and type(_first_layer(model)).__name__ in (
            "BatchNormalization", "Normalization", "Rescaling", "LayerNormalization"):
        return []
    first = _first_layer(model) if model is not None and model.layers else None
    if first is not None and any(getattr(layer, "_keeps_integer_inputs", False)
                                 for layer in first._flatten_layers()):
        return []  # indices into an Embedding (maybe inside a user's layer): no scale
    if x.ndim >= 3:  # images or sequences: one scale for all values
        high = float(np.abs(x).max()) if x.size else 0.0
        if high > 5:
            return [Finding("warning", "unscaled_inputs",
                            f"input values reach {high:g} (pixels 0-255?)",
                            "divide by the maximum (x / 255.0) or make "
                            "layers.Rescaling(1/255) the first layer")]
        return []
    x = x.reshape(len(x), -1)
    mean, std = x.mean(axis=0), x.std(axis=0)
    tiny = np.abs(x).max(axis=0) < 1e-3
    off = (std > 0) & ((np.abs(mean) > 3) | (std > 3) | tiny)
    if not off.any():
        return []
    worst = int(np.argmax(np.where(off, np.abs(mean) + std, -1)))
    name = names[worst] if names else f"column {worst}"
    return [Finding("warning", "unscaled_inputs",
                    f"{int(off.sum())} of {x.shape[1]} input features are far from mean 0 / std 1 "
                    f"(e.g. {name}: mean {mean[worst]:.4g}, std {std[worst]:.4g}); gradient "
                    f"descent on unscaled inputs is slow and unstable",
                    "standardize with statistics of the training rows (neurona.data."
                    "TabularEncoder, or (x - mean) / std) or make layers.BatchNormalization() "
                    "the first layer")]


def _first_layer(model):
    for layer in model.layers:
        if type(layer).__name__ != "InputLayer":
            return layer
    return None


def _class_labels(y, kind, activation):
    """Class index per row when the setup is a classification, else None."""
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1) if kind in (None, "categorical", "any") else None
    if kind in ("binary", "sparse_categorical") or (
            kind in (None, "any") and activation in ("sigmoid", "softmax")):
        return np.round(y).astype(np.int64)
    if kind is None and activation is None:  # nothing told: whole numbers 0..K-1, K small
        values = np.unique(y)
        if np.all(values == np.round(values)) and 2 <= len(values) <= 20 and values.min() >= 0:
            return y.astype(np.int64)
    if kind == "regression" and set(np.unique(y).tolist()) <= {0.0, 1.0}:
        return y.astype(np.int64)  # 0/1 labels under a regression loss: still a class balance
    return None


def _imbalance(classes, names=None):
    values, counts = np.unique(classes, return_counts=True)
    if len(values) < 2:
        return []
    share = counts / counts.sum()
    if share.min() >= 0.4 / len(values):
        return []
    rare = int(np.argmin(share))
    value = values[rare]
    named = repr(str(names[int(value)])) if names is not None and 0 <= value < len(names) \
        else f"class {value}"
    return [Finding("warning", "class_imbalance",
                    f"{named} is only {share[rare]:.1%} of the rows ({counts[rare]:,} "
                    f"of {counts.sum():,}); a model can score well by ignoring it",
                    "pass class_weight='balanced' to fit, stratify the splits "
                    "(train_val_test_split(..., stratify=y)) and judge by precision/recall or "
                    "AUC rather than accuracy")]


def validation_split_findings(y, validation_split, classes=None):
    """Findings about Keras's ``validation_split`` (the LAST rows, before shuffling) on targets
    ``y``: a warning when that slice's labels or target values differ markedly from the rest.

    Args:
        y: the targets, in the order ``fit`` will see them.
        validation_split: the fraction ``fit`` takes from the end.
        classes: the class of each row for classification (None for regression).
    """
    y = np.asarray(y)
    return _sorted_split(y, None if classes is None else np.asarray(classes), validation_split)


def _sorted_split(y, classes, validation_split):
    if not 0.0 < validation_split < 1.0:
        return [Finding("error", "bad_validation_split", f"validation_split={validation_split!r} "
                        f"is outside (0, 1)", "use a fraction such as 0.2")]
    try:
        n_val = validation_count(len(y), validation_split)
    except ValueError:
        return [Finding("error", "bad_validation_split", f"validation_split={validation_split} "
                        f"leaves an empty training or validation set with {len(y)} rows",
                        "use another fraction or more data")]
    fix = ("shuffle the rows before fit (validation_split takes the LAST rows, before any "
           "shuffling): idx = np.random.default_rng(0).permutation(len(x)); x, y = x[idx], "
           "y[idx] — or split with train_val_test_split(..., stratify=y) and pass "
           "validation_data")
    message = split_shift_message(y, classes, n_val, validation_split)
    return [] if message is None else [Finding("warning", "sorted_validation_split", message, fix)]
