"""Loss functions as fused, numerically stable Functions (see :mod:`neurona.losses` for the API).

Each Function computes the loss of every element, reduces it over one axis to a per-sample loss
(a mean for the pointwise and binary losses, a sum over the classes for the categorical ones, as
Keras defines them) and then, by ``reduction``, either returns those per-sample losses
(``"none"``), their ``"sum"`` or their ``"mean"`` (Keras's ``"sum_over_batch_size"``). The loss
of a training batch is thus one graph node, and its backward one pass over the batch.

Predictions come first and targets second. Targets may be differentiable too (their gradient is
written next to the prediction's), integer class labels never are.
"""

import math as _math

from .. import config, validation
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_ops

__all__ = ["squared_error", "absolute_error", "huber_error", "log_cosh_error",
           "sigmoid_binary_cross_entropy", "binary_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy"]

REDUCTIONS = ("none", "sum", "mean")
_LOG2 = _math.log(2.0)


def _mean_last(x, axis):
    return x.sum(axis=axis) * (1.0 / x.shape[axis])


class _ReducedLoss(Function):
    """Shared reduction of per-sample losses and the matching upstream gradient."""

    def __init__(self, axis=-1, reduction="mean"):
        owner = type(self).__name__
        self.reduction = validation.choice(owner, "reduction", reduction, REDUCTIONS)
        self.axis = validation.axis(owner, "axis", axis, type_error=TypeError)

    def _reduce(self, per_sample):
        self.count = per_sample.size
        if self.reduction == "none":
            return per_sample
        if self.reduction == "sum" or self.count == 0:
            return per_sample.sum()
        # sum * (1/n): ndarray.mean goes through a slow Python wrapper, on every step
        return per_sample.sum() * (1.0 / self.count)

    def _upstream(self, g):
        """d(output)/d(per-sample loss), broadcastable against the input (``axis`` kept)."""
        if self.reduction == "none":
            return self.xp.expand_dims(g, self.axis)
        if self.reduction == "mean":
            return g / max(self.count, 1)
        return g


class _PointwiseLoss(_ReducedLoss):
    """mean over the last axis of f(pred - target); subclasses give f and f'."""

    def forward(self, pred, target):
        value, self.slope = self.pointwise(pred - target)
        self.n = pred.shape[-1]
        return self._reduce(_mean_last(value, -1))

    def backward(self, g):
        # d/dpred = f'(d) / n (the mean over the last axis), d/dtarget = -d/dpred
        gd = self.slope * (self._upstream(g) / self.n)
        return (gd if self.needs_grad[0] else None, -gd if self.needs_grad[1] else None)


class SquaredError(_PointwiseLoss):
    def pointwise(self, d):
        # f = d^2, f' = 2 d
        return d * d, d * 2


class AbsoluteError(_PointwiseLoss):
    def pointwise(self, d):
        # f = |d|, f' = sign(d) (0 at 0, as PyTorch and TF)
        return self.xp.abs(d), self.xp.sign(d)


class HuberError(_PointwiseLoss):
    def __init__(self, delta=1.0, reduction="mean"):
        super().__init__(-1, reduction)
        self.delta = float(delta)

    def pointwise(self, d):
        # f = d^2 / 2 for |d| <= delta, else delta |d| - delta^2 / 2; f' = clip(d, -delta, delta)
        xp, delta = self.xp, self.delta
        a = xp.abs(d)
        value = xp.where(a <= delta, 0.5 * d * d, delta * a - 0.5 * delta * delta)
        return value, xp.clip(d, -delta, delta)


class LogCoshError(_PointwiseLoss):
    def pointwise(self, d):
        # log cosh d = |d| + log1p(exp(-2|d|)) - log 2 (no overflow); f' = tanh(d)
        xp = self.xp
        a = xp.abs(d)
        return a + xp.log1p(xp.exp(-2 * a)) - _LOG2, xp.tanh(d)


class SigmoidBinaryCrossEntropy(_ReducedLoss):
    """mean over ``axis`` of max(z, 0) - z y + log1p(exp(-|z|)): exact for every finite z."""

    def forward(self, z, y):
        xp = self.xp
        e = xp.exp(-xp.abs(z))
        elem = xp.maximum(z, 0) - z * y + xp.log1p(e)
        # sigmoid(z) from the same exp(-|z|): 1 / (1 + e) for z >= 0, e / (1 + e) below
        self.p = xp.where(z >= 0, 1, e) / (1 + e)
        self.z, self.y = z, y
        self.n = z.shape[self.axis]
        return self._reduce(_mean_last(elem, self.axis))

    def backward(self, g):
        # dL/dz = sigmoid(z) - y, dL/dy = -z (each divided by n for the mean over axis)
        s = self._upstream(g) / self.n
        return (s * (self.p - self.y) if self.needs_grad[0] else None,
                -s * self.z if self.needs_grad[1] else None)


