"""The local executor under faults: a fork server killed mid-study, workers that outlive it,
and a soak of random SIGKILLs of workers, fork server and driver (with resume)."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
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


def _victim_pid(kind, driver, db_path):
    """The pid of a ``kind`` process of a running study, or None (no trial running now)."""
    if kind == "driver":
        return driver.pid
    running = running_trial_pids(db_path)
    if not running:
        return None
    worker = running[0][1]
    if kind == "worker":
        return worker
    try:
        server = parent_pid(worker)
    except OSError:
        return None
    return server if "forkserver" in command_line(server) else None


def _kill_round(rng, folder, trials, jobs, errors):
    """Run a study while SIGKILLing one or two random processes of it (a worker, the fork
    server, the driver: then resumed); returns the kinds killed."""
    db_path = folder / "study.db"
    driver = start_driver(folder, trials, jobs, stderr=errors)
    killed = []
    try:
        for kind in rng.choice(["worker", "forkserver", "driver"], size=rng.integers(1, 3)):
            wait_for_states(db_path, lambda s: "RUNNING" in s.values() or
                            driver.poll() is not None, timeout=120)
            time.sleep(rng.uniform(0, 0.4))
            pid = _victim_pid(kind, driver, db_path)
            if pid is None or driver.poll() is not None:
                break
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            killed.append(str(kind))
            if kind == "driver":
                driver.wait(timeout=30)
                driver = start_driver(folder, trials, jobs, resume=True, stderr=errors)
        assert driver.wait(timeout=180) == 0, f"killed {killed}: " + errors.name
    finally:
        driver.kill()
        driver.wait()
    return killed


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds the fork server in /proc")
def test_soak_random_kills_of_workers_fork_server_and_driver(tmp_path):
    """Issue 18.3: every round ends with exactly the trials asked for, nothing RUNNING, a
    model file for every completed trial, and a failed trial only for a killed worker."""
    rng = np.random.default_rng(18)
    trials, started, rounds = 4, time.monotonic(), 0
    kinds = []
    while rounds < 20 and time.monotonic() - started < 150:
        folder = tmp_path / f"round{rounds}"
        with open(tmp_path / f"round{rounds}.err", "wb") as errors:
            killed = _kill_round(rng, folder, trials, 2, errors)
        states = list(trial_states(folder / "study.db").values())
        assert states.count("COMPLETE") + states.count("PRUNED") == trials, (killed, states)
        assert "RUNNING" not in states, (killed, states)
        assert states.count("FAIL") <= killed.count("worker"), (killed, states)
        kept = len(os.listdir(folder / "trials"))
        assert kept == states.count("COMPLETE"), (killed, states, kept)
        kinds += killed
        rounds += 1
    print(f"soak: {rounds} rounds in {time.monotonic() - started:.0f} s, kills: {kinds}")
    assert rounds >= 5, f"only {rounds} rounds in the time allowed"
    assert {"worker", "forkserver", "driver"} <= set(kinds), kinds
