"""Helpers shared by test modules (fixtures live in conftest.py)."""

import os
import signal
import sqlite3
import threading
import time


def run_cli(capsys, *argv):
    """``neurona.cli.main(argv)`` -> (exit status, stdout, stderr)."""
    from neurona.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def saved_model_predictions(model_file, raw, preprocessing_file=None):
    """What the model saved in ``model_file`` predicts for raw table rows, encoded by the
    encoder saved in ``preprocessing_file`` (default: the model file itself)."""
    import neurona as keras
    from neurona.data import TabularEncoder
    from neurona.saving.api import load_preprocessing

    model = keras.saving.load_model(model_file)
    preprocessing = load_preprocessing(preprocessing_file or model_file)
    encoder = TabularEncoder.from_config(preprocessing["encoder"])
    return model.predict(encoder.transform(raw), verbose=0)[:, 0]


def running_trial_pids(db_path):
    """(trial number, pid) of the RUNNING trials of a tuner's SQLite study, read-only: it never
    creates the tables itself, so it can poll while the driver is still making them."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return [(number, int(pid)) for number, pid in db.execute(
                "SELECT t.number, a.value_json FROM trials t JOIN trial_user_attributes a "
                "ON a.trial_id = t.trial_id WHERE t.state = 'RUNNING' AND a.key = 'pid'")]
    except sqlite3.Error:
        return []


def trial_states(db_path):
    """{trial number: state} of a tuner's SQLite study, read-only (empty before its tables
    exist)."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return dict(db.execute("SELECT number, state FROM trials"))
    except sqlite3.Error:
        return {}


def wait_for_states(db_path, ready, timeout):
    """Poll the study until ``ready(states)`` holds; returns the states (fails after
    ``timeout`` seconds)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = trial_states(db_path)
        if ready(states):
            return states
        time.sleep(0.05)
    raise AssertionError(f"the study never reached the awaited states: {trial_states(db_path)}")


def kill_a_running_trial(db_path, first_number, timeout):
    """Start a thread that SIGKILLs the worker of the first RUNNING trial numbered
    ``first_number`` or later (within ``timeout`` seconds). Returns ``(thread, killed)``:
    join the thread, then ``killed`` holds the killed trial's number (empty if none ran)."""
    killed = []

    def killer():
        deadline = time.time() + timeout
        while time.time() < deadline:
            for number, pid in running_trial_pids(db_path):
                if number >= first_number:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(number)
                    return
            time.sleep(0.05)

    thread = threading.Thread(target=killer)
    thread.start()
    return thread, killed


def real_keras():
    """Keras 3, the reference for Keras semantics (skips without it): see :func:`keras3`."""
    return keras3()


def assert_saved_model_predicts_the_same(model, x, folder):
    """``model.save`` then ``keras.saving.load_model``: the same config, weights and, bit for
    bit, predictions; returns the loaded model."""
    import numpy as np

    import neurona as keras

    path = folder / f"{model.name}.neurona"
    model.save(path)
    loaded = keras.saving.load_model(path)
    before = model.predict(x, verbose=0)
    after = loaded.predict(x, verbose=0)
    for a, b in zip(before if isinstance(before, list) else [before],
                    after if isinstance(after, list) else [after]):
        np.testing.assert_array_equal(a, b)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    return loaded
def keras3():
    """Keras 3, the reference of the Keras-parity tests (skipped when not installed), on its
    PyTorch backend: JAX's threads make every later ``os.fork`` in the test process (the
    tuner's workers) warn of a deadlock. Its arrays warn about NumPy 2's ``copy`` keyword;
    tests that use it filter that warning (``KERAS_WARNINGS``)."""
    import warnings

    import pytest

    os.environ.setdefault("KERAS_BACKEND", "torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("keras")


#: the warnings Keras 3 itself raises under NumPy 2 (not neurona's)
KERAS_WARNINGS = "ignore::DeprecationWarning:keras"


def keras_numpy(x):
    """A Keras output as a NumPy array (its torch tensors may require a gradient)."""
    import numpy as np

    if type(x).__module__.startswith("torch"):
        x = x.detach().cpu()
    return np.asarray(x)
