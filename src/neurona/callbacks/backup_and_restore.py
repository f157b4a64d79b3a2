"""``BackupAndRestore``: survive a crash. Rerunning the same script continues where it stopped,
batch-exact: weights, optimizer state, row order, random generators, running loss and metric
states, and the History so far all come back, so the resumed run ends bitwise where an
uninterrupted one would."""

import json
import os
import shutil

import numpy as np

from .. import validation
from ..atomic import atomic_write, atomic_write_text
from ..backend import get_ops
from .callback import Callback

_POINTER = "latest"


def _generators(model):
    """Every layer generator that random layers own (seeded layers keep their own)."""
    return [(i, layer._rng) for i, layer in enumerate(model._flatten_layers())
            if isinstance(getattr(layer, "_rng", None), np.random.Generator)]


def _metric_attributes(metric):
    """The streaming state of a metric: its array and number attributes."""
    xp = get_ops().xp
    arrays, scalars = {}, {}
    for key, value in vars(metric).items():
        if isinstance(value, xp.ndarray):
            arrays[key] = get_ops().to_numpy(value)
        elif isinstance(value, (bool, int, float)) and not key.startswith("__"):
            scalars[key] = value
    return arrays, scalars


def _write_json(path, payload):
    atomic_write_text(path, json.dumps(payload))


