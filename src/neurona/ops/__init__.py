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
from .control import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from ._missing import MISSING, missing  # noqa: F401  (MISSING: what is absent, and why)
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
from .search import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .signal import *  # noqa: F401,F403
from . import (arithmetic, control, core, creation, elementwise, gather, logic, nan_reductions,
               order, products, reductions, search, shapes, signal)

__all__ = sorted(set(
    arithmetic.__all__ + control.__all__ + core.__all__ + creation.__all__ + elementwise.__all__
    + gather.__all__ + linalg.__all__ + logic.__all__ + math.__all__ + nan_reductions.__all__
    + nn.__all__ + order.__all__ + products.__all__ + reductions.__all__ + search.__all__
    + shapes.__all__ + signal.__all__)) + [
    "image", "linalg", "math", "nn", "result_type", "standardize_dtype"]


def __getattr__(name):
    raise missing(__name__, name, __all__)
