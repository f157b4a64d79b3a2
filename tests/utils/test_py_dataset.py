"""PyDataset and PyDatasetRunner: Keras 3's constructor arguments, batches in order from
worker threads and processes with a bounded queue, on_epoch_begin/end, and a worker's error
raised in the caller with the worker's traceback."""

import os
import threading
import time

import numpy as np
import pytest

from neurona.utils import PyDataset, PyDatasetRunner, Sequence


class Squares(PyDataset):
    """Batch i is (i, i**2); records who computed each batch and the epoch hooks."""

    def __init__(self, n=12, delay=0.0, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.n, self.delay, self.fail_at = n, delay, fail_at
        self.events = []
        self.lock = threading.Lock()
        self.running = self.peak = 0

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            if index == self.fail_at:
                raise KeyError(f"batch {index} is broken")
            time.sleep(self.delay)
            x = np.full((2, 1), float(index))
            return x, x ** 2, (threading.current_thread().name, os.getpid())
        finally:
            with self.lock:
                self.running -= 1

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")

    def __getstate__(self):  # worker processes get a copy without the lock
        state = dict(self.__dict__)
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state, lock=threading.Lock())


def test_sequence_is_pydataset_and_iterates_in_the_caller():
    assert Sequence is PyDataset
    data = Squares(n=3)
    assert [float(x[0, 0]) for x, _, _ in data] == [0.0, 1.0, 2.0]
    assert data.num_batches == 3 and data.workers == 1 and data.max_queue_size == 10


def test_threads_compute_ahead_and_keep_the_order():
    data = Squares(n=12, delay=0.02, workers=3, max_queue_size=4)
    batches = list(PyDatasetRunner(data).epoch())
    assert [float(x[0, 0]) for x, _, _ in batches] == [float(i) for i in range(12)]
    np.testing.assert_array_equal(batches[5][1], np.full((2, 1), 25.0))
    names = {name for _, _, (name, _) in batches}
    assert len(names) > 1 and all(n.startswith("Squares-worker") for n in names)
    assert 1 < data.peak <= 3  # several at once, never more than the workers
    assert data.events == ["begin", "end"]


def test_the_queue_is_bounded_by_max_queue_size():
    data = Squares(n=20, workers=4, max_queue_size=2)
    runner = PyDatasetRunner(data)
    epoch = runner.epoch()
    next(epoch)
    time.sleep(0.1)  # let the workers run as far ahead as they may
    assert data.peak <= 2
    epoch.close()  # stopping early still ends the epoch
    assert data.events == ["begin", "end"]


def test_processes_are_other_processes():
    data = Squares(n=6, workers=2, use_multiprocessing=True)
    batches = list(PyDatasetRunner(data).epoch())
    assert [float(x[0, 0]) for x, _, _ in batches] == [float(i) for i in range(6)]
    assert {pid for _, _, (_, pid) in batches} - {os.getpid()}
    assert os.getpid() not in {pid for _, _, (_, pid) in batches}


@pytest.mark.parametrize("processes", [False, True])
def test_a_worker_error_is_raised_in_the_caller_with_its_traceback(processes):
    data = Squares(n=8, fail_at=5, workers=2, use_multiprocessing=processes)
    seen = []
    with pytest.raises(KeyError, match="batch 5 is broken") as caught:
        for batch in PyDatasetRunner(data).epoch():
            seen.append(float(batch[0][0, 0]))
    assert seen == [0.0, 1.0, 2.0, 3.0, 4.0]
    if processes:  # the worker's traceback travels as the cause
        assert "__getitem__" in str(caught.value.__cause__)
    else:
        assert any(entry.name == "__getitem__" for entry in caught.traceback)
    assert data.events[-1] == "end"


def test_shuffle_visits_every_batch_in_a_seeded_order():
    orders = []
    for _ in range(2):
        runner = PyDatasetRunner(Squares(n=10), shuffle=True, seed=3)
        orders.append([int(x[0, 0]) for x, _, _ in runner.epoch()])
    assert orders[0] == orders[1] != list(range(10))
    assert sorted(orders[0]) == list(range(10))
    assert len(list(PyDatasetRunner(Squares(n=10)).epoch(steps=4))) == 4


def test_infinite_datasets_need_steps():
    class Endless(PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            return np.array([index])

    runner = PyDatasetRunner(Endless())
    with pytest.raises(ValueError, match="infinite.*steps"):
        next(runner.epoch())
    assert [int(b[0]) for b in runner.epoch(steps=3)] == [0, 1, 2]


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="workers must be an integer >= 1"):
        Squares(workers=0)
    with pytest.raises(TypeError, match="use_multiprocessing must be True or False"):
        Squares(use_multiprocessing="yes")
    with pytest.raises(ValueError, match="max_queue_size must be an integer >= 1"):
        Squares(max_queue_size=0)

    class Forgetful(PyDataset):
        def __init__(self):  # no super().__init__()
            pass

        def __len__(self):
            return 1

    with pytest.raises(TypeError, match="must call super\\(\\).__init__"):
        PyDatasetRunner(Forgetful())
    with pytest.raises(TypeError, match="needs a keras.utils.PyDataset"):
        PyDatasetRunner([1, 2])
    with pytest.raises(NotImplementedError, match="must define __len__"):
        PyDataset().num_batches
