"""The :class:`Loss` base class: Keras's reductions, sample weights and label checks.

A loss call is ``loss(y_true, y_pred, sample_weight=None) -> scalar Tensor``. ``call`` gives the
per-sample losses (each sample's elements reduced over the last or the class axis); the base
class weights and reduces them. The built-in losses override ``_reduced`` so that the common
training case (no sample weight, a scalar reduction) is a single fused graph node.
"""

import re

import numpy as np  # shape arithmetic only

from .. import config, validation
from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..registry import Registry

#: every loss a user can name with a string (class names, Keras function names, aliases)
LOSSES = Registry("loss")

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
LABEL_KINDS = ("regression", "binary", "categorical", "sparse_categorical", "any")


class Loss:
    """Base class of every loss; subclass it and define ``call`` for a custom loss.

    Args:
        reduction: how per-sample losses become the result: ``"sum_over_batch_size"``
            (default; the weighted sum divided by the number of per-sample losses), ``"mean"``
            (the same), ``"sum"``, ``"mean_with_sample_weight"`` (the weighted sum divided by
            the sum of the weights) or ``"none"``/``None`` (the weighted per-sample losses).
        name: the loss's name (default: the class name in snake case).

    Class attributes:
        label_kind: the labels the loss expects, so a trainer can check them and pick an
            accuracy: ``"regression"`` (real targets of the prediction's shape), ``"binary"``
            (0/1 targets of the prediction's shape), ``"categorical"`` (one-hot or soft
            distributions of the prediction's shape), ``"sparse_categorical"`` (integer class
            indices, the prediction's shape without the class axis) or ``"any"``.

    Example:
        >>> from neurona import Tensor
        >>> import neurona.functions as F
        >>> class MeanCubedError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return F.mean(F.abs(y_pred - y_true) ** 3, axis=-1)
        >>> float(MeanCubedError()([[0.0, 0.0]], Tensor([[1.0, 2.0]])))
        4.5
    """

    label_kind = "any"

    def __init__(self, reduction="sum_over_batch_size", name=None):
        validation.choice(type(self).__name__, "reduction", reduction, REDUCTIONS)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None, got {name!r}")
        self.reduction = reduction
        self.name = name or re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss of a batch.

        Args:
            y_true: the targets: an array (NumPy, CuPy or nested lists) or a Tensor (used as a
                constant).
            y_pred: the predictions, a Tensor (or an array, then a constant).
            sample_weight: optional weights broadcastable to the per-sample losses (a trailing
                unit axis is squeezed or added as Keras does); a scalar scales the loss.

        Returns:
            A scalar Tensor, or the per-sample losses for ``reduction="none"``.
        """
        y_true, y_pred = as_target(y_true), as_prediction(y_pred)
        if sample_weight is None and self.reduction not in ("none", None):
            return self._reduced(y_true, y_pred)
        return reduce_weighted(self.call(y_true, y_pred), sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        """Per-sample losses (a Tensor); subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def _reduced(self, y_true, y_pred):
        """The unweighted scalar loss; fused built-ins override it with one graph node."""
        return reduce_weighted(self.call(y_true, y_pred), None, self.reduction)

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class FusedLoss(Loss):
    """A built-in loss computed by ``_compute(y_true, y_pred, reduction)``.

    ``reduction`` is "none" for the per-sample losses, or "sum"/"mean" for the unweighted
    result, which the fused Functions of :mod:`neurona.functions.loss` produce in one node.
    """

    def call(self, y_true, y_pred):
        return self._compute(y_true, y_pred, "none")

    def _reduced(self, y_true, y_pred):
        return self._compute(y_true, y_pred, "sum" if self.reduction == "sum" else "mean")


def reduce_simple(per_sample, reduction):
    """Per-sample losses reduced by a fused-Function reduction: "none", "sum" or "mean"."""
    if reduction == "none":
        return per_sample
    return F.sum(per_sample) if reduction == "sum" else F.mean(per_sample)


