"""Used-car prices (regression): 804 cars, text columns make/body, target price in USD."""

from . import _files


def load_frame():
    """The whole table as a pandas DataFrame (``make`` and ``body`` are text columns)."""
    return _files.read_frame("used_car_prices")
