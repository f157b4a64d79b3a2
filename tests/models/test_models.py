"""Sequential, functional and subclassed models: building, training, evaluation, errors."""

import warnings

import numpy as np
import pytest

import neurona as keras
from neurona import layers


def _regression_data(rng, n=256, d=5):
    x = rng.standard_normal((n, d)).astype("float32")
    w = rng.standard_normal((d, 1)).astype("float32")
    y = (x @ w + 0.1 * rng.standard_normal((n, 1))).astype("float32")
    return x, y


def test_sequential_builds_from_input_shape_and_counts_params():
    model = keras.Sequential([
        layers.Dense(64, activation="relu", input_shape=[13], kernel_initializer="he_normal"),
        layers.Dense(64, activation="elu"),
        layers.Dense(1),
    ])
    assert model.built
    assert model.input_shape == (None, 13)
    assert model.output_shape == (None, 1)
    assert model.count_params() == 13 * 64 + 64 + 64 * 64 + 64 + 64 + 1
    assert [w.shape for w in model.get_weights()] == [(13, 64), (64,), (64, 64), (64,), (64, 1), (1,)]


def test_issue_example_trains_and_reduces_the_loss(rng):
    x, y = _regression_data(rng, d=13)
    model = keras.Sequential([
        layers.Dense(64, activation="relu", input_shape=[13], kernel_initializer="he_normal"),
        layers.Dense(64, activation="elu"),
        layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3, clipnorm=1.0),
                  loss="mse", metrics=["mae"])
    history = model.fit(x, y, validation_split=0.2, epochs=30, batch_size=16, verbose=0, seed=0)
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert len(history.history["loss"]) == 30
    assert history.history["loss"][-1] < 0.25 * history.history["loss"][0]
    loss, mae = model.evaluate(x, y, verbose=0)
    assert loss < 0.1 and mae < 0.25
    assert model.predict(x[:7], verbose=0).shape == (7, 1)


def test_fit_logs_match_evaluate_definitions(rng):
    x, y = _regression_data(rng)
    model = keras.Sequential([layers.Dense(1, input_shape=[5])])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=50, epochs=1, verbose=0, shuffle=False)
    pred = model.predict(x, verbose=0)
    assert history.history["loss"][0] == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)
    assert history.history["mae"][0] == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-5)
    assert model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)["loss"] == \
        pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)


def test_same_seed_gives_bitwise_identical_training(rng):
    x, y = _regression_data(rng)

    def run():
        keras.utils.set_random_seed(3)
        model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[5]), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, seed=5)
        return model.get_weights(), history.history["loss"]

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))


def test_functional_model_matches_sequential_with_same_weights(rng):
    x, _ = _regression_data(rng)
    inputs = keras.Input(shape=(5,))
    hidden = layers.Dense(8, activation="tanh")(inputs)
    outputs = layers.Dense(2)(hidden)
    functional = keras.Model(inputs, outputs)
    sequential = keras.Sequential([layers.Dense(8, activation="tanh", input_shape=[5]), layers.Dense(2)])
    sequential.set_weights(functional.get_weights())
    np.testing.assert_allclose(functional.predict(x, verbose=0), sequential.predict(x, verbose=0), rtol=1e-6)
    assert [type(layer).__name__ for layer in functional.layers] == ["InputLayer", "Dense", "Dense"]
    assert functional.output_shape == (None, 2)


def test_functional_multi_input_model_trains(rng):
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    merged = layers.Concatenate()([layers.Dense(4, activation="relu")(a), b])
    out = layers.Dense(1)(merged)
    model = keras.Model([a, b], out)
    assert len(model.inputs) == 2 and merged.shape == (None, 6)
    xa, xb = rng.standard_normal((64, 3)), rng.standard_normal((64, 2))
    y = xa[:, :1] - 2 * xb[:, 1:]
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit([xa, xb], y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert model.predict([xa, xb], verbose=0).shape == (64, 1)


def test_subclassed_model_trains(rng):
    class TwoLayer(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(16, activation="relu")
            self.out = layers.Dense(1)

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

    x, y = _regression_data(rng)
    model = TwoLayer()
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0, seed=0)
    assert len(model.trainable_weights) == 4
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_layers_and_models_compute_eagerly_on_arrays():
    layer = layers.Dense(3, kernel_initializer="ones", bias_initializer="zeros")
    out = layer(np.ones((2, 4)))
    assert isinstance(out, keras.Tensor)
    np.testing.assert_array_equal(np.asarray(out), np.full((2, 3), 4.0))
    assert out.numpy().dtype == np.float32
    assert layer.kernel.shape == (4, 3)


def test_get_layer_by_name_and_index():
    model = keras.Sequential([layers.Dense(2, input_shape=[3], name="first"), layers.Dense(1, name="last")])
    assert model.get_layer("last") is model.layers[1]
    assert model.get_layer(index=0).name == "first"
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")


def test_summary_lists_layers_and_parameter_counts():
    model = keras.Sequential([layers.Dense(4, input_shape=[3], name="hidden"), layers.Dense(1, name="out")])
    model.layers[0].trainable = False
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "hidden (Dense)" in text and "(None, 4)" in text and "16" in text
    assert "Total params: 21" in text
    assert "Trainable params: 5" in text
    assert "Non-trainable params: 16" in text


def test_frozen_layer_does_not_change(rng):
    x, y = _regression_data(rng)
    model = keras.Sequential([layers.Dense(8, input_shape=[5]), layers.Dense(1)])
    model.layers[0].trainable = False
    before = model.layers[0].get_weights()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(before, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_train_on_batch_and_predict_on_batch(rng):
    x, y = _regression_data(rng, n=32)
    model = keras.Sequential([layers.Dense(1, input_shape=[5])])
    model.compile(optimizer="sgd", loss="mse")
    first = model.train_on_batch(x, y)
    second = model.train_on_batch(x, y)
    assert second < first
    assert model.predict_on_batch(x).shape == (32, 1)


def test_class_weight_balanced_equals_explicit_weights(rng):
    x = rng.standard_normal((100, 4)).astype("float32")
    y = (rng.random(100) < 0.2).astype("float32")

    def trained(**kwargs):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=[4])])
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        model.fit(x, y, epochs=2, batch_size=10, verbose=0, seed=1, **kwargs)
        return model.get_weights()

    pos = y.mean()
    explicit = {0: 1 / (2 * (1 - pos)), 1: 1 / (2 * pos)}
    for a, b in zip(trained(class_weight="balanced"), trained(class_weight=explicit)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    sample = np.where(y == 1, explicit[1], explicit[0])
    for a, b in zip(trained(class_weight="balanced"), trained(sample_weight=sample)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_callbacks_receive_the_keras_hooks(rng):
    x, y = _regression_data(rng, n=40)
    events = []

    class Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_train_batch_end(self, batch, logs=None):
            events.append(f"batch_end {batch} {logs['loss'] > 0}")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append("train_end")

    model = keras.Sequential([layers.Dense(1, input_shape=[5])])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=20, epochs=2, verbose=0, callbacks=[Recorder()], initial_epoch=1)
    assert events == ["train_begin", "epoch_begin 1", "batch_end 0 True", "batch_end 1 True",
                      "epoch_end 1 ['loss']", "train_end"]


def test_stop_training_from_a_callback(rng):
    x, y = _regression_data(rng, n=40)

    class StopAfterFirst(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    model = keras.Sequential([layers.Dense(1, input_shape=[5])])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterFirst()])
    assert history.epoch == [0]


