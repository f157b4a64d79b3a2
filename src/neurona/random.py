"""Where randomness comes from: one seed, explicit generators, no NumPy globals.

``set_random_seed(s)`` resets a library-wide :class:`numpy.random.SeedSequence`. Everything random
(weight initializers, shuffling, dropout masks, augmentation) draws a child generator from it in
program order, so the same seed and the same program give bitwise the same numbers. Without a
call, the root sequence takes fresh OS entropy (different every run, like Keras).

Random numbers are always drawn with NumPy on the host, then moved to the backend, so the CPU
and the GPU see the same initial weights and masks for one seed.
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
