"""The target side of the tabular encoder: task inference, label encoding and decoding, and the
output layer + loss the course recommends per task.

A fitted target is a plain dict ``{"name", "task", "classes"}`` (``classes`` None for
regression), so it serializes to JSON as it is. A regression target may also carry a
``"transform"`` (see :data:`TARGET_TRANSFORMS`): the network then learns the transformed values
and predictions are mapped back, as scikit-learn's ``TransformedTargetRegressor`` does.
"""

import numpy as np

from . import _columns as C

TASKS = ("regression", "binary", "multiclass")

#: target transforms of a regression target: log (positive values, e.g. prices: multiplicative
#: effects become additive), log1p (values >= 0, e.g. counts) and standardize (mean 0, std 1
#: with the training rows' statistics, for targets in large units)
TARGET_TRANSFORMS = ("log", "log1p", "standardize")


def mean_and_std(values):
    """The mean and standard deviation (ddof=0) of finite float64 ``values``, computed on the
    values divided by their largest magnitude: values near the float64 limit (1e308) neither
    overflow the variance nor give an infinite scale."""
    largest = float(np.abs(values).max()) if values.size else 0.0
    unit = largest if largest > 0 else 1.0
    return unit * float((values / unit).mean()), unit * float((values / unit).std())


def _as_float32(values, name, what):
    """Learned targets as float32; a finite value beyond its range (1e39) is named as such,
    not left to be called "inf" later."""
    with np.errstate(over="ignore"):
        cast = values.astype(np.float32)
    overflow = np.isinf(cast) & np.isfinite(values)
    if overflow.any():
        row = int(overflow.argmax())
        raise ValueError(f"{what}: target {name!r} holds {values[row]:.4g} at row {row}, beyond "
                         f"float32's range (+-3.4e+38) in which the network learns; rescale it "
                         f"(target_transform='standardize' or 'log') or divide it by a power "
                         f"of ten")
    return cast


def check_finite(values, name, what):
    inf = np.isinf(values)
    if inf.any():
        row = int(inf.argmax())
        raise ValueError(f"{what}: column {name!r} holds {values[row]} at row {row} "
                         f"({int(inf.sum())} infinite value(s)); replace them (e.g. with NaN)")


def fit_target(series, task, max_classes, transform=None):
    """The fitted target dict for a training column (``task`` None infers it; ``transform`` one
    of :data:`TARGET_TRANSFORMS` or None)."""
    if transform is not None and transform not in TARGET_TRANSFORMS:
        raise ValueError(f"TabularEncoder: target_transform={transform!r} is not one of "
                         f"{TARGET_TRANSFORMS} (or None)")
    found = _present_keys(series, "TabularEncoder.fit")
    distinct = set(found)
    if len(distinct) < 2:
        raise ValueError(f"TabularEncoder.fit: target {series.name!r} has a single value "
                         f"{found[0]!r} in the training rows; a model cannot learn from it")
    numeric = C.is_numeric_kind(series)
    if task is None and transform is not None and numeric:
        task = "regression"  # a target transform says so, even of a few whole numbers
    task = task or infer_task(series, distinct, numeric, max_classes)
    if task == "regression":
        if not numeric:
            raise ValueError(f"TabularEncoder.fit: task='regression' needs a numeric target, but "
                             f"{series.name!r} holds {series.dtype} values such as "
                             f"{series.iloc[0]!r}; use task='binary' or 'multiclass'")
        values = C.to_float(series, "TabularEncoder.fit")
        check_finite(values, series.name, "TabularEncoder.fit")
        fitted = {"name": C.plain(series.name), "task": task, "classes": None}
        return _fit_transform(fitted, transform, values) if transform else fitted
    if transform is not None:
        raise ValueError(f"TabularEncoder.fit: target_transform={transform!r} applies to "
                         f"regression targets, but {series.name!r} is a {task} target; leave "
                         f"target_transform unset")
    if task == "binary" and len(distinct) != 2:
        raise ValueError(f"TabularEncoder.fit: task='binary' but target {series.name!r} has "
                         f"{len(distinct)} classes; use task='multiclass'")
    originals = {}
    for value, k in zip(series.tolist(), found):
        originals.setdefault(k, C.plain(value))
    return {"name": C.plain(series.name), "task": task,
            "classes": [originals[k] for k in C.sort_keys(distinct)]}


def infer_task(series, distinct, numeric, max_classes):
    """The task rule of TabularEncoder (see the module docstring of ``tabular``)."""
    if not numeric:
        return "binary" if len(distinct) == 2 else "multiclass"
    if len(distinct) == 2:
        return "binary"
    values = C.to_float(series, "TabularEncoder.fit")
    if len(distinct) <= max_classes and C.is_integer_valued(values):
        return "multiclass"
    return "regression"


def encode(target, data):
    """Target values (a DataFrame with the column, a Series, an array, a list) as labels."""
    pd = C.require_pandas("TabularEncoder.transform_target")
    what = "TabularEncoder.transform_target"
    if isinstance(data, pd.DataFrame):
        C.check_columns(data, [target["name"]], what)
        data = data[target["name"]]
    series = data if isinstance(data, pd.Series) else pd.Series(np.asarray(data),
                                                                name=target["name"])
    found = _present_keys(series, what)
    if target["task"] == "regression":
        values = C.to_float(series, what)
        check_finite(values, target["name"], what)
        return _as_float32(_forward(target, values, what), target["name"], what)
    index = {C.key(c): i for i, c in enumerate(target["classes"])}
    unseen = sorted({k for k in found if k not in index}, key=str)
    if unseen:
        raise ValueError(f"{what}: target {target['name']!r} holds classes {unseen[:5]} never "
                         f"seen in training (classes: {target['classes']}); refit on data with "
                         f"every class")
    return np.array([index[k] for k in found], dtype=np.int64)


