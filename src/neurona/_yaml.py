"""YAML configurations read as plain data, bounded by the file's honest size.

``yaml.safe_load`` builds no Python objects, but two things in it still let a small file cost
without bound: aliases (``*name``) repeat a node wherever they appear, so a few hundred bytes
of nested aliases expand to gigabytes ("billion laughs"); and the composer recurses once per
nesting level, so a deeply nested file ends in ``RecursionError``. A configuration needs
neither: aliases are refused (write the value out) and nesting is capped at
:data:`MAX_DEPTH` levels, each with the line it occurs on. Text must be UTF-8.
"""

import yaml

#: the deepest nesting a configuration may have (a run config uses 4 levels)
MAX_DEPTH = 64


class RefusedYAML(yaml.MarkedYAMLError):
    """A YAML construct configurations do not allow (an alias, nesting deeper than
    :data:`MAX_DEPTH`); ``problem`` says which and ``problem_mark`` where."""


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` (the pure-Python one: libyaml's composer cannot be bounded) that refuses
    aliases and nesting deeper than :data:`MAX_DEPTH` while composing, before any node is
    expanded or constructed."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise RefusedYAML(problem=f"the alias *{event.anchor} is refused: configurations "
                                      f"do not use YAML aliases (they can expand a small file "
                                      f"without bound); write the value out where it is needed",
                              problem_mark=event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise RefusedYAML(problem=f"the YAML nests deeper than {MAX_DEPTH} levels; a "
                                          f"configuration needs a few",
                                  problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def safe_load(text):
    """The data of a YAML document (``str``), as ``yaml.safe_load`` gives it, with aliases
    and deep nesting refused.

    Raises:
        RefusedYAML: an alias or too deep a nesting (a ``yaml.YAMLError``).
        yaml.YAMLError: invalid YAML, or a tag safe loading refuses.

    Example:
        >>> safe_load("fit: {epochs: 3}")
        {'fit': {'epochs': 3}}
    """
    return yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 -- a SafeLoader subclass


def read_text(path, error):
    """The text of the UTF-8 file ``path``; ``error`` (an exception class) names the file and
    the first byte that is not UTF-8 otherwise."""
    with open(path, "rb") as stream:
        data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise error(f"{path}: the file is not UTF-8 text (byte {data[err.start]:#04x} at line "
                    f"{line}); save it as UTF-8") from None
