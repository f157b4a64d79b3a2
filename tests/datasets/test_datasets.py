"""The shipped data sets (``neurona.datasets``) and the loaders of scikit-learn's bundled sets:
shapes, dtypes, deterministic seeded splits, the catalogue (``names()`` / ``describe()``)."""

import subprocess
import sys

import numpy as np
import pytest

from neurona import datasets
from neurona.datasets import (_files, boston_housing, caravan_customers, daily_min_temperatures,
                              mnist, sentiment_sentences, used_car_prices)


def _rows(split):
    (x_train, y_train), (x_test, y_test) = split
    return x_train, y_train, x_test, y_test


def _same(a, b):
    for u, v in zip(_rows(a), _rows(b)):
        np.testing.assert_array_equal(u, v)


# -- catalogue --------------------------------------------------------------------------------------
def test_names_and_describe():
    assert datasets.names() == sorted(_files.CATALOG)
    assert set(datasets.names()) == {"boston_housing", "used_car_prices", "caravan_customers",
                                     "mnist", "sentiment_sentences", "daily_min_temperatures"}
    info = datasets.describe("boston_housing")
    assert info["name"] == "boston_housing" and info["target"] == "medv"
    assert info["rows"] == 506 and info["task"] == "regression" and info["origin"]
    assert datasets.describe("caravan_customers")["task"] == "binary"
    assert datasets.describe("mnist")["task"] == "multiclass"
    info["rows"] = 0  # a copy: the catalogue is not changed
    assert datasets.describe("boston_housing")["rows"] == 506


def test_describe_unknown_name_lists_the_shipped_sets():
    with pytest.raises(ValueError, match="Unknown data set 'nope'.*boston_housing"):
        datasets.describe("nope")


# -- split ------------------------------------------------------------------------------------------
def test_split_is_seeded_and_holds_out_the_fraction():
    x, y = np.arange(100).reshape(50, 2), np.arange(50)
    (a, b), (c, d) = _files.split(x, y, 0.2, seed=1)
    assert a.shape == (40, 2) and c.shape == (10, 2) and len(b) == 40 and len(d) == 10
    np.testing.assert_array_equal(a[:, 0] // 2, b)  # rows stay paired with their labels
    assert sorted(np.concatenate([b, d])) == list(range(50))
    _same(_files.split(x, y, 0.2, seed=1), _files.split(x, y, 0.2, seed=1))
    assert not np.array_equal(_files.split(x, y, 0.2, seed=2)[0][1], b)
    assert len(_files.split(x, y, 0.0, seed=1)[1][0]) == 0
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match="test_split"):
            _files.split(x, y, bad, seed=1)


# -- shipped sets -----------------------------------------------------------------------------------
def test_boston_housing():
    x_train, y_train, x_test, y_test = _rows(boston_housing.load_data())
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13)
    assert y_train.shape == (404,) and y_test.shape == (102,)
    assert x_train.dtype == np.float64 and np.isfinite(x_train).all()
    assert 5 <= min(y_train.min(), y_test.min()) and max(y_train.max(), y_test.max()) <= 50
    _same(boston_housing.load_data(), boston_housing.load_data())
    assert not np.array_equal(boston_housing.load_data(seed=1)[0][1], y_train)
    assert boston_housing.load_data(drop_black=True)[0][0].shape == (404, 12)
    assert boston_housing.load_data(test_split=0.5)[1][0].shape == (253, 13)


def test_boston_frame():
    pytest.importorskip("pandas")
    frame = boston_housing.load_frame()
    assert frame.shape == (506, 14)
    assert list(frame.columns) == boston_housing.FEATURES + ["medv"]


def test_mnist_subset():
    x_train, y_train, x_test, y_test = _rows(mnist.load_data())
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    labels = np.concatenate([y_train, y_test])
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [500] * 10)
    images = np.concatenate([x_train, x_test])
    assert images.max() == 255 and images.min() == 0
    assert 0.05 < (images > 0).mean() < 0.5  # dark background, a digit's worth of ink
    _same(mnist.load_data(), mnist.load_data())


def test_caravan_customers():
    pytest.importorskip("pandas")
    x_train, y_train, x_test, y_test = _rows(caravan_customers.load_data())
    assert x_train.shape[1] == 85 and len(x_train) + len(x_test) == 5822
    assert x_train.dtype == np.float64
    labels = np.concatenate([y_train, y_test])
    assert set(np.unique(labels)) == {0, 1}
    assert 0.05 < labels.mean() < 0.07  # 348 "Yes" of 5,822
    frame = caravan_customers.load_frame()
    assert frame.shape == (5822, 86) and set(frame["Purchase"]) == {"Yes", "No"}
    assert (frame["Purchase"] == "Yes").sum() == labels.sum() == 348
    _same(caravan_customers.load_data(), caravan_customers.load_data())


