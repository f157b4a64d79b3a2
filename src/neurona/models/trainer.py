"""``compile``, ``fit``, ``evaluate``, ``predict``: Keras's training API as a Model mixin.

The loops live here; what a step computes lives in :mod:`~neurona.models.steps`, what
``compile`` was given in :mod:`~neurona.models.compile_utils`, the data in
:mod:`~neurona.models.data_adapters`, where ``fit`` is in :mod:`~neurona.models.fit_state`.

A model that overrides Keras's ``train_step``, ``test_step``, ``predict_step``,
``compute_loss`` or ``compute_metrics`` gets them called, on Tensors, exactly as Keras calls
them; one that does not gets the same computation through the fast step (fusion, replay, the
loss kept on the device). Early stopping, checkpoints and the like are callbacks, never
branches of these loops.
"""


import functools

from .. import random as nrandom
from .. import tree
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..backend.heap import kept_while_training
from ..validation import integer
from . import arrays as A
from . import data_adapters as data
from . import divergence
from .compile_utils import CompiledSetup, OutputInfo
from .doctor import check_fit
from .fit_state import FitState, LazyLogs, LossTracker, pythonify
from .steps import FastTrainStep, test_step_arrays

#: the Keras methods a model may override; any of them turns the fast step off
_STEP_METHODS = ("train_step", "test_step", "predict_step", "compute_loss", "compute_metrics")


