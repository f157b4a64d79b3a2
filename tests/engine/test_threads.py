"""Fits and predictions in threads: the recording mode and fit's generator are per thread, so
concurrent runs give bitwise the results of serial ones."""

import threading

import numpy as np

import neurona as keras
from neurona import layers
from neurona.autograd import is_grad_enabled, no_grad
from neurona.random import set_random_seed


def _data(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((256, 8)).astype(np.float32)
    y = (x[:, :2].sum(axis=1, keepdims=True) > 0).astype(np.float32)
    return x, y


def _model(seed):
    set_random_seed(seed)
    model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[8]),
                              layers.Dropout(0.2),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _fit(model, seed):
    x, y = _data(seed)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, seed=seed)
    return model.get_weights(), history.history


def _predict_forever(model, x, stop, errors):
    try:
        while not stop.is_set():
            with no_grad():
                model.predict(x, verbose=0)
    except Exception as error:  # surfaced by the test below
        errors.append(error)


def test_fits_in_four_threads_beside_predicting_threads_equal_serial_fits():
    seeds = [11, 12, 13, 14]
    serial = [_fit(_model(s), s) for s in seeds]

    models = [_model(s) for s in seeds]  # built serially: initial weights in program order
    results, errors, stop = [None] * 4, [], threading.Event()
    x_predict = _data(99)[0]
    predictors = [threading.Thread(target=_predict_forever, args=(_model(99), x_predict, stop,
                                                                  errors)) for _ in range(2)]

    def fit_into(i):
        try:
            results[i] = _fit(models[i], seeds[i])
        except Exception as error:
            errors.append(error)

    fitters = [threading.Thread(target=fit_into, args=(i,)) for i in range(4)]
    for t in predictors + fitters:
        t.start()
    for t in fitters:
        t.join()
    stop.set()
    for t in predictors:
        t.join()
    assert not errors, errors
    for (w_serial, h_serial), (w_thread, h_thread) in zip(serial, results):
        assert h_thread == h_serial
        for a, b in zip(w_serial, w_thread):
            np.testing.assert_array_equal(a, b)


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    inside, release, seen = threading.Event(), threading.Event(), []

    def hold_no_grad():
        with no_grad():
            inside.set()
            release.wait(5)

    holder = threading.Thread(target=hold_no_grad)
    holder.start()
    inside.wait(5)
    seen.append(is_grad_enabled())
    release.set()
    holder.join()
    assert seen == [True]
