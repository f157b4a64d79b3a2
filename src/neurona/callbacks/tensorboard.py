"""``TensorBoard``: write training curves and weight histograms for TensorBoard (Keras's callback).

The event files are encoded by :mod:`._event_writer` (TFRecord framing, protobuf, CRC32C by
hand), so neither TensorFlow nor the protobuf package is needed to write them; only viewing them
needs ``pip install tensorboard`` and ``tensorboard --logdir logs``.
"""

import os
import time
import warnings

from .. import validation
from ._event_writer import EventFileWriter
from .callback import Callback


class TensorBoard(Callback):
    """Log losses, metrics, the learning rate and weight histograms for TensorBoard.

    The layout is Keras's: ``log_dir/train`` holds ``epoch_loss``, ``epoch_<metric>`` and
    ``epoch_learning_rate`` at step = epoch (0-based); ``log_dir/validation`` holds the
    ``val_`` values with the prefix stripped (``epoch_loss``, ``epoch_<metric>``), so TensorBoard
    draws training and validation as two runs on one chart. ``model.evaluate(callbacks=[tb])``
    and validation during ``fit`` also write ``evaluation_<name>_vs_iterations`` in
    ``validation`` at step = the optimizer's iteration count. Files are flushed at each epoch end
    and closed when training ends (however it ends); each ``fit`` starts new files, never
    overwriting old ones.

    Args:
        log_dir: directory for the event files (created if missing). Do not share it with
            other callbacks.
        histogram_freq: every this many epochs (counting from epoch 0), write a histogram of
            each weight of the model, tagged by its path (e.g. ``"dense/kernel"``), in
            ``train``. 0 (default) writes none.
        write_graph: accepted for Keras compatibility; no graph is written (neurona runs
            define-by-run, there is no static graph to export).
        write_images: accepted for Keras compatibility; weights are not written as images.
        write_steps_per_second: also log ``epoch_steps_per_second`` (and
            ``batch_steps_per_second``, averaged over each ``update_freq`` interval, when
            logging batches).
        update_freq: ``"epoch"`` (default) logs once per epoch. An integer N also logs
            ``batch_loss`` and ``batch_<metric>`` (running means over the epoch so far, as
            Keras's batch logs are) every N training batches, at step = the batch count since
            training began (1-based, across epochs); ``"batch"`` means 1. Reading batch logs
            makes the host wait for the device, so on a GPU a small N slows training; with
            ``"epoch"`` this callback adds no per-batch work at all.
        profile_batch: only 0 (profiling is not available in neurona).
        embeddings_freq: only 0 (the embedding projector is not supported).
        embeddings_metadata: only None.

    Raises:
        ValueError: on an argument out of range or a feature neurona does not provide.

    Example:
        >>> import os
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Dense(1, input_shape=[2])])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x, y = np.ones((8, 2)), np.ones((8, 1))
        >>> tb = TensorBoard(log_dir="logs", histogram_freq=1)
        >>> _ = model.fit(x, y, epochs=2, callbacks=[tb], verbose=0)
        >>> sorted(os.listdir("logs"))  # then: tensorboard --logdir logs
        ['train']
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)) or not os.fspath(log_dir):
            raise ValueError("TensorBoard: log_dir must be a non-empty path (str or os.PathLike), "
                             f"got log_dir={log_dir!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = validation.integer("TensorBoard", "histogram_freq", histogram_freq,
                                                 low=0)
        self.write_graph = bool(write_graph)
        self.write_images = bool(write_images)
        self.write_steps_per_second = bool(write_steps_per_second)
        self.update_freq = _update_freq(update_freq)
        if profile_batch not in (0, None, (0, 0), [0, 0], "0"):
            # a warning, not an error: book code that asks for a profile still trains and logs
            warnings.warn(f"TensorBoard: profiling is not available in neurona, so "
                          f"profile_batch={profile_batch!r} writes no profile (the scalars, "
                          "histograms and graph are written as asked); pass profile_batch=0 "
                          "to silence this", UserWarning, stacklevel=2)
        if embeddings_freq:
            raise ValueError("TensorBoard: the embedding projector is not supported; leave "
                             f"embeddings_freq=0, got embeddings_freq={embeddings_freq!r}")
        if embeddings_metadata is not None:
            raise ValueError("TensorBoard: the embedding projector is not supported; leave "
                             f"embeddings_metadata=None, got {embeddings_metadata!r}")
        self.profile_batch = 0
        self.embeddings_freq = 0
        self.embeddings_metadata = None
        self._writers = {}
        self._global_train_batch = 0
        self._training = False
        self._evaluated_this_epoch = False
        self._epoch_start = self._epoch_start_iterations = None
        self._interval_start = None
        if self.update_freq != "epoch":
            # Set on the instance only when batches are logged: CallbackList then dispatches
            # batch ends to us, and with update_freq="epoch" the loop never calls us per batch.
            self.on_train_batch_end = self._log_batch

    # -- writers -------------------------------------------------------------------------------

    @property
    def _train_dir(self):
        return os.path.join(self.log_dir, "train")

    @property
    def _val_dir(self):
        return os.path.join(self.log_dir, "validation")

    def _writer(self, run):
        """The writer of ``run`` ("train" or "validation"), opened on first use so that a run
        with nothing to log leaves no empty file."""
        writer = self._writers.get(run)
        if writer is None:
            writer = EventFileWriter(os.path.join(self.log_dir, run))
            self._writers[run] = writer
        return writer

    def _flush_writers(self):
        for writer in self._writers.values():
            writer.flush()

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks ---------------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        if os.path.exists(self.log_dir) and not os.path.isdir(self.log_dir):
            raise ValueError(f"TensorBoard: log_dir={self.log_dir!r} is a file, not a directory; "
                             "pass a directory path")
        self._close_writers()
        self._training = True
        self._global_train_batch = 0
        self._interval_start = time.perf_counter()

    def get_state(self):
        """The training batch count (the step of batch summaries), for ``BackupAndRestore``."""
        return {"global_train_batch": self._global_train_batch}

    def set_state(self, state):
        self._global_train_batch = state["global_train_batch"]

    def on_train_end(self, logs=None):
        self._training = False
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._evaluated_this_epoch = False
        if self.write_steps_per_second:
            self._epoch_start = time.perf_counter()
            self._epoch_start_iterations = self._iterations()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        lr = self._learning_rate()
        if lr is not None:  # the optimizer's current rate, as Keras logs it
            train["learning_rate"] = lr
        if self.write_steps_per_second and self._epoch_start is not None:
            rate = self._steps_per_second()
            if rate is not None:
                train["steps_per_second"] = rate
        self._write_scalars("train", train, "epoch_", epoch)
        self._write_scalars("validation", val, "epoch_", epoch)
        if val and not self._evaluated_this_epoch:
            # Keras gets these from on_test_end during fit's validation; our fit validates
            # without test hooks, so write them here (once, whichever way they arrive).
            self._write_evaluation(val)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        self._flush_writers()

    def on_test_end(self, logs=None):
        self._evaluated_this_epoch = True
        self._write_evaluation(logs or {})
        if self._training:
            self._flush_writers()
        else:  # a standalone evaluate(): nothing else will close the file
            self._close_writers()

    def _log_batch(self, batch, logs=None):
        """Batch-level scalars every ``update_freq`` batches (installed as on_train_batch_end)."""
        self._global_train_batch += 1
        if self._global_train_batch % self.update_freq:
            return
        scalars = dict(logs or {})  # reading the lazy batch logs syncs with the device here
        if self.write_steps_per_second:
            now = time.perf_counter()
            if self._interval_start is not None and now > self._interval_start:
                scalars["steps_per_second"] = self.update_freq / (now - self._interval_start)
            self._interval_start = now
        self._write_scalars("train", scalars, "batch_", self._global_train_batch)

    # -- what gets written ---------------------------------------------------------------------

    def _write_scalars(self, run, values, prefix, step):
        scalars = {}
        for name, value in values.items():
            number = _as_scalar(value)
            if number is not None:  # non-scalar entries (e.g. per-class arrays) are skipped
                scalars[prefix + name] = number
        if scalars:
            self._writer(run).add_scalars(scalars, step)

    def _write_evaluation(self, logs):
        iterations = self._iterations()
        if iterations is None or not logs:
            return
        values = {f"evaluation_{name}_vs_iterations": value for name, value in logs.items()}
        self._write_scalars("validation", values, "", iterations)

    def _write_histograms(self, epoch):
        arrays = {}
        for variable in self.model.weights:
            tag = getattr(variable, "path", None) or getattr(variable, "name", "weight")
            unique, k = tag, 1
            while unique in arrays:  # two weights with one path would merge into one chart
                unique, k = f"{tag}_{k}", k + 1
            arrays[unique] = variable.numpy()
        if arrays:
            self._writer("train").add_histograms(arrays, epoch)

    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        rate = getattr(optimizer, "learning_rate", None)
        return None if rate is None else float(rate)

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return None if iterations is None else int(iterations)

    def _steps_per_second(self):
        elapsed = time.perf_counter() - self._epoch_start
        now = self._iterations()
        if now is None or self._epoch_start_iterations is None or elapsed <= 0:
            return None
        return (now - self._epoch_start_iterations) / elapsed


def _update_freq(value):
    if value == "batch":
        return 1
    if value == "epoch":
        return "epoch"
    return validation.integer("TensorBoard", "update_freq", value, low=1,
                              fix='a number N logs every N batches; "epoch" logs once '
                                  'per epoch, "batch" every batch')


def _as_scalar(value):
    """A float for a 0-d number (Python, NumPy or CuPy), None for anything else."""
    if isinstance(value, (str, bytes)) or getattr(value, "ndim", 0) != 0:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
