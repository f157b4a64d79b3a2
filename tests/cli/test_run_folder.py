"""Run folders under concurrency and signals: default names are unique and claimed before
training; SIGTERM/SIGHUP leave no temporary; a SIGKILLed run's temporary is swept by the
next run in the same folder."""

import os
import signal
import subprocess
import sys
import time

import pytest

from neurona import tempfiles
from neurona.cli.run_folder import default_out, release_claim

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")


def start_train(data_dir, cwd, epochs):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    argv = [sys.executable, "-m", "neurona", "train", str(data_dir / "boston_housing.csv"),
            "--target", "medv", "--epochs", str(epochs), "--no-early-stopping",
            "--no-tensorboard", "-q"]
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def wait_for_training(runs, timeout=120):
    """The run's hidden temporary folder, once it exists (training has started)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [n for n in os.listdir(runs) if n.endswith(".tmp")] if runs.is_dir() else []
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("the run never started training")


def test_default_folders_of_the_same_second_differ_and_are_claimed(tmp_path):
    first, second = (default_out("data/boston.csv", root=tmp_path / "runs") for _ in range(2))
    assert first != second
    for path in (first, second):  # created now (mkdir), empty until the run publishes
        assert os.path.isdir(path) and os.listdir(path) == []
        assert os.path.basename(path).endswith("-boston")
        assert tempfiles._tracked[os.path.abspath(path)] is True  # a signal removes it
    (tmp_path / "runs" / os.path.basename(second) / "model.neurona").write_bytes(b"published")
    for path in (first, second):
        release_claim(path)
    assert not os.path.exists(first) and os.path.isdir(second)  # an empty claim goes
    assert tempfiles._tracked == {}


@pytest.mark.slow
def test_two_runs_started_together_both_succeed_in_their_own_folders(data_dir, tmp_path):
    runs = [start_train(data_dir, tmp_path, epochs=2) for _ in range(2)]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read().decode()
        run.stderr.close()
    folders = sorted(os.listdir(tmp_path / "runs"))
    assert len(folders) == 2
    for name in folders:
        assert (tmp_path / "runs" / name / "model.neurona").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_terminated_run_leaves_nothing_in_runs(data_dir, tmp_path, number):
    run = start_train(data_dir, tmp_path, epochs=100000)
    wait_for_training(tmp_path / "runs")
    run.send_signal(number)
    assert run.wait(timeout=60) == -number
    run.stderr.close()
    assert os.listdir(tmp_path / "runs") == []  # neither the temporary nor the claimed folder


@pytest.mark.slow
def test_the_next_run_sweeps_the_temporary_of_a_killed_one(data_dir, tmp_path):
    killed = start_train(data_dir, tmp_path, epochs=100000)
    stale = wait_for_training(tmp_path / "runs")
    killed.kill()
    killed.wait(timeout=60)
    killed.stderr.close()
    assert f"-{killed.pid}." in stale and (tmp_path / "runs" / stale).is_dir()
    assert len(os.listdir(tmp_path / "runs")) == 2  # its temporary and its claimed folder
    run = start_train(data_dir, tmp_path, epochs=1)
    assert run.wait(timeout=300) == 0, run.stderr.read().decode()
    run.stderr.close()
    (left,) = os.listdir(tmp_path / "runs")  # the new run's folder only: the killed run's
    assert (tmp_path / "runs" / left / "model.neurona").is_file()  # claim went with its temp


def test_a_failed_run_releases_its_claimed_default_folder(data_dir, tmp_path, monkeypatch,
                                                          capsys):
    pytest.importorskip("optuna")
    from ..helpers import run_cli

    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "tune", data_dir / "boston_housing.csv", "--target", "medv",
                           "--trials", "1", "--objective", "auc")  # auc: not for regression
    assert code == 2 and "auc" in err
    assert os.listdir(tmp_path / "runs") == []  # the claimed folder went with the failure
    code, _, err = run_cli(capsys, "tune", data_dir / "boston_housing.csv", "--target", "medv",
                           "--resume")
    assert code == 2 and "--resume needs --out" in err
    assert os.listdir(tmp_path / "runs") == []
