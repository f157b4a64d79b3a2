"""ProgbarLogger: a live bar with an ETA on a terminal and in Jupyter, one finished line
elsewhere, the time of each epoch, and Keras's evaluate/predict progress (driven through the
hooks the training loop calls)."""

import io
import re
import sys
import types

import numpy as np
import pytest

import neurona as keras
from neurona.callbacks import CallbackList, ProgbarLogger
from neurona.callbacks import progbar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _model():
    model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def _data(n=64):
    x = np.random.default_rng(0).normal(size=(n, 2))
    return x, x.sum(axis=1)


@pytest.fixture
def every_batch(monkeypatch):
    monkeypatch.setattr(progbar, "REDRAW_INTERVAL", 0.0)


def test_off_a_terminal_each_epoch_prints_one_finished_line(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    out = io.StringIO()
    x, y = _data()
    _model().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[ProgbarLogger(1, out)])
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and len(lines) == 4
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.match(r"4/4 ━{20} \d+(ms|\.\ds|s) \d+(us|ms)/step - loss: \d+\.\d{4} - "
                    r"mae: \d+\.\d{4}$", lines[1]), lines[1]


@pytest.mark.parametrize("where", ["terminal", "jupyter"])
def test_the_bar_is_redrawn_live_with_an_eta(where, every_batch, monkeypatch):
    if where == "jupyter":  # an IPython kernel: the notebook rewrites a line on "\r"
        monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
        out = io.StringIO()
    else:
        monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
        out = Terminal()
    x, y = _data()
    _model().fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[ProgbarLogger(1, out)])
    text = out.getvalue()
    frames = text.split("Epoch 1/1\n")[1].split("\r")
    assert len(frames) == 4  # batches 1-3 drawn live, then the finished line over them
    assert frames[0].startswith("1/4 ━━━━━╸") and " ETA " in frames[0]
    assert frames[-1].startswith("4/4 ━━━━━━━━━━━━━━━━━━━━ ") and frames[-1].endswith("\n")
    assert "ETA" not in frames[-1] and "val_" not in text
    # a shorter line is padded over a longer one, so no stale characters stay on screen
    assert all(len(b.rstrip("\n")) >= len(a) for a, b in zip(frames, frames[1:]))


def test_verbose_2_prints_each_epoch_with_its_time_and_the_eta():
    out = io.StringIO()
    x, y = _data()
    _model().fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                 callbacks=[ProgbarLogger(verbose=2, stream=out)])
    lines = out.getvalue().splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert re.match(r"Epoch 1/3 - \d+ms - ETA \d+ms - loss: .* - val_mae: ", lines[0]), lines[0]
    assert " ETA " not in lines[2]


def test_verbose_none_takes_the_level_of_the_call():
    logger = ProgbarLogger(stream=io.StringIO())
    CallbackList([logger], _model(), {"verbose": "auto", "steps": 2, "epochs": 1})
    assert logger._level() == 1
    with pytest.raises(ValueError, match="verbose must be 1, 2 or None"):
        ProgbarLogger(verbose=3)


def _drive_evaluate(logger, steps, live):
    CallbackList([logger], _model(), {"steps": steps, "verbose": 1})
    logger.on_test_begin({})
    for batch in range(steps):
        logger.on_test_batch_end(batch, {"loss": 0.5 + batch, "mae": 0.25})
    logger.on_test_end({"loss": 0.75, "mae": 0.25})


def test_evaluate_shows_its_own_bar_and_the_final_logs(every_batch):
    out = Terminal()
    logger = ProgbarLogger(stream=out)
    _drive_evaluate(logger, 3, live=True)
    frames = out.getvalue().split("\r")
    assert len(frames) == 3 and frames[0].startswith("1/3 ") and "loss: 0.5000" in frames[0]
    assert frames[-1].startswith("3/3 ━━━━━━━━━━━━━━━━━━━━ ")
    assert frames[-1].rstrip(" \n").endswith(" - loss: 0.7500 - mae: 0.2500")


def test_predict_shows_a_bar_without_logs(every_batch):
    out = io.StringIO()  # off a terminal: the finished line only
    logger = ProgbarLogger(stream=out)
    CallbackList([logger], _model(), {"steps": 2})
    logger.on_predict_begin({})
    for batch in range(2):
        logger.on_predict_batch_end(batch, {"outputs": np.zeros((4, 1))})
    logger.on_predict_end({})
    assert re.match(r"2/2 ━{20} \d+(ms|\.\ds|s) \d+(us|ms)/step\n$", out.getvalue())


def test_validation_inside_fit_draws_no_bar_of_its_own():
    out = Terminal()
    logger = ProgbarLogger(stream=out)
    CallbackList([logger], _model(), {"steps": 2, "epochs": 1, "verbose": 1})
    logger.on_train_begin({})
    logger.on_test_begin({})
    logger.on_test_batch_end(0, {"loss": 1.0})
    logger.on_test_end({"loss": 1.0})
    assert out.getvalue() == ""
    logger.on_train_end({})
    logger.on_test_begin({})
    logger.on_test_end({"loss": 1.0})
    assert out.getvalue().startswith("2/2 ")


def test_batch_logs_are_read_only_for_a_live_bar(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    quiet = CallbackList([ProgbarLogger(1, io.StringIO())], _model(), {"steps": 2})
    live = CallbackList([ProgbarLogger(1, Terminal())], _model(), {"steps": 2})
    for hook in ("on_train_batch_end", "on_test_batch_end", "on_predict_batch_end"):
        assert not quiet.wants_batch(hook) and live.wants_batch(hook)
    assert not live.wants_batch("on_train_batch_begin")


def test_durations_and_logs_are_formatted_as_keras_shows_them():
    assert [progbar.format_duration(s) for s in (0.0042, 3.25, 42.0, 125.0, 3725.0)] == \
        ["4ms", "3.2s", "42s", "2:05", "1:02:05"]
    assert progbar.format_per_step(0.0004) == "400us/step"
    assert progbar.format_logs({"loss": 0.00012345, "acc": 0.5, "lr": np.float32(0.25),
                                "per_class": np.array([0.5, 0.25])}) == \
        "loss: 1.2345e-04 - acc: 0.5000 - lr: 0.2500 - per_class: [0.5  0.25]"


def test_evaluate_and_predict_show_progress_with_verbose_auto(capsys):
    x, y = _data()
    model = _model()
    model.evaluate(x, y, verbose="auto")
    model.predict(x, verbose=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2/2 ") and "loss: " in out[0] and out[1].startswith("1/1 ")


def test_a_redraw_covers_everything_drawn_before(every_batch):
    """Lines of changing lengths: each redraw is padded to the longest line on screen, so no
    character of an earlier, longer line is left behind."""
    out = Terminal()
    logger = ProgbarLogger(stream=out)
    CallbackList([logger], _model(), {"steps": 4, "verbose": 1})
    logger.on_test_begin({})
    for batch, logs in enumerate([{"a_long_metric_name": 1.0}, {}, {"mid": 1.0}]):
        logger.on_test_batch_end(batch, logs)
    logger.on_test_end({})
    frames = out.getvalue().split("\r")
    longest = [max(len(f.rstrip("\n")) for f in frames[:i + 1]) for i in range(len(frames))]
    assert [len(f.rstrip("\n")) for f in frames] == longest
