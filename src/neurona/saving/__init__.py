"""Safe, atomic, resumable model files (``keras.saving``).

A model file is a zip holding ``config.json`` (architecture by registered class names, compile
settings, metadata with SHA-256 checksums) and ``model.safetensors`` (every weight, plus the
optimizer's state under ``optimizer/...``). No pickle, nothing that runs code: loading resolves
class names only through neurona's registries, and any defect in a file raises
:class:`ModelFileError`. Files are written atomically (temporary file, fsync, rename).

Example:
    >>> import neurona as keras
    >>> model.save("model.keras")  # doctest: +SKIP
    >>> model = keras.saving.load_model("model.keras")  # doctest: +SKIP
"""

from .errors import ModelFileError
from .api import (load_model, load_weights, register_keras_serializable, save_model,
                  save_weights)

__all__ = ["save_model", "load_model", "save_weights", "load_weights",
           "register_keras_serializable", "ModelFileError"]