class BinaryCrossEntropy(_ReducedLoss):
    """mean over ``axis`` of -(y log q + (1 - y) log(1 - q)), q = clip(p, eps, 1 - eps) (Keras)."""

    def __init__(self, epsilon, axis=-1, reduction="mean"):
        super().__init__(axis, reduction)
        self.epsilon = epsilon

    def forward(self, p, y):
        xp, eps = self.xp, self.epsilon
        self.inside = (p >= eps) & (p <= 1 - eps)
        q = xp.clip(p, eps, 1 - eps)
        log_q, log_1q = xp.log(q), xp.log1p(-q)
        elem = -(y * log_q + (1 - y) * log_1q)
        self.q, self.y = q, y
        self.n = p.shape[self.axis]
        return self._reduce(_mean_last(elem, self.axis))

    def backward(self, g):
        # dL/dp = (q - y) / (q (1 - q)) where p is inside the clip range, else 0;
        # dL/dy = log(1 - q) - log(q)
        s = self._upstream(g) / self.n
        q, xp = self.q, self.xp
        gp = gy = None
        if self.needs_grad[0]:
            gp = s * self.inside * (q - self.y) / (q * (1 - q))
        if self.needs_grad[1]:
            gy = s * (xp.log1p(-q) - xp.log(q))
        return gp, gy


class SoftmaxCrossEntropy(_ReducedLoss):
    """-sum over ``axis`` of y log_softmax(z): one-hot or soft labels ``y`` of z's shape."""

    def forward(self, z, y):
        self.logp = self.ops.log_softmax(z, axis=self.axis)
        self.y = y
        return self._reduce(-(y * self.logp).sum(axis=self.axis))

    def backward(self, g):
        # dL/dz = softmax(z) sum(y) - y (softmax - y for labels summing to 1); dL/dy = -log_softmax
        s, y, axis = self._upstream(g), self.y, self.axis
        gz = gy = None
        if self.needs_grad[0]:
            gz = s * (self.xp.exp(self.logp) * y.sum(axis=axis, keepdims=True) - y)
        if self.needs_grad[1]:
            gy = -s * self.logp
        return gz, gy


class SparseSoftmaxCrossEntropy(_ReducedLoss):
    """-log_softmax(z)[label] along ``axis``, with integer labels of z's shape without ``axis``."""

    def forward(self, z, labels):
        xp = self.xp
        self.axis = self.axis % z.ndim
        self.last = self.axis == z.ndim - 1
        zt = z if self.last else xp.moveaxis(z, self.axis, -1)  # classes last: a row per sample
        logp = self.ops.log_softmax(zt, axis=-1)
        rows = xp.arange(labels.size)
        self.rows, self.cols = rows, labels.reshape(-1).astype("int64", copy=False)
        self.logp = logp
        picked = logp.reshape(-1, logp.shape[-1])[rows, self.cols]
        return self._reduce(-picked.reshape(labels.shape))

    def backward(self, g):
        # dL/dz = softmax(z) - onehot(label); the labels get no gradient
        xp = self.xp
        shape = self.logp.shape
        flat = xp.exp(self.logp).reshape(-1, shape[-1])  # a copy when logp is a strided view
        flat[self.rows, self.cols] -= 1
        grad = flat.reshape(shape)
        s = self._upstream(g)
        if self.reduction == "none" and not self.last:  # per-sample upstream: its axis last too
            s = xp.moveaxis(s, self.axis, -1)
        grad *= s
        return (grad if self.last else xp.moveaxis(grad, -1, self.axis), None)


def _as_target(target, pred):
    """Targets as given when a tensor or backend array, else an array of the prediction's dtype."""
    if isinstance(target, Tensor) or get_ops().is_array(target):
        return target
    return get_ops().asarray(target, dtype=pred.dtype)


def _check_same_shape(fn, pred, target):
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(
            f"{fn}: predictions of shape {tuple(pred.shape)} and targets of shape "
            f"{tuple(target.shape)} differ; pass arrays of the same shape"
        )


def squared_error(pred, target, reduction="mean"):
    """Mean over the last axis of (pred - target)^2, then ``reduction`` over the samples.

    Args:
        pred, target: tensors or arrays of the same shape.
        reduction: "mean" (default), "sum" or "none" (the per-sample losses).

    Returns:
        A Tensor: a scalar, or per-sample losses of shape ``pred.shape[:-1]``.

    Example:
        >>> from neurona import Tensor
        >>> float(squared_error(Tensor([[1.0, 3.0]]), [[0.0, 0.0]]))
        5.0
    """
    target = _as_target(target, pred)
    _check_same_shape("squared_error", pred, target)
    return SquaredError(-1, reduction)(pred, target)


