"""Structured matrices: orthogonal and identity."""

import math

import numpy as np

from .. import validation
from .initializer import Initializer, _RandomInitializer, registry


@registry.register("Orthogonal", "orthogonal", "OrthogonalInitializer")
class Orthogonal(_RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``, from the QR decomposition of normal draws.

    The shape is seen as a matrix ``(prod(shape[:-1]), shape[-1])``; its rows (or columns,
    whichever are fewer) are orthonormal.

    Args:
        gain: multiplicative factor. Defaults to 1.0.
        seed: optional int; a seeded initializer returns the same values on every call.

    Example:
        >>> q = Orthogonal(seed=0)((4, 4))
        >>> bool(abs(q.T @ q - np.eye(4)).max() < 1e-5)
        True
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = validation.real("Orthogonal", "gain", gain)

    def __call__(self, shape, dtype=None, rng=None):
        shape, dtype = self._check_call(shape, dtype)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal: the shape must have at least 2 dimensions, got shape={shape}; "
                "use another initializer for biases"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._generator(rng).standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))  # makes the decomposition unique: uniform over orthogonal maps
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


@registry.register("Identity", "identity", "IdentityInitializer")
class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; rectangular allowed).

    Args:
        gain: multiplicative factor. Defaults to 1.0.

    Example:
        >>> Identity(2.0)((2, 3)).tolist()
        [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    """

    def __init__(self, gain=1.0):
        self.gain = validation.real("Identity", "gain", gain)

    def __call__(self, shape, dtype=None, rng=None):
        shape, dtype = self._check_call(shape, dtype)
        if len(shape) != 2:
            raise ValueError(f"Identity: only 2-D shapes are supported, got shape={shape}")
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self):
        return {"gain": self.gain}
