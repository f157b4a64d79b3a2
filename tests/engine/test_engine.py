"""The backward executor's order: every consumer of a tensor runs before its producer."""

import numpy as np

import neurona.functions as F
from neurona import Tensor
from neurona.autograd import gradcheck


def test_a_tensor_used_by_a_later_consumer_gets_both_gradients():
    # y feeds the root directly and through a second node: the DFS reaches y's producer from
    # the root first, yet it must run after the second consumer
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = F.multiply(x, 1.0)
    F.sum(F.add(y, F.multiply(y, 0.4))).backward()
    np.testing.assert_allclose(x.grad, [1.4, 1.4])


def test_diamonds_and_chains_match_central_differences():
    def f(x):
        y = F.exp(F.multiply(x, 0.3))
        z = F.add(y, F.square(y))
        return F.add(F.multiply(z, y), F.sin(F.add(z, x)))

    assert gradcheck(f, [np.linspace(-1.0, 1.0, 6)])
