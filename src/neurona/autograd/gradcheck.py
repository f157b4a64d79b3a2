"""Numerical gradient checks by central differences (use float64 inputs)."""

import numpy as np

from ..backend import get_ops
from .tensor import Tensor


def numerical_grad(f, arrays, index, eps):
    """d f(arrays) / d arrays[index] by central differences, where ``f`` returns a scalar."""
    x = arrays[index]
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    out = grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i].item()
        flat[i] = original + eps
        plus = float(f(arrays))
        flat[i] = original - eps
        minus = float(f(arrays))
        flat[i] = original
        out[i] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(fn, inputs, *, eps=1e-6, atol=1e-6, rtol=1e-5, wrt=None, seed=0):
    """Compare ``fn``'s backward with central differences.

    Args:
        fn: callable taking tensors and returning one tensor.
        inputs: arrays (float64 for a meaningful check) or tensors.
        wrt: indices of the inputs to check (default: every floating input).
        eps, atol, rtol: finite-difference step and tolerances.
        seed: seed of the random projection of the output (so non-scalar outputs are checked
            with a weighting that catches permuted or mis-summed gradients).

    Returns:
        True. Raises AssertionError naming the input and the worst element on a mismatch.
    """
    ops = get_ops()
    arrays = [ops.asarray(x.data if isinstance(x, Tensor) else x) for x in inputs]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    out_shape = fn(*[Tensor(a) for a in arrays]).shape
    rng = np.random.default_rng(seed)
    weights = ops.asarray(rng.standard_normal(out_shape))

    def scalar(arrs):
        out = fn(*[Tensor(a) for a in arrs])
        return (out.data * weights).sum()

    tensors = [Tensor(a, requires_grad=(i in wrt)) for i, a in enumerate(arrays)]
    out = fn(*tensors)
    out.backward(weights.astype(out.data.dtype))
    for i in wrt:
        analytic = tensors[i].grad
        analytic = np.zeros(arrays[i].shape) if analytic is None else ops.to_numpy(analytic)
        numeric = numerical_grad(lambda a: ops.to_numpy(scalar(a)), [a.copy() for a in arrays], i, eps)
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
            err = np.abs(analytic - numeric)
            worst = np.unravel_index(np.argmax(err), err.shape)
            raise AssertionError(
                f"gradcheck failed for input {i}: at {worst} analytic={analytic[worst]!r} "
                f"numeric={numeric[worst]!r} (max abs error {err.max():.3g})"
            )
    return True
