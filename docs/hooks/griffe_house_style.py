"""Griffe extension for the API reference: the docstrings' ``Example:`` sections (the house
style's singular) are read as Google-style ``Examples:``, so their ``>>>`` lines are rendered
as code, not as Markdown (where ``[1, 2]`` output lines would read as link references); and
Sphinx cross-reference roles (``:class:`Layer```) are shown as code (Markdown has none)."""

import re

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):`~?([^`]+)`")


class HouseStyle(griffe.Extension):
    """Rename each docstring's ``Example:`` section heading to ``Examples:`` and turn Sphinx
    roles into inline code."""

    def on_instance(self, *, obj, **kwargs):
        docstring = getattr(obj, "docstring", None)
        if docstring is not None and docstring.value:
            text = _EXAMPLE.sub(r"\1Examples:", docstring.value)
            docstring.value = _ROLE.sub(r"`\1`", text)
