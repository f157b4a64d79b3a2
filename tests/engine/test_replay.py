"""Recorded and replayed training steps: bitwise the eager result, and eager where they cannot be."""

import numpy as np
import pytest

import neurona as keras
import neurona.functions as F
from neurona import layers
from neurona.autograd import Tensor
from neurona.autograd.replay import Recording, build_program
from neurona.backend import get_ops


def _dense_binary():
    model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[6]),
                              layers.Dense(8, activation="tanh"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy", "auc"])
    return model


def _dense_mae_with_l2():
    model = keras.Sequential([layers.Dense(12, activation="relu", input_shape=[6],
                                           kernel_regularizer="l2", activity_regularizer="l1"),
                              layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mae")
    return model


def _dropout_softmax():
    model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[6]),
                              layers.Dropout(0.3),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _small_cnn():
    model = keras.Sequential([layers.Conv2D(4, 3, activation="relu", input_shape=[8, 8, 1]),
                              layers.MaxPooling2D(2),
                              layers.Conv2D(5, 2, activation="relu"),
                              layers.Flatten(),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _branches():
    inputs = keras.Input(shape=(6,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    both = layers.Add()([layers.Dense(8)(hidden), hidden])  # hidden feeds two nodes
    joined = layers.Concatenate()([both, inputs])
    model = keras.Model(inputs, layers.Dense(1)(joined))
    model.compile(optimizer="sgd", loss="mse")
    return model


def _shared_layer():
    inputs = keras.Input(shape=(6,))
    square = layers.Dense(6, activation="tanh")  # one kernel used twice: two gradients summed
    model = keras.Model(inputs, layers.Dense(1)(square(square(inputs))))
    model.compile(optimizer="adam", loss="mse")
    return model


def _data(model, rows=53, seed=0):
    rng = np.random.default_rng(seed)
    shape = model.input_shape[1:]
    x = rng.standard_normal((rows,) + tuple(shape)).astype(np.float32)
    classes = model.output_shape[-1]
    if model.loss.name.startswith("sparse"):
        y = rng.integers(0, classes, rows)
    elif model.loss.name == "binary_crossentropy":
        y = (x.reshape(rows, -1)[:, 0] > 0).astype(np.float32)
    else:
        y = x.reshape(rows, -1)[:, :1].sum(axis=1) + 0.1
    return x, y


def _fit(make, replay, **fit_args):
    keras.utils.set_random_seed(7)
    model = make()
    model._replay_steps = replay
    x, y = _data(model)
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, seed=11, **fit_args)
    return model, history.history


def _assert_replay_matches_eager(run):
    """``run(replay)`` -> (model, record of the training); both runs must agree bitwise, and
    the replayed one must really have replayed."""
    replayed, replayed_record = run(True)
    eager, eager_record = run(False)
    assert replayed._train_function.replay.program is not None
    assert eager._train_function.replay is None
    assert replayed_record == eager_record
    for a, b in zip(replayed.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", [_dense_binary, _dense_mae_with_l2, _dropout_softmax,
                                  _small_cnn, _branches, _shared_layer])
def test_a_replayed_fit_is_bitwise_the_eager_fit(make):
    _assert_replay_matches_eager(lambda replay: _fit(make, replay))


def test_weights_restored_by_a_callback_mid_fit_are_the_ones_a_replay_trains():
    def run(replay):
        stop = keras.callbacks.EarlyStopping(patience=1, restore_best_weights=True)
        shrink = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: model.set_weights(
            [w * 0.5 for w in model.get_weights()]))
        keras.utils.set_random_seed(5)
        model = _dense_binary()
        model._replay_steps = replay
        x, y = _data(model)
        history = model.fit(x, y, batch_size=8, epochs=6, verbose=0, seed=2,
                            validation_split=0.25, callbacks=[shrink, stop])
        return model, history.history

    _assert_replay_matches_eager(run)


def test_sample_weighted_training_replays_bitwise_the_eager_one():
    # the weights are one of the step's batch arrays: replayed like the inputs and targets
    weights = np.linspace(0.5, 2.0, 53)
    _assert_replay_matches_eager(lambda replay: _fit(_dense_binary, replay,
                                                     sample_weight=weights))


def test_class_weights_replay_bitwise_too():
    _assert_replay_matches_eager(lambda replay: _fit(_dense_binary, replay,
                                                     class_weight={0: 0.3, 1: 2.0}))


class _Doubled(keras.Model):  # a subclassed model: its call may do anything in Python
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, x):
        return self.dense(x) * 2.0


class _CountingDense(layers.Dense):  # a user's subclass of a built-in layer: not traceable
    calls = 0

    def call(self, inputs):
        _CountingDense.calls += 1
        return super().call(inputs)


@pytest.mark.parametrize("make", [
    lambda: keras.Sequential([layers.Dense(4, input_shape=[6]), _CountingDense(1)]),
    lambda: keras.Sequential([layers.Dense(4, input_shape=[6],
                                           activity_regularizer=lambda a: F.sum(F.abs(a))),
                              layers.Dense(1)]),
    lambda: keras.Sequential([layers.Dense(1, input_shape=[6], kernel_regularizer=lambda w:
                                           F.sum(w * w))]),
    _Doubled,
])
def test_models_with_python_side_effects_train_eagerly(make):
    model = make()
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((16, 6), np.float32)
    model.fit(x, np.ones(16, np.float32), batch_size=4, epochs=1, verbose=0)
    assert model._train_function.replay is None


def test_a_subclass_of_a_built_in_layer_can_declare_itself_traceable():
    class Declared(layers.Dense):
        traceable = True

    assert not _CountingDense.traceable and Declared.traceable and layers.Dense.traceable
    assert not type("Plain", (layers.Dense,), {}).traceable


def test_a_custom_loss_function_trains_eagerly():
    model = keras.Sequential([layers.Dense(1, input_shape=[6])])
    model.compile(optimizer="sgd", loss=lambda y, p: F.mean((p - y) ** 2))
    model.fit(np.ones((16, 6), np.float32), np.ones(16, np.float32), batch_size=4, verbose=0)
    assert model._train_function.replay is None


def test_train_on_batch_replays_the_batch_it_is_given_even_after_the_same_arrays_twice():
    def run(replay):
        keras.utils.set_random_seed(3)
        model = _dense_binary()
        model._replay_steps = replay
        x, y = _data(model, rows=40)
        x, y = x.astype(np.float32), y.astype(np.float32)
        first_x, first_y = x[:8], y[:8]
        losses = [model.train_on_batch(first_x, first_y) for _ in range(2)]  # the same objects
        losses += [model.train_on_batch(x[i:i + 8], y[i:i + 8]) for i in range(8, 40, 8)]
        return model, losses

    _assert_replay_matches_eager(run)


def _record(step, x, y, w):
    recording = Recording([x, y])
    with recording:
        out = step(Tensor(x), w)
        loss = F.mean((out - Tensor(y)) ** 2)
    recording.finish([out, loss], loss)
    return recording


def test_a_mask_drawn_outside_the_graph_prevents_a_program_and_one_drawn_inside_does_not():
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    batches = [tuple(get_ops().asarray(rng.standard_normal((4, n))) for n in (3, 2))
               for _ in range(2)]  # on the backend, as fit moves its batches
    generator = np.random.default_rng(1)

    def python_mask(x, w_):  # the mask is an input of the node, a new array at every step
        return (x @ w_) * get_ops().asarray((generator.random((4, 2)) > 0.5) * 2.0)

    def graph_mask(x, w_):  # the node holds the generator and draws in forward
        return F.dropout(x @ w_, 0.5, rng=generator)

    for step, replayable in ((python_mask, False), (graph_mask, True)):
        first, second = (_record(step, x, y, w) for x, y in batches)
        program = build_program(first, second, [w])
        assert (program is not None) is replayable


def test_models_trained_in_two_threads_at_once_each_get_their_own_recording():
    import threading

    def build(replay):
        keras.utils.set_random_seed(7)
        model = _dense_binary()
        model._replay_steps = replay
        return model

    eager, threaded = build(False), [build(True), build(True)]
    x, y = _data(eager)
    eager.fit(x, y, batch_size=8, epochs=3, verbose=0, seed=11)
    workers = [threading.Thread(target=m.fit, args=(x, y),
                                kwargs=dict(batch_size=8, epochs=3, verbose=0, seed=11))
               for m in threaded]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for model in threaded:
        assert model._train_function.replay.program is not None
        for a, b in zip(model.get_weights(), eager.get_weights()):
            np.testing.assert_array_equal(a, b)
