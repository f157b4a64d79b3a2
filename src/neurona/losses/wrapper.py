"""``LossFunctionWrapper``: a plain ``fn(y_true, y_pred)`` used as a :class:`Loss`."""

from ..autograd.tensor import Tensor
from .loss import Loss, as_prediction, as_target, match_rank


class LossFunctionWrapper(Loss):
    """Turn a function returning per-sample losses into a Loss with Keras's reductions.

    ``y_true`` is converted to an array of ``y_pred``'s dtype and the ranks are matched as
    Keras does (``(N,)`` against ``(N, 1)``) before ``fn`` runs.

    Args:
        fn: ``fn(y_true_array, y_pred_tensor) -> Tensor`` of per-sample losses, written with
            ``neurona.functions`` so it has a gradient.
        reduction: see :class:`Loss`.
        name: default ``fn.__name__``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> import neurona.functions as F
        >>> loss = LossFunctionWrapper(lambda t, p: F.mean(F.abs(p - t) ** 3, axis=-1))
        >>> float(loss([[0.0, 0.0]], Tensor([[1.0, 2.0]])))
        4.5
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None):
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper: fn must be callable, got {fn!r}")
        super().__init__(reduction, name or getattr(fn, "__name__", None))
        self.fn = fn

    def call(self, y_true, y_pred):
        y_true, y_pred = as_target(y_true), as_prediction(y_pred)
        if y_true.dtype != y_pred.dtype:
            y_true = y_true.astype(y_pred.dtype)
        y_true, y_pred = match_rank(y_true, y_pred)
        out = self.fn(y_true, y_pred)
        return out if isinstance(out, Tensor) else Tensor(out)

    def get_config(self):
        raise TypeError(
            f"LossFunctionWrapper({self.name!r}) wraps a Python function, which a config "
            f"cannot hold safely; subclass neurona.losses.Loss (with get_config) to save it"
        )

    def __repr__(self):
        return f"LossFunctionWrapper({self.name!r}, reduction={self.reduction!r})"
