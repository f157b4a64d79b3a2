"""Every callback hook Keras has is called, under its legacy name too, on any object that has
hook methods; callbacks that change the learning rate per batch (the book's learning-rate
finder and 1cycle schedule) really change it."""

import math

import numpy as np
import pytest

import neurona as keras
from neurona import layers


def _model(lr=0.01):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=[4]),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 4)).astype("float32")
    return x, x[:, :1] * 3


class Recorder:
    """Not a Callback subclass: an object with hook methods, as Keras accepts."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)
        return lambda *args: self.calls.append(hook)


def test_every_hook_is_called_in_order_on_a_plain_object():
    x, y = _data()
    recorder = Recorder()
    model = _model()
    model.fit(x, y, epochs=2, batch_size=50, validation_data=(x[:20], y[:20]),
              callbacks=[recorder], verbose=0)
    calls = recorder.calls
    assert calls[0] == "on_train_begin" and calls[-1] == "on_train_end"
    assert calls.count("on_epoch_begin") == calls.count("on_epoch_end") == 2
    assert calls.count("on_train_batch_begin") == calls.count("on_train_batch_end") == 4
    assert calls.count("on_test_begin") == calls.count("on_test_end") == 2  # validation
    assert calls.count("on_test_batch_begin") == calls.count("on_test_batch_end") == 2
    recorder.calls = []
    model.evaluate(x, y, batch_size=50, callbacks=[recorder], verbose=0)
    assert recorder.calls == ["on_test_begin", "on_test_batch_begin", "on_test_batch_end",
                              "on_test_batch_begin", "on_test_batch_end", "on_test_end"]
    recorder.calls = []
    model.predict(x, batch_size=60, callbacks=[recorder], verbose=0)
    assert recorder.calls == ["on_predict_begin", "on_predict_batch_begin",
                              "on_predict_batch_end", "on_predict_batch_begin",
                              "on_predict_batch_end", "on_predict_end"]


def test_the_legacy_batch_hooks_are_the_training_batch_hooks():
    seen = []

    class OldStyle(keras.callbacks.Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch, round(logs["loss"], 6) > 0))

    class PlainOldStyle:
        def on_batch_end(self, batch, logs=None):
            seen.append(("plain", batch))

    x, y = _data()
    _model().fit(x, y, epochs=1, batch_size=25, callbacks=[OldStyle(), PlainOldStyle()],
                 verbose=0)
    assert [s for s in seen if s[0] == "begin"] == [("begin", i) for i in range(4)]
    assert [s for s in seen if s[0] == "end"] == [("end", i, True) for i in range(4)]
    assert [s for s in seen if s[0] == "plain"] == [("plain", i) for i in range(4)]


def test_a_single_callback_is_taken_and_a_non_callback_is_refused():
    x, y = _data()
    history = keras.callbacks.History()
    _model().fit(x, y, epochs=1, callbacks=history, verbose=0)  # one callback, as Keras 3
    assert list(history.history) == ["loss"]
    with pytest.raises(TypeError, match=r"callbacks\[1\] is 'early_stopping', which is not a "
                                         r"callback"):
        _model().fit(x, y, epochs=1, callbacks=[history, "early_stopping"], verbose=0)


class ExponentialLearningRate(keras.callbacks.Callback):
    """"Hands-On Machine Learning", chapter 11: grow the rate every batch, record the losses."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.rates, self.losses = [], []

    def on_batch_end(self, batch, logs=None):
        lr = keras.backend.get_value(self.model.optimizer.learning_rate)
        self.rates.append(float(lr))
        self.losses.append(logs["loss"])
        keras.backend.set_value(self.model.optimizer.learning_rate, lr * self.factor)


def test_the_learning_rate_finder_changes_the_rate_every_batch():
    x, y = _data()
    model = _model(lr=1e-4)
    finder = ExponentialLearningRate(factor=1.5)
    model.fit(x, y, epochs=1, batch_size=10, callbacks=[finder], verbose=0)
    assert len(finder.rates) == len(finder.losses) == 10
    np.testing.assert_allclose(finder.rates, 1e-4 * 1.5 ** np.arange(10), rtol=1e-9)
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-4 * 1.5 ** 10)


class OneCycleScheduler(keras.callbacks.Callback):
    """The book's 1cycle schedule: up linearly, down linearly, then a last drop."""

    def __init__(self, iterations, max_rate, start_rate=None, last_iterations=None,
                 last_rate=None):
        super().__init__()
        self.iterations, self.max_rate = iterations, max_rate
        self.start_rate = start_rate or max_rate / 10
        self.last_iterations = last_iterations or iterations // 10 + 1
        self.half_iteration = (iterations - self.last_iterations) // 2
        self.last_rate = last_rate or self.start_rate / 1000
        self.iteration = 0

    def _interpolate(self, iter1, iter2, rate1, rate2):
        return (rate2 - rate1) * (self.iteration - iter1) / (iter2 - iter1) + rate1

    def on_batch_begin(self, batch, logs):
        if self.iteration < self.half_iteration:
            rate = self._interpolate(0, self.half_iteration, self.start_rate, self.max_rate)
        elif self.iteration < 2 * self.half_iteration:
            rate = self._interpolate(self.half_iteration, 2 * self.half_iteration,
                                     self.max_rate, self.start_rate)
        else:
            rate = self._interpolate(2 * self.half_iteration, self.iterations,
                                     self.start_rate, self.last_rate)
        self.iteration += 1
        self.model.optimizer.learning_rate = rate


def test_a_1cycle_callback_trains_differently_from_a_constant_rate():
    x, y = _data()
    steps = 2 * math.ceil(len(x) / 10)
    cycled, constant = _model(), _model()
    cycled.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0,
               callbacks=[OneCycleScheduler(steps, max_rate=0.05)])
    constant.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0)
    assert not np.allclose(cycled.get_weights()[0], constant.get_weights()[0])
    final = OneCycleScheduler(steps, 0.05)
    final.iteration = steps - 1
    assert float(cycled.optimizer.learning_rate) == pytest.approx(
        final._interpolate(2 * final.half_iteration, steps, final.start_rate, final.last_rate))


def test_steps_per_execution_groups_batch_callbacks():
    x, y = _data()
    recorder = Recorder()
    model = _model()
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=3)
    model.fit(x, y, epochs=1, batch_size=10, callbacks=[recorder], verbose=0)
    assert recorder.calls.count("on_train_batch_end") == 4  # after batches 3, 6, 9 and 10
