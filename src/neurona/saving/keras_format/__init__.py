"""Keras 3's own files, read as data and written for Keras: ``.keras`` and ``.weights.h5``.

See :mod:`.files` for the file level, :mod:`.model_config` for the architecture,
:mod:`.layer_map` for which layers correspond (one entry per layer), :mod:`.weights` for where
each weight lives, :mod:`.objects` for the safety rules and :mod:`.h5` for HDF5 read as data.
"""

from .files import (load_keras_model, load_keras_weights, save_keras_model,
                    save_keras_weights)
from .layer_map import KERAS_LAYERS, KerasLayer, keras_layer

__all__ = ["load_keras_model", "save_keras_model", "load_keras_weights", "save_keras_weights",
           "KERAS_LAYERS", "KerasLayer", "keras_layer"]
