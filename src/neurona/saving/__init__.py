"""Model files (``keras.saving``): neurona's own safe format and Keras 3's, chosen by extension.

* ``.neurona``: a zip holding ``config.json`` (architecture by registered class names, compile
  settings, metadata with SHA-256 checksums) and ``model.safetensors`` (every weight, plus the
  optimizer's state under ``optimizer/...``).
* ``.keras`` / ``.weights.h5``: Keras 3's files, read as data and written for Keras
  (:mod:`neurona.saving.keras_format`); legacy Keras 2 ``.h5`` files are read.

No pickle, nothing that runs code: loading resolves class names only to neurona's classes and
the custom objects registered in this process, and any defect in a file raises
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
from .api import load_model, load_preprocessing, load_weights, save_model, save_weights
from .object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                  get_registered_name, get_registered_object,
                                  register_keras_serializable)
from .serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "load_preprocessing",
           "register_keras_serializable", "get_custom_objects", "custom_object_scope",
           "CustomObjectScope", "get_registered_name", "get_registered_object",
           "serialize_keras_object", "deserialize_keras_object", "ModelFileError"]
