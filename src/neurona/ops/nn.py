"""``keras.ops.nn``: activations, cross-entropies, normalizations, encodings, attention,
convolutions and pooling.

The cross-entropies return one loss per element or sample (no mean over the batch), as Keras's
ops do; ``from_logits=True`` computes them from logits with log-sum-exp, exact for any size.
From probabilities they clip to ``[epsilon, 1 - epsilon]`` first, as Keras does.
"""

import math as _math

import numpy as np

from ._missing import missing
from .. import config
from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, integer, real
from .activations import *  # noqa: F401,F403  (the nn activations)
from .activations import __all__ as _ACTIVATIONS
from .convolution import *  # noqa: F401,F403  (convolutions and pooling)
from .convolution import __all__ as _CONVOLUTIONS
from .dtypes import as_float, cast, operands, standardize_dtype, to_tensor
from .elementwise import tanh  # noqa: F401  (Keras keeps it in ops; ops.nn has it too)
from .reductions import normalize_axes

__all__ = list(_ACTIVATIONS) + list(_CONVOLUTIONS) + [
    "tanh", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "moments", "batch_normalization", "layer_normalization", "rms_normalization", "normalize",
    "one_hot", "multi_hot", "dot_product_attention", "psnr"]


def _same_shapes(owner, target, output):
    if target.shape != output.shape:
        raise ValueError(f"{owner}: target of shape {target.shape} and output of shape "
                         f"{output.shape} must have the same shape")


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy ``-(t log p + (1 - t) log(1 - p))``.

    Args:
        target: labels in [0, 1] (soft labels allowed), of output's shape.
        output: probabilities, or logits with ``from_logits=True``.
        from_logits: compute from logits (exact; recommended).

    Returns:
        A tensor of output's shape, differentiable in both.

    Example:
        >>> round(binary_crossentropy([1.0], [0.0], from_logits=True).tolist()[0], 6)
        0.693147
    """
    boolean("binary_crossentropy", "from_logits", from_logits)
    output = as_float(output, "binary_crossentropy")
    target = cast(to_tensor(target, owner="binary_crossentropy"), output.dtype.name)
    _same_shapes("binary_crossentropy", target, output)
    # the fused losses average over one axis: a trailing axis of size 1 makes it elementwise
    column = output.shape + (1,)
    z, t = F.reshape(output, column), F.reshape(target, column)
    if from_logits:
        return F.sigmoid_binary_cross_entropy(z, t, axis=-1, reduction="none")
    return F.binary_cross_entropy(z, t, axis=-1, reduction="none", epsilon=config.epsilon())


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy ``-sum(t log p)`` over the class ``axis``, one value per sample.

    Args:
        target: a distribution over the classes (one-hot or soft), of output's shape.
        output: probabilities (normalized along ``axis`` first), or logits.
        from_logits: compute from logits via log-softmax.
        axis: the class axis.

    Returns:
        A tensor of output's shape without ``axis``.

    Example:
        >>> round(categorical_crossentropy([[1.0, 0.0]], [[0.5, 0.5]]).tolist()[0], 6)
        0.693147
    """
    boolean("categorical_crossentropy", "from_logits", from_logits)
    output = as_float(output, "categorical_crossentropy")
    target = cast(to_tensor(target, owner="categorical_crossentropy"), output.dtype.name)
    _same_shapes("categorical_crossentropy", target, output)
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy: target and output need at least one axis")
    axis = integer("categorical_crossentropy", "axis", axis)
    if from_logits:
        return F.softmax_cross_entropy(output, target, axis=axis, reduction="none")
    return F.negative(F.sum(F.multiply(target, _log_probabilities(output, axis)), axis=axis))


