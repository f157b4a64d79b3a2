"""Differentiable functions: ``import neurona.functions as F``.

Every name here accepts tensors or arrays and returns a :class:`~neurona.autograd.Tensor`.
"""

from .math import (add, subtract, multiply, divide, negative, power, square, sqrt, exp, log,
                   log1p, abs, maximum, minimum, clip, where, matmul)
from .reduce import sum, mean, max, min
from .shape import (reshape, flatten, transpose, getitem, concatenate, stack, broadcast_to,
                    expand_dims, squeeze)
from .affine import linear, dense
from .activation import *  # noqa: F401,F403  (each module lists its public names)
from .loss import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .conv_pool import *  # noqa: F401,F403
from .masks import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
