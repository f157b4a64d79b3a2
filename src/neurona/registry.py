"""One registry mechanism for everything a user can name with a string.

Each family (activations, losses, initializers, optimizers, metrics, layers, ...) owns one
:class:`Registry`. ``get(identifier)`` follows Keras's rules: a registered name (case and
underscore insensitive for class names), an instance (returned as is), a callable (returned as
is), or a ``{"class_name": ..., "config": {...}}`` dict. An unknown name lists what exists.

User classes and functions registered as Keras registers them (``register_keras_serializable``,
``get_custom_objects()``, ``custom_object_scope``) are "custom objects": one table for every
family, consulted by :meth:`Registry.lookup` after the family's own names, innermost scope first.
They are the only way a name in a file reaches user code.
"""

import threading

from .validation import did_you_mean

#: ``{registered name: class or function}`` (Keras's ``get_custom_objects()``); callers may edit it
GLOBAL_CUSTOM_OBJECTS = {}
#: ``{class or function: registered name}``, the name :func:`serialize` writes back
GLOBAL_CUSTOM_NAMES = {}
_scopes = threading.local()  # .stack: the dicts of the custom_object_scopes open in this thread


def scoped_custom_objects():
    """The dicts of the ``custom_object_scope`` blocks open in this thread, innermost last."""
    return getattr(_scopes, "stack", [])


def push_custom_objects(objects):
    """Open a custom-object scope in this thread (see ``neurona.saving.custom_object_scope``)."""
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    _scopes.stack.append(dict(objects))


def pop_custom_objects():
    """Close the innermost custom-object scope of this thread."""
    _scopes.stack.pop()


def custom_object(name):
    """The custom object scoped or registered under ``name`` (innermost scope first), or None."""
    for objects in reversed(scoped_custom_objects()):
        if name in objects:
            return objects[name]
    return GLOBAL_CUSTOM_OBJECTS.get(name)


def registered_name(obj):
    """The name files use for ``obj`` (a class or a function): its ``register_keras_serializable``
    name, else a ``registered_name`` attribute, else its ``__name__``."""
    try:
        name = GLOBAL_CUSTOM_NAMES.get(obj)
    except TypeError:  # unhashable
        name = None
    return name or getattr(obj, "registered_name", None) or getattr(obj, "__name__", None)


def _normalize(name):
    return name.replace("_", "").lower()


class Registry:
    """A name -> object table for one family of components.

    Args:
        kind: the family's name, used in error messages ("activation", "loss", ...).
    """

    def __init__(self, kind):
        self.kind = kind
        self._entries = {}  # exact name -> object
        self._folded = {}  # normalized name -> exact name

    def register(self, *names):
        """Decorator registering a class or function under one or more names."""

        def decorator(obj):
            for name in names or (obj.__name__,):
                self.add(name, obj)
            return obj

        return decorator

    def add(self, name, obj):
        """Register ``obj`` under ``name``; a second, different object under a name is a bug."""
        existing = self._entries.get(name)
        if existing is not None and existing is not obj:
            raise KeyError(f"{self.kind} name {name!r} is already registered to {existing!r}")
        self._entries[name] = obj
        self._folded.setdefault(_normalize(name), name)

    def names(self):
        """Sorted list of every registered name."""
        return sorted(self._entries)

    def __contains__(self, name):
        return isinstance(name, str) and self.lookup(name) is not None

    def lookup(self, name):
        """The object registered under ``name`` (exact first, then case/underscore folded, then
        the custom objects: see the module docstring)."""
        if name in self._entries:
            return self._entries[name]
        exact = self._folded.get(_normalize(name))
        if exact is not None:
            return self._entries[exact]
        return custom_object(name)

    def get_class(self, name):
        """Like :meth:`lookup`, raising a ValueError that lists the choices when unknown."""
        obj = self.lookup(name) if isinstance(name, str) else None
        if obj is None:
            raise ValueError(self.unknown_message(name))
        return obj

    def unknown_message(self, name):
        hint = did_you_mean(name, self.names(), n=3)
        return (
            f"Unknown {self.kind} {name!r}.{hint} Valid {self.kind} names: {', '.join(self.names())}"
        )

    def get(self, identifier, instantiate=True):
        """Resolve a Keras-style identifier to an object.

        Args:
            identifier: a registered name, a ``{"class_name", "config"}`` dict, an instance or a
                callable. ``None`` is returned unchanged.
            instantiate: when the name resolves to a class, return ``cls()`` (Keras behaviour
                for optimizers, losses and metrics given by name).

        Returns:
            The resolved object.
        """
        if identifier is None:
            return None
        if isinstance(identifier, str):
            obj = self.get_class(identifier)
            return obj() if instantiate and isinstance(obj, type) else obj
        if isinstance(identifier, dict):
            return self.from_config(identifier)
        if callable(identifier) or not isinstance(identifier, type):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier {identifier!r}")

    def from_config(self, config):
        """Build an object from ``{"class_name": name, "config": {...}}``."""
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(
                f"A {self.kind} config must be a dict with 'class_name' and 'config', got {config!r}"
            )
        cls = self.get_class(config["class_name"])
        kwargs = config.get("config") or {}
        if not isinstance(cls, type):
            if kwargs:
                raise ValueError(f"{self.kind} {config['class_name']!r} takes no config, got {kwargs!r}")
            return cls
        return cls.from_config(kwargs) if hasattr(cls, "from_config") else cls(**kwargs)


def serialize(obj):
    """Keras-style serialization: registered functions by name, objects as class_name + config."""
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "get_config"):
        return {"class_name": registered_name(type(obj)), "config": obj.get_config()}
    name = registered_name(obj)
    if name is None:
        raise ValueError(f"Cannot serialize {obj!r}: it has no name and no get_config()")
    return name
