"""Cases for arithmetic, casts, reductions, shape operations and the fused dense map."""

import numpy as np

import neurona.functions as F
from neurona.functions import affine, math, reduce, shape

from . import GradCase

_r = np.random.default_rng(7)
A = _r.standard_normal((3, 4))
B = _r.standard_normal((3, 4))
ROW = _r.standard_normal((4,))
POS = _r.uniform(0.5, 2.0, (3, 4))
# entries far from each other so max/min/maximum have no near-ties
DISTINCT = _r.permutation(12).reshape(3, 4).astype(np.float64) + _r.uniform(0.1, 0.2, (3, 4))
X3 = _r.standard_normal((2, 5, 3))
W = _r.standard_normal((3, 4))
W1 = _r.standard_normal((3, 1))
BIAS = _r.standard_normal((4,))

CASES = [
    GradCase(math.Add, lambda a, b: a + b, [A, ROW], "add-broadcast"),
    GradCase(math.Subtract, lambda a, b: a - b, [ROW, A], "subtract-broadcast"),
    GradCase(math.Multiply, lambda a, b: a * b, [A, ROW[None, :]], "multiply"),
    GradCase(math.Divide, lambda a, b: a / b, [A, POS], "divide"),
    GradCase(math.Negative, lambda a: -a, [A]),
    GradCase(math.Mod, F.mod, [A * 3, POS], "mod"),
    GradCase(math.FMod, F.fmod, [A * 3, POS], "fmod"),
    GradCase(math.Power, lambda a: a ** 3.5, [POS], "power"),
    GradCase(math.Pow, lambda a, b: F.power(a, b), [POS, A], "power-tensor-exponent"),
    GradCase(math.Pow, lambda a, b: F.power(a, b), [POS, ROW], "power-broadcast-exponent"),
    GradCase(math.Cast, lambda a: F.cast(a, "float32") * 1.0, [A], "cast-float32", atol=1e-4,
             rtol=1e-3, eps=1e-3),
    GradCase(math.Square, lambda a: a ** 2, [A], "square"),
    GradCase(math.Sqrt, F.sqrt, [POS]),
    GradCase(math.Exp, F.exp, [A]),
    GradCase(math.Log, F.log, [POS]),
    GradCase(math.Log1p, F.log1p, [POS]),
    GradCase(math.Abs, F.abs, [DISTINCT - 6.0]),
    GradCase(math.Maximum, F.maximum, [DISTINCT, DISTINCT[:, ::-1].copy()]),
    GradCase(math.Minimum, F.minimum, [DISTINCT, DISTINCT[:, ::-1].copy()]),
    GradCase(math.Clip, lambda a: F.clip(a, 2.0, 9.0), [DISTINCT]),
    GradCase(math.Where, lambda a, b: F.where(A > 0, a, b), [A, ROW]),
    GradCase(math.MatMul, F.matmul, [A, W.T]),
    GradCase(math.MatMul, F.matmul, [X3, W], "matmul-batched"),
    GradCase(reduce.Sum, lambda a: F.sum(a, axis=1, keepdims=True), [A]),
    GradCase(reduce.Mean, lambda a: F.mean(a, axis=(0, 2)), [X3]),
    GradCase(reduce.Max, lambda a: F.max(a, axis=0), [DISTINCT]),
    GradCase(reduce.Min, lambda a: F.min(a), [DISTINCT]),
    GradCase(reduce.Prod, lambda a: F.prod(a, axis=1), [A], "prod-axis"),
    GradCase(reduce.Prod, lambda a: F.prod(a, axis=(0, 2), keepdims=True), [X3], "prod-axes"),
    GradCase(reduce.Prod, lambda a: F.prod(a * (np.arange(12).reshape(3, 4) % 5 != 0)), [A],
             "prod-with-zeros"),
    GradCase(reduce.LogSumExp, lambda a: F.logsumexp(a, axis=1), [A * 30], "logsumexp-large"),
    GradCase(reduce.LogSumExp, lambda a: F.logsumexp(a, keepdims=True), [X3], "logsumexp-all"),
    GradCase(reduce.CumSum, lambda a: F.cumsum(a, 1), [X3]),
    GradCase(reduce.CumProd, lambda a: F.cumprod(a, 0), [A]),
    GradCase(reduce.CumProd, lambda a: F.cumprod(a * (np.arange(12).reshape(3, 4) % 3 != 1), 1),
             [A], "cumprod-with-zeros"),
    GradCase(shape.Reshape, lambda a: F.reshape(a, (2, 6)), [A]),
    GradCase(shape.Transpose, lambda a: F.transpose(a, (2, 0, 1)), [X3]),
    GradCase(shape.GetItem, lambda a: a[[0, 0, 2], 1:3], [A], "getitem-repeated"),
    GradCase(shape.Concatenate, lambda a, b: F.concatenate([a, b], axis=1), [A, B]),
    GradCase(shape.Stack, lambda a, b: F.stack([a, b], axis=1), [A, B]),
    GradCase(shape.BroadcastTo, lambda a: F.broadcast_to(a, (3, 4)), [ROW]),
    GradCase(shape.Pad, lambda a: F.pad(a, ((1, 0), (2, 3)), 1.5), [A]),
] + [
    GradCase(affine.Dense, lambda x, w, b, act=act: F.dense(x, w, b, activation=act),
             [A[:, :3], W, BIAS], f"dense-{act}")
    for act in affine.FUSED_ACTIVATIONS
] + [
    GradCase(affine.Dense, lambda x, w: F.dense(x, w, activation="relu"), [X3, W], "dense-3d-nobias"),
    GradCase(affine.Dense, lambda x, w: F.dense(x, w, activation="sigmoid"), [A[:, :3], W1],
             "dense-single-unit"),
]
