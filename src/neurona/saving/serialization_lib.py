"""``serialize_keras_object`` / ``deserialize_keras_object``: any neurona object as Keras 3's
``{"module", "class_name", "config", "registered_name"}`` and back.

The serialized form is the one ``.keras`` files hold (built-in objects under Keras's module
names, so Keras reads them too; custom classes under their registered name). Deserializing
follows the same safety rules as loading a file: built-in names resolve to neurona's classes,
anything else only to registered or scoped custom objects, and no code is ever run.
"""

import numpy as np

from ..registry import registered_name
from .object_registration import check_custom_objects, custom_object_scope

__all__ = ["serialize_keras_object", "deserialize_keras_object", "serialize_layer",
           "deserialize_layer"]

_FAMILIES = ("initializer", "regularizer", "constraint", "schedule", "optimizer", "loss",
             "metric")


def serialize_keras_object(obj):
    """``obj`` as Keras 3 serializes it (``keras.saving.serialize_keras_object``).

    Args:
        obj: a layer or model, an initializer, regularizer, constraint, optimizer, schedule,
            loss or metric, a registered function or activation, a NumPy array, or a plain
            value, list or dict of those.

    Returns:
        A JSON-ready value.

    Raises:
        TypeError: an object no file could name safely (a lambda, an unregistered class).

    Example:
        >>> import neurona as keras
        >>> serialize_keras_object(keras.initializers.Zeros())["module"]
        'keras.initializers'
        >>> serialize_keras_object(keras.activations.get("relu"))["config"]
        'relu'
    """
    from ..layers.layer import Layer

    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(),
                                                      "dtype": obj.dtype.name}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Layer):
        from .keras_format.model_config import layer_to_keras

        try:
            return layer_to_keras(obj)
        except ValueError as err:
            raise TypeError(str(err)) from None
    if hasattr(obj, "get_config"):
        return _serialize_configurable(obj)
    if callable(obj):
        return _serialize_function(obj)
    raise TypeError(f"serialize_keras_object: cannot serialize {obj!r}")


def _serialize_configurable(obj):
    from .keras_format.objects import keras_object, registry_of

    cls = type(obj)
    for family in _FAMILIES:
        if registry_of(family)._entries.get(cls.__name__) is cls:
            return keras_object(family, {"class_name": cls.__name__, "config": obj.get_config()})
    return {"module": cls.__module__, "class_name": cls.__name__, "config": obj.get_config(),
            "registered_name": registered_name(cls)}


def _serialize_function(fn):
    from ..activations import ACTIVATIONS
    from ..registry import custom_object

    name = registered_name(fn)
    if name in (None, "<lambda>"):
        raise TypeError(f"serialize_keras_object: {fn!r} is a lambda or has no name; a file can "
                        "only name registered functions (register_keras_serializable)")
    if ACTIVATIONS.lookup(name) is fn:
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    if custom_object(name) is not fn:
        raise TypeError(f"serialize_keras_object: function {name!r} is not registered, so a file "
                        "could not name it; decorate it with @register_keras_serializable()")
    return {"module": fn.__module__, "class_name": "function", "config": name,
            "registered_name": "function"}


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuild what :func:`serialize_keras_object` (or Keras) serialized
    (``keras.saving.deserialize_keras_object``).

    Args:
        config: the serialized value.
        custom_objects: ``{name: class or function}`` for this call (added to the open scope).
        safe_mode: accepted for Keras compatibility; nothing is ever run, whatever its value.
        **kwargs: ``module_objects`` (``{name: object}`` consulted after the custom objects,
            as Keras does); any other keyword is an error.

    Returns:
        The object (a layer, an initializer, ...), or a plain value as it is.

    Raises:
        ModelFileError: a name that resolves to nothing safe (the message says which).

    Example:
        >>> import neurona as keras
        >>> layer = deserialize_keras_object(serialize_keras_object(keras.layers.Dense(3)))
        >>> layer.units
        3
    """
    del safe_mode
    module_objects = kwargs.pop("module_objects", None)
    if kwargs:
        raise TypeError(f"deserialize_keras_object: unexpected arguments {sorted(kwargs)}")
    custom_objects = check_custom_objects(custom_objects, "deserialize_keras_object")
    with custom_object_scope(module_objects or {}, custom_objects):
        return _deserialize(config, custom_objects)


def _deserialize(config, custom_objects):
    from ..registry import custom_object
    from .keras_format.objects import family_of_module, from_keras, resolve_custom

    where = "deserialize_keras_object"
    if isinstance(config, str):
        found = custom_object(config)
        return config if found is None else found
    if isinstance(config, list):
        return [_deserialize(v, custom_objects) for v in config]
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        return from_keras(config, where, custom_objects)
    custom = resolve_custom(config, where, custom_objects)
    from ..layers.layer import Layer

    is_layer = (isinstance(custom, type) and issubclass(custom, Layer)) or (
        custom is None and family_of_module(config.get("module")) in ("layer", "keras")
        and config["class_name"] not in ("DTypePolicy", "FloatDTypePolicy"))
    if is_layer:
        return deserialize_layer(config, custom_objects)
    return from_keras(config, where, custom_objects)


def serialize_layer(layer):
    """``keras.layers.serialize``: a layer as Keras 3 serializes it."""
    return serialize_keras_object(layer)


def deserialize_layer(config, custom_objects=None):
    """``keras.layers.deserialize``: a layer (or model) from its serialized form, Keras's
    (with ``module``) or neurona's own ``{"class_name", "config"}``."""
    from ..layers.layer import LAYERS
    from .keras_format.model_config import Reader
    from .serialization import model_from_config

    custom_objects = check_custom_objects(custom_objects, "layers.deserialize")
    with custom_object_scope(custom_objects):
        if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
            raise ValueError(f"layers.deserialize: expected a dict with a class_name, got "
                             f"{config!r}")
        if "module" not in config:  # neurona's own form
            return LAYERS.from_config(config)
        ours = Reader("layers.deserialize", custom_objects).layer(config, "layers.deserialize")
        cls = LAYERS.lookup(ours["class_name"])
        from ..models.model import Model

        if isinstance(cls, type) and issubclass(cls, Model):
            return model_from_config(ours, "layers.deserialize")
        return LAYERS.from_config(ours)
