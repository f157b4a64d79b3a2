"""``keras.ops``: integration, distances, correlation, Vandermonde matrices and windows.

``trapezoid``, ``cdist``, ``corrcoef``, ``correlate`` and ``vander`` are differentiable
compositions; the windows are constants (``floatx()``).
"""

import numpy as np

from .. import config
from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, choice, integer, real
from .dtypes import as_float, operands, to_tensor
from .shapes import axis_index

__all__ = ["trapezoid", "cdist", "corrcoef", "correlate", "vander", "bartlett", "blackman",
           "hamming", "hanning", "kaiser"]


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of ``y`` along ``axis`` by the trapezoidal rule, at sample points ``x``
    (or spacing ``dx``).

    Example:
        >>> trapezoid([1.0, 2.0, 3.0]).tolist()
        4.0
    """
    y = as_float(y, "trapezoid")
    a = axis_index("trapezoid", axis, y.ndim)
    lead = (slice(None),) * a
    right, left = F.getitem(y, lead + (slice(1, None),)), F.getitem(y, lead + (slice(None, -1),))
    pairs = F.multiply(F.add(right, left), 0.5)
    if x is None:
        return F.multiply(F.sum(pairs, axis=a), real("trapezoid", "dx", dx))
    xs = as_float(x, "trapezoid")
    if xs.ndim == 1:
        if xs.shape[0] != y.shape[a]:
            raise ValueError(f"trapezoid: {xs.shape[0]} sample points for axis {a} of size "
                             f"{y.shape[a]}")
        xs = F.reshape(xs, [-1 if i == a else 1 for i in range(y.ndim)])
    steps = F.subtract(F.getitem(xs, lead + (slice(1, None),)),
                       F.getitem(xs, lead + (slice(None, -1),)))
    return F.sum(F.multiply(pairs, steps), axis=a)


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., m, d) and ``y`` (..., n, d):
    ``(..., m, n)``.

    Example:
        >>> cdist([[0.0, 0.0]], [[3.0, 4.0], [0.0, 1.0]]).tolist()
        [[5.0, 1.0]]
    """
    a, b = operands("cdist", as_float(x, "cdist"), y)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise ValueError(f"cdist: needs (..., m, d) and (..., n, d) with one d, got {a.shape} "
                         f"and {b.shape}")
    diff = F.subtract(F.expand_dims(a, -2), F.expand_dims(b, -3))
    return F.sqrt(F.sum(F.square(diff), axis=-1))


def corrcoef(x):
    """Pearson correlation coefficients between the rows (variables) of ``x``.

    Example:
        >>> corrcoef(np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])).numpy().round(6).tolist()
        [[1.0, -1.0], [-1.0, 1.0]]
    """
    x = as_float(x, "corrcoef")
    if x.ndim == 1:
        x = F.reshape(x, (1, -1))
    if x.ndim != 2:
        raise ValueError(f"corrcoef: needs 1-D or 2-D data, got shape {x.shape}")
    centered = F.subtract(x, F.mean(x, axis=1, keepdims=True))
    cov = F.matmul(centered, F.transpose(centered))
    std = F.sqrt(F.einsum("ii->i", cov))
    out = F.divide(cov, F.multiply(F.reshape(std, (-1, 1)), F.reshape(std, (1, -1))))
    return F.clip(out, -1.0, 1.0)


def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D sequences (NumPy's ``correlate``): ``c[k] = sum_n
    x1[n + k] x2[n]``, over the overlaps ``mode`` allows ("valid", "same" or "full").

    Example:
        >>> correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5]).tolist()
        [3.5]
    """
    choice("correlate", "mode", mode, ("valid", "same", "full"))
    a, v = operands("correlate", as_float(x1, "correlate"), x2)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"correlate: needs two 1-D sequences, got shapes {a.shape}, {v.shape}")
    n, m = a.shape[0], v.shape[0]
    if n < m:  # NumPy swaps the shorter one in, and reverses the result
        return F.getitem(correlate(v, a, mode), slice(None, None, -1))
    if mode == "full":
        a = F.pad(a, [(m - 1, m - 1)])
    elif mode == "same":
        a = F.pad(a, [(m // 2, m - 1 - m // 2)])
    count = a.shape[0] - m + 1
    windows = np.arange(m)[None, :] + np.arange(count)[:, None]
    return F.sum(F.multiply(F.getitem(a, get_ops().asarray(windows)), v), axis=1)


def vander(x, N=None, increasing=False):  # noqa: N803  (Keras's name)
    """The Vandermonde matrix of 1-D ``x``: columns of powers, highest first (lowest first with
    ``increasing``).

    Example:
        >>> vander([2.0, 3.0], 3).tolist()
        [[4.0, 2.0, 1.0], [9.0, 3.0, 1.0]]
    """
    boolean("vander", "increasing", increasing)
    x = to_tensor(x, owner="vander")
    if x.ndim != 1:
        raise ValueError(f"vander: x must be 1-D, got shape {x.shape}")
    n = x.shape[0] if N is None else integer("vander", "N", N, low=0)
    powers = np.arange(n) if increasing else np.arange(n)[::-1]
    columns = [F.power(x, int(p)) if p != 1 else x for p in powers]
    if not columns:
        return Tensor(get_ops().xp.zeros((x.shape[0], 0), dtype=x.dtype))
    ones = [Tensor(get_ops().xp.ones_like(x.data)) if p == 0 else c for p, c in
            zip(powers, columns)]
    return F.stack(ones, axis=1)


def _window(owner, fn, m, *args):
    m = integer(owner, "x", int(m.item() if hasattr(m, "item") else m), low=0)
    return Tensor(get_ops().asarray(fn(m, *args).astype(config.floatx())))


def bartlett(x):
    """The Bartlett (triangular) window of ``x`` points.

    Example:
        >>> bartlett(3).tolist()
        [0.0, 1.0, 0.0]
    """
    return _window("bartlett", np.bartlett, x)


def blackman(x):
    """The Blackman window of ``x`` points."""
    return _window("blackman", np.blackman, x)


def hamming(x):
    """The Hamming window of ``x`` points."""
    return _window("hamming", np.hamming, x)


def hanning(x):
    """The Hann window of ``x`` points."""
    return _window("hanning", np.hanning, x)


def kaiser(x, beta):
    """The Kaiser window of ``x`` points with shape parameter ``beta``."""
    return _window("kaiser", np.kaiser, x, real("kaiser", "beta", beta))
