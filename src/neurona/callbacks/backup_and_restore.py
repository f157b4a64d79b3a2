"""``BackupAndRestore``: survive a crash. Rerunning the same script continues where it stopped,
batch-exact: weights, optimizer state, row order, random generators, running loss and metric
states, and the History so far all come back, so the resumed run ends bitwise where an
uninterrupted one would."""

import json
import os
import shutil
import zipfile
import zlib

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
        self._stateful = []  # the fit's callbacks whose state is backed up (set_callbacks)
        self._fit = None

    #: sees every hook after the other callbacks (see CallbackList): it restores their state
    #: after their on_train_begin and backs up what their on_epoch_end changed
    runs_last = True

    # -- hooks ----------------------------------------------------------------------------------
    def overrides(self, hook):
        if hook == "on_train_batch_end":
            return self.save_freq != "epoch"
        return False

    def set_callbacks(self, callbacks):
        """The fit's callbacks: those with ``get_state``/``set_state`` are backed up too."""
        self._stateful = [cb for cb in callbacks if cb is not self
                          and callable(getattr(cb, "get_state", None))
                          and callable(getattr(cb, "set_state", None))]

    def on_train_begin(self, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        self._batches_since_save = 0
        self._fit = self._describe_fit()
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

    # -- what the backup must agree with ----------------------------------------------------------
    def _describe_fit(self):
        """What a backup must match to be resumed by this fit: the rows, the batch size, the
        data's digest and the model's structure (weight paths without automatic suffixes, and
        shapes, in order)."""
        from ..saving import serialization as S

        params = self.params or {}
        structure = [[S.unsuffixed_key(key), list(array.shape)]
                     for key, array in S.weight_arrays(self.model).items()]
        return {"rows": params.get("samples"), "batch_size": params.get("batch_size"),
                "data": self.model.fit_state.data_fingerprint(), "structure": structure}

    def _check_fit(self, saved, folder):
        """A clear error when the backup in ``folder`` was made by another fit."""
        fix = (f"resume with the same data and settings, or delete {self.backup_dir!r} to "
               f"start afresh")
        for key, said in (("rows", "{} training rows"), ("batch_size", "batch size {}")):
            if saved.get(key) != self._fit[key]:
                raise ValueError(f"BackupAndRestore: the backup in {folder!r} was made with "
                                 f"{said.format(saved.get(key))}, this fit has "
                                 f"{said.format(self._fit[key])}; {fix}")
        if saved.get("data") != self._fit["data"]:
            raise ValueError(f"BackupAndRestore: the backup in {folder!r} was made with other "
                             f"training data (the rows' digest differs: other values or "
                             f"another order), so its saved row order does not apply; {fix}")
        if saved.get("structure") != self._fit["structure"]:
            mine, theirs = self._fit["structure"], saved.get("structure") or []
            first = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b),
                         min(len(mine), len(theirs)))
            said = lambda items: items[first] if first < len(items) else "nothing"  # noqa: E731
            raise ValueError(f"BackupAndRestore: the backup in {folder!r} is of another model: "
                             f"weight {first} is {said(theirs)} there but {said(mine)} here "
                             f"({len(theirs)} weights there, {len(mine)} here); {fix}")

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
        callback_states = []
        for i, callback in enumerate(self._stateful):
            values, callback_arrays = _split_state(callback)
            arrays.update({f"callback/{i}/{k}": v for k, v in callback_arrays.items()})
            callback_states.append({"class": type(callback).__name__, "state": values,
                                    "arrays": sorted(callback_arrays)})
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
            "callbacks": callback_states,
            "fit": self._fit,
            "history": {"epoch": history_epochs, "values": _jsonable(history_values)},
        }
        atomic_write(os.path.join(folder, "arrays.npz"), lambda handle: np.savez(handle, **arrays))
        _write_json(os.path.join(folder, "state.json"), payload)
        _write_json(os.path.join(self.backup_dir, _POINTER), name)  # publish atomically
        if previous is not None and os.path.abspath(previous) != os.path.abspath(folder):
            shutil.rmtree(previous, ignore_errors=True)

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, folder):
        """``(payload, arrays)`` of the backup in ``folder``, or a clear error when either file
        is damaged (truncated, corrupt, missing); nothing is applied before both are read."""
        fix = f"delete {self.backup_dir!r} to start afresh (the backup cannot be resumed)"
        path = os.path.join(folder, "state.json")
        try:
            with open(path, encoding="utf-8") as handle:
                payload = json.load(handle)
        except (OSError, ValueError) as err:  # JSONDecodeError and UnicodeDecodeError too
            raise ValueError(f"BackupAndRestore: {path} cannot be read ({type(err).__name__}: "
                             f"{_short(err)}); {fix}") from None
        missing = [k for k in _PAYLOAD_KEYS if not isinstance(payload, dict) or k not in payload]
        if missing:
            raise ValueError(f"BackupAndRestore: {path} lacks {missing} (written by another "
                             f"version, or damaged); {fix}")
        path = os.path.join(folder, "arrays.npz")
        try:
            # our own handle: np.load leaves its file open when the archive is damaged
            with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as stored:
                arrays = {k: stored[k] for k in stored.files}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as err:
            raise ValueError(f"BackupAndRestore: {path} cannot be read ({type(err).__name__}: "
                             f"{_short(err)}); {fix}") from None
        return payload, arrays

    def _restore(self, folder):
        from ..saving import serialization as S

        model, state = self.model, self.model.fit_state
        payload, arrays = self._read(folder)
        self._check_fit(payload["fit"], folder)
        self._check_callbacks(payload["callbacks"], folder)
        where = f"backup {folder!r}"
        S.assign_weights(model, {k[len("weight/"):]: v for k, v in arrays.items()
                                 if k.startswith("weight/")}, where,
                         say_renamed=False)  # _check_fit compared the structures
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
        for i, (callback, saved) in enumerate(zip(self._stateful, payload["callbacks"])):
            restored = dict(saved["state"])
            restored.update({k: arrays[f"callback/{i}/{k}"] for k in saved["arrays"]})
            callback.set_state(restored)
        history = model.history
        history.epoch = list(payload["history"]["epoch"])
        history.history = {k: list(v) for k, v in payload["history"]["values"].items()}

    def _check_callbacks(self, saved, folder):
        """The stateful callbacks of this fit must be those whose state the backup holds."""
        theirs = [entry.get("class") for entry in saved]
        mine = [type(cb).__name__ for cb in self._stateful]
        if theirs != mine:
            raise ValueError(f"BackupAndRestore: the backup in {folder!r} holds the state of "
                             f"the callbacks {theirs}, this fit has {mine}; pass the same "
                             f"callbacks to resume, or delete {self.backup_dir!r} to start "
                             f"afresh")


_PAYLOAD_KEYS = ("epoch", "batch", "seen", "rng", "layer_rngs", "metric_scalars", "callbacks",
                 "fit", "history")


def _short(err, limit=200):
    text = str(err)
    return text if len(text) <= limit else text[:limit] + "..."


def _split_state(callback):
    """``callback.get_state()`` as (JSON values, arrays): arrays go to ``arrays.npz``; anything
    else must be JSON data, or the backup fails naming the callback and the key."""
    values, arrays = {}, {}
    for key, value in callback.get_state().items():
        if isinstance(value, np.ndarray):
            arrays[key] = value
            continue
        value = value.item() if isinstance(value, np.generic) else value
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise TypeError(f"BackupAndRestore: {type(callback).__name__}.get_state() returned "
                            f"{key!r} as a {type(value).__name__}; a callback's state must be "
                            f"JSON data (numbers, strings, lists, dicts) or NumPy arrays") from None
        values[key] = value
    return values, arrays


def _jsonable(history):
    return {k: [v.tolist() if isinstance(v, np.ndarray) else v for v in values]
            for k, values in history.items()}
