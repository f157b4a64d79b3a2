"""A loss that becomes NaN or infinite stops fit by default, with the epoch, the batch and the
likely cause (issue 18, item 13)."""

import numpy as np
import pytest

import neurona as keras
from neurona import callbacks, layers


def _regressor(rate):
    model = keras.Sequential([layers.Input((3,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(rate), loss="mse")
    return model


def _data(scale):
    x = np.random.default_rng(0).normal(size=(64, 3))
    return x, x.sum(axis=1) * scale


def _fit_diverging(model, x, y, **kwargs):
    with np.errstate(all="ignore"), pytest.warns(keras.TrainingDivergedWarning) as caught:
        history = model.fit(x, y, epochs=20, batch_size=8, verbose=0, **kwargs)
    return history, str(caught[0].message)


def test_unscaled_targets_stop_training_in_the_first_epoch_and_are_named():
    history, message = _fit_diverging(_regressor(0.5), *_data(1e5))
    assert len(history.epoch) == 1 and not np.isfinite(history.history["loss"][0])
    assert "the training loss became NaN in epoch 1 (the loss is read once per epoch" in message
    assert "the targets are not scaled (values up to 3.79e+05)" in message
    assert "the learning rate 0.5 is high" in message


def test_the_batch_is_named_where_a_callback_already_read_the_batch_logs():
    nan_stop = callbacks.TerminateOnNaN()
    _, message = _fit_diverging(_regressor(0.5), *_data(1e5), callbacks=[nan_stop])
    assert f"at batch {nan_stop.stopped_batch} of 8 (counted from 0)" in message


def test_a_high_learning_rate_alone_is_the_cause_given():
    x, y = _data(1.0)
    history, message = _fit_diverging(_regressor(50.0), x, y)
    assert "Likely cause: the learning rate 50 is high" in message
    assert "not scaled" not in message
    assert len(history.epoch) < 20


def test_a_finite_loss_trains_every_epoch_without_a_report():
    history = _regressor(0.01).fit(*_data(1.0), epochs=3, verbose=0)  # warnings are errors
    assert len(history.epoch) == 3 and np.isfinite(history.history["loss"]).all()
