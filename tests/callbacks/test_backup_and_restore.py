"""BackupAndRestore: a run killed with SIGKILL at random batches, rerun until it finishes, ends
bitwise equal to an uninterrupted run (weights and History)."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import neurona as keras
from neurona import callbacks, layers

# the scripts' callback: SIGKILL the process after its kill_at-th batch (0: never)
KILL_AT = """class KillAt(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.count = 0
    def on_train_batch_end(self, batch, logs=None):
        self.count += 1
        if self.count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
"""


def _with_kill_at(script):
    return script.replace("{kill_at}\n", KILL_AT)


SCRIPT = textwrap.dedent("""
    import json, os, signal, sys
    import numpy as np
    import neurona as keras
    from neurona import callbacks, layers

    backup_dir, out, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])

    {kill_at}

    rng = np.random.default_rng(0)
    x = rng.standard_normal((90, 6)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("int64")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[6]),
                              layers.Dropout(0.3), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
    history = model.fit(x, y, epochs=5, batch_size=8, validation_split=0.2, verbose=0, seed=1,
                        callbacks=[callbacks.BackupAndRestore(backup_dir, save_freq=3), KillAt()])
    np.savez(out + ".npz", *model.get_weights())
    with open(out + ".json", "w") as handle:
        json.dump({"epoch": history.epoch, "history": history.history}, handle)
""")

ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")


def _run(script, backup_dir, out, kill_at):
    return subprocess.run([sys.executable, str(script), str(backup_dir), str(out), str(kill_at)],
                          env=ENV, capture_output=True, text=True, timeout=120)


def _result(out):
    with np.load(f"{out}.npz") as weights:
        arrays = [weights[k] for k in sorted(weights.files, key=lambda k: int(k.split("_")[1]))]
    with open(f"{out}.json") as handle:
        return arrays, json.load(handle)


@pytest.mark.slow
def test_killed_runs_resume_to_the_uninterrupted_result(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_with_kill_at(SCRIPT))
    done = _run(script, tmp_path / "reference_backup", tmp_path / "reference", 0)
    assert done.returncode == 0, done.stderr
    reference_weights, reference_history = _result(tmp_path / "reference")
    assert not (tmp_path / "reference_backup").exists()  # deleted after a normal finish

    kill_points = np.random.default_rng(7).integers(1, 14, size=4).tolist()
    kills = 0
    for kill_at in kill_points + [0]:
        run = _run(script, tmp_path / "backup", tmp_path / "resumed", kill_at)
        if run.returncode == -signal.SIGKILL:
            kills += 1
            continue
        assert run.returncode == 0, run.stderr
        break
    assert kills == len(kill_points)  # every kill point fell inside a (resumed) run
    weights, history = _result(tmp_path / "resumed")
    assert history == reference_history
    for a, b in zip(weights, reference_weights):
        np.testing.assert_array_equal(a, b)


def test_epoch_backups_and_bad_arguments(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    model = keras.Sequential([layers.Dense(1, input_shape=[3])])
    model.compile(optimizer="sgd", loss="mse")

    class Fail(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("simulated crash")

    backup = callbacks.BackupAndRestore(tmp_path / "b", delete_checkpoint=True)
    with pytest.raises(RuntimeError, match="simulated crash"):
        model.fit(x, y, epochs=4, verbose=0, seed=0, callbacks=[backup, Fail()])
    assert (tmp_path / "b" / "latest").exists()  # kept after a failure
    history = model.fit(x, y, epochs=4, verbose=0, seed=0, callbacks=[backup])
    assert history.epoch == [0, 1, 2, 3] and len(history.history["loss"]) == 4
    assert not (tmp_path / "b").exists()
    with pytest.raises(ValueError, match="BackupAndRestore: save_freq must be an integer >= 1, "
                                         "got save_freq=0; save_freq='epoch' backs up"):
        callbacks.BackupAndRestore(tmp_path, save_freq=0)


# -- issue 18, items 4-6: the callbacks' state is in the backup; a backup is checked ---------------
class _CrashAtEpochBegin(callbacks.Callback):
    """Raises when epoch ``epoch`` begins: the run dies just after the previous epoch's backup."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("simulated crash")


