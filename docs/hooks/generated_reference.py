"""MkDocs hook: the reference pages are generated while the site is built, from the code.

* ``<!-- generated: run-configuration -->``, ``search-space`` and ``commands`` get the Markdown
  that :mod:`neurona.cli.reference` makes from the schema and the parser the command line
  validates against, so the command line and YAML reference cannot drift from the code.
* ``<!-- generated: api neurona.layers -->`` gets one mkdocstrings directive per public class
  and function the package exposes (its ``__all__``, or every public name), so a layer added
  to ``neurona.layers`` appears in the API reference without editing the page.
"""

import importlib
import inspect
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))

from neurona.cli import reference  # noqa: E402

API_MARKER = re.compile(r"^<!-- generated: api (\S+) -->$", re.MULTILINE)


def api_members(package):
    """Qualified names (where each is defined) of the public classes and functions that
    ``package`` exposes, in the order of its ``__all__`` (else alphabetical)."""
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    found = []
    for name in names:
        obj = getattr(module, name, None)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        home = getattr(obj, "__module__", "") or ""
        if not home.startswith("neurona") or name.startswith("_"):
            continue
        qualified = f"{home}.{obj.__qualname__}"
        if qualified not in found:
            found.append(qualified)
    return found


def _api(match):
    package = match.group(1)
    return "\n".join(f"::: {name}\n    options:\n      heading_level: 3\n"
                     for name in api_members(package))


def on_page_markdown(markdown, page, config, files):
    """Replace the markers of ``page`` with their generated Markdown."""
    return API_MARKER.sub(_api, reference.markdown(markdown))
