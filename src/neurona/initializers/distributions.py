"""Random initializers: normal, uniform, truncated normal and the variance-scaling family."""

import math

import numpy as np

from .. import validation
from .initializer import _RandomInitializer, compute_fans, registry

#: std of a standard normal truncated at +-2 (Keras divides by it so the truncated draw keeps
#: the requested variance)
_TRUNCATED_STD = 0.87962566103423978


@registry.register("RandomNormal", "random_normal", "normal")
class RandomNormal(_RandomInitializer):
    """Normal draws with the given mean and standard deviation.

    Args:
        mean: mean of the distribution. Defaults to 0.0.
        stddev: standard deviation (>= 0). Defaults to 0.05.
        seed: optional int; a seeded initializer returns the same values on every call.

    Example:
        >>> RandomNormal(stddev=1.0, seed=0)((2, 3)).shape
        (2, 3)
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = validation.real("RandomNormal", "mean", mean)
        self.stddev = validation.real("RandomNormal", "stddev", stddev, low=0.0)

    def __call__(self, shape, dtype=None, rng=None):
        shape, dtype = self._check_call(shape, dtype)
        draw = self._generator(rng).standard_normal(shape)
        return (self.mean + self.stddev * draw).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@registry.register("RandomUniform", "random_uniform", "uniform")
class RandomUniform(_RandomInitializer):
    """Uniform draws in ``[minval, maxval)``.

    Args:
        minval: lower bound. Defaults to -0.05.
        maxval: upper bound (>= minval). Defaults to 0.05.
        seed: optional int; a seeded initializer returns the same values on every call.

    Example:
        >>> w = RandomUniform(0.0, 1.0, seed=0)((100,))
        >>> bool((w >= 0).all() and (w < 1).all())
        True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = validation.real("RandomUniform", "minval", minval)
        self.maxval = validation.real("RandomUniform", "maxval", maxval)
        if self.maxval < self.minval:
            raise ValueError(
                f"RandomUniform: maxval must be >= minval, got minval={minval!r}, "
                f"maxval={maxval!r}; swap them"
            )

    def __call__(self, shape, dtype=None, rng=None):
        shape, dtype = self._check_call(shape, dtype)
        draw = self._generator(rng).uniform(self.minval, self.maxval, shape)
        return draw.astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def _truncated_standard_normal(gen, shape):
    """Standard normal draws with every value beyond two standard deviations redrawn."""
    out = gen.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = gen.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out


