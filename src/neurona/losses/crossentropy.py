"""Cross-entropy losses: binary, binary focal, categorical and sparse categorical.

Logits fusion: ``neurona.functions.sigmoid`` and ``softmax`` tag their output Tensor with the
logits they came from (``_logits``, and ``_logits_axis`` for softmax). With
``from_logits=False`` these losses look for that tag and, when the probabilities came straight
from a sigmoid (binary) or a softmax over the loss's axis (categorical), compute the loss
exactly from the logits with one fused, stable node, as Keras does internally. Otherwise they
use Keras's formula on probabilities clipped to ``[epsilon, 1 - epsilon]``.
"""

import warnings

from .. import config, validation
from .. import functions as F
from ..functions import loss as FL
from .loss import LOSSES, FusedLoss, Loss, align, as_prediction, as_target, reduce_simple

_SPARSE_HINT = (" y_true looks like integer class labels: use SparseCategoricalCrossentropy "
                "(loss='sparse_categorical_crossentropy') or one-hot encode them with "
                "neurona.utils.to_categorical.")


def _check_common(owner, from_logits, label_smoothing, axis):
    """The cross-entropies' (from_logits, label_smoothing, axis), checked."""
    return (validation.boolean(owner, "from_logits", from_logits),
            validation.real(owner, "label_smoothing", label_smoothing, 0.0, 1.0),
            validation.axis(owner, "axis", axis, type_error=TypeError))


def _tagged_logits(y_pred, from_logits, axis, name):
    """The logits behind ``y_pred``: itself when from_logits, a matching activation's tag, or None.

    ``axis`` is None for the binary losses (a sigmoid's tag) and the class axis for the
    categorical ones (a softmax over that axis).
    """
    logits = getattr(y_pred, "_logits", None)
    tag_axis = getattr(y_pred, "_logits_axis", None)
    matches = logits is not None and (
        tag_axis is None if axis is None
        else tag_axis is not None and tag_axis % y_pred.ndim == axis % y_pred.ndim)
    if from_logits:
        if matches:
            warnings.warn(f"{name}: from_logits=True, but y_pred is the output of a "
                          f"{'sigmoid' if axis is None else 'softmax'}; pass the logits or use "
                          f"from_logits=False", UserWarning, stacklevel=4)
        return y_pred
    return as_prediction(logits) if matches else None


@LOSSES.register("BinaryCrossentropy", "binary_crossentropy", "bce", "BCE")
class BinaryCrossentropy(FusedLoss):
    """Binary cross-entropy, averaged over ``axis``, for 0/1 (or soft) targets.

    From logits it is ``max(z, 0) - z * y + log1p(exp(-|z|))``, exact for any logit. From
    probabilities it uses the sigmoid's logits when ``y_pred`` came from ``sigmoid`` (see the
    module docstring), else Keras's clipped formula.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; targets become ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged into the per-sample loss (default -1).
        reduction: see :class:`Loss`.
        name: default ``"binary_crossentropy"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> loss = BinaryCrossentropy(from_logits=True)
        >>> round(float(loss([[0.0, 1.0]], Tensor([[-18.6, 0.51]]))), 4)
        0.2352
    """

    label_kind = "binary"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        super().__init__(reduction, name)
        self.from_logits, self.label_smoothing, self.axis = _check_common(
            type(self).__name__, from_logits, label_smoothing, axis)

    def _compute(self, y_true, y_pred, reduction):
        y_pred = as_prediction(y_pred)
        logits = _tagged_logits(y_pred, self.from_logits, None, self.name)
        y_true, x = align(y_true, y_pred if logits is None else logits, self.name)
        if self.label_smoothing:
            y_true = y_true * (1 - self.label_smoothing) + 0.5 * self.label_smoothing
        if logits is not None:
            return FL.SigmoidBinaryCrossEntropy(self.axis, reduction)(x, y_true)
        return FL.BinaryCrossEntropy(config.epsilon(), self.axis, reduction)(x, y_true)

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, **super().get_config()}


