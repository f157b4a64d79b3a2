"""Dense layers and whole training steps agree with PyTorch (same weights, same data)."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers

torch = pytest.importorskip("torch")

TORCH_ACTIVATIONS = {"linear": lambda z: z, "relu": torch.relu, "tanh": torch.tanh,
                     "sigmoid": torch.sigmoid, "elu": torch.nn.functional.elu,
                     "softmax": lambda z: torch.softmax(z, dim=-1)}


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dense_forward_and_gradients_match_torch(activation, dtype, rng):
    x = rng.standard_normal((6, 5)).astype(dtype)
    upstream = rng.standard_normal((6, 4)).astype(dtype)
    layer = layers.Dense(4, activation=activation, dtype=dtype)
    out = layer(x)
    out.backward(upstream)

    w = torch.tensor(layer.kernel.numpy(), requires_grad=True)
    b = torch.tensor(layer.bias.numpy(), requires_grad=True)
    xt = torch.tensor(x)
    ref = TORCH_ACTIVATIONS[activation](xt @ w + b)
    ref.backward(torch.tensor(upstream))
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol)
    np.testing.assert_allclose(layer.kernel.grad, w.grad.numpy(), **tol)
    np.testing.assert_allclose(layer.bias.grad, b.grad.numpy(), **tol)


def _torch_mlp(model):
    (k1, b1), (k2, b2) = [model.layers[i].get_weights() for i in range(2)]
    lin1, lin2 = torch.nn.Linear(*k1.shape), torch.nn.Linear(*k2.shape)
    with torch.no_grad():
        lin1.weight.copy_(torch.tensor(k1.T)); lin1.bias.copy_(torch.tensor(b1))
        lin2.weight.copy_(torch.tensor(k2.T)); lin2.bias.copy_(torch.tensor(b2))
    return torch.nn.Sequential(lin1, torch.nn.ReLU(), lin2)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_three_training_steps_match_torch(optimizer, rng):
    x = rng.standard_normal((48, 6)).astype("float32")
    y = rng.integers(0, 3, 48)
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=[6]),
                              layers.Dense(3, activation="softmax")])
    ours = keras.optimizers.SGD(0.1, momentum=0.9) if optimizer == "sgd" else keras.optimizers.Adam(0.01)
    model.compile(optimizer=ours, loss="sparse_categorical_crossentropy")
    net = _torch_mlp(model)
    theirs = (torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9) if optimizer == "sgd"
              else torch.optim.Adam(net.parameters(), lr=0.01, eps=1e-7))
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    losses = []
    for i in range(3):
        theirs.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(torch.tensor(x[16 * i:16 * (i + 1)])),
                                                 torch.tensor(y[16 * i:16 * (i + 1)]))
        loss.backward()
        theirs.step()
        losses.append(loss.item())
    assert history.history["loss"][0] == pytest.approx(np.mean(losses), rel=1e-5)
    # Keras's Adam adds epsilon to sqrt(v), PyTorch's to sqrt(v / (1 - beta_2^t)): elements
    # with near-zero gradients (dead ReLUs) move differently by up to ~lr * 0.05 in 3 steps
    atol = 1e-6 if optimizer == "sgd" else 5e-4
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(k1, net[0].weight.detach().numpy().T, rtol=1e-4, atol=atol)
    np.testing.assert_allclose(b1, net[0].bias.detach().numpy(), rtol=1e-4, atol=atol)
    np.testing.assert_allclose(k2, net[2].weight.detach().numpy().T, rtol=1e-4, atol=atol)
    np.testing.assert_allclose(b2, net[2].bias.detach().numpy(), rtol=1e-4, atol=atol)


def test_shared_layer_gradients_accumulate_through_the_optimizer_buffer(rng):
    # the same Dense used twice: its second gradient must be added to the first one, which
    # backward wrote straight into the optimizer's flat gradient buffer
    x = rng.standard_normal((8, 3)).astype("float32")
    y = rng.standard_normal((8, 1)).astype("float32")
    shared, head = layers.Dense(3, activation="tanh"), layers.Dense(1)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, head(shared(shared(inputs))))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    w1, b1, w2, b2 = [torch.tensor(a, requires_grad=True) for a in model.get_weights()]
    for _ in range(2):  # the second step starts from buffers the first step left behind
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        h = torch.tanh(torch.tanh(torch.tensor(x) @ w1 + b1) @ w1 + b1)
        loss = torch.mean((h @ w2 + b2 - torch.tensor(y)) ** 2)
        loss.backward()
        with torch.no_grad():
            for p in (w1, b1, w2, b2):
                p -= 0.1 * p.grad
                p.grad = None
    for ours, theirs in zip(model.get_weights(), (w1, b1, w2, b2)):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_conv_training_steps_match_torch(rng):
    # convolution gradients written into the optimizer's buffer, checked against PyTorch
    x = rng.standard_normal((6, 7, 7, 2)).astype("float32")
    y = rng.standard_normal((6, 1)).astype("float32")
    model = keras.Sequential([layers.Conv2D(3, 3, activation="relu", input_shape=(7, 7, 2)),
                              layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    k, b, w, c = [torch.tensor(a, requires_grad=True) for a in model.get_weights()]
    for _ in range(2):
        model.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0)
        conv = torch.nn.functional.conv2d(torch.tensor(x).permute(0, 3, 1, 2), k.permute(3, 2, 0, 1), b)
        flat = torch.relu(conv).permute(0, 2, 3, 1).reshape(6, -1)
        loss = torch.mean((flat @ w + c - torch.tensor(y)) ** 2)
        loss.backward()
        with torch.no_grad():
            for p in (k, b, w, c):
                p -= 0.05 * p.grad
                p.grad = None
    for ours, theirs in zip(model.get_weights(), (k, b, w, c)):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Dense(0), r"^Dense: units must be an integer >= 1, got units=0$"),
    (lambda: layers.Dense(2.0), r"^Dense: units must be an integer >= 1, got units=2.0$"),
    (lambda: layers.Dense(2, input_shape=(0,)), r"^Dense: input_shape must be a tuple of "
                                               r"integers >= 1 or None \(an unknown size\), "
                                               r"or None, got input_shape=\(0,\)$"),
    (lambda: layers.Dense(2, input_dim=-3), r"Dense: input_dim must be an integer >= 1, got "
                                            r"input_dim=-3"),
    (lambda: layers.Dense(2, batch_size=0), r"Dense: batch_size must be an integer >= 1 or "
                                            r"None, got batch_size=0"),
    (lambda: keras.Input(shape="13"), r"Input: shape must be a tuple of integers >= 1"),
    (lambda: keras.Input(shape=(3,), batch_size=1.5), r"Input: batch_size must be an integer"),
    (lambda: layers.Flatten(data_format="channels_lst"), r"Flatten: data_format must be one "
                                                         r"of .*Did you mean 'channels_last'"),
    (lambda: layers.Reshape((2, 0)), r"Reshape: target_shape must be sizes >= 1 with at most "
                                     r"one -1"),
    (lambda: layers.Reshape((-1, -1)), r"at most one -1.*got target_shape=\(-1, -1\)"),
    (lambda: layers.Reshape((2, -3)), r"Reshape: target_shape must be a tuple of integers >= -1"),
    (lambda: layers.Concatenate(axis="last"), r"Concatenate: axis must be an integer"),
    (lambda: layers.Conv2D(0, 3), r"^Conv2D: filters must be an integer >= 1, got filters=0$"),
    (lambda: layers.Conv2D(2, 3, padding="sme"), r"Conv2D: padding must be one of "
                                                 r"\['valid', 'same'\], got padding='sme'. Did "
                                                 r"you mean 'same'\?"),
    (lambda: layers.Conv2D(2, 3, data_format="NHWC"), r"Conv2D: data_format must be one of "
                                                      r"\[None, 'channels_last', "
                                                      r"'channels_first'\], got "
                                                      r"data_format='NHWC'"),
])
def test_bad_arguments_name_the_argument_and_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_shapes_accept_numpy_integers_and_unknown_sizes():
    assert layers.Dense(np.int64(3)).units == 3
    assert keras.Input(shape=(None, np.int32(4))).shape == (None, None, 4)  # batch first
    assert layers.Reshape([np.int64(2), -1]).target_shape == (2, -1)
