"""A small persistent thread pool that runs the chunks of one big array pass on every core.

NumPy releases the GIL inside its ufunc loops and BLAS calls, so Python threads that each work
on their own slice of an array run in parallel. :class:`ChunkPool` keeps ``threads - 1`` worker
threads asleep between passes; the calling thread works too. Chunks are claimed one at a time,
so a thread the OS does not schedule (a neighbour's process holds its core) simply claims none
and the others finish the pass: no pass waits on a descheduled thread for more than the one
chunk it holds. (OpenBLAS's own threads split a product in fixed halves and wait for each
other, which is what collapses under a neighbour's load.)

Results never depend on the thread count: how a pass is cut into chunks is decided from the
array's shape alone (see :func:`chunk_bounds`), and each chunk is computed the same way
whichever thread runs it.
"""

import itertools
import os
import threading


def available_cores():
    """The CPUs this process may run on (its affinity mask), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def chunk_bounds(size, grain):
    """[(start, stop), ...] cutting ``range(size)`` into pieces of ``grain`` (the last one
    shorter); depends only on ``size`` and ``grain``, never on the threads."""
    return [(start, min(start + grain, size)) for start in range(0, size, grain)]


class _Pass:
    """One call of :meth:`ChunkPool.run`: the task, its chunks and who has finished."""

    def __init__(self, task, count):
        self.task, self.count = task, count
        self.claims = itertools.count()   # next() on it is atomic under the GIL
        self.left = count
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.error = None

    def work(self):
        """Run chunks until none is left unclaimed."""
        while True:
            index = next(self.claims)
            if index >= self.count:
                return
            try:
                if self.error is None:
                    self.task(index)
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller
                self.error = error
            with self.lock:
                self.left -= 1
                if self.left == 0:
                    self.done.set()


class ChunkPool:
    """``threads - 1`` daemon workers plus the calling thread; ``run(task, count)`` calls
    ``task(i)`` for every ``i`` in ``range(count)`` and returns when all have finished.

    A call made while the pool is busy (from a worker's task, or from a second user thread)
    runs its chunks in the caller, one after the other: same results, no deadlock.
    """

    def __init__(self, threads):
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise ValueError(f"ChunkPool: threads must be an int >= 1, got {threads!r}")
        self.threads = threads
        self._start()

    def _start(self):
        """Fresh locks and ``threads - 1`` workers (also in a forked child, which inherits
        the pool but none of its threads)."""
        self._pid = os.getpid()
        self._busy = threading.Lock()
        self._wake = threading.Semaphore(0)
        self._current = None
        self._workers = []
        for n in range(self.threads - 1):
            worker = threading.Thread(target=self._serve, name=f"neurona-chunks-{n}",
                                      daemon=True)
            worker.start()
            self._workers.append(worker)

    def _serve(self):
        while True:
            self._wake.acquire()
            job = self._current
            if job is None:  # closed
                return
            job.work()

    def run(self, task, count):
        if count <= 0:
            return
        if self._pid != os.getpid() and self.threads > 1:
            self._start()
        if self.threads == 1 or count == 1 or not self._busy.acquire(blocking=False):
            for index in range(count):
                task(index)
            return
        try:
            job = _Pass(task, count)
            self._current = job
            for _ in range(min(count - 1, len(self._workers))):
                self._wake.release()
            job.work()
            job.done.wait()
        finally:
            self._busy.release()
        if job.error is not None:
            raise job.error

    def close(self):
        """Stop the workers (the pool is not used afterwards)."""
        with self._busy:
            self._current = None
            for _ in self._workers:
                self._wake.release()
        for worker in self._workers:
            worker.join()
        self._workers = []
        self.threads = 1
