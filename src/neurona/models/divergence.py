"""Training that diverged is stopped and reported, by default (what ``TerminateOnNaN`` does,
with the epoch, the batch and the likely cause).

The loss is read where ``fit`` already reads it: once per epoch, and per batch only when a
callback has read that batch's logs (a progress bar, ``TerminateOnNaN``): no device sync is
added. The batch logs hold the running mean of the epoch, which stays non-finite once a batch
was, so the first batch read non-finite and the last one read finite bound the culprit.
"""

import math
import warnings

import numpy as np

from ..backend import get_ops


class TrainingDivergedWarning(RuntimeWarning):
    """``fit`` stopped because the training loss became NaN or infinite."""


class DivergenceWatch:
    """What ``fit`` has seen of the training loss this epoch, to say where it went non-finite."""

    def __init__(self):
        self.last_finite_batch = None  # the last batch whose logs were read with a finite loss
        self.first_bad_batch = None  # the first batch whose logs were read non-finite

    def start_epoch(self):
        self.last_finite_batch = self.first_bad_batch = None

    def batch_read(self, batch, logs):
        """Note a batch's logs that a callback read (already on the host); returns them."""
        loss = logs.get("loss")
        if _is_number(loss) and self.first_bad_batch is None:
            if math.isfinite(loss):
                self.last_finite_batch = batch
            else:
                self.first_bad_batch = batch
        return logs

    def where(self, steps):
        """The batch (or range of batches, counted from 0) the loss went non-finite in, in
        words."""
        of = f" of {steps}" if steps else ""
        first = self.first_bad_batch
        if first is None:
            return ("(the loss is read once per epoch: pass callbacks=[keras.callbacks."
                    "TerminateOnNaN()] to stop at the batch, at one device sync per batch)")
        start = 0 if self.last_finite_batch is None else self.last_finite_batch + 1
        span = f"at batch {first}" if start >= first else f"between batches {start} and {first}"
        return f"{span}{of} (counted from 0)"


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def diverged(logs):
    """Whether epoch ``logs`` hold a non-finite training loss."""
    loss = logs.get("loss")
    return _is_number(loss) and not math.isfinite(loss)


def report(model, epoch, loss, where, train):
    """Warn that ``fit`` stopped at ``epoch`` (its loss ``loss``) with the likely causes, read
    from the training data ``train`` (an :class:`~neurona.models.data_adapters.ArrayData`, or
    None for a stream) and the optimizer."""
    loss = "NaN" if math.isnan(loss) else "infinite"
    causes = likely_causes(model, train)
    warnings.warn(
        f"fit: the training loss became {loss} in epoch {epoch + 1} {where}; training stopped "
        f"(the weights are those after the last step, which may hold NaN). Likely cause: "
        + "; ".join(causes), TrainingDivergedWarning, stacklevel=4)


def likely_causes(model, train):
    """The likely reasons, most specific first: unscaled targets or inputs, a high learning
    rate; the generic advice otherwise."""
    causes = []
    if train is not None:
        causes += _scale_causes(train)
    rate = _learning_rate(model)
    if rate is not None and rate > 0.01:
        causes.append(f"the learning rate {rate:g} is high: try 10 to 100 times smaller "
                      f"(e.g. learning_rate={rate / 30:.2g})")
    if not causes:
        causes.append("the updates grew too large for this model: lower the learning rate, "
                      "or clip the gradients (e.g. clipnorm=1.0 on the optimizer)")
    return causes


def _scale_causes(train):
    """Unscaled targets or inputs of in-memory training data (one read of each array: this
    runs once, when training already stopped)."""
    ops = get_ops()
    causes = []
    for name, arrays in (("targets", train.ys), ("inputs", _flat(train.x))):
        largest = max((_largest_magnitude(ops, a) for a in arrays if a is not None),
                      default=0.0)
        if largest > 1e3:
            causes.append(f"the {name} are not scaled (values up to {largest:.3g}): "
                          f"standardize them (e.g. subtract the mean, divide by the standard "
                          f"deviation) before training")
    return causes


def _flat(x):
    from .. import tree
    return tree.flatten(x)


def _largest_magnitude(ops, array):
    host = np.asarray(ops.to_numpy(array))
    if host.dtype.kind not in "fiu" or host.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        return float(np.nanmax(np.abs(host.astype(np.float64))))


def _learning_rate(model):
    optimizer = getattr(model, "optimizer", None)
    try:
        rate = float(optimizer.learning_rate)
    except (TypeError, ValueError, AttributeError):
        return None
    return rate if math.isfinite(rate) else None
