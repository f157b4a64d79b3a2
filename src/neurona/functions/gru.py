"""The GRU's whole sequence as one Function, in Keras's two variants (see
:mod:`neurona.functions.recurrent` for the shared layout, masks and outputs).

Gates z (update), r (reset) and h (candidate), in Keras's order; ``h_t = z h_{t-1} + (1 - z)
hh``. With ``reset_after`` (Keras's default, cuDNN's and PyTorch's formula) the reset gate
multiplies the recurrent product, ``hh = act(x W_h + b_h + r (h W'_h + b'_h))``, and the bias
is ``(2, 3 units)``: input bias, recurrent bias. Without it, ``hh = act(x W_h + (r h) W'_h +
b_h)`` with one bias ``(3 units,)``.
"""

from .recurrent import _Recurrence, _activate, _derivative, _times


class _GRU(_Recurrence):
    """What both GRU variants share: the z/r gates, the final mix and the backward factors."""

    def _halves(self, units, dtype):
        """Column scales making one tanh give the sigmoid gates z and r (see LSTMSequence),
        or None when the recurrent activation is not the sigmoid."""
        if self.recurrent_activation != "sigmoid":
            return None
        half = self.xp.ones(3 * units, dtype=dtype)
        half[:2 * units] = 0.5
        return half

    def _gates_zr(self, zr, half):
        """Activate the z and r pre-activations in place."""
        if half is None:
            _activate(self.xp, self.recurrent_activation, zr)
        else:
            self.xp.tanh(zr, out=zr)
            zr *= 0.5
            zr += 0.5

    def _mix(self, s, z_gate, hh):
        """h_s = hh + z (h_{s-1} - hh), carried where masked."""
        xp, hs = self.xp, self.hs
        h = hs[s + 1]
        xp.subtract(hs[s], hh, out=h)
        h *= z_gate
        h += hh
        self._carry(s, h, hs[s])

    def _common_factors(self):
        """(z, r, hh views of the gates, d hh-pre / d h_s, d z-pre / d h_s, the carry factor
        of d h_{s-1}), masked steps zeroed and carrying 1."""
        xp, units = self.xp, self.hs.shape[2]
        steps, batch = self.z.shape[:2]
        g3 = self.z.reshape(steps, batch, 3, units)
        z_gate, r_gate, hh = g3[:, :, 0], g3[:, :, 1], g3[:, :, 2]
        qh = _times(1 - z_gate, _derivative(xp, self.activation, hh))
        qz = _times(self.hs[:-1] - hh, _derivative(xp, self.recurrent_activation, z_gate))
        keep = z_gate
        if self.ms is not None:
            qh, qz = qh * self.ms, qz * self.ms
            keep = xp.where(self.ms, z_gate, 1)
        return z_gate, r_gate, hh, qh, qz, keep


class GRUSequence(_GRU):
    """GRU with ``reset_after=True``: bias ``(2, 3 units)`` or None."""

    def _run(self, bias, initial, steps, batch, units):
        xp, dtype = self.xp, self.xs.dtype
        half = self._halves(units, dtype)
        kernel, recurrent = self.kernel, self.recurrent_kernel
        row = rec_bias_h = None
        if bias is not None:
            # the recurrent bias of z and r is a constant of the step: fold it into the input
            # projection; the candidate's recurrent bias is scaled by r, so it stays apart
            row = bias[0].copy()
            row[:2 * units] += bias[1, :2 * units]
            rec_bias_h = bias[1, 2 * units:]
        if half is not None:
            kernel, recurrent = kernel * half, recurrent * half
            row = None if row is None else row * half
        z = self._project(kernel, row)
        hs = xp.empty((steps + 1, batch, units), dtype=dtype)
        hs[0] = initial[0]
        self.hs = hs
        rec_h = xp.empty((steps, batch, units), dtype=dtype)  # h_{s-1} W'_h + b'_h
        rec = xp.empty((batch, 3 * units), dtype=dtype)
        t = xp.empty((batch, units), dtype=dtype)
        for s in range(steps):
            gates = z[s]
            xp.matmul(hs[s], recurrent, out=rec)
            zr = gates[:, :2 * units]
            zr += rec[:, :2 * units]
            self._gates_zr(zr, half)
            rh = rec_h[s]
            if rec_bias_h is None:
                rh[...] = rec[:, 2 * units:]
            else:
                xp.add(rec[:, 2 * units:], rec_bias_h, out=rh)
            hh = gates[:, 2 * units:]
            xp.multiply(gates[:, units:2 * units], rh, out=t)
            hh += t
            _activate(xp, self.activation, hh)
            self._mix(s, gates[:, :units], hh)
        self.z, self.rec_h = z, rec_h
        return [hs[steps]]

    def backward(self, g):
        xp = self.xp
        dy, (dh_next,) = self._split_grad(g)
        z_gate, r_gate, hh, qh, qz, keep = self._common_factors()
        steps, batch, units = qh.shape
        # d(recurrent product)_s = dh_s * qm_s for the three gates (z, r, the candidate's)
        qm = xp.empty((steps, batch, 3, units), dtype=qh.dtype)
        qm[:, :, 0] = qz
        qm[:, :, 1] = _times(qh * self.rec_h, _derivative(xp, self.recurrent_activation, r_gate))
        qm[:, :, 2] = qh * r_gate
        del self.z, self.rec_h
        r_t = self.recurrent_kernel.T
        dm = xp.empty_like(qm)
        dhs = xp.empty_like(qh)
        for s in range(steps - 1, -1, -1):
            dh = dhs[s]
            if dy is None:
                dh[...] = dh_next
            else:
                xp.add(dh_next, dy[s], out=dh)
            xp.multiply(qm[s], dh[:, None, :], out=dm[s])
            dh_next = dm[s].reshape(batch, 3 * units) @ r_t
            dh_next += dh * keep[s]
        # the input projection's gradient equals the recurrent one but for the candidate,
        # whose input part is not scaled by r
        dz = dm.copy()
        xp.multiply(dhs, qh, out=dz[:, :, 2])
        dm = dm.reshape(steps, batch, 3 * units)
        dz = dz.reshape(steps, batch, 3 * units)
        gx, gw = self._input_grads(dz, self.kernel)
        gb = None
        if self.needs_grad[3]:
            gb = self.gradient_buffer(3)
            gb = xp.empty((2, 3 * units), dtype=dz.dtype) if gb is None else gb
            gb[0] = self.ops.column_sums(dz.reshape(-1, 3 * units))
            gb[1] = self.ops.column_sums(dm.reshape(-1, 3 * units))
        return (gx, gw, self._recurrent_grad(dm, self.hs[:-1]), gb, None) + \
            self._state_grads([dh_next])


