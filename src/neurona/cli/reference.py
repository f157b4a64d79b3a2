"""The command line and YAML reference as Markdown, generated from the code that checks them.

The documentation site's reference page is built from these functions at build time (a MkDocs
hook calls :func:`markdown`), so it lists exactly what the command line accepts:

* :func:`run_configuration` — every key of ``neurona train CONFIG.yaml``, from
  :data:`neurona.cli.schema.RUN_SCHEMA` (what :func:`neurona.cli.config.validate` walks);
* :func:`search_space` — every parameter and key of ``neurona tune --space SPACE.yaml``, from
  the tables :class:`neurona.tuner.SearchSpace` and the tuned MLP check against;
* :func:`commands` — every command and option, from the ``argparse`` parser ``neurona`` runs.
"""

import argparse
import json

from . import schema


def _cell(text):
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(value):
    """A default as YAML writes it."""
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float, str)):
        return f"`{value}`"
    return f"`{json.dumps(value)}`"


def run_configuration():
    """The keys of a ``neurona train`` configuration as a Markdown table.

    Example:
        >>> table = run_configuration()
        >>> "| `fit.epochs` | `100` |" in table and "threshold.metric" in table
        True
    """
    lines = ["| key | default | values | option | what it does |", "|---|---|---|---|---|"]
    for name, default, accepts, option, help_text in schema.reference_rows():
        shown = "" if default is None and accepts.startswith("a mapping") else _value(default)
        lines.append(f"| `{name}` | {shown} | {_cell(accepts)} | "
                     f"{f'`{option}`' if option else ''} | {_cell(help_text)} |")
    return "\n".join(lines) + "\n"


def search_space():
    """The parameters of the tuned MLP, the keys of one parameter's declaration and the
    default space, as Markdown.

    Example:
        >>> "| `per_layer` |" in search_space()
        True
    """
    from ..tuner.mlp import DEFAULT_SPACE, PARAMETER_HELP
    from ..tuner.space import KEY_HELP, TYPE_HELP

    parts = ["Parameters (the names a space may declare; the others keep the values of the "
             "run configuration):\n", "| parameter | what it sets |", "|---|---|"]
    parts += [f"| `{name}` | {_cell(text)} |" for name, text in PARAMETER_HELP.items()]
    parts += ["", "Each parameter is a list (a choice), a scalar (fixed) or a mapping with "
              "these keys:\n", "| key | meaning |", "|---|---|"]
    parts += [f"| `{name}` | {_cell(text)} |" for name, text in KEY_HELP.items()]
    parts += ["", "Types:\n", "| type | draws |", "|---|---|"]
    parts += [f"| `{name}` | {_cell(text)} |" for name, text in TYPE_HELP.items()]
    parts += ["", "The space searched without `--space`:\n", "```yaml"]
    parts += [f"{name}: {json.dumps(spec)}" for name, spec in DEFAULT_SPACE.items()]
    parts += ["```"]
    return "\n".join(parts) + "\n"


def _option_row(action):
    positional = not action.option_strings
    names = [action.metavar or action.dest] if positional else action.option_strings
    flags = ", ".join(f"`{_cell(name)}`" for name in names)
    if action.choices is not None:
        detail = "one of " + ", ".join(str(c) for c in action.choices)
    elif action.nargs == 0:
        detail = "flag"
    elif positional:
        detail = "positional"
    else:
        detail = f"`{action.metavar or action.dest.upper()}`"
    default = action.default
    shown = "" if default in (None, False, argparse.SUPPRESS) else _value(default)
    return f"| {flags} | {_cell(detail)} | {shown} | {_cell(action.help or '')} |"


def commands():
    """Every ``neurona`` command with its options, as Markdown sections.

    Example:
        >>> "### neurona train" in commands() and "`--threshold-metric`" in commands()
        True
    """
    from . import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in sub._choices_actions}
    parts = []
    for name, command in sub.choices.items():
        usage = command.format_usage().strip().removeprefix("usage: ")
        parts += [f"### neurona {name}", "", helps.get(name, "").capitalize() + ".", "",
                  "```text", usage, "```", "",
                  "| option | takes | default | what it does |", "|---|---|---|---|"]
        parts += [_option_row(a) for a in command._actions
                  if not isinstance(a, argparse._HelpAction) and a.help != argparse.SUPPRESS
                  and "--debug" not in a.option_strings]
        parts.append("")
    return "\n".join(parts)


#: the markers a documentation page holds where a generated part goes
MARKERS = {"<!-- generated: run-configuration -->": run_configuration,
           "<!-- generated: search-space -->": search_space,
           "<!-- generated: commands -->": commands}


def markdown(text):
    """``text`` with each marker of :data:`MARKERS` replaced by its generated Markdown.

    Example:
        >>> markdown("a\\n<!-- generated: search-space -->\\n").startswith("a\\nParameters")
        True
    """
    for marker, make in MARKERS.items():
        if marker in text:
            text = text.replace(marker, make())
    return text
