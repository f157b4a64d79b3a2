"""``ModelCheckpoint``: save the model (or its weights) during training."""

import os
import re

from .. import validation
from .callback import Callback
from .monitor import Monitor

_FIELD = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^}]*)?}")


class ModelCheckpoint(Callback):
    """Save the model or its weights every epoch (or every N batches), optionally only when the
    monitored value improves.

    Args:
        filepath: the file name; its extension chooses the format (``.neurona`` or
            ``.keras``, with ``save_weights_only`` ``.weights.h5`` or ``.neurona``; another one
            is an error before training). It may contain ``{epoch}`` (1-based, as Keras) and
            logged values, e.g. ``"ckpt-{epoch:02d}-{val_loss:.3f}.neurona"``.
        monitor, mode: what "best" means (as in EarlyStopping; mode "auto" uses the metric's
            direction).
        verbose: 1 prints a line per save.
        save_best_only: save only when ``monitor`` improves (the file then always holds the best).
        save_weights_only: save only the weights (``model.save_weights``) instead of the whole
            model with its optimizer state (``model.save``).
        save_freq: "epoch" or an integer number of batches.
        initial_value_threshold: a value the monitored quantity must beat before the first save.

    Files are written atomically, so a crash mid-save leaves the previous checkpoint intact.

    Example:
        >>> import os
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.linspace(0.0, 1.0, 20).reshape(-1, 1)
        >>> checkpoint = ModelCheckpoint("best.neurona", monitor="val_loss", save_best_only=True)
        >>> _ = model.fit(x, 2 * x, validation_split=0.25, epochs=3, verbose=0,
        ...               callbacks=[checkpoint])
        >>> os.path.isfile("best.neurona")
        True
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        if save_freq != "epoch":  # else a number of batches
            save_freq = validation.integer("ModelCheckpoint", "save_freq", save_freq, low=1,
                                           fix="save_freq='epoch' saves at the end of every epoch")
        initial_value_threshold = validation.real("ModelCheckpoint", "initial_value_threshold",
                                                  initial_value_threshold, allow_none=True)
        self.tracker = Monitor(monitor, mode, 0.0, initial_value_threshold, owner="ModelCheckpoint")
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = bool(save_best_only), bool(save_weights_only)
        self.save_freq = save_freq
        self._batches = 0
        self._epoch = 0

    @property
    def best(self):
        return self.tracker.best

    def validate_logs(self, log_names):
        # the file name's extension chooses the format (as Keras insists on .keras or
        # .weights.h5): a name saving would refuse fails here, before the first epoch
        from ..saving import formats  # model.save goes through it at run time anyway

        template = _FIELD.sub("0", self.filepath)
        if self.save_weights_only:
            formats.weights_format(template, "save")
        else:
            formats.model_format(template, "save")
        if self.save_best_only:
            self.tracker.validate(self.model, log_names)
        known = set(log_names) | {"epoch", "batch"}
        for field in _FIELD.findall(self.filepath):
            if field not in known:
                raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} uses {{{field}}}, "
                                 f"which is not logged; available: {sorted(known)}")

    def on_train_begin(self, logs=None):
        self.tracker.start()
        self._batches = 0

    def get_state(self):
        """The best value so far and the batch count, for ``BackupAndRestore``: a resumed run
        saves the files an uninterrupted one would."""
        return {"best": self.tracker.best, "batches": self._batches}

    def set_state(self, state):
        self.tracker.best, self._batches = state["best"], state["batches"]

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._save(self._epoch, dict(logs or {}), batch=batch)

    def overrides(self, hook):
        return hook != "on_train_batch_end" or self.save_freq != "epoch"

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, dict(logs or {}))

    def _save(self, epoch, logs, batch=None):
        path = self.filepath.format(epoch=epoch + 1, batch=batch, **logs)
        if self.save_best_only:
            value = self.tracker.value(logs)
            if not self.tracker.improved(value) or not self.tracker.beats_baseline(value):
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.tracker.best_for_display():.5f}")
                return
            if self.verbose > 0:  # Keras's lines, 5 decimals
                print(f"Epoch {epoch + 1}: {self.monitor} improved from "
                      f"{self.tracker.best_for_display():.5f} to {value:.5f}, saving model to "
                      f"{path}")
            self.tracker.best = value
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