def test_used_car_prices_text_columns():
    pd = pytest.importorskip("pandas")
    frame = used_car_prices.load_frame()
    assert frame.shape == (804, 9) and frame.columns[-1] == "price"
    for column in ("make", "body"):
        assert not pd.api.types.is_numeric_dtype(frame[column])
        assert all(isinstance(v, str) for v in frame[column])
    assert set(frame["make"]) == {"Buick", "Cadillac", "Chevy", "Pontiac", "Saab", "Saturn"}
    assert set(frame["body"]) == {"convertible", "coupe", "hatchback", "sedan", "wagon"}
    numeric = frame.drop(columns=["make", "body"])
    assert all(pd.api.types.is_numeric_dtype(numeric[c]) for c in numeric)
    assert (frame["price"] > 0).all()


# -- scikit-learn's bundled sets --------------------------------------------------------------------
SKLEARN = [  # name, rows, x shape of one row, task
    ("iris", 150, (4,), 3),
    ("wine", 178, (13,), 3),
    ("breast_cancer", 569, (30,), 2),
    ("diabetes", 442, (10,), None),
    ("digits", 1797, (8, 8), 10),
]


def test_importing_datasets_does_not_import_sklearn():
    code = ("import sys, neurona.datasets as d; assert 'sklearn' not in sys.modules; "
            "import neurona.datasets.sklearn_bundled; assert 'sklearn' not in sys.modules; "
            "assert 'load_iris' in d.__all__")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name,rows,shape,classes", SKLEARN)
def test_sklearn_loaders(name, rows, shape, classes):
    pytest.importorskip("sklearn")
    load = getattr(datasets, f"load_{name}")
    assert load is getattr(datasets.sklearn_bundled, f"load_{name}")
    x_train, y_train, x_test, y_test = _rows(load())
    n_test = rows - int(rows * 0.8)
    assert x_train.shape == (rows - n_test, *shape) and x_test.shape == (n_test, *shape)
    assert y_train.shape == (rows - n_test,) and y_test.shape == (n_test,)
    assert x_train.dtype == np.float64
    labels = np.concatenate([y_train, y_test])
    if classes is None:
        assert labels.dtype == np.float64
    else:
        assert labels.dtype == np.int64
        np.testing.assert_array_equal(np.unique(labels), np.arange(classes))
    _same(load(), load())
    assert not np.array_equal(load(seed=7)[0][1], y_train)
    assert len(load(test_split=0.5)[1][0]) == rows - int(rows * 0.5)


def test_sklearn_load_frame():
    pytest.importorskip("sklearn")
    pytest.importorskip("pandas")
    from neurona.datasets import sklearn_bundled

    frame = sklearn_bundled.load_frame("iris")
    assert frame.shape == (150, 5) and frame.columns[-1] == "target"
    assert "sepal length (cm)" in frame.columns
    assert sklearn_bundled.load_frame("digits").shape == (1797, 65)
    with pytest.raises(ValueError, match="Unknown scikit-learn data set 'mnist'"):
        sklearn_bundled.load_frame("mnist")


def test_sklearn_missing_says_how_to_install(monkeypatch):
    from neurona.datasets import sklearn_bundled

    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        sklearn_bundled.load_iris()


SHARED_DATA = __import__("pathlib").Path(__file__).resolve().parents[3] / "shared" / "data"


def test_sentiment_sentences_matches_the_shared_file():
    import csv

    texts, labels = sentiment_sentences.load_arrays()
    source = SHARED_DATA / "sentiment_sentences.csv"
    if not source.exists():
        pytest.skip(f"{source} (the project's shared data) is not beside the repository")
    with open(source, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert texts.tolist() == [r["text"] for r in rows]  # commas and quotes kept
    assert labels.tolist() == [int(r["label"]) for r in rows]
    assert texts.dtype.kind == "U" and labels.dtype == np.int64 and labels.sum() == 1500
    x_train, y_train, x_test, y_test = _rows(sentiment_sentences.load_data())
    assert x_train.shape == (2400,) and x_test.shape == (600,)
    assert sorted(np.concatenate([x_train, x_test]).tolist()) == sorted(texts.tolist())
    _same(sentiment_sentences.load_data(seed=3), sentiment_sentences.load_data(seed=3))
    only, _ = sentiment_sentences.load_arrays(sources=("yelp",))
    assert len(only) == 1000
    with pytest.raises(ValueError, match="sources must be among"):
        sentiment_sentences.load_arrays(sources=("twitter",))
    assert datasets.describe("sentiment_sentences")["task"] == "text"


def test_daily_min_temperatures_is_split_in_time():
    dates, temps = daily_min_temperatures.load_series()
    assert len(dates) == len(temps) == 3650
    assert str(dates[0]) == "1981-01-01" and str(dates[-1]) == "1990-12-31"
    assert (np.diff(dates).astype(int) >= 1).all()  # in time order
    assert temps[:3].tolist() == [20.7, 17.9, 18.8] and temps[-1] == 13.0
    train, test = daily_min_temperatures.load_data(0.2)
    assert len(train) == 2920 and len(test) == 730
    np.testing.assert_array_equal(np.concatenate([train, test]), temps)
    with pytest.raises(ValueError, match="test_split"):
        daily_min_temperatures.load_data(1.0)
