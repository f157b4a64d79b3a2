"""Losses with Keras's names, defaults and semantics: ``from neurona import losses``.

``losses.get("mse")`` (or any class name, Keras function name or alias, a config dict, a
:class:`Loss`, or a plain ``fn(y_true, y_pred)``) returns a :class:`Loss` instance. Each loss
has a functional face returning per-sample losses (``losses.mean_squared_error(y_true,
y_pred)``), and a class attribute ``label_kind`` telling a trainer which labels it expects.
"""

from ..registry import serialize as _serialize
from .loss import LOSSES, REDUCTIONS, LABEL_KINDS, Loss, reduce_weighted
from .wrapper import LossFunctionWrapper
from .regression import (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
                         MeanSquaredLogarithmicError, Huber, LogCosh, CosineSimilarity)
from .crossentropy import (BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
                           SparseCategoricalCrossentropy)
from .probabilistic import KLDivergence, Poisson
from .hinge import Hinge, SquaredHinge, CategoricalHinge
from .functional import *  # noqa: F401,F403  (the per-sample functions, Keras's names)
from .functional import __all__ as _functional_names

__all__ = [
    "Loss", "LossFunctionWrapper", "REDUCTIONS", "LABEL_KINDS", "get", "serialize",
    "deserialize", "reduce_weighted",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "Huber", "LogCosh", "CosineSimilarity",
    "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge", "SquaredHinge",
    "CategoricalHinge",
] + list(_functional_names)


def get(identifier):
    """Resolve a loss identifier to a :class:`Loss` instance (Keras's rules).

    Args:
        identifier: a name (``"mse"``, ``"binary_crossentropy"``, ``"CategoricalCrossentropy"``,
            ``"cosine_proximity"``, ...), a ``{"class_name": ..., "config": {...}}`` dict, a
            Loss instance (returned as is) or class, one of this module's functions, or any
            ``fn(y_true, y_pred) -> per-sample losses`` (wrapped in
            :class:`LossFunctionWrapper`). ``None`` gives ``None``.

    Returns:
        A Loss instance (or None).

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: anything else.

    Example:
        >>> get("mse")
        MeanSquaredError(reduction='sum_over_batch_size', name='mean_squared_error')
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, (str, dict)):
        return LOSSES.get(identifier)
    if callable(identifier):
        loss_class = getattr(identifier, "loss_class", None)
        return loss_class() if loss_class is not None else LossFunctionWrapper(identifier)
    raise TypeError(
        f"Could not interpret loss identifier {identifier!r}: pass a name such as 'mse', a "
        f"Loss, a {{'class_name': ..., 'config': ...}} dict or a function(y_true, y_pred)"
    )


def serialize(loss):
    """A loss as ``{"class_name": ..., "config": {...}}`` (see :func:`deserialize`)."""
    return _serialize(get(loss))


def deserialize(config):
    """Rebuild a loss from :func:`serialize`'s output or a name."""
    if not isinstance(config, (str, dict)):
        raise TypeError(f"deserialize expects a name or a config dict, got {config!r}")
    return LOSSES.get(config)