@registry.register("TruncatedNormal", "truncated_normal")
class TruncatedNormal(_RandomInitializer):
    """Normal draws redrawn when more than two standard deviations from the mean.

    The result's standard deviation is about ``0.88 * stddev`` (the truncation removes the
    tails), as in Keras.

    Args:
        mean: mean of the distribution. Defaults to 0.0.
        stddev: standard deviation of the normal before truncation (>= 0). Defaults to 0.05.
        seed: optional int; a seeded initializer returns the same values on every call.

    Example:
        >>> w = TruncatedNormal(stddev=1.0, seed=0)((1000,))
        >>> bool(abs(w).max() <= 2.0)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = validation.real("TruncatedNormal", "mean", mean)
        self.stddev = validation.real("TruncatedNormal", "stddev", stddev, low=0.0)

    def __call__(self, shape, dtype=None, rng=None):
        shape, dtype = self._check_call(shape, dtype)
        draw = _truncated_standard_normal(self._generator(rng), shape)
        return (self.mean + self.stddev * draw).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


@registry.register("VarianceScaling", "variance_scaling")
class VarianceScaling(_RandomInitializer):
    """Draws whose variance is ``scale / n`` with ``n`` the fan chosen by ``mode``.

    ``"truncated_normal"`` uses a normal truncated at two standard deviations with stddev
    ``sqrt(scale / n) / 0.8796`` (so the truncated values keep variance ``scale / n``);
    ``"untruncated_normal"`` a plain normal with stddev ``sqrt(scale / n)``; ``"uniform"`` the
    range ``[-limit, limit]`` with ``limit = sqrt(3 * scale / n)``. ``"normal"`` means
    ``"truncated_normal"``.

    Args:
        scale: positive scaling factor. Defaults to 1.0.
        mode: "fan_in", "fan_out" or "fan_avg". Defaults to "fan_in".
        distribution: "truncated_normal", "untruncated_normal", "uniform" (or "normal").
            Defaults to "truncated_normal".
        seed: optional int; a seeded initializer returns the same values on every call.

    Example:
        >>> VarianceScaling(2.0, "fan_in", "uniform", seed=0)((64, 32)).shape
        (64, 32)
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        self.scale = validation.real("VarianceScaling", "scale", scale, low=0.0, low_open=True)
        self.mode = validation.choice("VarianceScaling", "mode", mode, _MODES)
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        dist = validation.choice("VarianceScaling", "distribution", dist,
                                 _DISTRIBUTIONS + ("normal",))
        self.distribution = "truncated_normal" if dist == "normal" else dist

    def __call__(self, shape, dtype=None, rng=None):
        shape, dtype = self._check_call(shape, dtype)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, fan[self.mode])
        gen = self._generator(rng)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            draw = gen.uniform(-limit, limit, shape)
        elif self.distribution == "untruncated_normal":
            draw = math.sqrt(variance) * gen.standard_normal(shape)
        else:
            draw = (math.sqrt(variance) / _TRUNCATED_STD) * _truncated_standard_normal(gen, shape)
        return draw.astype(dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed (scale, mode, distribution).

    Args:
        seed: optional int; a seeded initializer returns the same values on every call.
    """

    preset = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None):
        super().__init__(*self.preset, seed=seed)

    def get_config(self):
        return {"seed": self.seed}


@registry.register("GlorotUniform", "glorot_uniform")
class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: ``VarianceScaling(1.0, "fan_avg", "uniform")``.

    Limit ``sqrt(6 / (fan_in + fan_out))``. Example: ``GlorotUniform(seed=0)((30, 64))``.
    """

    preset = (1.0, "fan_avg", "uniform")


@registry.register("GlorotNormal", "glorot_normal")
class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: ``VarianceScaling(1.0, "fan_avg", "truncated_normal")``.

    Truncated, variance ``2 / (fan_in + fan_out)``. Example: ``GlorotNormal(seed=0)((30, 64))``.
    """

    preset = (1.0, "fan_avg", "truncated_normal")


@registry.register("HeUniform", "he_uniform")
class HeUniform(_Preset):
    """He uniform: ``VarianceScaling(2.0, "fan_in", "uniform")``.

    Limit ``sqrt(6 / fan_in)``. Example: ``HeUniform(seed=0)((30, 64))``.
    """

    preset = (2.0, "fan_in", "uniform")


@registry.register("HeNormal", "he_normal")
class HeNormal(_Preset):
    """He normal: ``VarianceScaling(2.0, "fan_in", "truncated_normal")``.

    Truncated, variance ``2 / fan_in``. Example: ``HeNormal(seed=0)((30, 64))``.
    """

    preset = (2.0, "fan_in", "truncated_normal")


@registry.register("LecunUniform", "lecun_uniform")
class LecunUniform(_Preset):
    """LeCun uniform: ``VarianceScaling(1.0, "fan_in", "uniform")``.

    Limit ``sqrt(3 / fan_in)``. Example: ``LecunUniform(seed=0)((30, 64))``.
    """

    preset = (1.0, "fan_in", "uniform")


@registry.register("LecunNormal", "lecun_normal")
class LecunNormal(_Preset):
    """LeCun normal: ``VarianceScaling(1.0, "fan_in", "truncated_normal")``.

    Truncated, variance ``1 / fan_in``. Example: ``LecunNormal(seed=0)((30, 64))``.
    """

    preset = (1.0, "fan_in", "truncated_normal")