def _in_parallel_region(method):
    """Run ``method`` inside the backend's parallel region: the BLAS on one thread, neurona's
    chunk pool spreading products and elementwise passes over the cores (see
    :meth:`neurona.backend.Ops.parallel_region`)."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with get_ops().parallel_region():
            return method(self, *args, **kwargs)

    return run


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
        self._compiled = None
        self._loss_tracker = None
        self._output_trackers = []
        self._train_function = None
        self._compile_options = {}

    # -- compile --------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configure training (Keras 3's ``compile``).

        Args:
            optimizer: name ("adam", "sgd", "rmsprop", ...) or optimizer instance.
            loss: name ("mse", "binary_crossentropy", ...), Loss instance or callable
                ``loss(y_true, y_pred)``; for several outputs, a list (one per output) or a
                dict keyed by output name. None is allowed for a model that adds its own
                losses (``add_loss``) or overrides ``train_step``/``compute_loss``.
            loss_weights: scalars weighting each output's loss (a list or a dict like
                ``loss``; a number for one output).
            metrics: list of names or Metric instances; "accuracy" picks binary, categorical or
                sparse accuracy from the output's loss, as Keras does. For several outputs, a
                list of lists or a dict keyed by output name.
            weighted_metrics: metrics that also receive ``sample_weight``/``class_weight``.
            run_eagerly: True runs every step as written, one Function at a time (no step
                replay, no graph rewrite): slower, easiest to debug.
            steps_per_execution: batches per step call; batch-level callbacks are called once
                per group of this many batches, as in Keras.
            jit_compile: "auto" or True record the training step and replay it (neurona's
                compiled step); False keeps every step eager.
            auto_scale_loss: Keras scales the loss under a mixed_float16 policy; neurona has
                no mixed-precision policy, so there is nothing to scale.

        Example:
            >>> import neurona as keras
            >>> model = keras.Sequential([keras.layers.Dense(1, input_shape=[3])])
            >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        """
        from .. import losses, optimizers

        if isinstance(run_eagerly, bool) is False:
            raise TypeError(f"compile: run_eagerly must be True or False, got {run_eagerly!r}")
        if jit_compile not in ("auto", True, False):
            raise ValueError(f"compile: jit_compile must be 'auto', True or False, got "
                             f"{jit_compile!r}")
        if not isinstance(auto_scale_loss, bool):
            raise TypeError(f"compile: auto_scale_loss must be True or False, got "
                            f"{auto_scale_loss!r}")
        self._compile_options = {
            "steps_per_execution": integer("compile", "steps_per_execution",
                                           steps_per_execution, low=1),
            "replay": not run_eagerly and jit_compile is not False,
            "run_eagerly": run_eagerly, "jit_compile": jit_compile}
        self.optimizer = optimizers.get(optimizer)
        for item in tree.flatten(loss):
            losses.get(item)  # an unknown name fails now, with the list of names
        self.loss = loss if tree.is_nested(loss) else losses.get(loss)
        self._compiled = CompiledSetup(loss, loss_weights, metrics, weighted_metrics)
        self._loss_tracker = LossTracker("loss")
        self._output_trackers = []
        self.compiled = True
        self._train_function = None
        if self.built:
            self._build_compiled()

    def _build_compiled(self):
        """Resolve the compile arguments against the model's outputs (once they are known)."""
        setup = self._compiled
        if setup.built:
            return
        setup.build(*self._output_infos())
        self._output_trackers = [LossTracker(name) for name in setup.loss_names()]

    def _output_infos(self):
        """``([OutputInfo], structure)``: each output's name, producing layer and shape, and
        whether the model returns one output, a list or a dict."""
        graph = getattr(self, "_graph", None)
        if graph is not None:
            names = self.output_names
            infos = [OutputInfo(name, t.node.layer, t.shape)
                     for name, t in zip(names, graph.outputs)]
            return infos, "single" if len(infos) == 1 else graph.output_kind
        example = self._output_example
        if isinstance(example, dict):
            return [OutputInfo(k, None, s) for k, s in example.items()], "dict"
        if isinstance(example, list) or (isinstance(example, tuple) and example
                                         and isinstance(example[0], tuple)):
            return ([OutputInfo(f"output_{i + 1}", None, s) for i, s in enumerate(example)],
                    "list")
        return [OutputInfo("output", None, example)], "single"

    #: the output shapes a subclassed model returned when it was built (see _build_from_data)
    _output_example = None

    def _require_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"{what}: call model.compile(optimizer=..., loss=...) first")

    @property
    def _metric_specs(self):
        """``[(metric, weighted)]`` of every compiled metric (what files and backups save)."""
        setup = self._compiled
        if setup is None or not setup.built:
            return []
        return [(metric, weighted) for _, _, metric, weighted in setup.metric_entries()]

    @property
    def metrics(self):
        """Every metric the model reports, Keras's order: the loss tracker, the per-output loss
        trackers, the compiled metrics (one object, ``compile_metrics``, whose result is a
        dict), then metrics the model and its layers hold as attributes."""
        out = []
        if self.compiled:
            out.append(self._loss_tracker)
            out.extend(self._output_trackers)
            if self._compiled.built and self._compiled.all_metrics():
                out.append(CompileMetrics(self._compiled))
        for layer in self._flatten_layers():
            if layer is self or not isinstance(layer, Trainer):
                out.extend(layer._tracked_metrics)
        return out

    @property
    def metrics_names(self):
        """The names ``evaluate`` returns its values under, in its order: the loss, each
        output's loss, the metrics (Keras 3's order: a single output's in compile order,
        several outputs' by name)."""
        if self._compiled is None or not self._compiled.built:
            return ["loss"]
        return _keras_order(self._compiled, self._compiled.log_names())

    def reset_metrics(self):
        """Zero every metric's running state."""
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self):
        """``{name: result}`` of :attr:`metrics` (dict results flattened into it)."""
        out = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[metric.name] = result
        return out

    # -- Keras's overridable steps ----------------------------------------------------------
    def zero_grad(self):
        """Forget the gradients of every trainable weight (before a custom step's backward)."""
        for v in self.trainable_weights:
            v.grad = None

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of a batch: the compiled losses plus :attr:`losses` (the ones layers
        added in this forward and the weight penalties), as a scalar Tensor.

        Override it for a custom loss; ``fit`` then calls it from :meth:`train_step`.
        """
        del x, training  # the default ignores them, as Keras's does
        self._require_compiled("compute_loss")
        self._build_compiled()
        setup = self._compiled
        total = None
        if setup.with_loss():
            preds = setup.outputs_list(y_pred)
            ys = setup.targets_list(y)
            total, parts = setup.losses(ys, preds, setup.sample_weights_list(sample_weight))
            batch = len(tree.flatten(preds)[0])
            for tracker, part in zip(self._output_trackers, [p for p in parts if p is not None]):
                tracker.add_batch(part.data, batch)
        for penalty in self.losses:
            total = penalty if total is None else total + penalty
        if total is None:
            raise ValueError("No loss to compute: pass loss= to compile, add losses in call() "
                             "with self.add_loss(...), or override compute_loss")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with a batch and return :meth:`get_metrics_result`."""
        del x
        setup = self._compiled
        if setup is not None and setup.built:
            preds = [_raw(p) for p in setup.outputs_list(y_pred)]
            setup.update_metrics([_raw(v) for v in setup.targets_list(y)], preds,
                                 [_raw(v) for v in setup.sample_weights_list(sample_weight)])
        return self.get_metrics_result()

    def train_step(self, data):
        """One training step on ``data`` (Keras's: ``(x,)``, ``(x, y)`` or ``(x, y,
        sample_weight)`` of Tensors): forward, :meth:`compute_loss`, backward, the optimizer's
        step, :meth:`compute_metrics`. Returns the logs (a dict of metric results)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        self.zero_grad()
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        if self.trainable_weights:
            loss.backward()
            weights = self.trainable_weights
            self.optimizer.apply([v.grad for v in weights], weights)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """One evaluation step: forward, :meth:`compute_loss`, :meth:`compute_metrics`."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs for a batch ``data`` (``x`` or a tuple starting with it)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _overridden(self, method):
        return getattr(type(self), method) is not getattr(Trainer, method)

    def _keras_steps(self):
        """True when a Keras step method is overridden: the steps then run as Keras runs
        them, without the fast step's rewrites."""
        return any(self._overridden(m) for m in _STEP_METHODS)

    # -- forward --------------------------------------------------------------------------------
    def _forward(self, x, training):
        """Run the model on backend arrays (a structure of them): the trusted forward for a
        model with a graph, the model as called otherwise."""
        inputs = tree.map_structure(Tensor, x)
        if self.built and getattr(self, "_graph", None) is not None:
            if isinstance(inputs, list) and len(self._graph.inputs) > 1:
                return self._graph.run(inputs, training, trusted=True)
            if not tree.is_nested(inputs):
                return self._trusted_forward(inputs, training)
        return self._call_eager(inputs, training=training)

    def _build_for(self, x):
        """Build the model for data ``x`` if it is not built yet: a Sequential for its
        shapes; a subclassed model by running it on two rows of ``x`` (any structure of
        inputs), which also tells its output structure."""
        if getattr(self, "_graph", None) is not None:
            return
        if hasattr(self, "_stack"):  # a Sequential whose input shape the data tells
            if not self.built:
                self._maybe_build(_shapes_of(x))
            return
        if self._output_example is not None or self._steps_without_call():
            return
        rows = tree.map_structure(lambda a: get_ops().asarray(a[:2]), x)
        if self._build_input_shape is None:
            self._build_input_shape = _shapes_of(x)
        self.built = True  # the call below builds the layers; Model.build must not run again
        with no_grad():
            out = self._call_eager(tree.map_structure(Tensor, rows), training=False)
        self._output_example = tree.map_structure(lambda t: (None,) + tuple(t.shape[1:]), out)

    def _steps_without_call(self):
        """True for a subclassed model with no call() of its own whose steps are the user's
        (the guides' GAN: its train_step calls the generator and the discriminator): it is
        never called as a whole, so it is not run to be built."""
        from .model import Model

        return type(self).call is Model.call and self._overridden("train_step")

    # -- data ---------------------------------------------------------------------------------
    def _arrays(self, x, y, sample_weight, class_weight=None, what="x", check_labels=True):
        """(x, ys, sws) checked and shaped, the model built and its compile settings resolved
        (``check_labels``: the labels against the loss and the output layer too)."""
        x = data.standardize_inputs(self, x, what)
        self._build_for(x)
        data.check_input_shapes(self, x)
        self._build_compiled()
        setup = self._compiled
        if y is None:
            if setup.with_loss() and not self._keras_steps():
                raise ValueError("y is missing: fit/evaluate need targets (x, y)")
            ys = [None] * len(setup.outputs)
        else:
            ys = data.standardize_targets(setup, y, check=check_labels)
        sws = data.standardize_sample_weights(setup, sample_weight, class_weight, ys,
                                              self.dtype)
        data.check_rows(x, ys, sws)
        return x, ys, sws

    def _validation_data(self, validation_data):
        if data.is_stream(validation_data):
            stream = data.StreamData(validation_data, self._stream_converter("validation_data"))
            stream.peek()
            return stream
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or "
                             "(x_val, y_val, sample_weight_val), a generator or a PyDataset")
        vx, vy = validation_data[0], validation_data[1]
        vsw = validation_data[2] if len(validation_data) == 3 else None
        return data.ArrayData(*self._arrays(vx, vy, vsw, what="validation_data x"))

    def _stream_converter(self, what, class_weight=None):
        """``convert(batch, first)`` for :class:`~neurona.models.data_adapters.StreamData`:
        a batch as checked device arrays (its labels checked against the loss on the first)."""
        def convert(batch, first):
            x, y, sw = unpack_x_y_sample_weight(batch)
            arrays = self._arrays(x, y, sw, class_weight, what=f"{what} batch",
                                  check_labels=first)
            return data.ArrayData(*arrays).batch(slice(None))
        return convert

    def _data(self, x, y, sample_weight, what, class_weight=None, shuffle=False, rng=None):
        """:class:`~neurona.models.data_adapters.ArrayData` or ``StreamData`` for ``x``."""
        if data.is_stream(x):
            data.check_stream_arguments(what, y, sample_weight, 0.0)
            stream = data.StreamData(x, self._stream_converter(what, class_weight), shuffle,
                                     rng)
            stream.peek()  # builds the model and resolves compile's arguments
            return stream
        return data.ArrayData(*self._arrays(x, y, sample_weight, class_weight, what=what))

    # -- the loops ----------------------------------------------------------------------------
    def _train_function_for_fit(self):
        """The fast step, or None when the model's own train_step must run (it overrides
        train_step, compute_loss or compute_metrics)."""
        if any(self._overridden(m) for m in ("train_step", "compute_loss", "compute_metrics")):
            return None
        replay = self._compile_options.get("replay", True)
        previous = self._replay_steps
        self._replay_steps = previous and replay
        try:
            return FastTrainStep(self)
        finally:
            self._replay_steps = previous

    def _keras_data(self, x, ys, sws):
        """A batch as Keras's steps take it: ``(x, y[, sample_weight])`` of Tensors, each in
        the model's input/output structure."""
        setup = self._compiled
        x = tree.map_structure(Tensor, x)
        if all(y is None for y in ys):
            return (x,)
        y = setup.pack_outputs([None if v is None else Tensor(v) for v in ys])
        if all(sw is None for sw in sws):
            return (x, y)
        return (x, y, setup.pack_outputs([None if v is None else Tensor(v) for v in sws]))

    def _run_train_batch(self, step, x, ys, sws):
        """One training batch; returns the step's logs when Keras's train_step made them."""
        if step is None:
            return self.train_step(self._keras_data(x, ys, sws))
        loss, parts = step(x, ys, sws)
        count = len(tree.flatten(x)[0])
        self._loss_tracker.add_batch(loss, count)
        for tracker, part in zip(self._output_trackers, [p for p in parts if p is not None]):
            tracker.add_batch(part, count)
        return None

    def _epoch_result(self, returned):
        """The logs of what ran so far: a custom step's last returned logs, else the metrics."""
        return pythonify(returned if returned is not None else self.get_metrics_result())

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        x, ys, sws = self._arrays(x, y, sample_weight, class_weight)
        self.reset_metrics()
        if self._train_function is None:  # made once per compile: it keeps its replay
            self._train_function = self._train_function_for_fit()
        returned = self._run_train_batch(self._train_function,
                                         *data.ArrayData(x, ys, sws).batch(slice(None)))
        return self._batch_result(self._epoch_result(returned), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) of one batch without updating the weights."""
        self._require_compiled("test_on_batch")
        x, ys, sws = self._arrays(x, y, sample_weight)
        self.reset_metrics()
        returned = self._run_test_batch(*data.ArrayData(x, ys, sws).batch(slice(None)))
        return self._batch_result(self._epoch_result(returned), return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch, as NumPy."""
        x = data.standardize_inputs(self, x)
        self._build_for(x)
        ops = get_ops()
        return data.to_numpy(self._predict_batch(tree.map_structure(ops.asarray, x)))

    def _batch_result(self, logs, return_dict):
        if return_dict:
            return logs
        values = [logs[name] for name in _keras_order(self._compiled, list(logs))]
        return values[0] if len(values) == 1 else values

    def _run_test_batch(self, x, ys, sws):
        if self._overridden("test_step") or self._overridden("compute_loss") or \
                self._overridden("compute_metrics"):
            return self.test_step(self._keras_data(x, ys, sws))
        loss, parts = test_step_arrays(self, x, ys, sws)
        count = len(tree.flatten(x)[0])
        self._loss_tracker.add_batch(loss, count)
        for tracker, part in zip(self._output_trackers, [p for p in parts if p is not None]):
            tracker.add_batch(part, count)
        return None

    def _predict_batch(self, x):
        """The outputs for one batch of backend arrays, as backend arrays."""
        with no_grad():
            if self._overridden("predict_step"):
                out = self.predict_step((tree.map_structure(Tensor, x),))
            else:
                out = self._forward(x, training=False)
        return tree.map_structure(_raw, out)

    # -- fit ----------------------------------------------------------------------------------------
    @_in_parallel_region
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, seed=None):
        """Train the model (Keras's ``fit``).

        Args:
            x: inputs: an array (NumPy, lists, pandas), or for several inputs a list in the
                model's input order or a dict keyed by input name.
            y: targets: an array, or for several outputs a list or a dict keyed by output name.
            batch_size: rows per step (default 32).
            epochs: index of the last epoch (training runs ``initial_epoch..epochs-1``).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch, "auto" = 1.
            callbacks: list of callbacks (objects with Keras's hook methods).
            validation_split: fraction of the LAST rows held out for validation (before shuffling,
                as Keras: sorted data gives a biased split — shuffle first).
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``.
            shuffle: reshuffle the training rows every epoch.
            class_weight: ``{class: weight}`` or ``"balanced"`` (one output only).
            sample_weight: one weight per training row (a list or dict per output for several).
            initial_epoch: epoch to start from (to resume).
            steps_per_epoch: batches per epoch (default: all rows once).
            validation_steps, validation_batch_size, validation_freq: as in Keras.
            seed: seed for shuffling and for random layers (dropout...) during this fit;
                default: drawn from ``keras.utils.set_random_seed``'s sequence.

        Returns:
            A :class:`~neurona.callbacks.History`; ``history.history`` maps "loss", metric names
            and their "val_" twins to per-epoch lists.
        """
        from ..callbacks import History
        from ..callbacks.callback import CallbackList, check_callbacks

        self._require_compiled("fit")
        batch_size = A.check_batch_size(batch_size, owner="fit")
        _check_epochs(epochs, initial_epoch)
        if validation_data is not None and validation_split:
            raise ValueError("Pass either validation_data or validation_split, not both")
        cbs = check_callbacks(callbacks)
        steps_per_epoch = integer("fit", "steps_per_epoch", steps_per_epoch, low=1,
                                  allow_none=True)
        validation_steps = integer("fit", "validation_steps", validation_steps, low=1,
                                   allow_none=True)
        validation_freq = integer("fit", "validation_freq", validation_freq, low=1)
        if validation_batch_size is not None:
            validation_batch_size = A.check_batch_size(validation_batch_size)
        verbose = _check_verbose("fit", verbose)
        seed = integer("fit", "seed", seed, low=0, allow_none=True)
        if not isinstance(shuffle, bool):
            raise TypeError(f"fit: shuffle must be True or False, got shuffle={shuffle!r}")
        rng = nrandom.make_generator(seed)
        if data.is_stream(x):
            data.check_stream_arguments("fit", y, sample_weight, validation_split)
            train = self._data(x, None, None, "x", class_weight, shuffle, rng)
            n = None
        else:
            train = self._array_data_for_fit(x, y, sample_weight, class_weight,
                                             validation_split)
            if validation_split:
                train, val = train
            n = train.rows
        if not validation_split:
            val = None if validation_data is None else self._validation_data(validation_data)
        steps = steps_per_epoch if steps_per_epoch is not None else (
            train.steps(batch_size) if n is not None else train.steps)
        history = History()
        cbs = _with_progress_bar(cbs, verbose)
        cbs.append(history)
        params = {"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size,
                  "samples": n, "do_validation": val is not None}
        callback_list = CallbackList(cbs, self, params)
        names = self.metrics_names
        callback_list.validate_logs(names + ([f"val_{m}" for m in names] if val else []))
        self.history = history
        self.stop_training = False
        step = self._train_function_for_fit()
        self._train_function = step
        state = FitState(initial_epoch, rng, self._loss_tracker)
        state.data = train
        watch = divergence.DivergenceWatch()
        self.fit_state = state
        callback_list.on_train_begin({})  # BackupAndRestore may move ``state`` to a saved position
        logs = {}
        try:
            with nrandom.training_generator(rng), kept_while_training():
                while state.epoch < epochs:
                    epoch = state.epoch
                    if state.batch == 0:  # a fresh epoch (not one resumed mid-way)
                        self.reset_metrics()
                        state.start_epoch(n if shuffle and n is not None else None)
                    callback_list.on_epoch_begin(epoch, {})
                    watch.start_epoch()
                    # a backup taken after the epoch's last batch resumes with no batch left:
                    # the epoch only has to end (logs, validation, callbacks)
                    finished = steps is not None and state.batch >= steps
                    returned, ran = self._run_epoch(step, callback_list, state, train,
                                                    batch_size, steps, watch)
                    if not ran and not finished:
                        _ran_out(epoch, steps_per_epoch)
                        break
                    logs = self._epoch_result(returned)
                    if divergence.diverged(logs):  # read per epoch anyway: no extra sync
                        self.stop_training = True
                        divergence.report(self, epoch, logs["loss"], watch.where(steps),
                                          train if n is not None else None)
                    if val is not None and (epoch + 1) % validation_freq == 0:
                        val_logs = self._evaluate_data(val, validation_batch_size or batch_size,
                                                       validation_steps, callback_list)
                        logs.update({f"val_{k}": v for k, v in val_logs.items()})
                    state.epoch, state.batch = epoch + 1, 0
                    callback_list.on_epoch_end(epoch, logs)
                    if self.stop_training:
                        break
            state.completed = True
        finally:
            # however training ends (done, stopped, interrupted, failed), callbacks get to
            # finish: restore best weights, close files
            callback_list.on_train_end(logs)
            state.data = None  # model.fit_state outlives fit: it must not hold the data
        return history

    def _array_data_for_fit(self, x, y, sample_weight, class_weight, validation_split):
        """The training :class:`~neurona.models.data_adapters.ArrayData` (and the validation
        one with ``validation_split``), checked by the doctor before any step."""
        single = not tree.is_nested(x) and not tree.is_nested(y)
        x, ys, sws = self._arrays(x, y, sample_weight, class_weight)
        n = data.check_rows(x, ys, sws)
        if validation_split:
            A.validation_count(n, validation_split)  # a bad fraction fails first
        if single and len(self._compiled.outputs) == 1 and ys[0] is not None:
            check_fit(self, x, ys[0], validation_split,  # errors stop, warnings once
                      class_weight if sample_weight is None else sample_weight)
        if not validation_split:
            return data.ArrayData(x, ys, sws)
        train, val = data.split_rows(x, ys, sws, validation_split, n)
        return data.ArrayData(*train), data.ArrayData(*val)

    def _run_epoch(self, step, callback_list, state, train, batch_size, steps, watch):
        """Train this epoch's batches from ``state.batch`` on; returns a custom step's last logs
        (None for the fast step) and whether any batch ran. Batch logs a callback reads are
        shown to ``watch`` (a :class:`~neurona.models.divergence.DivergenceWatch`)."""
        every = self._compile_options.get("steps_per_execution", 1)
        wants_begin = callback_list.wants_batch("on_train_batch_begin")
        wants_end = callback_list.wants_batch("on_train_batch_end")
        returned, ran = None, False
        for i, batch in train.epoch_batches(state, batch_size, steps):
            ran = True
            group_start = i % every == 0
            group_end = (i + 1) % every == 0 or (steps is not None and i + 1 == steps)
            if wants_begin and group_start:
                callback_list.batch("on_train_batch_begin", i, {})
            returned = self._run_train_batch(step, *batch)
            state.batch = i + 1
            if wants_end and group_end:
                callback_list.batch("on_train_batch_end", i, LazyLogs(
                    lambda i=i, last=returned: watch.batch_read(i, self._epoch_result(last))))
            if self.stop_training:
                break
        return returned, ran

    def _evaluate_data(self, val, batch_size, steps=None, callback_list=None):
        """Loss and metrics over ``val`` (an :class:`~neurona.models.data_adapters.ArrayData`),
        the test batch hooks of ``callback_list`` called."""
        self.reset_metrics()
        returned = None
        if callback_list is not None:
            callback_list.on_test_begin({})
        for i, batch in val.batches(batch_size, steps):
            if callback_list is not None:
                callback_list.batch("on_test_batch_begin", i, {})
            returned = self._run_test_batch(*batch)
            if callback_list is not None and callback_list.wants_batch("on_test_batch_end"):
                last = returned
                callback_list.batch("on_test_batch_end", i,
                                    LazyLogs(lambda: self._epoch_result(last)))
        logs = self._epoch_result(returned)
        if callback_list is not None:
            callback_list.on_test_end(logs)
        return logs

    # -- evaluate / predict -------------------------------------------------------------------------
    @_in_parallel_region
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on ``(x, y)``: a float when there are no metrics, else
        ``[loss, *metrics]`` in :attr:`metrics_names` order (or a dict with
        ``return_dict=True``)."""
        from ..callbacks.callback import CallbackList, check_callbacks

        self._require_compiled("evaluate")
        batch_size = A.check_batch_size(batch_size, owner="evaluate")
        steps = integer("evaluate", "steps", steps, low=1, allow_none=True)
        verbose = _check_verbose("evaluate", verbose)
        val = self._data(x, y, sample_weight, "evaluate")
        total = steps or (val.steps(batch_size) if isinstance(val, data.ArrayData) else val.steps)
        cbs = _with_progress_bar(check_callbacks(callbacks, "evaluate"), verbose)
        callback_list = CallbackList(cbs, self, {"steps": total, "verbose": verbose})
        logs = self._evaluate_data(val, batch_size, steps, callback_list)
        if return_dict:
            return logs
        values = [logs[name] for name in _keras_order(self._compiled, list(logs))]
        return values[0] if len(values) == 1 else values

    @_in_parallel_region
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x`` as NumPy arrays (shaped like the model's outputs: an array,
        a list or a dict), computed in batches without gradients.

        ``batch_size`` only bounds memory: by default up to 4096 rows go through at once, which
        keeps large predictions as fast as one call on the whole array.
        """
        from ..callbacks.callback import CallbackList, check_callbacks

        steps = integer("predict", "steps", steps, low=1, allow_none=True)
        verbose = _check_verbose("predict", verbose)
        batch_size = A.check_batch_size(batch_size, default=4096, owner="predict")
        if data.is_stream(x):
            batches, total = self._predict_stream(x, steps)
        else:
            x = data.standardize_inputs(self, x)
            n = A.num_rows(tree.flatten(x))
            if n == 0:
                raise ValueError("predict: x is empty (0 rows); pass at least one sample")
            self._build_for(x)
            data.check_input_shapes(self, x)
            xd = tree.map_structure(get_ops().asarray, x)
            total = -(-n // batch_size)
            batches = (tree.map_structure(lambda a: a[index], xd)
                       for index in A.batch_slices(n, batch_size)[:steps])
        callback_list = CallbackList(
            _with_progress_bar(check_callbacks(callbacks, "predict"), verbose), self,
            {"steps": total, "verbose": verbose})
        callback_list.on_predict_begin({})
        outputs = []
        for i, xb in enumerate(batches):
            callback_list.batch("on_predict_batch_begin", i, {})
            out = self._predict_batch(xb)
            outputs.append(out)
            callback_list.batch("on_predict_batch_end", i, {"outputs": out})
        callback_list.on_predict_end({})
        if not outputs:
            raise ValueError("predict: the data yielded no batch")
        return data.concatenate_outputs(outputs)

    def _predict_stream(self, source, steps):
        """``(batches of device inputs, total or None)`` of a generator or PyDataset whose
        batches are ``x`` or tuples starting with it."""
        def convert(batch, first):
            x, _, _ = unpack_x_y_sample_weight(batch)
            x = data.standardize_inputs(self, x, "predict batch")
            if first:
                self._build_for(x)
                data.check_input_shapes(self, x)
            return tree.map_structure(get_ops().asarray, x)

        stream = data.StreamData(source, convert)
        return stream.epoch(steps), steps or stream.steps


class CompileMetrics:
    """The compiled metrics as one metric (Keras's ``compile_metrics``): ``update_state(y,
    y_pred, sample_weight)`` routes each output's part to its metrics, ``result()`` is a dict
    of log names."""

    name = "compile_metrics"

    def __init__(self, setup):
        self.setup = setup

    def update_state(self, y_true, y_pred, sample_weight=None):
        setup = self.setup
        setup.update_metrics([_raw(v) for v in setup.targets_list(y_true)],
                             [_raw(v) for v in setup.outputs_list(y_pred)],
                             [_raw(v) for v in setup.sample_weights_list(sample_weight)])

    def result(self):
        return {name: metric.result() for name, _, metric, _ in self.setup.metric_entries()}

    def reset_state(self):
        for metric in self.setup.all_metrics():
            metric.reset_state()


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from Keras's packed data (``x``, ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)``), None for the missing parts."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be (x,), (x, y) or (x, y, sample_weight), got a "
                     f"tuple of {len(data)} items")


