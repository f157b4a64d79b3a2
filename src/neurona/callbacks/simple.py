"""Small callbacks: LearningRateScheduler, CSVLogger, TerminateOnNaN, LambdaCallback."""

import csv
import math
import os

import numpy as np

from .callback import Callback


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from ``schedule(epoch, lr) -> new_lr``
    or ``schedule(epoch) -> new_lr`` (Keras takes both; which one is read from the function's
    signature).

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
        >>> halve_after_two = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr / 2)
        >>> x = np.linspace(0.0, 1.0, 8).reshape(-1, 1)
        >>> _ = model.fit(x, 2 * x, epochs=4, verbose=0, callbacks=[halve_after_two])
        >>> round(float(model.optimizer.learning_rate), 6)  # halved before epochs 3 and 4
        0.0025
        >>> exponential = LearningRateScheduler(lambda epoch: 0.01 * 0.9 ** epoch)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise ValueError(f"LearningRateScheduler: schedule must be callable, got {schedule!r}")
        self.schedule, self.verbose = schedule, verbose
        self._takes_lr = _positional_count(schedule) >= 2

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.model.optimizer.learning_rate)
        new = self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)
        try:
            new = float(new)
        except (TypeError, ValueError):
            raise ValueError(f"LearningRateScheduler: schedule returned {new!r}, not a number") from None
        if not math.isfinite(new) or new < 0:
            raise ValueError(f"LearningRateScheduler: schedule returned an invalid rate {new!r}")
        self.model.optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {new:g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _positional_count(fn):
    """How many positional arguments ``fn`` takes (*args counts as many)."""
    import inspect

    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: Keras's two arguments
        return 2
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(p.kind in kinds for p in parameters)


class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file (one row per epoch, header first).

    Args:
        filename: path of the CSV file.
        separator: field separator.
        append: append to an existing file (continuing a run) instead of overwriting it.

    Under ``BackupAndRestore`` the file position is part of the backup: a resumed run cuts the
    rows written after the backup it resumes from, so each epoch appears once.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, bool(append)
        self._file = self._writer = self.keys = None
        self._start, self._append_header, self._mode = 0, True, "w"

    def on_train_begin(self, logs=None):
        self._close()
        self._writer = self.keys = None
        exists = self.append and os.path.exists(self.filename)
        self._start = os.path.getsize(self.filename) if exists else 0
        self._append_header = self._start == 0
        # opened at the first row, so that a run resumed by BackupAndRestore (set_state comes
        # after this hook) does not truncate the rows of the run it continues
        self._mode = "a" if self.append else "w"

    def get_state(self):
        """Where the file ends now and its columns, for ``BackupAndRestore``."""
        position = self._file.tell() if self._file is not None else self._start
        return {"position": position, "keys": self.keys, "append_header": self._append_header}

    def set_state(self, state):
        """Continue the file of the interrupted run at the saved position (rows written after
        that backup are cut: the resumed run writes them again)."""
        self._close()
        size = os.path.getsize(self.filename) if os.path.exists(self.filename) else 0
        if size < state["position"]:
            raise ValueError(f"CSVLogger: {self.filename} holds {size} bytes, but the backup "
                             f"being resumed wrote {state['position']}: the file was changed "
                             f"or replaced since; restore it, or delete the backup folder to "
                             f"start afresh")
        self._file = open(self.filename, "r+" if size else "w", newline="", encoding="utf-8")
        self._file.truncate(state["position"])
        self._file.seek(state["position"])
        self._start = state["position"]
        self.keys, self._append_header = state["keys"], state["append_header"]
        self._writer = None if self.keys is None else self._dict_writer()

    def _dict_writer(self):
        return csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys,
                              delimiter=self.separator, extrasaction="ignore")

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self._file is None:
            self._file = open(self.filename, self._mode, newline="", encoding="utf-8")
        if self._writer is None:
            if self.keys is None:
                self.keys = sorted(logs)
            self._writer = self._dict_writer()
            if self._append_header:
                self._writer.writeheader()
                self._append_header = False
        row = {"epoch": epoch}
        for key in self.keys:
            value = logs.get(key, "NA")
            row[key] = value.tolist() if isinstance(value, np.ndarray) else value
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._file is not None:
            self._file.close()
            self._file = None


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite (checked at each epoch end, and
    at each batch end, which costs one device sync per batch)."""

    def __init__(self):
        super().__init__()
        self.stopped_batch = None

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.stopped_batch = batch
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: ``on_epoch_begin(epoch, logs)``, ``on_epoch_end``,
    ``on_train_batch_begin(batch, logs)``, ``on_train_batch_end``, ``on_train_begin(logs)``,
    ``on_train_end(logs)``.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.linspace(0.0, 1.0, 8).reshape(-1, 1)
        >>> show = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, "loss" in logs))
        >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[show])
        0 True
        1 True
    """

    _HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end",
              "on_train_begin", "on_train_end")

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_batch_begin=None,
                 on_train_batch_end=None, on_train_begin=None, on_train_end=None):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_batch_begin=on_train_batch_begin, on_train_batch_end=on_train_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end)
        for hook, fn in given.items():
            if fn is None:
                continue
            if not callable(fn):
                raise ValueError(f"LambdaCallback: {hook} must be callable, got {fn!r}")
            setattr(self, hook, fn)

    def overrides(self, hook):
        return hook in self.__dict__
