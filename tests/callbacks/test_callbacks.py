"""EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN,
LambdaCallback and History with Keras semantics."""

import csv

import numpy as np
import pytest

import neurona as keras
from neurona import callbacks, layers


class Scripted(callbacks.Callback):
    """Writes a scripted value for 'val_loss' into the epoch logs before later callbacks see them."""

    def __init__(self, values, name="val_loss"):
        super().__init__()
        self.values, self.name = values, name

    def on_epoch_end(self, epoch, logs=None):
        logs[self.name] = self.values[epoch]

    def validate_logs(self, log_names):
        log_names.append(self.name)


def _model():
    model = keras.Sequential([layers.Dense(1, input_shape=[2])])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((20, 2)), rng.standard_normal((20, 1))


def test_early_stopping_patience_and_best_epoch():
    x, y = _data()
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2)
    history = _model().fit(x, y, epochs=20, verbose=0,
                           callbacks=[Scripted([5, 4, 4.5, 4.2, 3.0, 3.5, 3.6, 3.7]), stop])
    # best at epoch 1, no improvement at 2 and 3 -> stop at epoch 3
    assert history.epoch == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1 and stop.best == 4
    assert history.best_epoch == 1


def test_early_stopping_min_delta_and_mode_max():
    x, y = _data()
    stop = callbacks.EarlyStopping(monitor="val_loss", mode="max", min_delta=0.5, patience=1)
    history = _model().fit(x, y, epochs=10, verbose=0,
                           callbacks=[Scripted([1.0, 1.4, 2.0, 2.1, 2.2]), stop])
    # 1.4 is not > 1.0 + 0.5 -> stop at epoch 1
    assert history.epoch == [0, 1]


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = _model()
    seen = []

    class Snapshot(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(model.get_weights())

    stop = callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    model.fit(x, y, epochs=6, verbose=0, callbacks=[Scripted([3, 1, 2, 2, 2, 2]), Snapshot(), stop])
    for a, b in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_restores_even_when_training_runs_to_the_end():
    x, y = _data()
    model = _model()
    seen = []

    class Snapshot(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(model.get_weights())

    stop = callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[Scripted([3, 1, 2, 2]), Snapshot(), stop])
    np.testing.assert_array_equal(model.get_weights()[0], seen[1][0])


def test_early_stopping_baseline():
    x, y = _data()
    # improvements that do not beat the baseline do not restart the patience count (Keras)
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, baseline=1.0)
    history = _model().fit(x, y, epochs=10, verbose=0, callbacks=[Scripted([3, 3.5, 3.6, 3.7]), stop])
    assert history.epoch == [0, 1]
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, baseline=1.0)
    history = _model().fit(x, y, epochs=10, verbose=0, callbacks=[Scripted([0.5, 0.6, 0.7, 0.8]), stop])
    assert history.epoch == [0, 1, 2]


def test_misspelled_monitor_fails_before_training_with_a_suggestion():
    x, y = _data()
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="monitor='val_los' is not logged.*Did you mean 'val_loss'"):
        model.fit(x, y, validation_split=0.25, epochs=3, verbose=0,
                  callbacks=[callbacks.EarlyStopping(monitor="val_los")])
    with pytest.raises(ValueError, match="exist only with validation_data or validation_split"):
        model.fit(x, y, epochs=3, verbose=0, callbacks=[callbacks.EarlyStopping()])
    np.testing.assert_array_equal(before[0], model.get_weights()[0])


