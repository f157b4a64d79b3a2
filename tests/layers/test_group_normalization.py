"""GroupNormalization and UnitNormalization: Keras 3's outputs, PyTorch's gradients, saved and
reloaded bit for bit."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor

from ..helpers import assert_saved_model_predicts_the_same, real_keras


@pytest.mark.parametrize("groups, axis, shape", [(2, -1, (3, 5, 6)), (3, -1, (2, 4, 4, 6)),
                                                 (-1, -1, (2, 3, 4)), (1, 1, (2, 4, 3, 3))])
def test_group_normalization_matches_keras(groups, axis, shape, rng):
    real = real_keras()
    x = rng.standard_normal(shape).astype("float32") * 3 + 1
    ours = layers.GroupNormalization(groups=groups, axis=axis)
    out = ours(x).numpy()
    theirs = real.layers.GroupNormalization(groups=groups, axis=axis)
    theirs.build(shape)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in ours.get_weights()]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    np.testing.assert_allclose(ours(x).numpy(), real.ops.convert_to_numpy(theirs(x)),
                               rtol=1e-4, atol=1e-5)
    assert out.shape == shape


def test_group_normalization_gradients_match_torch(rng):
    torch = pytest.importorskip("torch")
    layer = layers.GroupNormalization(groups=2, epsilon=1e-5, dtype="float64")
    x = Tensor(rng.standard_normal((3, 4, 5, 6)), requires_grad=True)
    out = layer(x)
    layer.set_weights([rng.standard_normal(6), rng.standard_normal(6)])
    out = layer(x)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    xt = torch.tensor(np.moveaxis(x.numpy(), -1, 1), requires_grad=True)
    gamma = torch.tensor(layer.gamma.numpy(), requires_grad=True)
    beta = torch.tensor(layer.beta.numpy(), requires_grad=True)
    ref = torch.nn.functional.group_norm(xt, 2, gamma, beta, eps=1e-5)
    ref.backward(torch.tensor(np.moveaxis(upstream, -1, 1)))
    np.testing.assert_allclose(out.numpy(), np.moveaxis(ref.detach().numpy(), 1, -1), rtol=1e-9)
    np.testing.assert_allclose(x.grad, np.moveaxis(xt.grad.numpy(), 1, -1), rtol=1e-8,
                               atol=1e-10)
    np.testing.assert_allclose(layer.gamma.grad, gamma.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(layer.beta.grad, beta.grad.numpy(), rtol=1e-9)


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_normalization_matches_keras_and_torch(axis, rng):
    real = real_keras()
    x = rng.standard_normal((3, 4, 5)).astype("float32")
    x[0] = 0.0  # a zero vector stays zero, with a finite gradient
    ours = layers.UnitNormalization(axis=axis)
    np.testing.assert_allclose(ours(x).numpy(), real.ops.convert_to_numpy(
        real.layers.UnitNormalization(axis=axis)(x)), rtol=1e-6, atol=1e-7)
    torch = pytest.importorskip("torch")
    xt = Tensor(x.astype("float64"), requires_grad=True)
    out = layers.UnitNormalization(axis=axis, dtype="float64")(xt)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref_x = torch.tensor(x.astype("float64"), requires_grad=True)
    dims = tuple(axis) if isinstance(axis, list) else axis
    ref = torch.nn.functional.normalize(ref_x, dim=dims, eps=1e-12)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(xt.grad, ref_x.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_saved_and_reloaded(tmp_path, rng):
    model = keras.Sequential([keras.Input((6, 4)), layers.GroupNormalization(groups=2),
                              layers.UnitNormalization(), layers.Dense(2)])
    model.layers[0].set_weights([rng.standard_normal(4), rng.standard_normal(4)])
    assert_saved_model_predicts_the_same(model, rng.standard_normal((3, 6, 4)), tmp_path)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="groups=3 must divide the 4 channels"):
        layers.GroupNormalization(groups=3)(np.ones((1, 2, 4)))
    with pytest.raises(ValueError, match="positive int or -1"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="not a feature axis"):
        layers.GroupNormalization(groups=1, axis=0)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="out of range"):
        layers.UnitNormalization(axis=3)(np.ones((2, 3)))
