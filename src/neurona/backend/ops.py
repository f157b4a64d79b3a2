"""The generic kernels, written once against an array module ``xp`` (NumPy or CuPy).

``Ops`` owns every decision that depends on which array library runs the math. Functions call
``get_ops()`` and use ``ops.xp`` plus the helpers here; nothing outside ``backend/`` branches on
the backend. ``CupyOps`` overrides only the kernels that have a faster fused GPU version, so the
generic code here stays their test oracle.
"""

import threading

import numpy as np

from .parallel import ChunkPool, available_cores, chunk_bounds

#: elements per chunk of an elementwise pass (float32: 512 KiB per array). Adam's step over
#: W1's 530,000 parameters on 2 threads, best of 7: 1.14 ms at 2**17 against 1.20 at 2**15,
#: 1.47 at 2**16 and 2.46 ms in one pass on one thread (a loaded machine: medians were noise)
ELEMENT_CHUNK = 2 ** 17


#: a product below this many floating-point operations (2 m k n) is one BLAS call
PARALLEL_MIN_FLOPS = 2 ** 23
#: each chunk of a cut product does at least this much work (repacking its operands stays a
#: small part), and a product is cut into at most MAX_PRODUCT_CHUNKS chunks
CHUNK_FLOPS = 2 ** 25
MAX_PRODUCT_CHUNKS = 8
#: rows/columns of a product's chunk are a multiple of this (the widths of BLAS's kernels)
PRODUCT_ALIGN = 32