def test_verbose_progress_is_printed(rng, capsys):
    x, y = _regression_data(rng, n=40)
    model = keras.Sequential([layers.Dense(1, input_shape=[5])])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss:" in out and "mae:" in out


def test_history_is_a_dict_of_lists_for_pandas(rng):
    pd = pytest.importorskip("pandas")
    x, y = _regression_data(rng, n=40)
    model = keras.Sequential([layers.Dense(1, input_shape=[5])])
    model.compile(optimizer="adam", loss="mae")
    history = model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0)
    frame = pd.DataFrame(history.history)
    assert list(frame.columns) == ["loss", "val_loss"] and len(frame) == 3


def test_validation_split_of_sorted_labels_warns():
    x = np.random.default_rng(0).standard_normal((100, 3))
    y = np.repeat([0, 1], 50)  # sorted: the last 20% are all class 1
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=[3])])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.warns(keras.TrainingSetupWarning,
                      match="last 20 rows .* class 0 is 0% of them.*shuffle the rows before fit"):
        model.fit(x, y, validation_split=0.2, epochs=1, verbose=0)


# -- the training-setup doctor inside fit ----------------------------------------------------------
def _binary_model(units=1, activation="sigmoid"):
    model = keras.Sequential([layers.Dense(units, activation=activation, input_shape=[3])])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    return model


def test_fit_warns_about_unscaled_inputs_once_per_model():
    rng = np.random.default_rng(0)
    x = rng.normal(500.0, 200.0, size=(60, 3))
    y = (x[:, 0] > 500).astype(np.int64)
    model = _binary_model()
    with pytest.warns(keras.TrainingSetupWarning, match=r"3 of 3 input features are far from "
                      r"mean 0 / std 1 .*fix: standardize") as caught:
        model.fit(x, y, epochs=1, verbose=0)
    assert len(caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, epochs=1, verbose=0)  # said once: a second fit stays quiet
        _binary_model().fit((x - 500.0) / 200.0, y, epochs=1, verbose=0)  # scaled: nothing


def test_fit_warns_about_imbalance_unless_the_classes_are_weighted():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((100, 3))
    y = (np.arange(100) % 20 == 0).astype(np.int64)  # 5% positives
    with pytest.warns(keras.TrainingSetupWarning, match=r"class 1 is only 5.0% of the rows "
                      r"\(5 of 100\).*class_weight='balanced'"):
        _binary_model().fit(x, y, epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _binary_model().fit(x, y, epochs=1, verbose=0, class_weight="balanced")
        _binary_model().fit(x, y, epochs=1, verbose=0, sample_weight=np.ones(100))


def test_fit_stops_on_a_doctor_error_before_any_step():
    x = np.random.default_rng(2).standard_normal((40, 3))
    y = (x[:, 0] > 0).astype(np.int64)
    model = _binary_model(activation="relu")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"binary_crossentropy expects probabilities but the last "
                                         r"layer's activation is 'relu'; fix: use "
                                         r"activation='sigmoid'"):
        model.fit(x, y, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_fit_doctor_samples_rows_of_large_inputs(monkeypatch):
    from neurona.models import doctor

    seen = []
    real = doctor.check_training_setup
    monkeypatch.setattr(doctor, "FIT_SAMPLE_VALUES", 300)
    monkeypatch.setattr(doctor, "check_training_setup",
                        lambda x, y, **kw: seen.append(len(x[kw["scale_rows"]])) or real(x, y, **kw))
    x = np.random.default_rng(3).standard_normal((1000, 3))
    _binary_model().fit(x, (x[:, 0] > 0).astype(np.int64), epochs=1, verbose=0)
    assert seen == [100]  # every 10th row: 100 rows x 3 features = 300 values
