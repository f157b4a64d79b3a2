"""What EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share: one monitored value, its
direction and what counts as an improvement."""

import numpy as np

from .. import validation


def metric_direction(model, monitor):
    """"min" or "max" for a logged name, from the metric objects (never guessed from the name)."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss"):
        return "min"
    setup = getattr(model, "_compiled", None)
    if setup is not None and setup.built:
        for log_name, _, metric, _ in setup.metric_entries():
            if log_name == name:
                return metric.direction
    for metric in getattr(model, "metrics", []):  # the model's own trackers
        if getattr(metric, "name", None) == name:
            return getattr(metric, "direction", None)
    return None


class Monitor:
    """Tracks the best value of ``monitor`` with ``mode`` ("auto", "min", "max") and ``min_delta``.

    Args:
        monitor: a name ``fit`` logs ("val_loss", "accuracy", "val_auc", ...).
        mode: "min", "max", or "auto" (the metric's own direction).
        min_delta: smallest change that counts as an improvement (absolute).
        baseline: the value to beat before anything counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0.0, baseline=None, owner="callback"):
        validation.choice(owner, "mode", mode, ("auto", "min", "max"))
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"{owner}: monitor must be the name of a logged value, got {monitor!r}")
        self.monitor, self.mode, self.owner = monitor, mode, owner
        self.min_delta = abs(validation.real(owner, "min_delta", min_delta))
        self.baseline = validation.real(owner, "baseline", baseline, allow_none=True)
        self.direction = None if mode == "auto" else mode
        self.reset()

    def reset(self):
        self.best = None

    def validate(self, model, log_names):
        """Fail before the first epoch when ``monitor`` names nothing ``fit`` will log."""
        if self.monitor not in log_names:
            hint = validation.did_you_mean(self.monitor, log_names, cutoff=0.5)
            extra = (" Validation values ('val_...') exist only with validation_data or "
                     "validation_split." if self.monitor.startswith("val_") else "")
            raise ValueError(f"{self.owner}: monitor={self.monitor!r} is not logged by this fit.{hint} "
                             f"Logged values: {log_names}.{extra}")
        if self.mode == "auto":
            self.direction = metric_direction(model, self.monitor)
            if self.direction is None:
                raise ValueError(f"{self.owner}: cannot tell whether higher or lower "
                                 f"{self.monitor!r} is better; pass mode='min' or mode='max'")

    def start(self):
        """Reset at the beginning of training."""
        self.best = None

    def value(self, logs):
        value = (logs or {}).get(self.monitor)
        return None if value is None else float(np.asarray(value))

    def improved(self, value, reference="best"):
        """Whether ``value`` beats ``reference`` (the best so far, or the baseline) by more than
        min_delta; anything beats a missing reference."""
        reference = self.best if reference == "best" else reference
        if value is None or np.isnan(value):
            return False
        if reference is None:
            return True
        if self.direction == "max":
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def best_for_display(self):
        """The best value so far as Keras prints it: ``inf`` (``-inf`` when higher is better)
        before the first one."""
        if self.best is not None:
            return self.best
        return -np.inf if self.direction == "max" else np.inf

    def beats_baseline(self, value):
        return self.baseline is None or self.improved(value, float(self.baseline))
