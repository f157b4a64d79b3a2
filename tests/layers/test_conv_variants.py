"""Conv3D, Conv1DTranspose, DepthwiseConv1D/2D and SeparableConv1D/2D: Keras 3's outputs for
the same weights, PyTorch's gradients, saved and reloaded bit for bit, and clear errors."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers

from ..helpers import assert_saved_model_predicts_the_same, real_keras

torch = pytest.importorskip("torch")

LAYER_CASES = [  # (class name, constructor arguments, input shape)
    ("Conv3D", dict(filters=4, kernel_size=(2, 3, 2), strides=(2, 1, 1), padding="same"),
     (2, 5, 6, 4, 3)),
    ("Conv3D", dict(filters=4, kernel_size=2, groups=2, activation="relu"), (2, 4, 4, 4, 6)),
    ("Conv1DTranspose", dict(filters=3, kernel_size=4, strides=2, padding="same"), (2, 6, 5)),
    ("Conv1DTranspose", dict(filters=3, kernel_size=3, strides=3, output_padding=2), (2, 4, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same", strides=2),
     (2, 7, 6, 3)),
    ("DepthwiseConv2D", dict(kernel_size=(2, 3), dilation_rate=2, activation="tanh"),
     (2, 8, 8, 2)),
    ("DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=3), (2, 9, 2)),
    ("SeparableConv2D", dict(filters=5, kernel_size=3, padding="same", depth_multiplier=2),
     (2, 7, 7, 3)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, strides=2, data_format="channels_first"),
     (2, 3, 9, 9)),
    ("SeparableConv1D", dict(filters=4, kernel_size=3, strides=2, padding="same"), (2, 9, 3)),
]


@pytest.mark.parametrize("name, kwargs, shape", LAYER_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(LAYER_CASES)])
def test_outputs_match_keras_with_the_same_weights(name, kwargs, shape, rng):
    real = real_keras()
    x = rng.standard_normal(shape).astype("float32")
    ours = getattr(layers, name)(**kwargs)
    out = ours(x).numpy()
    theirs = getattr(real.layers, name)(**kwargs)
    theirs.build(shape)
    assert [tuple(w.shape) for w in theirs.weights] == [tuple(w.shape) for w in ours.weights]
    assert [w.name for w in theirs.weights] == [w.name for w in ours.weights]
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(out, real.ops.convert_to_numpy(theirs(x)), rtol=1e-4, atol=1e-5)
    assert ours.compute_output_shape((None,) + shape[1:]) == \
        tuple(theirs.compute_output_shape((None,) + shape[1:]))


def test_grouped_conv3d_and_its_gradients_match_torch(rng):
    layer = layers.Conv3D(6, 2, groups=3, dtype="float64")
    x = rng.standard_normal((2, 4, 5, 3, 6))
    out = layer(x)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    conv = torch.nn.Conv3d(6, 6, 2, groups=3, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(layer.kernel.numpy().transpose(4, 3, 0, 1, 2)))
        conv.bias.copy_(torch.tensor(layer.bias.numpy()))
    ref = conv(torch.tensor(np.moveaxis(x, -1, 1)))
    ref.backward(torch.tensor(np.moveaxis(upstream, -1, 1)))
    np.testing.assert_allclose(out.numpy(), np.moveaxis(ref.detach().numpy(), 1, -1), rtol=1e-10)
    np.testing.assert_allclose(layer.kernel.grad, conv.weight.grad.numpy().transpose(2, 3, 4, 1, 0),
                               rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, conv.bias.grad.numpy(), rtol=1e-10)


def test_separable_conv2d_gradients_match_torch(rng):
    layer = layers.SeparableConv2D(4, 3, depth_multiplier=2, dtype="float64")
    x = rng.standard_normal((2, 6, 6, 3))
    out = layer(x)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    depthwise = torch.tensor(layer.depthwise_kernel.numpy().reshape(3, 3, 1, 6)
                             .transpose(3, 2, 0, 1), requires_grad=True)
    pointwise = torch.tensor(layer.pointwise_kernel.numpy().transpose(3, 2, 0, 1),
                             requires_grad=True)
    bias = torch.tensor(layer.bias.numpy(), requires_grad=True)
    xt = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)
    ref = torch.nn.functional.conv2d(torch.nn.functional.conv2d(xt, depthwise, groups=3),
                                     pointwise, bias)
    ref.backward(torch.tensor(np.moveaxis(upstream, -1, 1)))
    np.testing.assert_allclose(out.numpy(), np.moveaxis(ref.detach().numpy(), 1, -1), rtol=1e-10)
    np.testing.assert_allclose(layer.depthwise_kernel.grad, depthwise.grad.numpy()
                               .transpose(2, 3, 1, 0).reshape(3, 3, 3, 2), rtol=1e-10)
    np.testing.assert_allclose(layer.pointwise_kernel.grad,
                               pointwise.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(xt.grad).shape, (2, 3, 6, 6))


def test_a_small_cnn_of_the_variants_trains_saves_and_reloads(tmp_path, rng):
    x = rng.standard_normal((32, 8, 8, 3)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("float32")
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu"),
        layers.SeparableConv2D(8, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert_saved_model_predicts_the_same(model, x, tmp_path)
    volumes = keras.Sequential([keras.Input((4, 6, 6, 2)), layers.Conv3D(4, 3, groups=2),
                                layers.GlobalMaxPooling3D(), layers.Dense(2)])
    assert_saved_model_predicts_the_same(volumes, rng.standard_normal((3, 4, 6, 6, 2)), tmp_path)
    sequences = keras.Sequential([keras.Input((5, 2)),
                                  layers.Conv1DTranspose(3, 3, strides=2, output_padding=1),
                                  layers.SeparableConv1D(2, 3), layers.DepthwiseConv1D(2)])
    assert_saved_model_predicts_the_same(sequences, rng.standard_normal((3, 5, 2)), tmp_path)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="divisible by groups=3"):
        layers.Conv3D(4, 3, groups=3)
    with pytest.raises(ValueError, match="not divisible by groups=2"):
        layers.Conv3D(4, 2, groups=2)(np.ones((1, 3, 3, 3, 3)))
    with pytest.raises(ValueError, match="depth_multiplier must be an integer >= 1"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="output_padding 2 must be smaller than strides 2"):
        layers.Conv1DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="4 dimensions"):
        layers.SeparableConv2D(2, 3)(np.ones((2, 8, 3)))
    with pytest.raises(ValueError, match="larger than the input"):
        layers.DepthwiseConv2D(5)(np.ones((1, 3, 3, 2)))


@pytest.mark.parametrize("activation", [None, "relu"])
def test_conv2d_groups_matches_torch(rng, activation):
    layer = layers.Conv2D(6, 3, groups=2, activation=activation, dtype="float64")
    x = rng.standard_normal((2, 6, 6, 4))
    conv = torch.nn.Conv2d(4, 6, 3, groups=2, dtype=torch.float64)
    out = layer(x)
    assert layer.kernel.shape == (3, 3, 2, 6)  # Keras's layout: in_channels // groups
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(layer.kernel.numpy().transpose(3, 2, 0, 1)))
        conv.bias.copy_(torch.tensor(layer.bias.numpy()))
    ref = conv(torch.tensor(np.moveaxis(x, -1, 1))).detach().numpy()
    if activation == "relu":
        ref = np.maximum(ref, 0)
    np.testing.assert_allclose(out.numpy(), np.moveaxis(ref, 1, -1), rtol=1e-10)


def test_conv1d_groups_with_causal_padding_matches_torch(rng):
    layer = layers.Conv1D(4, 3, groups=2, padding="causal", dilation_rate=2, dtype="float64")
    x = rng.standard_normal((2, 9, 6))
    out = layer(x)
    conv = torch.nn.Conv1d(6, 4, 3, groups=2, dilation=2, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(layer.kernel.numpy().transpose(2, 1, 0)))
        conv.bias.copy_(torch.tensor(layer.bias.numpy()))
    padded = torch.nn.functional.pad(torch.tensor(np.moveaxis(x, -1, 1)), (4, 0))
    ref = conv(padded).detach().numpy()
    np.testing.assert_allclose(out.numpy(), np.moveaxis(ref, 1, -1), rtol=1e-10)


def test_grouped_conv2d_trains_in_a_model_and_round_trips(tmp_path, rng):
    import neurona as keras

    model = keras.Sequential([layers.Input((8, 8, 4)),
                              layers.Conv2D(8, 3, groups=4, activation="relu"),
                              layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(1)])
    model.compile("adam", "mse")
    x, y = rng.standard_normal((32, 8, 8, 4)), rng.standard_normal((32, 1))
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    by_hand = x
    for layer in model.layers:  # no graph pass: a grouped convolution has no fused pooling
        by_hand = layer(by_hand)
    np.testing.assert_allclose(model.predict(x, verbose=0), by_hand.numpy(), rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "m.neurona")
    again = keras.models.load_model(tmp_path / "m.neurona")
    assert again.layers[0].groups == 4
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_groups_must_divide_filters_and_channels():
    with pytest.raises(ValueError, match="filters=6 must be divisible by groups=4"):
        layers.Conv2D(6, 3, groups=4)
    with pytest.raises(ValueError, match="the 6 input channels are not divisible by groups=4"):
        layers.Conv2D(8, 3, groups=4)(np.ones((1, 5, 5, 6)))
    with pytest.raises(ValueError, match="groups"):
        layers.Conv1D(4, 3, groups=0)
