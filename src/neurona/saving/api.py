"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights`` (Keras 3 names)."""

import datetime
import os
import warnings

import numpy as np

from . import serialization as S
from .archive import (MODEL_FORMAT, WEIGHTS_FORMAT, FORMAT_VERSION, WEIGHTS_NAME, read_archive,
                      write_archive)
from .errors import ModelFileError
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
    """Save a model to one safe archive (``config.json`` + ``model.safetensors`` in a zip).

    The file holds the architecture (by registered class names), every weight, the compile
    settings and the optimizer's state, so :func:`load_model` returns a model that predicts the
    same bits and continues ``fit`` exactly. The write is atomic: a crash mid-save leaves any
    previous file intact.

    Args:
        model: a built :class:`~neurona.Model` (Sequential, functional or a registered
            subclass).
        filepath: destination; any name works (``"model.keras"``, ``"model.neurona"``).
        overwrite: False raises ``FileExistsError`` if ``filepath`` exists.
        zipped: accepted for Keras compatibility; neurona always writes the zip archive.
        preprocessing: optional JSON-ready dict (e.g. a fitted encoder's ``get_config()``)
            stored in ``config.json`` and returned by :func:`load_preprocessing`, so raw data
            can be prepared exactly as in training.

    Returns:
        None.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> save_model(model, "model.neurona")
        >>> restored = keras.models.load_model("model.neurona")
        >>> bool(np.array_equal(restored.get_weights()[0], model.get_weights()[0]))
        True
    """
    if zipped is False:
        raise ValueError("save_model: zipped=False (an unzipped directory) is not supported; "
                         "neurona writes one zip archive")
    _check_model(model, "save_model")
    if preprocessing is not None and not isinstance(preprocessing, dict):
        raise TypeError("save_model: preprocessing must be a JSON-ready dict or None, got "
                        f"{type(preprocessing).__name__}")
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


def _register_custom_objects(custom_objects):
    """Add user-given classes to the registries (the only way names map to code)."""
    from ..layers.layer import LAYERS, Layer
    from ..losses import Loss
    from ..losses.loss import LOSSES
    from ..metrics import Metric, registry as METRICS

    for name, obj in (custom_objects or {}).items():
        registry = next((reg for base, reg in ((Layer, LAYERS), (Loss, LOSSES), (Metric, METRICS))
                         if isinstance(obj, type) and issubclass(obj, base)), None)
        if registry is None or not isinstance(name, str):
            raise TypeError(f"custom_objects[{name!r}] must map a name to a Layer, Loss or Metric "
                            f"subclass, got {obj!r}; functions cannot be restored safely")
        if registry.lookup(name) is not obj:
            try:
                registry.add(name, obj)
            except KeyError as err:
                raise ValueError(f"custom_objects[{name!r}]: {err.args[0]}") from None


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a custom Layer (or Model), Loss or Metric class so that model
    files naming it can be loaded (Keras's ``keras.saving.register_keras_serializable``).

    Args:
        package: accepted for Keras compatibility (neurona's names are not namespaced).
        name: the name written in files; default the class name.

    Returns:
        The decorator (it returns the class unchanged, registered).

    Example:
        >>> import neurona as keras
        >>> @register_keras_serializable()
        ... class Twice(keras.layers.Layer):
        ...     def call(self, x):
        ...         return x * 2.0
    """
    del package

    def decorator(cls):
        registered = name or cls.__name__
        if registered != cls.__name__:
            cls.registered_name = registered  # what serialize() writes
        _register_custom_objects({registered: cls})
        return cls

    return decorator


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model written by :func:`save_model` / ``model.save``.

    Loading never imports a module or calls anything the file names: class names resolve only
    through neurona's registries. Register custom layers first
    (``@neurona.layers.register_layer("MyLayer")``) or pass them in ``custom_objects``.

    Args:
        filepath: the archive.
        custom_objects: optional ``{name: class}`` of Layer, Loss or Metric subclasses; they are
            registered under ``name`` (as ``register_layer`` would) before loading.
        compile: restore the compile settings and optimizer state (when the file has them).
        safe_mode: accepted for Keras compatibility; loading is always safe.

    Returns:
        The model, built, with the saved weights (and compiled, if it was).

    Raises:
        FileNotFoundError: no file at ``filepath``.
        ModelFileError: a defective, tampered or incompatible file (the message says what).

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> model.save("model.neurona")
        >>> load_model("model.neurona").layers[-1].units
        1
    """
    del safe_mode  # nothing in a neurona file can run code, whatever the mode
    _register_custom_objects(custom_objects)
    config, data = read_archive(filepath, expected_format=MODEL_FORMAT)
    where = repr(os.fspath(filepath))
    arrays = read_safetensors(data, f"{where}[{WEIGHTS_NAME}]")
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
        The dict, or None when the file carries no preprocessing.

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
    config, _ = read_archive(filepath, expected_format=MODEL_FORMAT)
    preprocessing = config.get("preprocessing")
    if preprocessing is not None and not isinstance(preprocessing, dict):
        raise ModelFileError(f"{os.fspath(filepath)!r}: config.json 'preprocessing' must be an "
                             f"object, got {type(preprocessing).__name__}")
    return preprocessing


def save_weights(model, filepath, overwrite=True):
    """Save only the weights of ``model`` (keys like ``"dense/kernel"``), atomically.

    Args:
        model: a built model.
        filepath: destination (any name, e.g. ``"model.weights.h5"`` or ``"ckpt.neurona"``).
        overwrite: False raises ``FileExistsError`` if ``filepath`` exists.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
        >>> save_weights(model, "ckpt.neurona")
    """
    _check_model(model, "save_weights")
    config = {"format": WEIGHTS_FORMAT, "format_version": FORMAT_VERSION,
              "model_class": type(model).__name__, "metadata": _metadata(model)}
    write_archive(filepath, config, S.weight_arrays(model), overwrite=overwrite)


def load_weights(model, filepath, skip_mismatch=False):
    """Load weights saved by :func:`save_weights` or :func:`save_model` into ``model``.

    Every weight is checked (names, shapes, dtypes) before any is changed, so a failed load
    leaves the model as it was.

    Args:
        model: a built model with the same architecture (layer names included).
        filepath: the archive.
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
    _check_model(model, "load_weights")
    _, data = read_archive(filepath)
    where = repr(os.fspath(filepath))
    arrays = read_safetensors(data, f"{where}[{WEIGHTS_NAME}]")
    skipped = S.assign_weights(model, arrays, where, skip_mismatch=skip_mismatch)
    if skipped:
        warnings.warn(f"load_weights: skipped weights whose shape or dtype differ: {skipped}",
                      stacklevel=2)


__all__ = ["save_model", "load_model", "load_preprocessing", "save_weights", "load_weights",
           "register_keras_serializable", "ModelFileError"]
