"""Convolutions against PyTorch (NHWC <-> NCHW), layer shapes against Keras's formulas, errors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import neurona.functions as F  # noqa: E402
from neurona import layers  # noqa: E402
from neurona.autograd import Tensor  # noqa: E402
from neurona.functions.conv import same_padding  # noqa: E402


def _nchw(a):
    return torch.tensor(a).permute(0, 3, 1, 2).requires_grad_()


def _kernel(w):  # (kh, kw, in, out) -> (out, in, kh, kw)
    return torch.tensor(w).permute(3, 2, 0, 1).requires_grad_()


def _nhwc(t):
    return t.detach().permute(0, 2, 3, 1).numpy()


def _run(ops, fn, arrays, grad_seed=0):
    """fn on tensors of ``arrays``; returns output and input gradients as NumPy arrays."""
    tensors = [Tensor(ops.asarray(a), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    g = np.random.default_rng(grad_seed).standard_normal(out.shape)
    out.backward(ops.asarray(g))
    return ops.to_numpy(out.data), [ops.to_numpy(t.grad) for t in tensors], g


CONV_SETTINGS = [  # (height, width, kernel, strides, padding, dilation)
    (8, 8, (3, 3), (1, 1), "valid", (1, 1)),
    (9, 7, (3, 3), (2, 2), "same", (1, 1)),
    (8, 10, (2, 2), (2, 2), "same", (1, 1)),
    (7, 7, (2, 3), (1, 2), "valid", (1, 1)),
    (10, 9, (3, 3), (1, 1), "same", (2, 2)),
    (6, 6, (4, 4), (3, 3), "same", (1, 1)),
]


@pytest.mark.parametrize("channels", [1, 3, 4])  # 1 and 3: the transposed patch matrix
@pytest.mark.parametrize("h, w, kernel, strides, padding, dilation", CONV_SETTINGS)
def test_conv2d_forward_and_backward_match_torch(ops, rng, h, w, kernel, strides, padding,
                                                   dilation, channels):
    x = rng.standard_normal((3, h, w, channels))
    k = rng.standard_normal(kernel + (channels, 5))
    b = rng.standard_normal(5)
    out, (gx, gw, gb), g = _run(ops, lambda x_, k_, b_: F.conv2d(
        x_, k_, b_, strides=strides, padding=padding, dilation_rate=dilation), [x, k, b])

    tx, tk, tb = _nchw(x), _kernel(k), torch.tensor(b).requires_grad_()
    padded = tx
    if padding == "same":  # TF's split: the odd extra row/column on the bottom/right
        (top, bottom), (left, right) = (same_padding(n, kk, s, d) for n, kk, s, d in
                                        zip((h, w), kernel, strides, dilation))
        padded = TF.pad(tx, (left, right, top, bottom))
    ref = TF.conv2d(padded, tk, tb, stride=strides, dilation=dilation)
    ref.backward(torch.tensor(g).permute(0, 3, 1, 2))
    np.testing.assert_allclose(out, _nhwc(ref), atol=1e-10)
    np.testing.assert_allclose(gx, _nhwc(tx.grad), atol=1e-10)
    np.testing.assert_allclose(gw, tk.grad.permute(2, 3, 1, 0).numpy(), atol=1e-10)
    np.testing.assert_allclose(gb, tb.grad.numpy(), atol=1e-10)


def test_conv2d_same_padding_puts_the_extra_row_at_the_bottom():
    # 4 -> 2 with k=3, s=2 needs 1 padding row: TF puts it after, so output row 0 sees rows 0..1
    x = np.zeros((1, 4, 4, 1))
    x[0, 0, 0, 0] = 1.0
    out = F.conv2d(x, np.ones((3, 3, 1, 1)), strides=2, padding="same").data
    assert out[0, :, :, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert same_padding(4, 3, 2) == (0, 1)
    assert same_padding(5, 4, 1) == (1, 2)


def test_conv2d_fused_relu_and_float32(rng):
    x = rng.standard_normal((2, 6, 6, 3)).astype(np.float32)
    k = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    fused = F.conv2d(x, k, activation="relu")
    assert fused.data.dtype == np.float32
    np.testing.assert_array_equal(fused.data, np.maximum(F.conv2d(x, k).data, 0))


def test_conv1d_matches_torch_including_causal(ops, rng):
    x, k, b = rng.standard_normal((2, 11, 3)), rng.standard_normal((3, 3, 4)), rng.standard_normal(4)
    for padding, strides, dilation, pad in [("valid", 2, 1, (0, 0)), ("same", 1, 1, (1, 1)),
                                            ("causal", 1, 2, (4, 0))]:
        out, (gx, gk, gb), g = _run(ops, lambda x_, k_, b_: F.conv1d(
            x_, k_, b_, strides=strides, padding=padding, dilation_rate=dilation), [x, k, b])
        tx = torch.tensor(x).permute(0, 2, 1).requires_grad_()
        tk = torch.tensor(k).permute(2, 1, 0).requires_grad_()
        tb = torch.tensor(b).requires_grad_()
        ref = TF.conv1d(TF.pad(tx, pad), tk, tb, stride=strides, dilation=dilation)
        ref.backward(torch.tensor(g).permute(0, 2, 1))
        np.testing.assert_allclose(out, ref.detach().permute(0, 2, 1).numpy(), atol=1e-10)
        np.testing.assert_allclose(gx, tx.grad.permute(0, 2, 1).numpy(), atol=1e-10)
        np.testing.assert_allclose(gk, tk.grad.permute(2, 1, 0).numpy(), atol=1e-10)
        np.testing.assert_allclose(gb, tb.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("n, kernel, strides, dilation, output_padding",
                         [(4, 3, 2, 1, None), (5, 2, 3, 1, None), (4, 3, 1, 2, None),
                          (3, 3, 2, 1, 1)])
def test_conv2d_transpose_valid_matches_torch(ops, rng, n, kernel, strides, dilation,
                                             output_padding):
    y = rng.standard_normal((2, n, n + 1, 3))
    k = rng.standard_normal((kernel, kernel, 4, 3))  # Keras: (kh, kw, filters, in_channels)
    b = rng.standard_normal(4)
    out, (gy, gk, gb), g = _run(ops, lambda y_, k_, b_: F.conv2d_transpose(
        y_, k_, b_, strides=strides, output_padding=output_padding, dilation_rate=dilation),
        [y, k, b])
    # Keras "valid" without output_padding adds max(stride - dilated kernel, 0) trailing rows
    extra = output_padding if output_padding is not None else \
        max(strides - ((kernel - 1) * dilation + 1), 0)
    ty, tk, tb = _nchw(y), torch.tensor(k).permute(3, 2, 0, 1).requires_grad_(), \
        torch.tensor(b).requires_grad_()
    ref = TF.conv_transpose2d(ty, tk, tb, stride=strides, dilation=dilation,
                              output_padding=extra)
    ref.backward(torch.tensor(g).permute(0, 3, 1, 2))
    np.testing.assert_allclose(out, _nhwc(ref), atol=1e-10)
    np.testing.assert_allclose(gy, _nhwc(ty.grad), atol=1e-10)
    np.testing.assert_allclose(gk, tk.grad.permute(2, 3, 1, 0).numpy(), atol=1e-10)
    np.testing.assert_allclose(gb, tb.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("h, kernel, strides", [(8, 3, 2), (6, 4, 2), (9, 5, 3), (5, 3, 1)])
def test_conv2d_transpose_same_is_the_adjoint_of_conv2d_same(rng, h, kernel, strides):
    x = rng.standard_normal((2, h, h, 4))
    k = rng.standard_normal((kernel, kernel, 4, 3))
    y = F.conv2d(x, k, strides=strides, padding="same").numpy()
    v = rng.standard_normal(y.shape)
    back = F.conv2d_transpose(v, k, strides=strides, padding="same").numpy()
    assert back.shape == x.shape
    np.testing.assert_allclose((y * v).sum(), (x * back).sum(), rtol=1e-10)


def _keras_conv_length(n, k, s, padding, d=1):
    if padding == "valid":
        return int(np.floor((n - d * (k - 1) - 1) / s)) + 1
    return int(np.floor((n - 1) / s)) + 1


@pytest.mark.parametrize("shape, kwargs", [
    ((28, 28, 1), dict(filters=32, kernel_size=3)),
    ((13, 13, 32), dict(filters=64, kernel_size=(3, 3), padding="same")),
    ((15, 11, 2), dict(filters=4, kernel_size=(3, 2), strides=(2, 3))),
    ((15, 11, 2), dict(filters=4, kernel_size=3, strides=2, padding="same")),
    ((12, 12, 2), dict(filters=3, kernel_size=3, dilation_rate=2)),
])
def test_conv2d_layer_output_shape_follows_keras(rng, shape, kwargs):
    layer = layers.Conv2D(**kwargs)
    h, w, _ = shape
    k = layer.kernel_size
    expected = (None, _keras_conv_length(h, k[0], layer.strides[0], layer.padding,
                                         layer.dilation_rate[0]),
                _keras_conv_length(w, k[1], layer.strides[1], layer.padding,
                                   layer.dilation_rate[1]), kwargs["filters"])
    assert layer.compute_output_shape((None,) + shape) == expected
    out = layer(rng.standard_normal((2,) + shape))
    assert out.shape == (2,) + expected[1:]
    assert layer.kernel.shape == k + (shape[-1], kwargs["filters"])


def test_conv_layers_channels_first_match_channels_last(rng):
    x = rng.standard_normal((2, 9, 8, 3)).astype(np.float32)
    last = layers.Conv2D(5, 3, strides=2, padding="same", activation="relu")
    first = layers.Conv2D(5, 3, strides=2, padding="same", activation="relu",
                          data_format="channels_first")
    out_last = last(x)
    first(x.transpose(0, 3, 1, 2))  # builds
    first.set_weights(last.get_weights())
    out_first = first(x.transpose(0, 3, 1, 2))
    assert first.compute_output_shape((None, 3, 9, 8)) == (None, 5, 5, 4)
    np.testing.assert_allclose(out_first.data.transpose(0, 2, 3, 1), out_last.data, atol=1e-6)


def test_conv1d_and_transpose_layers_shapes(rng):
    conv1 = layers.Conv1D(6, 3, padding="causal", dilation_rate=2, activation="tanh")
    assert conv1.compute_output_shape((None, 20, 4)) == (None, 20, 6)
    assert conv1(rng.standard_normal((2, 20, 4))).shape == (2, 20, 6)
    assert conv1.kernel.shape == (3, 4, 6)
    up = layers.Conv2DTranspose(4, 3, strides=2, padding="same")
    assert up.compute_output_shape((None, 7, 7, 8)) == (None, 14, 14, 4)
    assert up(rng.standard_normal((2, 7, 7, 8))).shape == (2, 14, 14, 4)
    assert up.kernel.shape == (3, 3, 4, 8)
    valid = layers.Conv2DTranspose(2, (3, 2), strides=(2, 3))
    assert valid.compute_output_shape((None, 5, 4, 1)) == (None, 11, 12, 2)
    assert valid(rng.standard_normal((1, 5, 4, 1))).shape == (1, 11, 12, 2)


def test_conv2d_layer_trains_in_a_model(rng):
    import neurona as keras

    model = keras.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x = rng.standard_normal((16, 8, 8, 1)).astype(np.float32)
    y = rng.standard_normal((16, 2)).astype(np.float32)
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_conv_layer_config_round_trip():
    layer = layers.Conv2D(8, 3, strides=2, padding="SAME", activation="relu", use_bias=False)
    config = layer.get_config()
    assert config["padding"] == "same" and config["kernel_size"] == (3, 3)
    clone = layers.Conv2D.from_config({**config, "name": "clone"})
    assert clone.get_config() == {**config, "name": "clone"}


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Conv2D(0, 3), "filters"),
    (lambda: layers.Conv2D(4, (3, 0)), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: layers.Conv2D(4, 3, groups=3), "groups"),
    (lambda: layers.Conv2D(4, 3, data_format="NHWC"), "data_format"),
    (lambda: layers.Conv1D(4, (3, 3)), "kernel_size"),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding"),
])
def test_bad_conv_arguments_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_kernel_larger_than_input_is_a_clear_error(rng):
    with pytest.raises(ValueError, match="larger than the input"):
        layers.Conv2D(4, 5)(rng.standard_normal((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="larger than the input"):
        F.conv2d(rng.standard_normal((1, 4, 4, 1)), rng.standard_normal((5, 5, 1, 2)))
    with pytest.raises(ValueError, match="in_channels"):
        F.conv2d(rng.standard_normal((1, 4, 4, 2)), rng.standard_normal((3, 3, 1, 2)))
    with pytest.raises(ValueError, match="padding"):
        F.conv2d(rng.standard_normal((1, 4, 4, 1)), rng.standard_normal((3, 3, 1, 2)),
                 padding="causal")
    layer = layers.Conv2D(2, 3)
    layer(rng.standard_normal((1, 5, 5, 3)))
    with pytest.raises(ValueError, match="axis"):
        layer(rng.standard_normal((1, 5, 5, 2)))
