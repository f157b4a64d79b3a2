"""Models: ``Sequential``, functional ``Model(inputs, outputs)``, subclassed ``Model``."""

from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential"]
