"""Running the code blocks of a Markdown page as a reader would: the ``python`` blocks in
order (in one namespace or each in a fresh one), the ``bash`` blocks' commands one after the
other in one working folder (``neurona ...`` through the command line's ``main``,
``python FILE`` in a subprocess)."""

import contextlib
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^```(python|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: commands a page shows that a test does not run here: installing, the test command itself,
#: the site build (tests/docs/test_site.py), the case studies' cross-validation (run by
#: tests/examples/test_case_studies.py) and the benchmarks (never run for timing in tests)
NOT_RUN = ("pip install", "python -m pytest", "mkdocs ",
           "python examples/case_studies/cross_validate.py", "python benchmarks/")


def code_blocks(path, language):
    """``[(line number, code)]`` of the page's ``language`` blocks."""
    text = pathlib.Path(path).read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(2)) for m in _FENCE.finditer(text)
            if m.group(1) == language]


def commands(code):
    """The commands of a bash block: continuation lines and quoted strings over several lines
    joined, ``&&`` chains split, comments and blank lines dropped."""
    joined = code.replace("\\\n", " ")
    found, pending = [], ""
    for line in joined.splitlines():
        pending += line + "\n"
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # a quoted string goes on over the next line, as bash reads it
            continue
        pending = ""
        if not words:
            continue
        chain = " ".join(shlex.quote(w) for w in words)
        found += [part.strip() for part in chain.split(" && ")]
    if pending.strip():
        raise AssertionError(f"a bash block leaves a quotation open: {pending!r}")
    return found


def run_python(code, folder, namespace=None):
    """Execute a python block in ``folder``, in ``namespace`` (a page's blocks build on each
    other) or a fresh one; returns the namespace."""
    namespace = {"__name__": "__page__"} if namespace is None else namespace
    with _inside(folder):
        exec(compile(code, "<block>", "exec"), namespace)  # noqa: S102 - the page's own code
    return namespace


@contextlib.contextmanager
def _inside(folder):
    """Work in ``folder``; worker processes started meanwhile (the tuner's) import this
    checkout whatever folder they start in (a relative PYTHONPATH would not reach it)."""
    previous, path = os.getcwd(), os.environ.get("PYTHONPATH")
    os.chdir(folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    try:
        yield
    finally:
        os.chdir(previous)
        if path is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = path


def run_command(command, folder, services=None):
    """Run one shell command of a page in ``folder``; returns its exit status and output.

    ``neurona serve`` starts the service in the background on a free port (``services``, a
    :class:`Services`, stops it when the page is done); a later ``curl`` to the port the page
    named reaches it."""
    from neurona.cli import main

    # the repository's files (examples/...) are where a reader at the clone's root finds them
    words = [str(ROOT / w) if w.startswith(("examples/", "src/")) else w
             for w in shlex.split(command)]
    if words[:2] == ["neurona", "serve"]:
        if services is None:
            raise AssertionError(f"a page that runs {command!r} needs a Services()")
        return services.start(words[1:], folder)
    if words[0] == "neurona":
        with _inside(folder):
            return main(words[1:]), ""
    if words[0] == "curl":
        if shutil.which("curl") is None:
            pytest.skip("curl is not installed (.ci/run installs it)")
        words = [services.address(w) if services is not None else w for w in words]
        done = subprocess.run(["curl", "--fail-with-body", *words[1:]], cwd=folder,
                              capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout + done.stderr
    if words[0] == "python":
        script = words[1:]
        done = subprocess.run([sys.executable, *script], cwd=folder, capture_output=True,
                              text=True, timeout=600, env=_child_env())
        return done.returncode, done.stdout + done.stderr
    raise AssertionError(f"the page runs a command the test does not know: {command!r}")


def _child_env():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), MPLBACKEND="Agg")


class Services(contextlib.AbstractContextManager):
    """The ``neurona serve`` processes a page started, each on a free port standing in for the
    port the page names; stopped on exit."""

    def __init__(self):
        self.processes, self.ports = [], {}

    def start(self, argv, folder):
        wanted = argv[argv.index("--port") + 1] if "--port" in argv else "8000"
        port = str(_free_port())
        argv = [port if i > 0 and argv[i - 1] == "--port" else w for i, w in enumerate(argv)]
        if "--port" not in argv:
            argv += ["--port", port]
        process = subprocess.Popen([sys.executable, "-m", "neurona", *argv], cwd=folder,
                                   env=_child_env(), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        self.processes.append(process)
        self.ports[wanted] = port
        return (0, "") if _answers(port, process) else (1, process.communicate(timeout=30)[0])

    def address(self, word):
        """``word`` with a port the page named replaced by the port its service listens on."""
        for wanted, port in self.ports.items():
            word = re.sub(rf"(localhost|127\.0\.0\.1):{wanted}\b", rf"\g<1>:{port}", word)
        return word

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
            process.communicate(timeout=30)


def _free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port, process, seconds=60):
    """Whether the service on ``port`` answers /health before ``seconds`` pass (False as soon
    as its process exits)."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def runnable(command):
    return not command.startswith(NOT_RUN)
