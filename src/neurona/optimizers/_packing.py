"""Flat packing of variables and optimizer slots (one contiguous buffer per dtype).

After packing, ``variable.data`` is a reshaped view into its group's ``params`` buffer, so an
in-place update of ``params`` is seen by every layer. If some code later rebinds
``variable.data`` to a new array (``set_weights`` style), :meth:`Packing.gather` copies the new
values in and restores the view before the next step.
"""

import operator

from ..autograd import Tensor
from ..backend import get_ops


class Group:
    """The variables of one dtype: their flat params, gradients, slots and scratch buffers."""

    def __init__(self, dtype, indices, variables, slot_defaults, n_scratch, decays):
        xp = get_ops().xp
        sizes = [variables[i].data.size for i in indices]
        total = sum(sizes)
        self.dtype = dtype
        self.params = xp.empty(total, dtype=dtype)
        self.grads = xp.empty(total, dtype=dtype)
        self.slots = {name: xp.full(total, value, dtype=dtype)
                      for name, value in slot_defaults.items()}
        self.scratch = [xp.empty(total, dtype=dtype) for _ in range(n_scratch)]
        self.entries, self.bounds, self.grad_views = [], [], []
        start = 0
        for i, size in zip(indices, sizes):
            var, stop = variables[i], start + size
            self.params[start:stop] = var.data.reshape(-1)
            view = self.params[start:stop].reshape(var.data.shape)
            var.data = view
            # the variable's gradient lives here: backward fills it (see autograd.engine),
            # so a step finds its gradients already packed
            var.grad_storage = self.grads[start:stop].reshape(view.shape)
            self.grad_views.append(var.grad_storage)
            self.entries.append((i, view))
            self.bounds.append((start, stop))
            start = stop
        self.parts = [None] * len(indices)
        self.decay_runs = _runs([b for b, i in zip(self.bounds, indices) if decays[i]])


def _runs(bounds):
    """Merge touching (start, stop) segments so weight decay runs over as few slices as can be."""
    runs = []
    for start, stop in bounds:
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], stop)
        else:
            runs.append((start, stop))
    return runs


