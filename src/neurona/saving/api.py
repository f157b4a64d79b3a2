"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights`` (Keras 3 names)."""

import datetime
import os
import warnings

import numpy as np

from ..layers.layer import checking_new_weights
from . import formats
from . import serialization as S
from .archive import (MODEL_FORMAT, WEIGHTS_FORMAT, FORMAT_VERSION, WEIGHTS_NAME, open_zip,
                      read_archive, write_archive)
from .errors import ModelFileError
from .object_registration import check_custom_objects, custom_object_scope
from .safetensors_format import read_safetensors


def _check_model(model, what):
    from ..models.model import Model

    if not isinstance(model, Model):
        raise TypeError(f"{what} expects a neurona Model, got {model!r}")
    if not model.built:
        raise ValueError(f"{what}: model {model.name!r} is not built yet, so it has no weights; "
                         "give the first layer input_shape=..., call model.build(input_shape) or "
                         "run it on data first")


def _metadata(model):
    from .. import __version__

    seed = getattr(model, "seed", None)
    return {
        "library": "neurona",
        "version": __version__,
        "numpy_version": np.__version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
    }


def save_model(model, filepath, overwrite=True, zipped=None, preprocessing=None):
    """Save a model; the file's extension chooses the format (:mod:`neurona.saving.formats`).

    ``.neurona`` is neurona's own safe archive (``config.json`` + ``model.safetensors``):
    architecture by registered class names, every weight, the compile settings and the
    optimizer's state, so :func:`load_model` returns a model that predicts the same bits and
    continues ``fit`` exactly. ``.keras`` is Keras 3's format, which ``keras.saving.load_model``
    opens (every layer must have a Keras 3 counterpart). Writes are atomic: a crash mid-save
    leaves any previous file intact.

    Args:
        model: a built :class:`~neurona.Model` (Sequential, functional or a registered
            subclass).
        filepath: destination, ending in ``.neurona`` or ``.keras``.
        overwrite: False raises ``FileExistsError`` if ``filepath`` exists.
        zipped: True or None (both formats are zip archives); False (Keras's unzipped
            folder) is refused.
        preprocessing: optional JSON-ready dict (e.g. a fitted encoder's ``get_config()``)
            stored in a ``.neurona`` file's ``config.json`` and returned by
            :func:`load_preprocessing`, so raw data can be prepared exactly as in training.

    Returns:
        None.

    Raises:
        ValueError: an unknown extension (the message lists the choices), a layer Keras has no
            counterpart for (``.keras``), or an unregistered custom class.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> save_model(model, "model.neurona")
        >>> restored = keras.models.load_model("model.neurona")
        >>> bool(np.array_equal(restored.get_weights()[0], model.get_weights()[0]))
        True
    """
    kind = formats.model_format(filepath, "save")
    if zipped is False:
        raise ValueError("save_model: zipped=False (an unzipped directory) is not supported; "
                         "neurona writes one zip archive")
    _check_model(model, "save_model")
    if preprocessing is not None and not isinstance(preprocessing, dict):
        raise TypeError("save_model: preprocessing must be a JSON-ready dict or None, got "
                        f"{type(preprocessing).__name__}")
    if kind == formats.KERAS:
        if preprocessing is not None:
            raise ValueError("save_model: a .keras file has no place for preprocessing; save "
                             "the model with its encoder as a .neurona file")
        from .keras_format import save_keras_model

        return save_keras_model(model, filepath, overwrite=overwrite)
    config = {
        "format": MODEL_FORMAT,
        "format_version": FORMAT_VERSION,
        "model": S.model_to_config(model),
        "compile": S.compile_to_config(model),
        "metadata": _metadata(model),
    }
    if preprocessing is not None:
        config["preprocessing"] = preprocessing
    tensors = S.weight_arrays(model)
    if config["compile"] is not None:
        tensors.update(S.optimizer_arrays(model.optimizer))
    write_archive(filepath, config, tensors, overwrite=overwrite)


