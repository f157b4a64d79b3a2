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

import numpy as np

__all__ = ["real", "integer", "boolean", "seed", "axis", "shape", "choice", "is_real",
           "is_integer", "closest", "did_you_mean"]


def _got(arg, value):
    return f"got {arg}={value!r}" if arg else f"got {value!r}"


def _prefix(owner):
    return f"{owner}: " if owner else ""


def _fail(error, owner, arg, what, value, fix=None):
    """The one message shape: ``"<owner>: <arg> must be <what>, got <arg>=<value!r>[; <fix>]"``."""
    return error(f"{_prefix(owner)}{arg} must be {what}, {_got(arg, value)}"
                 + (f"; {fix}" if fix else ""))


def is_real(value):
    """Whether ``value`` is a real number (Python or NumPy; not a bool), finite or not.

    Example:
        >>> is_real(0.5), is_real(np.float32(2)), is_real(True), is_real("1")
        (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_integer(value):
    """Whether ``value`` is an integer (Python or NumPy; not a bool, not a float like 2.0).

    Example:
        >>> is_integer(3), is_integer(np.int64(3)), is_integer(3.0), is_integer(False)
        (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def real(owner, arg, value, low=None, high=None, *, low_open=False, high_open=False,
         allow_none=False, finite=True, fix=None, error=ValueError, type_error=None):
    """``value`` as a float after checking it is a real number in the given range.

    Args:
        owner: who checks ("Adam", "Dropout", "fit"); the message starts with it.
        arg: the argument's name.
        value: what the user passed.
        low, high: bounds (None: unbounded); ``low_open``/``high_open`` exclude them.
        allow_none: None passes through unchanged.
        finite: refuse infinities (NaN is always refused); False lets ``inf`` stand for
            "no bound" where that means something.
        fix: advice appended to the message ("use e.g. rate=0.5").
        error: the exception class to raise.
        type_error: the exception class for a value that is not a number at all (default:
            ``error``); pass TypeError where callers expect Python's convention.

    Returns:
        ``float(value)``, or None when allowed and given.

    Example:
        >>> real("Adam", "beta_1", 0.9, 0.0, 1.0, high_open=True)
        0.9
        >>> real("Dropout", "rate", 1.0, 0.0, 1.0, high_open=True)
        Traceback (most recent call last):
        ...
        ValueError: Dropout: rate must be in [0.0, 1.0), got rate=1.0
    """
    if value is None and allow_none:
        return None
    what = ("a finite number" if finite else "a number (not NaN)") + (
        " or None" if allow_none else "")
    if not is_real(value):
        raise _fail(type_error or error, owner, arg, what, value, fix)
    if math.isnan(value) or (finite and math.isinf(value)):
        raise _fail(error, owner, arg, what, value, fix)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if high is None:
            what = f"{'>' if low_open else '>='} {low}"
        elif low is None:
            what = f"{'<' if high_open else '<='} {high}"
        else:
            what = f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise _fail(error, owner, arg, what, value, fix)
    return float(value)


def integer(owner, arg, value, low=None, high=None, *, allow_none=False, fix=None,
            error=ValueError, type_error=None):
    """``value`` as an int after checking it is an integer (not a bool, not a float) in
    ``[low, high]``.

    Args:
        owner, arg, value, allow_none, fix, error, type_error: as for :func:`real`.
        low, high: inclusive bounds (None: unbounded).

    Returns:
        ``int(value)``, or None when allowed and given.

    Example:
        >>> integer("Dense", "units", 8, low=1)
        8
        >>> integer("Dense", "units", 0, low=1)
        Traceback (most recent call last):
        ...
        ValueError: Dense: units must be an integer >= 1, got units=0
    """
    if value is None and allow_none:
        return None
    if low is not None and high is None:
        bound = f" >= {low}"
    elif low is None and high is not None:
        bound = f" <= {high}"
    elif low is not None:
        bound = f" in [{low}, {high}]"
    else:
        bound = ""
    what = "an integer" + bound + (" or None" if allow_none else "")
    if not is_integer(value):
        raise _fail(type_error or error, owner, arg, what, value, fix)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(error, owner, arg, what, value, fix)
    return int(value)


def boolean(owner, arg, value, *, error=TypeError):
    """``value`` as a bool if it is True or False (a NumPy bool too; not 0/1, not a string).

    Example:
        >>> boolean("Adam", "amsgrad", False)
        False
    """
    if not isinstance(value, (bool, np.bool_)):
        raise _fail(error, owner, arg, "True or False", value)
    return bool(value)


def seed(owner, arg, value, *, allow_none=True, error=ValueError):
    """``value`` as an int if it is a seed (an integer >= 0), or None when allowed.

    Example:
        >>> seed("Dropout", "seed", 42), seed("Dropout", "seed", None)
        (42, None)
    """
    fix = "pass None to draw it from the library seed" if allow_none else None
    return integer(owner, arg, value, low=0, allow_none=allow_none, fix=fix, error=error)


def axis(owner, arg, value, ndim=None, *, error=ValueError, type_error=None):
    """``value`` as an int if it is an axis; with ``ndim``, checked to be an axis of an
    ``ndim``-dimensional array and returned non-negative.

    Example:
        >>> axis("softmax", "axis", -1), axis("batch_norm", "axis", -1, ndim=4)
        (-1, 3)
    """
    if not is_integer(value):
        raise _fail(type_error or error, owner, arg, "an integer (an axis)", value)
    if ndim is None:
        return int(value)
    if not -ndim <= value < ndim:
        raise _fail(error, owner, arg, f"an axis of a {ndim}-dimensional input, in "
                    f"[{-ndim}, {ndim - 1}]", value, "-1 is the last axis")
    return int(value) % ndim


def shape(owner, arg, value, *, low=1, allow_unknown=False, allow_none=False, error=ValueError):
    """``value`` as a tuple of ints >= ``low`` (an int ``n`` means ``(n,)``); with
    ``allow_unknown``, None entries stand for sizes not known yet; with ``allow_none``, None
    itself passes through.

    Example:
        >>> shape("Input", "shape", (None, 3), allow_unknown=True)
        (None, 3)
        >>> shape("Zeros", "shape", 4, low=0)
        (4,)
    """
    if value is None and allow_none:
        return None
    entries = (value,) if is_integer(value) else value
    what = (f"a tuple of integers >= {low}"
            + (" or None (an unknown size)" if allow_unknown else "")
            + (", or None" if allow_none else ""))
    if isinstance(entries, (str, bytes)) or not hasattr(entries, "__iter__"):
        raise _fail(error, owner, arg, what, value)
    entries = tuple(entries)
    for n in entries:
        if not (n is None and allow_unknown) and not (is_integer(n) and n >= low):
            raise _fail(error, owner, arg, what, value)
    return tuple(None if n is None else int(n) for n in entries)


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
    except (TypeError, ValueError):  # unhashable, incomparable, or an array (no single truth)
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
