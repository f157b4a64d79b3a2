"""Griffe extension for the API reference: the docstrings' ``Example:`` sections (the house
style's singular) are read as Google-style ``Examples:``, so their ``>>>`` lines are rendered
as code, not as Markdown (where ``[1, 2]`` output lines would read as link references)."""

import re

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename each docstring's ``Example:`` section heading to ``Examples:``."""

    def on_instance(self, *, obj, **kwargs):
        docstring = getattr(obj, "docstring", None)
        if docstring is not None and docstring.value:
            docstring.value = _EXAMPLE.sub(r"\1Examples:", docstring.value)
