"""Constraints: projections applied to a weight after every optimizer step (Keras semantics).

A constraint maps the weight's raw array to the projected array of the same shape.
"""

from . import validation
from .backend import get_ops
from .registry import Registry, serialize as _serialize

CONSTRAINTS = Registry("constraint")


class Constraint:
    """Base class: ``__call__(w_array) -> array``; ``get_config()``."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _axis(owner, axis):
    """An axis, or a tuple of axes from a list or tuple of them (Keras allows both)."""
    if isinstance(axis, (list, tuple)):
        return tuple(validation.axis(owner, "axis", a) for a in axis)
    return validation.axis(owner, "axis", axis)


def _norms(w, axis):
    xp = get_ops().xp
    return xp.sqrt((w * w).sum(axis=axis, keepdims=True))


@CONSTRAINTS.register("MaxNorm", "max_norm")
class MaxNorm(Constraint):
    """Rescale weight vectors (along ``axis``) whose L2 norm exceeds ``max_value``."""

    def __init__(self, max_value=2.0, axis=0):
        self.max_value = validation.real("MaxNorm", "max_value", max_value, low=0.0)
        self.axis = _axis("MaxNorm", axis)

    def __call__(self, w):
        xp = get_ops().xp
        norms = _norms(w, self.axis)
        desired = xp.clip(norms, 0, self.max_value)
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@CONSTRAINTS.register("NonNeg", "non_neg")
class NonNeg(Constraint):
    """Zero out negative weights."""

    def __call__(self, w):
        return w * (w >= 0)


@CONSTRAINTS.register("UnitNorm", "unit_norm")
class UnitNorm(Constraint):
    """Scale weight vectors (along ``axis``) to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = _axis("UnitNorm", axis)

    def __call__(self, w):
        return w / (1e-7 + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@CONSTRAINTS.register("MinMaxNorm", "min_max_norm")
class MinMaxNorm(Constraint):
    """Keep weight-vector norms in ``[min_value, max_value]``, moving a ``rate`` of the way."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = validation.real("MinMaxNorm", "min_value", min_value, low=0.0)
        self.max_value = validation.real("MinMaxNorm", "max_value", max_value,
                                         low=self.min_value, fix="the norms are kept in [min_value, max_value]")
        self.rate = validation.real("MinMaxNorm", "rate", rate, 0.0, 1.0)
        self.axis = _axis("MinMaxNorm", axis)

    def __call__(self, w):
        xp = get_ops().xp
        norms = _norms(w, self.axis)
        desired = self.rate * xp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def get(identifier):
    return CONSTRAINTS.get(identifier)


def serialize(constraint):
    return _serialize(constraint)


__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm", "non_neg",
           "unit_norm", "min_max_norm", "get", "serialize"]
