"""The command line's own error: one line for the user, exit status 2."""


class CLIError(Exception):
    """A problem with what the user gave (a file, an option, a config key).

    ``main`` prints ``neurona: error: <message>`` on stderr and exits with status 2, without a
    traceback unless ``--debug`` is given.
    """


def require(module, command, extra):
    """Raise a CLIError naming the extra to install when ``module`` cannot be imported.

    Example:
        >>> require("json", "neurona train", "cli")  # the standard library: always there
    """
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise CLIError(f"{command} needs {module}, which is not installed: "
                       f'pip install "neurona[{extra}]"') from None