class BackupAndRestore(Callback):
    """Back up the whole training state to ``backup_dir`` and resume from it after a crash.

    Args:
        backup_dir: folder for the backups (created if needed). Use one folder per training run.
        save_freq: "epoch" (at the end of every epoch) or an integer N (every N batches, so a
            resumed run repeats at most N - 1 batches of work).
        delete_checkpoint: remove the backup once training finishes normally (it is kept when
            training is interrupted or fails, so the next run resumes).

    A backup is a new folder written completely, then published by atomically replacing the
    small ``latest`` pointer file; the previous backup is removed only after that, so a crash at
    any moment leaves a complete backup to resume from.

    Pass ``seed=`` to ``fit`` (or call ``keras.utils.set_random_seed``) so the interrupted and
    the resumed runs start from the same model.

    Example:
        >>> import os
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.linspace(0.0, 1.0, 64).reshape(-1, 1)
        >>> backup = BackupAndRestore("backups/run1", save_freq=1, delete_checkpoint=False)
        >>> _ = model.fit(x, 2 * x, epochs=2, batch_size=16, seed=0, verbose=0,
        ...               callbacks=[backup])
        >>> os.path.isfile("backups/run1/latest")  # rerun the same fit to resume from here
        True
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir must be a folder path")
        if save_freq != "epoch":  # else a number of batches
            save_freq = validation.integer("BackupAndRestore", "save_freq", save_freq, low=1,
                                           fix="save_freq='epoch' backs up at the end of every epoch")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.delete_checkpoint = save_freq, bool(delete_checkpoint)
        self._batches_since_save = 0
        self._counter = 0

    # -- hooks ----------------------------------------------------------------------------------
    def overrides(self, hook):
        if hook == "on_train_batch_end":
            return self.save_freq != "epoch"
        return False

    def on_train_begin(self, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        self._batches_since_save = 0
        folder = self._latest_folder()
        if folder is not None:
            self._restore(folder)

    def on_train_batch_end(self, batch, logs=None):
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._backup()

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(completed_epoch_logs=(epoch, dict(logs or {})))

    def on_train_end(self, logs=None):
        state = getattr(self.model, "fit_state", None)
        if self.delete_checkpoint and state is not None and state.completed:
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    # -- writing ----------------------------------------------------------------------------------
    def _latest_folder(self):
        pointer = os.path.join(self.backup_dir, _POINTER)
        if not os.path.exists(pointer):
            return None
        with open(pointer, encoding="utf-8") as handle:
            try:
                name = json.load(handle)
            except ValueError:
                name = None
        folder = os.path.join(self.backup_dir, name) if isinstance(name, str) else ""
        if not isinstance(name, str) or os.path.basename(name) != name or not os.path.isdir(folder):
            raise ValueError(f"BackupAndRestore: {pointer} names {name!r}, which is not a backup "
                             f"folder in {self.backup_dir}; delete the folder to start afresh")
        return folder

    def _backup(self, completed_epoch_logs=None):
        from ..saving import serialization as S

        model, state = self.model, self.model.fit_state
        previous = self._latest_folder()
        self._counter += 1
        name = f"backup-{state.epoch:06d}-{state.batch:06d}-{os.getpid()}-{self._counter}"
        folder = os.path.join(self.backup_dir, name)
        os.makedirs(folder, exist_ok=True)
        arrays = {f"weight/{k}": v for k, v in S.weight_arrays(model).items()}
        arrays.update({k: v for k, v in S.optimizer_arrays(model.optimizer).items()})
        arrays["fit/loss_sum"] = np.asarray(get_ops().to_numpy(state.loss_sum))
        if state.order is not None:
            arrays["fit/order"] = np.asarray(state.order)
        metric_scalars = []
        for i, (metric, _) in enumerate(model._metric_specs):
            metric_arrays, scalars = _metric_attributes(metric)
            arrays.update({f"metric/{i}/{k}": v for k, v in metric_arrays.items()})
            metric_scalars.append(scalars)
        history_epochs = list(model.history.epoch)
        history_values = {k: list(v) for k, v in model.history.history.items()}
        if completed_epoch_logs is not None and completed_epoch_logs[0] not in history_epochs:
            # History records this epoch after us (it is the last callback): add it here
            epoch, logs = completed_epoch_logs
            history_epochs.append(epoch)
            for key, value in logs.items():
                history_values.setdefault(key, []).append(value)
        payload = {
            "epoch": state.epoch, "batch": state.batch, "seen": int(state.seen),
            "rng": state.rng.bit_generator.state,
            "layer_rngs": {str(i): g.bit_generator.state for i, g in _generators(model)},
            "metric_scalars": metric_scalars,
            "history": {"epoch": history_epochs, "values": _jsonable(history_values)},
        }
        atomic_write(os.path.join(folder, "arrays.npz"), lambda handle: np.savez(handle, **arrays))
        _write_json(os.path.join(folder, "state.json"), payload)
        _write_json(os.path.join(self.backup_dir, _POINTER), name)  # publish atomically
        if previous is not None and os.path.abspath(previous) != os.path.abspath(folder):
            shutil.rmtree(previous, ignore_errors=True)

    # -- reading ----------------------------------------------------------------------------------
    def _restore(self, folder):
        from ..saving import serialization as S

        model, state = self.model, self.model.fit_state
        with open(os.path.join(folder, "state.json"), encoding="utf-8") as handle:
            payload = json.load(handle)
        with np.load(os.path.join(folder, "arrays.npz"), allow_pickle=False) as stored:
            arrays = {k: stored[k] for k in stored.files}
        where = f"backup {folder!r}"
        S.assign_weights(model, {k[len("weight/"):]: v for k, v in arrays.items()
                                 if k.startswith("weight/")}, where)
        S.restore_optimizer(model, {k: v for k, v in arrays.items() if k.startswith("optimizer/")},
                            where)
        state.epoch, state.batch, state.seen = payload["epoch"], payload["batch"], payload["seen"]
        state.loss_sum = arrays["fit/loss_sum"].astype(np.float64)
        state.order = arrays.get("fit/order")
        state.rng.bit_generator.state = payload["rng"]
        for i, generator in _generators(model):
            saved = payload["layer_rngs"].get(str(i))
            if saved is not None:
                generator.bit_generator.state = saved
        ops = get_ops()
        for i, ((metric, _), scalars) in enumerate(zip(model._metric_specs, payload["metric_scalars"])):
            prefix = f"metric/{i}/"
            for key, value in arrays.items():
                if key.startswith(prefix):
                    setattr(metric, key[len(prefix):], ops.asarray(value))
            for key, value in scalars.items():
                setattr(metric, key, value)
        history = model.history
        history.epoch = list(payload["history"]["epoch"])
        history.history = {k: list(v) for k, v in payload["history"]["values"].items()}


def _jsonable(history):
    return {k: [v.tolist() if isinstance(v, np.ndarray) else v for v in values]
            for k, values in history.items()}
