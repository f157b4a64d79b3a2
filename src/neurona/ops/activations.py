"""``keras.ops.nn`` activations, elementwise (``softmax``-like ones along an axis).

They reuse the library's fused activation Functions (``relu``, ``sigmoid``, ``gelu``, ...) and
compose the rest from differentiable pieces. Integer inputs become ``floatx()``, except for
``relu``, which keeps integers as Keras does. Defaults are Keras 3's ``ops``
defaults, which differ in places from the ``keras.activations`` ones: ``ops.gelu`` uses the
tanh approximation unless ``approximate=False``.
"""

from .. import functions as F
from ..validation import boolean, integer, real
from .dtypes import as_float, to_tensor

__all__ = ["relu", "relu6", "sigmoid", "sparse_sigmoid", "softplus", "softsign", "silu", "swish",
           "log_sigmoid", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "elu", "selu",
           "gelu", "celu", "glu", "tanh_shrink", "hard_tanh", "hard_shrink", "soft_shrink",
           "sparse_plus", "squareplus", "threshold", "softmax", "log_softmax", "sparsemax"]


def relu(x):
    """``max(x, 0)``.

    Example:
        >>> relu([-1.0, 2.0]).tolist()
        [0.0, 2.0]
    """
    x = to_tensor(x, owner="relu")
    return F.relu(x) if x.dtype.kind != "b" else x


def relu6(x):
    """``min(max(x, 0), 6)``.

    Example:
        >>> relu6([-1.0, 7.0]).tolist()
        [0.0, 6.0]
    """
    return F.relu6(as_float(x, "relu6"))


def sigmoid(x):
    """``1 / (1 + exp(-x))``, stable for every x.

    Example:
        >>> sigmoid([0.0]).tolist()
        [0.5]
    """
    return F.sigmoid(as_float(x, "sigmoid"))


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, ``(x + 1) / 2`` in between.

    Example:
        >>> sparse_sigmoid([-2.0, 0.0, 2.0]).tolist()
        [0.0, 0.5, 1.0]
    """
    return F.clip(F.multiply(F.add(as_float(x, "sparse_sigmoid"), 1.0), 0.5), 0.0, 1.0)


def softplus(x):
    """``log(1 + exp(x))`` without overflow.

    Example:
        >>> round(softplus([0.0]).tolist()[0], 6)
        0.693147
    """
    return F.softplus(as_float(x, "softplus"))


def softsign(x):
    """``x / (|x| + 1)``.

    Example:
        >>> softsign([1.0]).tolist()
        [0.5]
    """
    return F.softsign(as_float(x, "softsign"))


def silu(x):
    """``x * sigmoid(x)`` (swish).

    Example:
        >>> silu([0.0]).tolist()
        [0.0]
    """
    return F.silu(as_float(x, "silu"))


swish = silu


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``, finite for every x.

    Example:
        >>> round(log_sigmoid([0.0]).tolist()[0], 6)
        -0.693147
    """
    return F.negative(F.softplus(F.negative(as_float(x, "log_sigmoid"))))


def leaky_relu(x, negative_slope=0.2):
    """``x`` for x > 0, ``negative_slope * x`` otherwise.

    Example:
        >>> leaky_relu([-1.0, 2.0], negative_slope=0.5).tolist()
        [-0.5, 2.0]
    """
    slope = real("leaky_relu", "negative_slope", negative_slope)
    return F.leaky_relu(as_float(x, "leaky_relu"), negative_slope=slope)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``.

    Example:
        >>> hard_sigmoid([-4.0, 0.0, 4.0]).tolist()
        [0.0, 0.5, 1.0]
    """
    return F.hard_sigmoid(as_float(x, "hard_sigmoid"))


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (hard swish).

    Example:
        >>> hard_silu([0.0, 4.0]).tolist()
        [0.0, 4.0]
    """
    return F.hard_silu(as_float(x, "hard_silu"))


hard_swish = hard_silu


