"""Regression losses: the pointwise errors (fused, one graph node) and their relatives.

Each per-sample loss is the mean over the last axis of a pointwise function of the error, as
Keras defines it; ``(N,)`` targets against ``(N, 1)`` predictions are matched as Keras does.
"""

from .. import config, validation
from .. import functions as F
from ..functions import loss as FL
from .loss import LOSSES, FusedLoss, Loss, align


class _FusedPointwise(FusedLoss):
    """A loss whose per-sample value is one fused Function of (y_pred, y_true)."""

    label_kind = "regression"
    function = None  # the Function class from neurona.functions.loss

    def _function(self, reduction):
        return self.function(-1, reduction)

    def _compute(self, y_true, y_pred, reduction):
        y_true, y_pred = align(y_true, y_pred, self.name)
        return self._function(reduction)(y_pred, y_true)


@LOSSES.register("MeanSquaredError", "mean_squared_error", "mse", "MSE")
class MeanSquaredError(_FusedPointwise):
    """Mean of the squared errors: ``mean((y_true - y_pred) ** 2, axis=-1)`` per sample.

    Args:
        reduction: see :class:`Loss` (default ``"sum_over_batch_size"``).
        name: default ``"mean_squared_error"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> float(MeanSquaredError()([[0.0, 1.0]], Tensor([[1.0, 1.0]])))
        0.5
    """

    function = FL.SquaredError

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(reduction, name)


@LOSSES.register("MeanAbsoluteError", "mean_absolute_error", "mae", "MAE")
class MeanAbsoluteError(_FusedPointwise):
    """Mean of the absolute errors: ``mean(abs(y_true - y_pred), axis=-1)`` per sample.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"mean_absolute_error"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> float(MeanAbsoluteError()([[0.0, 1.0]], Tensor([[1.0, 1.0]])))
        0.5
    """

    function = FL.AbsoluteError

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(reduction, name)


@LOSSES.register("Huber", "huber", "huber_loss")
class Huber(_FusedPointwise):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond.

    Per element ``0.5 * e**2`` if ``|e| <= delta`` else ``delta * |e| - 0.5 * delta**2``,
    averaged over the last axis.

    Args:
        delta: the error size where the loss turns linear (> 0, default 1.0).
        reduction: see :class:`Loss`.
        name: default ``"huber_loss"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> float(Huber(delta=1.0)([[0.0]], Tensor([[3.0]])))
        2.5
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(reduction, name)
        self.delta = validation.real("Huber", "delta", delta, low=0.0, low_open=True)

    def _function(self, reduction):
        return FL.HuberError(self.delta, reduction)

    def get_config(self):
        return {"delta": self.delta, **super().get_config()}


@LOSSES.register("LogCosh", "log_cosh", "logcosh")
class LogCosh(_FusedPointwise):
    """Logarithm of the hyperbolic cosine of the error, averaged over the last axis.

    About ``e**2 / 2`` for small errors and ``|e| - log(2)`` for large ones, computed without
    overflow.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"log_cosh"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> round(float(LogCosh()([[0.0, 1.0], [0.0, 0.0]], Tensor([[1.0, 1.0], [0.0, 0.0]]))), 3)
        0.108
    """

    function = FL.LogCoshError

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh"):
        super().__init__(reduction, name)


@LOSSES.register("MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape",
                 "MAPE")
class MeanAbsolutePercentageError(Loss):
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"mean_absolute_percentage_error"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> float(MeanAbsolutePercentageError()([[2.0, 4.0]], Tensor([[1.0, 4.0]])))
        25.0
    """

    label_kind = "regression"

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(reduction, name)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        xp = y_pred.ops.xp
        scale = 100.0 / xp.maximum(xp.abs(y_true), config.epsilon())
        return F.mean(F.abs(y_pred - y_true) * scale, axis=-1)


@LOSSES.register("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle",
                 "MSLE")
class MeanSquaredLogarithmicError(Loss):
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)``.

    Args:
        reduction: see :class:`Loss`.
        name: default ``"mean_squared_logarithmic_error"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> round(float(MeanSquaredLogarithmicError()([[0.0]], Tensor([[1.718281828]]))), 4)
        1.0
    """

    label_kind = "regression"

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error"):
        super().__init__(reduction, name)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        xp, eps = y_pred.ops.xp, config.epsilon()
        log_true = xp.log1p(xp.maximum(y_true, eps))
        return F.mean(F.square(F.log1p(F.maximum(y_pred, eps)) - log_true), axis=-1)


@LOSSES.register("CosineSimilarity", "cosine_similarity", "cosine_proximity")
class CosineSimilarity(Loss):
    """Negative cosine similarity along ``axis``: -1 for aligned vectors, 0 for orthogonal ones.

    Both sides are L2-normalised as ``x / sqrt(max(sum(x**2), epsilon))``, so a zero vector
    gives 0. ``"cosine_proximity"`` (the course's name) is an alias.

    Args:
        axis: the axis of the vectors (default -1).
        reduction: see :class:`Loss`.
        name: default ``"cosine_similarity"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> float(CosineSimilarity()([[0.0, 2.0]], Tensor([[0.0, 3.0]])))
        -1.0
    """

    label_kind = "any"

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        super().__init__(reduction, name)
        self.axis = validation.axis("CosineSimilarity", "axis", axis, type_error=TypeError)

    def call(self, y_true, y_pred):
        y_true, y_pred = align(y_true, y_pred, self.name)
        xp, eps, axis = y_pred.ops.xp, config.epsilon(), self.axis
        true_unit = y_true / xp.sqrt(xp.maximum((y_true * y_true).sum(axis, keepdims=True), eps))
        sq_norm = F.sum(F.square(y_pred), axis=axis, keepdims=True)
        return -F.sum(y_pred * true_unit, axis=axis) / F.squeeze(
            F.sqrt(F.maximum(sq_norm, eps)), axis)

    def get_config(self):
        return {"axis": self.axis, **super().get_config()}
