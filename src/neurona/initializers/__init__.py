"""Weight initializers with Keras's names, defaults and fan rules.

An initializer is called as ``init(shape, dtype=None, rng=None)`` and returns a NumPy array on
the host (layers move it to the backend). Randomness comes from, in order: the initializer's own
``seed`` (a seeded initializer returns the same values on every call, as in Keras), the ``rng``
argument (the generator a layer passes), or a fresh child generator of the library seed
(:func:`neurona.random.make_generator`).

Fans follow Keras: a 1-D shape has fan_in = fan_out = its length; a 2-D kernel ``(in, out)``;
a convolution kernel ``(*spatial, in_channels, out_channels)`` multiplies both channel counts
by the receptive field size (the product of the spatial dimensions).
"""

from .initializer import Initializer, Zeros, Ones, Constant, compute_fans, registry
from .distributions import (RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
                            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
                            LecunNormal)
from .matrix import Orthogonal, Identity

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
           "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity", "compute_fans",
           "get", "serialize", "deserialize"]


def get(identifier):
    """Resolve an initializer: a name ("glorot_uniform"), a config dict, a class, an instance
    or a callable ``f(shape, dtype=None, rng=None)``. ``None`` stays ``None``.

    Example:
        >>> type(get("he_normal")).__name__
        'HeNormal'
    """
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if identifier is not None and not isinstance(identifier, (str, dict)) \
            and not callable(identifier):
        raise ValueError(
            f"Could not interpret initializer identifier {identifier!r}; use a name such as "
            "'glorot_uniform', a config dict or an Initializer instance"
        )
    return registry.get(identifier)


def serialize(initializer):
    """``{"class_name": ..., "config": {...}}`` for an initializer."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config):
    """Inverse of :func:`serialize`."""
    return registry.from_config(config)
