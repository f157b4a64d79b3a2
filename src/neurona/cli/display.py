"""How the command line shows numbers and progress: metrics with their units, one per line;
progress on a terminal (or with ``-v``), none with ``-q``."""

import sys

#: metrics that are percentages already (Keras's MAPE is in percent)
PERCENT_METRICS = ("mape", "mean_absolute_percentage_error")


def is_percent(name):
    """Whether the metric ``name`` (with or without a ``val_`` prefix) is a percentage."""
    return name.removeprefix("val_") in PERCENT_METRICS


def metric_text(name, value):
    """A metric's value as shown: 6 significant digits, percentages with ``%``.

    Example:
        >>> metric_text("mape", 6.8123), metric_text("mae", 2.1234567)
        ('6.812%', '2.12346')
    """
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if is_percent(name):
        return f"{value:.4g}%"
    return f"{value:.6g}"


def metric_lines(metrics, indent="  "):
    """``{name: value}`` as aligned ``name  value`` lines (a string ending in a newline)."""
    if not metrics:
        return ""
    width = max(len(name) for name in metrics)
    return "".join(f"{indent}{name:<{width}}  {metric_text(name, value)}\n"
                   for name, value in metrics.items())


def add_progress_arguments(parser):
    """``-q`` and ``-v``: how much progress a long command prints."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true",
                       help="print only the results (no plan, no progress)")
    group.add_argument("-v", "--verbose", action="store_true",
                       help="one progress line per epoch (or trial) even when the output is "
                       "not a terminal (by default progress is shown on a terminal only)")


def progress_level(args):
    """0 (no progress), 1 (a live bar, on a terminal or in a notebook) or 2 (a line per
    epoch), from ``-q`` / ``-v`` and where the output goes."""
    from ..callbacks.progbar import live_output

    if args.quiet:
        return 0
    if args.verbose:
        return 2
    return 1 if live_output(sys.stdout) else 0
