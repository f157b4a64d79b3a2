"""Models: ``Sequential``, functional ``Model(inputs, outputs)``, subclassed ``Model``."""

from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model saved with ``model.save`` (see :func:`neurona.saving.load_model`)."""
    from ..saving import load_model as _load_model

    return _load_model(filepath, custom_objects=custom_objects, compile=compile,
                       safe_mode=safe_mode)


__all__ = ["Model", "Sequential", "load_model"]
