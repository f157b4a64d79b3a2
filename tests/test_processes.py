"""Process liveness by pid and start time: zombies and reused pids are not taken for alive."""

import os
import subprocess
import sys

import pytest

from neurona.processes import process_alive, process_identity


def test_this_process_is_alive_and_named_by_its_start_time():
    assert process_alive(os.getpid())
    identity = process_identity(os.getpid())
    if identity is None:
        pytest.skip("no /proc here: pids are checked without start times")
    assert process_alive(os.getpid(), identity)
    assert not process_alive(os.getpid(), str(int(identity) + 1))  # a reused pid


def test_an_ended_process_is_dead_reaped_or_not():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped: a zombie
    assert not process_alive(child.pid)
    child.wait()
    assert not process_alive(child.pid)


@pytest.mark.parametrize("pid", [None, "12", 0, -1, True])
def test_what_is_not_a_pid_is_not_alive(pid):
    assert not process_alive(pid)
