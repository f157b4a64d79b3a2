"""Linear algebra on (batches of) square matrices: inverse, determinant, linear solve.

The matrices are the last two axes; leading axes are a batch. Backward uses the inverse (or a
solve with the transpose), so it needs the matrix to be invertible, as the forward does.
"""

from ..autograd.function import Function

__all__ = ["inv", "det", "solve"]


def _t(xp, a):
    return xp.swapaxes(a, -1, -2)


class Inv(Function):
    def forward(self, a):
        self.y = self.xp.linalg.inv(a)
        return self.y

    def backward(self, g):
        # d(A^-1) = -A^-1 dA A^-1, so dL/dA = -A^-T G A^-T
        yt = _t(self.xp, self.y)
        return (-(yt @ g @ yt),)


class Det(Function):
    def forward(self, a):
        self.a = a
        self.d = self.xp.linalg.det(a)
        return self.d

    def backward(self, g):
        # d det(A) / dA = det(A) A^-T (Jacobi's formula)
        xp = self.xp
        scale = (g * self.d)[..., None, None]
        return (scale * _t(xp, xp.linalg.inv(self.a)),)


class Solve(Function):
    """X with A X = B, for B of shape (..., n, k)."""

    def forward(self, a, b):
        self.a = a
        self.x = self.xp.linalg.solve(a, b)
        return self.x

    def backward(self, g):
        # dL/dB = A^-T G; dL/dA = -(A^-T G) X^T
        xp = self.xp
        gb = xp.linalg.solve(_t(xp, self.a), g)
        ga = -(gb @ _t(xp, self.x)) if self.needs_grad[0] else None
        sum_to = self.ops.sum_to
        return (sum_to(ga, self.a.shape) if ga is not None else None,
                gb if self.needs_grad[1] else None)


def inv(a):
    return Inv()(a)


def det(a):
    return Det()(a)


def solve(a, b):
    return Solve()(a, b)
