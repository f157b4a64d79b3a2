"""``PyDataset`` (alias ``Sequence``): batches computed by Python code, and the runner that
fetches an epoch's batches with worker threads or processes.

A :class:`PyDataset` says how many batches an epoch has (``__len__`` or ``num_batches``) and
computes batch ``i`` in ``__getitem__(i)``; ``workers``, ``use_multiprocessing`` and
``max_queue_size`` (constructor arguments, as in Keras 3) say how the training loop fetches
them. Iterating a dataset directly (``for batch in dataset``) runs in the calling thread.

:class:`PyDatasetRunner` is what a training loop iterates: ``runner.epoch()`` yields the
batches of one epoch in order, computed ahead by ``workers`` threads (or processes with
``use_multiprocessing=True``) with at most ``max_queue_size`` batches waiting, calls
``on_epoch_begin``/``on_epoch_end`` around it, and re-raises a worker's exception in the caller
with the worker's traceback attached.
"""

import itertools

import numpy as np

from ..validation import boolean, integer

__all__ = ["PyDataset", "Sequence", "PyDatasetRunner"]


class PyDataset:
    """Base class of a data set whose batches Python code computes (Keras 3's ``PyDataset``).

    Subclasses define ``__len__`` (the number of batches per epoch) and ``__getitem__(index)``
    (batch ``index``: ``x``, ``(x, y)`` or ``(x, y, sample_weight)`` of NumPy arrays); optionally
    ``on_epoch_begin()`` / ``on_epoch_end()``, e.g. to reshuffle. An infinite data set defines
    ``num_batches`` returning None instead of ``__len__``.

    Args:
        workers: how many threads (or processes) compute batches ahead during training.
        use_multiprocessing: use processes instead of threads; worth it when ``__getitem__``
            is CPU-bound Python code. The processes start clean (not forked), and the data set
            is sent to them each epoch: it must be picklable and its class importable (defined
            in a module, not in ``__main__`` of an interactive session).
        max_queue_size: at most this many computed batches wait for the training loop.

    Example:
        >>> class Squares(PyDataset):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x = np.arange(10.0)[:, None]
        ...     def __len__(self):
        ...         return 5
        ...     def __getitem__(self, i):
        ...         x = self.x[2 * i:2 * i + 2]
        ...         return x, x ** 2
        >>> data = Squares(workers=2)
        >>> [y.ravel().tolist() for _, y in PyDatasetRunner(data).epoch()][:2]
        [[0.0, 1.0], [4.0, 9.0]]
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = integer(type(self).__name__, "workers", workers, low=1)
        self._use_multiprocessing = boolean(type(self).__name__, "use_multiprocessing",
                                            use_multiprocessing)
        self._max_queue_size = integer(type(self).__name__, "max_queue_size", max_queue_size,
                                       low=1)

    def _setting(self, name):
        if not hasattr(self, "_" + name):
            raise TypeError(f"{type(self).__name__}.__init__ must call super().__init__(**kwargs) "
                            f"(PyDataset's constructor sets {name}, workers, use_multiprocessing "
                            "and max_queue_size)")
        return getattr(self, "_" + name)

    @property
    def workers(self):
        return self._setting("workers")

    @workers.setter
    def workers(self, value):
        self._workers = integer(type(self).__name__, "workers", value, low=1)

    @property
    def use_multiprocessing(self):
        return self._setting("use_multiprocessing")

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = boolean(type(self).__name__, "use_multiprocessing", value)

    @property
    def max_queue_size(self):
        return self._setting("max_queue_size")

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = integer(type(self).__name__, "max_queue_size", value, low=1)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), "
                                  "returning batch number index")

    @property
    def num_batches(self):
        """Batches per epoch: ``len(self)``, or None for an infinite data set (override)."""
        if type(self).__len__ is PyDataset.__len__:
            raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number "
                                      "of batches per epoch) or a num_batches property")
        return len(self)

    def __len__(self):
        raise TypeError(f"{type(self).__name__} defines no __len__ (the number of batches per "
                        "epoch)")

    def __iter__(self):
        count = self.num_batches
        for index in (itertools.count() if count is None else range(count)):
            yield self[index]

    def on_epoch_begin(self):
        """Called before the first batch of every epoch."""

    def on_epoch_end(self):
        """Called after the last batch of every epoch."""


Sequence = PyDataset

# the data set a worker process serves (set once per process by the pool's initializer)
_worker_dataset = None


def _serve(dataset):
    global _worker_dataset
    _worker_dataset = dataset


def _batch_in_worker(index):
    return _worker_dataset[index]


class PyDatasetRunner:
    """Iterates a :class:`PyDataset` epoch by epoch with its workers, for a training loop.

    Args:
        dataset: the :class:`PyDataset`.
        shuffle: visit the batches of each epoch in a random order (Keras shuffles a
            PyDataset's batch order with ``fit(shuffle=True)``).
        seed: seed (or ``numpy.random.Generator``) of that order; default the library's
            seed sequence.

    Example:
        >>> class Ones(PyDataset):
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, i):
        ...         return np.full((2, 1), float(i))
        >>> runner = PyDatasetRunner(Ones(workers=2, max_queue_size=2))
        >>> [float(b[0, 0]) for b in runner.epoch()]
        [0.0, 1.0, 2.0]
    """

    def __init__(self, dataset, shuffle=False, seed=None):
        from ..random import make_generator

        if not isinstance(dataset, PyDataset):
            raise TypeError(f"PyDatasetRunner needs a keras.utils.PyDataset, got "
                            f"{type(dataset).__name__}")
        self.dataset = dataset
        self.shuffle = boolean("PyDatasetRunner", "shuffle", shuffle)
        self._rng = make_generator(seed) if shuffle else None
        # read now, so a subclass that skipped super().__init__ fails before any work
        self.workers = dataset.workers
        self.use_multiprocessing = dataset.use_multiprocessing
        self.max_queue_size = dataset.max_queue_size

    def __len__(self):
        count = self.dataset.num_batches
        if count is None:
            raise TypeError(f"{type(self.dataset).__name__} is infinite (num_batches is None): "
                            "give steps_per_epoch")
        return count

    def _order(self, steps):
        count = self.dataset.num_batches
        if count is None:
            if steps is None:
                raise ValueError(f"{type(self.dataset).__name__} is infinite (num_batches is "
                                 "None): pass steps (steps_per_epoch) to bound an epoch")
            return range(steps)
        if count == 0:
            raise ValueError(f"{type(self.dataset).__name__} has no batches (len 0)")
        order = np.arange(count)
        if self.shuffle:
            self._rng.shuffle(order)
        if steps is not None:
            order = order[:steps]
        return order.tolist()

    def epoch(self, steps=None):
        """Yield the batches of one epoch (the first ``steps`` of them when given).

        ``on_epoch_begin`` runs before the first batch and ``on_epoch_end`` after the last one
        (also when the caller stops early). With ``workers`` > 1 the batches are computed
        ahead, at most ``max_queue_size`` at a time, and still come out in order.
        """
        if steps is not None:
            steps = integer("PyDatasetRunner.epoch", "steps", steps, low=1)
        order = self._order(steps)
        self.dataset.on_epoch_begin()
        try:
            if self.workers == 1 and not self.use_multiprocessing:
                for index in order:
                    yield self.dataset[index]
            else:
                yield from self._parallel(order)
        finally:
            self.dataset.on_epoch_end()

    def _parallel(self, order):
        import concurrent.futures  # only here: most data sets never start workers

        if self.use_multiprocessing:
            # a fresh pool per epoch receives the data set as on_epoch_end left it
            executor = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=_process_context(), initializer=_serve,
                initargs=(self.dataset,))
            fetch = _batch_in_worker
        else:
            executor = concurrent.futures.ThreadPoolExecutor(
                self.workers, thread_name_prefix=f"{type(self.dataset).__name__}-worker")
            fetch = self.dataset.__getitem__
        pending = []
        indices = iter(order)
        try:
            for index in itertools.islice(indices, self.max_queue_size):
                pending.append(executor.submit(fetch, index))
            while pending:
                future = pending.pop(0)
                batch = _result(future)
                for index in itertools.islice(indices, 1):
                    pending.append(executor.submit(fetch, index))
                yield batch
        finally:
            for future in pending:
                future.cancel()
            executor.shutdown(wait=True, cancel_futures=True)


def _process_context():
    """Worker processes start clean (forkserver, else spawn), never as a fork of this process:
    forking a process that runs threads (BLAS, JAX, a training loop) can deadlock the child.
    The forkserver has the library imported already, so a pool per epoch starts quickly."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["neurona"])
        return context
    return multiprocessing.get_context("spawn")


def _result(future):
    """The batch, or the worker's exception raised here (its traceback kept as the cause when
    it comes from another process)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool as err:
        raise RuntimeError("A PyDataset worker process died (killed, or out of memory) while "
                           "computing a batch; use fewer workers or use_multiprocessing=False"
                           ) from err

