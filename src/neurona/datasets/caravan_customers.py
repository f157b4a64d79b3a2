"""Caravan insurance customers (binary, imbalanced): 5,822 rows, 85 features, target Purchase."""

from . import _files


def load_frame():
    """The whole table as a pandas DataFrame; ``Purchase`` is "Yes"/"No"."""
    return _files.read_frame("caravan_customers")


def load_data(test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: float features, labels 1 for "Yes" else 0."""
    frame = load_frame()
    y = (frame.pop("Purchase") == "Yes").astype("int64").to_numpy()
    return _files.split(frame.to_numpy(dtype="float64"), y, test_split, seed)
