"""Which file format a path means: its extension decides, as in Keras 3.

=================  ==============================================================  ==========
extension          format                                                          used by
=================  ==============================================================  ==========
``.neurona``       neurona's own zip (config.json + model.safetensors)             models,
                                                                                   weights
``.keras``         Keras 3's zip (config.json, metadata.json, model.weights.h5)    models (and
                                                                                   reading
                                                                                   weights)
``.weights.h5``    Keras 3's weights file (HDF5, ``layers/<layer>/vars/<i>``)      weights
``.h5``/``.hdf5``  the legacy HDF5 format of Keras 2 / tf.keras (read only)        models,
                                                                                   weights
=================  ==============================================================  ==========

Any other name is an error that lists these choices.
"""

import os

NEURONA, KERAS, KERAS_WEIGHTS, LEGACY_H5 = "neurona", "keras", "keras_weights", "legacy_h5"

_MODEL_CHOICES = "'.neurona' (neurona's format), '.keras' (Keras 3's format)"
_WEIGHTS_CHOICES = "'.weights.h5' (Keras 3's weights file) or '.neurona' (neurona's format)"


def _name(filepath):
    try:
        return os.fspath(filepath).lower()
    except TypeError:
        raise TypeError(f"filepath must be a path (str or os.PathLike), got "
                        f"{type(filepath).__name__}") from None


def model_format(filepath, action):
    """The format of a model file: ``"neurona"``, ``"keras"`` or ``"legacy_h5"``.

    Args:
        filepath: the path.
        action: ``"save"`` or ``"load"``.

    Raises:
        ValueError: an extension outside the choices (the message lists them).

    Example:
        >>> model_format("runs/a/model.neurona", "save")
        'neurona'
        >>> model_format("m.keras", "load")
        'keras'
    """
    name = _name(filepath)
    if name.endswith(".neurona"):
        return NEURONA
    if name.endswith(".weights.h5"):
        raise ValueError(f"{action}_model: {os.fspath(filepath)!r} is a weights file name; "
                         f"use model.{action}_weights() for it, or give a model file name "
                         f"ending in {_MODEL_CHOICES}")
    if name.endswith(".keras"):
        return KERAS
    if name.endswith((".h5", ".hdf5")):
        if action == "save":
            raise ValueError(f"save_model: {os.fspath(filepath)!r} asks for the legacy HDF5 "
                             "format of Keras 2, which neurona reads but does not write; save "
                             f"as {_MODEL_CHOICES}")
        return LEGACY_H5
    raise ValueError(f"{action}_model: cannot tell the format of {os.fspath(filepath)!r} from "
                     f"its extension; use {_MODEL_CHOICES}" +
                     (", or '.h5' (legacy Keras 2, read only)" if action == "load" else ""))


def weights_format(filepath, action):
    """The format of a weights file: ``"keras_weights"``, ``"neurona"``, ``"keras"`` (the
    weights of a ``.keras`` model file, for loading) or ``"legacy_h5"`` (loading).

    Raises:
        ValueError: an extension outside the choices (the message lists them).

    Example:
        >>> weights_format("ckpt.weights.h5", "save")
        'keras_weights'
    """
    name = _name(filepath)
    if name.endswith(".weights.h5"):
        return KERAS_WEIGHTS
    if name.endswith(".neurona"):
        return NEURONA
    if action == "load" and name.endswith(".keras"):
        return KERAS
    if action == "load" and name.endswith((".h5", ".hdf5")):
        return LEGACY_H5
    if action == "save" and name.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(f"save_weights: {os.fspath(filepath)!r}: weights files end in "
                         f"{_WEIGHTS_CHOICES} (Keras 3 also insists on '.weights.h5'); use "
                         "model.save() for a whole model")
    raise ValueError(f"{action}_weights: cannot tell the format of {os.fspath(filepath)!r} from "
                     f"its extension; use {_WEIGHTS_CHOICES}" +
                     (", '.keras' or '.h5' (legacy)" if action == "load" else ""))