def _holds_neurona_archive(path):
    """Whether a ``.keras`` file is in fact neurona's own archive (neurona wrote its own format
    under any name before the extension chose the format)."""
    try:
        with open_zip(path, repr(path)) as (archive, _):
            return "model.safetensors" in archive.namelist()
    except (OSError, ModelFileError):
        return False


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model file; the extension chooses the format (``.neurona``, ``.keras``, legacy
    ``.h5``).

    Loading never imports a module or calls anything the file names: class names resolve only
    to neurona's own classes and to the custom objects registered in this process
    (:func:`register_keras_serializable`, :func:`get_custom_objects`) or given here. A Keras
    file is read as data: no ``Lambda`` bytecode, no ``module`` outside Keras's own, no HDF5
    links or external data, sizes checked against the file before anything is allocated.

    Args:
        filepath: the file.
        custom_objects: optional ``{name: class or function}`` used for this load only (as
            within :func:`custom_object_scope`).
        compile: restore the compile settings and optimizer state (when the file has them).
        safe_mode: accepted for Keras compatibility. neurona is always safe: even with
            ``safe_mode=False`` nothing in a file is run.

    Returns:
        The model, built, with the saved weights (and compiled, if it was).

    Raises:
        FileNotFoundError: no file at ``filepath``.
        ValueError: an extension outside the choices.
        ModelFileError: a defective, tampered, unsafe or incompatible file (the message says
            what and where).

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> model.save("model.neurona")
        >>> load_model("model.neurona").layers[-1].units
        1
    """
    del safe_mode  # nothing in a file can run code, whatever the mode
    kind = formats.model_format(filepath, "load")
    custom_objects = check_custom_objects(custom_objects, "load_model")
    path = os.fspath(filepath)
    if kind == formats.KERAS and _holds_neurona_archive(path):
        warnings.warn(f"{path!r} is in neurona's own format (written before the extension chose "
                      "the format); rename it to '.neurona'", DeprecationWarning, stacklevel=2)
        kind = formats.NEURONA
    if kind == formats.KERAS:
        from .keras_format import load_keras_model

        return load_keras_model(path, custom_objects=custom_objects, compile=compile)
    if kind == formats.LEGACY_H5:
        from .keras_format.legacy_h5 import load_legacy_model

        return load_legacy_model(path, custom_objects=custom_objects, compile=compile)
    with custom_object_scope(custom_objects):
        config, data = read_archive(path, expected_format=MODEL_FORMAT)
        where = repr(path)
        arrays = read_safetensors(data, f"{where}[{WEIGHTS_NAME}]")
        with checking_new_weights(S.allocation_check(arrays, where)):  # before allocating
            model = S.model_from_config(config.get("model"), where)
        S.assign_weights(model, arrays, where)
        if compile and config.get("compile") is not None:
            S.compile_from_config(model, config["compile"], where)
            S.restore_optimizer(model, arrays, where)
    return model


def load_preprocessing(filepath):
    """The ``preprocessing`` dict saved with a model by ``save_model(..., preprocessing=...)``.

    The archive is validated as :func:`load_model` does (entries, checksum, JSON), but no model
    is built.

    Args:
        filepath: the model archive.

    Returns:
        The dict, or None when the file carries no preprocessing (Keras files never do).

    Raises:
        FileNotFoundError: no file at ``filepath``.
        ModelFileError: a defective file, or a ``preprocessing`` entry that is not an object.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> save_model(model, "model.neurona", preprocessing={"target": "price"})
        >>> load_preprocessing("model.neurona")
        {'target': 'price'}
    """
    if formats.model_format(filepath, "load") != formats.NEURONA and \
            not _holds_neurona_archive(os.fspath(filepath)):
        return None
    config, _ = read_archive(filepath, expected_format=MODEL_FORMAT)
    preprocessing = config.get("preprocessing")
    if preprocessing is not None and not isinstance(preprocessing, dict):
        raise ModelFileError(f"{os.fspath(filepath)!r}: config.json 'preprocessing' must be an "
                             f"object, got {type(preprocessing).__name__}")
    return preprocessing


def save_weights(model, filepath, overwrite=True):
    """Save only the weights of ``model``, atomically; the extension chooses the format:
    ``.weights.h5`` is Keras 3's layout (with the optimizer's state when compiled, as Keras
    writes it), ``.neurona`` neurona's archive (keys like ``"dense/kernel"``).

    Args:
        model: a built model.
        filepath: destination, ending in ``.weights.h5`` or ``.neurona``.
        overwrite: False raises ``FileExistsError`` if ``filepath`` exists.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> save_weights(model, "ckpt.neurona")
    """
    kind = formats.weights_format(filepath, "save")
    _check_model(model, "save_weights")
    if kind == formats.KERAS_WEIGHTS:
        from .keras_format import save_keras_weights

        return save_keras_weights(model, filepath, overwrite=overwrite)
    config = {"format": WEIGHTS_FORMAT, "format_version": FORMAT_VERSION,
              "model_class": type(model).__name__, "metadata": _metadata(model)}
    write_archive(filepath, config, S.weight_arrays(model), overwrite=overwrite)


def load_weights(model, filepath, skip_mismatch=False):
    """Load weights into ``model`` from a ``.weights.h5``, ``.keras``, ``.neurona`` or legacy
    ``.h5`` file.

    Every weight is checked (names or places, shapes, dtypes) before any is changed, so a
    failed load leaves the model as it was.

    Args:
        model: a built model with the same architecture.
        filepath: the file.
        skip_mismatch: leave weights whose shape or dtype differ untouched (with a warning)
            instead of raising.

    Raises:
        ModelFileError: a defective file or weights that do not fit the model.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> model.save_weights("ckpt.neurona")
        >>> load_weights(model, "ckpt.neurona")
    """
    kind = formats.weights_format(filepath, "load")
    _check_model(model, "load_weights")
    path = os.fspath(filepath)
    if kind == formats.KERAS and _holds_neurona_archive(path):
        kind = formats.NEURONA
    if kind in (formats.KERAS_WEIGHTS, formats.KERAS):
        from .keras_format import load_keras_weights

        skipped = load_keras_weights(model, path, skip_mismatch=skip_mismatch)
    elif kind == formats.LEGACY_H5:
        from .keras_format.legacy_h5 import load_legacy_weights

        skipped = load_legacy_weights(model, path, skip_mismatch=skip_mismatch)
    else:
        _, data = read_archive(path)
        where = repr(path)
        arrays = read_safetensors(data, f"{where}[{WEIGHTS_NAME}]")
        skipped = S.assign_weights(model, arrays, where, skip_mismatch=skip_mismatch)
    if skipped:
        warnings.warn(f"load_weights: skipped weights whose shape or dtype differ: {skipped}",
                      stacklevel=2)


__all__ = ["save_model", "load_model", "load_preprocessing", "save_weights", "load_weights",
           "ModelFileError"]
