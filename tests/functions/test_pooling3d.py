"""3-D pooling agrees with PyTorch (valid windows, forward and gradient) and with Keras 3
("same" padding)."""

import numpy as np
import pytest

import neurona.functions as F
from neurona.autograd import Tensor

from ..helpers import real_keras

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("pool, strides", [(2, None), ((2, 3, 2), (1, 2, 1)), (3, 2)])
def test_pool3d_matches_torch(mode, pool, strides, rng):
    x = rng.permutation(2 * 6 * 7 * 5 * 3).reshape(2, 6, 7, 5, 3) / 7.0  # no ties
    xt = Tensor(x, requires_grad=True)
    fn = F.max_pool3d if mode == "max" else F.avg_pool3d
    out = fn(xt, pool, strides)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref_x = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)
    ref_fn = torch.nn.functional.max_pool3d if mode == "max" else torch.nn.functional.avg_pool3d
    ref = ref_fn(ref_x, pool, strides if strides is not None else pool)
    ref.backward(torch.tensor(np.moveaxis(upstream, -1, 1)))
    np.testing.assert_allclose(out.numpy(), np.moveaxis(ref.detach().numpy(), 1, -1), rtol=1e-12)
    np.testing.assert_allclose(xt.grad, np.moveaxis(ref_x.grad.numpy(), 1, -1), rtol=1e-12)


@pytest.mark.parametrize("mode", ["max", "average"])
def test_same_padding_matches_keras(mode, rng):
    keras = real_keras()
    x = rng.standard_normal((2, 5, 4, 7, 2)).astype("float32")
    layer = getattr(keras.layers, f"{mode.capitalize()}Pooling3D")(pool_size=(2, 3, 2),
                                                                    strides=2, padding="same")
    want = keras.ops.convert_to_numpy(layer(x))
    fn = F.max_pool3d if mode == "max" else F.avg_pool3d
    np.testing.assert_allclose(fn(x, (2, 3, 2), 2, "same").numpy(), want, rtol=1e-5, atol=1e-6)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="batch, depth, height, width, channels"):
        F.max_pool3d(np.ones((2, 4, 4, 1)), 2)
    with pytest.raises(ValueError, match="larger than the input"):
        F.avg_pool3d(np.ones((1, 1, 4, 4, 1)), 2)
