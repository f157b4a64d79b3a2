"""The BLAS's own thread count, read and set through threadpoolctl.

While neurona's thread pool spreads a step's work over the cores, the BLAS must run each call
on one thread: its own threads would multiply with the pool's, spin between calls on the cores
the pool needs, and collapse when a neighbour's process takes a core (OpenBLAS splits a product
in fixed parts and waits for all of them: measured 395 samples/s on W1 at 2 threads with a
loaded machine, against 2,905 with the pool).
"""

import threading


class BlasThreads:
    """The BLAS libraries loaded in this process (OpenBLAS, MKL, BLIS as NumPy links them)."""

    def __init__(self):
        from threadpoolctl import ThreadpoolController

        self._libraries = ThreadpoolController().select(user_api="blas").lib_controllers
        self._lock = threading.Lock()
        self._depth = 0
        self._before = []

    def enter_one_thread(self):
        """Each library at one thread until the matching :meth:`leave`; nested calls keep
        the setting of the outermost."""
        with self._lock:
            if self._depth == 0:
                self._before = [lib.get_num_threads() for lib in self._libraries]
                for lib, count in zip(self._libraries, self._before):
                    if count != 1:
                        lib.set_num_threads(1)
            self._depth += 1

    def leave(self):
        """Undo one :meth:`enter_one_thread`; the outermost puts the counts back."""
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                for lib, count in zip(self._libraries, self._before):
                    if count != 1:
                        lib.set_num_threads(count)


_shared = None


def shared_blas_threads():
    """The process's one :class:`BlasThreads` (the BLAS's thread count is process-wide, so
    every Ops shares one nesting count); made on first use (threadpoolctl scans the loaded
    libraries, a few milliseconds)."""
    global _shared
    if _shared is None:
        _shared = BlasThreads()
    return _shared