def product_cut(m, k, n):
    """How a product (m, k) @ (k, n) is cut: (axis, bounds) with axis 0 (rows of the result)
    or 1 (columns), or None for one call. Decided from the shape alone, so the result is the
    same bits on any number of threads."""
    flops = 2 * m * k * n
    if flops < PARALLEL_MIN_FLOPS:
        return None
    axis, length = (0, m) if m >= n else (1, n)
    parts = min(MAX_PRODUCT_CHUNKS, flops // CHUNK_FLOPS, length // PRODUCT_ALIGN)
    if parts < 2:
        return None
    grain = -(-length // parts)
    grain = -(-grain // PRODUCT_ALIGN) * PRODUCT_ALIGN
    return axis, chunk_bounds(length, grain)


class Ops:
    """Array operations on NumPy. Subclasses swap ``xp`` and override hot kernels."""

    name = "numpy"
    xp = np
    #: the type of this backend's arrays (Tensor keeps such data as it is)
    array_type = np.ndarray
    #: bytes of intermediate arrays a kernel that works in blocks keeps per block, so that a
    #: block stays in the CPU's cache from one pass to the next (None: one block, the GPU way).
    #: 4 MiB measured best for the MNIST CNN's convolutions among 1, 2, 4 and 8 MiB
    cache_block_bytes = 2 ** 22

    #: whether big products and elementwise passes are cut into chunks run on a thread pool (a
    #: GPU backend runs each as one kernel)
    chunked = True

    def __init__(self, threads=None):
        self._ones_cache = {}
        self._threads = self._check_threads(threads)
        self._pool = None
        self._regions = 0   # parallel regions open (fit, with evaluate inside it, ...)
        self._regions_lock = threading.Lock()

    # -- threads ------------------------------------------------------------------------------
    @staticmethod
    def _check_threads(threads):
        if threads is None:
            return available_cores()
        if not isinstance(threads, (int, np.integer)) or isinstance(threads, bool) or threads < 1:
            raise ValueError(f"threads must be an int >= 1 (or None for every available core), "
                             f"got {threads!r}")
        return int(threads)

    @property
    def threads(self):
        """Threads that run the chunks of big array passes (the caller included)."""
        return self._threads

    def set_threads(self, threads):
        """Use ``threads`` threads (None: every core this process may use) for the chunked
        passes; results are the same bits on any number."""
        threads = self._check_threads(threads)
        if threads != self._threads:
            self.release_threads()
        self._threads = threads

    def release_threads(self):
        """Stop the pool's worker threads (a later chunked pass starts new ones)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def parallel_region(self):
        """A context for a run of steps (``fit``, ``evaluate``, ``predict``): inside it the
        BLAS runs each call on one thread and this pool is the parallelism, so that results
        are the same bits on any thread count and a busy core delays at most one chunk."""
        return _ParallelRegion(self)

    @property
    def in_parallel_region(self):
        """True inside :meth:`parallel_region` on a :attr:`chunked` backend: only there do
        the pool and the product cuts work (outside, NumPy's BLAS threads as usual)."""
        return self._regions > 0

    def run_chunks(self, task, count):
        """Call ``task(i)`` for ``i`` in ``range(count)``, on the pool inside a parallel
        region with several threads, else in turn; ``task`` must write disjoint parts of its
        outputs."""
        if self._threads == 1 or count < 2 or not self._regions:
            for index in range(count):
                task(index)
            return
        if self._pool is None:
            self._pool = ChunkPool(self._threads)
        self._pool.run(task, count)

    def elementwise(self, task, size):
        """Run ``task(start, stop)`` over ``range(size)`` in chunks of :data:`ELEMENT_CHUNK`
        (on the pool): for passes over flat arrays whose elements are independent, so the
        result is the same bits as one pass. One thread makes one pass (measured: cutting a
        pass only for the cache's sake costs more Python calls than it saves)."""
        if not self._regions or self._threads == 1 or size <= ELEMENT_CHUNK:
            task(0, size)
            return
        bounds = chunk_bounds(size, ELEMENT_CHUNK)
        self.run_chunks(lambda i: task(*bounds[i]), len(bounds))

    def matmul(self, a, b, out=None):
        """``a @ b`` for 2-D ``a`` and ``b``; a big product is cut into row or column blocks
        (from its shape alone, see :func:`product_cut`) computed on the pool."""
        m, k = a.shape
        n = b.shape[1]
        cut = product_cut(m, k, n) if self._regions else None
        if cut is None:
            return self.xp.matmul(a, b, out=out)
        if out is None:
            out = self.xp.empty((m, n), dtype=np.result_type(a.dtype, b.dtype))
        axis, bounds = cut
        matmul = self.xp.matmul

        def rows(i):
            start, stop = bounds[i]
            matmul(a[start:stop], b, out=out[start:stop])

        def columns(i):
            start, stop = bounds[i]
            matmul(a, b[:, start:stop], out=out[:, start:stop])

        self.run_chunks(rows if axis == 0 else columns, len(bounds))
        return out

    # -- conversion ---------------------------------------------------------------------------
    def asarray(self, x, dtype=None):
        """Convert ``x`` to this backend's array type (no copy when already right)."""
        return self.xp.asarray(x, dtype=dtype)

    def to_numpy(self, x):
        """Return ``x`` as a NumPy array (a device-to-host copy on GPU backends)."""
        return np.asarray(x)

    def is_array(self, x):
        return isinstance(x, self.xp.ndarray)

    # -- sorting ------------------------------------------------------------------------------
    def argsort(self, x, axis=-1):
        """Indices that sort ``x`` along ``axis``, ties in their original order (a stable
        sort: NumPy needs to be asked for one, CuPy's is always stable)."""
        return self.xp.argsort(x, axis=axis, kind="stable")

    # -- random numbers -------------------------------------------------------------------------
    def generator(self, seed):
        """A random generator of this backend seeded with ``seed`` (an int or SeedSequence)."""
        return np.random.default_rng(seed)

    def uniform(self, rng, shape, dtype=np.float32):
        """Uniform draws in [0, 1) of ``shape`` as a backend array, from the NumPy generator
        ``rng`` (which a layer holds, so one seed gives one stream). Drawn where the array
        lives: here on the host, on a GPU backend on the device."""
        return rng.random(shape, dtype=dtype)

    def normal(self, rng, shape, dtype=np.float32):
        """Standard normal draws of ``shape`` as a backend array, from ``rng`` (see
        :meth:`uniform`)."""
        return rng.standard_normal(shape, dtype=dtype)

    # -- broadcasting helpers -----------------------------------------------------------------
    @staticmethod
    def sum_to(grad, shape):
        """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``."""
        if grad.shape == shape:
            return grad
        lead = grad.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
        )
        grad = grad.sum(axis=axes, keepdims=True) if axes else grad
        return grad.reshape(shape)

    def column_sums(self, a, out=None):
        """Sum over the rows of a 2-D array (a bias gradient) as a product with a ones vector.

        BLAS's matrix-vector product beats NumPy's axis-0 reduction on every shape a layer
        gives, 1.5x on (128, 512) and 6-9x on a convolution's tall (batch * pixels, filters)
        gradients (measured on one thread, float32 and float64).
        """
        return self.xp.matmul(self._ones(a.shape[0], a.dtype), a, out=out)

    def _ones(self, n, dtype):
        key = (n, dtype)  # a dtype object: hashable and equal to its equivalents
        ones = self._ones_cache.get(key)
        if ones is None:
            if len(self._ones_cache) >= 16:  # batch sizes repeat; a handful covers a model
                self._ones_cache.clear()
            ones = self._ones_cache[key] = self.xp.ones(n, dtype=dtype)
        return ones

    # -- fused kernels (overridden on the GPU) ------------------------------------------------
    def sigmoid(self, x):
        """Logistic function in its tanh form: stable for every finite x, no overflow."""
        xp = self.xp
        out = xp.multiply(x, 0.5)
        xp.tanh(out, out=out)
        out += 1
        out *= 0.5
        return out

    def softplus(self, x):
        """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
        xp = self.xp
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def logsumexp(self, x, axis=-1, keepdims=True):
        xp = self.xp
        m = x.max(axis=axis, keepdims=True)
        out = xp.log(xp.exp(x - m).sum(axis=axis, keepdims=True)) + m
        return out if keepdims else out.squeeze(axis)

    def softmax(self, x, axis=-1):
        xp = self.xp
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
        return e

    def log_softmax(self, x, axis=-1):
        return x - self.logsumexp(x, axis=axis, keepdims=True)


class _ParallelRegion:
    """``with ops.parallel_region():`` (see :meth:`Ops.parallel_region`)."""

    def __init__(self, ops):
        self.ops = ops

    def __enter__(self):
        ops, self.blas = self.ops, None
        if ops.chunked:
            from .blas import shared_blas_threads

            self.blas = shared_blas_threads()
            self.blas.enter_one_thread()
            with ops._regions_lock:
                ops._regions += 1
        return ops

    def __exit__(self, *exc):
        if self.blas is not None:
            with self.ops._regions_lock:
                self.ops._regions -= 1
            self.blas.leave()