def elu(x, alpha=1.0):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    Example:
        >>> elu([0.0, 1.0]).tolist()
        [0.0, 1.0]
    """
    return F.elu(as_float(x, "elu"), alpha=real("elu", "alpha", alpha))


def selu(x):
    """Scaled ELU with Klambauer et al.'s constants.

    Example:
        >>> selu([0.0]).tolist()
        [0.0]
    """
    return F.selu(as_float(x, "selu"))


def gelu(x, approximate=True):
    """Gaussian error linear unit, by default its tanh approximation (Keras ops's default).

    Example:
        >>> gelu([0.0]).tolist()
        [0.0]
    """
    boolean("gelu", "approximate", approximate)
    return F.gelu(as_float(x, "gelu"), approximate=approximate)


def celu(x, alpha=1.0):
    """``x`` for x > 0, ``alpha * (exp(x / alpha) - 1)`` otherwise.

    Example:
        >>> celu([0.0, 2.0]).tolist()
        [0.0, 2.0]
    """
    alpha = real("celu", "alpha", alpha)
    if alpha == 0:
        raise ValueError("celu: alpha must be nonzero, got alpha=0")
    x = as_float(x, "celu")
    negative = F.multiply(F.expm1(F.divide(F.minimum(x, 0.0), alpha)), alpha)
    return F.add(F.relu(x), negative)


def glu(x, axis=-1):
    """Gated linear unit: ``a * sigmoid(b)`` for the two halves ``a, b`` of ``axis``.

    Example:
        >>> glu([[1.0, 0.0]]).tolist()
        [[0.5]]
    """
    x = as_float(x, "glu")
    axis = integer("glu", "axis", axis) % x.ndim
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"glu: axis {axis} has odd size {n}; it must split into two halves")
    lead = (slice(None),) * axis
    a, b = F.getitem(x, lead + (slice(0, n // 2),)), F.getitem(x, lead + (slice(n // 2, n),))
    return F.multiply(a, F.sigmoid(b))


def tanh_shrink(x):
    """``x - tanh(x)``.

    Example:
        >>> tanh_shrink([0.0]).tolist()
        [0.0]
    """
    x = as_float(x, "tanh_shrink")
    return F.subtract(x, F.tanh(x))


def hard_tanh(x):
    """``x`` clipped to [-1, 1].

    Example:
        >>> hard_tanh([-2.0, 0.5, 2.0]).tolist()
        [-1.0, 0.5, 1.0]
    """
    return F.clip(as_float(x, "hard_tanh"), -1.0, 1.0)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0.

    Example:
        >>> hard_shrink([-1.0, 0.2, 1.0]).tolist()
        [-1.0, 0.0, 1.0]
    """
    t = real("hard_shrink", "threshold", threshold)
    x = as_float(x, "hard_shrink")
    return F.where(x.ops.xp.abs(x.data) > t, x, x.dtype.type(0))


def soft_shrink(x, threshold=0.5):
    """``x`` moved ``threshold`` toward 0, and 0 within ``threshold`` of it.

    Example:
        >>> soft_shrink([-1.0, 0.2, 1.0]).tolist()
        [-0.5, 0.0, 0.5]
    """
    t = real("soft_shrink", "threshold", threshold)
    x = as_float(x, "soft_shrink")
    xp = x.ops.xp
    moved = F.subtract(x, F.multiply(xp.sign(x.data), t))
    return F.where(xp.abs(x.data) > t, moved, x.dtype.type(0))


def sparse_plus(x):
    """0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` in between (a smooth relu).

    Example:
        >>> sparse_plus([-2.0, 0.0, 2.0]).tolist()
        [0.0, 0.25, 2.0]
    """
    x = as_float(x, "sparse_plus")
    middle = F.multiply(F.square(F.add(x, 1.0)), 0.25)
    return F.where(x.data >= 1, x, F.where(x.data <= -1, x.dtype.type(0), middle))


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``, a smooth relu (b >= 0).

    Example:
        >>> squareplus([0.0]).tolist()
        [1.0]
    """
    b = real("squareplus", "b", b, 0)
    x = as_float(x, "squareplus")
    return F.multiply(F.add(x, F.sqrt(F.add(F.square(x), b))), 0.5)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``.

    Example:
        >>> threshold([0.5, 2.0], 1.0, -1.0).tolist()
        [-1.0, 2.0]
    """
    t = real("threshold", "threshold", threshold)
    value = real("threshold", "default_value", default_value)
    x = as_float(x, "threshold")
    return F.where(x.data > t, x, x.dtype.type(value))


def softmax(x, axis=-1):
    """Normalized exponentials along ``axis``.

    Example:
        >>> softmax([0.0, 0.0]).tolist()
        [0.5, 0.5]
    """
    return F.softmax(as_float(x, "softmax"), axis=integer("softmax", "axis", axis))


def log_softmax(x, axis=-1):
    """``log(softmax(x))`` along ``axis``, finite for any logits.

    Example:
        >>> round(log_softmax([0.0, 0.0]).tolist()[0], 6)
        -0.693147
    """
    return F.log_softmax(as_float(x, "log_softmax"), axis=integer("log_softmax", "axis", axis))


def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis`` (Martins
    and Astudillo, 2016): like softmax, but exact zeros for small logits.

    Example:
        >>> sparsemax([1.0, 0.0, -2.0]).tolist()
        [1.0, 0.0, 0.0]
    """
    x = as_float(x, "sparsemax")
    axis = integer("sparsemax", "axis", axis) % x.ndim
    xp = x.ops.xp
    # the support (which elements stay positive) is found on the values; the threshold tau is
    # then a differentiable mean over it: out = relu(x - (sum_support(x) - 1) / k)
    z = xp.flip(xp.sort(x.data, axis=axis), axis=axis)
    ranks = xp.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(
        [-1 if i == axis else 1 for i in range(x.ndim)])
    in_support = 1 + ranks * z > xp.cumsum(z, axis=axis)
    k = in_support.sum(axis=axis, keepdims=True)
    kth = xp.take_along_axis(z, k - 1, axis=axis)
    member = x.data >= kth
    total = F.sum(F.where(member, x, x.dtype.type(0)), axis=axis, keepdims=True)
    tau = F.divide(F.subtract(total, 1.0), k.astype(x.dtype))
    return F.relu(F.subtract(x, tau))
