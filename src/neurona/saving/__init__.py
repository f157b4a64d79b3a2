"""Safe, atomic, resumable model files (``keras.saving``).

A model file is a zip holding ``config.json`` (architecture by registered class names, compile
settings, metadata with SHA-256 checksums) and ``model.safetensors`` (every weight, plus the
optimizer's state under ``optimizer/...``). No pickle, nothing that runs code: loading resolves
class names only through neurona's registries, and any defect in a file raises
:class:`ModelFileError`. Files are written atomically (temporary file, fsync, rename).

Example:
    >>> import neurona as keras
    >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
    >>> model.save("model.neurona")
    >>> restored = keras.saving.load_model("model.neurona")
    >>> [w.shape for w in restored.get_weights()]
    [(2, 1), (1,)]
"""

from .errors import ModelFileError
from .api import (load_model, load_weights, register_keras_serializable, save_model,
                  save_weights)

__all__ = ["save_model", "load_model", "save_weights", "load_weights",
           "register_keras_serializable", "ModelFileError"]