class GRUResetBeforeSequence(_GRU):
    """GRU with ``reset_after=False``: bias ``(3 units,)`` or None."""

    def _run(self, bias, initial, steps, batch, units):
        xp, dtype = self.xp, self.xs.dtype
        half = self._halves(units, dtype)
        kernel, row = self.kernel, bias
        recurrent_zr = self.recurrent_kernel[:, :2 * units]
        recurrent_h = self.recurrent_kernel[:, 2 * units:]
        if half is not None:
            kernel, recurrent_zr = kernel * half, recurrent_zr * half[:2 * units]
            row = None if row is None else row * half
        z = self._project(kernel, row)
        hs = xp.empty((steps + 1, batch, units), dtype=dtype)
        hs[0] = initial[0]
        self.hs = hs
        reset_h = xp.empty((steps, batch, units), dtype=dtype)  # r_s h_{s-1}
        rec = xp.empty((batch, 2 * units), dtype=dtype)
        t = xp.empty((batch, units), dtype=dtype)
        for s in range(steps):
            gates = z[s]
            xp.matmul(hs[s], recurrent_zr, out=rec)
            zr = gates[:, :2 * units]
            zr += rec
            self._gates_zr(zr, half)
            rh = reset_h[s]
            xp.multiply(gates[:, units:2 * units], hs[s], out=rh)
            xp.matmul(rh, recurrent_h, out=t)
            hh = gates[:, 2 * units:]
            hh += t
            _activate(xp, self.activation, hh)
            self._mix(s, gates[:, :units], hh)
        self.z, self.reset_h = z, reset_h
        return [hs[steps]]

    def backward(self, g):
        xp = self.xp
        dy, (dh_next,) = self._split_grad(g)
        z_gate, r_gate, hh, qh, qz, keep = self._common_factors()
        steps, batch, units = qh.shape
        qr = _times(self.hs[:-1], _derivative(xp, self.recurrent_activation, r_gate))
        r_gate = r_gate.copy()  # the gates buffer is freed below
        del self.z
        rk = self.recurrent_kernel
        zr_t, h_t = rk[:, :2 * units].T, rk[:, 2 * units:].T
        dz = xp.empty((steps, batch, 3, units), dtype=qh.dtype)
        for s in range(steps - 1, -1, -1):
            dh = dh_next if dy is None else dh_next + dy[s]
            xp.multiply(qh[s], dh, out=dz[s, :, 2])
            xp.multiply(qz[s], dh, out=dz[s, :, 0])
            d_reset_h = dz[s, :, 2] @ h_t  # d (r h_{s-1})
            xp.multiply(d_reset_h, qr[s], out=dz[s, :, 1])
            dh_next = dz[s, :, :2].reshape(batch, 2 * units) @ zr_t
            dh_next += d_reset_h * r_gate[s]
            dh_next += dh * keep[s]
        gr = None
        if self.needs_grad[2]:
            gr = self.gradient_buffer(2)
            gr = xp.empty(rk.shape, dtype=dz.dtype) if gr is None else gr
            n = steps * batch
            gr[:, :2 * units] = self.hs[:-1].reshape(n, units).T @ dz[:, :, :2].reshape(n, -1)
            gr[:, 2 * units:] = self.reset_h.reshape(n, units).T @ dz[:, :, 2].reshape(n, units)
        dz = dz.reshape(steps, batch, 3 * units)
        gx, gw = self._input_grads(dz, self.kernel)
        return (gx, gw, gr, self._bias_grad(dz), None) + self._state_grads([dh_next])
