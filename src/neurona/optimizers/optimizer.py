"""The optimizer base: learning-rate schedules, clipping, weight decay and the update loop.

Speed comes from packing. ``build(variables)`` copies every variable of one dtype into ONE
contiguous flat buffer and rebinds each ``variable.data`` to a reshaped view of its segment, so
layers read the updated weights without copies. Slots (moments, accumulators) are flat buffers
of the same layout. The flat gradient buffer is also the variables' gradient storage
(``Variable.grad_storage``): ``backward`` writes each gradient into its segment, so a step
finds them packed (gradients handed in from elsewhere are copied in with one
``concatenate``). A step clips (in place: ``.grad`` then holds the clipped gradient, as after
PyTorch's ``clip_grad_norm_``), applies decoupled weight decay, and then the subclass's
:meth:`Optimizer.update_step` runs a handful of in-place ufuncs over the whole buffer: the cost
is a dozen vectorised passes, whatever the number of variables.

Writing an optimizer: subclass, declare the slots in :meth:`slot_defaults` (name -> initial
value), the number of scratch buffers in ``scratch_buffers``, and implement ``update_step``
in place, leaving the gradient as it is (it is the variables' ``.grad``). Scalar state shared by all variables (Nadam's momentum product) is listed in
``scalar_state`` so :meth:`get_state` saves it.
"""

import re

import numpy as np

from .. import validation
from ..autograd import Tensor, Variable
from ..backend import get_ops
from . import schedules
from ._packing import Packing


