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

SCRIPT = textwrap.dedent("""
    import json, os, signal, sys
    import numpy as np
    import neurona as keras
    from neurona import callbacks, layers

    backup_dir, out, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class KillAt(callbacks.Callback):
        # SIGKILL this process after its kill_at-th batch (0: never)
        def __init__(self):
            super().__init__()
            self.count = 0
        def on_train_batch_end(self, batch, logs=None):
            self.count += 1
            if self.count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

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
    script.write_text(SCRIPT)
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
