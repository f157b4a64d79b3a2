"""Keras 3's serialized objects, read as data and written back.

Keras writes every object as ``{"module", "class_name", "config", "registered_name"}``. Keras
itself resolves ``module`` by importing it, which is how its ``safe_mode`` has been bypassed
(CVE-2025-1550: any importable function; CVE-2025-8747 and CVE-2025-9906: Keras's own
``get_file`` and ``enable_unsafe_deserialization``). Here nothing is imported and nothing a
file names is called: a built-in object (``module`` ``keras`` or ``keras.*``) resolves only to
neurona's own class of that family and name; anything else resolves only through the custom
objects the user registered (``registered_name``, then ``class_name``); marshalled Python
(``__lambda__``, the ``Lambda`` layer) is always refused. A refusal names where in the file it
happened and why.
"""

import inspect

import numpy as np

from ...registry import custom_object, registered_name
from ..errors import ModelFileError

#: the keys of a serialized Keras object (``shared_object_id`` marks objects used twice)
OBJECT_KEYS = frozenset({"module", "class_name", "config", "registered_name", "build_config",
                         "compile_config", "shared_object_id"})
#: Keras 3's activation functions (keras.activations), for writing: a name outside this set
#: would not load in Keras
KERAS_ACTIVATIONS = frozenset({
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign",
    "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
    "threshold"})
#: dtype policies neurona computes in (a layer's dtype)
PLAIN_DTYPES = ("float16", "float32", "float64")
#: the largest array literal (``__numpy__``) a config may hold
MAX_LITERAL_ELEMENTS = 1 << 16
#: the Keras module of each family, as written, and the family it is read as
FAMILY_MODULES = {"initializer": "keras.initializers", "regularizer": "keras.regularizers",
                  "constraint": "keras.constraints", "schedule": "keras.optimizers.schedules",
                  "optimizer": "keras.optimizers", "loss": "keras.losses",
                  "metric": "keras.metrics", "layer": "keras.layers"}
_MODULE_FAMILIES = {"initializers": "initializer", "regularizers": "regularizer",
                    "constraints": "constraint", "losses": "loss", "metrics": "metric",
                    "layers": "layer", "models": "layer", "activations": "activation",
                    "dtype_policies": "dtype", "mixed_precision": "dtype"}
#: Keras-only arguments, per family, with the values that mean what neurona does (ANY: the
#: argument has no effect given the others); any other value is refused, naming it
ANY = object()
NEUTRAL = {
    "initializer": {"input_axes": (None,), "output_axes": (None,)},
    "optimizer": {"use_ema": (False,), "ema_momentum": ANY, "ema_overwrite_frequency": (None,),
                  "loss_scale_factor": (None,), "gradient_accumulation_steps": (None, 1)},
    "loss": {"dtype": (None, "float32")},
    "schedule": {},
    "regularizer": {},
    "constraint": {},
    "metric": {},
}


def fail(where, message):
    """Raise the :class:`ModelFileError` every refusal in a Keras file is."""
    raise ModelFileError(f"{where}: {message}")


def family_of_module(module):
    """The family a Keras ``module`` string denotes (``"keras.src.losses.losses"`` ->
    ``"loss"``); None when it is not a Keras module at all."""
    if not isinstance(module, str) or not (module == "keras" or module.startswith("keras.")):
        return None
    parts = module.split(".")[1:]
    if parts[:1] == ["src"]:
        parts = parts[1:]
    if parts[:2] == ["optimizers", "schedules"]:
        return "schedule"
    if parts[:1] == ["optimizers"]:
        return "optimizer"
    if not parts:
        return "keras"  # the top-level namespace: Sequential, Model, DTypePolicy, ...
    return _MODULE_FAMILIES.get(parts[0], "other")


def is_serialized_object(value):
    """Whether ``value`` has the shape of a serialized Keras object."""
    return (isinstance(value, dict) and isinstance(value.get("class_name"), str)
            and set(value) <= OBJECT_KEYS)


