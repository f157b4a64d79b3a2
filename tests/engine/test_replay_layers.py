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


def _volume(*stack):
    return lambda: keras.Sequential([layers.Input((3, 4, 4, 2)), *(f() for f in stack),
                                     layers.Flatten(), layers.Dense(2)])


def _attending(attention):
    """Self-attention over a (7, 3) sequence: MultiHeadAttention(x, x) or Attention([x, x])."""
    def make():
        inputs = keras.Input((7, 3))
        layer = attention()
        out = layer(inputs, inputs) if isinstance(layer, layers.MultiHeadAttention) \
            else layer([layers.Dense(3)(inputs), inputs])
        return keras.Model(inputs, layers.Dense(2)(layers.Flatten()(out)))
    return make


def _tokens(*stack):
    return lambda: keras.Sequential([layers.Input((7,)), *(f() for f in stack), layers.Dense(2)])


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
    "RepeatVector": _flat(lambda: layers.RepeatVector(2), layers.Flatten),
    "Permute": _sequence(lambda: layers.Permute((2, 1))),
    "UpSampling1D": _sequence(lambda: layers.UpSampling1D(2)),
    "UpSampling2D": _image(lambda: layers.UpSampling2D(2, interpolation="bilinear")),
    "ZeroPadding1D": _sequence(lambda: layers.ZeroPadding1D((1, 2))),
    "ZeroPadding2D": _image(lambda: layers.ZeroPadding2D(1)),
    "Cropping1D": _sequence(lambda: layers.Cropping1D((1, 2))),
    "Cropping2D": _image(lambda: layers.Cropping2D(((1, 0), (0, 2)))),
    "Conv3D": _volume(lambda: layers.Conv3D(2, 2, activation="relu")),
    "Conv1DTranspose": _sequence(lambda: layers.Conv1DTranspose(2, 3, strides=2)),
    "DepthwiseConv1D": _sequence(lambda: layers.DepthwiseConv1D(3, depth_multiplier=2)),
    "DepthwiseConv2D": _image(lambda: layers.DepthwiseConv2D(3, padding="same")),
    "SeparableConv1D": _sequence(lambda: layers.SeparableConv1D(3, 2)),
    "SeparableConv2D": _image(lambda: layers.SeparableConv2D(3, 2, activation="relu")),
    "MaxPooling3D": _volume(lambda: layers.MaxPooling3D(2, strides=1)),
    "AveragePooling3D": _volume(lambda: layers.AveragePooling3D(2, padding="same")),
    "GlobalMaxPooling3D": _volume(lambda: layers.GlobalMaxPooling3D(keepdims=True)),
    "GlobalAveragePooling3D": _volume(layers.GlobalAveragePooling3D),
    "UnitNormalization": _flat(layers.UnitNormalization),
    "GroupNormalization": _flat(lambda: layers.GroupNormalization(groups=2)),
    "Dot": _merged(lambda: layers.Dot(axes=1, normalize=True)),
    "Normalization": _flat(lambda: layers.Normalization(mean=[0.5] * 6, variance=[2.0] * 6)),
    # index 0 is padding: the mask reaches the LSTM inside the recorded Functions
    "Embedding": _tokens(lambda: layers.Embedding(10, 4, mask_zero=True),
                         lambda: layers.LSTM(3)),
    "Masking": _sequence(lambda: layers.Masking(mask_value=0.0), lambda: layers.GRU(3)),
    "SimpleRNN": _sequence(lambda: layers.SimpleRNN(4, return_sequences=True)),
    "LSTM": _sequence(lambda: layers.LSTM(4, dropout=0.2, return_sequences=True)),
    "GRU": _sequence(lambda: layers.GRU(4, go_backwards=True, reset_after=False)),
    # step by step (recurrent dropout, a user's activation or stacked cells): a graph node per
    # operation and step, the dropout masks drawn inside Functions
    "RNN": _sequence(lambda: layers.RNN(layers.SimpleRNNCell(3, activation="softsign"))),
    "SimpleRNNCell": _sequence(lambda: layers.RNN(layers.SimpleRNNCell(3, dropout=0.2),
                                                  return_sequences=True)),
    "LSTMCell": _sequence(lambda: layers.RNN(layers.LSTMCell(3, recurrent_dropout=0.2))),
    "GRUCell": _sequence(lambda: layers.RNN(layers.GRUCell(3), unroll=True)),
    "StackedRNNCells": _sequence(lambda: layers.RNN(layers.StackedRNNCells(
        [layers.GRUCell(3), layers.LSTMCell(2)]))),
    "Bidirectional": _sequence(lambda: layers.Bidirectional(layers.LSTM(3,
                                                                        return_sequences=True))),
    "TimeDistributed": _sequence(lambda: layers.TimeDistributed(layers.Dense(2))),
    "MultiHeadAttention": _attending(lambda: layers.MultiHeadAttention(2, 3, dropout=0.1)),
    "Attention": _attending(lambda: layers.Attention(use_scale=True, dropout=0.1)),
    "AdditiveAttention": _attending(layers.AdditiveAttention),
}
#: cases whose inputs are token indices in [0, n) (0 appears: it is Embedding's padding)
TOKENS = {"Embedding": 10}
#: cases whose inputs end with padded (all-zero) timesteps in every other sample
PADDED = {"Masking"}


