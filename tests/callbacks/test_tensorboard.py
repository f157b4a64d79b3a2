"""TensorBoard callback and its hand-written event files, read back with TensorBoard's own
readers (which check the TFRecord CRCs)."""

import os
import re
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import neurona as keras
from neurona import callbacks, layers
from neurona.callbacks import _event_writer as ew
from neurona.callbacks.callback import CallbackList
from neurona.callbacks.tensorboard import TensorBoard

# --- CRC32C and protobuf encoding (no TensorBoard needed) -------------------------------------


@pytest.mark.parametrize("data, expected", [
    (b"", 0x00000000),
    (b"a", 0xC1D04330),
    (b"123456789", 0xE3069283),
    (bytes(32), 0x8A9136AA),                 # RFC 3720 B.4 test vectors
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
])
def test_crc32c_known_vectors(data, expected):
    assert ew.crc32c(data) == expected


def test_crc32c_continues_across_chunks():
    data = bytes(range(256)) * 3
    assert ew.crc32c(data[100:], ew.crc32c(data[:100])) == ew.crc32c(data)


def test_varint_encoding():
    assert ew._varint(0) == b"\x00"
    assert ew._varint(1) == b"\x01"
    assert ew._varint(300) == b"\xac\x02"
    assert ew._varint(-1) == b"\xff" * 9 + b"\x01"  # int64 two's complement, 10 bytes


def test_record_framing_layout():
    data = b"hello event"
    record = ew.frame_record(data)
    assert len(record) == 8 + 4 + len(data) + 4
    assert struct.unpack("<Q", record[:8])[0] == len(data)
    assert struct.unpack("<I", record[8:12])[0] == ew.masked_crc32c(record[:8])
    assert record[12:-4] == data
    assert struct.unpack("<I", record[-4:])[0] == ew.masked_crc32c(data)


# --- helpers ----------------------------------------------------------------------------------


def _model(metrics=("mae",), lr=0.05):
    model = keras.Sequential([layers.Dense(3, input_shape=[2], name="dense"),
                              layers.Dense(1, name="out")])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse", metrics=list(metrics))
    return model


def _data(n=40):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 2))
    return x, x @ np.array([[1.0], [-2.0]]) + 0.1 * rng.standard_normal((n, 1))


def _accumulator(path):
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    acc = ea_mod.EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def _scalars(acc, tag):
    events = acc.Scalars(tag)
    return [e.step for e in events], np.array([e.value for e in events])


def _event_files(path):
    return sorted(os.listdir(path))


# --- the callback, read back by TensorBoard ---------------------------------------------------


def test_epoch_scalars_match_history_in_train_and_validation(tmp_path):
    x, y = _data()
    model = _model()
    tb = TensorBoard(log_dir=tmp_path)
    history = model.fit(x, y, epochs=3, batch_size=8, validation_data=(x[:16], y[:16]),
                        callbacks=[tb], verbose=0)
    train, val = _accumulator(tmp_path / "train"), _accumulator(tmp_path / "validation")
    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}
    for name in ("loss", "mae"):
        steps, values = _scalars(train, f"epoch_{name}")
        assert steps == [0, 1, 2]
        np.testing.assert_allclose(values, history.history[name], rtol=1e-6)  # stored as float32
        steps, values = _scalars(val, f"epoch_{name}")
        assert steps == [0, 1, 2]
        np.testing.assert_allclose(values, history.history[f"val_{name}"], rtol=1e-6)
    np.testing.assert_allclose(_scalars(train, "epoch_learning_rate")[1], [0.05] * 3, rtol=1e-6)
    # Keras also logs validation against the optimizer's iteration count (5 batches an epoch)
    steps, values = _scalars(val, "evaluation_loss_vs_iterations")
    assert steps == [5, 10, 15]
    np.testing.assert_allclose(values, history.history["val_loss"], rtol=1e-6)


def test_file_name_first_record_and_crc_checked_reader(tmp_path):
    stub = pytest.importorskip("tensorboard.compat.tensorflow_stub.pywrap_tensorflow")
    event_pb2 = pytest.importorskip("tensorboard.compat.proto.event_pb2")
    x, y = _data()
    _model().fit(x, y, epochs=2, callbacks=[TensorBoard(tmp_path)], verbose=0)
    (name,) = _event_files(tmp_path / "train")
    assert re.fullmatch(r"events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+\.v2", name)
    assert not (tmp_path / "validation").exists()  # nothing to log, no empty file
    reader = stub.PyRecordReader_New(str(tmp_path / "train" / name))  # verifies both CRCs
    events = []
    try:
        while True:
            try:
                reader.GetNext()
            except stub.errors.OutOfRangeError:
                break
            events.append(event_pb2.Event.FromString(reader.record()))
    finally:
        reader.file_handle.close()
    assert events[0].file_version == "brain.Event:2"
    assert [e.step for e in events[1:]] == [0, 1]
    assert {v.tag for v in events[1].summary.value} == {"epoch_loss", "epoch_mae",
                                                       "epoch_learning_rate"}


