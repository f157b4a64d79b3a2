"""Argument checks shared by the whole library, and the one "did you mean" rule.

Every public argument is checked at the boundary with one of these, so that a bad value fails
before any work is done with a message of one shape: who complains, which argument, what it
must be, and the value given (``"Dense: units must be an integer >= 1, got units=0"``).
Callers that belong to a layer with its own error type (the CLI's ``CLIError``, the tuner's
``TunerError``) pass it as ``error``.
"""

import difflib
import math
import numbers

__all__ = ["real", "integer", "boolean", "choice", "closest", "did_you_mean"]


def _got(arg, value):
    return f"got {arg}={value!r}" if arg else f"got {value!r}"


def _prefix(owner):
    return f"{owner}: " if owner else ""


def real(owner, arg, value, low=None, high=None, *, low_open=False, high_open=False,
         allow_none=False, error=ValueError):
    """``value`` as a float after checking it is a finite real number in the given range.

    Args:
        owner: who checks ("Adam", "Dropout", "fit"); the message starts with it.
        arg: the argument's name.
        value: what the user passed.
        low, high: bounds (None: unbounded); ``low_open``/``high_open`` exclude them.
        allow_none: None passes through unchanged.
        error: the exception class to raise.

    Example:
        >>> real("Adam", "beta_1", 0.9, 0.0, 1.0, high_open=True)
        0.9
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise error(f"{_prefix(owner)}{arg} must be a finite number, {_got(arg, value)}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "inf)" if high is None else f"{high}" + (")" if high_open else "]")
        raise error(f"{_prefix(owner)}{arg} must be in {lo}, {hi}, {_got(arg, value)}")
    return float(value)


def integer(owner, arg, value, low=None, high=None, *, allow_none=False, error=ValueError):
    """``value`` as an int after checking it is an integer (not a bool, not a float) in
    ``[low, high]``.

    Example:
        >>> integer("Dense", "units", 8, low=1)
        8
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        bound = f" >= {low}" if low is not None and high is None else ""
        raise error(f"{_prefix(owner)}{arg} must be an integer{bound}, {_got(arg, value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            bound = f">= {low}"
        elif low is None:
            bound = f"<= {high}"
        else:
            bound = f"in [{low}, {high}]"
        raise error(f"{_prefix(owner)}{arg} must be an integer {bound}, {_got(arg, value)}")
    return int(value)


def boolean(owner, arg, value, *, error=TypeError):
    """``value`` if it is True or False (not 0/1, not a string).

    Example:
        >>> boolean("Adam", "amsgrad", False)
        False
    """
    if not isinstance(value, bool):
        raise error(f"{_prefix(owner)}{arg} must be True or False, {_got(arg, value)}")
    return value


def choice(owner, arg, value, choices, *, error=ValueError):
    """``value`` if it is one of ``choices``, else an error listing them (with the closest
    one when the value looks like a misspelling).

    Example:
        >>> choice("Conv2D", "padding", "same", ("valid", "same"))
        'same'
    """
    choices = list(choices)
    try:
        known = value in choices
    except TypeError:  # an unhashable or incomparable value
        known = False
    if not known:
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise error(f"{_prefix(owner)}{arg} must be one of {choices}, {_got(arg, value)}.{hint}")
    return value


def closest(name, choices, n=1, cutoff=0.6):
    """Up to ``n`` of ``choices`` that look like ``name`` (a misspelling), best first."""
    return difflib.get_close_matches(str(name), [str(c) for c in choices], n=n, cutoff=cutoff)


def did_you_mean(name, choices, n=1, cutoff=0.6):
    """``" Did you mean 'x'?"`` (or ``'x' or 'y'`` with ``n`` > 1) for the choices closest to
    ``name``, or ``""`` when none is close.

    Example:
        >>> did_you_mean("val_los", ["loss", "val_loss"])
        " Did you mean 'val_loss'?"
    """
    close = closest(name, choices, n=n, cutoff=cutoff)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
