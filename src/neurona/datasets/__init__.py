"""Real data sets shipped inside the package (no download ever happens).

Each module mirrors ``keras.datasets``: ``load_data()`` returns ``(x_train, y_train), (x_test,
y_test)`` NumPy arrays; ``load_frame()`` returns the whole table as a pandas DataFrame (needs
pandas). ``names()`` lists them and ``describe(name)`` tells where each comes from.

* ``boston_housing`` — 506 houses, 13 features, target ``medv`` (median value, k$). Harrison &
  Rubinfeld (1978), the set Keras ships. The column ``black`` is a known-problematic feature
  (it encodes the proportion of Black residents); ``load_data(drop_black=True)`` leaves it out.
* ``used_car_prices`` — 804 used 2005 GM cars, target ``price`` (USD), Kuiper (2008).
* ``caravan_customers`` — 5,822 customers, 85 features, target ``Purchase`` (Yes/No, 6% Yes),
  CoIL 2000 Challenge.
* ``mnist`` — a 5,000-image SUBSET of MNIST (500 per digit), not the 70,000 of Keras's loader.
* ``sentiment_sentences`` — 3,000 review sentences (Amazon, IMDb, Yelp) labelled 1/0,
  Kotzias et al. (2015); ``load_data()`` gives arrays of str.
* ``daily_min_temperatures`` — Melbourne's daily minimum temperature 1981-1990 (3,650 days);
  ``load_series()`` gives dates and temperatures, ``load_data()`` a split in time.

scikit-learn's bundled sets (``load_iris``, ``load_wine``, ``load_breast_cancer``,
``load_diabetes``, ``load_digits`` and ``sklearn_bundled.load_frame(name)``) come from
``neurona.datasets.sklearn_bundled``, imported lazily (scikit-learn is needed only when called).
"""

from . import (boston_housing, caravan_customers, daily_min_temperatures, mnist,
               sentiment_sentences, used_car_prices)
from ._files import describe, names

_SKLEARN_LOADERS = ("load_iris", "load_wine", "load_breast_cancer", "load_diabetes", "load_digits")

__all__ = ["boston_housing", "used_car_prices", "caravan_customers", "mnist",
           "sentiment_sentences", "daily_min_temperatures", "names", "describe",
           "sklearn_bundled", *_SKLEARN_LOADERS]


def __getattr__(name):
    """Lazy access to ``sklearn_bundled`` and its loaders (the module imports sklearn lazily too)."""
    if name == "sklearn_bundled" or name in _SKLEARN_LOADERS:
        import importlib

        module = importlib.import_module(".sklearn_bundled", __name__)
        return module if name == "sklearn_bundled" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
