"""Normalization as fused Functions: ``batch_norm`` and ``layer_norm``.

Both compute ``(x - mean) / sqrt(var + epsilon) * gamma + beta`` as one node, with the biased
variance (divided by the count, as Keras and PyTorch normalize). Training-mode batch
normalization keeps only the normalized input ``xhat`` and the per-channel ``1 / std`` for its
closed-form backward; inference-mode batch normalization is a per-channel affine map and keeps
only a reference to its input. In training the BatchNorm Function itself also folds the batch's
statistics into the moving ones, in place, with Keras's momentum rule: the update is part of the
computation (a replayed training step repeats it), not a side effect of the caller.
"""

from .. import validation
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_ops

__all__ = ["batch_norm", "layer_norm"]


def _standardize(xp, x, axes, epsilon):
    """(xhat, mean, var, inv) over ``axes`` (kept as size-1 axes), var biased,
    inv = 1 / sqrt(var + epsilon)."""
    mean = x.mean(axis=axes, keepdims=True)
    xhat = x - mean
    var = xp.square(xhat).mean(axis=axes, keepdims=True)
    inv = 1.0 / xp.sqrt(var + epsilon)
    xhat *= inv
    return xhat, mean, var, inv


def _affine(xhat, gamma, beta):
    """xhat * gamma + beta as a new array (xhat is kept for backward, so never aliased)."""
    if gamma is not None:
        y = xhat * gamma
        if beta is not None:
            y += beta
        return y
    return xhat + beta if beta is not None else xhat.copy()


def _shape_of(param):
    return None if param is None else param.shape


def _param_shape(shape, axes):
    """Broadcast shape of a parameter spanning ``axes`` of an input of ``shape``."""
    return tuple(n if i in axes else 1 for i, n in enumerate(shape))


class BatchNorm(Function):
    """Batch normalization with the batch's own statistics over every axis but ``axis``:
    y = (x - mean) / sqrt(var + epsilon) * gamma + beta (gamma/beta None mean 1/0).

    ``moving_mean`` and ``moving_variance`` (tensors or backend arrays of shape (channels,),
    or None) are updated in forward: ``moving = moving * momentum + batch * (1 - momentum)``.
    """

    def __init__(self, axis, epsilon, momentum=0.99, moving_mean=None, moving_variance=None):
        self.axis, self.epsilon, self.momentum = axis, epsilon, momentum
        self.moving_mean, self.moving_variance = moving_mean, moving_variance

    def forward(self, x, gamma=None, beta=None):
        axis = self.axis % x.ndim
        self.axes = tuple(i for i in range(x.ndim) if i != axis)
        pshape = _param_shape(x.shape, (axis,))
        xhat, mean, var, inv = _standardize(self.xp, x, self.axes, self.epsilon)
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
            if moving is not None:
                moving = _raw(moving)
                moving *= self.momentum
                moving += (1.0 - self.momentum) * batch.reshape(-1)
        self.xhat, self.inv = xhat, inv
        self.gamma = None if gamma is None else gamma.reshape(pshape)
        self.param_shapes = (_shape_of(gamma), _shape_of(beta))
        return _affine(xhat, self.gamma, None if beta is None else beta.reshape(pshape))

    def backward(self, g):
        # gamma is constant over the reduced axes, so with N the count over them:
        #   dbeta = sum(g), dgamma = sum(g xhat),
        #   dx = gamma / std * (g - dbeta / N - xhat dgamma / N)
        xhat, needs = self.xhat, self.needs_grad
        count = xhat.size // xhat.shape[self.axis]
        dbeta = g.sum(axis=self.axes, keepdims=True)
        dgamma = (g * xhat).sum(axis=self.axes, keepdims=True)
        gx = None
        if needs[0]:
            gx = xhat * (dgamma / count)
            self.xp.subtract(g, gx, out=gx)
            gx -= dbeta / count
            gx *= self.inv if self.gamma is None else self.inv * self.gamma
        return (gx, dgamma.reshape(self.param_shapes[0]) if needs[1] else None,
                dbeta.reshape(self.param_shapes[1]) if needs[2] else None)


class BatchNormInference(Function):
    """Batch normalization with fixed statistics ``mean`` and ``variance`` (the moving ones):
    y = x * scale + shift with scale = gamma / sqrt(variance + epsilon),
    shift = beta - mean * scale, per channel along ``axis``."""

    def __init__(self, axis, epsilon, mean, variance):
        self.axis, self.epsilon, self.mean, self.variance = axis, epsilon, mean, variance

    def forward(self, x, gamma=None, beta=None):
        axis = self.axis % x.ndim
        self.axes = tuple(i for i in range(x.ndim) if i != axis)
        pshape = _param_shape(x.shape, (axis,))
        self.mean = self.mean.reshape(pshape)
        self.inv = 1.0 / self.xp.sqrt(self.variance.reshape(pshape) + self.epsilon)
        self.scale = self.inv if gamma is None else self.inv * gamma.reshape(pshape)
        shift = -self.mean * self.scale
        if beta is not None:
            shift += beta.reshape(pshape)
        self.x = x
        self.param_shapes = (_shape_of(gamma), _shape_of(beta))
        y = x * self.scale
        y += shift
        return y

    def backward(self, g):
        # dx = g * scale;  dgamma = sum(g (x - mean) / sqrt(variance + epsilon));  dbeta = sum(g)
        needs = self.needs_grad
        gx = g * self.scale if needs[0] else None
        gg = gb = None
        if needs[1]:
            gg = (g * (self.x - self.mean)).sum(axis=self.axes) * self.inv.reshape(-1)
            gg = gg.reshape(self.param_shapes[0])
        if needs[2]:
            gb = g.sum(axis=self.axes).reshape(self.param_shapes[1])
        return gx, gg, gb


