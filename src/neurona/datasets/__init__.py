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
"""

from . import boston_housing, caravan_customers, mnist, used_car_prices
from ._files import describe, names

__all__ = ["boston_housing", "used_car_prices", "caravan_customers", "mnist", "names", "describe"]
