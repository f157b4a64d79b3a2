"""The documentation site: its generated reference covers the code (every configuration key,
search-space key, command option and public API name), and ``mkdocs build --strict`` builds
it without a warning (slow tier; ``.ci/run`` builds it too)."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from .blocks import ROOT

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")


def _hook():
    spec = importlib.util.spec_from_file_location(
        "generated_reference", ROOT / "docs" / "hooks" / "generated_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cli_page():
    return _hook().on_page_markdown((ROOT / "docs" / "cli.md").read_text(), None, None, None)


def test_the_reference_page_lists_every_configuration_key_and_option():
    from neurona.cli import build_parser, schema

    page = _cli_page()
    assert "<!-- generated" not in page
    for name, *_ in schema.reference_rows():
        assert f"| `{name}` |" in page, name
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert f"### neurona {name}" in page
        for action in command._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help", "--debug"):
                    assert f"`{flag}`" in page, (name, flag)


def test_the_reference_page_lists_every_search_space_parameter_and_key():
    from neurona.tuner.mlp import MLP_PARAMETERS
    from neurona.tuner.space import _KEYS, _TYPES

    page = _cli_page()
    for name in (*MLP_PARAMETERS, *_KEYS, *_TYPES):
        assert f"| `{name}` |" in page, name


def test_every_public_layer_gets_an_api_entry():
    import inspect

    import neurona.layers

    members = _hook().api_members("neurona.layers")
    public = {n for n in dir(neurona.layers) if not n.startswith("_")
              and (inspect.isclass(getattr(neurona.layers, n))
                   or inspect.isfunction(getattr(neurona.layers, n)))}
    assert {m.rsplit(".", 1)[1] for m in members} == public
    assert "neurona.layers.core.Dense" in members


@pytest.mark.slow
def test_the_site_builds_strictly(tmp_path):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WARNING" not in done.stderr
    layers = (tmp_path / "site" / "api" / "layers" / "index.html").read_text()
    assert 'id="neurona.layers.core.Dense"' in layers
    cli = (tmp_path / "site" / "cli" / "index.html").read_text()
    assert "threshold.metric" in cli and "neurona tune" in cli
    for page in ("getting-started", "from-keras", "from-sklearn", "tutorials/caravan"):
        assert (tmp_path / "site" / page / "index.html").is_file()
    assert not re.search(r"&lt;!-- generated", cli)
