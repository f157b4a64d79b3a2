"""What a study optimizes: objectives by name (each with its direction), constraints, and the
validation metrics every trial records.

Every trial measures all the metrics of its task on the validation data with
:mod:`neurona.evaluation` (the numbers scikit-learn gives): a classifier ``val_loss``,
``accuracy``, ``precision``, ``recall``, ``f1`` (of the positive class for two classes, macro
averages otherwise), ``auc`` (ROC) and ``pr_auc``; a regressor ``val_loss``, ``mae``, ``mse``,
``rmse``, ``r2`` and ``mape``. Objectives and constraints name any of them.
"""

import difflib
import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Objective", "Constraint", "parse_objectives", "parse_constraints", "task_of",
           "validation_metrics", "OBJECTIVES", "TunerError"]


class TunerError(ValueError):
    """A tuning setup that cannot run (unknown objective, bad constraint, bad option), or a
    study that cannot go on; the message names the problem and the fix."""


#: metric name -> (direction, tasks it exists for)
OBJECTIVES = {
    "val_loss": ("minimize", ("regression", "binary", "multiclass")),
    "accuracy": ("maximize", ("binary", "multiclass")),
    "precision": ("maximize", ("binary", "multiclass")),
    "recall": ("maximize", ("binary", "multiclass")),
    "f1": ("maximize", ("binary", "multiclass")),
    "auc": ("maximize", ("binary", "multiclass")),
    "pr_auc": ("maximize", ("binary", "multiclass")),
    "mae": ("minimize", ("regression",)),
    "mse": ("minimize", ("regression",)),
    "rmse": ("minimize", ("regression",)),
    "r2": ("maximize", ("regression",)),
    "mape": ("minimize", ("regression",)),
}

#: other spellings users write (Keras log names, scikit-learn scorer names)
ALIASES = {"loss": "val_loss", "val_accuracy": "accuracy", "val_acc": "accuracy", "acc": "accuracy",
           "val_precision": "precision", "val_recall": "recall", "val_f1": "f1",
           "f1_score": "f1", "val_auc": "auc", "roc_auc": "auc", "val_pr_auc": "pr_auc",
           "average_precision": "pr_auc", "val_mae": "mae", "val_mse": "mse", "val_rmse": "rmse",
           "val_r2": "r2", "r2_score": "r2", "val_mape": "mape"}


@dataclass(frozen=True)
class Objective:
    """One objective: a metric name and its direction (``"minimize"`` / ``"maximize"``)."""

    name: str
    direction: str

    def better(self, a, b):
        """Whether value ``a`` is better than ``b``."""
        return a < b if self.direction == "minimize" else a > b


def suggestion(name, choices, cutoff=0.5):
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def canonical(name, what="objective"):
    """The metric's canonical name, or a TunerError with a suggestion."""
    if not isinstance(name, str):
        raise TunerError(f"{what} must be a metric name (a string), got {name!r}")
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key in OBJECTIVES:
        return key
    hint = suggestion(key, sorted(set(OBJECTIVES) | set(ALIASES)), cutoff=0.6)
    raise TunerError(f"unknown {what} {name!r}{hint}; known metrics: {', '.join(OBJECTIVES)}")


def parse_objectives(objective):
    """``"f1"``, ``["recall", "precision"]`` or ``("mae", "minimize")`` pairs as Objectives.

    Raises:
        TunerError: an unknown name, a repeated one, or a direction that contradicts the
            metric (maximizing a loss is always a mistake).
    """
    items = [objective] if isinstance(objective, (str, tuple)) else list(objective or [])
    if not items:
        raise TunerError("objective: name at least one metric, e.g. 'val_loss' or 'auc'")
    found = []
    for item in items:
        name, direction = (item if isinstance(item, tuple) else (item, None))
        key = canonical(name)
        expected = OBJECTIVES[key][0]
        if direction not in (None, expected):
            raise TunerError(f"objective {name!r} is always {expected}d, not {direction}d; "
                             f"leave the direction out")
        if any(o.name == key for o in found):
            raise TunerError(f"objective {name!r} is given twice")
        found.append(Objective(key, expected))
    return found


_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=)\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class Constraint:
    """``metric >= bound`` or ``metric <= bound``, e.g. ``precision >= 0.8``."""

    metric: str
    op: str
    bound: float

    def violation(self, metrics):
        """How far the trial is from satisfying it (<= 0: satisfied; NaN metric: violated)."""
        value = metrics.get(self.metric)
        if value is None or not math.isfinite(value):
            return math.inf
        return self.bound - value if self.op == ">=" else value - self.bound

    def __str__(self):
        return f"{self.metric} {self.op} {self.bound:g}"


def parse_constraints(constraints):
    """Strings like ``"precision >= 0.8"`` as Constraints (TunerError naming a bad one)."""
    if constraints is None:
        return []
    if isinstance(constraints, str):
        constraints = [constraints]
    found = []
    for text in constraints:
        match = _CONSTRAINT.match(text) if isinstance(text, str) else None
        if match is None:
            raise TunerError(f"constraint {text!r} is not 'metric >= number' or "
                             "'metric <= number', e.g. 'precision >= 0.8'")
        try:
            bound = float(match.group(3))
        except ValueError:
            raise TunerError(f"constraint {text!r}: {match.group(3)!r} is not a number") \
                from None
        found.append(Constraint(canonical(match.group(1), "constraint metric"), match.group(2),
                                bound))
    return found


def check_for_task(names, task):
    """Refuse metrics that do not exist for ``task`` (e.g. ``auc`` of a regressor)."""
    for name in names:
        if task not in OBJECTIVES[name][1]:
            fitting = [n for n, (_, tasks) in OBJECTIVES.items() if task in tasks]
            raise TunerError(f"{name!r} is not measured for a {task} task; choose one of "
                             f"{', '.join(fitting)}")


def task_of(model):
    """The task a compiled model solves, read from its loss: "binary", "multiclass" or
    "regression"."""
    kind = getattr(getattr(model, "loss", None), "label_kind", None)
    if kind == "binary":
        return "binary"
    if kind in ("categorical", "sparse_categorical"):
        return "multiclass"
    return "regression"


def _class_indices(y, width):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == width and width > 1:
        return y.argmax(axis=1)
    return y.reshape(-1).astype(np.int64)


def validation_metrics(task, y_true, outputs, val_loss):
    """Every metric of ``task`` for one trial's validation predictions (see the module doc).

    Undefined values (e.g. AUC with a single class present) are NaN.
    """
    from .. import evaluation

    outputs = np.asarray(outputs, dtype=np.float64)
    metrics = {"val_loss": float(val_loss)}
    if not np.all(np.isfinite(outputs)):
        return {**metrics, **{k: math.nan for k, (_, tasks) in OBJECTIVES.items()
                              if task in tasks and k != "val_loss"}}
    if task == "regression":
        report = evaluation.regression_report(np.asarray(y_true, dtype=np.float64).reshape(-1),
                                              outputs.reshape(-1))
        return {**metrics, **{k: float(report[k]) for k in ("mae", "mse", "rmse", "r2", "mape")}}
    width = outputs.shape[1] if outputs.ndim == 2 else 1
    labels = _class_indices(y_true, width)
    summary = evaluation.classification_summary(labels, outputs)
    report = summary.report
    averaged = report["1"] if task == "binary" and "1" in report else report["macro avg"]
    metrics.update(accuracy=float(report["accuracy"]), precision=float(averaged["precision"]),
                   recall=float(averaged["recall"]), f1=float(averaged["f1-score"]),
                   auc=float(summary.roc_auc), pr_auc=float(summary.pr_auc))
    return metrics
