"""Where randomness comes from: one seed, explicit generators, no NumPy globals; and Keras's
``keras.random`` API (``normal``, ``uniform``, ``randint``, ``dropout``, ``SeedGenerator``, ...).

``set_random_seed(s)`` resets a library-wide :class:`numpy.random.SeedSequence`. Everything random
(weight initializers, shuffling, dropout masks, augmentation) draws a child generator from it in
program order, so the same seed and the same program give bitwise the same numbers. Without a
call, the root sequence takes fresh OS entropy (different every run, like Keras).

The library's own random numbers (initial weights, masks) are drawn with NumPy on the host,
then moved to the backend, so the CPU and the GPU see the same ones for one seed. The
``keras.random`` functions return Tensors drawn by the backend's generator (NumPy's, or CuPy's
on the GPU): reproducible for a seed on a given backend.
"""

import contextlib
import threading

import numpy as np

from .validation import seed as _check_seed

_root = {"sequence": np.random.SeedSequence()}
#: spawning children from the root sequence is not atomic; fits in threads draw concurrently
_root_lock = threading.Lock()


def set_random_seed(seed):
    """Seed every random draw the library makes from now on (Keras's ``set_random_seed``).

    Args:
        seed: a non-negative integer.

    Example:
        >>> set_random_seed(0); a = make_generator().random()
        >>> set_random_seed(0); b = make_generator().random()
        >>> a == b
        True
    """
    seed = _check_seed("set_random_seed", "seed", seed, allow_none=False)
    _root["sequence"] = np.random.SeedSequence(seed)


def make_generator(seed=None):
    """A fresh ``numpy.random.Generator``: from ``seed`` when given, else the next child of the
    library's root sequence."""
    if seed is None:
        with _root_lock:
            child = _root["sequence"].spawn(1)[0]
        return np.random.default_rng(child)
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def draw_seed(rng=None):
    """An integer seed drawn from ``rng`` (or the root sequence), for components that store one."""
    rng = make_generator() if rng is None else rng
    return int(rng.integers(0, 2**31 - 1))


class _Training(threading.local):
    generator = None  # per thread: fits in other threads have their own


_training = _Training()


@contextlib.contextmanager
def training_generator(generator):
    """Within ``fit``: random layers without their own seed draw from ``generator``, so the
    ``seed`` given to ``fit`` fixes dropout masks too. Per thread, so concurrent fits in
    threads each keep their own."""
    previous = _training.generator
    _training.generator = generator
    try:
        yield generator
    finally:
        _training.generator = previous


def layer_generator(own, seeded):
    """The generator a random layer uses: its own when it was given a seed, else fit's, else
    its own default one."""
    current = _training.generator
    return own if seeded or current is None else current


# -- keras.random: draws as Tensors --------------------------------------------------------------
# Every function takes ``seed=``: None draws from the library's root sequence (reproducible
# under set_random_seed, different per call), an int gives the same numbers on every call (as
# in Keras), and a SeedGenerator gives new numbers each call, reproducibly from its own seed.
_FLOATS = ("float16", "float32", "float64")
_INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


class SeedGenerator:
    """A seed whose state advances each time a random function draws with it (Keras's
    ``keras.random.SeedGenerator``): give it to a layer and pass it as ``seed=`` so each call
    draws new numbers, reproducibly from its seed.

    Args:
        seed: an int; None draws one from the library's root sequence (so it is reproducible
            under :func:`set_random_seed`).
        name: a label.

    Example:
        >>> gen = SeedGenerator(1337)
        >>> a, b = normal((2,), seed=gen), normal((2,), seed=gen)
        >>> bool((a.numpy() != b.numpy()).all())
        True
    """

    def __init__(self, seed=None, name=None):
        from .autograd.tensor import Variable

        self._initial_seed = seed
        if seed is None:
            seed = draw_seed()
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"SeedGenerator: seed must be a non-negative integer or None, got "
                             f"seed={seed!r}")
        self.name = "seed_generator" if name is None else str(name)
        self.state = Variable(np.array([int(seed), 0], dtype=np.int64), trainable=False,
                              name=f"{self.name}_state")

    def next(self, ordered=True):
        """The current state (a seed for one draw), then advance it: by one step when
        ``ordered``, else to a scrambled next state (as Keras does)."""
        from .autograd.tensor import Tensor

        current = self.state.numpy().copy()
        if ordered:
            advanced = current + np.array([0, 1])
        else:
            advanced = (current + 1) * 5387 % 933199
        self.state.assign(self.state.ops.asarray(advanced.astype(np.int64)))
        return Tensor(self.state.ops.asarray(current))

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator {self.name!r} state={self.state.numpy().tolist()}>"


