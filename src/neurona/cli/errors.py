"""The command line's own error: one line for the user, exit status 2."""


class CLIError(Exception):
    """A problem with what the user gave (a file, an option, a config key).

    ``main`` prints ``neurona: error: <message>`` on stderr and exits with status 2, without a
    traceback unless ``--debug`` is given.
    """
