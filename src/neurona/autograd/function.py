"""``Function``: one differentiable operation, its forward and backward side by side.

A subclass implements ``forward(*arrays) -> array`` and ``backward(grad) -> tuple`` on raw
backend arrays. Non-differentiable arguments (axes, slopes, ...) go to ``__init__``. Calling the
instance on tensors or arrays runs ``forward`` and, when a gradient is wanted, records the node.

``backward`` returns one gradient per input (``None`` where ``self.needs_grad[i]`` is False), each
already reduced to that input's shape. It keeps only what the derivative needs: subclasses store
what they must in ``forward`` (often the output rather than the input). It never writes into
the gradient it is given (that array may be the caller's, or another node's).
"""

import threading

import numpy as np

from .. import backend as _backend
from ..backend import get_ops
from .grad_mode import mode
from .tensor import Tensor

#: ``recordings.current``: the :class:`~neurona.autograd.replay.Recording` noting this thread's
#: calls (absent when none), so that models trained in other threads are not recorded
recordings = threading.local()


def _backend_value(x):
    """A non-Tensor input as forward sees it: NumPy arrays move to the active backend (user
    arrays meet device arrays here, at the boundary); scalars and None stay as they are."""
    if type(x) is np.ndarray:
        ops = _backend.active.ops
        if ops.array_type is not np.ndarray:
            return ops.asarray(x)
    return x


class Function:
    """Base class of every differentiable operation (see module docstring)."""

    #: every concrete subclass, so tests can prove each one has a gradient check
    all_functions = []
    #: False for operations whose gradient is zero or undefined everywhere (e.g. step)
    differentiable = True

    inputs = ()
    needs_grad = ()
    #: True once backward has run: its saved arrays are gone, a second backward must fail
    freed = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Function.all_functions.append(cls)

    def __call__(self, *inputs):
        recording = getattr(recordings, "current", None)
        settings = dict(self.__dict__) if recording is not None else None
        out = Tensor(self.forward(*[x.data if isinstance(x, Tensor) else _backend_value(x)
                                    for x in inputs]))
        if mode.enabled:
            wants = [isinstance(x, Tensor) and x.requires_grad for x in inputs]
            if True in wants:
                self.inputs = inputs
                self.needs_grad = wants
                out.requires_grad = True
                out.creator = self
        if recording is not None:
            recording.add(self, settings, inputs, out)
        return out

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward()")

    def gradient_buffer(self, i):
        """Where this backward may write the gradient of input ``i`` instead of allocating
        one: the leaf's persistent gradient storage (an optimizer's flat buffer), while the
        leaf holds no gradient yet in this pass; else None. The engine then takes the array
        as the leaf's ``.grad`` without a copy.

        None as well when the same tensor is also another input of this Function (its two
        gradients must be added, not both written into one buffer)."""
        inputs = self.inputs
        leaf = inputs[i] if i < len(inputs) else None
        storage = getattr(leaf, "grad_storage", None)
        if storage is None or leaf.grad is not None:
            return None
        uses = 0
        for other in inputs:
            if other is leaf:
                uses += 1
        return storage if uses == 1 else None

    @property
    def xp(self):
        return get_ops().xp

    @property
    def ops(self):
        return get_ops()