def _log_probabilities(output, axis):
    """log of probabilities normalized along ``axis`` and clipped as Keras clips them."""
    eps = config.epsilon()
    p = F.divide(output, F.sum(output, axis=axis, keepdims=True))
    return F.log(F.clip(p, eps, 1.0 - eps))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against integer class labels, one value per sample.

    Args:
        target: integer labels of output's shape without the class axis (a trailing axis of
            size 1 is dropped).
        output: probabilities or logits, classes on ``axis``.
        from_logits: compute from logits via log-softmax.
        axis: the class axis.

    Returns:
        A tensor of target's shape.

    Example:
        >>> loss = sparse_categorical_crossentropy([1], [[0.0, 0.0]], from_logits=True)
        >>> round(loss.tolist()[0], 6)
        0.693147
    """
    owner = "sparse_categorical_crossentropy"
    boolean(owner, "from_logits", from_logits)
    output = as_float(output, owner)
    labels = to_tensor(target, owner=owner)
    if labels.dtype.kind not in "iu":
        labels = cast(labels, "int32")
    if labels.ndim == output.ndim and labels.shape[-1] == 1:
        labels = F.reshape(labels, labels.shape[:-1])
    if output.ndim < 1:
        raise ValueError(f"{owner}: output needs at least one axis (the classes)")
    if labels.shape != output.shape[:-1]:
        raise ValueError(f"{owner}: target of shape {labels.shape} must match output of shape "
                         f"{output.shape} up to its last axis")
    axis = integer(owner, "axis", axis)
    if from_logits:
        return F.sparse_softmax_cross_entropy(output, labels, axis=axis, reduction="none")
    hot = one_hot(labels, output.shape[axis], axis=axis, dtype=output.dtype.name)
    return F.negative(F.sum(F.multiply(hot, _log_probabilities(output, axis)), axis=axis))


def moments(x, axes, keepdims=False, synchronized=False):
    """The mean and the (biased) variance of ``x`` over ``axes``.

    Args:
        x: the data.
        axes: the axes reduced (an int or a list).
        keepdims: keep them with size 1.
        synchronized: whether to combine the statistics of all replicas of a distributed
            step; neurona runs one replica, whose statistics are already the total.

    Returns:
        ``(mean, variance)``, float tensors differentiable in x.

    Example:
        >>> m, v = moments(np.array([1.0, 3.0]), axes=[0])
        >>> m.tolist(), v.tolist()
        (2.0, 1.0)
    """
    boolean("moments", "keepdims", keepdims)
    boolean("moments", "synchronized", synchronized)
    x = as_float(x, "moments")
    wide = x.dtype.name == "float16"  # statistics in float32, as Keras computes them
    if wide:
        x = cast(x, "float32")
    axes = normalize_axes("moments", axes, x.ndim)
    mean = F.mean(x, axis=axes, keepdims=True)
    variance = F.mean(F.square(F.subtract(x, mean)), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = F.reshape(mean, [n for i, n in enumerate(x.shape) if i not in axes])
    if wide:
        limit = float(np.finfo(np.float16).max)
        mean, variance = (cast(F.clip(t, -limit, limit), "float16") for t in (mean, variance))
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with the statistics given
    per channel of ``axis``.

    Example:
        >>> batch_normalization(np.array([[2.0, 4.0]]), [1.0, 2.0], [1.0, 4.0], axis=1,
        ...                     epsilon=0.0).tolist()
        [[1.0, 1.0]]
    """
    eps = real("batch_normalization", "epsilon", epsilon, 0)
    x = as_float(x, "batch_normalization")
    axis = normalize_axes("batch_normalization", integer("batch_normalization", "axis", axis),
                          x.ndim)[0]
    shape = [x.shape[axis] if i == axis else 1 for i in range(x.ndim)]

    def per_channel(v, name):
        v = cast(to_tensor(v, owner="batch_normalization"), x.dtype.name)
        if v.size != x.shape[axis]:
            raise ValueError(f"batch_normalization: {name} has {v.size} values for axis "
                             f"{axis} of size {x.shape[axis]}")
        return F.reshape(v, shape)

    inv = F.divide(1.0, F.sqrt(F.add(per_channel(variance, "variance"), eps)))
    if scale is not None:
        inv = F.multiply(inv, per_channel(scale, "scale"))
    out = F.multiply(F.subtract(x, per_channel(mean, "mean")), inv)
    return out if offset is None else F.add(out, per_channel(offset, "offset"))