def registry_of(family):
    """neurona's registry of a family."""
    from ... import constraints, initializers, regularizers
    from ...layers.layer import LAYERS
    from ...losses.loss import LOSSES
    from ...metrics import registry as METRICS
    from ...optimizers import _registry as OPTIMIZERS
    from ...optimizers.schedules import _registry as SCHEDULES

    return {"initializer": initializers.registry, "regularizer": regularizers.REGULARIZERS,
            "constraint": constraints.CONSTRAINTS, "schedule": SCHEDULES,
            "optimizer": OPTIMIZERS, "loss": LOSSES, "metric": METRICS, "layer": LAYERS}[family]


def accepted_arguments(cls):
    """The keyword arguments ``cls(...)`` takes, following ``**kwargs`` up the class chain;
    None when some ``__init__`` takes ``**kwargs`` without passing them to a parent we can see."""
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass is object:
            return names
        params = inspect.signature(init).parameters.values()
        names |= {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            names.discard("self")
            return names
    return None


def drop_neutral(config, neutral, where, what):
    """``config`` without the Keras-only arguments in ``neutral`` once each is known to hold a
    value that means what neurona does."""
    out = {}
    for key, value in config.items():
        if key not in neutral:
            out[key] = value
            continue
        allowed = neutral[key]
        if allowed is not ANY and not any(_same(value, a) for a in allowed):
            fail(where, f"{what} has {key}={_short(value)}, which neurona does not support "
                        f"(neurona behaves as {key}={_short(allowed[0])}); the file cannot be "
                        "loaded faithfully")
    return out


def _same(value, allowed):
    return type(value) is type(allowed) and value == allowed or value is allowed


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def check_arguments(cls, config, where, what):
    """Raise naming the first argument of ``config`` that ``cls`` does not take."""
    accepted = accepted_arguments(cls)
    if accepted is None:
        return
    unknown = [k for k in config if k not in accepted]
    if unknown:
        fail(where, f"{what} has the argument {unknown[0]!r} (= {_short(config[unknown[0]])}), "
                    f"which neurona's {cls.__name__} does not have")


# -- reading --------------------------------------------------------------------------------------
def from_keras(value, where, custom_objects=None):
    """A value of a Keras config in neurona's terms: serialized objects become neurona objects
    (initializers, regularizers, ... as instances; activations and dtype policies as names;
    ``__numpy__`` literals as lists); lists and plain dicts are converted item by item.

    Args:
        value: any JSON value from the file.
        where: the place in the file, for messages (``"'m.keras' layer 'dense'"``).
        custom_objects: the user's ``{name: class or function}`` for this load (they are also
            in the open custom-object scope).

    Raises:
        ModelFileError: anything that cannot be resolved safely, named.
    """
    if isinstance(value, list):
        return [from_keras(v, where, custom_objects) for v in value]
    if isinstance(value, dict):
        if is_serialized_object(value):
            return from_keras_object(value, where, custom_objects)
        if "class_name" in value and isinstance(value["class_name"], str) \
                and value["class_name"].startswith("__"):
            return from_keras_object(value, where, custom_objects)
        return {k: from_keras(v, f"{where}.{k}", custom_objects) for k, v in value.items()}
    return value


def _literal(config, where):
    if not isinstance(config, dict) or "value" not in config:
        fail(where, "a __numpy__ literal needs a 'value'")
    value = config["value"]
    try:
        array = np.asarray(value, dtype=np.dtype(config.get("dtype") or "float64"))
    except (TypeError, ValueError) as err:
        fail(where, f"invalid __numpy__ literal ({err})")
    if array.dtype.kind not in "fiub" or array.size > MAX_LITERAL_ELEMENTS:
        fail(where, f"a __numpy__ literal must hold at most {MAX_LITERAL_ELEMENTS} numbers")
    return array.tolist()


def resolve_custom(obj, where, custom_objects=None):
    """The user's class or function a serialized object names, by its ``registered_name``
    then its ``class_name``; None when neither is registered."""
    names = [n for n in (obj.get("registered_name"), obj.get("class_name")) if isinstance(n, str)]
    for name in names:
        found = custom_object(name)
        if found is None and custom_objects:
            found = custom_objects.get(name)
        if found is not None:
            return found
    return None


def check_builtin_name(obj, where):
    """A built-in (Keras-module) object whose ``registered_name`` claims a custom class that
    is not registered is refused: the file names something that is not there (Keras refuses
    the same mismatch)."""
    registered = obj.get("registered_name")
    if registered not in (None, obj.get("class_name")):
        fail(where, f"{obj.get('class_name')!r} claims the registered name {registered!r}, "
                    "which is not registered in this process; refused")


def refuse_unregistered(obj, where):
    """The refusal for a class a file names that is neither built in nor registered."""
    module, name = obj.get("module"), obj.get("class_name")
    registered = obj.get("registered_name")
    origin = f" from module {module!r}" if module else ""
    label = f"{name!r}" + (f" (registered as {registered!r})" if registered not in (None, name)
                           else "")
    fail(where, f"{label}{origin} is not a neurona class and is not registered in this process; "
                "neurona never imports modules or calls functions named in a file. If it is your "
                "own class, decorate it with @neurona.saving.register_keras_serializable() or pass "
                f"custom_objects={{{name!r}: {name}}}")


def from_keras_object(obj, where, custom_objects=None):
    """One serialized Keras object (not a layer) in neurona's terms; see :func:`from_keras`."""
    name, module = obj.get("class_name"), obj.get("module")
    config = obj.get("config")
    if name == "__lambda__":
        fail(where, "holds a Python lambda (marshalled bytecode); neurona never runs code "
                    "from a file. Rewrite it as a registered layer or function")
    if name in ("__numpy__", "__tuple__"):
        return _literal(config, where) if name == "__numpy__" else from_keras(
            (config or {}).get("value", []), where, custom_objects)
    if name.startswith("__"):
        fail(where, f"holds a {name!r} object, which has no meaning in a layer's configuration")
    family = family_of_module(module)
    if name == "function":  # a function, named by its config
        found = resolve_custom({"class_name": config}, where, custom_objects) \
            if isinstance(config, str) else None
        if found is not None:
            return found
        if module == "builtins" or family == "activation":
            return activation_name(config, where)
        refuse_unregistered({"module": module, "class_name": config}, where)
    custom = resolve_custom(obj, where, custom_objects)
    if custom is not None:
        return instantiate_custom(custom, config, where, custom_objects)
    if family is None:
        refuse_unregistered(obj, where)
    check_builtin_name(obj, where)
    if family == "dtype" or name in ("DTypePolicy", "FloatDTypePolicy"):
        return dtype_name(obj, where)
    if family == "activation":
        return activation_name(name if config is None else config, where)
    if family in ("keras", "other", "layer"):
        fail(where, f"Keras object {name!r} (module {module!r}) is not something neurona "
                    "reads in this place")
    return instantiate_builtin(family, name, config, where, custom_objects)


def instantiate_builtin(family, name, config, where, custom_objects=None):
    """neurona's object of ``family`` named ``name`` built from a Keras config."""
    registry = registry_of(family)
    cls = registry._entries.get(name)  # built-ins only: a custom object was tried before
    if cls is None:
        fail(where, f"Keras {family} {name!r} has no neurona equivalent; "
                    f"{registry.unknown_message(name)}")
    what = f"Keras {family} {name!r}"
    if not isinstance(cls, type):
        if config not in (None, {}):
            fail(where, f"{what} takes no configuration, got {_short(config)}")
        return cls
    settings = from_keras(config or {}, where, custom_objects)
    if not isinstance(settings, dict):
        fail(where, f"{what}: its config must be an object, got {_short(config)}")
    settings = drop_neutral(settings, NEUTRAL.get(family, {}), where, what)
    check_arguments(cls, settings, where, what)
    try:
        return cls.from_config(settings) if hasattr(cls, "from_config") else cls(**settings)
    except (TypeError, ValueError) as err:
        fail(where, f"{what} cannot be rebuilt: {err}")


def custom_config(config, where):
    """The config a custom class's ``from_config`` receives: as written (the class
    deserializes what it serialized, as in Keras), with a dtype policy as its dtype name."""
    settings = dict(config or {})
    if is_serialized_object(settings.get("dtype")):
        settings["dtype"] = dtype_name(settings["dtype"], where)
    return settings


def instantiate_custom(cls_or_fn, config, where, custom_objects=None):
    """A registered custom class rebuilt with ``from_config`` (or the function itself)."""
    if not isinstance(cls_or_fn, type):
        return cls_or_fn
    settings = custom_config(config, where)
    try:
        return cls_or_fn.from_config(settings) if hasattr(cls_or_fn, "from_config") \
            else cls_or_fn(**settings)
    except Exception as err:  # the user's own constructor may object to anything
        fail(where, f"custom class {cls_or_fn.__name__} cannot be rebuilt from its config: "
                    f"{type(err).__name__}: {err}")


def activation_name(name, where):
    """A Keras activation's name, once neurona has the same function."""
    from ...activations import ACTIVATIONS

    if isinstance(name, dict):  # {"class_name": "function", "config": "relu"} nested once more
        name = name.get("config") if name.get("class_name") == "function" else name.get(
            "class_name")
    if not isinstance(name, str):
        fail(where, f"invalid activation {_short(name)}")
    found = custom_object(name)
    if found is not None:
        return found
    if ACTIVATIONS.lookup(name) is None or name not in KERAS_ACTIVATIONS | {"linear"}:
        fail(where, f"Keras activation {name!r} has no neurona equivalent; neurona has "
                    f"{', '.join(sorted(set(ACTIVATIONS.names()) & KERAS_ACTIVATIONS))}")
    return name


def dtype_name(obj, where):
    """A layer's dtype policy as the dtype neurona computes in."""
    config = obj.get("config")
    policy = config.get("name") if isinstance(config, dict) else None
    if policy not in PLAIN_DTYPES:
        fail(where, f"dtype policy {_short(policy)} is not supported; neurona computes each "
                    f"layer in one of {', '.join(PLAIN_DTYPES)} (no mixed precision or "
                    "quantization)")
    return policy


# -- writing --------------------------------------------------------------------------------------
def keras_object(family, serialized):
    """neurona's ``{"class_name", "config"}`` (or a name) of a built-in object in Keras's form."""
    if serialized is None or isinstance(serialized, str):
        return serialized
    config = serialized.get("config") or {}
    if family == "optimizer" and isinstance(config.get("learning_rate"), dict):
        config = dict(config, learning_rate=keras_object("schedule", config["learning_rate"]))
    name = serialized["class_name"]
    builtin = registry_of(family)._entries.get(name)
    if builtin is None:  # a registered custom class
        cls = custom_object(name)
        return {"module": getattr(cls, "__module__", None),
                "class_name": getattr(cls, "__name__", name), "config": config,
                "registered_name": registered_name(cls) if cls is not None else name}
    return {"module": FAMILY_MODULES[family], "class_name": name, "config": config,
            "registered_name": None}


def keras_activation(value, where):
    """An activation as Keras 3 names it; neurona-only functions are refused (Keras could not
    load them)."""
    if value is None or value == "linear":
        return "linear"
    if isinstance(value, str) and value in KERAS_ACTIVATIONS:
        return value
    if isinstance(value, str) and custom_object(value) is not None:
        fn = custom_object(value)
        return {"module": getattr(fn, "__module__", None), "class_name": "function",
                "config": registered_name(fn), "registered_name": "function"}
    if isinstance(value, dict) and value.get("class_name") == "function" \
            and isinstance(value.get("config"), str):  # an unregistered function, by name
        return dict(value)
    raise ValueError(f"{where}: activation {value!r} has no Keras 3 equivalent, so Keras could "
                     "not load the file; save it in neurona's format (.neurona) instead")
