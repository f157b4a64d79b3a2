"""Masks as Functions: which timesteps are real, and the weights a mask gives a loss.

A mask is a boolean array, True where a timestep holds data (Keras 3's convention). Layers
compute masks from their inputs with these Functions rather than with NumPy on ``.data``, so a
recorded training step (:mod:`neurona.autograd.replay`) recomputes them from each new batch.
A mask has no gradient: the outputs are cut from the graph (``requires_grad`` False), so
nothing is ever sent back through them.
"""

import numbers

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..random import make_generator

__all__ = ["not_equal_mask", "logical_and_masks", "logical_or_masks", "mask_weights",
           "where_mask", "dropout_keep_mask"]


class NotEqualMask(Function):
    """``x != value``, reduced with ``any`` over ``axis`` when one is given."""

    differentiable = False

    def __init__(self, value, axis=None):
        self.value, self.axis = value, axis

    def forward(self, x):
        mask = x != self.value
        return mask if self.axis is None else mask.any(axis=self.axis)

    def backward(self, g):
        return (None,)


class LogicalAnd(Function):
    """The elementwise AND (``any_true=False``) or OR (True) of broadcastable boolean masks."""

    differentiable = False

    def __init__(self, any_true=False):
        self.any_true = any_true

    def forward(self, *masks):
        out = masks[0].astype(bool)
        for m in masks[1:]:
            out = (out | m.astype(bool)) if self.any_true else (out & m.astype(bool))
        return out

    def backward(self, g):
        return (None,) * len(self.needs_grad)


class MaskWeights(Function):
    """The loss weights of a mask, as Keras's ``apply_mask``: for the mean reductions a real
    entry weighs ``total / valid`` (so the mean runs over the real entries only) and a masked
    one 0; for the others the mask as 0/1. No real entry at all gives zeros."""

    differentiable = False

    def __init__(self, mean, dtype):
        self.mean, self.dtype = mean, dtype

    def forward(self, mask):
        weights = mask.astype(self.dtype)
        if self.mean:  # with no real entry the weights are all 0 whatever the scale
            weights *= mask.size / self.xp.maximum(weights.sum(), 1)
        return weights

    def backward(self, g):
        return (None,)


class WhereMask(Function):
    """``where(mask, a, b)`` with the mask an input (so a replay reads each batch's mask);
    the gradient goes to ``a`` where the mask is True and to ``b`` elsewhere."""

    def forward(self, mask, a, b):
        self.mask = mask
        self.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return self.xp.where(mask, a, b)

    def backward(self, g):
        xp, sum_to, m = self.xp, self.ops.sum_to, self.mask
        zero = g.dtype.type(0)
        ga = sum_to(xp.where(m, g, zero), self.shapes[0]) if self.needs_grad[1] else None
        gb = sum_to(xp.where(m, zero, g), self.shapes[1]) if self.needs_grad[2] else None
        return None, ga, gb


class DropoutKeepMask(Function):
    """A dropout keep mask of ``shape``, 1 / (1 - rate) where kept and 0 where dropped, drawn
    in ``forward`` from ``rng`` (a recurrent cell's mask, the same at every step of a call;
    a replayed step draws a fresh one, as eager training would). It has no inputs."""

    differentiable = False

    def __init__(self, shape, rate, rng, dtype):
        self.shape, self.rate, self.rng, self.dtype = shape, rate, rng, dtype

    def forward(self):
        # drawn on the host, as every random array of the library (same noise on CPU and GPU)
        keep = make_generator(self.rng).random(self.shape, dtype=np.float32) >= self.rate
        mask = self.ops.asarray(keep).astype(self.dtype)
        mask *= 1.0 / (1.0 - self.rate)
        return mask

    def backward(self, g):
        return ()


def _cut(out):
    """A mask output carries no gradient: detach it from the graph (the recording keeps it)."""
    out.requires_grad = False
    out.creator = None
    return out


def not_equal_mask(x, value=0, axis=None):
    """Boolean mask ``x != value`` (``any`` over ``axis`` when given): what
    ``Embedding(mask_zero=True)`` (``value=0``) and ``Masking`` (``axis=-1``) compute.

    Args:
        x: tensor or array.
        value: the padding value.
        axis: None, or the axis reduced with ``any`` (a timestep is real when any of its
            features differs from ``value``).

    Returns:
        A boolean tensor without gradient.

    Example:
        >>> not_equal_mask(np.array([[3, 1, 0, 0]])).tolist()
        [[True, True, False, False]]
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise TypeError(f"not_equal_mask: value must be a number, got value={value!r}")
    return _cut(NotEqualMask(value, axis)(x if isinstance(x, Tensor) else Tensor(x)))


def _combine(masks, any_true):
    present = [m if isinstance(m, Tensor) else Tensor(np.asarray(m)) for m in masks
               if m is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return _cut(LogicalAnd(any_true)(*present))


def logical_and_masks(masks):
    """The AND of a list of masks (None entries are skipped; None when all are None).

    Example:
        >>> logical_and_masks([np.array([True, False]), None, np.array([True, True])]).tolist()
        [True, False]
    """
    return _combine(masks, False)


def logical_or_masks(masks):
    """The OR of a list of masks (None entries are skipped; None when all are None).

    Example:
        >>> logical_or_masks([np.array([True, False]), np.array([False, False])]).tolist()
        [True, False]
    """
    return _combine(masks, True)


def mask_weights(mask, reduction, dtype):
    """The per-entry loss weights of ``mask`` for ``reduction`` (see :class:`MaskWeights`).

    Example:
        >>> mask_weights(np.array([True, True, False, False]), "sum_over_batch_size",
        ...              "float64").tolist()
        [2.0, 2.0, 0.0, 0.0]
    """
    mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))
    mean = reduction in ("sum_over_batch_size", "mean")
    return _cut(MaskWeights(mean, np.dtype(dtype).name)(mask))


def where_mask(mask, a, b):
    """``a`` where ``mask`` is True, else ``b`` (broadcasting), differentiable in ``a`` and
    ``b``: how a recurrent step keeps its state at a padded timestep.

    Example:
        >>> where_mask(np.array([True, False]), np.array([1.0, 2.0]), 0.0).tolist()
        [1.0, 0.0]
    """
    mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))
    return WhereMask()(mask, a, b)


def dropout_keep_mask(shape, rate, rng, dtype):
    """A scaled dropout keep mask (see :class:`DropoutKeepMask`), as a tensor without gradient.

    Example:
        >>> sorted(set(dropout_keep_mask((200,), 0.5, 0, "float64").tolist()))
        [0.0, 2.0]
    """
    return _cut(DropoutKeepMask(tuple(shape), float(rate), rng, np.dtype(dtype).name)())