def decode(target, predictions):
    """Predictions (values, probabilities or labels) in the target's own terms."""
    what = "TabularEncoder.inverse_transform_target"
    pred = np.asarray(predictions)
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    if target["task"] == "regression":
        if pred.ndim != 1:
            raise ValueError(f"{what}: regression predictions must have shape (n,) or (n, 1), "
                             f"got {np.shape(predictions)}")
        return _inverse(target, pred.astype(np.float64))
    k = len(target["classes"])
    if pred.ndim == 2 and pred.shape[1] == k:
        index = pred.argmax(axis=1)
    elif pred.ndim == 1 and pred.dtype.kind == "f" and target["task"] == "binary":
        if len(pred) and (pred.min() < 0 or pred.max() > 1):
            raise ValueError(f"{what}: binary predictions must be probabilities in [0, 1] (a "
                             f"sigmoid output); got values in [{pred.min():g}, {pred.max():g}]")
        index = (pred >= 0.5).astype(np.int64)
    elif pred.ndim == 1 and pred.dtype.kind in "iuf" and np.all(pred == np.round(pred)):
        index = pred.astype(np.int64)
        if len(index) and (index.min() < 0 or index.max() >= k):
            raise ValueError(f"{what}: labels span [{index.min()}, {index.max()}] but the "
                             f"classes are 0..{k - 1} ({target['classes']})")
    else:
        raise ValueError(f"{what}: pass probabilities of shape (n, {k}) or integer labels 0..{k - 1} "
                         f"for the classes {target['classes']}, got shape {np.shape(predictions)}")
    classes = np.empty(k, dtype=object)
    classes[:] = target["classes"]
    return classes[index]


def _fit_transform(fitted, transform, values):
    fitted["transform"] = transform
    _check_domain(fitted, values, "TabularEncoder.fit")
    if transform == "standardize":
        mean, std = mean_and_std(values)
        fitted["center"] = mean
        fitted["scale"] = std if std > 0 else 1.0
    return fitted


def _check_domain(target, values, what):
    transform = target.get("transform")
    low = {"log": 0.0, "log1p": -1.0}.get(transform)
    if low is None or not len(values) or values.min() > low:
        return
    row = int(values.argmin())
    fix = ("use target_transform='log1p' for values >= 0, or no transform"
           if transform == "log" and values.min() >= 0 else "use no target transform")
    raise ValueError(f"{what}: target_transform={transform!r} needs values above {low:g}, but "
                     f"target {target['name']!r} holds {values[row]:g} at row {row}; {fix}")


def _forward(target, values, what):
    """Target values in the units the network learns (the transform applied)."""
    transform = target.get("transform")
    _check_domain(target, values, what)
    if transform == "log":
        return np.log(values)
    if transform == "log1p":
        return np.log1p(values)
    if transform == "standardize":
        return (values - target["center"]) / target["scale"]
    return values


def _inverse(target, values):
    """Network outputs back in the target's own units."""
    transform = target.get("transform")
    if transform == "log":
        return np.exp(values)
    if transform == "log1p":
        return np.expm1(values)
    if transform == "standardize":
        return values * target["scale"] + target["center"]
    return values


def _present_keys(series, what):
    found = C.keys(series)
    if None in found:
        raise ValueError(f"{what}: target {series.name!r} is missing in {found.count(None)} "
                         f"row(s) (first: row {found.index(None)}); drop those rows first")
    return found


def recommended_output(task, n_classes=None):
    """The course's good practice for the output layer and the loss of a task.

    Args:
        task: ``"regression"``, ``"binary"`` or ``"multiclass"``.
        n_classes: the number of classes (needed for ``"multiclass"``).

    Returns:
        A dict: ``units``, ``activation`` (of the last Dense layer), ``loss``, ``alternatives``
        (other suitable losses) and ``metrics``.

    Example:
        >>> recommended_output("binary")["loss"]
        'binary_crossentropy'
        >>> out = recommended_output("multiclass", 10)
        >>> out["units"], out["activation"], out["loss"]
        (10, 'softmax', 'sparse_categorical_crossentropy')
    """
    if task == "regression":
        return {"units": 1, "activation": "linear", "loss": "mse", "alternatives": ["mae"],
                "metrics": ["mae"]}
    if task == "binary":
        return {"units": 1, "activation": "sigmoid", "loss": "binary_crossentropy",
                "alternatives": [], "metrics": ["accuracy"]}
    if task == "multiclass":
        if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
                or n_classes < 2:
            raise ValueError(f"recommended_output: task='multiclass' needs n_classes (an integer "
                             f">= 2), got {n_classes!r}")
        return {"units": int(n_classes), "activation": "softmax",
                "loss": "sparse_categorical_crossentropy",
                "alternatives": ["categorical_crossentropy (with one-hot labels)"],
                "metrics": ["accuracy"]}
    raise ValueError(f"recommended_output: task={task!r} is not one of {TASKS}")
