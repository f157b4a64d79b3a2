"""``keras.ops.linalg``: norms, inverses, determinants and linear solves, differentiable.

The matrices are the last two axes; leading axes are a batch. Decompositions (Cholesky, QR,
SVD, eigenvalues, LU) are not provided (see ``neurona.ops.MISSING``).
"""

from ._missing import missing
from .. import functions as F
from ..autograd.tensor import Tensor
from ..validation import boolean
from .dtypes import as_float, operands
from .reductions import normalize_axes

__all__ = ["norm", "inv", "det", "slogdet", "solve", "solve_triangular"]

_INF = float("inf")


def _square(owner, x):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{owner}: needs (batches of) square matrices, got shape {x.shape}")
    return x


def inv(x):
    """The inverse of (batches of) square matrices.

    Example:
        >>> inv(np.array([[2.0, 0.0], [0.0, 4.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    return F.inv(_square("inv", as_float(x, "inv")))


def det(x):
    """The determinant of (batches of) square matrices.

    Example:
        >>> round(float(det(np.array([[2.0, 1.0], [1.0, 3.0]]))), 6)
        5.0
    """
    return F.det(_square("det", as_float(x, "det")))


def slogdet(x):
    """``(sign, log|det|)`` of (batches of) square matrices; the log is differentiable.

    Example:
        >>> sign, logabs = slogdet(np.array([[-2.0, 0.0], [0.0, 3.0]]))
        >>> float(sign), round(float(logabs), 6)
        (-1.0, 1.791759)
    """
    d = F.det(_square("slogdet", as_float(x, "slogdet")))
    return Tensor(d.ops.xp.sign(d.data)), F.log(F.abs(d))


def solve(a, b):
    """``x`` with ``a @ x = b``: ``b`` is ``(..., n, k)`` or a vector ``(n,)``.

    Example:
        >>> solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 4.0])).tolist()
        [1.0, 1.0]
    """
    a, b = operands("solve", as_float(a, "solve"), b)
    _square("solve", a)
    vector = b.ndim == 1
    if vector:
        b = F.reshape(b, (-1, 1))
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve: b of shape {b.shape} does not fit a of shape {a.shape}")
    x = F.solve(a, b)
    return F.reshape(x, (-1,)) if vector else x


def solve_triangular(a, b, lower=False):
    """``x`` with ``a @ x = b`` for a triangular ``a`` (only its lower or upper triangle is
    read, as ``lower`` says).

    Example:
        >>> solve_triangular(np.array([[2.0, 9.0], [1.0, 4.0]]), np.array([2.0, 9.0]),
        ...                  lower=True).tolist()
        [1.0, 2.0]
    """
    boolean("solve_triangular", "lower", lower)
    a = as_float(a, "solve_triangular")
    _square("solve_triangular", a)
    keep = a.ops.xp.tri(a.shape[-1], dtype=bool)
    triangle = F.where(keep if lower else keep.T, a, a.dtype.type(0))
    return solve(triangle, b)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (Keras's name)
    """Vector or matrix norm.

    Args:
        x: the tensor.
        ord: for vectors None or 2 (Euclidean), 1, any p > 0, inf, -inf, 0 (the nonzero
            count); for matrices None or "fro" (Frobenius), 1, -1, inf, -inf (column and row
            sums). The spectral and nuclear norms need an SVD, which neurona does not have.
        axis: None (a vector for 1-D x, a matrix for 2-D x, all of x flattened otherwise with
            ord None), an int (vectors along it) or two ints (matrices over them).
        keepdims: keep the reduced axes with size 1.

    Returns:
        A float tensor, differentiable in x (except at 0 for the Euclidean norm, as there).

    Example:
        >>> norm([3.0, 4.0]).tolist()
        5.0
    """
    boolean("norm", "keepdims", keepdims)
    x = as_float(x, "norm")
    if axis is None:
        if ord is not None and x.ndim > 2:
            raise ValueError(f"norm: ord={ord!r} needs axis for a tensor of {x.ndim} axes")
        axes = tuple(range(x.ndim)) if (ord is None or x.ndim < 2) else (0, 1)
        matrix = x.ndim == 2 and ord is not None
    else:
        axes = axis if isinstance(axis, (tuple, list)) else (axis,)
        matrix = len(axes) == 2
        if len(axes) > 2:
            raise ValueError(f"norm: axis {axis!r} names more than two axes")
        axes = tuple(normalize_axes("norm", a, x.ndim)[0] for a in axes)
    magnitude = F.abs(x)
    if matrix and ord not in (None, "fro"):
        if ord not in (1, -1, _INF, -_INF):
            raise ValueError(f"norm: matrix ord={ord!r} is not supported (spectral and nuclear "
                             "norms need an SVD); use 'fro', 1, -1, inf or -inf")
        rows, cols = axes
        summed_axis, over = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = F.sum(magnitude, axis=summed_axis, keepdims=True)
        pick = F.max if ord > 0 else F.min
        out = pick(sums, axis=over, keepdims=True)
        return out if keepdims else F.reshape(out, [n for i, n in enumerate(out.shape)
                                                    if i not in axes])
    if ord in (None, 2, "fro"):
        if ord == "fro" and not matrix:
            raise ValueError("norm: ord='fro' is a matrix norm; pass two axes")
        return F.sqrt(F.sum(F.square(x), axis=axes, keepdims=keepdims))
    if isinstance(ord, str) or isinstance(ord, bool):
        raise ValueError(f"norm: ord={ord!r} is not a vector norm; use a number, inf or -inf")
    if ord == _INF:
        return F.max(magnitude, axis=axes, keepdims=keepdims)
    if ord == -_INF:
        return F.min(magnitude, axis=axes, keepdims=keepdims)
    if ord == 0:
        count = (x.data != 0).sum(axis=axes, keepdims=keepdims).astype(x.dtype)
        return Tensor(count)
    if ord == 1:
        return F.sum(magnitude, axis=axes, keepdims=keepdims)
    p = float(ord)
    return F.power(F.sum(F.power(magnitude, p), axis=axes, keepdims=keepdims), 1.0 / p)


def __getattr__(name):
    raise missing(__name__, name, __all__)

