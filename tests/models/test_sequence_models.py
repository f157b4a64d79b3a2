"""Sequence models train on the shipped data: the keras.io text-classification Transformer
(with its user-written positional embedding and Transformer block) and a Bidirectional LSTM
that reads raw strings, on the sentiment sentences; an LSTM forecaster on the temperatures."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.datasets import daily_min_temperatures, sentiment_sentences

threadpoolctl = pytest.importorskip("threadpoolctl")
MAXLEN, VOCAB = 24, 2000


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # small matrix products: one BLAS thread is fastest, and stable on a shared machine
    with threadpoolctl.threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def sentences():
    (x_train, y_train), (x_test, y_test) = sentiment_sentences.load_data(seed=113)
    vectorize = layers.TextVectorization(max_tokens=VOCAB, output_sequence_length=MAXLEN)
    vectorize.adapt(x_train)
    return vectorize, (x_train, y_train), (x_test, y_test)


class TokenAndPositionEmbedding(layers.Layer):
    """The keras.io guide's layer, as a user writes it."""

    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = self.pos_emb(np.arange(x.shape[-1]))
        return self.token_emb(x) + positions


class TransformerBlock(layers.Layer):
    """The keras.io guide's block: its call has no training argument, its Dropout layers
    still drop in fit (Keras 3's call context)."""

    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)


def test_the_keras_io_transformer_learns_sentiment(sentences):
    vectorize, (x_train, y_train), (x_test, y_test) = sentences
    keras.utils.set_random_seed(0)
    inputs = layers.Input(shape=(MAXLEN,))
    x = TokenAndPositionEmbedding(MAXLEN, VOCAB, 32)(inputs)
    x = TransformerBlock(32, 2, 32)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(vectorize(x_train).numpy(), y_train, batch_size=32, epochs=4,
                        validation_data=(vectorize(x_test).numpy(), y_test), verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert max(history.history["val_accuracy"]) > 0.74  # chance: 0.5


def test_a_bidirectional_lstm_learns_sentiment_from_raw_strings(sentences, tmp_path):
    vectorize, (x_train, y_train), (x_test, y_test) = sentences
    keras.utils.set_random_seed(0)
    text = keras.Input(shape=(1,), dtype="string")
    x = layers.Embedding(VOCAB, 32, mask_zero=True)(vectorize(text))
    x = layers.Bidirectional(layers.LSTM(16))(x)
    model = keras.Model(text, layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=3, verbose=0)
    accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy > 0.75
    model.save(tmp_path / "sentiment.neurona")
    restored = keras.models.load_model(tmp_path / "sentiment.neurona")
    sample = np.array(["What a wonderful, friendly place!", "Terrible. It broke in a day."])
    assert np.array_equal(restored.predict(sample, verbose=0), model.predict(sample, verbose=0))
    good, bad = model.predict(sample, verbose=0)[:, 0]
    assert good > 0.5 > bad


def test_an_lstm_forecaster_beats_persistence_on_the_temperatures():
    train, test = daily_min_temperatures.load_data(0.2)
    mean, std = train.mean(), train.std()
    lags = 30

    def windows(series):
        z = (series - mean) / std
        view = np.lib.stride_tricks.sliding_window_view(z[:-1], lags)
        return view[..., None].astype("float32"), series[lags:].astype("float32")

    x_train, y_train = windows(train)
    x_test, y_test = windows(test)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(lags, 1)), layers.LSTM(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mae")
    model.fit(x_train, (y_train - mean) / std, batch_size=64, epochs=3, verbose=0)
    predicted = model.predict(x_test, verbose=0)[:, 0] * std + mean
    mae = np.abs(predicted - y_test).mean()
    persistence = np.abs(test[lags - 1:-1] - y_test).mean()  # yesterday's value
    assert mae < persistence
