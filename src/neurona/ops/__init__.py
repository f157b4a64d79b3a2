"""``keras.ops`` for neurona: Keras 3's op names, signatures and defaults as thin faces of
:mod:`neurona.functions`.

Every op takes Tensors, NumPy (or backend) arrays and Python numbers and returns a Tensor.
Ops with a derivative record themselves on the engine, so they work inside custom layers,
losses and metrics and are differentiated by ``backward()``::

    from neurona import ops

    def loss(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

Dtypes use Keras's names and promotion rules (see :mod:`neurona.ops.dtypes`). Sub-namespaces:
``ops.nn`` (activations, losses, normalization, convolution, pooling, attention),
``ops.image`` (``resize``), ``ops.linalg`` (norms, inverses, solves) and ``ops.math`` (segment
reductions, top-k). A Keras op that neurona does not provide (complex numbers, FFTs, matrix
decompositions, CTC, ...) raises an AttributeError saying so.
"""

from . import image, linalg, math, nn
from .arithmetic import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from .dtypes import result_type, standardize_dtype
from .elementwise import *  # noqa: F401,F403
from .gather import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .logic import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .nan_reductions import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .order import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from . import (arithmetic, core, creation, elementwise, gather, logic, nan_reductions, order,
               products, reductions, shapes)

__all__ = sorted(set(
    arithmetic.__all__ + core.__all__ + creation.__all__ + elementwise.__all__ + gather.__all__
    + linalg.__all__ + logic.__all__ + math.__all__ + nan_reductions.__all__ + nn.__all__
    + order.__all__ + products.__all__ + reductions.__all__ + shapes.__all__)) + [
    "image", "linalg", "math", "nn", "result_type", "standardize_dtype"]

#: Keras 3 ops that neurona does not provide, and why (an AttributeError names the reason)
MISSING = {
    **dict.fromkeys(("angle", "conj", "conjugate", "imag", "real", "polar", "view_as_complex",
                     "view_as_real"), "neurona's tensors are real: there are no complex numbers"),
    **dict.fromkeys(("fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft"),
                    "there are no Fourier transforms (they need complex numbers)"),
    **dict.fromkeys(("cholesky", "cholesky_inverse", "eig", "eigh", "lstsq", "lu_factor",
                     "matrix_rank", "pinv", "qr", "svd", "slogdet"),
                    "matrix decompositions are not provided (inv, det, solve and norm are)"),
    **dict.fromkeys(("ctc_loss", "ctc_decode"), "CTC is not provided"),
    **dict.fromkeys(("custom_gradient", "jvp", "vectorize"),
                    "the engine records its own Functions; user-defined gradient rules and "
                    "forward-mode derivatives are not provided"),
    **dict.fromkeys(("bartlett", "blackman", "hamming", "hanning", "kaiser"),
                    "window functions are not provided (use numpy's)"),
    **dict.fromkeys(("argpartition", "bincount", "cdist", "corrcoef", "correlate", "digitize",
                     "histogram", "i0", "erfinv", "nanmedian", "nanpercentile", "nanquantile",
                     "nonzero", "rearrange", "searchsorted", "trapezoid", "unique",
                     "unravel_index", "vander", "view", "fold", "unfold"),
                    "this op is not provided yet"),
}


def __getattr__(name):
    if name in MISSING:
        raise AttributeError(f"neurona.ops has no {name!r}: {MISSING[name]}")
    from ..validation import did_you_mean

    raise AttributeError(f"module 'neurona.ops' has no attribute {name!r}."
                         f"{did_you_mean(name, __all__)}")
