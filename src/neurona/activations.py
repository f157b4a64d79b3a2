"""Activations by name: ``keras.activations`` on top of :mod:`neurona.functions`.

Every entry is the very function ``neurona.functions`` exports, so one implementation has three
faces: ``F.relu(x)``, ``x.relu()`` and ``layers.Activation("relu")`` / ``Dense(..., activation=
"relu")``. The names are Keras 3's, plus the course's ``"step"`` (the perceptron's Heaviside).

Example:
    >>> from neurona import activations
    >>> activations.get("relu")([-1.0, 2.0]).tolist()
    [0.0, 2.0]
    >>> activations.serialize(activations.get("swish"))
    'silu'
"""

import inspect

from . import functions as F
from .functions import (linear, step, relu, relu6, leaky_relu, elu, selu, gelu, sigmoid,
                        hard_sigmoid, hard_silu, hard_swish, tanh, silu, swish, softplus, softsign,
                        mish, exponential, softmax, log_softmax, crelu)
from .registry import Registry, registered_name

__all__ = ["ACTIVATIONS", "get", "serialize", "deserialize", "linear", "step", "relu", "relu6",
           "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "hard_silu",
           "hard_swish", "tanh", "silu", "swish", "softplus", "softsign", "mish", "exponential",
           "softmax", "log_softmax", "crelu"]

ACTIVATIONS = Registry("activation")

for _fn in (linear, step, relu, relu6, leaky_relu, elu, selu, gelu, sigmoid, hard_sigmoid,
            hard_silu, tanh, silu, softplus, softsign, mish, exponential, softmax, log_softmax,
            crelu):
    _fn.registered_name = _fn.__name__  # serialize() writes this name back
    ACTIVATIONS.add(_fn.__name__, _fn)
# Keras's aliases: the same function under a second name (serialized under the first)
ACTIVATIONS.add("swish", swish)
ACTIVATIONS.add("hard_swish", hard_swish)


def get(identifier):
    """Resolve an activation the way ``keras.activations.get`` does.

    Args:
        identifier: None (the identity, "linear"), a registered name such as ``"relu"`` or
            ``"swish"``, a serialized dict (``{"class_name": "function", "config": "relu"}`` as
            Keras 3 writes it, or ``{"class_name": "relu"}``), or any callable (returned as is).

    Returns:
        A callable mapping a tensor to a tensor.

    Example:
        >>> get(None) is get("linear")
        True
    """
    if identifier is None:
        return F.linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return ACTIVATIONS.get_class(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret activation identifier {identifier!r}: pass a name (one of "
        f"{', '.join(ACTIVATIONS.names())}), a callable or None"
    )


def serialize(activation):
    """The registered name of ``activation`` (``"silu"`` for swish, as Keras), or the
    ``{"class_name", "config"}`` dict of an object with ``get_config``.

    An unregistered ``def`` function is written as Keras 3 writes it (``{"class_name":
    "function", "config": its name, ...}``): loading it needs ``custom_objects`` or the function
    registered.

    Raises:
        ValueError: for a lambda or another callable that has no name to be found by.
    """
    name = registered_name(activation)  # also a register_keras_serializable function's name
    if name is not None and ACTIVATIONS.lookup(name) is activation:
        return name
    if hasattr(activation, "get_config"):
        return {"class_name": type(activation).__name__, "config": activation.get_config()}
    if inspect.isfunction(activation) and activation.__name__ != "<lambda>":
        # Keras 3's form: the function by name; loading finds it only among the registered
        # functions and the custom_objects given (a file never carries code)
        return {"module": activation.__module__, "class_name": "function",
                "config": activation.__name__, "registered_name": "function"}
    raise ValueError(
        f"Cannot serialize activation {activation!r}: it is neither a registered activation "
        f"nor a named function. Use one of {', '.join(ACTIVATIONS.names())}, a def function "
        f"(loaded back through custom_objects), or register it with "
        f"@neurona.saving.register_keras_serializable()"
    )


def deserialize(config):
    """Inverse of :func:`serialize`: a name, or a Keras-style dict naming a function."""
    if isinstance(config, str):
        return ACTIVATIONS.get_class(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"An activation config must be a name or a dict with 'class_name', "
                         f"got {config!r}")
    if config["class_name"] == "function":  # Keras 3 form: the name is the config
        return ACTIVATIONS.get_class(config.get("config"))
    return ACTIVATIONS.from_config(config)
