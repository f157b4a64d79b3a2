"""How the command line shows numbers: metrics with their units, one per line."""

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