# -- conversion and alignment ---------------------------------------------------------------------
def as_prediction(y_pred):
    """``y_pred`` as a Tensor with a floating dtype (tensors pass through untouched)."""
    if isinstance(y_pred, Tensor):
        if y_pred.data.dtype.kind != "f":
            raise TypeError(f"y_pred must hold floating-point values, got dtype {y_pred.dtype}")
        return y_pred
    out = Tensor(y_pred)
    if out.data.dtype.kind != "f":
        out = Tensor(out.data.astype(config.floatx()))
    return out


def as_target(y_true):
    """The backend array behind ``y_true`` (a Tensor counts as a constant)."""
    if isinstance(y_true, Tensor):
        return y_true.data
    ops = get_ops()
    return y_true if ops.is_array(y_true) else Tensor(y_true).data


def match_rank(a, b):
    """Keras's squeeze-or-expand of a trailing unit axis when two ranks differ by one.

    ``a`` and ``b`` are arrays or Tensors. A rank-1 side facing ``(N, 1)`` is expanded to
    ``(N, 1)``; otherwise the side with the extra unit axis is squeezed.
    """
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        if b.ndim == 1:
            b = _expand_last(b)
        else:
            a = _squeeze_last(a)
    elif b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        if a.ndim == 1:
            a = _expand_last(a)
        else:
            b = _squeeze_last(b)
    return a, b


def _expand_last(x):
    return F.expand_dims(x, -1) if isinstance(x, Tensor) else x[..., None]


def _squeeze_last(x):
    return F.squeeze(x, -1) if isinstance(x, Tensor) else x.reshape(x.shape[:-1])


def align(y_true, y_pred, loss_name, hint=""):
    """Convert, cast ``y_true`` to ``y_pred``'s dtype, match ranks and insist on equal shapes."""
    y_true, y_pred = as_target(y_true), as_prediction(y_pred)
    if y_pred.ndim == 0:
        raise ValueError(f"{loss_name}: y_pred must have at least one axis, got a scalar")
    if y_true.dtype != y_pred.dtype:
        y_true = y_true.astype(y_pred.dtype)
    y_true, y_pred = match_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{loss_name}: y_true of shape {y_true.shape} does not match y_pred of shape "
            f"{y_pred.shape}; they must be equal (or differ by a trailing axis of size 1)."
            f"{hint}"
        )
    return y_true, y_pred


# -- weighting and reduction ----------------------------------------------------------------------
def reduce_weighted(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample losses (and the mask a loss attached as ``values._mask``) and reduce.

    Follows Keras: masked-out entries get weight 0, and for the mean reductions the valid ones
    are scaled by total/valid so the mean runs over the valid entries only.
    """
    xp = get_ops().xp
    dtype = values.dtype
    weights = None
    if sample_weight is not None:
        weights = as_target(sample_weight)
        if weights.dtype != dtype:
            weights = weights.astype(dtype)
    mask = getattr(values, "_mask", None)
    if mask is not None:
        mask = mask.astype(dtype)
        if reduction in ("sum_over_batch_size", "mean"):
            valid = mask.sum()
            mask = mask * xp.where(valid > 0, mask.size / xp.maximum(valid, 1), 0).astype(dtype)
        if weights is None:
            weights = mask
        else:
            mask, weights = match_rank(mask, weights)
            weights = weights * mask
    if weights is not None:
        values = _apply_weights(values, weights)
    if reduction in ("none", None) or values.ndim == 0:
        return values
    total = F.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weights is not None:
        denom = weights.sum()
        return total * xp.where(denom != 0, 1 / xp.where(denom != 0, denom, 1), 0).astype(dtype)
    return total / max(values.size, 1)


def _apply_weights(values, weights):
    values, weights = match_rank(values, weights)
    try:
        np.broadcast_shapes(values.shape, weights.shape)
    except ValueError:
        raise ValueError(
            f"sample_weight of shape {weights.shape} does not broadcast to the per-sample "
            f"losses of shape {values.shape}; pass one weight per sample, e.g. shape "
            f"{values.shape[:1]}"
        ) from None
    return values * weights
