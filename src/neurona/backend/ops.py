"""The generic kernels, written once against an array module ``xp`` (NumPy or CuPy).

``Ops`` owns every decision that depends on which array library runs the math. Functions call
``get_ops()`` and use ``ops.xp`` plus the helpers here; nothing outside ``backend/`` branches on
the backend. ``CupyOps`` overrides only the kernels that have a faster fused GPU version, so the
generic code here stays their test oracle.
"""

import numpy as np


class Ops:
    """Array operations on NumPy. Subclasses swap ``xp`` and override hot kernels."""

    name = "numpy"
    xp = np

    # -- conversion ---------------------------------------------------------------------------
    def asarray(self, x, dtype=None):
        """Convert ``x`` to this backend's array type (no copy when already right)."""
        return self.xp.asarray(x, dtype=dtype)

    def to_numpy(self, x):
        """Return ``x`` as a NumPy array (a device-to-host copy on GPU backends)."""
        return np.asarray(x)

    def is_array(self, x):
        return isinstance(x, self.xp.ndarray)

    # -- random numbers -------------------------------------------------------------------------
    def generator(self, seed):
        """A random generator of this backend seeded with ``seed`` (an int or SeedSequence)."""
        return np.random.default_rng(seed)

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