class LayerNorm(Function):
    """Normalization of each sample over ``axes``, with gamma and beta spanning those axes:
    y = (x - mean) / sqrt(var + epsilon) * gamma + beta."""

    def __init__(self, axes, epsilon):
        self.axes, self.epsilon = axes, epsilon

    def forward(self, x, gamma=None, beta=None):
        axes = tuple(sorted(a % x.ndim for a in self.axes))
        self.axes = axes
        self.others = tuple(i for i in range(x.ndim) if i not in axes)
        pshape = _param_shape(x.shape, axes)
        xhat, _, _, self.inv = _standardize(self.xp, x, axes, self.epsilon)
        self.xhat = xhat
        self.gamma = None if gamma is None else gamma.reshape(pshape)
        self.param_shapes = (_shape_of(gamma), _shape_of(beta))
        return _affine(xhat, self.gamma, None if beta is None else beta.reshape(pshape))

    def backward(self, g):
        # d = g * gamma;  dx = (d - mean(d) - xhat mean(d xhat)) / std, means over the normalized
        # axes;  dgamma = sum(g xhat), dbeta = sum(g) over the other axes
        xhat, axes, needs = self.xhat, self.axes, self.needs_grad
        gx = gg = gb = None
        if needs[0]:
            d = g if self.gamma is None else g * self.gamma
            gx = xhat * (d * xhat).mean(axis=axes, keepdims=True)
            self.xp.subtract(d, gx, out=gx)
            gx -= d.mean(axis=axes, keepdims=True)
            gx *= self.inv
        if needs[1]:
            gg = (g * xhat).sum(axis=self.others).reshape(self.param_shapes[0])
        if needs[2]:
            gb = g.sum(axis=self.others).reshape(self.param_shapes[1])
        return gx, gg, gb


# -- the public functions --------------------------------------------------------------------
def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _check_param(fn, arg, value, size):
    if value is not None and _raw(value).size != size:
        raise ValueError(f"{fn}: {arg} has shape {tuple(_raw(value).shape)}, expected {size} "
                         f"values (one per normalized position)")


def batch_norm(x, moving_mean=None, moving_variance=None, gamma=None, beta=None, training=False,
               momentum=0.99, epsilon=1e-3, axis=-1):
    """Batch normalization along ``axis`` (the channels) as one node.

    In training the batch's mean and biased variance over every other axis normalize x, and
    ``moving_mean``/``moving_variance`` (when given) are updated in place with Keras's rule
    ``moving = moving * momentum + batch * (1 - momentum)`` (note PyTorch's ``momentum`` is
    ``1 - `` this one, and PyTorch moves its variance with the unbiased estimate). In inference
    the moving statistics normalize x.

    Args:
        x: the input, channels along ``axis``.
        moving_mean, moving_variance: tensors (or backend arrays) of shape (channels,).
        gamma, beta: scale and offset of shape (channels,), or None (1 and 0).
        training: use (and fold into the moving statistics) the batch's statistics.
        momentum: weight of the old moving statistics, in [0, 1].
        epsilon: added to the variance before the square root.
        axis: the channel axis.

    Returns:
        A tensor of x's shape.

    Example:
        >>> y = batch_norm(np.array([[1.0], [3.0]]), training=True, epsilon=0.0)
        >>> y.numpy().ravel().tolist()
        [-1.0, 1.0]
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    axis = validation.axis("batch_norm", "axis", axis, x.ndim)
    epsilon = validation.real("batch_norm", "epsilon", epsilon, 0.0)
    channels = x.shape[axis]
    for arg, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean),
                       ("moving_variance", moving_variance)):
        _check_param("batch_norm", arg, value, channels)
    if not training:
        if moving_mean is None or moving_variance is None:
            raise ValueError("batch_norm: training=False normalizes with moving_mean and "
                             "moving_variance; pass both, or training=True to use the batch's "
                             "statistics")
        ops = get_ops()
        fn = BatchNormInference(axis, epsilon, ops.asarray(_raw(moving_mean)),
                                ops.asarray(_raw(moving_variance)))
        return fn(x, gamma, beta)
    momentum = validation.real("batch_norm", "momentum", momentum, 0.0, 1.0)
    for moving in (moving_mean, moving_variance):
        if moving is not None and not get_ops().is_array(_raw(moving)):
            raise ValueError("batch_norm: moving statistics updated in training must be "
                             f"tensors or backend arrays, got {type(moving).__name__}")
    return BatchNorm(axis, epsilon, momentum, moving_mean, moving_variance)(x, gamma, beta)


def layer_norm(x, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    """Layer normalization: each sample normalized over ``axis`` (an int or a list of ints),
    then scaled by ``gamma`` and shifted by ``beta``, which span those axes.

    Args:
        x: the input.
        gamma, beta: arrays with the sizes of the normalized axes (in axis order), or None.
        axis: the axis or axes to normalize over.
        epsilon: added to the variance before the square root.

    Returns:
        A tensor of x's shape.

    Example:
        >>> layer_norm(np.array([[1.0, 3.0]]), epsilon=0.0).numpy().tolist()
        [[-1.0, 1.0]]
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not axes:
        raise ValueError("layer_norm: axis=[] normalizes nothing; pass an int or a list of ints")
    axes = sorted({validation.axis("layer_norm", "axis", a, x.ndim) for a in axes})
    epsilon = validation.real("layer_norm", "epsilon", epsilon, 0.0)
    size = 1
    for a in axes:
        size *= x.shape[a]
    _check_param("layer_norm", "gamma", gamma, size)
    _check_param("layer_norm", "beta", beta, size)
    return LayerNorm(tuple(axes), epsilon)(x, gamma, beta)