class Packing:
    """All groups of one optimizer, plus the slots of variables currently set aside.

    Args:
        variables: the variables to pack, in order.
        slot_defaults: ``{slot name: initial value}``.
        n_scratch: scratch buffers per group.
        decays: per variable, whether weight decay applies.
        previous: the packing being replaced; its variables' slots carry over, and the slots of
            variables no longer listed are kept aside in case they come back.
    """

    def __init__(self, variables, slot_defaults, n_scratch, decays, previous=None):
        carried = previous.detach() if previous is not None else {}
        self.variables = list(variables)
        by_dtype = {}
        for i, v in enumerate(self.variables):
            by_dtype.setdefault(v.data.dtype, []).append(i)
        self.groups = [Group(dtype, idx, self.variables, slot_defaults, n_scratch, decays)
                       for dtype, idx in by_dtype.items()]
        for group in self.groups:
            for (i, _), (start, stop) in zip(group.entries, group.bounds):
                old = carried.pop(id(self.variables[i]), None)
                if old is not None:
                    for name, values in old[1].items():
                        if name in group.slots:
                            group.slots[name][start:stop] = values
        self.parked = carried

    def same_variables(self, variables):
        mine = self.variables
        return len(variables) == len(mine) and all(map(operator.is_, variables, mine))

    def _segments(self):
        for group in self.groups:
            for (i, view), (start, stop) in zip(group.entries, group.bounds):
                yield group, i, view, start, stop

    def detach(self):
        """Per-variable slot copies (``id -> (variable, {slot: flat array})``), this packing's
        and the set-aside ones; each variable gets back a buffer of its own."""
        out = dict(self.parked)
        for group, i, view, start, stop in self._segments():
            var = self.variables[i]
            out[id(var)] = (var, {n: s[start:stop].copy() for n, s in group.slots.items()})
            if var.data is view:
                var.data = view.copy()
            if var.grad is not None and var.grad is var.grad_storage:
                var.grad = var.grad.copy()
            var.grad_storage = None
        return out

    # -- per step ---------------------------------------------------------------------------
    def gather(self, grads, variables):
        """Copy the gradients into the flat buffers; returns the indices of None gradients."""
        ops = get_ops()
        xp = ops.xp
        skipped = []
        for group in self.groups:
            parts = group.parts
            for k, (i, view) in enumerate(group.entries):
                var = variables[i]
                if var.data is not view:
                    self._adopt(group, k, var)
                g = grads[i]
                if g is None:
                    skipped.append(i)
                    parts[k] = xp.zeros(view.size, dtype=group.dtype)
                    continue
                if not isinstance(g, xp.ndarray):
                    g = g.data if isinstance(g, Tensor) else ops.asarray(g)
                if g.shape != view.shape:
                    raise ValueError(
                        f"optimizer: the gradient of variable {var.name!r} has shape {g.shape}, "
                        f"expected {view.shape}"
                    )
                parts[k] = None if g is group.grad_views[k] else g.reshape(-1)
            if all(part is None for part in parts):
                continue  # backward wrote every gradient in place: nothing to copy
            if any(part is None for part in parts):
                for part, grad_view in zip(parts, group.grad_views):
                    if part is not None:
                        grad_view.reshape(-1)[...] = part
            else:
                xp.concatenate(parts, out=group.grads)
        if len(skipped) == len(variables):
            raise ValueError("optimizer: no gradients provided for any variable (all are None)")
        return skipped

    @staticmethod
    def _adopt(group, k, var):
        """``var.data`` was rebound: take its values and point it back at the packed view."""
        i, view = group.entries[k]
        start, stop = group.bounds[k]
        if var.data.shape != view.shape:
            raise ValueError(
                f"optimizer: variable {var.name!r} changed shape from {view.shape} to "
                f"{var.data.shape}; use a new optimizer for a changed model"
            )
        group.params[start:stop] = var.data.reshape(-1)
        var.data = view

    def save(self, indices):
        """Copies of the params and slots of the variables at ``indices`` (skipped this step)."""
        wanted, saved = set(indices), []
        for group, i, _, start, stop in self._segments():
            if i in wanted:
                copies = {n: s[start:stop].copy() for n, s in group.slots.items()}
                saved.append((group, start, stop, group.params[start:stop].copy(), copies))
        return saved

    @staticmethod
    def restore(saved):
        for group, start, stop, params, slots in saved:
            group.params[start:stop] = params
            for name, values in slots.items():
                group.slots[name][start:stop] = values

    def decay(self, factor):
        """Decoupled weight decay ``p -= p * factor`` on the segments that use it."""
        xp = get_ops().xp
        for group in self.groups:
            tmp = group.scratch[0]
            for start, stop in group.decay_runs:
                p, t = group.params[start:stop], tmp[start:stop]
                xp.multiply(p, factor, out=t)
                p -= t

    # -- state ------------------------------------------------------------------------------
    def slot_arrays(self):
        """``{"<slot>/<i>": NumPy array of variable i's shape}``."""
        to_numpy = get_ops().to_numpy
        out = {}
        for group, i, view, start, stop in self._segments():
            for name, flat in group.slots.items():
                out[f"{name}/{i}"] = to_numpy(flat[start:stop]).reshape(view.shape).copy()
        return out

    def slot_keys(self):
        return [f"{name}/{i}" for group, i, _, _, _ in self._segments() for name in group.slots]

    def load_slot_arrays(self, state):
        ops = get_ops()
        for group, i, view, start, stop in self._segments():
            for name, flat in group.slots.items():
                key = f"{name}/{i}"
                value = ops.asarray(state[key])
                if value.shape != view.shape:
                    raise ValueError(
                        f"set_state: {key!r} has shape {value.shape}, but variable {i} "
                        f"({self.variables[i].name!r}) has shape {view.shape}"
                    )
                flat[start:stop] = value.reshape(-1)