def _entropy(owner, seed):
    """An integer seed for the backend's generator from the ``seed=`` argument."""
    if seed is None:
        with _root_lock:
            sequence = _root["sequence"].spawn(1)[0]
    elif isinstance(seed, SeedGenerator):
        sequence = np.random.SeedSequence(seed.next().numpy().tolist())
    elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"{owner}: seed must be a non-negative integer, got seed={seed}")
        return int(seed)
    elif hasattr(seed, "shape") and tuple(seed.shape) == (2,):  # a state from next()
        values = np.asarray(seed.numpy() if hasattr(seed, "numpy") else seed)
        if values.dtype.kind not in "iu":
            raise TypeError(f"{owner}: a seed state must hold integers, got {values.dtype.name}")
        sequence = np.random.SeedSequence([int(v) % 2**63 for v in values])
    else:
        raise TypeError(f"{owner}: seed must be None, an int or a SeedGenerator, got "
                        f"{seed!r} (of type {type(seed).__name__})")
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


def _backend_generator(owner, seed):
    from .backend import get_ops

    return get_ops().generator(_entropy(owner, seed))


def _shape(owner, shape):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: shape must be a tuple of ints, got {shape!r}") from None
    if any(n < 0 for n in dims):
        raise ValueError(f"{owner}: shape {dims} has a negative size")
    return dims


def _dtype(owner, dtype, kinds):
    from . import config

    name = config.floatx() if dtype is None else getattr(dtype, "name", None) or getattr(
        dtype, "__name__", None) or str(dtype)
    if name not in kinds:
        raise ValueError(f"{owner}: dtype must be one of {kinds}, got dtype={dtype!r}")
    return name


def _tensor(values, dtype):
    from .autograd.tensor import Tensor
    from .backend import get_ops

    return Tensor(get_ops().asarray(values).astype(dtype, copy=False))


