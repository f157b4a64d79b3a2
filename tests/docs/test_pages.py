"""The documentation pages' code runs on the shipped data: the getting-started page in the
quick tier, the tutorials and the other pages in the slow tier."""

import pytest

from .blocks import ROOT, code_blocks, commands, Services, run_command, run_python, runnable

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

DOCS = ROOT / "docs"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")
               if "hooks" not in p.parts)


@pytest.fixture(autouse=True)
def _headless():
    import matplotlib

    matplotlib.use("Agg")


def _run_page(page, folder):
    path = DOCS / page
    with Services() as services:
        for line, code in code_blocks(path, "bash"):
            for command in commands(code):
                if runnable(command):
                    status, output = run_command(command, folder, services)
                    assert status == 0, f"{page} line {line}: {command}\n{output}"
    namespace = {"__name__": "__page__"}  # a page's blocks build on each other
    for line, code in code_blocks(path, "python"):
        try:
            run_python(code, folder, namespace)
        except Exception as err:  # noqa: BLE001 - say which block failed
            raise AssertionError(f"{page} line {line}: {type(err).__name__}: {err}") from err


def test_getting_started_runs(tmp_path, capsys):
    _run_page("getting-started.md", tmp_path)
    assert (tmp_path / "runs" / "boston" / "report.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if p != "getting-started.md"])
def test_every_page_runs(page, tmp_path, capsys):
    if "sklearn" in page:
        pytest.importorskip("sklearn")
    _run_page(page, tmp_path)
