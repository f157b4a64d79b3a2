"""Recurrent layers' whole sequences as single Functions: SimpleRNN, LSTM and GRU.

One Function runs every timestep: the input projections of all timesteps are one matrix
product (``x @ kernel`` over ``batch * timesteps`` rows), each step adds ``h @
recurrent_kernel`` and applies the gates in place in preallocated step-major buffers, and
backward runs back through time inside the same Function with no graph node per step. The
parameter gradients are again one matrix product each, over all steps at once; the
per-step derivative factors (``o * tanh'(c)`` and the like) are computed for all steps in a
few whole-buffer operations before the backward loop, which is then a handful of small
operations per step.

Weights are Keras's, in Keras's layout: ``kernel (features, gates * units)``,
``recurrent_kernel (units, gates * units)``, ``bias (gates * units,)`` (GRU with
``reset_after``: ``(2, 3 * units)``, input bias then recurrent bias); gates in Keras's order
(LSTM i, f, c, o; GRU z, r, h). Masks follow Keras: at a masked step the states are carried
unchanged and the output repeats the previous one (or is zero with ``zero_output_for_mask``).
With ``go_backwards`` the sequence is processed from its end and the outputs are in processing
order (the reversed sequence), as in Keras.

The fused activations are those whose derivative is a function of their output
(:data:`FUSED_ACTIVATIONS`); the recurrent layers run any other activation, and recurrent
dropout, step by step with their cells.
"""

from ..autograd.function import Function

__all__ = ["FUSED_ACTIVATIONS", "rnn_sequence"]

#: activations the fused recurrences apply in place; each derivative is written with the output
FUSED_ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "hard_sigmoid")


def _activate(xp, name, z):
    """``name``(z) in place (z is a buffer or a view of one)."""
    if name == "tanh":
        xp.tanh(z, out=z)
    elif name == "sigmoid":  # the stable tanh form, as ``Ops.sigmoid``
        z *= 0.5
        xp.tanh(z, out=z)
        z += 1
        z *= 0.5
    elif name == "relu":
        xp.maximum(z, 0, out=z)
    elif name == "hard_sigmoid":  # relu6(z + 3) / 6, as ``F.hard_sigmoid``
        z /= 6
        z += 0.5
        xp.clip(z, 0, 1, out=z)
    return z


def _derivative(xp, name, y):
    """act'(z) written with y = act(z) (a new array), or None for the identity."""
    if name == "tanh":
        return 1 - y * y
    if name == "sigmoid":
        return y * (1 - y)
    if name == "relu":
        return (y > 0).astype(y.dtype)
    if name == "hard_sigmoid":
        return (((y > 0) & (y < 1)) / 6.0).astype(y.dtype)
    return None


def _scaled_derivative(xp, name, y, scale, out):
    """out = scale * act'(z) written with y = act(z), in place (``out`` may be a strided view
    of a factor buffer): one pass less and no temporaries, against ``_times(scale,
    _derivative(...))``."""
    if name == "sigmoid":
        xp.subtract(1, y, out=out)
        out *= y
    elif name == "tanh":
        xp.multiply(y, y, out=out)
        xp.subtract(1, out, out=out)
    elif name == "relu":
        xp.greater(y, 0, out=out)
    elif name == "hard_sigmoid":
        xp.greater(y, 0, out=out)
        out *= y < 1
        out /= 6
    else:  # linear
        out[...] = 1
    out *= scale
    return out


def _times(a, d):
    """a * d, where d None stands for 1 (the identity's derivative)."""
    return a if d is None else a * d