def _stateful_fit(folder, crash_at=None, x=None, batch_size=16, units=32, extra=()):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((60, 4)) if x is None else x
    y = x[:, :1] + 0.8 * rng.standard_normal((60, 1))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((4,)), layers.Dense(units, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    stop = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    used = [stop, callbacks.ReduceLROnPlateau(patience=1, factor=0.5),
            callbacks.ModelCheckpoint(str(folder / "best.neurona"), save_best_only=True),
            callbacks.CSVLogger(folder / "log.csv"), *extra,
            callbacks.BackupAndRestore(folder / "backup")]
    if crash_at is not None:
        used.append(_CrashAtEpochBegin(crash_at))
    history = model.fit(x, y, epochs=40, batch_size=batch_size, validation_split=0.25,
                        verbose=0, seed=1, callbacks=used)
    return model, history, stop


def test_a_crash_just_after_the_best_epoch_resumes_bitwise(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    model, history, stop = _stateful_fit(tmp_path / "a")
    assert stop.best_epoch == 2 and history.epoch == [0, 1, 2, 3, 4]  # stops 2 epochs later
    with pytest.raises(RuntimeError, match="simulated crash"):
        _stateful_fit(tmp_path / "b", crash_at=stop.best_epoch + 1)
    resumed, resumed_history, resumed_stop = _stateful_fit(tmp_path / "b")
    assert resumed_history.history == history.history  # today: 3 more epochs than this
    assert resumed_stop.best_epoch == stop.best_epoch
    for a, b in zip(resumed.get_weights(), model.get_weights()):  # the best epoch's weights
        np.testing.assert_array_equal(a, b)
    assert float(resumed.optimizer.learning_rate) == float(model.optimizer.learning_rate)
    assert (tmp_path / "b" / "log.csv").read_text() == (tmp_path / "a" / "log.csv").read_text()
    best, resumed_best = (keras.models.load_model(tmp_path / d / "best.neurona") for d in "ab")
    for a, b in zip(resumed_best.get_weights(), best.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_tensorboard_steps_continue_after_a_resume(tmp_path):
    board = callbacks.TensorBoard(tmp_path / "logs", update_freq=1)
    (tmp_path / "a").mkdir()
    with pytest.raises(RuntimeError, match="simulated crash"):
        _stateful_fit(tmp_path / "a", crash_at=2, extra=[board])
    assert board.get_state() == {"global_train_batch": 6}  # 3 batches in each of 2 epochs
    again = callbacks.TensorBoard(tmp_path / "logs", update_freq=1)
    _stateful_fit(tmp_path / "a", extra=[again])
    assert again.get_state() == {"global_train_batch": 15}  # 5 epochs in all, counted on


def _crashed_backup(tmp_path):
    (tmp_path / "run").mkdir(exist_ok=True)
    with pytest.raises(RuntimeError, match="simulated crash"):
        _stateful_fit(tmp_path / "run", crash_at=2)
    return tmp_path / "run"


@pytest.mark.parametrize("change, message", [
    (dict(batch_size=8), "was made with batch size 16, this fit has batch size 8"),
    (dict(x=np.random.default_rng(9).standard_normal((60, 4))),
     r"was made with other training data \(the rows' digest differs"),
    (dict(x=np.random.default_rng(3).standard_normal((80, 4))[:60][::-1].copy()),
     "other training data"),
    (dict(units=16), r"is of another model: weight 0 is \['dense/kernel', \[4, 32\]\] there but "
                     r"\['dense/kernel', \[4, 16\]\] here"),
    (dict(extra=[callbacks.TerminateOnNaN()]), None),  # stateless: not part of the backup
])
def test_a_backup_is_checked_against_the_fit_that_resumes_it(tmp_path, change, message):
    folder = _crashed_backup(tmp_path)
    if message is None:
        _stateful_fit(folder, **change)
        return
    with pytest.raises(ValueError, match=message + ".*delete .* to start afresh"):
        _stateful_fit(folder, **change)


def test_a_backup_with_other_rows_or_callbacks_is_refused(tmp_path):
    folder = _crashed_backup(tmp_path)
    backup = callbacks.BackupAndRestore(folder / "backup")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((60, 4))
    y = x[:, :1] + 0.8 * rng.standard_normal((60, 1))
    model = keras.Sequential([layers.Input((4,)), layers.Dense(32, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="was made with 45 training rows, this fit has 67"):
        model.fit(np.concatenate([x, x[:30]]), np.concatenate([y, y[:30]]), batch_size=16,
                  validation_split=0.25, verbose=0, callbacks=[backup])
    with pytest.raises(ValueError, match=r"holds the state of the callbacks \['EarlyStopping', "
                                         r"'ReduceLROnPlateau', 'ModelCheckpoint', 'CSVLogger'\], "
                                         r"this fit has \[\]; pass the same callbacks"):
        model.fit(x, y, batch_size=16, validation_split=0.25, verbose=0, callbacks=[backup])


def _damage_latest(folder, name, damage):
    latest = folder / "backup" / json.loads((folder / "backup" / "latest").read_text())
    path = latest / name
    path.write_bytes(damage(path.read_bytes()))


@pytest.mark.parametrize("name, damage, message", [
    ("arrays.npz", lambda data: data[: len(data) // 2], r"arrays.npz cannot be read"),
    ("arrays.npz", lambda data: b"", r"arrays.npz cannot be read"),
    ("state.json", lambda data: data[:-7], r"state.json cannot be read \(JSONDecodeError"),
    ("state.json", lambda data: b"\xff\xfe" + data, r"state.json cannot be read"),
    ("state.json", lambda data: b'{"epoch": 1}', r"state.json lacks \['batch', 'seen'"),
])
def test_a_damaged_backup_is_a_clear_error(tmp_path, name, damage, message):
    folder = _crashed_backup(tmp_path)
    _damage_latest(folder, name, damage)
    with pytest.raises(ValueError, match=f"BackupAndRestore: .*{message}.*delete"):
        _stateful_fit(folder)


STATEFUL_SCRIPT = textwrap.dedent("""
    import json, os, signal, sys
    import numpy as np
    import neurona as keras
    from neurona import callbacks, layers

    folder, kill_at = sys.argv[1], int(sys.argv[2])

    {kill_at}

    rng = np.random.default_rng(3)
    x = rng.standard_normal((60, 4)).astype("float32")
    y = (x[:, :1] + 0.8 * rng.standard_normal((60, 1))).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((4,)), layers.Dense(32, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    stop = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=40, batch_size=8, validation_split=0.25, verbose=0, seed=1,
                        callbacks=[stop, callbacks.ReduceLROnPlateau(patience=1, factor=0.5),
                                   callbacks.CSVLogger(os.path.join(folder, "log.csv")),
                                   callbacks.BackupAndRestore(os.path.join(folder, "backup"),
                                                              save_freq=2),
                                   KillAt()])
    np.savez(os.path.join(folder, "weights.npz"), *model.get_weights())
    with open(os.path.join(folder, "history.json"), "w") as handle:
        json.dump({"epoch": history.epoch, "history": history.history,
                   "best_epoch": stop.best_epoch}, handle)
""")


@pytest.mark.slow
def test_sigkills_with_early_stopping_and_stateful_callbacks_resume_bitwise(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_with_kill_at(STATEFUL_SCRIPT))

    def run(folder, kill_at):
        folder.mkdir(exist_ok=True)
        return subprocess.run([sys.executable, str(script), str(folder), str(kill_at)], env=ENV,
                              capture_output=True, text=True, timeout=120)

    assert run(tmp_path / "reference", 0).returncode == 0
    kills = 0
    for kill_at in np.random.default_rng(11).integers(1, 9, size=12).tolist() + [0]:
        done = run(tmp_path / "resumed", kill_at)
        if done.returncode == -signal.SIGKILL:
            kills += 1
            continue
        assert done.returncode == 0, done.stderr
        break
    assert kills >= 3
    for name in ("history.json", "log.csv"):
        assert (tmp_path / "resumed" / name).read_text() == \
            (tmp_path / "reference" / name).read_text(), name
    with np.load(tmp_path / "resumed" / "weights.npz") as got, \
            np.load(tmp_path / "reference" / "weights.npz") as want:
        for key in want.files:
            np.testing.assert_array_equal(got[key], want[key])


def test_a_callback_state_that_is_not_data_is_named(tmp_path):
    class Holds(callbacks.Callback):
        def get_state(self):
            return {"handle": object()}

        def set_state(self, state):
            raise AssertionError("never restored: the backup could not be written")

    model = keras.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match=r"Holds.get_state\(\) returned 'handle' as a object; a "
                                        r"callback's state must be JSON data"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0,
                  callbacks=[Holds(), callbacks.BackupAndRestore(tmp_path / "b")])