def test_corrupted_record_is_rejected_by_tensorboard_reader(tmp_path):
    stub = pytest.importorskip("tensorboard.compat.tensorflow_stub.pywrap_tensorflow")
    with ew.EventFileWriter(tmp_path) as writer:
        writer.add_scalars({"epoch_loss": 1.5}, step=0)
        path = writer.path
    raw = bytearray(Path(path).read_bytes())
    raw[-6] ^= 0x01  # a bit inside the last event's payload
    Path(path).write_bytes(bytes(raw))
    reader = stub.PyRecordReader_New(path)
    try:
        reader.GetNext()  # the intact file_version record
        with pytest.raises(stub.errors.DataLossError):
            reader.GetNext()
    finally:
        reader.file_handle.close()


def test_events_decode_with_protobuf(tmp_path):
    event_pb2 = pytest.importorskip("tensorboard.compat.proto.event_pb2")
    summary = ew.encode_summary([ew.scalar_value("a/b", 0.25),
                                 ew.histogram_value("h", np.array([1.0, 2.0, 2.0, 5.0]), bins=4)])
    event = event_pb2.Event.FromString(ew.encode_event(123.5, -7, summary=summary))
    assert event.wall_time == 123.5 and event.step == -7
    scalar, histo = event.summary.value
    assert scalar.tag == "a/b" and scalar.simple_value == 0.25
    h = histo.histo
    assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (1.0, 5.0, 4.0, 10.0, 34.0)
    assert list(h.bucket_limit) == [2.0, 3.0, 4.0, 5.0] and list(h.bucket) == [1.0, 2.0, 0.0, 1.0]
    big = event_pb2.Event.FromString(ew.encode_event(0.0, 2**40, file_version="brain.Event:2"))
    assert big.step == 2**40 and big.file_version == "brain.Event:2"


def test_histograms_every_histogram_freq_epochs(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=3, batch_size=8, callbacks=[TensorBoard(tmp_path, histogram_freq=2)],
              verbose=0)
    acc = _accumulator(tmp_path / "train")
    paths = [w.path for w in model.weights]
    assert paths[0] == "dense/kernel"
    assert sorted(acc.Tags()["histograms"]) == sorted(paths)
    final = dict(zip(paths, model.get_weights()))  # weights at the last epoch's end
    for tag, weight in final.items():
        events = acc.Histograms(tag)
        assert [e.step for e in events] == [0, 2]
        h = events[-1].histogram_value
        w = weight.astype(np.float64).ravel()
        assert h.num == w.size and sum(h.bucket) == w.size
        assert h.min == w.min() and h.max == w.max() and h.bucket_limit[-1] == w.max()
        np.testing.assert_allclose([h.sum, h.sum_squares], [w.sum(), w @ w], rtol=1e-12)


def test_histograms_readable_by_tensorboard_plugins(tmp_path):
    """TensorBoard's UI path converts legacy histo/simple_value into tensors (data_compat)."""
    pea = pytest.importorskip("tensorboard.backend.event_processing.plugin_event_accumulator")
    tensor_util = pytest.importorskip("tensorboard.util.tensor_util")
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, callbacks=[TensorBoard(tmp_path, histogram_freq=1)], verbose=0)
    acc = pea.EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    acc.Reload()
    tensors = acc.Tags()["tensors"]
    assert "dense/kernel" in tensors and "epoch_loss" in tensors
    buckets = tensor_util.make_ndarray(acc.Tensors("dense/kernel")[0].tensor_proto)
    kernel = model.get_weights()[0]
    assert buckets.shape[1] == 3 and buckets[:, 2].sum() == kernel.size
    np.testing.assert_allclose([buckets[0, 0], buckets[-1, 1]], [kernel.min(), kernel.max()],
                               rtol=1e-6)


def test_batch_level_scalars_with_update_freq(tmp_path):
    x, y = _data()  # 40 rows, batch 8: 5 batches an epoch, 10 in all
    seen = []
    spy = callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs["loss"]))
    tb = TensorBoard(tmp_path, update_freq=2)
    _model().fit(x, y, epochs=2, batch_size=8, callbacks=[spy, tb], verbose=0)
    acc = _accumulator(tmp_path / "train")
    steps, values = _scalars(acc, "batch_loss")
    assert steps == [2, 4, 6, 8, 10]  # Keras: 1-based batch count across epochs
    np.testing.assert_allclose(values, [seen[s - 1] for s in steps], rtol=1e-6)
    assert "batch_mae" in acc.Tags()["scalars"]


def test_update_freq_epoch_adds_no_batch_hook_and_batch_means_one():
    model = _model()
    assert not CallbackList([TensorBoard()], model, {}).wants_batch("on_train_batch_end")
    assert CallbackList([TensorBoard(update_freq="batch")], model, {}).wants_batch(
        "on_train_batch_end")
    assert TensorBoard(update_freq="batch").update_freq == 1