class _Recurrence(Function):
    """Shared part of the fused recurrences (see the module docstring).

    ``forward(x, kernel, recurrent_kernel, bias, mask, *states)``: ``x`` is (batch, timesteps,
    features); ``bias`` and ``mask`` (batch, timesteps; True where real) may be None;
    ``states`` are the ``n_states`` initial states (each (batch, units) or None for zeros),
    followed, when ``stateful``, by the ``n_states`` arrays the final states are written into
    (a stateful layer's state variables: the write is part of this Function, so a replayed
    step makes it too).

    The output is the sequence (batch, steps, units) with ``return_sequences``, else the last
    output (batch, units); with ``return_state`` the final states are packed after the
    output along axis 1: (batch, steps + n_states, units) or (batch, 1 + n_states, units).
    """

    n_states = 1

    def __init__(self, activation="tanh", recurrent_activation="sigmoid", go_backwards=False,
                 return_sequences=False, return_state=False, zero_output_for_mask=False,
                 stateful=False):
        for name in (activation, recurrent_activation):
            if name not in FUSED_ACTIVATIONS:
                raise ValueError(f"{type(self).__name__} fuses only {FUSED_ACTIVATIONS}, got "
                                 f"{name!r}")
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.go_backwards, self.return_sequences = go_backwards, return_sequences
        self.return_state, self.zero_output_for_mask = return_state, zero_output_for_mask
        self.stateful = stateful

    # -- forward --------------------------------------------------------------------------
    def forward(self, x, kernel, recurrent_kernel, bias, mask, *states):
        xp = self.xp
        n = self.n_states
        batch, steps, _ = x.shape
        units = recurrent_kernel.shape[0]
        self.xs = self._step_major(x)
        self.kernel, self.recurrent_kernel = kernel, recurrent_kernel
        self.ms = None
        if mask is not None:
            self.ms = self._step_major(mask.astype(bool))[..., None]  # (steps, batch, 1)
        initial = [xp.zeros((batch, units), dtype=x.dtype) if s is None else s
                   for s in states[:n]]
        finals = self._run(bias, initial, steps, batch, units)
        if self.stateful:
            for target, final in zip(states[n:], finals):
                target[...] = final
        return self._assemble(finals)

    def _step_major(self, a):
        """(batch, time, ...) -> contiguous (steps, batch, ...) in processing order."""
        a = a[:, ::-1] if self.go_backwards else a
        return self.xp.ascontiguousarray(self.xp.swapaxes(a, 0, 1))

    def _project(self, kernel, bias_row):
        """All steps' input projections ``xs @ kernel (+ bias_row)``: (steps, batch, columns)."""
        xs = self.xs
        steps, batch, features = xs.shape
        z = xs.reshape(steps * batch, features) @ kernel
        if bias_row is not None:
            z += bias_row
        return z.reshape(steps, batch, kernel.shape[1])

    def _carry(self, s, new, old):
        """At masked entries of step ``s`` the state keeps its previous value."""
        if self.ms is not None:
            self.xp.copyto(new, old, where=~self.ms[s])

    def _assemble(self, finals):
        xp, hs, ms = self.xp, self.hs, self.ms
        steps = hs.shape[0] - 1
        zero = self.zero_output_for_mask and ms is not None
        if self.return_sequences:
            out = xp.swapaxes(hs[1:] * ms if zero else hs[1:], 0, 1)  # (batch, steps, units)
        else:
            out = (hs[steps] * ms[steps - 1] if zero else hs[steps])[:, None]
        if self.return_state:
            return xp.concatenate([out] + [f[:, None] for f in finals], axis=1)
        # copies: the output must not alias the buffers backward reads
        return xp.ascontiguousarray(out) if self.return_sequences else out[:, 0].copy()

    # -- backward -------------------------------------------------------------------------
    def _split_grad(self, g):
        """(d outputs per step, a (steps, batch, units) view, or None when only the last
        output is returned, [d final state, ...] as fresh arrays the loop may update)."""
        xp, hs, ms = self.xp, self.hs, self.ms
        steps, batch, units = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        n_out = steps if self.return_sequences else 1
        if self.return_state:
            out_g = g[:, :n_out]
            finals = [g[:, n_out + k].copy() for k in range(self.n_states)]
        else:
            out_g = g if self.return_sequences else g[:, None]
            finals = [None] * self.n_states
        dy = xp.swapaxes(out_g, 0, 1)
        if self.zero_output_for_mask and ms is not None:
            dy = dy * (ms if self.return_sequences else ms[steps - 1:])
        if not self.return_sequences:  # the last output is the final h
            finals[0] = dy[0].copy() if finals[0] is None else finals[0] + dy[0]
            dy = None
        finals = [xp.zeros((batch, units), dtype=hs.dtype) if f is None else f for f in finals]
        return dy, finals

    def _input_grads(self, dz, kernel):
        """(d x, d kernel) from the step-major gradient ``dz`` of ``xs @ kernel``."""
        xp, xs = self.xp, self.xs
        steps, batch, features = xs.shape
        dz2 = dz.reshape(steps * batch, -1)
        gx = gw = None
        if self.needs_grad[0]:
            gx = xp.swapaxes((dz2 @ kernel.T).reshape(steps, batch, features), 0, 1)
            gx = xp.ascontiguousarray(gx[:, ::-1] if self.go_backwards else gx)
        if self.needs_grad[1]:
            gw = xp.matmul(xs.reshape(steps * batch, features).T, dz2,
                           out=self.gradient_buffer(1))
        return gx, gw

    def _recurrent_grad(self, dm, h_prev):
        """d recurrent_kernel = sum over steps of h_{s-1}^T dm_s, as one product."""
        if not self.needs_grad[2]:
            return None
        steps, batch, units = h_prev.shape
        return self.xp.matmul(h_prev.reshape(steps * batch, units).T,
                              dm.reshape(steps * batch, -1), out=self.gradient_buffer(2))

    def _bias_grad(self, dz):
        if not self.needs_grad[3]:
            return None
        return self.ops.column_sums(dz.reshape(-1, dz.shape[-1]),
                                    out=self.gradient_buffer(3))

    def _state_grads(self, d_initial):
        """The gradients of the initial states (None where not wanted), then None for the
        arrays a stateful layer's final states were written into."""
        needs = self.needs_grad[5:]
        out = [d if needs[k] else None for k, d in enumerate(d_initial)]
        return tuple(out) + (None,) * (len(needs) - self.n_states)