def _raw(value):
    return value.data if isinstance(value, Tensor) else value


def _batch_size(x):
    return int(tree.flatten(x)[0].shape[0])


def _shapes_of(x):
    """The shapes of a structure of arrays with the batch axis as None (one shape for one
    array)."""
    shapes = tree.map_structure(lambda a: (None,) + tuple(a.shape[1:]), x)
    return shapes


def _keras_order(setup, names):
    """``names`` (log names) in the order Keras 3 lists evaluate's values: the loss and the
    per-output losses, the metrics whose log name is their own name (one output), then the
    rest sorted."""
    first = ["loss"] + setup.loss_names()
    first += [m.name for m in setup.all_metrics() if m.name not in first]
    head = [n for n in first if n in names]
    return head + sorted(n for n in names if n not in head)


def _with_progress_bar(callbacks, verbose):
    """``callbacks`` with a progress bar added for ``verbose`` 1 or 2, unless one is there
    (Keras's rule)."""
    from ..callbacks import ProgbarLogger

    if verbose and not any(isinstance(cb, ProgbarLogger) for cb in callbacks):
        callbacks = callbacks + [ProgbarLogger()]
    return callbacks


def _check_verbose(where, verbose):
    """``verbose`` as 0, 1 or 2 ("auto" is 1), else a ValueError."""
    if verbose == "auto" and isinstance(verbose, str):
        return 1
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"{where}: verbose must be 0 (silent), 1 (progress bar), 2 (one line "
                         f"per epoch) or 'auto', got verbose={verbose!r}")
    return int(verbose)


def _ran_out(epoch, steps_per_epoch):
    import warnings

    hint = (f" Make sure it can give steps_per_epoch * epochs = {steps_per_epoch} * epochs "
            "batches (a generator is consumed across epochs)" if steps_per_epoch else
            " A generator is consumed by the first epoch: pass steps_per_epoch=..., or a "
            "PyDataset or an iterable that can be iterated again")
    warnings.warn(f"Your input ran out of data at epoch {epoch + 1}; training stopped.{hint}",
                  UserWarning, stacklevel=3)


def _check_epochs(epochs, initial_epoch):
    integer("fit", "epochs", epochs, low=0)
    integer("fit", "initial_epoch", initial_epoch, low=0)

