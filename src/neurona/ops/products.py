"""``keras.ops``: products of tensors (matmul, einsum, tensordot, dot, outer, inner, kron,
cross), all differentiable.

Operand dtypes are promoted as in the arithmetic ops; two int8 operands multiply into int32, as
Keras does.
"""

import string

from .. import functions as F
from ..validation import integer
from .dtypes import cast, operands as _operands
from .shapes import axis_index

__all__ = ["matmul", "einsum", "tensordot", "dot", "outer", "inner", "vdot", "kron", "cross"]


def _pair(owner, x1, x2):
    a, b = _operands(owner, x1, x2)
    if a.dtype.name == "int8":  # int8 x int8 accumulates in int32 (Keras's rule)
        a, b = cast(a, "int32"), cast(b, "int32")
    if a.dtype.name == "bool":
        raise TypeError(f"{owner}: bool tensors have no product; cast them to a number first")
    return a, b


def matmul(x1, x2):
    """Matrix product with NumPy's rules: the last two axes multiply, leading axes broadcast,
    a 1-D operand is a vector.

    Example:
        >>> matmul(np.ones((2, 3)), np.ones(3)).tolist()
        [3.0, 3.0]
    """
    a, b = _pair("matmul", x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: operands must have at least one axis (use multiply for "
                         "scalars)")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not line up (the last "
                         "axis of x1 must match the second-to-last of x2)")
    vector_a, vector_b = a.ndim == 1, b.ndim == 1
    if vector_a:
        a = F.reshape(a, (1,) + a.shape)
    if vector_b:
        b = F.reshape(b, b.shape + (1,))
    out = F.matmul(a, b)
    if vector_a or vector_b:
        shape = out.shape[:-2] + (() if vector_a else out.shape[-2:-1]) + (
            () if vector_b else out.shape[-1:])
        out = F.reshape(out, shape)
    return out


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation (NumPy's notation), differentiable in every operand.

    Keras passes ``kwargs`` on to its backend's einsum; neurona's takes none (it chooses its
    own contraction order), so any keyword is an error.

    Example:
        >>> einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
    """
    if kwargs:
        raise TypeError(f"einsum: keyword arguments {sorted(kwargs)} are not supported")
    xs = _operands("einsum", *operands)
    if xs and xs[0].dtype.name == "int8":
        xs = [cast(x, "int32") for x in xs]
    return F.einsum(subscripts, *xs)


def _letters(n, skip=""):
    return [c for c in string.ascii_lowercase if c not in skip][:n]


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes``: an int ``n`` (the last n of x1 with the first n of x2)
    or two lists of axes.

    Example:
        >>> tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
        (2, 4)
    """
    a, b = _pair("tensordot", x1, x2)
    if isinstance(axes, int):
        n = integer("tensordot", "axes", axes, low=0)
        axes_a, axes_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        axes_a, axes_b = ([ax] if isinstance(ax, int) else list(ax) for ax in axes)
    axes_a = [axis_index("tensordot", ax, a.ndim) for ax in axes_a]
    axes_b = [axis_index("tensordot", ax, b.ndim) for ax in axes_b]
    if len(axes_a) != len(axes_b) or any(a.shape[i] != b.shape[j] for i, j in
                                         zip(axes_a, axes_b)):
        raise ValueError(f"tensordot: axes {axes_a} of {a.shape} and {axes_b} of {b.shape} "
                         "must pair up with equal sizes")
    letters = _letters(a.ndim + b.ndim)
    sa = letters[:a.ndim]
    sb = letters[a.ndim:]
    for i, j in zip(axes_a, axes_b):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in axes_a] + [
        c for j, c in enumerate(sb) if j not in axes_b]
    return F.einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def dot(x1, x2):
    """NumPy's ``dot``: products of scalars, inner product of vectors, matrix product, and for
    N-D the sum over x1's last axis and x2's second-to-last.

    Example:
        >>> dot([1.0, 2.0], [3.0, 4.0]).tolist()
        11.0
    """
    a, b = _pair("dot", x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return F.multiply(a, b)
    return tensordot(a, b, ([-1], [-2 if b.ndim > 1 else 0]))


def outer(x1, x2):
    """Outer product of the flattened operands.

    Example:
        >>> outer([1.0, 2.0], [1.0, 10.0]).tolist()
        [[1.0, 10.0], [2.0, 20.0]]
    """
    a, b = _pair("outer", x1, x2)
    return F.einsum("i,j->ij", F.reshape(a, (-1,)), F.reshape(b, (-1,)))


def inner(x1, x2):
    """Sum of products over the last axes (products of scalars).

    Example:
        >>> inner([1.0, 2.0], [3.0, 4.0]).tolist()
        11.0
    """
    a, b = _pair("inner", x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return F.multiply(a, b)
    return tensordot(a, b, ([-1], [-1]))


def vdot(x1, x2):
    """Dot product of the flattened operands.

    Example:
        >>> vdot(np.ones((2, 2)), np.ones((2, 2))).tolist()
        4.0
    """
    a, b = _pair("vdot", x1, x2)
    return F.einsum("i,i->", F.reshape(a, (-1,)), F.reshape(b, (-1,)))


def kron(x1, x2):
    """Kronecker product: blocks ``x1[i, j] * x2``.

    Example:
        >>> kron(np.eye(2), np.ones((1, 2))).tolist()
        [[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]
    """
    a, b = _pair("kron", x1, x2)
    ndim = max(a.ndim, b.ndim)
    a = F.reshape(a, (1,) * (ndim - a.ndim) + a.shape)
    b = F.reshape(b, (1,) * (ndim - b.ndim) + b.shape)
    la, lb = _letters(ndim), _letters(ndim, skip=string.ascii_lowercase[:ndim])
    spec = f"{''.join(la)},{''.join(lb)}->{''.join(x + y for x, y in zip(la, lb))}"
    return F.reshape(F.einsum(spec, a, b), tuple(m * n for m, n in zip(a.shape, b.shape)))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or the z-component for 2-vectors) along the given axes
    (``axis`` sets all three).

    Example:
        >>> cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).tolist()
        [0.0, 0.0, 1.0]
    """
    a, b = _operands("cross", x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = F.transpose(a, _last(a.ndim, axis_index("cross", axisa, a.ndim)))
    b = F.transpose(b, _last(b.ndim, axis_index("cross", axisb, b.ndim)))
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"cross: vectors must have 2 or 3 components, got {a.shape[-1]} and "
                         f"{b.shape[-1]}")

    def part(t, i):
        return F.getitem(t, (Ellipsis, i)) if i < t.shape[-1] else None

    a0, a1, a2 = part(a, 0), part(a, 1), part(a, 2)
    b0, b1, b2 = part(b, 0), part(b, 1), part(b, 2)
    z = F.subtract(F.multiply(a0, b1), F.multiply(a1, b0))
    if a2 is None and b2 is None:
        return z
    a2 = a2 if a2 is not None else F.multiply(a0, 0.0)
    b2 = b2 if b2 is not None else F.multiply(b0, 0.0)
    x = F.subtract(F.multiply(a1, b2), F.multiply(a2, b1))
    y = F.subtract(F.multiply(a2, b0), F.multiply(a0, b2))
    out = F.stack([x, y, z], axis=-1)
    return F.transpose(out, _from_last(out.ndim, axis_index("cross", axisc, out.ndim)))


def _last(ndim, axis):
    return [i for i in range(ndim) if i != axis] + [axis]


def _from_last(ndim, axis):
    order = list(range(ndim - 1))
    order.insert(axis, ndim - 1)
    return order
