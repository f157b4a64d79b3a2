"""Losses between distributions and counts: Kullback-Leibler divergence and Poisson."""

from .. import config
from .. import functions as F
from .loss import LOSSES, Loss, align


@LOSSES.register("KLDivergence", "kl_divergence", "kld", "KLD", "kullback_leibler_divergence")
class KLDivergence(Loss):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred), axis=-1)``.

    Both sides are clipped to ``[epsilon, 1]`` first, as Keras does.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"kl_divergence"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> round(float(KLDivergence()([[0.5, 0.5]], Tensor([[0.25, 0.75]]))), 4)
        0.1438
    """

    label_kind = "categorical"

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(reduction, name)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        xp, eps = y_pred.ops.xp, config.epsilon()
        y = xp.clip(y_true, eps, 1)
        # sum y log y is a constant; only -sum y log(clip(y_pred)) carries the gradient
        entropy = (y * xp.log(y)).sum(axis=-1)
        return entropy - F.sum(F.log(F.clip(y_pred, eps, 1)) * y, axis=-1)


@LOSSES.register("Poisson", "poisson")
class Poisson(Loss):
    """Poisson negative log-likelihood up to a constant: ``mean(y_pred - y_true * log(y_pred +
    epsilon), axis=-1)``, for count targets and positive rate predictions.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"poisson"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> round(float(Poisson()([[1.0]], Tensor([[1.0]]))), 4)
        1.0
    """

    label_kind = "regression"

    def __init__(self, reduction="sum_over_batch_size", name="poisson"):
        super().__init__(reduction, name)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        return F.mean(y_pred - F.log(y_pred + config.epsilon()) * y_true, axis=-1)
