"""The local executor under faults: a fork server killed mid-study, workers that outlive it."""

import os
import signal
import subprocess
import sys

import pytest

pytest.importorskip("optuna")

from ..helpers import running_trial_pids, trial_states, wait_for_states  # noqa: E402

DRIVER = os.path.join(os.path.dirname(__file__), "study_driver.py")


def start_driver(folder, trials, jobs, resume=False, stderr=None):
    """The study driver (``study_driver.py``) as a process of its own."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    argv = [sys.executable, DRIVER, str(folder), str(trials), str(jobs)]
    return subprocess.Popen(argv + (["--resume"] if resume else []), env=env,
                            stdout=subprocess.DEVNULL, stderr=stderr)


def parent_pid(pid):
    with open(f"/proc/{pid}/stat") as stream:
        return int(stream.read().rsplit(")", 1)[1].split()[1])


def command_line(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as stream:
        return stream.read().replace(b"\0", b" ").decode()


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds the fork server in /proc")
def test_a_killed_fork_server_neither_fails_live_trials_nor_hangs_the_study(tmp_path):
    folder = tmp_path / "study"
    with open(tmp_path / "driver.err", "wb") as errors:
        driver = start_driver(folder, trials=6, jobs=2, stderr=errors)
    try:
        wait_for_states(folder / "study.db",
                        lambda s: list(s.values()).count("RUNNING") == 2, timeout=120)
        worker = running_trial_pids(folder / "study.db")[0][1]
        server = parent_pid(worker)
        assert "forkserver" in command_line(server)
        os.kill(server, signal.SIGKILL)
        assert driver.wait(timeout=120) == 0, (tmp_path / "driver.err").read_text()
    finally:
        driver.kill()
        driver.wait()
    states = trial_states(folder / "study.db")
    # the trials running when the server died were not marked failed: their workers lived
    assert sorted(states.values()) == ["COMPLETE"] * 6, states
    kept = sorted(os.listdir(folder / "trials"))
    assert kept == [f"trial_{n:04d}.neurona" for n in range(6)]