@LOSSES.register("BinaryFocalCrossentropy", "binary_focal_crossentropy")
class BinaryFocalCrossentropy(FusedLoss):
    """Binary cross-entropy scaled by ``(1 - p_t) ** gamma`` to focus on hard examples.

    ``p_t`` is the predicted probability of the true class; with ``apply_class_balancing`` the
    loss of class 1 is also weighted by ``alpha`` and class 0 by ``1 - alpha`` (Lin et al.).

    Args:
        apply_class_balancing: weight the classes by ``alpha`` / ``1 - alpha``.
        alpha: weight of class 1 in [0, 1] (default 0.25).
        gamma: focusing parameter >= 0 (default 2.0; 0 gives plain binary cross-entropy).
        from_logits, label_smoothing, axis, reduction: as :class:`BinaryCrossentropy`.
        name: default ``"binary_focal_crossentropy"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> loss = BinaryFocalCrossentropy(gamma=2.0)
        >>> round(float(loss([[0.0, 1.0], [0.0, 0.0]], Tensor([[0.6, 0.4], [0.4, 0.6]]))), 3)
        0.268
    """

    label_kind = "binary"

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy"):
        super().__init__(reduction, name)
        owner = type(self).__name__
        self.from_logits, self.label_smoothing, self.axis = _check_common(
            owner, from_logits, label_smoothing, axis)
        self.apply_class_balancing = validation.boolean(owner, "apply_class_balancing",
                                                        apply_class_balancing)
        self.alpha = validation.real(owner, "alpha", alpha, 0.0, 1.0)
        self.gamma = validation.real(owner, "gamma", gamma, low=0.0)

    def _compute(self, y_true, y_pred, reduction):
        y_true, p = align(y_true, y_pred, self.name)
        y = y_true
        if self.label_smoothing:
            y = y * (1 - self.label_smoothing) + 0.5 * self.label_smoothing
        if self.from_logits:
            p = F.sigmoid(p)
        eps = config.epsilon()
        q = F.clip(p, eps, 1 - eps)
        bce = -(F.log(q) * y + F.log(1 - q) * (1 - y))
        focal = bce
        if self.gamma:
            # 1 - p_t = 1 - (y p + (1 - y)(1 - p)) = p (1 - 2y) + y, from the unclipped p (Keras)
            focal = (p * (1 - 2 * y) + y) ** self.gamma * bce
        if self.apply_class_balancing:
            focal = focal * (y * self.alpha + (1 - y) * (1 - self.alpha))
        return reduce_simple(F.mean(focal, axis=self.axis), reduction)

    def get_config(self):
        return {"apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis,
                **super().get_config()}


def _probability_crossentropy(probs, y, axis, reduction):
    """Keras's crossentropy on probabilities: normalise along axis, clip, -sum(y log p)."""
    eps = config.epsilon()
    p = F.clip(probs / F.sum(probs, axis=axis, keepdims=True), eps, 1 - eps)
    return reduce_simple(-F.sum(F.log(p) * y, axis=axis), reduction)


@LOSSES.register("CategoricalCrossentropy", "categorical_crossentropy")
class CategoricalCrossentropy(FusedLoss):
    """Cross-entropy between one-hot (or soft) labels and predicted class distributions.

    From logits (or a tagged softmax output, see the module docstring) it is one fused node,
    ``logsumexp(z) - sum(y * z)``, with gradient ``softmax(z) - y``. From other probabilities
    it follows Keras: each distribution is normalised to sum to 1 and clipped to
    ``[epsilon, 1 - epsilon]``.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; targets become ``y * (1 - s) + s / num_classes``.
        axis: the class axis (default -1).
        reduction: see :class:`Loss`.
        name: default ``"categorical_crossentropy"``.

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> loss = CategoricalCrossentropy()
        >>> y_pred = Tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        >>> round(float(loss([[0, 1, 0], [0, 0, 1]], y_pred)), 3)
        1.177
    """

    label_kind = "categorical"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        super().__init__(reduction, name)
        self.from_logits, self.label_smoothing, self.axis = _check_common(
            type(self).__name__, from_logits, label_smoothing, axis)

    def _compute(self, y_true, y_pred, reduction):
        y_pred = as_prediction(y_pred)
        logits = _tagged_logits(y_pred, self.from_logits, self.axis, self.name)
        y_true, x = align(y_true, y_pred if logits is None else logits, self.name, _SPARSE_HINT)
        if self.label_smoothing:
            s = self.label_smoothing
            y_true = y_true * (1 - s) + s / y_true.shape[self.axis]
        if logits is not None:
            return FL.SoftmaxCrossEntropy(self.axis, reduction)(x, y_true)
        return _probability_crossentropy(x, y_true, self.axis, reduction)

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, **super().get_config()}


