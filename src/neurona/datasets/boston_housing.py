"""Boston housing prices (regression): 506 houses, 13 features, target medv in k$."""

from . import _files

FEATURES = ["crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad", "tax", "ptratio",
            "black", "lstat"]


def load_data(test_split=0.2, seed=113, drop_black=False):
    """``(x_train, y_train), (x_test, y_test)`` as float64 arrays (Keras's signature).

    Args:
        test_split: fraction held out for testing.
        seed: seed of the shuffle before splitting.
        drop_black: leave out the problematic ``black`` column (12 features instead of 13).
    """
    table = _files.read_numeric_csv("boston_housing", skip_header=True)
    x, y = table[:, :-1], table[:, -1]
    if drop_black:
        x = x[:, [i for i, f in enumerate(FEATURES) if f != "black"]]
    return _files.split(x, y, test_split, seed)


def load_frame():
    """The whole table as a pandas DataFrame (columns as in FEATURES plus ``medv``)."""
    return _files.read_frame("boston_housing")
