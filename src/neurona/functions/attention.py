"""Multi-head attention as three fused Functions: the per-head projection, scaled dot-product
attention (with its mask, causal and sliding-window bands, and dropout) and the merge of the
heads.

Layouts: the projection turns ``(batch, time, features)`` into heads ``(batch, heads, time,
dim)`` with a kernel of Keras's shape ``(features, heads, dim)``, so each attention product is
a batched matrix product over contiguous heads; the merge turns ``(batch, heads, time, dim)``
back into ``(batch, time, *output)`` with a kernel ``(heads, dim, *output)``.

Attention follows Keras 3's ``MultiHeadAttention``: the query is scaled by ``scale`` before the
product, masked scores are replaced by -1e9 before the softmax, dropout is applied to the
probabilities; the attention scores it can return are the probabilities before dropout. A row
whose every key is masked (a padded query) attends uniformly to all keys, as Keras's fused
``dot_product_attention`` path does, or to nothing with ``zero_empty_rows`` (Keras's path when
it returns the scores or has dropout, whose softmax zeroes masked entries).
"""

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..random import make_generator

__all__ = ["head_projection", "head_merge", "dot_product_attention"]

#: the score given to masked positions before the softmax (Keras's ``_large_negative_number``)
MASKED_SCORE = -1e9


class HeadProjection(Function):
    """(batch, time, features) @ kernel (features, heads, dim) + bias (heads, dim) ->
    (batch, heads, time, dim), one matrix product."""

    def forward(self, x, kernel, bias=None):
        batch, steps, features = x.shape
        heads, dim = kernel.shape[1], kernel.shape[2]
        self.x2 = x.reshape(batch * steps, features)
        self.kernel2 = kernel.reshape(features, heads * dim)
        y = self.x2 @ self.kernel2
        if bias is not None:
            y += bias.reshape(heads * dim)
        self.shapes = (x.shape, kernel.shape)
        return self.xp.ascontiguousarray(y.reshape(batch, steps, heads, dim).transpose(0, 2, 1, 3))

    def backward(self, g):
        (batch, steps, features), kernel_shape = self.shapes
        heads, dim = kernel_shape[1], kernel_shape[2]
        g2 = self.xp.ascontiguousarray(g.transpose(0, 2, 1, 3)).reshape(batch * steps, heads * dim)
        needs = self.needs_grad
        gx = gw = gb = None
        if needs[0]:
            gx = (g2 @ self.kernel2.T).reshape(batch, steps, features)
        if needs[1]:
            target = self.gradient_buffer(1)
            out = None if target is None else target.reshape(features, heads * dim)
            gw = self.xp.matmul(self.x2.T, g2, out=out).reshape(kernel_shape)
        if len(needs) > 2 and needs[2]:
            gb = self.ops.column_sums(g2).reshape(heads, dim)
        return gx, gw, gb


class HeadMerge(Function):
    """(batch, heads, time, dim) with kernel (heads, dim, *output) + bias (*output) ->
    (batch, time, *output), one matrix product."""

    def forward(self, o, kernel, bias=None):
        batch, heads, steps, dim = o.shape
        out_shape = kernel.shape[2:]
        width = int(np.prod(out_shape, dtype=np.int64))
        self.o2 = self.xp.ascontiguousarray(o.transpose(0, 2, 1, 3)).reshape(batch * steps,
                                                                             heads * dim)
        self.kernel2 = kernel.reshape(heads * dim, width)
        y = self.o2 @ self.kernel2
        if bias is not None:
            y += bias.reshape(width)
        self.shapes = (o.shape, kernel.shape)
        return y.reshape((batch, steps) + tuple(out_shape))

    def backward(self, g):
        (batch, heads, steps, dim), kernel_shape = self.shapes
        g2 = g.reshape(batch * steps, -1)
        needs = self.needs_grad
        go = gw = gb = None
        if needs[0]:
            go = (g2 @ self.kernel2.T).reshape(batch, steps, heads, dim)
            go = self.xp.ascontiguousarray(go.transpose(0, 2, 1, 3))
        if needs[1]:
            target = self.gradient_buffer(1)
            out = None if target is None else target.reshape(self.kernel2.shape)
            gw = self.xp.matmul(self.o2.T, g2, out=out).reshape(kernel_shape)
        if len(needs) > 2 and needs[2]:
            gb = self.ops.column_sums(g2).reshape(kernel_shape[2:])
        return go, gw, gb