@LOSSES.register("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(FusedLoss):
    """Cross-entropy between integer class labels and predicted class distributions.

    Labels have the prediction's shape without the class axis (a trailing axis of size 1 is
    dropped). From logits, or a tagged softmax output, it is one fused node.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        ignore_class: a label value (e.g. -1 or 255) whose samples are left out: their loss is
            0 and, for the mean reductions, they do not count in the denominator.
        reduction: see :class:`Loss`.
        name: default ``"sparse_categorical_crossentropy"``.
        axis: the class axis of ``y_pred`` (default -1).

    Returns:
        Calling the loss returns a scalar Tensor (per-sample losses for ``reduction="none"``).

    Example:
        >>> from neurona import Tensor
        >>> loss = SparseCategoricalCrossentropy()
        >>> round(float(loss([1, 2], Tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]))), 3)
        1.177
    """

    label_kind = "sparse_categorical"

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", axis=-1):
        super().__init__(reduction, name)
        owner = type(self).__name__
        self.from_logits, _, self.axis = _check_common(owner, from_logits, 0.0, axis)
        self.ignore_class = validation.integer(owner, "ignore_class", ignore_class,
                                               allow_none=True, type_error=TypeError)

    def _reduced(self, y_true, y_pred):
        if self.ignore_class is not None:  # the mask changes the denominator: weighted path
            return Loss._reduced(self, y_true, y_pred)
        return super()._reduced(y_true, y_pred)

    def _compute(self, y_true, y_pred, reduction):
        y_pred = as_prediction(y_pred)
        logits = _tagged_logits(y_pred, self.from_logits, self.axis, self.name)
        x = y_pred if logits is None else logits
        labels = self._labels(as_target(y_true), x)
        valid = None
        if self.ignore_class is not None:
            valid = labels != self.ignore_class
            labels = labels * valid
        if logits is not None:
            per = FL.SparseSoftmaxCrossEntropy(self.axis, reduction)(x, labels)
        else:
            xp, axis = x.ops.xp, self.axis % x.ndim
            one_hot = (labels[..., None] == xp.arange(x.shape[axis])).astype(x.dtype)
            per = _probability_crossentropy(x, xp.moveaxis(one_hot, -1, axis), axis, reduction)
        if valid is None:
            return per
        per = per * valid
        per._mask = valid
        return per

    def _labels(self, labels, x):
        if labels.ndim == x.ndim and labels.shape[-1] == 1:
            labels = labels.reshape(labels.shape[:-1])
        axis = self.axis % x.ndim
        expected = x.shape[:axis] + x.shape[axis + 1:]
        if labels.shape != expected:
            hint = (" y_true looks one-hot: use CategoricalCrossentropy "
                    "(loss='categorical_crossentropy') or pass the class indices."
                    if labels.shape == x.shape else "")
            raise ValueError(
                f"{self.name}: y_true of shape {labels.shape} does not match y_pred of shape "
                f"{x.shape}: expected one integer class per sample, shape {expected}.{hint}")
        if labels.dtype.kind == "f":
            labels = labels.astype("int64")
        elif labels.dtype.kind not in "iu":
            raise TypeError(f"{self.name}: y_true must hold integer class indices, got dtype "
                            f"{labels.dtype}")
        return labels

    def get_config(self):
        return {"from_logits": self.from_logits, "ignore_class": self.ignore_class,
                "axis": self.axis, **super().get_config()}
