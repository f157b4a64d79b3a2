"""``EarlyStopping``: stop when the monitored value stops improving."""

import numpy as np

from .. import validation
from .callback import Callback
from .monitor import Monitor


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: logged value to watch (default "val_loss").
        min_delta: smallest change counted as an improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints a line when stopping and restoring.
        mode: "auto" (the metric's direction), "min" or "max".
        baseline: training stops if the value does not beat this within ``patience`` epochs.
        restore_best_weights: at the end of training, however it ends, put back the weights of
            the best epoch.
        start_from_epoch: epochs to wait before counting (warm-up).

    Unlike Keras (which only warns), a ``monitor`` that names no logged value is an error before
    the first epoch, with a "did you mean" suggestion. The best epoch is recorded in
    ``self.best_epoch`` and in the model's History (``history.best_epoch``).

    Example:
        >>> stop = EarlyStopping(min_delta=0.001, patience=20, restore_best_weights=True)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.tracker = Monitor(monitor, mode, min_delta, baseline, owner="EarlyStopping")
        self.monitor = monitor
        self.patience = validation.integer("EarlyStopping", "patience", patience, low=0)
        self.verbose = verbose
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = validation.integer("EarlyStopping", "start_from_epoch",
                                                   start_from_epoch, low=0)
        self.best_weights = None
        self.best_epoch = None
        self.stopped_epoch = 0
        self.wait = 0

    @property
    def best(self):
        return self.tracker.best

    def validate_logs(self, log_names):
        self.tracker.validate(self.model, log_names)

    def on_train_begin(self, logs=None):
        self.tracker.start()
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = None
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        value = self.tracker.value(logs)
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # something to restore even without improvement
        self.wait += 1
        if self.tracker.improved(value):
            self.tracker.best = value
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.tracker.beats_baseline(value):  # restart the count only past the baseline too
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def get_state(self):
        """What a resumed run needs to stop where an uninterrupted one would (saved by
        ``BackupAndRestore``): the count, the best value and epoch, and the best weights."""
        state = {"wait": self.wait, "best": self.tracker.best, "best_epoch": self.best_epoch,
                 "stopped_epoch": self.stopped_epoch,
                 "best_weights": None if self.best_weights is None else len(self.best_weights)}
        for i, array in enumerate(self.best_weights or []):
            state[f"best_weights/{i}"] = np.asarray(array)
        return state

    def set_state(self, state):
        """Put back what :meth:`get_state` returned."""
        self.wait, self.tracker.best = state["wait"], state["best"]
        self.best_epoch, self.stopped_epoch = state["best_epoch"], state["stopped_epoch"]
        count = state["best_weights"]
        self.best_weights = None if count is None else [
            state[f"best_weights/{i}"] for i in range(count)]

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0 and self.best_epoch is not None:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
        history = getattr(self.model, "history", None)
        if history is not None and self.best_epoch is not None:
            history.best_epoch = self.best_epoch
