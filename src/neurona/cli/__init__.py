"""The ``neurona`` command line: train from a CSV or a YAML file, evaluate, predict, and more.

::

    neurona datasets export boston_housing -o boston.csv
    neurona train boston.csv --target medv               # everything inferred, run folder in runs/
    neurona train config.yaml --epochs 50                # a YAML run; options override it
    neurona evaluate runs/<run> boston.csv
    neurona predict runs/<run> new_rows.csv -o predictions.csv
    neurona export runs/<run> --format onnx              # raw rows in, predictions out
    neurona serve runs/<run>                             # an HTTP prediction service
    neurona tune boston.csv --target medv --trials 50 --jobs 2 --objective mae
    neurona plot activations -o activations.png

A problem with the input (a missing file, a bad cell, an unknown config key) is printed as one
line on stderr with exit status 2; ``--debug`` shows the traceback instead.
"""

import argparse
import sys
import warnings

from ..models.doctor import TrainingSetupWarning
from .errors import CLIError

__all__ = ["main", "build_parser", "CLIError"]

#: exceptions that describe bad input (exit 2); anything else is a bug or an environment problem
_INPUT_ERRORS = (CLIError, ValueError, OSError)


def _common():
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an error")
    return parent


def build_parser():
    """The ``argparse`` parser of every command (``neurona --help`` lists them)."""
    from .. import __version__
    from . import datasets_cmd, export_cmd, inference, plot_cmd, serve_cmd, train, tune

    parser = argparse.ArgumentParser(
        prog="neurona", description="neurona: train, evaluate and use neural networks on tables.",
        epilog="Run 'neurona COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"neurona {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    parents = [_common()]
    train.add_parser(subparsers, parents)
    tune.add_parser(subparsers, parents)
    inference.add_parsers(subparsers, parents)
    export_cmd.add_parser(subparsers, parents)
    serve_cmd.add_parser(subparsers, parents)
    datasets_cmd.add_parser(subparsers, parents)
    plot_cmd.add_parser(subparsers, parents)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Warnings (e.g. imputed missing values) as one line, without the source location."""
    print(f"neurona: warning: {' '.join(str(message).split())}", file=sys.stderr)


def _error_line(err):
    text = str(err)
    if isinstance(err, FileNotFoundError) and err.filename and err.strerror:
        text = f"{err.filename}: {err.strerror.lower()}"
    line = " ".join(text.split()) or type(err).__name__
    return line


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``).

    Args:
        argv: the arguments, without the program name.

    Returns:
        The exit status: 0 on success, 2 for bad input (one line on stderr), 1 for an
        unexpected error, 130 when interrupted.

    Example:
        >>> main(["datasets", "list"])
        name                    task         rows  target
        boston_housing          regression    506  medv
        caravan_customers       binary       5822  Purchase
        daily_min_temperatures  forecasting   3650  Temp
        mnist                   multiclass   5000  label
        sentiment_sentences     text         3000  label
        used_car_prices         regression    804  price
        0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    debug = getattr(args, "debug", False)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            # the doctor's findings are part of the command's output, whatever the filters
            warnings.simplefilter("default", TrainingSetupWarning)
            return args.handler(args)
    except KeyboardInterrupt:
        if debug:
            raise
        print("neurona: interrupted", file=sys.stderr)
        return 130
    except _INPUT_ERRORS as err:
        if debug:
            raise
        print(f"neurona: error: {_error_line(err)}", file=sys.stderr)
        return 2
    except MemoryError as err:  # absurd sizes in the input (layers, data): the input's fault
        if debug:
            raise
        print(f"neurona: error: out of memory ({_error_line(err) if str(err) else 'MemoryError'}"
              f"); the configuration asks for more than this machine has: reduce the layer "
              f"sizes (layers), the batch size or the data", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - the command line reports, --debug shows
        if debug:
            raise
        print(f"neurona: error: {type(err).__name__}: {_error_line(err)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1
