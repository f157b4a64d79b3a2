"""Optimizers and learning-rate schedules with Keras's names: ``optimizers.get("adam")``.

Every optimizer packs its variables into one flat buffer per dtype (see
:mod:`neurona.optimizers.optimizer`), so a step is a few vectorised passes however many
variables the model has.
"""

from ..registry import Registry
from . import schedules
from .optimizer import Optimizer
from .sgd import SGD
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adam import Adam, AdamW
from .nadam import Nadam
from .adamax import Adamax

_registry = Registry("optimizer")
for _cls, _name in ((SGD, "sgd"), (Adagrad, "adagrad"), (RMSprop, "rmsprop"), (Adam, "adam"),
                    (AdamW, "adamw"), (Nadam, "nadam"), (Adamax, "adamax")):
    _registry.register(_cls.__name__, _name)(_cls)

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Nadam", "Adamax",
           "schedules", "get", "serialize", "deserialize"]


def get(identifier):
    """Resolve an optimizer: a name ("adam", "SGD"; a new instance with Keras's defaults), a
    ``{"class_name", "config"}`` dict, or an Optimizer instance (returned as is).

    Example:
        >>> float(get("adam").learning_rate)
        0.001
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return _registry.get(identifier)
    raise ValueError(
        f"Could not interpret optimizer identifier {identifier!r}; use a name such as 'adam', "
        f"a config dict or an Optimizer instance. Valid names: {', '.join(_registry.names())}"
    )


def serialize(optimizer):
    """``{"class_name": ..., "config": {...}}`` (JSON-friendly; schedules nested by name)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize: expected an Optimizer, got {optimizer!r}")
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config):
    """Inverse of :func:`serialize` (a fresh optimizer; restore its state with set_state)."""
    return _registry.from_config(config)
