"""Dot and the functional merge helpers (add, subtract, multiply, average, maximum, minimum,
concatenate, dot): Keras 3's outputs and shapes, saved and reloaded."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor

from ..helpers import assert_saved_model_predicts_the_same, real_keras


@pytest.mark.parametrize("axes, normalize, shapes", [
    (1, False, [(3, 4), (3, 4)]),
    (-1, True, [(3, 4), (3, 4)]),
    (2, False, [(3, 2, 5), (3, 4, 5)]),
    ((1, 2), False, [(3, 5, 2), (3, 4, 5)]),
    ((2, 1), True, [(3, 2, 4), (3, 4, 3)]),
])
def test_dot_matches_keras(axes, normalize, shapes, rng):
    real = real_keras()
    a, b = (rng.standard_normal(s).astype("float32") for s in shapes)
    ours = layers.Dot(axes=axes, normalize=normalize)
    theirs = real.layers.Dot(axes=axes, normalize=normalize)
    np.testing.assert_allclose(ours([a, b]).numpy(), real.ops.convert_to_numpy(theirs([a, b])),
                               rtol=1e-5, atol=1e-6)
    none = [(None,) + s[1:] for s in shapes]
    assert ours.compute_output_shape(none) == tuple(theirs.compute_output_shape(none))


def test_dot_gradients_match_torch(rng):
    torch = pytest.importorskip("torch")
    a = Tensor(rng.standard_normal((3, 2, 5)), requires_grad=True)
    b = Tensor(rng.standard_normal((3, 4, 5)), requires_grad=True)
    out = layers.Dot(axes=2, dtype="float64")([a, b])
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    at, bt = (torch.tensor(t.numpy(), requires_grad=True) for t in (a, b))
    ref = torch.einsum("bik,bjk->bij", at, bt)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad, at.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, bt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("helper", ["add", "subtract", "multiply", "average", "maximum",
                                    "minimum", "concatenate", "dot"])
def test_functional_helpers_match_keras(helper, rng, tmp_path):
    real = real_keras()
    a, b = (rng.standard_normal((4, 3)).astype("float32") for _ in range(2))
    kwargs = {"axes": 1} if helper == "dot" else {}
    want = real.ops.convert_to_numpy(getattr(real.layers, helper)([a, b], **kwargs))
    np.testing.assert_allclose(getattr(layers, helper)([a, b], **kwargs).numpy(), want,
                               rtol=1e-6)
    first, second = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    model = keras.Model([first, second], getattr(layers, helper)([first, second], **kwargs))
    assert_saved_model_predicts_the_same(model, [a, b], tmp_path)


def test_dot_errors_name_the_problem():
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Dot(1)([np.ones((2, 3))] * 3)
    with pytest.raises(ValueError, match="contracted axes differ in size"):
        layers.Dot(1)([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="not a feature axis"):
        layers.Dot(0)([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="axes must be an int or a pair"):
        layers.Dot("last")