def absolute_error(pred, target, reduction="mean"):
    """Mean over the last axis of |pred - target|, then ``reduction`` (as :func:`squared_error`)."""
    target = _as_target(target, pred)
    _check_same_shape("absolute_error", pred, target)
    return AbsoluteError(-1, reduction)(pred, target)


def huber_error(pred, target, delta=1.0, reduction="mean"):
    """Mean over the last axis of the Huber function of pred - target, quadratic up to ``delta``.

    See :func:`squared_error` for the arguments and the result.
    """
    target = _as_target(target, pred)
    _check_same_shape("huber_error", pred, target)
    return HuberError(delta, reduction)(pred, target)


def log_cosh_error(pred, target, reduction="mean"):
    """Mean over the last axis of log(cosh(pred - target)), computed without overflow."""
    target = _as_target(target, pred)
    _check_same_shape("log_cosh_error", pred, target)
    return LogCoshError(-1, reduction)(pred, target)


def sigmoid_binary_cross_entropy(logits, labels, axis=-1, reduction="mean"):
    """Binary cross-entropy of sigmoid(logits), computed from the logits, exact for any size.

    Args:
        logits: tensor of logits.
        labels: targets in [0, 1] of the same shape (soft labels allowed).
        axis: the axis averaged into a per-sample loss (Keras: -1).
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Tensor: a scalar, or the per-sample losses (``axis`` removed).

    Example:
        >>> from neurona import Tensor
        >>> round(float(sigmoid_binary_cross_entropy(Tensor([0.0]), [1.0])), 4)
        0.6931
    """
    labels = _as_target(labels, logits)
    _check_same_shape("sigmoid_binary_cross_entropy", logits, labels)
    return SigmoidBinaryCrossEntropy(axis, reduction)(logits, labels)


def binary_cross_entropy(probs, labels, axis=-1, reduction="mean", epsilon=None):
    """Binary cross-entropy of probabilities clipped to [eps, 1 - eps], as Keras computes it.

    Prefer :func:`sigmoid_binary_cross_entropy` when the logits are at hand: it is exact.

    Args:
        probs: predicted probabilities.
        labels: targets in [0, 1] of the same shape.
        axis, reduction: as in :func:`sigmoid_binary_cross_entropy`.
        epsilon: the clipping margin (default ``config.epsilon()``, 1e-7).

    Returns:
        A Tensor: a scalar, or the per-sample losses.
    """
    labels = _as_target(labels, probs)
    _check_same_shape("binary_cross_entropy", probs, labels)
    eps = config.epsilon() if epsilon is None else epsilon
    return BinaryCrossEntropy(eps, axis, reduction)(probs, labels)


def softmax_cross_entropy(logits, labels, axis=-1, reduction="mean"):
    """Cross-entropy of softmax(logits) against one-hot or soft labels, via log-sum-exp.

    Args:
        logits: tensor of logits, classes along ``axis``.
        labels: a distribution over the classes for each sample, of the logits' shape.
        axis: the class axis.
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Tensor: a scalar, or per-sample losses (``axis`` removed).

    Example:
        >>> from neurona import Tensor
        >>> round(float(softmax_cross_entropy(Tensor([[0.0, 0.0]]), [[1.0, 0.0]])), 4)
        0.6931
    """
    labels = _as_target(labels, logits)
    _check_same_shape("softmax_cross_entropy", logits, labels)
    return SoftmaxCrossEntropy(axis, reduction)(logits, labels)


def sparse_softmax_cross_entropy(logits, labels, axis=-1, reduction="mean"):
    """Cross-entropy of softmax(logits) against integer class labels.

    Args:
        logits: tensor of logits, classes along ``axis``.
        labels: integer class indices in [0, classes), of the logits' shape without ``axis``.
            Their range is not checked here (that is a device synchronisation); the trainer
            checks the data once.
        axis: the class axis.
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Tensor: a scalar, or per-sample losses of the labels' shape.

    Example:
        >>> from neurona import Tensor
        >>> round(float(sparse_softmax_cross_entropy(Tensor([[0.0, 0.0]]), [1])), 4)
        0.6931
    """
    labels = labels.data if isinstance(labels, Tensor) else get_ops().asarray(labels)
    shape = tuple(logits.shape)
    expected = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
    if tuple(labels.shape) != expected:
        raise ValueError(
            f"sparse_softmax_cross_entropy: labels of shape {tuple(labels.shape)} do not match "
            f"logits of shape {tuple(logits.shape)} with classes on axis {axis}; expected "
            f"labels of shape {expected} (one integer class per sample)"
        )
    return SparseSoftmaxCrossEntropy(axis, reduction)(logits, labels)
