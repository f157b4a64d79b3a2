"""The regression report: the engine's own streaming metrics fed the whole arrays at once, so
the numbers are exactly those ``model.evaluate`` would log for the same predictions."""

import numpy as np

from ..metrics import (CosineSimilarity, MeanAbsoluteError, MeanAbsolutePercentageError,
                       MeanSquaredError, R2Score, RootMeanSquaredError)
from ._checks import finite, to_host

# report key -> metric class (each accumulates in float64)
_METRICS = (
    ("mae", MeanAbsoluteError),
    ("mse", MeanSquaredError),
    ("rmse", RootMeanSquaredError),
    ("mape", MeanAbsolutePercentageError),
    ("r2", R2Score),
    ("cosine_proximity", CosineSimilarity),
)


def _targets(x, name):
    arr = to_host(x, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim not in (1, 2) or arr.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n,) or (n, outputs) with n > 0, got shape "
                         f"{arr.shape}")
    return finite(arr, name)


def regression_report(y_true, y_pred):
    """Mean absolute, squared and root squared error, mean absolute percentage error, R^2 and
    cosine proximity of a set of predictions.

    Conventions are the engine's (Keras's): MAPE is in percent with ``|y_true|`` floored at
    ``config.epsilon()``; RMSE is the square root of the MSE over all outputs; R^2 is averaged
    uniformly over outputs (a constant target scores 1 when fitted exactly, else 0); cosine
    proximity is the cosine between the target and prediction vectors (per sample and
    averaged, for (n, outputs) arrays).

    Args:
        y_true: targets, shape (n,), (n, 1) or (n, outputs).
        y_pred: predictions of the same shape (e.g. ``model.predict(x)``).

    Returns:
        dict with float entries "mae", "mse", "rmse", "mape", "r2", "cosine_proximity".

    Example:
        >>> report = regression_report([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
        >>> round(report["mae"], 4), round(report["r2"], 4)
        (0.3333, 0.5)
    """
    y_true, y_pred = _targets(y_true, "y_true"), _targets(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
                         "pass one prediction per target (same shape)")
    report = {}
    for key, cls in _METRICS:
        metric = cls(dtype="float64")
        metric.update_state(y_true, y_pred)
        report[key] = float(metric.result())
    return report


def format_regression_report(report, digits=4):
    """A :func:`regression_report` dict as an aligned two-column text table.

    Args:
        report: the dict returned by :func:`regression_report`.
        digits: decimals shown.

    Returns:
        A string, one metric per line.

    Example:
        >>> print(format_regression_report({"mae": 0.5, "r2": 0.75}, digits=2))
            mae  0.50
             r2  0.75
        <BLANKLINE>
    """
    if not isinstance(report, dict) or not report:
        raise ValueError(f"report must be the non-empty dict of regression_report, got {report!r}")
    width = max(len(k) for k in report) + 4
    return "".join(f"{k:>{width}}  {float(np.asarray(v)):.{digits}f}\n" for k, v in report.items())
