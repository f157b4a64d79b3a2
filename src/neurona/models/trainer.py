"""``compile``, ``fit``, ``evaluate``, ``predict``: the training loop as a Model mixin.

The training step is built once per compile (:meth:`Trainer.make_train_function`) and called per
batch. It never waits on the device: the loss is summed on the device and read once per epoch
(or when a callback asks for batch logs). Early stopping, checkpoints and the like are
callbacks, never branches of this loop.
"""


import contextlib

import numpy as np

from .. import random as nrandom
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..backend.heap import kept_while_training
from . import arrays as D
from .doctor import check_fit
from .step_replay import StepReplay, replayable
from .targets import class_weight_to_sample_weight, output_activation, prepare_targets


class Trainer:
    """Mixin giving a Model ``compile``/``fit``/``evaluate``/``predict`` (Keras semantics)."""

    #: record ``fit``'s step once and replay it (see :mod:`neurona.models.step_replay`);
    #: False keeps every step eager (the replay's tests compare the two)
    _replay_steps = True

    def _init_trainer(self):
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._metric_specs = []
        self._train_function = None

    # -- compile --------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1, jit_compile="auto",
                auto_scale_loss=True):
        """Configure training (Keras's ``compile``).

        Args:
            optimizer: name ("adam", "sgd", "rmsprop", ...) or optimizer instance.
            loss: name ("mse", "binary_crossentropy", ...), Loss instance or callable
                ``loss(y_true, y_pred)``.
            metrics: list of names or Metric instances; "accuracy" picks binary, categorical or
                sparse accuracy from the loss, as Keras does.
            loss_weights: a number scaling the loss (single-output models).
            weighted_metrics: metrics that also receive ``sample_weight``/``class_weight``.
            run_eagerly, steps_per_execution, jit_compile, auto_scale_loss: accepted for Keras
                compatibility; neurona always runs eagerly, one step per batch.
        """
        from .. import losses, metrics as metrics_mod, optimizers

        if loss is None:
            raise ValueError("compile: pass loss=, e.g. loss='mse' for regression or "
                             "loss='sparse_categorical_crossentropy' for classes")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        self._loss_name = loss if isinstance(loss, str) else getattr(self.loss, "name", "loss")
        self._loss_weight = 1.0 if loss_weights is None else float(loss_weights)
        kind = getattr(self.loss, "label_kind", None)
        label_kind = kind if kind in ("binary", "categorical", "sparse_categorical") else None
        specs = []
        for weighted, group in ((False, metrics), (True, weighted_metrics)):
            if group is None:
                continue
            if isinstance(group, (str, dict)) or not isinstance(group, (list, tuple)):
                group = [group]
            for identifier in group:
                specs.append((metrics_mod.get(identifier, label_kind=label_kind), weighted))
        names = [m.name for m, _ in specs]
        duplicated = sorted({n for n in names if names.count(n) > 1 or n == "loss"})
        if duplicated:
            raise ValueError(f"compile: metric names must be unique and not 'loss'; repeated: {duplicated}")
        self._metric_specs = specs
        self.compiled = True
        self._train_function = None

    @property
    def metrics_names(self):
        return ["loss"] + [m.name for m, _ in self._metric_specs]

    def _require_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"{what}: call model.compile(optimizer=..., loss=...) first")

    # -- data preparation -------------------------------------------------------------------------
    def _prepare(self, x, y, sample_weight, class_weight=None):
        x = D.standardize_x(x, "x", self.dtype)
        sample_weight = D.sample_weight_array(sample_weight, None)
        return self._prepare_arrays(x, _target_array(y), sample_weight, class_weight)

    def _prepare_arrays(self, x, y_arr, sample_weight, class_weight=None):
        """:meth:`_prepare` for x already through ``standardize_x`` and y through
        ``_as_array`` (fit does that first, once, for its doctor and validation_split)."""
        n = D.check_lengths(x, y_arr, sample_weight)
        if not self.built:
            shapes = [(None,) + a.shape[1:] for a in D.flat_arrays(x)]
            self._maybe_build(shapes[0] if len(shapes) == 1 else shapes)
        D.check_input_shape(self, x)
        out_shapes = self._output_shapes()
        if out_shapes is not None and len(out_shapes) > 1:
            raise ValueError(
                f"Model {self.name!r} has {len(out_shapes)} outputs; fit/evaluate train one output "
                f"with one loss. Combine the outputs into one (e.g. layers.Concatenate) or train "
                f"a model per output"
            )
        out_shape = out_shapes[0] if out_shapes else None
        y_arr = prepare_targets(y_arr, self.loss, out_shape, output_activation(self), self._loss_name)
        if class_weight is not None:
            cw = class_weight_to_sample_weight(class_weight, y_arr, getattr(self.loss, "label_kind", None))
            sample_weight = cw if sample_weight is None else sample_weight * cw
        if sample_weight is not None:
            sample_weight = sample_weight.astype(self.dtype)
        return x, y_arr, sample_weight, n

    # -- the steps ------------------------------------------------------------------------------
    def _forward(self, x, training):
        """Run the model on backend tensors."""
        if isinstance(x, dict):
            inputs = {k: Tensor(v) for k, v in x.items()}
        elif isinstance(x, list):
            inputs = [Tensor(v) for v in x]
        else:
            inputs = Tensor(x)
            trusted = getattr(self, "_trusted_forward", None)
            if trusted is not None and self.built:
                return trusted(inputs, training)
        return self._call_eager(inputs, training=training)

    def _total_loss(self, y, out, sw, penalties=None):
        loss = self.loss(y, out, sample_weight=sw) if sw is not None else self.loss(y, out)
        if self._loss_weight != 1.0:
            loss = loss * self._loss_weight
        for p in (self.losses if penalties is None else penalties()):
            loss = loss + p
        return loss

    def _penalty_collector(self):
        """A cheap per-step version of ``self.losses`` for a fixed structure: the layer list and
        the regularized weights are found once, not every batch."""
        layers = self._flatten_layers()
        regularized = [v for v in self.trainable_weights if v.regularizer is not None]

        def penalties():
            out = [p for layer in layers if layer._added_losses for p in layer._added_losses]
            out.extend(v.regularizer(v) for v in regularized)
            return out

        def clear():
            for layer in layers:
                if layer._added_losses:
                    layer._added_losses = []

        return penalties, clear

    def make_train_function(self):
        """The per-batch step: forward, loss, backward, optimizer update, metric updates.
        Returns the batch loss as a 0-d device array (no host synchronisation)."""
        variables = self.trainable_weights
        optimizer = self.optimizer
        specs = self._metric_specs

        penalties, clear_added_losses = self._penalty_collector()
        replay = StepReplay(variables) if self._replay_steps and replayable(self) else None

        def eager_step(x, y, sw):
            clear_added_losses()
            recording = None if replay is None else replay.recording_for(x, y, sw)
            with recording or contextlib.nullcontext():
                out = self._forward(x, training=True)
                loss = self._total_loss(y, out, sw, penalties)
            if recording is not None:
                replay.recorded(recording, out, loss)
            loss.backward()
            return loss.data, out  # the tensor: metrics read its Keras mask

        def train_step(x, y, sw):
            for v in variables:
                v.grad = None
            program = None if replay is None else replay.program_for(x, y, sw)
            loss, pred = program.run(x, y) if program is not None else eager_step(x, y, sw)
            grads = [v.grad for v in variables]
            optimizer.apply(grads, variables)
            for v in variables:  # the optimizer used the gradient buffers as scratch space
                v.grad = None
            for metric, weighted in specs:
                metric.update_state(y, pred, sw if weighted else None)
            return loss

        train_step.replay = replay
        return train_step

    def _test_step(self, x, y, sw):
        self._clear_added_losses()
        with no_grad():
            out = self._forward(x, training=False)
            loss = self._total_loss(y, out, sw)
        pred = out  # the tensor: metrics read its Keras mask
        for metric, weighted in self._metric_specs:
            metric.update_state(y, pred, sw if weighted else None)
        return loss.data

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        x, y, sw, n = self._prepare(x, y, sample_weight, class_weight)
        self._reset_metrics()
        step = self._train_function or self.make_train_function()
        self._train_function = step
        ops = get_ops()
        loss = step(_to_device(ops, x), ops.asarray(y), None if sw is None else ops.asarray(sw))
        return self._batch_result(float(loss), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) of one batch without updating the weights."""
        self._require_compiled("test_on_batch")
        x, y, sw, n = self._prepare(x, y, sample_weight)
        self._reset_metrics()
        ops = get_ops()
        loss = self._test_step(_to_device(ops, x), ops.asarray(y), None if sw is None else ops.asarray(sw))
        return self._batch_result(float(loss), return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch, as NumPy."""
        x = D.standardize_x(x, "x", self.dtype)
        with no_grad():
            out = self._forward(_to_device(get_ops(), x), training=False)
        return _to_numpy(out)

    def _batch_result(self, loss, return_dict):
        logs = {"loss": loss, **{m.name: _py(m.result()) for m, _ in self._metric_specs}}
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _reset_metrics(self):
        for metric, _ in self._metric_specs:
            metric.reset_state()

    def _epoch_logs(self, loss_sum, count, prefix=""):
        logs = {prefix + "loss": float(loss_sum) / count}
        for metric, _ in self._metric_specs:
            logs[prefix + metric.name] = _py(metric.result())
        return logs

    # -- fit ----------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, seed=None):
        """Train the model (Keras's ``fit``).

        Args:
            x, y: inputs and targets (NumPy arrays, lists, pandas objects; a list/dict of arrays
                for multi-input models).
            batch_size: rows per step (default 32).
            epochs: index of the last epoch (training runs ``initial_epoch..epochs-1``).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch, "auto" = 1.
            callbacks: list of :class:`~neurona.callbacks.Callback`.
            validation_split: fraction of the LAST rows held out for validation (before shuffling,
                as Keras: sorted data gives a biased split — shuffle first).
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``.
            shuffle: reshuffle the training rows every epoch.
            class_weight: ``{class: weight}`` or ``"balanced"``.
            sample_weight: one weight per training row.
            initial_epoch: epoch to start from (to resume).
            steps_per_epoch: batches per epoch (default: all rows once).
            validation_steps, validation_batch_size, validation_freq: as in Keras.
            seed: seed for shuffling and for random layers (dropout...) during this fit;
                default: drawn from ``keras.utils.set_random_seed``'s sequence.

        Returns:
            A :class:`~neurona.callbacks.History`; ``history.history`` maps "loss", metric names
            and their "val_" twins to per-epoch lists.
        """
        from ..callbacks import History, ProgbarLogger
        from ..callbacks.callback import CallbackList

        self._require_compiled("fit")
        batch_size = D.check_batch_size(batch_size)
        _check_epochs(epochs, initial_epoch)
        if validation_data is not None and validation_split:
            raise ValueError("Pass either validation_data or validation_split, not both")
        sw_raw = D.sample_weight_array(sample_weight, None)
        x = D.standardize_x(x, "x", self.dtype)
        y = _target_array(y)
        n_all = D.check_lengths(x, y, sw_raw)
        x_all, y_all = x, y
        if validation_split:
            (x, y, sw_raw), validation_data = D.split_validation(x, y, sw_raw, validation_split,
                                                                 n_all)
        x, y, sw, n = self._prepare_arrays(x, y, sw_raw, class_weight)
        val = self._prepare_validation(validation_data)
        check_fit(self, x_all, y_all, validation_split,  # before any step: errors stop, warnings once
                  class_weight if sample_weight is None else sample_weight)
        verbose = 1 if verbose == "auto" else int(verbose)
        rng = nrandom.make_generator(seed)
        steps = -(-n // batch_size) if steps_per_epoch is None else int(steps_per_epoch)
        history = History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(ProgbarLogger(verbose=verbose))
        cbs.append(history)
        params = {"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size,
                  "samples": n, "do_validation": val is not None}
        callback_list = CallbackList(cbs, self, params)
        log_names = self.metrics_names + ([f"val_{name}" for name in self.metrics_names] if val else [])
        for cb in callback_list.callbacks:
            cb.validate_logs(log_names)
        self.history = history
        self.stop_training = False
        ops = get_ops()
        xd, yd = _to_device(ops, x), ops.asarray(y)
        swd = None if sw is None else ops.asarray(sw)
        step = self.make_train_function()
        self._train_function = step
        state = FitState(initial_epoch, rng)
        self.fit_state = state
        callback_list.on_train_begin({})  # BackupAndRestore may move ``state`` to a saved position
        logs = {}
        try:
            with nrandom.training_generator(rng), kept_while_training():
                while state.epoch < epochs:
                    epoch = state.epoch
                    if state.batch == 0:  # a fresh epoch (not one resumed mid-way)
                        self._reset_metrics()
                        state.start_epoch(n if shuffle else None)
                    callback_list.on_epoch_begin(epoch, {})
                    self._run_epoch(step, callback_list, state, xd, yd, swd, n, batch_size, steps)
                    logs = self._epoch_logs(state.loss_sum, state.seen)
                    if val is not None and (epoch + 1) % validation_freq == 0:
                        logs.update(self._evaluate_arrays(*val, validation_batch_size or batch_size,
                                                          validation_steps, prefix="val_"))
                    state.epoch, state.batch = epoch + 1, 0
                    callback_list.on_epoch_end(epoch, logs)
                    if self.stop_training:
                        break
            state.completed = True
        finally:
            # however training ends (done, stopped, interrupted, failed), callbacks get to
            # finish: restore best weights, close files
            callback_list.on_train_end(logs)
        return history

    def _run_epoch(self, step, callback_list, state, x, y, sw, n, batch_size, steps):
        ops = get_ops()
        order = None if state.order is None else ops.asarray(state.order)
        batches = D.batch_slices(n, batch_size, order)
        wants_begin = callback_list.wants_batch("on_train_batch_begin")
        wants_end = callback_list.wants_batch("on_train_batch_end")
        loss_sum = ops.asarray(state.loss_sum)
        seen = state.seen
        for i in range(state.batch, steps):
            index = batches[i % len(batches)]
            if wants_begin:
                callback_list.batch("on_train_batch_begin", i, {})
            xb = D.take_rows(x, index)
            rows = y[index]
            loss = step(xb, rows, None if sw is None else sw[index])
            count = len(rows)
            loss_sum += loss * count
            seen += count
            if wants_end:
                state.batch, state.loss_sum, state.seen = i + 1, loss_sum, seen
                callback_list.batch("on_train_batch_end", i, _LazyLogs(self, loss_sum, seen))
            if self.stop_training:
                break
        state.loss_sum, state.seen = loss_sum, seen

    def _prepare_validation(self, validation_data):
        if validation_data is None:
            return None
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or "
                             "(x_val, y_val, sample_weight_val)")
        vx, vy = validation_data[0], validation_data[1]
        vsw = validation_data[2] if len(validation_data) == 3 else None
        vx, vy, vsw, _ = self._prepare(vx, vy, vsw)
        return vx, vy, vsw

    def _evaluate_arrays(self, x, y, sw, batch_size, steps=None, prefix="", callback_list=None):
        ops = get_ops()
        xd, yd = _to_device(ops, x), ops.asarray(y)
        swd = None if sw is None else ops.asarray(sw)
        n = len(yd)
        self._reset_metrics()
        loss_sum = ops.xp.zeros((), dtype=np.float64)
        seen = 0
        for i, index in enumerate(D.batch_slices(n, batch_size)):
            if steps is not None and i >= steps:
                break
            if callback_list is not None:
                callback_list.batch("on_test_batch_begin", i, {})
            rows = yd[index]
            loss = self._test_step(D.take_rows(xd, index), rows, None if swd is None else swd[index])
            loss_sum += loss * len(rows)
            seen += len(rows)
            if callback_list is not None and callback_list.wants_batch("on_test_batch_end"):
                callback_list.batch("on_test_batch_end", i, _LazyLogs(self, loss_sum, seen))
        return self._epoch_logs(loss_sum, seen, prefix)

    # -- evaluate / predict -------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on ``(x, y)``: a float when there are no metrics, else
        ``[loss, *metrics]`` (or a dict with ``return_dict=True``)."""
        from ..callbacks.callback import CallbackList

        self._require_compiled("evaluate")
        batch_size = D.check_batch_size(batch_size)
        x, y, sw, n = self._prepare(x, y, sample_weight)
        callback_list = CallbackList(callbacks or [], self, {"steps": -(-n // batch_size), "verbose": verbose})
        callback_list.on_test_begin({})
        logs = self._evaluate_arrays(x, y, sw, batch_size, steps, callback_list=callback_list)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x`` as a NumPy array, computed in batches without gradients.

        ``batch_size`` only bounds memory: by default up to 4096 rows go through at once, which
        keeps large predictions as fast as one call on the whole array.
        """
        from ..callbacks.callback import CallbackList

        x = D.standardize_x(x, "x", self.dtype)
        n = D.num_rows(x)
        if not self.built:
            shapes = [(None,) + a.shape[1:] for a in D.flat_arrays(x)]
            self._maybe_build(shapes[0] if len(shapes) == 1 else shapes)
        D.check_input_shape(self, x)
        batch_size = D.check_batch_size(batch_size, default=4096)
        callback_list = CallbackList(callbacks or [], self, {"steps": -(-n // batch_size)})
        callback_list.on_predict_begin({})
        ops = get_ops()
        xd = _to_device(ops, x)
        outputs = []
        with no_grad():
            for i, index in enumerate(D.batch_slices(n, batch_size)):
                if steps is not None and i >= steps:
                    break
                callback_list.batch("on_predict_batch_begin", i, {})
                out = self._forward(D.take_rows(xd, index), training=False)
                outputs.append(out)
                callback_list.batch("on_predict_batch_end", i, {"outputs": out})
        callback_list.on_predict_end({})
        return _concat_outputs(outputs)


class FitState:
    """Where ``fit`` is: the epoch and the next batch, this epoch's row order, the running loss,
    and the generator that shuffles and drives random layers. ``BackupAndRestore`` saves it and
    puts a resumed run back at exactly this point."""

    def __init__(self, epoch, rng):
        self.epoch, self.batch, self.rng = epoch, 0, rng
        self.order = None
        self.loss_sum, self.seen = np.zeros((), dtype=np.float64), 0
        self.completed = False

    def start_epoch(self, n_shuffled):
        """A new epoch: a fresh row order (None keeps the data order) and a zero running loss."""
        self.order = None if n_shuffled is None else self.rng.permutation(n_shuffled)
        self.loss_sum, self.seen = np.zeros((), dtype=np.float64), 0


class _LazyLogs(dict):
    """Batch logs computed only when a callback reads them (reading syncs with the device)."""

    def __init__(self, model, loss_sum, seen):
        super().__init__()
        self._model, self._loss_sum, self._seen = model, loss_sum, seen
        self._filled = False

    def _fill(self):
        if not self._filled:
            self._filled = True
            super().update(self._model._epoch_logs(self._loss_sum, self._seen))

    def __getitem__(self, key):
        self._fill()
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._fill()
        return super().get(key, default)

    def items(self):
        self._fill()
        return super().items()

    def keys(self):
        self._fill()
        return super().keys()

    def values(self):
        self._fill()
        return super().values()

    def __iter__(self):
        self._fill()
        return super().__iter__()

    def __len__(self):
        self._fill()
        return super().__len__()

    def __contains__(self, key):
        self._fill()
        return super().__contains__(key)


def _target_array(y):
    """``y`` as an array, after checking there is one."""
    if y is None:
        raise ValueError("y is missing: fit/evaluate need targets (x, y)")
    return D._as_array(y, "y")


def _check_epochs(epochs, initial_epoch):
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _to_device(ops, x):
    if isinstance(x, dict):
        return {k: ops.asarray(v) for k, v in x.items()}
    if isinstance(x, list):
        return [ops.asarray(v) for v in x]
    return ops.asarray(x)


def _to_numpy(out):
    if isinstance(out, dict):
        return {k: v.numpy() for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return [v.numpy() for v in out]
    return out.numpy()


def _concat_outputs(outputs):
    first = outputs[0]
    ops = get_ops()
    if isinstance(first, dict):
        return {k: ops.to_numpy(ops.xp.concatenate([o[k].data for o in outputs])) for k in first}
    if isinstance(first, (list, tuple)):
        return [ops.to_numpy(ops.xp.concatenate([o[i].data for o in outputs])) for i in range(len(first))]
    if len(outputs) == 1:
        return ops.to_numpy(first.data)
    return ops.to_numpy(ops.xp.concatenate([o.data for o in outputs]))


def _py(value):
    """Metric results as Python floats (arrays stay arrays, as Keras returns them)."""
    arr = np.asarray(get_ops().to_numpy(value)) if not isinstance(value, float) else value
    if isinstance(arr, float):
        return arr
    return float(arr) if arr.ndim == 0 else arr
