"""Every built-in layer that declares itself traceable trains bitwise alike replayed and eagerly
(BatchNormalization's moving statistics and the noise layers' draws included), and the table
below has a model for each such layer."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.layers.layer import LAYERS


# each entry makes its layers when called: the two runs of a test get fresh ones
def _image(*stack):
    return lambda: keras.Sequential([layers.Input((6, 6, 2)), *(f() for f in stack),
                                     layers.Flatten(), layers.Dense(2)])


def _sequence(*stack):
    return lambda: keras.Sequential([layers.Input((7, 3)), *(f() for f in stack),
                                     layers.Flatten(), layers.Dense(2)])


def _flat(*stack):
    return lambda: keras.Sequential([layers.Input((5,)), layers.Dense(6), *(f() for f in stack),
                                     layers.Dense(2)])


def _merged(merge):
    def make():
        inputs = keras.Input((5,))
        a, b = layers.Dense(4)(inputs), layers.Dense(4, activation="tanh")(inputs)
        return keras.Model(inputs, layers.Dense(2)(merge()([a, b])))
    return make


MODELS = {
    "InputLayer": _flat(), "Dense": _flat(lambda: layers.Dense(3, activation="relu")),
    "Activation": _flat(lambda: layers.Activation("swish")), "ReLU": _flat(layers.ReLU),
    "LeakyReLU": _flat(lambda: layers.LeakyReLU(0.2)), "PReLU": _flat(layers.PReLU),
    "ELU": _flat(layers.ELU), "Softmax": _flat(layers.Softmax),
    "RReLU": _flat(layers.RReLU), "Identity": _flat(layers.Identity),
    "Flatten": _image(), "Reshape": _flat(lambda: layers.Reshape((2, 3)), lambda: layers.Flatten()),
    "Dropout": _flat(lambda: layers.Dropout(0.3)),
    "GaussianNoise": _flat(lambda: layers.GaussianNoise(0.2)),
    "GaussianDropout": _flat(lambda: layers.GaussianDropout(0.2)),
    "AlphaDropout": _flat(lambda: layers.AlphaDropout(0.2)),
    "SpatialDropout1D": _sequence(lambda: layers.SpatialDropout1D(0.3)),
    "SpatialDropout2D": _image(lambda: layers.SpatialDropout2D(0.3)),
    "SpatialDropout3D": lambda: keras.Sequential([layers.Input((3, 3, 3, 2)),
                                                  layers.SpatialDropout3D(0.3), layers.Flatten(),
                                                  layers.Dense(2)]),
    "BatchNormalization": _flat(lambda: layers.BatchNormalization(momentum=0.5)),
    "LayerNormalization": _flat(lambda: layers.LayerNormalization()),
    "Conv1D": _sequence(lambda: layers.Conv1D(3, 2, activation="relu")),
    "Conv2D": _image(lambda: layers.Conv2D(3, 3, padding="same", activation="relu")),
    "Conv2DTranspose": _image(lambda: layers.Conv2DTranspose(2, 2, strides=2)),
    "MaxPooling1D": _sequence(lambda: layers.MaxPooling1D(2)),
    "AveragePooling1D": _sequence(lambda: layers.AveragePooling1D(2)),
    "MinPooling1D": _sequence(lambda: layers.MinPooling1D(2)),
    "MaxPooling2D": _image(lambda: layers.Conv2D(3, 3, activation="relu"),
                           lambda: layers.MaxPooling2D(2)),
    "AveragePooling2D": _image(lambda: layers.AveragePooling2D(2, strides=1)),
    "MinPooling2D": _image(lambda: layers.Conv2D(3, 2), lambda: layers.MinPooling2D(2)),
    "GlobalMaxPooling1D": lambda: keras.Sequential([layers.Input((7, 3)),
                                                    layers.GlobalMaxPooling1D(), layers.Dense(2)]),
    "GlobalAveragePooling1D": lambda: keras.Sequential([layers.Input((7, 3)),
                                                        layers.GlobalAveragePooling1D(),
                                                        layers.Dense(2)]),
    "GlobalMaxPooling2D": lambda: keras.Sequential([layers.Input((6, 6, 2)),
                                                    layers.GlobalMaxPooling2D(), layers.Dense(2)]),
    "GlobalAveragePooling2D": lambda: keras.Sequential([layers.Input((6, 6, 2)),
                                                        layers.GlobalAveragePooling2D(),
                                                        layers.Dense(2)]),
    "Rescaling": _image(lambda: layers.Rescaling(0.5, offset=0.1)),
    "Resizing": _image(lambda: layers.Resizing(4, 5)),
    "Add": _merged(layers.Add), "Subtract": _merged(layers.Subtract),
    "Multiply": _merged(layers.Multiply), "Average": _merged(layers.Average),
    "Maximum": _merged(layers.Maximum), "Minimum": _merged(layers.Minimum),
    "Concatenate": _merged(layers.Concatenate),
    "Sequential": lambda: keras.Sequential([layers.Input((5,)), keras.Sequential(
        [layers.Dense(4, activation="relu")]), layers.Dense(2)]),
    "Model": _merged(layers.Add),
}


def _traceable_layer_names():
    return sorted({name for name in LAYERS.names() if LAYERS.lookup(name).traceable
                   and LAYERS.lookup(name).__name__ == name})


def test_every_traceable_layer_has_a_replay_case():
    assert sorted(set(_traceable_layer_names()) - set(MODELS)) == []


def _fit(name, replay):
    keras.utils.set_random_seed(3)
    model = MODELS[name]()
    model.compile(optimizer="adam", loss="mse")
    model._replay_steps = replay
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40,) + model.input_shape[1:]).astype(np.float32)
    y = rng.standard_normal((40, 2)).astype(np.float32)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, seed=5)
    return model, history.history


@pytest.mark.parametrize("name", sorted(MODELS))
def test_replayed_training_of_each_layer_is_bitwise_eager(name):
    replayed, replayed_history = _fit(name, True)
    eager, eager_history = _fit(name, False)
    assert replayed._train_function.replay.program is not None, f"{name} did not replay"
    assert replayed_history == eager_history
    for a, b in zip(replayed.get_weights(), eager.get_weights()):  # moving statistics too
        np.testing.assert_array_equal(a, b)