def _span(owner, v, x, axes):
    """A per-feature parameter over ``axes`` shaped to broadcast against x."""
    v = cast(to_tensor(v, owner=owner), x.dtype.name)
    shape = [x.shape[i] if i in axes else 1 for i in range(x.ndim)]
    if v.size != int(np.prod([x.shape[i] for i in axes])):
        raise ValueError(f"{owner}: a parameter of shape {v.shape} does not span axes {axes} "
                         f"of x's shape {x.shape}")
    return F.reshape(v, shape)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, *, rms_scaling=False):
    """Each sample normalized over ``axis`` (zero mean, unit variance), then scaled by
    ``gamma`` and shifted by ``beta``.

    Args:
        x: the data.
        gamma, beta: optional parameters spanning the normalized axes.
        axis: an int or a list of ints.
        epsilon: added to the variance (default ``config.epsilon()``).
        rms_scaling: Keras's deprecated option: divide by the standard deviation without
            centering (use :func:`rms_normalization` for RMS normalization).

    Returns:
        A tensor of x's shape.

    Example:
        >>> layer_normalization(np.array([[1.0, 3.0]]), epsilon=0.0).tolist()
        [[-1.0, 1.0]]
    """
    boolean("layer_normalization", "rms_scaling", rms_scaling)
    eps = config.epsilon() if epsilon is None else real("layer_normalization", "epsilon",
                                                        epsilon, 0)
    x = as_float(x, "layer_normalization")
    axes = normalize_axes("layer_normalization", axis, x.ndim)
    mean = F.mean(x, axis=axes, keepdims=True)
    centered = F.subtract(x, mean)
    variance = F.mean(F.square(centered), axis=axes, keepdims=True)
    inv = F.divide(1.0, F.sqrt(F.add(variance, eps)))
    out = F.multiply(x if rms_scaling else centered, inv)
    if gamma is not None:
        out = F.multiply(out, _span("layer_normalization", gamma, x, axes))
    if beta is not None and not rms_scaling:
        out = F.add(out, _span("layer_normalization", beta, x, axes))
    return out


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis`` (Zhang and Sennrich, 2019).

    Example:
        >>> rms_normalization(np.array([[3.0, 4.0]]), epsilon=0.0).tolist()[0][0] > 0.84
        True
    """
    eps = config.epsilon() if epsilon is None else real("rms_normalization", "epsilon",
                                                        epsilon, 0)
    x = as_float(x, "rms_normalization")
    if x.ndim == 0:
        x = F.reshape(x, (1,))
    axes = normalize_axes("rms_normalization", axis, x.ndim)
    mean_square = F.mean(F.square(x), axis=axes, keepdims=True)
    out = F.multiply(x, F.divide(1.0, F.sqrt(F.add(mean_square, eps))))
    return out if scale is None else F.multiply(out, _span("rms_normalization", scale, x, axes))


def normalize(x, axis=-1, order=2, epsilon=None):
    """``x / max(norm(x), epsilon)`` along ``axis``, with the ``order``-norm (an int >= 1).

    Example:
        >>> normalize(np.array([[3.0, 4.0]])).numpy().round(6).tolist()
        [[0.6, 0.8]]
    """
    order = integer("normalize", "order", order, low=1)
    eps = config.epsilon() if epsilon is None else real("normalize", "epsilon", epsilon, 0,
                                                        low_open=True)
    x = as_float(x, "normalize")
    if x.ndim == 0:
        x = F.reshape(x, (1,))
    axes = normalize_axes("normalize", axis, x.ndim)
    if order == 2:  # Keras's x * min(rsqrt(sum x^2), 1 / epsilon), as rsqrt(max(sum, eps^2))
        total = F.maximum(F.sum(F.square(x), axis=axes, keepdims=True), x.dtype.type(eps * eps))
        return F.multiply(x, F.divide(1.0, F.sqrt(total)))
    norm = F.power(F.sum(F.power(F.abs(x), order), axis=axes, keepdims=True), 1.0 / order)
    return F.divide(x, F.maximum(norm, x.dtype.type(eps)))


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Integer labels as one-hot vectors on a new ``axis`` (labels outside
    ``[0, num_classes)`` give all zeros); ``floatx()`` unless ``dtype``.

    Example:
        >>> one_hot([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported (neurona has no sparse "
                         "tensors)")
    n = integer("one_hot", "num_classes", num_classes, low=1)
    labels = to_tensor(x, owner="one_hot").data
    if labels.dtype.kind not in "iu":
        labels = labels.astype("int64")
    axis = integer("one_hot", "axis", axis)
    ndim = labels.ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"one_hot: axis {axis} is out of range for {ndim} output axes")
    xp = get_ops().xp
    classes = xp.arange(n).reshape((n,) + (1,) * labels.ndim)
    hot = (labels[None] == classes).astype(standardize_dtype(dtype, "one_hot"))
    return Tensor(xp.moveaxis(hot, 0, axis % ndim))


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, *, num_tokens=None):
    """Sets of integer labels as multi-hot vectors: ``(batch, k)`` labels give
    ``(batch, num_classes)`` with a 1 for each label present (1-D labels: one vector).

    Example:
        >>> multi_hot([[0, 2], [1, 1]], 3).tolist()
        [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    if num_classes is None:
        num_classes = num_tokens  # Keras's older name
    elif num_tokens is not None:
        raise ValueError("multi_hot: give num_classes or num_tokens, not both")
    if num_classes is None:
        raise ValueError("multi_hot: num_classes must be given")
    labels = to_tensor(inputs, owner="multi_hot")
    hot = one_hot(cast(labels, "int32"), num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return Tensor(hot.data.max(axis=1 if labels.ndim > 1 else 0))


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mean((x1 - x2)**2))``.

    Example:
        >>> round(float(psnr(np.zeros(4), np.full(4, 0.1), 1.0)), 4)
        20.0
    """
    a, b = operands("psnr", as_float(x1, "psnr"), x2)
    if a.shape != b.shape:
        raise ValueError(f"psnr: shapes {a.shape} and {b.shape} must match")
    peak = 20.0 * _math.log10(real("psnr", "max_val", max_val, 0, low_open=True))
    mse = F.mean(F.square(F.subtract(a, b)))
    return F.subtract(peak, F.multiply(F.log(mse), 10.0 / _math.log(10.0)))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention ``softmax(q k^T * scale + bias) v`` per head.

    Args:
        query: ``(batch, T, heads, depth)``.
        key, value: ``(batch, S, kv_heads, depth)``; ``heads`` must be a multiple of
            ``kv_heads`` (grouped-query attention shares each key/value head).
        bias: added to the logits, broadcastable to ``(batch, heads, T, S)``.
        mask: booleans broadcastable to ``(batch, heads, T, S)``: True where attention is
            allowed.
        scale: the logits' factor (default ``1 / sqrt(depth)``).
        is_causal: position t attends only to positions <= t.
        flash_attention: None or False (a fused GPU kernel neurona does not have; True is an
            error).
        attn_logits_soft_cap: if given, logits become ``cap * tanh(logits / cap)``.

    Returns:
        ``(batch, T, heads, depth)``.

    Example:
        >>> q = np.ones((1, 2, 1, 4))
        >>> dot_product_attention(q, q, q).shape
        (1, 2, 1, 4)
    """
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention=True needs a fused GPU kernel "
                         "that neurona does not have; pass None or False")
    boolean("dot_product_attention", "is_causal", is_causal)
    q, k, v = operands("dot_product_attention", as_float(query, "dot_product_attention"), key,
                       value)
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(f"dot_product_attention: query, key and value must be (batch, "
                         f"length, heads, depth); got {q.shape}, {k.shape}, {v.shape}")
    heads, kv_heads = q.shape[2], k.shape[2]
    if heads % kv_heads:
        raise ValueError(f"dot_product_attention: {heads} query heads are not a multiple of "
                         f"{kv_heads} key/value heads")
    if heads != kv_heads:
        repeats = get_ops().asarray(np.repeat(np.arange(kv_heads), heads // kv_heads))
        k = F.getitem(k, (slice(None), slice(None), repeats))
        v = F.getitem(v, (slice(None), slice(None), repeats))
    factor = 1.0 / _math.sqrt(q.shape[-1]) if scale is None else real(
        "dot_product_attention", "scale", scale)
    logits = F.multiply(F.einsum("btnh,bsnh->bnts", q, k), factor)
    if bias is not None:
        logits = F.add(logits, cast(to_tensor(bias, owner="dot_product_attention"),
                                    logits.dtype.name))
    if attn_logits_soft_cap is not None:
        cap = real("dot_product_attention", "attn_logits_soft_cap", attn_logits_soft_cap, 0,
                   low_open=True)
        logits = F.multiply(F.tanh(F.divide(logits, cap)), cap)
    xp = get_ops().xp
    keep = None
    if mask is not None:
        keep = to_tensor(mask, owner="dot_product_attention").data.astype(bool)
    if is_causal:
        t, s = logits.shape[-2:]
        causal = xp.tri(t, s, dtype=bool)
        keep = causal if keep is None else keep & causal
    if keep is not None:  # a large negative, not -inf: rows with nothing allowed stay finite
        floor = xp.finfo(logits.dtype).min * 0.7
        logits = F.where(xp.broadcast_to(keep, logits.shape), logits, logits.dtype.type(floor))
    weights = F.softmax(logits, axis=-1)
    return F.einsum("bnts,bsnh->btnh", weights, v)


def __getattr__(name):
    raise missing(__name__, name, __all__)

