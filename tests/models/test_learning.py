"""Learning sanity on real shipped data: an MLP on Boston housing is as good as scikit-learn's."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.datasets import boston_housing

sklearn = pytest.importorskip("sklearn")


def _standardized():
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, y_train, (x_test - mean) / std, y_test


@pytest.mark.slow
def test_boston_mlp_matches_scikit_learn_mlp():
    from sklearn.neural_network import MLPRegressor

    x_train, y_train, x_test, y_test = _standardized()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        layers.Dense(64, activation="relu", input_shape=[13], kernel_initializer="he_normal"),
        layers.Dense(64, activation="relu", kernel_initializer="he_normal"),
        layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss="mse", metrics=["mae"])
    model.fit(x_train, y_train, epochs=150, batch_size=16, verbose=0, seed=0)
    _, ours = model.evaluate(x_test, y_test, verbose=0)

    reference = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=2000, random_state=0)
    reference.fit(x_train, y_train)
    theirs = float(np.mean(np.abs(reference.predict(x_test) - y_test)))
    baseline = float(np.mean(np.abs(y_test - y_train.mean())))
    assert ours < 0.5 * baseline
    assert ours <= theirs * 1.15, f"neurona test MAE {ours:.3f} vs scikit-learn {theirs:.3f}"


def test_logistic_regression_separates_two_blobs():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-2, 1, (100, 2)), rng.normal(2, 1, (100, 2))])
    y = np.repeat([0, 1], 100)
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=[2])])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=20, verbose=0, seed=0)
    assert history.history["accuracy"][-1] >= 0.97


def test_softmax_classifier_on_three_blobs():
    rng = np.random.default_rng(1)
    centers = np.array([[0, 3], [3, -2], [-3, -2]])
    x = np.concatenate([rng.normal(c, 0.7, (60, 2)) for c in centers])
    y = np.repeat([0, 1, 2], 60)
    model = keras.Sequential([layers.Dense(16, activation="tanh", input_shape=[2]),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=60, batch_size=16, verbose=0, seed=0)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy >= 0.97
    probabilities = model.predict(x, verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
