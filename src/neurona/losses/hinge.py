"""Hinge losses for maximum-margin classifiers: hinge, squared hinge and categorical hinge."""

from .. import functions as F
from ..backend import get_ops
from .loss import LOSSES, Loss, align


def _signed_labels(y_true):
    """Keras: labels that are all 0 or 1 become -1/+1; other labels are used as given.

    Decided on the device (one ``where`` over an ``all``), so nothing waits for the host.
    """
    xp = get_ops().xp
    binary = xp.all((y_true == 0) | (y_true == 1))
    return xp.where(binary, 2 * y_true - 1, y_true)


@LOSSES.register("Hinge", "hinge")
class Hinge(Loss):
    """Hinge loss ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``.

    Targets are -1/+1; 0/1 targets are converted to -1/+1 first.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"hinge"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> float(Hinge()([[1.0, 0.0]], Tensor([[0.5, -2.0]])))
        0.25
    """

    label_kind = "binary"

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(reduction, name)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        return F.mean(F.maximum(1 - y_pred * _signed_labels(y_true), 0), axis=-1)


@LOSSES.register("SquaredHinge", "squared_hinge")
class SquaredHinge(Loss):
    """Squared hinge loss ``mean(maximum(1 - y_true * y_pred, 0) ** 2, axis=-1)``.

    Targets are -1/+1; 0/1 targets are converted to -1/+1 first.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"squared_hinge"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> float(SquaredHinge()([[1.0, 0.0]], Tensor([[0.5, -2.0]])))
        0.125
    """

    label_kind = "binary"

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(reduction, name)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        return F.mean(F.square(F.maximum(1 - y_pred * _signed_labels(y_true), 0)), axis=-1)


@LOSSES.register("CategoricalHinge", "categorical_hinge")
class CategoricalHinge(Loss):
    """Categorical hinge ``maximum(neg - pos + 1, 0)`` on one-hot targets.

    ``pos = sum(y_true * y_pred)`` is the score of the true class and
    ``neg = max((1 - y_true) * y_pred)`` the best score among the others (both over the last
    axis).

    Args:
        reduction: see :class:`Loss`.
        name: default ``"categorical_hinge"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> round(float(CategoricalHinge()([[0.0, 1.0, 0.0]], Tensor([[0.2, 0.9, 0.5]]))), 4)
        0.6
    """

    label_kind = "categorical"

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(reduction, name)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        pos = F.sum(y_pred * y_true, axis=-1)
        neg = F.max(y_pred * (1 - y_true), axis=-1)
        return F.maximum(neg - pos + 1, 0)