def test_learning_rate_follows_a_scheduler(tmp_path):
    x, y = _data()
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    _model().fit(x, y, epochs=3, callbacks=[schedule, TensorBoard(tmp_path)], verbose=0)
    _, values = _scalars(_accumulator(tmp_path / "train"), "epoch_learning_rate")
    np.testing.assert_allclose(values, [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_files_closed_at_train_end_and_each_fit_writes_new_files(tmp_path):
    x, y = _data()
    model, tb = _model(), TensorBoard(tmp_path)
    model.fit(x, y, epochs=1, callbacks=[tb], verbose=0)
    assert tb._writers == {}
    model.fit(x, y, epochs=2, callbacks=[tb], verbose=0)
    assert len(_event_files(tmp_path / "train")) == 2
    steps, _ = _scalars(_accumulator(tmp_path / "train"), "epoch_loss")
    assert sorted(steps) == [0, 0, 1]


def test_files_closed_when_training_fails(tmp_path):
    x, y = _data()
    tb = TensorBoard(tmp_path)

    def boom(epoch, logs):
        if epoch == 1:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        _model().fit(x, y, epochs=3, verbose=0,
                     callbacks=[tb, callbacks.LambdaCallback(on_epoch_end=boom)])
    assert tb._writers == {}
    steps, _ = _scalars(_accumulator(tmp_path / "train"), "epoch_loss")
    assert steps == [0, 1]


def test_evaluate_writes_evaluation_scalars(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    tb = TensorBoard(tmp_path)
    loss, mae = model.evaluate(x, y, callbacks=[tb], verbose=0)
    assert tb._writers == {}  # standalone evaluate closes its file
    acc = _accumulator(tmp_path / "validation")
    steps, values = _scalars(acc, "evaluation_loss_vs_iterations")
    assert steps == [5]
    np.testing.assert_allclose(values, [loss], rtol=1e-6)
    np.testing.assert_allclose(_scalars(acc, "evaluation_mae_vs_iterations")[1], [mae], rtol=1e-6)


def test_non_scalar_logs_are_skipped(tmp_path):
    tb = TensorBoard(tmp_path / "run")
    tb.set_model(_model())
    tb.on_train_begin()
    tb.on_epoch_end(0, {"loss": np.float32(0.5), "per_class": np.array([0.1, 0.2]), "note": "x"})
    tb.on_train_end()
    acc = _accumulator(tmp_path / "run" / "train")
    assert set(acc.Tags()["scalars"]) == {"epoch_loss", "epoch_learning_rate"}


def test_histogram_edge_cases():
    assert ew.histogram_value("w", np.array([np.nan, np.inf])) is None
    assert ew.histogram_value("w", np.zeros(0)) is None
    constant = ew.histogram_value("w", np.full((2, 3), 0.5))
    assert constant is not None


@pytest.mark.parametrize("kwargs, match", [
    (dict(update_freq="sometimes"), "TensorBoard: update_freq must be an integer >= 1, got "
                                    "update_freq='sometimes'; a number N logs every N batches"),
    (dict(update_freq=0), "update_freq must be an integer >= 1, got update_freq=0"),
    (dict(update_freq=True), "update_freq must be an integer >= 1, got update_freq=True"),
    (dict(histogram_freq=-1), "TensorBoard: histogram_freq must be an integer >= 0, got "
                              "histogram_freq=-1"),
    (dict(histogram_freq=1.5), "histogram_freq=1.5"),
    (dict(embeddings_freq=1), "embeddings_freq=0"),
    (dict(embeddings_metadata="m.tsv"), "embeddings_metadata=None"),
    (dict(log_dir=""), "log_dir"),
    (dict(log_dir=3), "log_dir"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TensorBoard(**kwargs)


@pytest.mark.parametrize("profile_batch", [5, (100, 200)])
def test_a_profile_request_is_warned_about_and_the_logs_are_written(tmp_path, profile_batch):
    with pytest.warns(UserWarning, match=rf"profile_batch={re.escape(repr(profile_batch))} "
                                         "writes no profile"):
        board = TensorBoard(log_dir=tmp_path / "logs", profile_batch=profile_batch)
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[board])
    assert list((tmp_path / "logs" / "train").glob("events.out.tfevents.*"))


def test_log_dir_that_is_a_file_fails_before_training(tmp_path):
    path = tmp_path / "logs"
    path.write_text("not a directory")
    x, y = _data()
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="is a file"):
        model.fit(x, y, epochs=1, callbacks=[TensorBoard(path)], verbose=0)
    np.testing.assert_array_equal(model.get_weights()[0], before[0])


def test_writes_without_tensorflow_tensorboard_or_protobuf(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        for name in ("tensorflow", "tensorboard", "google.protobuf", "google"):
            sys.modules[name] = None  # any import of them now fails
        import numpy as np, neurona as keras
        from neurona.callbacks.tensorboard import TensorBoard
        model = keras.Sequential([keras.layers.Dense(1, input_shape=[2])])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0,
                  callbacks=[TensorBoard({str(tmp_path)!r}, histogram_freq=1, update_freq=1)])
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    (name,) = _event_files(tmp_path / "train")
    assert os.path.getsize(tmp_path / "train" / name) > 0
