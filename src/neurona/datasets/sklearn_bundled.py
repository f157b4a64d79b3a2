"""Keras-style loaders for the small data sets bundled with scikit-learn (no download).

Each ``load_<name>()`` returns ``(x_train, y_train), (x_test, y_test)`` NumPy arrays with the same
seeded shuffle-and-hold-out split as the shipped loaders; ``load_frame(name)`` returns the whole
table (features plus a ``target`` column) as a pandas DataFrame. scikit-learn is imported only
when a loader is called (``pip install scikit-learn``).

* ``iris`` — 150 flowers, 4 features, 3 classes.
* ``wine`` — 178 wines, 13 features, 3 classes.
* ``breast_cancer`` — 569 tumours, 30 features, binary (1 = benign).
* ``diabetes`` — 442 patients, 10 (already standardized) features, regression target.
* ``digits`` — 1,797 8x8 grey digits (values 0-16), 10 classes; ``x`` has shape (n, 8, 8).
"""

import numpy as np

from . import _files

NAMES = ("iris", "wine", "breast_cancer", "diabetes", "digits")


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("The scikit-learn bundled data sets need scikit-learn: "
                          "pip install scikit-learn") from error
    return datasets


def _bunch(name):
    if name not in NAMES:
        raise ValueError(f"Unknown scikit-learn data set {name!r}; available: {', '.join(NAMES)}")
    return getattr(_sklearn_datasets(), f"load_{name}")()


def _arrays(name):
    bunch = _bunch(name)
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    if name == "digits":
        x = np.asarray(bunch.images, dtype=np.float64)
    y = y.astype(np.float64) if name == "diabetes" else y.astype(np.int64)
    return x, y


def _load(name, test_split, seed):
    x, y = _arrays(name)
    return _files.split(x, y, test_split, seed)


def load_iris(test_split=0.2, seed=113):
    """Iris: x float64 (n, 4), y int64 in {0, 1, 2}."""
    return _load("iris", test_split, seed)


def load_wine(test_split=0.2, seed=113):
    """Wine: x float64 (n, 13), y int64 in {0, 1, 2}."""
    return _load("wine", test_split, seed)


def load_breast_cancer(test_split=0.2, seed=113):
    """Breast cancer (Wisconsin diagnostic): x float64 (n, 30), y int64 (0 malignant, 1 benign)."""
    return _load("breast_cancer", test_split, seed)


def load_diabetes(test_split=0.2, seed=113):
    """Diabetes: x float64 (n, 10), y float64 (disease progression after one year)."""
    return _load("diabetes", test_split, seed)


def load_digits(test_split=0.2, seed=113):
    """Digits: x float64 (n, 8, 8) with values 0-16, y int64 in 0..9."""
    return _load("digits", test_split, seed)


def load_frame(name):
    """The whole data set ``name`` (one of ``NAMES``) as a DataFrame with a ``target`` column."""
    import pandas as pd

    bunch = _bunch(name)
    columns = [str(c) for c in getattr(bunch, "feature_names", [])]
    data = np.asarray(bunch.data)
    if len(columns) != data.shape[1]:
        columns = [f"x{i}" for i in range(data.shape[1])]
    frame = pd.DataFrame(data, columns=columns)
    frame["target"] = bunch.target
    return frame