class Optimizer:
    """Base class of every optimizer (Keras's constructor arguments and methods).

    Args:
        learning_rate: a non-negative float, or a
            :class:`~neurona.optimizers.schedules.LearningRateSchedule` evaluated at
            ``iterations`` before each step.
        weight_decay: decoupled weight decay: before each update every variable not excluded
            by :meth:`exclude_from_weight_decay` becomes ``var - var * weight_decay * lr``.
        clipnorm: clip each variable's gradient to this L2 norm.
        clipvalue: clip every gradient entry to ``[-clipvalue, clipvalue]``.
        global_clipnorm: scale all gradients together so their joint L2 norm is at most this.
            Only one of ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` may be set.
        name: label kept in the config.

    Variables given a gradient of ``None`` are skipped that step, as in Keras: their values
    and slots stay untouched (no decay, no momentum drift) while ``iterations`` still counts the
    step. Keras also warns each time; neurona does not.

    Example:
        >>> from neurona import Variable
        >>> from neurona.optimizers import SGD
        >>> w = Variable(np.array([1.0, -1.0], dtype="float32"))
        >>> opt = SGD(learning_rate=0.1)
        >>> opt.apply([np.array([1.0, 1.0], dtype="float32")], [w])
        >>> w.numpy().tolist()
        [0.8999999761581421, -1.100000023841858]
    """

    #: extra working buffers (each the size of a packed group) ``update_step`` receives
    scratch_buffers = 1
    #: names of float attributes shared by all variables that :meth:`get_state` saves
    scalar_state = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        owner = type(self).__name__
        self.name = owner.lower() if name is None else str(name)
        self._learning_rate = self._check_learning_rate(learning_rate)
        self._lr_scale = 1.0  # multiplies a schedule's output (scale_learning_rate)
        self.weight_decay = validation.real(owner, "weight_decay", weight_decay, low=0.0,
                                            allow_none=True)
        clip = dict(low=0.0, low_open=True, allow_none=True)
        self.clipnorm = validation.real(owner, "clipnorm", clipnorm, **clip)
        self.clipvalue = validation.real(owner, "clipvalue", clipvalue, **clip)
        self.global_clipnorm = validation.real(owner, "global_clipnorm", global_clipnorm, **clip)
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be set, got "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self._iterations = 0
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._packing = None
        self._pending_slots = None

    # -- learning rate ----------------------------------------------------------------------
    def _check_learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule):
            return value
        if not validation.is_real(value):
            raise TypeError(
                f"{type(self).__name__}: learning_rate must be a float or a "
                f"LearningRateSchedule, got learning_rate={value!r}"
            )
        return validation.real(type(self).__name__, "learning_rate", value, low=0.0)

    @property
    def learning_rate(self):
        """The learning rate of the next step, as a variable (Keras 3's): ``float(lr)``,
        ``lr.numpy()``, ``lr.assign(0.01)``, ``keras.backend.set_value(lr, 0.01)`` all work;
        a schedule is evaluated at ``iterations``.

        Setting a float (or assigning the variable) changes the rate of a float-rate optimizer
        (what ReduceLROnPlateau does). Setting a schedule replaces the current rate or
        schedule. Setting a float while a schedule is in use raises ``TypeError``, as in Keras:
        the schedule owns the rate, so create the optimizer with a float rate if a callback
        must set it, or use :meth:`scale_learning_rate`.
        """
        variable = self.__dict__.get("_lr_variable")
        if variable is None:
            variable = self._lr_variable = LearningRate(self)
        variable.data[...] = self._current_learning_rate()
        return variable

    def _current_learning_rate(self):
        """The rate of the next step as a Python float."""
        lr = self._learning_rate
        return float(lr(self._iterations)) * self._lr_scale if callable(lr) else lr

    @learning_rate.setter
    def learning_rate(self, value):
        if (isinstance(self._learning_rate, schedules.LearningRateSchedule)
                and not isinstance(value, schedules.LearningRateSchedule)):
            raise TypeError(
                f"{type(self).__name__}: this optimizer was created with the learning-rate "
                f"schedule {self._learning_rate!r}, so its learning rate cannot be set to "
                f"{value!r}; create the optimizer with a float learning_rate to set it later"
            )
        if isinstance(value, Tensor):  # lr * 0.5, the variable itself: a 0-d value
            value = float(value)
        self._learning_rate = self._check_learning_rate(value)
        self._lr_scale = 1.0

    def scale_learning_rate(self, factor):
        """Multiply the learning rate by ``factor`` (what ReduceLROnPlateau does).

        A float rate is multiplied. A schedule keeps running and its output is multiplied from
        now on (the scale is part of :meth:`get_state`), so this works for both kinds.

        Args:
            factor: a positive finite number.
        """
        factor = validation.real(type(self).__name__, "factor", factor, low=0.0, low_open=True)
        if callable(self._learning_rate):
            self._lr_scale *= factor
        else:
            self._learning_rate *= factor

    @property
    def iterations(self):
        """The number of steps applied so far."""
        return self._iterations

    @property
    def built(self):
        return self._packing is not None

    @property
    def variables(self):
        """The variables this optimizer updates, in build order."""
        return [] if self._packing is None else list(self._packing.variables)

    # -- weight decay exclusions ------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables from weight decay (call before the first step).

        Args:
            var_list: variables to exclude.
            var_names: regular expressions; a variable whose ``name`` matches any is excluded
                (``["bias"]`` excludes every bias).
        """
        if self.built:
            raise ValueError(
                f"{type(self).__name__}: exclude_from_weight_decay() must be called before the "
                "optimizer is built (before its first step or build())"
            )
        self._exclude_ids = {id(v) for v in (var_list or ())}
        names = list(var_names or ())
        if any(not isinstance(n, str) for n in names):
            raise TypeError(f"exclude_from_weight_decay: var_names must be strings, got {names!r}")
        self._exclude_pattern = re.compile("|".join(names)) if names else None

    def _uses_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        pattern, name = self._exclude_pattern, variable.name
        return not (pattern is not None and name is not None and pattern.search(name))

    # -- subclass interface -----------------------------------------------------------------
    def slot_defaults(self):
        """Per-variable state: ``{slot name: initial value}`` (none for plain SGD)."""
        return {}

    def begin_step(self):
        """Called once per step before the ``update_step`` calls (for shared scalar state)."""

    def update_step(self, grad, param, lr, slots, scratch):
        """Update ``param`` in place from ``grad`` (flat arrays of one dtype).

        Args:
            grad: the clipped gradient (read only: it is the variables' ``.grad``).
            param: the packed variables, updated in place.
            lr: the learning rate of this step (a Python float).
            slots: ``{name: flat array}`` as declared by :meth:`slot_defaults`.
            scratch: ``scratch_buffers`` flat arrays to use as temporaries.
        """
        raise TypeError(f"{type(self).__name__} must implement update_step")

    # -- building ---------------------------------------------------------------------------
    def build(self, variables):
        """Pack ``variables`` and create the slots; later calls with another set of variables
        repack, keeping the state of the variables already known (also of ones set aside)."""
        variables = list(variables)
        for i, v in enumerate(variables):
            if not isinstance(v, Tensor) or v.data.dtype.kind != "f":
                raise TypeError(
                    f"{type(self).__name__}.build: variables[{i}] must be a float Variable, got "
                    f"{v!r}"
                )
        if len({id(v) for v in variables}) != len(variables):
            raise ValueError(f"{type(self).__name__}.build: a variable is listed twice")
        if self._packing is not None and self._packing.same_variables(variables):
            return
        decays = [self.weight_decay is not None and self._uses_weight_decay(v) for v in variables]
        self._packing = Packing(variables, self.slot_defaults(), max(1, self.scratch_buffers),
                                decays, previous=self._packing)
        if self._pending_slots is not None:
            slots, self._pending_slots = self._pending_slots, None
            self._load_slots(slots)

    # -- the step ---------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply ``[(grad, variable), ...]``; returns ``iterations`` after the step."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    def apply(self, grads, variables=None):
        """One optimization step: clip, decay, update, constrain, count.

        Args:
            grads: one gradient (array, Tensor or None) per variable.
            variables: the variables; may be omitted once built (the built list is used).
        """
        grads = list(grads)
        if variables is None:
            if self._packing is None:
                raise ValueError(
                    f"{type(self).__name__}.apply: pass the variables on the first call (or "
                    "call build(variables) first)"
                )
            variables = self._packing.variables
        else:
            variables = variables if isinstance(variables, list) else list(variables)
            if self._packing is None or not self._packing.same_variables(variables):
                self.build(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"{type(self).__name__}.apply: got {len(grads)} gradients for "
                f"{len(variables)} variables"
            )
        packing = self._packing
        skipped = packing.gather(grads, variables)
        lr = self._current_learning_rate()
        self._clip(packing.groups)
        saved = packing.save(skipped) if skipped else None
        if self.weight_decay:
            packing.decay(self.weight_decay * lr)
        self.begin_step()
        for group in packing.groups:
            self.update_step(group.grads, group.params, lr, group.slots, group.scratch)
        if saved is not None:
            packing.restore(saved)
        skipped_ids = {id(variables[i]) for i in skipped} if skipped else ()
        for v in variables:
            constraint = getattr(v, "constraint", None)  # plain Tensors have none
            if constraint is not None and id(v) not in skipped_ids:
                v.assign(constraint(v.data))
        self._iterations += 1

    def _clip(self, groups):
        xp = get_ops().xp
        if self.clipnorm is not None:
            c = self.clipnorm
            for group in groups:
                for start, stop in group.bounds:
                    seg = group.grads[start:stop]
                    seg *= c / xp.maximum(xp.sqrt(xp.vdot(seg, seg)), c)
        elif self.global_clipnorm is not None:
            c = self.global_clipnorm
            norm = xp.sqrt(sum(xp.vdot(g.grads, g.grads) for g in groups))
            # a non-finite norm makes the whole step NaN, as in Keras (no silent zeroing)
            scale = xp.where(xp.isfinite(norm), c / xp.maximum(norm, c), xp.nan)
            for group in groups:
                group.grads *= scale
        elif self.clipvalue is not None:
            c = self.clipvalue
            for group in groups:
                xp.clip(group.grads, -c, c, out=group.grads)

    # -- state ------------------------------------------------------------------------------
    def get_state(self):
        """Everything needed to continue bitwise identically: NumPy arrays and ints.

        Returns:
            ``{"iterations": int, "learning_rate": 0-d array (float rates) or
            "learning_rate_scale": 0-d array (schedules),
            "<slot>/<i>": the slot of the i-th variable, <scalar state>: 0-d array}``.
        """
        state = {"iterations": int(self._iterations)}
        if callable(self._learning_rate):
            state["learning_rate_scale"] = np.asarray(self._lr_scale, dtype=np.float64)
        else:
            state["learning_rate"] = np.asarray(self._learning_rate, dtype=np.float64)
        for name in self.scalar_state:
            state[name] = np.asarray(getattr(self, name), dtype=np.float64)
        if self._packing is not None:
            state.update(self._packing.slot_arrays())
        return state

    def set_state(self, state):
        """Restore :meth:`get_state`'s output.

        Before the optimizer is built, the counters and rates apply at once and the
        per-variable slots are kept until :meth:`build` (so a loaded optimizer can be
        restored before the model's first step).
        """
        if not isinstance(state, dict) or "iterations" not in state:
            raise ValueError(f"{type(self).__name__}.set_state: expected the dict returned by "
                             f"get_state(), got {type(state).__name__}")
        slots = {k: v for k, v in state.items() if "/" in k}
        scalars = {k: v for k, v in state.items() if "/" not in k}
        self._check_keys(scalars, {k for k in self.get_state() if "/" not in k})
        iterations = state["iterations"]
        if isinstance(iterations, np.ndarray):
            iterations = iterations.item()
        iterations = validation.integer(f"{type(self).__name__}.set_state", "iterations",
                                        iterations, low=0)
        if self._packing is None:
            self._pending_slots = slots or None
        else:
            self._load_slots(slots)
        self._iterations = iterations
        if "learning_rate" in state:
            self._learning_rate = float(state["learning_rate"])
        if "learning_rate_scale" in state:
            self._lr_scale = float(state["learning_rate_scale"])
        for name in self.scalar_state:
            setattr(self, name, float(state[name]))

    def _check_keys(self, given, expected):
        if set(given) != set(expected):
            raise ValueError(
                f"{type(self).__name__}.set_state: the state does not match this optimizer; "
                f"missing {sorted(set(expected) - set(given))}, unexpected "
                f"{sorted(set(given) - set(expected))} (same optimizer type and arguments, "
                "built on the same variables, are needed)"
            )

    def _load_slots(self, slots):
        self._check_keys(slots, self._packing.slot_keys())
        self._packing.load_slot_arrays(slots)

    # -- config -----------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments; a schedule appears as ``{"class_name", "config"}``."""
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": schedules.serialize(lr) if callable(lr) else lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
        }

    @classmethod
    def from_config(cls, config):
        """Create a fresh optimizer (no state) from :meth:`get_config`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} iterations={self._iterations}>"


class LearningRate(Variable):
    """An optimizer's learning rate as a variable (what ``optimizer.learning_rate`` is in
    Keras 3): a 0-d float64 value that reads the optimizer's current rate and whose
    :meth:`assign` sets it. It compares equal to the number it holds."""

    def __init__(self, optimizer):
        super().__init__(np.zeros((), dtype=np.float64), trainable=False, name="learning_rate")
        self.path = f"{optimizer.name}/learning_rate"
        self._optimizer = optimizer

    def assign(self, value):
        """Set the optimizer's rate (a TypeError when a schedule drives it, as in Keras)."""
        self._optimizer.learning_rate = float(np.asarray(get_ops().to_numpy(
            value.data if isinstance(value, Tensor) else value)))
        self.data[...] = self._optimizer._current_learning_rate()

    def assign_add(self, delta):
        self.assign(float(self) + float(np.asarray(delta)))

    def assign_sub(self, delta):
        self.assign(float(self) - float(np.asarray(delta)))

    def __eq__(self, other):
        return float(self) == other

    def __ne__(self, other):
        return float(self) != other

    __hash__ = Variable.__hash__

    def __repr__(self):
        return (f"<Variable path={self.path}, shape=(), dtype=float64, "
                f"value={float(self)!r}>")