class SimpleRNNSequence(_Recurrence):
    """h_t = act(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)."""

    def _run(self, bias, initial, steps, batch, units):
        xp, act = self.xp, self.activation
        z = self._project(self.kernel, bias)
        hs = xp.empty((steps + 1, batch, units), dtype=z.dtype)
        hs[0] = initial[0]
        r = self.recurrent_kernel
        for s in range(steps):
            h = hs[s + 1]
            xp.matmul(hs[s], r, out=h)
            h += z[s]
            _activate(xp, act, h)
            self._carry(s, h, hs[s])
        self.hs = hs
        return [hs[steps]]

    def backward(self, g):
        xp = self.xp
        dy, (dh_next,) = self._split_grad(g)
        hs, ms, r_t = self.hs, self.ms, self.recurrent_kernel.T
        steps = hs.shape[0] - 1
        d = _derivative(xp, self.activation, hs[1:])
        if d is None:
            d = xp.ones_like(hs[1:])
        if ms is not None:
            d *= ms
            passed = ~ms  # masked steps hand their gradient straight to the step before
        dz = xp.empty_like(d)
        for s in range(steps - 1, -1, -1):
            dh = dh_next if dy is None else dh_next + dy[s]
            xp.multiply(dh, d[s], out=dz[s])
            dh_next = dz[s] @ r_t
            if ms is not None:
                dh_next += dh * passed[s]
        gx, gw = self._input_grads(dz, self.kernel)
        return (gx, gw, self._recurrent_grad(dz, hs[:-1]), self._bias_grad(dz), None) + \
            self._state_grads([dh_next])


