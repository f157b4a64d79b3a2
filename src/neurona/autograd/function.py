"""``Function``: one differentiable operation, its forward and backward side by side.

A subclass implements ``forward(*arrays) -> array`` and ``backward(grad) -> tuple`` on raw
backend arrays. Non-differentiable arguments (axes, slopes, ...) go to ``__init__``. Calling the
instance on tensors or arrays runs ``forward`` and, when a gradient is wanted, records the node.

``backward`` returns one gradient per input (``None`` where ``self.needs_grad[i]`` is False), each
already reduced to that input's shape. It keeps only what the derivative needs: subclasses store
what they must in ``forward`` (often the output rather than the input).
"""

import threading

from ..backend import get_ops
from . import grad_mode
from .tensor import Tensor

#: ``recordings.current``: the :class:`~neurona.autograd.replay.Recording` noting this thread's
#: calls (absent when none), so that models trained in other threads are not recorded
recordings = threading.local()


class Function:
    """Base class of every differentiable operation (see module docstring)."""

    #: every concrete subclass, so tests can prove each one has a gradient check
    all_functions = []
    #: False for operations whose gradient is zero or undefined everywhere (e.g. step)
    differentiable = True

    inputs = ()
    needs_grad = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Function.all_functions.append(cls)

    def __call__(self, *inputs):
        recording = getattr(recordings, "current", None)
        settings = dict(self.__dict__) if recording is not None else None
        out = Tensor(self.forward(*[x.data if isinstance(x, Tensor) else x for x in inputs]))
        if grad_mode._state["enabled"]:
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

    @property
    def xp(self):
        return get_ops().xp

    @property
    def ops(self):
        return get_ops()

