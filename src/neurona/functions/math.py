"""Elementwise arithmetic and matrix products, with NumPy broadcasting."""

from ..autograd.function import Function
from ..backend import get_ops
from ..autograd.tensor import Tensor
from ..backend import get_ops


def _shape(x):
    return x.shape if hasattr(x, "shape") else ()


class Add(Function):
    def forward(self, a, b):
        self.shapes = (_shape(a), _shape(b))
        return a + b

    def backward(self, g):
        # d(a+b)/da = d(a+b)/db = 1; broadcasting is undone by summing.
        sa, sb = self.shapes
        sum_to = self.ops.sum_to
        return (sum_to(g, sa) if self.needs_grad[0] else None,
                sum_to(g, sb) if self.needs_grad[1] else None)


class Subtract(Function):
    def forward(self, a, b):
        self.shapes = (_shape(a), _shape(b))
        return a - b

    def backward(self, g):
        sa, sb = self.shapes
        sum_to = self.ops.sum_to
        return (sum_to(g, sa) if self.needs_grad[0] else None,
                sum_to(-g, sb) if self.needs_grad[1] else None)


class Multiply(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        # d(ab)/da = b, d(ab)/db = a
        a, b = self.a, self.b
        sum_to = self.ops.sum_to
        return (sum_to(g * b, _shape(a)) if self.needs_grad[0] else None,
                sum_to(g * a, _shape(b)) if self.needs_grad[1] else None)


class Divide(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        a, b = self.a, self.b
        sum_to = self.ops.sum_to
        ga = gb = None
        gb_ = g / b
        if self.needs_grad[0]:
            ga = sum_to(gb_, _shape(a))
        if self.needs_grad[1]:
            gb = sum_to(-gb_ * a / b, _shape(b))
        return ga, gb


class Mod(Function):
    """The remainder of floor division, a - b floor(a / b) (the sign of b, as NumPy's mod)."""

    rounding = "floor"

    def forward(self, a, b):
        self.a, self.b = a, b
        return self.xp.mod(a, b) if self.rounding == "floor" else self.xp.fmod(a, b)

    def backward(self, g):
        # d/da = 1, d/db = -round(a / b) with the quotient rounded as the remainder rounds it
        sum_to = self.ops.sum_to
        ga = gb = None
        if self.needs_grad[0]:
            ga = sum_to(g, _shape(self.a))
        if self.needs_grad[1]:
            quotient = getattr(self.xp, self.rounding)(self.a / self.b)
            gb = sum_to(-g * quotient, _shape(self.b))
        return ga, gb


class FMod(Mod):
    """The remainder of truncated division, a - b trunc(a / b) (the sign of a, as C's fmod)."""

    rounding = "trunc"


class Negative(Function):
    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class Power(Function):
    """x ** p for a constant exponent p."""

    def __init__(self, exponent):
        self.exponent = exponent

    def forward(self, x):
        self.x = x
        return x ** self.exponent

    def backward(self, g):
        # d(x^p)/dx = p x^(p-1)
        p = self.exponent
        return (g * p * self.x ** (p - 1),)


class Pow(Function):
    """a ** b where the exponent b is a tensor too."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a ** b
        return self.y

    def backward(self, g):
        # d/da = b a^(b-1); d/db = a^b log a (0 where a = 0: the limit for b > 0; NaN for a < 0,
        # where a^b is real only at integer b and has no derivative in b)
        xp, a, b = self.xp, self.a, self.b
        sum_to = self.ops.sum_to
        ga = gb = None
        if self.needs_grad[0]:
            ga = sum_to(g * b * a ** (b - 1), _shape(a))
        if self.needs_grad[1]:
            log_a = xp.log(xp.where(a > 0, a, 1))
            log_a = xp.where(a >= 0, log_a, xp.nan)
            gb = sum_to(g * xp.where(a == 0, 0, self.y * log_a), _shape(b))
        return ga, gb


class Cast(Function):
    """Conversion to another floating dtype; the gradient is converted back."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return (g.astype(self.in_dtype),)


class Square(Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (2 * g * self.x,)


class Sqrt(Function):
    def forward(self, x):
        self.y = self.xp.sqrt(x)
        return self.y

    def backward(self, g):
        # d sqrt(x) = 1 / (2 sqrt(x))
        return (g / (2 * self.y),)


class Exp(Function):
    def forward(self, x):
        self.y = self.xp.exp(x)
        return self.y

    def backward(self, g):
        return (g * self.y,)


class Log(Function):
    def forward(self, x):
        self.x = x
        return self.xp.log(x)

    def backward(self, g):
        return (g / self.x,)


class Log1p(Function):
    def forward(self, x):
        self.x = x
        return self.xp.log1p(x)

    def backward(self, g):
        return (g / (1 + self.x),)


class Abs(Function):
    def forward(self, x):
        self.sign = self.xp.sign(x)
        return self.xp.abs(x)

    def backward(self, g):
        # d|x|/dx = sign(x), taken as 0 at 0 (as PyTorch and TF do)
        return (g * self.sign,)


class Maximum(Function):
    def forward(self, a, b):
        self.a_wins = a >= b
        self.shapes = (_shape(a), _shape(b))
        return self.xp.maximum(a, b)

    def backward(self, g):
        # ties send the gradient to the first argument
        sum_to = self.ops.sum_to
        mask = self.a_wins
        return (sum_to(g * mask, self.shapes[0]) if self.needs_grad[0] else None,
                sum_to(g * ~mask, self.shapes[1]) if self.needs_grad[1] else None)


class Minimum(Function):
    def forward(self, a, b):
        self.a_wins = a <= b
        self.shapes = (_shape(a), _shape(b))
        return self.xp.minimum(a, b)

    def backward(self, g):
        sum_to = self.ops.sum_to
        mask = self.a_wins
        return (sum_to(g * mask, self.shapes[0]) if self.needs_grad[0] else None,
                sum_to(g * ~mask, self.shapes[1]) if self.needs_grad[1] else None)


class Clip(Function):
    """Clamp to [low, high]; the gradient passes only strictly inside the interval's closure."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.inside = (x >= self.low) & (x <= self.high)
        return self.xp.clip(x, self.low, self.high)

    def backward(self, g):
        return (g * self.inside,)


class Where(Function):
    """where(condition, a, b) with a constant boolean condition."""

    def __init__(self, condition):
        # a host condition (a NumPy mask a user built) moves to the backend here
        self.condition = (condition.data if isinstance(condition, Tensor)
                          else get_ops().asarray(condition))

    def forward(self, a, b):
        self.shapes = (_shape(a), _shape(b))
        return self.xp.where(self.condition, a, b)

    def backward(self, g):
        sum_to, c = self.ops.sum_to, self.condition
        zero = g.dtype.type(0)
        return (sum_to(self.xp.where(c, g, zero), self.shapes[0]) if self.needs_grad[0] else None,
                sum_to(self.xp.where(c, zero, g), self.shapes[1]) if self.needs_grad[1] else None)


class MatMul(Function):
    """a @ b for 2-D or batched operands (b may be 2-D and shared across the batch)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        # dL/da = g b^T, dL/db = a^T g (summed over broadcast batch axes)
        a, b = self.a, self.b
        xp, sum_to = self.xp, self.ops.sum_to
        ga = gb = None
        if self.needs_grad[0]:
            ga = g @ xp.swapaxes(b, -1, -2) if b.ndim > 1 else xp.multiply.outer(g, b)
            ga = sum_to(ga, a.shape)
        if self.needs_grad[1]:
            if a.ndim == 2 and g.ndim == 2:
                gb = a.T @ g
            else:
                gb = sum_to(xp.swapaxes(a, -1, -2) @ g, b.shape)
        return ga, gb


def add(a, b):
    return Add()(a, b)


def subtract(a, b):
    return Subtract()(a, b)


def multiply(a, b):
    return Multiply()(a, b)


def divide(a, b):
    return Divide()(a, b)


def mod(a, b):
    return Mod()(a, b)


def fmod(a, b):
    return FMod()(a, b)


def negative(x):
    return Negative()(x)


def power(x, exponent):
    """x ** exponent: a constant exponent (2 uses the cheaper :func:`square`) or a tensor one
    (differentiable in both)."""
    if isinstance(exponent, Tensor) or get_ops().is_array(exponent):
        return Pow()(x, exponent)
    if exponent == 2:
        return Square()(x)
    return Power(exponent)(x)


def cast(x, dtype):
    """``x`` converted to the floating ``dtype``, differentiable (the gradient is converted
    back); a tensor already of that dtype is returned as is."""
    if x.dtype == dtype:
        return x
    return Cast(dtype)(x)


def square(x):
    return Square()(x)


def sqrt(x):
    return Sqrt()(x)


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)


def log1p(x):
    return Log1p()(x)


def abs(x):  # noqa: A001  (mirrors numpy's name)
    return Abs()(x)


def maximum(a, b):
    return Maximum()(a, b)


def minimum(a, b):
    return Minimum()(a, b)


def clip(x, low, high):
    return Clip(low, high)(x)


def where(condition, a, b):
    return Where(condition)(a, b)


def matmul(a, b):
    return MatMul()(a, b)
