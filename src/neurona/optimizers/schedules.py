"""Learning-rate schedules: ``schedule(step) -> float`` with Keras's formulas and names.

An optimizer given a schedule evaluates it at its ``iterations`` (the number of steps already
applied) before each step, so the first step uses ``schedule(0)``.
"""

import math

from ..registry import Registry
from ..validation import real

_registry = Registry("learning rate schedule")

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]


class LearningRateSchedule:
    """Base class: a callable mapping the optimizer step (an int >= 0) to a learning rate.

    Subclasses implement ``__call__(step) -> float`` and ``get_config()``.
    """

    def __call__(self, step):
        raise TypeError(f"{type(self).__name__} must define __call__(step)")

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict."""
        raise TypeError(f"{type(self).__name__} must define get_config()")

    @classmethod
    def from_config(cls, config):
        """Rebuild a schedule from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@_registry.register("ExponentialDecay")
class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps per decay by ``decay_rate``.
        decay_rate: the factor per ``decay_steps``.
        staircase: floor ``step / decay_steps`` (decay in discrete jumps).
        name: label kept in the config.

    Returns:
        A schedule; ``schedule(step)`` is a float.

    Example:
        >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)
        0.025
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = real(owner, "decay_steps", decay_steps, low=0.0, low_open=True)
        self.decay_rate = real(owner, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step):
        p = real(type(self).__name__, "step", step, low=0.0) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@_registry.register("PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """Constant pieces: ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary.

    Args:
        boundaries: increasing step numbers.
        values: one more value than boundaries.
        name: label kept in the config.

    Returns:
        A schedule; ``schedule(step)`` is a float.

    Example:
        >>> s = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> s(100), s(101), s(500)
        (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        owner = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"{owner}: values must have one more entry than boundaries, got "
                f"{len(boundaries)} boundaries={boundaries} and {len(values)} values={values}"
            )
        for b in boundaries:
            real(owner, "boundaries", b)
        for v in values:
            real(owner, "values", v)
        if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"{owner}: boundaries must increase, got boundaries={boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        step = real(type(self).__name__, "step", step, low=0.0)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@_registry.register("PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, with ``step`` capped at
    ``decay_steps``; with ``cycle=True`` ``decay_steps`` grows to the first multiple of itself
    that is >= step instead.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps to reach ``end_learning_rate``.
        end_learning_rate: the final rate. Defaults to 0.0001.
        power: exponent of the polynomial. Defaults to 1.0 (linear).
        cycle: restart the decay after each ``decay_steps``.
        name: label kept in the config.

    Returns:
        A schedule; ``schedule(step)`` is a float.

    Example:
        >>> PolynomialDecay(1.0, 10, end_learning_rate=0.0)(5)
        0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = real(owner, "decay_steps", decay_steps, low=0.0, low_open=True)
        self.end_learning_rate = real(owner, "end_learning_rate", end_learning_rate)
        self.power = real(owner, "power", power)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step):
        step = real(type(self).__name__, "step", step, low=0.0)
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        fraction = 1.0 - step / decay_steps
        delta = self.initial_learning_rate - self.end_learning_rate
        return delta * fraction ** self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


@_registry.register("InverseTimeDecay")
class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive step scale.
        decay_rate: how fast the rate falls.
        staircase: floor ``step / decay_steps``.
        name: label kept in the config.

    Returns:
        A schedule; ``schedule(step)`` is a float.

    Example:
        >>> InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.5)(2)
        0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = real(owner, "decay_steps", decay_steps, low=0.0, low_open=True)
        self.decay_rate = real(owner, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step):
        p = real(type(self).__name__, "step", step, low=0.0) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


def _cosine(fraction, alpha):
    """(1 - alpha) * half-cosine from 1 down to 0 over fraction in [0, 1], plus alpha."""
    return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * fraction)) + alpha


@_registry.register("CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then a cosine decay to ``alpha`` times the peak rate.

    Without ``warmup_target`` the rate goes from ``initial_learning_rate`` to
    ``initial_learning_rate * alpha`` over ``decay_steps``. With it, the rate first rises
    linearly from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``, then
    decays from ``warmup_target`` to ``warmup_target * alpha`` over ``decay_steps``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of decay steps.
        alpha: final rate as a fraction of the peak. Defaults to 0.0.
        name: label kept in the config.
        warmup_target: peak rate after warmup, or None for no warmup.
        warmup_steps: number of warmup steps. Defaults to 0.

    Returns:
        A schedule; ``schedule(step)`` is a float.

    Example:
        >>> CosineDecay(1.0, decay_steps=10)(5)
        0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        owner = type(self).__name__
        self.initial_learning_rate = real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = real(owner, "decay_steps", decay_steps, low=0.0, low_open=True)
        self.alpha = real(owner, "alpha", alpha)
        self.name = name
        self.warmup_target = real(owner, "warmup_target", warmup_target, allow_none=True)
        self.warmup_steps = real(owner, "warmup_steps", warmup_steps, low=0.0)

    def __call__(self, step):
        step = real(type(self).__name__, "step", step, low=0.0)
        if self.warmup_target is None:
            fraction = min(step, self.decay_steps) / self.decay_steps
            return self.initial_learning_rate * _cosine(fraction, self.alpha)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            rise = self.warmup_target - self.initial_learning_rate
            return rise * step / self.warmup_steps + self.initial_learning_rate
        fraction = (step - self.warmup_steps) / self.decay_steps
        return self.warmup_target * _cosine(fraction, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


@_registry.register("CosineDecayRestarts")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    The first period lasts ``first_decay_steps``; each later period is ``t_mul`` times longer
    and starts from ``m_mul`` times the previous period's starting rate. Within a period the
    rate follows ``initial * m_mul**i * ((1 - alpha) * 0.5 * (1 + cos(pi * f)) + alpha)``
    where ``f`` is the fraction of the period completed (as Keras writes it: ``alpha`` is
    added after the restart factor multiplies the cosine).

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: positive length of the first period.
        t_mul: period length multiplier. Defaults to 2.0.
        m_mul: restart rate multiplier. Defaults to 1.0.
        alpha: floor as a fraction of ``initial_learning_rate``. Defaults to 0.0.
        name: label kept in the config.

    Returns:
        A schedule; ``schedule(step)`` is a float.

    Example:
        >>> s = CosineDecayRestarts(1.0, first_decay_steps=10)
        >>> s(0), s(10)  # a restart at the end of the first period
        (1.0, 1.0)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = real(owner, "initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = real(owner, "first_decay_steps", first_decay_steps, low=0.0,
                                      low_open=True)
        self.t_mul = real(owner, "t_mul", t_mul, low=0.0, low_open=True)
        self.m_mul = real(owner, "m_mul", m_mul)
        self.alpha = real(owner, "alpha", alpha)
        self.name = name

    def __call__(self, step):
        fraction = real(type(self).__name__, "step", step, low=0.0) / self.first_decay_steps
        t_mul = self.t_mul
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            # periods 1, t, t^2, ... end at the partial sums (1 - t^i) / (1 - t)
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul ** restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul ** restart
        cosine = 0.5 * self.m_mul ** restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


def serialize(schedule):
    """``{"class_name": ..., "config": {...}}`` for a schedule (JSON-friendly)."""
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(f"serialize: expected a LearningRateSchedule, got {schedule!r}")
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """Inverse of :func:`serialize`; an unknown class name lists the known schedules."""
    return _registry.from_config(config)
