"""Fused affine maps: ``linear`` (x @ W + b) and ``dense`` (activation(x @ W + b)).

These are the hot path of every MLP: one node instead of three, the bias added in place, the
activation applied in place and its derivative taken from the output, so backward keeps only
the input and the output.
"""

from ..autograd.function import Function

#: activations that ``Dense`` fuses; their derivative is a function of the output y
FUSED_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")


class Dense(Function):
    """y = act(x @ W + b) with act in :data:`FUSED_ACTIVATIONS`; b may be None (no bias)."""

    def __init__(self, activation="linear"):
        if activation not in FUSED_ACTIVATIONS:
            raise ValueError(f"Dense fuses only {FUSED_ACTIVATIONS}, got {activation!r}")
        self.activation = activation

    def forward(self, x, w, b=None):
        self.in_shape = x.shape
        if x.ndim != 2:  # (batch, ..., features): one matrix product over the folded batch
            x = x.reshape(-1, x.shape[-1])
        self.x, self.w = x, w
        z = self.ops.matmul(x, w)
        if b is not None:
            z += b
        act = self.activation
        if act == "relu":
            self.xp.maximum(z, 0, out=z)
        elif act == "sigmoid":
            z = self.ops.sigmoid(z)
        elif act == "tanh":
            self.xp.tanh(z, out=z)
        self.y = z if act != "linear" else None
        if len(self.in_shape) == 2:
            return z
        return z.reshape(self.in_shape[:-1] + (w.shape[1],))

    def backward(self, g):
        if g.ndim != 2:
            g = g.reshape(-1, g.shape[-1])
        act, y = self.activation, self.y
        # dz = g * act'(z), written with the output y: relu' = [y > 0], sigmoid' = y(1-y),
        # tanh' = 1 - y^2
        if act == "relu":
            dz = g * (y > 0)
        elif act == "sigmoid":
            dz = g * (y * (1 - y))
        elif act == "tanh":
            dz = g * (1 - y * y)
        else:
            dz = g
        x, w = self.x, self.w
        needs = self.needs_grad
        gx = gw = gb = None
        if needs[0]:
            # a (n, 1) kernel: broadcasting beats multiplying by its strided transpose
            gx = dz * w[:, 0] if w.shape[1] == 1 else self.ops.matmul(dz, w.T)
            if gx.shape != self.in_shape:
                gx = gx.reshape(self.in_shape)
        ops = self.ops
        if needs[1]:
            gw = ops.matmul(x.T, dz, out=self.gradient_buffer(1))
        if len(needs) > 2 and needs[2]:
            gb = ops.column_sums(dz, out=self.gradient_buffer(2))
        return gx, gw, gb


def linear(x, w, b=None):
    """x @ w + b as one node."""
    return Dense("linear")(x, w, b) if b is not None else Dense("linear")(x, w)


def dense(x, w, b=None, activation="linear"):
    """activation(x @ w + b) as one node, for activation in linear/relu/sigmoid/tanh."""
    fn = Dense(activation)
    return fn(x, w, b) if b is not None else fn(x, w)
