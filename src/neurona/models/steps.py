"""The built-in training and evaluation steps on backend arrays, for models whose ``train_step``,
``test_step``, ``compute_loss`` and ``compute_metrics`` are Keras's own.

:class:`FastTrainStep` is ``Model.train_step``'s computation without its Python overheads: it
runs the model's trusted forward (the graph rewritten by :mod:`~neurona.models.fusion`),
records its first batches and replays them (:mod:`~neurona.models.step_replay`), and keeps the
loss on the device. Its results are those of the Keras-style ``train_step``, which a model that
overrides any of those methods gets instead (:class:`~neurona.models.trainer.Trainer`).

A batch here is ``(x, ys, sample_weights)``: the model's inputs as its forward takes them, and
one target array and one sample-weight array (or None) per output, in output order.
"""

import contextlib
import warnings

from .. import tree
from ..autograd.grad_mode import no_grad
from .step_replay import StepReplay, replayable


def penalty_collector(model):
    """``(penalties, clear)``: a cheap per-step ``model.losses`` for a fixed structure (the layer
    list and the regularized weights are found once), and the reset of the losses layers add
    during a call."""
    layers = model._flatten_layers()
    regularized = [v for v in model.trainable_weights if v.regularizer is not None]

    def penalties():
        out = [p for layer in layers if layer._added_losses for p in layer._added_losses]
        out.extend(v.regularizer(v) for v in regularized)
        return out

    def clear():
        for layer in layers:
            if layer._added_losses:
                layer._added_losses = []

    return penalties, clear


def _with_penalties(total, penalties):
    for p in penalties:
        total = p if total is None else total + p
    return total


def _batch_arrays(x, ys, sws):
    """The step's arrays as one flat list (what a replay feeds from)."""
    return [a for a in tree.flatten(x) + list(ys) + list(sws) if a is not None]


class FastTrainStep:
    """One optimizer step on one batch: forward, loss, backward, update, metrics.

    Calling it returns ``(loss, parts)``: the total loss as a 0-d device array and each
    output's loss (None for outputs without one), read by the loss trackers.
    """

    def __init__(self, model):
        self.model = model
        self.variables = model.trainable_weights
        if not self.variables:  # as Keras warns; the loss and the metrics are still computed
            warnings.warn("The model does not have any trainable weights: fit computes the "
                          "loss and the metrics and changes no weight", stacklevel=4)
        self.setup = model._compiled
        self.penalties, self.clear_added_losses = penalty_collector(model)
        self.replay = (StepReplay(self.variables) if model._replay_steps and replayable(model)
                       else None)

    def __call__(self, x, ys, sws):
        for v in self.variables:
            v.grad = None
        batch = _batch_arrays(x, ys, sws)
        program = None if self.replay is None else self.replay.program_for(batch)
        if program is not None:
            values = program.run(batch)
            n_outputs = len(self.setup.outputs)
            preds, loss = values[:n_outputs], values[n_outputs]
            parts = self._unpack_parts(values[n_outputs + 1:])
        else:
            loss, parts, preds = self._eager(x, ys, sws, batch)
        if self.variables:
            self.model.optimizer.apply([v.grad for v in self.variables], self.variables)
        self.setup.update_metrics(ys, preds, sws)
        return loss, parts

    def _eager(self, x, ys, sws, batch):
        self.clear_added_losses()
        recording = None if self.replay is None else self.replay.recording_for(batch)
        with recording or contextlib.nullcontext():
            outputs = self.setup.outputs_list(self.model._forward(x, training=True))
            total, parts = self.setup.losses(ys, outputs, sws)
            total = _with_penalties(total, self.penalties())
        if total is None:
            raise ValueError(_NO_LOSS)
        if recording is not None:
            if any(getattr(out, "_keras_mask", None) is not None for out in outputs):
                # a replay hands back arrays: the metrics would lose the outputs' masks
                self.replay = None
            else:
                scored = [p for p in parts if p is not None]
                self.replay.recorded(recording, outputs + [total] + scored, total)
        if total.requires_grad:  # a model with no trainable weights trains as a no-op
            total.backward()
        # the outputs themselves (not their arrays): metrics read a mask riding on them
        return (total.data, [None if p is None else p.data for p in parts], outputs)

    def _unpack_parts(self, scored):
        values = iter(scored)
        return [None if out.loss is None else next(values) for out in self.setup.outputs]


_NO_LOSS = ("No loss to compute: compile(loss=...) was not given a loss and the model added "
            "none (add_loss) in its forward pass; pass loss= to compile, call self.add_loss(...)"
            " in call(), or override train_step")


def test_step_arrays(model, x, ys, sws):
    """``(loss, parts)`` of one batch without updating the weights (metrics updated); the
    losses layers add in the forward and the weight penalties count, as in training."""
    setup = model._compiled
    model._clear_added_losses()
    with no_grad():
        outputs = setup.outputs_list(model._forward(x, training=False))
        total, parts = setup.losses(ys, outputs, sws)
        total = _with_penalties(total, model.losses)
    if total is None:
        raise ValueError(_NO_LOSS)
    setup.update_metrics(ys, outputs, sws)  # Tensors: a mask on them reaches the metrics
    return total.data, [None if p is None else p.data for p in parts]