class DotProductAttention(Function):
    """softmax(scale q k^T, masked) @ v on heads: q (batch, heads, Tq, dk), k (batch, heads,
    Tk, dk), v (batch, heads, Tk, dv), mask broadcastable to (batch, heads, Tq, Tk) (True
    where attention is allowed) or None.

    Settings: ``causal`` (position i attends to j <= i), ``window`` (|i - j| < window, or
    None), ``dropout`` on the probabilities drawn in forward from ``rng``, and
    ``return_scores``: the probabilities are then appended along the last axis of the output,
    (batch, heads, Tq, dv + Tk).
    """

    def __init__(self, scale, causal=False, window=None, dropout=0.0, rng=None,
                 return_scores=False, zero_empty_rows=False):
        self.scale, self.causal, self.window = scale, causal, window
        self.dropout, self.rng, self.return_scores = dropout, rng, return_scores
        self.zero_empty_rows = zero_empty_rows

    def _band(self, tq, tk):
        """The causal / sliding-window mask (Tq, Tk), or None."""
        if not self.causal and self.window is None:
            return None
        xp = self.xp
        rows, cols = xp.arange(tq)[:, None], xp.arange(tk)[None, :]
        band = rows >= cols if self.causal else None
        if self.window is not None:
            near = xp.abs(rows - cols) < self.window
            band = near if band is None else band & near
        return band

    def forward(self, q, k, v, mask=None):
        xp = self.xp
        qs = q * q.dtype.type(self.scale)
        p = qs @ xp.swapaxes(k, -1, -2)  # scores, then probabilities in place
        band = self._band(q.shape[-2], k.shape[-2])
        if band is not None:
            mask = band if mask is None else mask & band
        if mask is not None:
            mask = xp.broadcast_to(mask.astype(bool), p.shape)
            xp.copyto(p, p.dtype.type(MASKED_SCORE), where=~mask)
        p -= p.max(axis=-1, keepdims=True)
        xp.exp(p, out=p)
        p /= p.sum(axis=-1, keepdims=True)
        if mask is not None and self.zero_empty_rows:
            p *= mask  # a fully masked row attends to nothing (its softmax is uniform)
        keep = None
        if self.dropout > 0:
            draw = make_generator(self.rng).random(p.shape, dtype=np.float32)
            keep = self.ops.asarray(draw >= self.dropout)
        weights = p if keep is None else p * keep * p.dtype.type(1.0 / (1.0 - self.dropout))
        out = weights @ v
        self.qs, self.k, self.v, self.p, self.keep, self.mask = qs, k, v, p, keep, mask
        if self.return_scores:
            return xp.concatenate([out, p], axis=-1)
        return out

    def backward(self, g):
        xp = self.xp
        qs, k, v, p, keep = self.qs, self.k, self.v, self.p, self.keep
        dv_width = v.shape[-1]
        go = g[..., :dv_width] if self.return_scores else g
        rate_scale = p.dtype.type(1.0 / (1.0 - self.dropout)) if keep is not None else None
        needs = self.needs_grad
        gv = None
        if needs[2]:
            weights = p if keep is None else p * keep * rate_scale
            gv = xp.swapaxes(weights, -1, -2) @ go
        dp = go @ xp.swapaxes(v, -1, -2)
        if keep is not None:
            dp *= keep
            dp *= rate_scale
        if self.return_scores:
            dp += g[..., dv_width:]
        mask = self.mask
        if mask is not None and self.zero_empty_rows:
            dp *= mask
        # softmax: ds = p (dp - sum(dp p)); no gradient reaches a masked score (its value was
        # replaced), which p = 0 already gives except in a fully masked row
        ds = dp
        ds -= (dp * p).sum(axis=-1, keepdims=True)
        ds *= p
        if mask is not None and not self.zero_empty_rows:
            ds *= mask
        gq = gk = None
        if needs[0]:
            gq = ds @ k
            gq *= gq.dtype.type(self.scale)
        if needs[1]:
            gk = xp.swapaxes(ds, -1, -2) @ qs
        return gq, gk, gv, None


def head_projection(x, kernel, bias=None):
    """Per-head projection ``(batch, time, features) -> (batch, heads, time, dim)`` with a
    kernel ``(features, heads, dim)`` and a bias ``(heads, dim)`` (see :class:`HeadProjection`).

    Example:
        >>> head_projection(np.ones((2, 5, 4)), np.ones((4, 3, 6))).shape
        (2, 3, 5, 6)
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    return HeadProjection()(x, kernel) if bias is None else HeadProjection()(x, kernel, bias)


def head_merge(o, kernel, bias=None):
    """Merge heads ``(batch, heads, time, dim) -> (batch, time, *output)`` with a kernel
    ``(heads, dim, *output)`` (see :class:`HeadMerge`).

    Example:
        >>> head_merge(np.ones((2, 3, 5, 6)), np.ones((3, 6, 4))).shape
        (2, 5, 4)
    """
    o = o if isinstance(o, Tensor) else Tensor(o)
    return HeadMerge()(o, kernel) if bias is None else HeadMerge()(o, kernel, bias)


def dot_product_attention(query, key, value, mask=None, scale=None, causal=False, window=None,
                          dropout=0.0, rng=None, return_scores=False, zero_empty_rows=False):
    """Scaled dot-product attention on heads as one Function (see :class:`DotProductAttention`).

    Args:
        query, key, value: (batch, heads, Tq, dk), (batch, heads, Tk, dk), (batch, heads, Tk,
            dv).
        mask: optional boolean tensor broadcastable to (batch, heads, Tq, Tk), True where
            attention is allowed.
        scale: multiplies the query (default ``1 / sqrt(dk)``).
        causal: query position i attends only to key positions j <= i.
        window: attend only to |i - j| < window (a symmetric band), or None.
        dropout: rate of dropout on the attention probabilities; ``rng`` its generator.
        return_scores: also return the probabilities (before dropout).
        zero_empty_rows: a query whose every key is masked gets zero probabilities (else
            uniform ones).

    Returns:
        The output (batch, heads, Tq, dv), or ``(output, probabilities)``.

    Example:
        >>> q = np.ones((1, 2, 3, 4))
        >>> dot_product_attention(q, q, q, causal=True).shape
        (1, 2, 3, 4)
    """
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in (query, key, value)]
    dk = tensors[0].shape[-1]
    scale = 1.0 / float(np.sqrt(dk)) if scale is None else float(scale)
    fn = DotProductAttention(scale, bool(causal), window, float(dropout), rng,
                             bool(return_scores), bool(zero_empty_rows))
    if mask is not None and not isinstance(mask, Tensor):
        mask = Tensor(np.asarray(mask))
    out = fn(*tensors, mask) if mask is not None else fn(*tensors)
    if not return_scores:
        return out
    dv = tensors[2].shape[-1]
    return out[..., :dv], out[..., dv:]
