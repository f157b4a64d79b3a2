"""Where ``fit`` is (:class:`FitState`), the loss trackers, and logs that are computed only when
read (:class:`LazyLogs`)."""

import numpy as np

from ..backend import get_ops
from ..metrics import Mean


class LossTracker(Mean):
    """The running mean of a loss over the batches of an epoch (the ``loss`` of the logs).

    The training loop adds each batch's mean with :meth:`add_batch`: one product and one sum on
    the device, the sample count on the host, nothing read back until :meth:`result`.
    """

    def __init__(self, name="loss"):
        super().__init__(name=name)
        self.seen = 0

    def add_batch(self, batch_mean, count):
        """Add a batch of ``count`` samples whose mean loss is the 0-d array ``batch_mean``."""
        self.total += batch_mean * count
        self.seen += count

    def update_state(self, values, sample_weight=None):
        """Keras's ``Mean.update_state``: a custom train step passes its loss and the batch
        size as ``sample_weight``."""
        if sample_weight is not None and np.ndim(sample_weight) == 0 and np.ndim(values) == 0:
            value = values.data if hasattr(values, "creator") else values
            self.add_batch(get_ops().asarray(value), float(sample_weight))
            return
        super().update_state(values, sample_weight)
        self.seen = float(self.count)

    def reset_state(self):
        super().reset_state()
        self.seen = 0

    def result(self):
        seen = self.seen or float(self.count)
        return float(self.total) / seen if seen else 0.0


class FitState:
    """Where ``fit`` is: the epoch and the next batch, this epoch's row order, the running loss
    (the model's loss tracker), and the generator that shuffles and drives random layers.
    ``BackupAndRestore`` saves it and puts a resumed run back at exactly this point."""

    def __init__(self, epoch, rng, tracker):
        self.epoch, self.batch, self.rng = epoch, 0, rng
        self.tracker = tracker
        self.order = None
        self.completed = False
        self.data = None  # the training data (ArrayData or StreamData), for BackupAndRestore

    def data_fingerprint(self):
        """A digest of the in-memory training data, None for data that streams."""
        fingerprint = getattr(self.data, "fingerprint", None)
        return fingerprint() if callable(fingerprint) else None

    @property
    def loss_sum(self):
        """The sum of the batch losses times their sizes so far this epoch (a device array)."""
        return self.tracker.total

    @loss_sum.setter
    def loss_sum(self, value):
        self.tracker.total[...] = get_ops().asarray(value)

    @property
    def seen(self):
        """The samples trained on so far this epoch."""
        return self.tracker.seen

    @seen.setter
    def seen(self, value):
        self.tracker.seen = value

    def start_epoch(self, n_shuffled):
        """A new epoch: a fresh row order (None keeps the data order) and a zero running loss."""
        self.order = None if n_shuffled is None else self.rng.permutation(n_shuffled)


def pythonify(logs):
    """Logs as a flat dict of Python floats in sorted key order (nested dicts of results are
    flattened, arrays of one value become floats, bigger arrays stay arrays), as Keras 3's
    logs are."""
    out = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            out.update(pythonify(value))
            continue
        if hasattr(value, "creator"):  # a Tensor
            value = value.data
        if not isinstance(value, (int, float)):
            arr = np.asarray(get_ops().to_numpy(value))
            value = float(arr) if arr.size == 1 else arr
        out[key] = float(value) if isinstance(value, (int, np.integer, np.floating)) else value
    return dict(sorted(out.items()))


class LazyLogs(dict):
    """Batch logs computed only when a callback reads them (reading syncs with the device)."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute
        self._filled = False

    def _fill(self):
        if not self._filled:
            self._filled = True
            super().update(pythonify(self._compute()))

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

    def copy(self):
        self._fill()
        return dict(self)
