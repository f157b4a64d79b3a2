"""The transposed 1-D convolution agrees with PyTorch's conv_transpose1d and with Keras 3's
output lengths ("same" padding, output_padding)."""

import numpy as np
import pytest

import neurona.functions as F
from neurona.autograd import Tensor

from ..helpers import real_keras

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("stride, dilation", [(1, 1), (2, 1), (3, 1), (1, 2)])
def test_conv1d_transpose_matches_torch(stride, dilation, rng):
    x = rng.standard_normal((2, 6, 3))
    w = rng.standard_normal((3, 4, 3))  # (k, filters, in)
    b = rng.standard_normal(4)
    xt, wt, bt = (Tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.conv1d_transpose(xt, wt, bt, strides=stride, dilation_rate=dilation)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    rx = torch.tensor(x.transpose(0, 2, 1), requires_grad=True)
    rw = torch.tensor(w.transpose(2, 1, 0), requires_grad=True)  # (in, filters, k)
    rb = torch.tensor(b, requires_grad=True)
    ref = torch.nn.functional.conv_transpose1d(rx, rw, rb, stride=stride, dilation=dilation)
    ref.backward(torch.tensor(upstream.transpose(0, 2, 1)))
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy().transpose(0, 2, 1), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(xt.grad, rx.grad.numpy().transpose(0, 2, 1), rtol=1e-10)
    np.testing.assert_allclose(wt.grad, rw.grad.numpy().transpose(2, 1, 0), rtol=1e-10)
    np.testing.assert_allclose(bt.grad, rb.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("padding, output_padding", [("same", None), ("valid", 1),
                                                     ("same", 1)])
def test_conv1d_transpose_matches_keras(padding, output_padding, rng):
    keras = real_keras()
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    w = rng.standard_normal((4, 2, 3)).astype("float32")
    want = keras.ops.convert_to_numpy(keras.ops.conv_transpose(
        x, w, strides=2, padding=padding, output_padding=output_padding))
    got = F.conv1d_transpose(x, w, strides=2, padding=padding, output_padding=output_padding)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)
