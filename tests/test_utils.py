"""keras.utils helpers and the random-seed contract."""

import numpy as np
import pytest

import neurona as keras
from neurona.random import make_generator, set_random_seed


def test_to_categorical_matches_keras():
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2, 1], 3),
                                  [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert keras.utils.to_categorical(np.array([[1], [0]])).shape == (2, 2)
    with pytest.raises(ValueError, match="label 3 is out of range for num_classes=3"):
        keras.utils.to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match="non-negative integer"):
        keras.utils.to_categorical([0.5])
    with pytest.raises(ValueError, match=r"^to_categorical: num_classes must be an integer >= 1 "
                                         r"or None, got num_classes=2.5$"):
        keras.utils.to_categorical([0, 1], 2.5)


def test_to_categorical_refuses_ids_that_would_make_a_column_per_id():
    with pytest.raises(ValueError, match=r"the largest label 1000000000 would make 1000000001 "
                                         r"classes for 2 distinct labels.*np.unique"):
        keras.utils.to_categorical([0, 10 ** 9])  # 8 GB of zeros before (issue 18, item 11)
    assert keras.utils.to_categorical([0, 999]).shape == (2, 1000)  # a sparse but sane span
    assert keras.utils.to_categorical([0, 5000], num_classes=5001).shape == (2, 5001)


def test_set_random_seed_fixes_initial_weights():
    def weights():
        keras.utils.set_random_seed(7)
        return keras.Sequential([keras.layers.Dense(3, input_shape=[2])]).get_weights()[0]

    np.testing.assert_array_equal(weights(), weights())
    set_random_seed(1)
    a = make_generator().random()
    set_random_seed(1)
    assert make_generator().random() == a
    with pytest.raises(ValueError, match=r"^set_random_seed: seed must be an integer >= 0, got "
                                         r"seed=-1$"):
        set_random_seed(-1)


def test_tensor_converts_to_numpy():
    t = keras.layers.Dense(2, kernel_initializer="ones")(np.ones((1, 3)))
    assert np.asarray(t).tolist() == [[3.0, 3.0]]
    assert t.numpy().tolist() == [[3.0, 3.0]]
