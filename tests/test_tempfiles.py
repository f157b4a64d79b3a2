"""Temporaries do not outlive their process: SIGTERM/SIGHUP remove them (and still end the
process by the signal), and those of a SIGKILLed process are swept by the next write."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from neurona import tempfiles
from neurona.atomic import atomic_write

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")

SLOW_WRITE = textwrap.dedent("""
    import signal, sys, time
    from neurona.atomic import atomic_write
    if len(sys.argv) > 2:  # a handler of the user's own, which must still run
        def own(number, frame):
            open(sys.argv[2], "w").write("ran")
            sys.exit(3)
        signal.signal(signal.SIGTERM, own)
    def write(stream):
        stream.write(b"half a model")
        print("writing", flush=True)
        time.sleep(60)
    atomic_write(sys.argv[1], write)
""")


def write_slowly(tmp_path, *extra):
    """A process stuck in the middle of ``atomic_write(tmp_path / 'model.bin')``."""
    script = tmp_path / "slow_write.py"
    script.write_text(SLOW_WRITE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, str(script), str(tmp_path / "model.bin"),
                              *map(str, extra)], env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "writing\n"
    return child


def temporaries(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_removes_the_temporary_and_still_ends_the_process(tmp_path,
                                                                                number):
    child = write_slowly(tmp_path)
    assert len(temporaries(tmp_path)) == 1  # .model.bin.HOST-PID.RANDOM.tmp
    child.send_signal(number)
    assert child.wait(timeout=30) == -number
    child.stdout.close()
    assert temporaries(tmp_path) == [] and not (tmp_path / "model.bin").exists()


def test_the_users_own_handler_still_runs_after_the_cleanup(tmp_path):
    marker = tmp_path / "handler_ran"
    child = write_slowly(tmp_path, marker)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 3
    child.stdout.close()
    assert marker.read_text() == "ran" and temporaries(tmp_path) == []


def test_a_sigkilled_writers_temporary_is_swept_by_the_next_write(tmp_path):
    child = write_slowly(tmp_path)
    child.kill()
    child.wait(timeout=30)
    child.stdout.close()
    (stale,) = temporaries(tmp_path)
    assert f".{tempfiles.HOST}-{child.pid}." in stale
    live = tmp_path / f".other.bin.{tempfiles.HOST}-{os.getpid()}.abcd1234.tmp"
    elsewhere = tmp_path / f".other.bin.{'0' * 6}-{child.pid}.abcd1234.tmp"  # another host
    for path in (live, elsewhere):  # a live process's, another machine's: kept
        path.write_bytes(b"in use")
    kept = [tmp_path / ".notes.tmp", tmp_path / f".run.{tempfiles.HOST}-{child.pid}.ab12.old"]
    for path in kept:  # not a temporary of ours, or a run folder's previous copy: kept
        path.write_bytes(b"keep me")
    atomic_write(tmp_path / "model.bin", lambda stream: stream.write(b"whole"))
    assert (tmp_path / "model.bin").read_bytes() == b"whole"
    assert temporaries(tmp_path) == sorted([".notes.tmp", live.name, elsewhere.name])
    assert all(path.exists() for path in kept)


def test_no_handler_is_left_behind_once_the_write_is_done(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    atomic_write(tmp_path / "a.bin", lambda stream: stream.write(b"a"))
    assert signal.getsignal(signal.SIGTERM) is before
    assert tempfiles._tracked == {}


def test_an_ignored_signal_stays_ignored(tmp_path):
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        path = tempfiles.make_temporary(str(tmp_path), "x", folder=True)
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is tempfiles._on_signal
        tempfiles.forget(path)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_private_temporary_folder_goes_on_sigterm_too(tmp_path):
    script = ("import time\nfrom neurona.tempfiles import temporary_directory\n"
              "with temporary_directory() as path:\n"
              "    open(path + '/part', 'w').write('x')\n"
              "    print(path, flush=True)\n"
              "    time.sleep(60)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                             text=True)
    path = child.stdout.readline().strip()
    assert os.path.isfile(os.path.join(path, "part"))
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == -signal.SIGTERM
    child.stdout.close()
    assert not os.path.exists(path)
