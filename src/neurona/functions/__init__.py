"""Differentiable functions: ``import neurona.functions as F``.

Every name here accepts tensors or arrays and returns a :class:`~neurona.autograd.Tensor`.
"""

from .math import (add, subtract, multiply, divide, negative, power, square, sqrt, exp, log,
                   log1p, abs, maximum, minimum, clip, where, matmul, cast, mod, fmod)
from .reduce import sum, mean, max, min, prod, logsumexp, cumsum, cumprod
from .shape import (reshape, flatten, transpose, getitem, concatenate, stack, broadcast_to,
                    expand_dims, squeeze, pad)
from .contraction import einsum
from .elementwise import *  # noqa: F401,F403
from .scatter import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .affine import linear, dense
from .activation import *  # noqa: F401,F403  (each module lists its public names)
from .loss import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .conv_pool import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .grouped_convolution import *  # noqa: F401,F403
from .transposed_conv1d import *  # noqa: F401,F403
from .pooling3d import *  # noqa: F401,F403
