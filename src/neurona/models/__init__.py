"""Models: ``Sequential``, functional ``Model(inputs, outputs)``, subclassed ``Model``."""

from .cloning import clone_model
from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model saved with ``model.save`` (see :func:`neurona.saving.load_model`)."""
    from ..saving import load_model as _load_model

    return _load_model(filepath, custom_objects=custom_objects, compile=compile,
                       safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    """The model a :meth:`Model.to_json` string describes, with fresh weights (Keras's
    ``keras.models.model_from_json``). The string is data: only registered classes and
    ``custom_objects`` (``{name: class or function}``) are built, nothing is imported or run."""
    import json

    from ..saving import deserialize_keras_object

    return deserialize_keras_object(json.loads(json_string), custom_objects=custom_objects)


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json"]
