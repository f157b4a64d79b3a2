"""Cases for einsum: plain contractions, ellipses, letters only one operand has, diagonals and
size-1 broadcasting."""

import numpy as np

import neurona.functions as F
from neurona.functions import contraction

from . import GradCase

_r = np.random.default_rng(17)
A = _r.standard_normal((2, 3))
B = _r.standard_normal((3, 4))
C = _r.standard_normal((4, 2))
SQ = _r.standard_normal((3, 3))
Q = _r.standard_normal((2, 3, 2, 4))  # batch, heads, queries, depth
K = _r.standard_normal((2, 3, 5, 4))  # batch, heads, keys, depth
ONE = _r.standard_normal((1, 3))


def _case(spec, inputs, name):
    return GradCase(contraction.Einsum, lambda *xs: F.einsum(spec, *xs), inputs, name)


CASES = [
    _case("ij,jk->ik", [A, B], "einsum-matmul"),
    _case("ij,jk,kl->il", [A, B, C], "einsum-three-operands"),
    _case("bhqd,bhkd->bhqk", [Q, K], "einsum-attention-scores"),
    _case("...d,...d->...", [Q, Q[..., ::-1].copy()], "einsum-ellipsis"),
    _case("...j,jk", [A, B], "einsum-implicit-ellipsis"),
    _case("ij->", [A], "einsum-sum"),
    _case("ij,kl->", [A, C], "einsum-summed-lonely-letters"),
    _case("ii->i", [SQ], "einsum-diagonal"),
    _case("ii", [SQ], "einsum-trace-implicit"),
    _case("ij,ij->ij", [ONE, A], "einsum-size-one-broadcast"),
]
