"""Custom objects, as Keras 3 registers them: ``register_keras_serializable``,
``get_custom_objects``, ``custom_object_scope``, ``get_registered_name``,
``get_registered_object``.

A file names classes; only the classes registered here (or built into neurona) can be rebuilt
from it. The table itself lives in :mod:`neurona.registry`, so every family's lookup (layers,
losses, metrics, initializers, ...) sees the same custom objects.
"""

from .. import registry as R

__all__ = ["register_keras_serializable", "get_custom_objects", "custom_object_scope",
           "CustomObjectScope", "get_registered_name", "get_registered_object"]


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class (a Layer, Model, Loss, Metric, initializer, ...) or a
    function under ``"package>name"``, so that files naming it can be loaded and the name is
    written when it is saved (Keras's ``keras.saving.register_keras_serializable``).

    Args:
        package: the namespace of the name. Defaults to ``"Custom"``.
        name: the name within the package; default the class's or function's ``__name__``.

    Returns:
        The decorator; it returns its argument unchanged.

    Raises:
        ValueError: a class without ``get_config``.

    Example:
        >>> import neurona as keras
        >>> @register_keras_serializable(package="course")
        ... class Twice(keras.layers.Layer):
        ...     def call(self, x):
        ...         return x * 2.0
        >>> get_registered_name(Twice)
        'course>Twice'
    """
    if not isinstance(package, str) or not package or ">" in package:
        raise ValueError(f"register_keras_serializable: package must be a non-empty string "
                         f"without '>', got package={package!r}")
    if name is not None and (not isinstance(name, str) or not name):
        raise ValueError(f"register_keras_serializable: name must be a non-empty string or "
                         f"None, got name={name!r}")

    def decorator(obj):
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: class {obj.__name__} has no "
                             "get_config() method, so it cannot be saved")
        if not callable(obj):
            raise TypeError(f"register_keras_serializable decorates classes and functions, got "
                            f"{obj!r}")
        key = f"{package}>{name or obj.__name__}"
        R.GLOBAL_CUSTOM_OBJECTS[key] = obj  # a class defined again (a re-run cell) replaces it
        R.GLOBAL_CUSTOM_NAMES[obj] = key
        return obj

    return decorator


def get_custom_objects():
    """The global ``{name: class or function}`` table of custom objects (Keras's
    ``keras.saving.get_custom_objects``). Editing the dict registers or removes objects.

    Returns:
        The live dict.

    Example:
        >>> get_custom_objects()["MyActivation"] = lambda x: x  # doctest: +SKIP
    """
    return R.GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """Within a ``with`` block, names resolve to the given objects too (Keras's
    ``keras.saving.custom_object_scope``); the innermost scope wins. Scopes are per thread.

    Args:
        *custom_objects: dicts ``{name: class or function}`` (later ones win on a clash).

    Example:
        >>> import neurona as keras
        >>> class Twice(keras.layers.Layer):
        ...     def call(self, x):
        ...         return x * 2.0
        >>> with custom_object_scope({"Twice": Twice}):
        ...     print(keras.layers.deserialize({"class_name": "Twice", "config": {}}).__class__.__name__)
        Twice
    """

    def __init__(self, *custom_objects):
        merged = {}
        for objects in custom_objects:
            if objects is None:
                continue
            merged.update(check_custom_objects(objects, "custom_object_scope"))
        self.custom_objects = merged

    def __enter__(self):
        R.push_custom_objects(self.custom_objects)
        return self

    def __exit__(self, *exc):
        R.pop_custom_objects()
        return False


custom_object_scope = CustomObjectScope


def check_custom_objects(custom_objects, what):
    """``custom_objects`` after checking it maps strings to classes or functions."""
    if custom_objects is None:
        return {}
    if not isinstance(custom_objects, dict):
        raise TypeError(f"{what}: custom_objects must be a dict {{name: class or function}}, got "
                        f"{type(custom_objects).__name__}")
    for key, obj in custom_objects.items():
        if not isinstance(key, str) or not callable(obj):
            raise TypeError(f"{what}: custom_objects[{key!r}] must map a name to a class or a "
                            f"function, got {obj!r}")
    return custom_objects


def get_registered_name(obj):
    """The name ``obj`` (a class or function) is saved under: ``"package>name"`` once
    registered, else its ``__name__``.

    Example:
        >>> get_registered_name(len)
        'len'
    """
    return R.registered_name(obj)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class or function registered under ``name``: the open scopes first, then the global
    table, then ``custom_objects``, then ``module_objects`` (Keras's order); None if absent.

    Example:
        >>> get_registered_object("absent") is None
        True
    """
    found = R.custom_object(name)
    if found is not None:
        return found
    for table in (custom_objects, module_objects):
        if table and name in table:
            return table[name]
    return None