@pytest.mark.parametrize("make, match", [
    (lambda: callbacks.EarlyStopping(patience=-1),
     r"^EarlyStopping: patience must be an integer >= 0, got patience=-1$"),
    (lambda: callbacks.EarlyStopping(start_from_epoch=1.5),
     "EarlyStopping: start_from_epoch must be an integer >= 0, got start_from_epoch=1.5"),
    (lambda: callbacks.EarlyStopping(mode="mx"),
     r"EarlyStopping: mode must be one of \['auto', 'min', 'max'\], got mode='mx'. Did you "
     r"mean 'max'\?"),
    (lambda: callbacks.EarlyStopping(min_delta="0.1"),
     "EarlyStopping: min_delta must be a finite number, got min_delta='0.1'"),
    (lambda: callbacks.EarlyStopping(baseline=float("nan")),
     "EarlyStopping: baseline must be a finite number or None, got baseline=nan"),
    (lambda: callbacks.ReduceLROnPlateau(factor=1.0),
     r"^ReduceLROnPlateau: factor must be in \(0.0, 1.0\), got factor=1.0$"),
    (lambda: callbacks.ReduceLROnPlateau(cooldown=-2),
     "ReduceLROnPlateau: cooldown must be an integer >= 0, got cooldown=-2"),
    (lambda: callbacks.ReduceLROnPlateau(min_lr=-1e-3),
     "ReduceLROnPlateau: min_lr must be >= 0.0, got min_lr=-0.001"),
    (lambda: callbacks.ModelCheckpoint("m.neurona", save_freq="epochs"),
     "ModelCheckpoint: save_freq must be an integer >= 1, got save_freq='epochs'; "
     "save_freq='epoch' saves"),
    (lambda: callbacks.ModelCheckpoint("m.neurona", initial_value_threshold="low"),
     "ModelCheckpoint: initial_value_threshold must be a finite number or None"),
])
def test_bad_arguments_name_the_argument_and_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_mode_auto_uses_the_metric_direction():
    x = np.random.default_rng(0).standard_normal((40, 2))
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=[2])])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    stop = callbacks.EarlyStopping(monitor="val_accuracy", patience=1)
    model.fit(x, y, validation_split=0.25, epochs=1, verbose=0, callbacks=[stop])
    assert stop.tracker.direction == "max"


def test_reduce_lr_on_plateau():
    x, y = _data()
    model = _model()
    reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=0.002)
    history = model.fit(x, y, epochs=7, verbose=0,
                        callbacks=[Scripted([1, 1, 1, 1, 1, 1, 1]), reduce])
    # the logged rate is the one the epoch trained with (reductions apply from the next epoch)
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.01, 0.005, 0.005,
                                                              0.0025, 0.0025])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.002)


def test_reduce_lr_on_plateau_with_a_schedule():
    x, y = _data()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    model = keras.Sequential([layers.Dense(1, input_shape=[2])])
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse")
    reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=1)
    model.fit(x, y, epochs=2, batch_size=20, verbose=0, callbacks=[Scripted([1, 1]), reduce])
    # 2 steps of decay (0.1 * 0.5**2) and one reduction by 10
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1 * 0.25 * 0.1)


def test_learning_rate_scheduler():
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_csv_logger(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    model = _model()
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[callbacks.CSVLogger(path)])
    model.fit(x, y, epochs=3, initial_epoch=2, verbose=0, validation_split=0.25,
              callbacks=[callbacks.CSVLogger(path, append=True)])
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert set(rows[0]) == {"epoch", "loss", "val_loss"}
    assert float(rows[2]["loss"]) > 0


def test_terminate_on_nan():
    x, y = _data()
    model = keras.Sequential([layers.Dense(1, input_shape=[2])])
    model.compile(optimizer=keras.optimizers.SGD(1e6), loss="mse")
    nan_stop = callbacks.TerminateOnNaN()
    with np.errstate(all="ignore"), pytest.warns(keras.TrainingSetupWarning, match="unscaled"), \
            pytest.warns(keras.TrainingDivergedWarning) as diverged:
        history = model.fit(x * 1e3, y, epochs=50, batch_size=2, verbose=0, callbacks=[nan_stop])
    assert len(history.epoch) == 1 and nan_stop.stopped_batch is not None
    # the batch TerminateOnNaN stopped at is the one fit's own report names
    reports = [str(w.message) for w in diverged if w.category is keras.TrainingDivergedWarning]
    assert len(reports) == 1 and f"at batch {nan_stop.stopped_batch} of " in reports[0]


def test_lambda_callback():
    x, y = _data()
    seen = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, round(logs["loss"], 6) > 0)),
                                  on_train_batch_end=lambda batch, logs: seen.append(batch))
    _model().fit(x, y, epochs=1, batch_size=10, verbose=0, callbacks=[cb])
    assert seen == [0, 1, (0, True)]
    with pytest.raises(ValueError, match="must be callable"):
        callbacks.LambdaCallback(on_epoch_end=3)


