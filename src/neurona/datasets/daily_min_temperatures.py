"""Daily minimum temperatures in Melbourne, 1981-1990 (3,650 days, degrees C): the classic
series for forecasting."""

import numpy as np

from . import _files


def load_series():
    """``(dates, temperatures)``: ``datetime64[D]`` dates and float64 temperatures in time
    order.

    Example:
        >>> dates, temps = load_series()
        >>> str(dates[0]), float(temps[0]), len(temps)
        ('1981-01-01', 20.7, 3650)
    """
    rows = _files.read_rows("daily_min_temperatures")
    dates = np.array([r["Date"] for r in rows], dtype="datetime64[D]")
    temps = np.array([float(r["Temp"]) for r in rows], dtype=np.float64)
    return dates, temps


def load_data(test_split=0.2):
    """``(train, test)`` temperatures split in time (the last ``test_split`` of the days are
    the test part; a series is never shuffled).

    Example:
        >>> train, test = load_data()
        >>> len(train), len(test)
        (2920, 730)
    """
    if not 0.0 <= test_split < 1.0:
        raise ValueError(f"test_split must be in [0, 1), got {test_split!r}")
    _, temps = load_series()
    cut = int(len(temps) * (1 - test_split))
    return temps[:cut], temps[cut:]


def load_frame():
    """The whole table as a pandas DataFrame (columns ``Date``, ``Temp``)."""
    return _files.read_frame("daily_min_temperatures")
