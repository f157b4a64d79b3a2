"""Running the code blocks of a Markdown page as a reader would: the ``python`` blocks in
order (in one namespace or each in a fresh one), the ``bash`` blocks' commands one after the
other in one working folder (``neurona ...`` through the command line's ``main``,
``python FILE`` in a subprocess)."""

import contextlib
import os
import pathlib
import re
import shlex
import subprocess
import sys

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
    """The commands of a bash block: continuation lines joined, ``&&`` chains split,
    comments and blank lines dropped."""
    joined = code.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        chain = " ".join(shlex.quote(w) for w in words)
        found += [part.strip() for part in chain.split(" && ")]
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


def run_command(command, folder):
    """Run one shell command of a page in ``folder``; returns its exit status and output."""
    from neurona.cli import main

    # the repository's files (examples/...) are where a reader at the clone's root finds them
    words = [str(ROOT / w) if w.startswith(("examples/", "src/")) else w
             for w in shlex.split(command)]
    if words[0] == "neurona":
        with _inside(folder):
            return main(words[1:]), ""
    if words[0] == "python":
        script = words[1:]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), MPLBACKEND="Agg")
        done = subprocess.run([sys.executable, *script], cwd=folder, capture_output=True,
                              text=True, timeout=600, env=env)
        return done.returncode, done.stdout + done.stderr
    raise AssertionError(f"the page runs a command the test does not know: {command!r}")


def runnable(command):
    return not command.startswith(NOT_RUN)