def test_history_frame_and_plot(tmp_path):
    pytest.importorskip("pandas")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    x, y = _data()
    model = keras.Sequential([layers.Dense(1, input_shape=[2])])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    stop = callbacks.EarlyStopping(patience=5)
    history = model.fit(x, y, epochs=4, verbose=0, validation_split=0.25, callbacks=[stop])
    frame = history.to_frame()
    assert list(frame.columns) == ["loss", "mae", "val_loss", "val_mae"] and list(frame.index) == [1, 2, 3, 4]
    fig = history.plot()
    assert [a.get_title() for a in fig.axes] == ["loss", "mae"]
    assert len(fig.axes[0].lines) == 3  # training, validation, best epoch
    fig.savefig(tmp_path / "curves.png")
    assert (tmp_path / "curves.png").stat().st_size > 1000


def test_model_checkpoint_formats_names_and_keeps_the_best(tmp_path):
    x, y = _data()
    model = _model()
    every = callbacks.ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.1f}.neurona"),
                                      monitor="val_loss")
    best = callbacks.ModelCheckpoint(tmp_path / "best.neurona", monitor="val_loss", save_best_only=True)
    snapshots = []

    class Snapshot(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(model.get_weights())

    model.fit(x, y, epochs=3, verbose=0,
              callbacks=[Scripted([2.0, 1.0, 3.0]), Snapshot(), every, best])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["best.neurona", "ckpt-01-2.0.neurona", "ckpt-02-1.0.neurona", "ckpt-03-3.0.neurona"]
    restored = keras.models.load_model(tmp_path / "best.neurona")
    for a, b in zip(restored.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(a, b)
    assert best.best == 1.0


def test_model_checkpoint_weights_only_and_batch_frequency(tmp_path):
    x, y = _data()

    def named_model():  # weights are matched by layer name
        model = keras.Sequential([layers.Dense(1, input_shape=[2], name="out")])
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
        return model

    model = named_model()
    path = tmp_path / "weights.neurona"
    saved = []

    class Snapshot(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                saved.append(model.get_weights())

    model.fit(x, y, epochs=1, batch_size=5, verbose=0,
              callbacks=[Snapshot(), callbacks.ModelCheckpoint(path, save_weights_only=True, save_freq=3)])
    fresh = named_model()
    fresh.load_weights(path)
    # 4 batches, saved every 3: the file holds the weights after the third batch, not the last
    for a, b in zip(fresh.get_weights(), saved[0]):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(saved[0][0], model.get_weights()[0])
    with pytest.raises(ValueError, match=r"uses \{val_acc\}, which is not logged"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "m-{val_acc}.neurona"))])


def test_model_checkpoint_refuses_a_file_name_it_could_not_save_before_training(tmp_path):
    import neurona as nk

    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 2), dtype="float32"), np.ones((4, 1), dtype="float32")
    for filepath, weights_only in (("ckpt-{epoch}.h5", False), ("w-{epoch}.keras", True),
                                   ("ckpt.pkl", False)):
        checkpoint = nk.callbacks.ModelCheckpoint(tmp_path / filepath,
                                                  save_weights_only=weights_only)
        with pytest.raises(ValueError, match="neurona"):
            model.fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint])
    assert model.optimizer.iterations == 0 and not list(tmp_path.iterdir())
    model.fit(x, y, epochs=1, verbose=0, callbacks=[
        nk.callbacks.ModelCheckpoint(tmp_path / "m-{epoch}.keras"),
        nk.callbacks.ModelCheckpoint(tmp_path / "w-{epoch}.weights.h5", save_weights_only=True)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.keras", "w-1.weights.h5"]


def test_model_checkpoint_says_what_keras_says(tmp_path, capsys):
    class Losses(callbacks.Callback):  # a fixed sequence of validation losses
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = [0.5, 0.7, 0.25][epoch]

    x, y = _data()
    model = _model()
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "best.neurona"), save_best_only=True,
                                           verbose=1)
    model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0,
              callbacks=[Losses(), checkpoint])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    path = tmp_path / "best.neurona"
    assert lines == [f"Epoch 1: val_loss improved from inf to 0.50000, saving model to {path}",
                     "Epoch 2: val_loss did not improve from 0.50000",
                     f"Epoch 3: val_loss improved from 0.50000 to 0.25000, saving model to {path}"]
