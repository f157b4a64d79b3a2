"""A 5,000-image subset of MNIST (28x28 grey digits, 500 per class) — not the full 70,000."""

import numpy as np

from . import _files


def load_data(test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)`` with images as uint8 arrays of shape (n, 28, 28)
    and labels as uint8, like ``keras.datasets.mnist.load_data()`` (but from the 5,000-image
    subset, split 4,000 / 1,000 by default)."""
    table = _files.read_numeric_csv("mnist", skip_header=False)
    x = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    y = table[:, 784].astype(np.uint8)
    return _files.split(x, y, test_split, seed)