def _floats(draw_dtype):
    return "float64" if draw_dtype == "float64" else "float32"


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from a normal distribution.

    Args:
        shape: the output shape.
        mean, stddev: the distribution's mean and standard deviation.
        dtype: a float dtype (default ``floatx()``).
        seed: None, an int (the same draws each call) or a :class:`SeedGenerator`.

    Returns:
        A Tensor.

    Example:
        >>> normal((2, 3), seed=0).shape
        (2, 3)
    """
    shape, dtype = _shape("normal", shape), _dtype("normal", dtype, _FLOATS)
    rng = _backend_generator("normal", seed)
    return _tensor(rng.standard_normal(shape, dtype=_floats(dtype)) * stddev + mean, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draws from the uniform distribution on ``[minval, maxval)``.

    Example:
        >>> float(uniform((100,), 2.0, 3.0, seed=0).numpy().min()) >= 2.0
        True
    """
    shape, dtype = _shape("uniform", shape), _dtype("uniform", dtype, _FLOATS)
    rng = _backend_generator("uniform", seed)
    return _tensor(minval + (maxval - minval) * rng.random(shape, dtype=_floats(dtype)), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from a normal distribution, values beyond two standard deviations redrawn.

    Example:
        >>> float(abs(truncated_normal((1000,), seed=0).numpy()).max()) <= 2.0
        True
    """
    shape, dtype = _shape("truncated_normal", shape), _dtype("truncated_normal", dtype, _FLOATS)
    rng = _backend_generator("truncated_normal", seed)
    draw = _floats(dtype)
    z = rng.standard_normal(shape, dtype=draw)
    outside = abs(z) > 2
    while outside.any():  # redraw the rejected ones: about 4.6% per round
        z[outside] = rng.standard_normal(int(outside.sum()), dtype=draw)
        outside = abs(z) > 2
    return _tensor(z * stddev + mean, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from ``[minval, maxval)``.

    Example:
        >>> t = randint((4,), 0, 3, seed=0)
        >>> t.dtype.name, bool((t.numpy() < 3).all())
        ('int32', True)
    """
    shape, dtype = _shape("randint", shape), _dtype("randint", dtype, _INTS)
    low, high = int(minval), int(maxval)
    if high <= low:
        raise ValueError(f"randint: maxval must exceed minval, got minval={minval}, "
                         f"maxval={maxval}")
    rng = _backend_generator("randint", seed)
    return _tensor(rng.integers(low, high, size=shape), dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Inputs with each element zeroed with probability ``rate`` and the rest scaled by
    ``1 / (1 - rate)``; differentiable in ``inputs``.

    Example:
        >>> sorted(set(dropout(np.ones(100), 0.5, seed=0).numpy().tolist()))
        [0.0, 2.0]
    """
    from .functions.noise import dropout as _dropout  # functions import this module

    return _dropout(inputs, rate, noise_shape=noise_shape, rng=_entropy("dropout", seed))


def shuffle(x, axis=0, seed=None):
    """``x`` permuted at random along ``axis`` (differentiable: a gather).

    Example:
        >>> sorted(shuffle(np.arange(5.0), seed=0).tolist())
        [0.0, 1.0, 2.0, 3.0, 4.0]
    """
    from .autograd.tensor import Tensor
    from .functions import getitem

    x = x if isinstance(x, Tensor) else Tensor(x)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not (
            -x.ndim <= axis < x.ndim):
        raise ValueError(f"shuffle: axis must be an int in [-{x.ndim}, {x.ndim}), got {axis!r}")
    rng = _backend_generator("shuffle", seed)
    order = rng.random(x.shape[axis]).argsort()  # a uniform permutation
    return getitem(x, (slice(None),) * (axis % x.ndim) + (order,))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn from the categorical distributions of each row of 2-D ``logits``
    (unnormalized log-probabilities): shape ``(batch, num_samples)``.

    Example:
        >>> categorical(np.array([[-1e9, 0.0]]), 3, seed=0).tolist()
        [[1, 1, 1]]
    """
    from .autograd.tensor import Tensor
    from .backend import get_ops

    z = logits.data if isinstance(logits, Tensor) else get_ops().asarray(logits)
    if z.ndim != 2:
        raise ValueError(f"categorical: logits must be 2-D (batch, classes), got shape {z.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or (
            num_samples < 0):
        raise ValueError(f"categorical: num_samples must be an int >= 0, got {num_samples!r}")
    dtype = _dtype("categorical", dtype, _INTS)
    rng = _backend_generator("categorical", seed)
    xp = get_ops().xp
    # Gumbel-max: argmax(logits + Gumbel noise) is a draw from softmax(logits)
    u = rng.random((z.shape[0], int(num_samples), z.shape[1]))
    gumbel = -xp.log(-xp.log(xp.clip(u, 1e-300, 1.0)))
    return _tensor(xp.argmax(z[:, None, :] + gumbel, axis=-1), dtype)


def gamma(shape, alpha, dtype=None, seed=None):
    """Draws from a gamma distribution of shape ``alpha`` (scale 1).

    Example:
        >>> bool((gamma((10,), 2.0, seed=0).numpy() > 0).all())
        True
    """
    shape, dtype = _shape("gamma", shape), _dtype("gamma", dtype, _FLOATS)
    rng = _backend_generator("gamma", seed)
    return _tensor(rng.standard_gamma(alpha, size=shape), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Draws from binomial distributions: successes in ``counts`` trials of probability
    ``probabilities`` (both broadcast to ``shape``), as floats.

    Example:
        >>> float(binomial((3,), 5, 1.0, seed=0).numpy().sum())
        15.0
    """
    shape, dtype = _shape("binomial", shape), _dtype("binomial", dtype, _FLOATS)
    rng = _backend_generator("binomial", seed)
    return _tensor(rng.binomial(counts, probabilities, size=shape), dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Draws from a beta distribution with parameters ``alpha`` and ``beta``.

    Example:
        >>> x = beta((100,), 2.0, 5.0, seed=0).numpy()
        >>> bool(((x > 0) & (x < 1)).all())
        True
    """
    shape, dtype = _shape("beta", shape), _dtype("beta", dtype, _FLOATS)
    rng = _backend_generator("beta", seed)
    return _tensor(rng.beta(alpha, beta, size=shape), dtype)
