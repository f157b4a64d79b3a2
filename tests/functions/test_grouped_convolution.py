"""Grouped, depthwise and 3-D convolutions agree with PyTorch (forward and every gradient),
and "same" padding with Keras 3 (TF's asymmetric split, which PyTorch has no padding for)."""

import numpy as np
import pytest

import neurona.functions as F
from neurona.autograd import Tensor

from ..helpers import real_keras

torch = pytest.importorskip("torch")


def _channels_first(a):
    return np.moveaxis(a, -1, 1)


def _torch_kernel(w):
    """(*k, in/groups, filters) -> PyTorch's (filters, in/groups, *k)."""
    rank = w.ndim - 2
    return np.transpose(w, (rank + 1, rank) + tuple(range(rank)))


def _ours(call, x, w, b, upstream):
    xt, wt, bt = (Tensor(a, requires_grad=True) for a in (x, w, b))
    out = call(xt, wt, bt)
    out.backward(upstream)
    return out.numpy(), xt.grad, wt.grad, bt.grad


def _theirs(conv, x, w, b, upstream, **kwargs):
    xt = torch.tensor(_channels_first(x), requires_grad=True)
    wt = torch.tensor(_torch_kernel(w), requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    out = conv(xt, wt, bt, **kwargs)
    out.backward(torch.tensor(_channels_first(upstream)))
    return (np.moveaxis(out.detach().numpy(), 1, -1), np.moveaxis(xt.grad.numpy(), 1, -1),
            np.transpose(wt.grad.numpy(), tuple(range(2, w.ndim)) + (1, 0)), bt.grad.numpy())


CASES = [  # (x shape, kernel shape, groups, strides, dilation)
    ((2, 7, 8, 4), (3, 3, 2, 6), 2, (1, 1), (1, 1)),
    ((2, 9, 8, 6), (3, 2, 2, 6), 3, (2, 1), (1, 1)),
    ((1, 9, 9, 4), (3, 3, 1, 8), 4, (1, 1), (2, 2)),
    ((3, 11, 4), (3, 2, 4), 2, (2,), (1,)),
    ((2, 5, 6, 7, 2), (2, 3, 2, 2, 4), 1, (1, 2, 1), (1, 1, 1)),
    ((2, 5, 6, 5, 4), (3, 2, 3, 2, 6), 2, (2, 1, 1), (1, 1, 1)),
]


@pytest.mark.parametrize("x_shape, w_shape, groups, strides, dilation", CASES)
def test_grouped_conv_matches_torch(x_shape, w_shape, groups, strides, dilation, rng):
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[-1])
    out_ref = None
    conv = {3: torch.nn.functional.conv1d, 4: torch.nn.functional.conv2d,
            5: torch.nn.functional.conv3d}[len(x_shape)]
    with torch.no_grad():
        out_ref = conv(torch.tensor(_channels_first(x)), torch.tensor(_torch_kernel(w)),
                       stride=strides, dilation=dilation, groups=groups)
    upstream = rng.standard_normal(np.moveaxis(out_ref.numpy(), 1, -1).shape)
    ours = _ours(lambda a, k, c: F.grouped_conv(a, k, c, groups=groups, strides=strides,
                                                dilation_rate=dilation), x, w, b, upstream)
    theirs = _theirs(conv, x, w, b, upstream, stride=strides, dilation=dilation, groups=groups)
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("multiplier", [1, 3])
def test_depthwise_conv_is_torch_groups_equal_channels(multiplier, rng):
    x = rng.standard_normal((2, 8, 7, 3))
    w = rng.standard_normal((3, 2, 3, multiplier))
    b = rng.standard_normal(3 * multiplier)
    out_shape = (2, 6, 6, 3 * multiplier)
    upstream = rng.standard_normal(out_shape)
    ours = _ours(lambda a, k, c: F.depthwise_conv(a, k, c), x, w, b, upstream)
    # Keras's (kh, kw, C, M) kernel is PyTorch's (C * M, 1, kh, kw), output c * M + m
    xt = torch.tensor(_channels_first(x), requires_grad=True)
    wt = torch.tensor(w.reshape(3, 2, 1, 3 * multiplier).transpose(3, 2, 0, 1),
                      requires_grad=True)
    out = torch.nn.functional.conv2d(xt, wt, torch.tensor(b), groups=3)
    out.backward(torch.tensor(_channels_first(upstream)))
    np.testing.assert_allclose(ours[0], np.moveaxis(out.detach().numpy(), 1, -1), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(ours[1], np.moveaxis(xt.grad.numpy(), 1, -1), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(ours[2], wt.grad.numpy().transpose(2, 3, 1, 0).reshape(w.shape),
                               rtol=1e-10, atol=1e-12)


def test_same_padding_matches_keras(rng):
    keras = real_keras()
    x = rng.standard_normal((2, 6, 7, 5, 4)).astype("float32")
    w = rng.standard_normal((2, 3, 3, 2, 6)).astype("float32")
    want = keras.ops.conv(x, w, strides=(2, 2, 1), padding="same")
    ref = np.asarray(keras.ops.convert_to_numpy(want))
    # Keras's ops.conv has no groups argument: two ungrouped halves are the grouped result
    half = [np.asarray(keras.ops.convert_to_numpy(keras.ops.conv(
        x[..., 2 * i:2 * i + 2], w[..., 3 * i:3 * i + 3], strides=(2, 2, 1), padding="same")))
        for i in range(2)]
    got = F.grouped_conv(x, w, groups=2, strides=(2, 2, 1), padding="same").numpy()
    np.testing.assert_allclose(got, np.concatenate(half, axis=-1), rtol=1e-5, atol=1e-5)
    ungrouped = rng.standard_normal((2, 3, 3, 4, 6)).astype("float32")
    ref = np.asarray(keras.ops.convert_to_numpy(keras.ops.conv(x, ungrouped, strides=(2, 2, 1),
                                                               padding="same")))
    np.testing.assert_allclose(F.conv3d(x, ungrouped, strides=(2, 2, 1), padding="same").numpy(),
                               ref, rtol=1e-5, atol=1e-5)
    dw = rng.standard_normal((3, 3, 4, 2)).astype("float32")
    x2 = x[:, 0]
    ref = keras.ops.convert_to_numpy(keras.ops.depthwise_conv(x2, dw, strides=2, padding="same"))
    np.testing.assert_allclose(F.depthwise_conv(x2, dw, strides=2, padding="same").numpy(), ref,
                               rtol=1e-5, atol=1e-5)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="groups=3"):
        F.grouped_conv(np.ones((1, 5, 5, 4)), np.ones((3, 3, 2, 6)), groups=3)
    with pytest.raises(ValueError, match="larger than the input"):
        F.conv3d(np.ones((1, 2, 5, 5, 2)), np.ones((3, 3, 3, 2, 4)))
    with pytest.raises(ValueError, match="1 to 3 spatial axes"):
        F.grouped_conv(np.ones((5, 2)), np.ones((3, 2, 2)))
    with pytest.raises(ValueError, match="groups must be a positive int"):
        F.grouped_conv(np.ones((1, 5, 2)), np.ones((3, 2, 2)), groups=0)
