"""Weight penalties added to the training loss: L1, L2 and both (the course's "elastic net").

A regularizer is called on a weight (a Tensor) and returns a scalar Tensor, so its gradient flows
into the weight like any other part of the loss. Keras's definitions: ``l1 * sum(|w|)`` and
``l2 * sum(w**2)`` (no factor 1/2).
"""

from . import functions as F
from . import validation
from .autograd.tensor import Tensor
from .backend import get_ops
from .registry import Registry, serialize as _serialize

REGULARIZERS = Registry("regularizer")


class Regularizer:
    """Base class: ``__call__(weight) -> scalar Tensor``; ``get_config()``."""

    def __call__(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define __call__")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@REGULARIZERS.register("L1L2", "l1_l2", "elastic_net", "ElasticNet")
class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w**2)``; the course calls it elastic net.

    Example:
        >>> round(L1L2(l1=0.01, l2=0.01)(Tensor([1.0, -2.0])).item(), 6)  # 0.01 * 3 + 0.01 * 5
        0.08
    """

    def __init__(self, l1=0.0, l2=0.0):
        owner = type(self).__name__
        self.l1 = validation.real(owner, "l1", l1, low=0.0)
        self.l2 = validation.real(owner, "l2", l2, low=0.0)

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = self.l1 * F.sum(F.abs(x))
        if self.l2:
            term = self.l2 * F.sum(F.square(x))
            penalty = term if penalty is None else penalty + term
        if penalty is None:  # both factors zero: a constant 0 with no graph
            return Tensor(get_ops().xp.zeros((), dtype=x.dtype))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@REGULARIZERS.register("L1", "l1")
class L1(L1L2):
    """``l1 * sum(|w|)`` (default l1=0.01): pushes weights to exactly zero (sparse models)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


@REGULARIZERS.register("L2", "l2")
class L2(L1L2):
    """``l2 * sum(w**2)`` (default l2=0.01): keeps weights small ("weight decay")."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1 = L1
l2 = L2
l1_l2 = L1L2
elastic_net = L1L2


def get(identifier):
    """A regularizer from a name ("l1", "l2", "l1_l2", "elastic_net"), config dict or callable."""
    return REGULARIZERS.get(identifier)


def serialize(regularizer):
    return _serialize(regularizer)


__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "elastic_net", "get", "serialize"]