def _traceable_layer_names():
    return sorted({name for name in LAYERS.names() if LAYERS.lookup(name).traceable
                   and LAYERS.lookup(name).__name__ == name})


def test_every_traceable_layer_has_a_replay_case():
    assert sorted(set(_traceable_layer_names()) - set(MODELS)) == []


def _fit(name, replay):
    return _fit_model(MODELS[name], replay, TOKENS.get(name), name in PADDED)


def _fit_model(make, replay, tokens=None, padded=False):
    keras.utils.set_random_seed(3)
    model = make()
    model.compile(optimizer="adam", loss="mse")
    model._replay_steps = replay
    rng = np.random.default_rng(0)
    shape = (40,) + model.input_shape[1:]
    x = (rng.integers(0, tokens, size=shape) if tokens else
         rng.standard_normal(shape)).astype(np.float32)
    if padded:
        x[::2, -3:] = 0
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


def test_a_replayed_step_still_checks_embedding_indices():
    """The range check lives in the Embedding Function: a replayed batch is checked too."""
    keras.utils.set_random_seed(3)
    model = _tokens(lambda: layers.Embedding(10, 4), layers.Flatten)()
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).integers(0, 10, size=(40, 7)).astype(np.float32)
    x[35, 2] = 10  # in the fifth batch: the first two were recorded, the rest replay
    with pytest.raises(ValueError, match=r"Embedding 'embedding.*': index 10 is outside \[0, 10\)"):
        model.fit(x, np.zeros((40, 2), np.float32), batch_size=8, shuffle=False, verbose=0)
    assert model._train_function.replay.program is not None


def _stateful(unroll):
    return lambda: keras.Sequential([layers.Input((7, 3), batch_size=8),
                                     layers.LSTM(4, stateful=True, unroll=unroll),
                                     layers.Dense(2)])


def test_a_stateful_rnn_replays_only_when_its_states_are_written_inside_the_function():
    assert layers.LSTM(4, stateful=True).traceable
    assert not layers.LSTM(4, stateful=True, unroll=True).traceable  # states written in Python
    assert not layers.RNN(layers.SimpleRNNCell(3, activation="softsign"), stateful=True).traceable
    replayed, replayed_history = _fit_model(_stateful(False), True)
    eager, eager_history = _fit_model(_stateful(False), False)
    assert replayed._train_function.replay.program is not None
    assert replayed_history == eager_history
    for a, b in zip(replayed.get_weights(), eager.get_weights()):  # the carried states too
        np.testing.assert_array_equal(a, b)
