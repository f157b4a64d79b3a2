"""Data sets of arrays in memory, ``split_dataset`` and ``timeseries_dataset_from_array``.

Each returns a :class:`~neurona.utils.PyDataset` whose items are batches of NumPy arrays
(``x``, ``(x, y)`` or ``(x, y, sample_weight)``), so ``fit``, ``evaluate`` and ``predict`` take
them through the one PyDataset path. With ``batch_size=None`` an item is one sample instead;
:meth:`ArrayDataset.batch` groups samples into batches.
"""

import numpy as np

from ..random import make_generator
from ..validation import boolean, integer, real
from .py_dataset import PyDataset

__all__ = ["ArrayDataset", "split_dataset", "timeseries_dataset_from_array"]


def _leaves(structure):
    if isinstance(structure, dict):
        return list(structure.values())
    if isinstance(structure, (list, tuple)):
        return list(structure)
    return [structure]


def _take(structure, index):
    if isinstance(structure, dict):
        return {k: v[index] for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(v[index] for v in structure)
    return structure[index]


def _as_arrays(structure, what):
    if isinstance(structure, dict):
        return {k: _as_arrays(v, f"{what}[{k!r}]") for k, v in structure.items()}
    if isinstance(structure, (list, tuple)) and structure and all(
            hasattr(v, "shape") or hasattr(v, "to_numpy") for v in structure):
        return [_as_arrays(v, f"{what}[{i}]") for i, v in enumerate(structure)]
    value = structure.to_numpy() if hasattr(structure, "to_numpy") else structure
    array = np.asarray(value)
    if array.ndim == 0:
        raise ValueError(f"{what} must have a sample axis, got a scalar {structure!r}")
    return array


class ArrayDataset(PyDataset):
    """Arrays in memory served as batches (or one sample per item with ``batch_size=None``).

    Args:
        x: an array, or a list/dict of arrays (one per model input), samples first.
        y: optional targets (an array or a list/dict of arrays).
        sample_weight: optional weights, one per sample.
        batch_size: samples per batch (the last batch may be smaller), or None for one sample
            per item.
        shuffle: visit the samples in a new random order every epoch.
        seed: seed of that order (default: the library's seed sequence).
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size``.

    Example:
        >>> data = ArrayDataset(np.arange(5.0)[:, None], np.arange(5), batch_size=2)
        >>> len(data), data[2][0].tolist()
        (3, [[4.0]])
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.x = _as_arrays(x, "x")
        self.y = None if y is None else _as_arrays(y, "y")
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        sizes = {len(a) for part in (self.x, self.y, self.sample_weight) if part is not None
                 for a in _leaves(part)}
        if len(sizes) != 1:
            raise ValueError(f"ArrayDataset: x, y and sample_weight must have the same number of "
                             f"samples, got sizes {sorted(sizes)}")
        self.num_samples = sizes.pop()
        if self.num_samples == 0:
            raise ValueError("ArrayDataset: the data set is empty (0 samples)")
        self.batch_size = integer("ArrayDataset", "batch_size", batch_size, low=1, allow_none=True)
        self.shuffle = boolean("ArrayDataset", "shuffle", shuffle)
        self._seed = seed
        self._rng = make_generator(seed) if shuffle else None
        self._order = self._rng.permutation(self.num_samples) if shuffle else None

    def __len__(self):
        if self.batch_size is None:
            return self.num_samples
        return -(-self.num_samples // self.batch_size)

    def __getitem__(self, index):
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"ArrayDataset: batch {index} out of range ({count} batches)")
        index %= count
        if self.batch_size is None:
            rows = index if self._order is None else int(self._order[index])
        else:
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            if self._order is not None:
                rows = self._order[rows]
        x = _take(self.x, rows)
        if self.y is None:
            return x
        y = _take(self.y, rows)
        if self.sample_weight is None:
            return x, y
        return x, y, self.sample_weight[rows]

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(self.num_samples)

    def batch(self, batch_size):
        """The same samples (in the same order, shuffled the same way) in batches of
        ``batch_size``."""
        return ArrayDataset(self.x, self.y, self.sample_weight, batch_size=batch_size,
                            shuffle=self.shuffle, seed=self._seed, workers=self.workers,
                            use_multiprocessing=self.use_multiprocessing,
                            max_queue_size=self.max_queue_size)


def _samples_of(dataset):
    """``(x, y, sample_weight)`` arrays of every sample of ``dataset``."""
    if isinstance(dataset, ArrayDataset):
        return dataset.x, dataset.y, dataset.sample_weight
    if isinstance(dataset, PyDataset):
        batches = list(dataset)
        if not batches:
            raise ValueError("split_dataset: the data set has no batches")
        parts = list(zip(*[b if isinstance(b, tuple) else (b,) for b in batches]))
        joined = [_concatenate(p) for p in parts]
        return tuple(joined) + (None,) * (3 - len(joined))
    if isinstance(dataset, tuple):
        if not 1 <= len(dataset) <= 3:
            raise ValueError(f"split_dataset: a tuple must be (x,), (x, y) or (x, y, "
                             f"sample_weight), got {len(dataset)} items")
        return tuple(dataset) + (None,) * (3 - len(dataset))
    if isinstance(dataset, (np.ndarray, list, dict)) or hasattr(dataset, "to_numpy"):
        return dataset, None, None
    raise TypeError(f"split_dataset: expected arrays, a tuple of arrays or a PyDataset, got "
                    f"{type(dataset).__name__}")


def _concatenate(parts):
    first = parts[0]
    if isinstance(first, dict):
        return {k: np.concatenate([p[k] for p in parts]) for k in first}
    if isinstance(first, (list, tuple)):
        return [np.concatenate([p[i] for p in parts]) for i in range(len(first))]
    return np.concatenate(parts)


def _split_size(value, what, n):
    if value is None:
        return None
    if isinstance(value, float):
        real("split_dataset", what, value, 0.0, 1.0, low_open=True, high_open=True)
        return int(value * n)
    return integer("split_dataset", what, value, low=1)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split a data set into two, by samples (Keras's ``split_dataset``).

    Args:
        dataset: an array, a tuple ``(x, y)`` / ``(x, y, sample_weight)`` of arrays, a list or
            dict of arrays, or a :class:`PyDataset` (its batches are read and joined).
        left_size: the left part's size: a fraction in (0, 1) or a number of samples; default
            the complement of ``right_size``.
        right_size: the right part's size, likewise; default the complement of ``left_size``.
        shuffle: shuffle the samples before splitting.
        seed: seed of that shuffle.

    Returns:
        ``(left, right)``: two :class:`ArrayDataset` of single samples (``batch_size=None``;
        call ``.batch(n)`` for batches), as Keras returns unbatched data sets.

    Example:
        >>> left, right = split_dataset(np.arange(10.0)[:, None], left_size=0.8)
        >>> len(left), len(right), len(left.batch(4))
        (8, 2, 2)
    """
    x, y, sample_weight = _samples_of(dataset)
    x = _as_arrays(x, "dataset")
    n = len(_leaves(x)[0])
    left, right = _split_size(left_size, "left_size", n), _split_size(right_size, "right_size", n)
    if left is None and right is None:
        raise ValueError("split_dataset: give left_size or right_size (a fraction or a count)")
    left = n - right if left is None else left
    right = n - left if right is None else right
    if left < 1 or right < 1 or left + right > n:
        raise ValueError(f"split_dataset: left_size={left_size!r} and right_size={right_size!r} "
                         f"give parts of {left} and {right} samples out of {n}; each part needs "
                         "at least one sample and together at most all of them")
    order = make_generator(seed).permutation(n) if shuffle else np.arange(n)
    parts = []
    for rows in (order[:left], order[left:left + right]):
        parts.append(ArrayDataset(_take(x, rows), None if y is None else _take(
            _as_arrays(y, "y"), rows), None if sample_weight is None else
            np.asarray(sample_weight)[rows], batch_size=None))
    return tuple(parts)


class TimeseriesDataset(PyDataset):
    """Windows of a series, computed batch by batch (see
    :func:`timeseries_dataset_from_array`)."""

    def __init__(self, data, targets, starts, sequence_length, sampling_rate, batch_size,
                 shuffle, seed):
        super().__init__()
        self.data, self.targets, self.starts = data, targets, starts
        self.steps = np.arange(sequence_length) * sampling_rate
        self.batch_size, self.shuffle = batch_size, shuffle
        self._rng = make_generator(seed) if shuffle else None
        self._order = self._rng.permutation(starts) if shuffle else starts

    def __len__(self):
        if self.batch_size is None:
            return len(self.starts)
        return -(-len(self.starts) // self.batch_size)

    def __getitem__(self, index):
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"timeseries data set: batch {index} out of range ({count} batches)")
        index %= count
        size = self.batch_size or 1
        starts = self._order[index * size:(index + 1) * size]
        x = self.data[starts[:, None] + self.steps]
        y = None if self.targets is None else self.targets[starts]
        if self.batch_size is None:
            x, y = x[0], None if y is None else y[0]
        return x if y is None else (x, y)

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(self.starts)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Sliding windows over a series as a data set of batches (Keras's semantics).

    Window ``i`` starts at ``start_index + p_i`` with ``p_i = i * sequence_stride`` and holds
    ``sequence_length`` steps ``sampling_rate`` apart; its target is ``targets[start_index +
    p_i]``. Windows never reach ``end_index``.

    Args:
        data: array (steps, ...) of the series.
        targets: array of targets, one per step (or None for inputs only).
        sequence_length: steps per window.
        sequence_stride: steps between the starts of consecutive windows.
        sampling_rate: steps between the rows taken within a window.
        batch_size: windows per batch (None: one window per item).
        shuffle: visit the windows in a new random order every epoch.
        seed: seed of that order.
        start_index, end_index: the range of ``data`` the windows are taken from.

    Returns:
        A :class:`PyDataset` of ``(windows, targets)`` batches (``windows`` alone when
        ``targets`` is None), windows of shape ``(batch, sequence_length) + data.shape[1:]``.

    Example:
        >>> data = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3,
        ...                                      batch_size=4)
        >>> data[0].tolist()
        [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    """
    owner = "timeseries_dataset_from_array"
    data = np.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)
    if data.ndim == 0:
        raise ValueError(f"{owner}: data must be an array of steps, got a scalar")
    sequence_length = integer(owner, "sequence_length", sequence_length, low=1)
    sequence_stride = integer(owner, "sequence_stride", sequence_stride, low=1)
    sampling_rate = integer(owner, "sampling_rate", sampling_rate, low=1)
    batch_size = integer(owner, "batch_size", batch_size, low=1, allow_none=True)
    start = integer(owner, "start_index", start_index, low=0, allow_none=True) or 0
    end = integer(owner, "end_index", end_index, low=0, allow_none=True)
    end = len(data) if end is None else end
    if start >= end or end > len(data):
        raise ValueError(f"{owner}: need 0 <= start_index < end_index <= len(data) = "
                         f"{len(data)}, got start_index={start_index!r}, end_index={end_index!r}")
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets.to_numpy() if hasattr(targets, "to_numpy") else targets)
        count = min(count, len(targets) - start)
    if count <= 0:
        raise ValueError(f"{owner}: no window of sequence_length={sequence_length} with "
                         f"sampling_rate={sampling_rate} fits in the {end - start} steps between "
                         "start_index and end_index (or in the targets)")
    starts = start + np.arange(0, count, sequence_stride)
    return TimeseriesDataset(data, targets, starts, sequence_length, sampling_rate, batch_size,
                             boolean(owner, "shuffle", shuffle), seed)
