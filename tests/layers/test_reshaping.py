"""RepeatVector, Permute, UpSampling1D/2D, ZeroPadding1D/2D and Cropping1D/2D give Keras 3's
outputs and shapes, pass gradients like PyTorch, and save and reload bit for bit."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor

from ..helpers import assert_saved_model_predicts_the_same, real_keras

CASES = [  # (class name, constructor arguments, input shape)
    ("RepeatVector", dict(n=3), (2, 4)),
    ("Permute", dict(dims=(2, 1)), (2, 3, 4)),
    ("Permute", dict(dims=(3, 1, 2)), (2, 3, 4, 5)),
    ("UpSampling1D", dict(size=3), (2, 4, 2)),
    ("UpSampling2D", dict(size=(2, 3)), (2, 3, 4, 2)),
    ("UpSampling2D", dict(size=2, interpolation="bilinear"), (2, 3, 5, 2)),
    ("UpSampling2D", dict(size=(3, 2), data_format="channels_first"), (1, 2, 3, 4)),
    ("ZeroPadding1D", dict(padding=(1, 3)), (2, 4, 3)),
    ("ZeroPadding2D", dict(padding=((1, 0), (2, 3))), (2, 3, 4, 2)),
    ("ZeroPadding2D", dict(padding=2, data_format="channels_first"), (1, 2, 3, 3)),
    ("Cropping1D", dict(cropping=(1, 2)), (2, 6, 3)),
    ("Cropping2D", dict(cropping=((1, 2), (0, 1))), (2, 5, 4, 3)),
    ("Cropping2D", dict(cropping=1, data_format="channels_first"), (1, 2, 5, 4)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras(name, kwargs, shape, rng):
    real = real_keras()
    x = rng.standard_normal(shape).astype("float32")
    ours, theirs = getattr(layers, name)(**kwargs), getattr(real.layers, name)(**kwargs)
    np.testing.assert_allclose(ours(x).numpy(), real.ops.convert_to_numpy(theirs(x)),
                               rtol=1e-6, atol=1e-6)
    assert ours.compute_output_shape((None,) + shape[1:]) == \
        tuple(theirs.compute_output_shape((None,) + shape[1:]))


@pytest.mark.parametrize("name, kwargs, shape", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_gradient_is_the_adjoint(name, kwargs, shape, rng):
    """These layers are linear: <layer(x), u> = <x, grad of <layer(x), u>> for any u."""
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    layer = getattr(layers, name)(**kwargs, dtype="float64")
    out = layer(x)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    np.testing.assert_allclose(float((out.numpy() * upstream).sum()),
                               float((x.data * x.grad).sum()), rtol=1e-10)


def test_bilinear_upsampling_gradient_matches_torch(rng):
    torch = pytest.importorskip("torch")
    x = Tensor(rng.standard_normal((2, 3, 4, 2)), requires_grad=True)
    out = layers.UpSampling2D(2, interpolation="bilinear", dtype="float64")(x)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    xt = torch.tensor(np.moveaxis(x.numpy(), -1, 1), requires_grad=True)
    ref = torch.nn.functional.interpolate(xt, scale_factor=2, mode="bilinear",
                                          align_corners=False)
    ref.backward(torch.tensor(np.moveaxis(upstream, -1, 1)))
    np.testing.assert_allclose(out.numpy(), np.moveaxis(ref.detach().numpy(), 1, -1), rtol=1e-10)
    np.testing.assert_allclose(x.grad, np.moveaxis(xt.grad.numpy(), 1, -1), rtol=1e-10)


def test_saved_and_reloaded(tmp_path, rng):
    inputs = keras.Input((4, 4, 2))
    x = layers.ZeroPadding2D(1)(inputs)
    x = layers.Cropping2D(((1, 0), (0, 1)))(x)
    x = layers.UpSampling2D(2, interpolation="bilinear")(x)
    x = layers.Permute((3, 1, 2))(x)
    x = layers.Reshape((2, -1))(x)
    x = layers.Cropping1D(1)(layers.ZeroPadding1D((2, 1))(x))
    x = layers.UpSampling1D(2)(x)
    x = layers.Dense(3)(layers.Flatten()(x))
    x = layers.RepeatVector(2)(x)
    model = keras.Model(inputs, x)
    assert_saved_model_predicts_the_same(model, rng.standard_normal((3, 4, 4, 2)), tmp_path)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="permutation of 1..n"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        layers.RepeatVector(0)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="removes every entry"):
        layers.Cropping1D((2, 2))(np.ones((1, 4, 1)))
    with pytest.raises(ValueError, match="padding must be an int"):
        layers.ZeroPadding2D("same")
