"""CuPy backend: the generic kernels of :class:`Ops` on the GPU, plus fused elementwise kernels."""

import numpy as np

from .ops import Ops


class CupyOps(Ops):
    """Ops on CuPy arrays. Import only when CuPy and a GPU are present."""

    name = "cupy"
    cache_block_bytes = None  # a GPU wants whole batches
    chunked = False  # one kernel per product or pass

    def __init__(self):
        import cupy

        super().__init__()
        self.xp = cupy
        self.array_type = cupy.ndarray
        self._sigmoid = cupy.ElementwiseKernel(
            "T x", "T y", "y = (T)0.5 * tanh((T)0.5 * x) + (T)0.5", "neurona_sigmoid"
        )

    def to_numpy(self, x):
        return self.xp.asnumpy(x) if isinstance(x, self.xp.ndarray) else np.asarray(x)

    def argsort(self, x, axis=-1):
        return x.argsort(axis=axis)  # always stable; CuPy accepts no kind=

    def generator(self, seed):
        return self.xp.random.default_rng(seed)

    def _device_generator(self, rng):
        """A CuPy generator seeded from the host generator ``rng``: each draw advances ``rng``
        by one integer, so one seed still gives one reproducible sequence of masks."""
        return self.xp.random.default_rng(int(rng.integers(0, 2 ** 63 - 1)))

    def uniform(self, rng, shape, dtype=np.float32):
        return self._device_generator(rng).random(shape, dtype=dtype)

    def normal(self, rng, shape, dtype=np.float32):
        return self._device_generator(rng).standard_normal(shape, dtype=dtype)

    def sigmoid(self, x):
        return self._sigmoid(x)
