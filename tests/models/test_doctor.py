"""The training-setup doctor names the user's classes when it is told them."""

import numpy as np

from neurona.data import check_training_setup


def test_class_imbalance_names_the_class():
    x = np.random.default_rng(0).normal(size=(100, 2))
    y = np.array([0] * 94 + [1] * 6)
    named = check_training_setup(x, y, loss="binary_crossentropy", class_names=["No", "Yes"])
    plain = check_training_setup(x, y, loss="binary_crossentropy")
    finding = next(f for f in named if f.code == "class_imbalance")
    assert finding.message.startswith("'Yes' is only 6.0% of the rows (6 of 100)")
    assert next(f for f in plain if f.code == "class_imbalance").message.startswith(
        "class 1 is only 6.0% of the rows")