class LSTMSequence(_Recurrence):
    """Keras's LSTM: gates i, f, c, o from ``x @ kernel + h @ recurrent_kernel + bias``;
    c_t = f c_{t-1} + i act(c gate), h_t = o act(c_t)."""

    n_states = 2

    def _fast(self):
        return self.activation == "tanh" and self.recurrent_activation == "sigmoid"

    def _run(self, bias, initial, steps, batch, units):
        xp, dtype = self.xp, self.xs.dtype
        kernel, recurrent, bias_row = self.kernel, self.recurrent_kernel, bias
        fast = self._fast()
        if fast:
            # sigmoid(z) = 0.5 tanh(z / 2) + 0.5: halving the sigmoid gates' columns (exact: a
            # power of two) lets one tanh cover all four gates
            half = xp.ones(4 * units, dtype=dtype)
            half[:2 * units] = 0.5
            half[3 * units:] = 0.5
            kernel, recurrent = kernel * half, recurrent * half
            bias_row = None if bias is None else bias * half
            shift = 0.5 * (half != 1).astype(dtype)
        z = self._project(kernel, bias_row)  # becomes the gates i, f, c, o in place
        hs = xp.empty((steps + 1, batch, units), dtype=dtype)
        cs = xp.empty_like(hs)
        act_c = xp.empty((steps, batch, units), dtype=dtype)
        hs[0], cs[0] = initial
        rec = xp.empty((batch, 4 * units), dtype=dtype)
        ig = xp.empty((batch, units), dtype=dtype)
        for s in range(steps):
            gates = z[s]
            xp.matmul(hs[s], recurrent, out=rec)
            gates += rec
            if fast:
                xp.tanh(gates, out=gates)
                gates *= half
                gates += shift
            else:
                _activate(xp, self.recurrent_activation, gates[:, :2 * units])
                _activate(xp, self.activation, gates[:, 2 * units:3 * units])
                _activate(xp, self.recurrent_activation, gates[:, 3 * units:])
            i, f = gates[:, :units], gates[:, units:2 * units]
            c_gate, o = gates[:, 2 * units:3 * units], gates[:, 3 * units:]
            c = cs[s + 1]
            xp.multiply(f, cs[s], out=c)
            xp.multiply(i, c_gate, out=ig)
            c += ig
            a = act_c[s]
            if self.activation == "tanh":
                xp.tanh(c, out=a)
            else:
                a[...] = c
                _activate(xp, self.activation, a)
            xp.multiply(o, a, out=hs[s + 1])
            self._carry(s, hs[s + 1], hs[s])
            self._carry(s, c, cs[s])
        self.z, self.hs, self.cs, self.act_c = z, hs, cs, act_c
        return [hs[steps], cs[steps]]

    def _factors(self):
        """Per-step factors of backward: q (steps, batch, 4, units) with d gates_s = q_s *
        (dc, dc, dc, dh); p with dc += dh p; keep with dc_{s-1} = dc keep (f, or 1 where
        masked)."""
        xp, units = self.xp, self.hs.shape[2]
        steps, batch = self.z.shape[:2]
        g4 = self.z.reshape(steps, batch, 4, units)
        i, f, c_gate, o = g4[:, :, 0], g4[:, :, 1], g4[:, :, 2], g4[:, :, 3]
        ract, act = self.recurrent_activation, self.activation
        a = self.act_c
        q = xp.empty((steps, batch, 4, units), dtype=a.dtype)
        _scaled_derivative(xp, ract, i, c_gate, q[:, :, 0])
        _scaled_derivative(xp, ract, f, self.cs[:-1], q[:, :, 1])
        _scaled_derivative(xp, act, c_gate, i, q[:, :, 2])
        _scaled_derivative(xp, ract, o, a, q[:, :, 3])
        p = _scaled_derivative(xp, act, a, o, xp.empty_like(a))
        keep = f
        if self.ms is not None:
            m = self.ms
            q *= m[:, :, :, None]
            p *= m
            keep = xp.where(m, f, 1)
        return q, p, keep

    def backward(self, g):
        xp = self.xp
        dy, (dh_next, dc) = self._split_grad(g)
        q, p, keep = self._factors()
        del self.z  # the gates are in q now: the buffer is free
        ms, r_t = self.ms, self.recurrent_kernel.T
        steps, batch, _, units = q.shape
        dz = xp.empty((steps, batch, 4, units), dtype=q.dtype)
        t = xp.empty((batch, units), dtype=q.dtype)
        for s in range(steps - 1, -1, -1):
            dh = dh_next if dy is None else dh_next + dy[s]
            xp.multiply(dh, p[s], out=t)
            dc += t
            xp.multiply(q[s, :, :3], dc[:, None, :], out=dz[s, :, :3])
            xp.multiply(q[s, :, 3], dh, out=dz[s, :, 3])
            dc *= keep[s]
            dh_next = dz[s].reshape(batch, 4 * units) @ r_t
            if ms is not None:
                dh_next += dh * ~ms[s]
        dz = dz.reshape(steps, batch, 4 * units)
        gx, gw = self._input_grads(dz, self.kernel)
        return (gx, gw, self._recurrent_grad(dz, self.hs[:-1]), self._bias_grad(dz), None) + \
            self._state_grads([dh_next, dc])


def rnn_sequence(kind, x, kernel, recurrent_kernel, bias=None, mask=None, initial_state=None,
                 state_targets=None, reset_after=True, **settings):
    """Run a whole recurrent layer over ``x`` as one Function (see the module docstring).

    Args:
        kind: "simple_rnn", "lstm" or "gru".
        x: (batch, timesteps, features).
        kernel, recurrent_kernel, bias: Keras's weights (bias may be None).
        mask: optional (batch, timesteps) boolean tensor, True where a step is real.
        initial_state: None or a list of (batch, units) tensors (two for "lstm").
        state_targets: a stateful layer's state variables, overwritten with the final states.
        reset_after: GRU only: apply the reset gate after the recurrent product (Keras's
            default) or before it.
        **settings: activation, recurrent_activation (names in :data:`FUSED_ACTIVATIONS`),
            go_backwards, return_sequences, return_state, zero_output_for_mask.

    Returns:
        One tensor: see :class:`_Recurrence` for its layout.

    Example:
        >>> x = np.ones((2, 5, 3))
        >>> w, r = np.full((3, 4), 0.1), np.eye(4) * 0.5
        >>> rnn_sequence("simple_rnn", x, w, r, return_sequences=True).shape
        (2, 5, 4)
    """
    from .gru import GRUSequence, GRUResetBeforeSequence

    classes = {"simple_rnn": SimpleRNNSequence, "lstm": LSTMSequence,
               "gru": GRUSequence if reset_after else GRUResetBeforeSequence}
    if kind not in classes:
        raise ValueError(f"rnn_sequence: kind must be one of {sorted(classes)}, got {kind!r}")
    cls = classes[kind]
    states = list(initial_state) if initial_state is not None else [None] * cls.n_states
    if len(states) != cls.n_states:
        raise ValueError(f"rnn_sequence: {kind} takes {cls.n_states} initial state(s), got "
                         f"{len(states)}")
    targets = list(state_targets or [])
    fn = cls(stateful=bool(targets), **settings)
    return fn(x, kernel, recurrent_kernel, bias, mask, *states, *targets)
