"""``ReduceLROnPlateau``: divide the learning rate when the monitored value stalls."""

from .. import validation
from .callback import Callback
from .monitor import Monitor


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    Args:
        monitor, mode, min_delta: what to watch (as in EarlyStopping).
        factor: multiplier in (0, 1).
        patience: epochs without improvement before reducing.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: lower bound of the learning rate.
        verbose: 1 prints each reduction.

    When the optimizer's learning rate is a schedule, the schedule keeps running and the
    callback scales its output: the effective rate is ``schedule(step) * scale``. The current
    rate is logged as ``learning_rate``.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        owner = "ReduceLROnPlateau"
        self.factor = validation.real(owner, "factor", factor, 0.0, 1.0, low_open=True,
                                      high_open=True)
        self.tracker = Monitor(monitor, mode, min_delta, owner=owner)
        self.monitor, self.verbose = monitor, verbose
        self.patience = validation.integer(owner, "patience", patience, low=0)
        self.cooldown = validation.integer(owner, "cooldown", cooldown, low=0)
        self.min_lr = validation.real(owner, "min_lr", min_lr, low=0.0)
        self.wait = self.cooldown_counter = 0

    def validate_logs(self, log_names):
        self.tracker.validate(self.model, log_names)

    def on_train_begin(self, logs=None):
        self.tracker.start()
        self.wait = self.cooldown_counter = 0

    def get_state(self):
        """The counts and the best value, for ``BackupAndRestore`` (the learning rate itself
        is part of the optimizer's state)."""
        return {"wait": self.wait, "cooldown_counter": self.cooldown_counter,
                "best": self.tracker.best}

    def set_state(self, state):
        self.wait, self.cooldown_counter = state["wait"], state["cooldown_counter"]
        self.tracker.best = state["best"]

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(optimizer.learning_rate)
        value = self.tracker.value(logs)
        if value is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.tracker.improved(value):
            self.tracker.best = value
            self.wait = 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            old = float(optimizer.learning_rate)
            if old > self.min_lr:
                new = max(old * self.factor, self.min_lr)
                optimizer.scale_learning_rate(new / old)
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:g}.")
                self.cooldown_counter = self.cooldown
                self.wait = 0
