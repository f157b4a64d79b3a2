"""Backward visits every function after all of its consumers, whatever the order of the
inputs: a value reached through a short and a long path gets both gradients first."""

import numpy as np
import pytest

import neurona.functions as F
from neurona.autograd import Tensor


@pytest.mark.parametrize("short_path_first", [True, False])
def test_a_value_used_by_a_short_and_a_long_path(short_path_first, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4))
    xt = Tensor(x, requires_grad=True)
    c = F.subtract(xt, F.mean(xt, axis=1, keepdims=True))
    long = F.square(F.exp(c))
    out = F.add(c, long) if short_path_first else F.add(long, c)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref_x = torch.tensor(x, requires_grad=True)
    ref_c = ref_x - ref_x.mean(dim=1, keepdim=True)
    (ref_c + torch.exp(ref_c) ** 2).backward(torch.tensor(upstream))
    np.testing.assert_allclose(xt.grad, ref_x.grad.numpy(), rtol=1e-12)
