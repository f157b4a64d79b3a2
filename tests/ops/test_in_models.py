"""keras.ops and keras.random inside models, written as the keras.io guides write them: a
custom loss, custom layers, a metric function, a dropout layer with a SeedGenerator, and a
variational autoencoder on the MNIST subset whose loss falls."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers, ops


class Linear(keras.layers.Layer):
    """The guide "Making new layers and models via subclassing"."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class Sampling(layers.Layer):
    """The VAE example's sampling layer: z = z_mean + exp(z_log_var / 2) * epsilon."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class SeededDropout(layers.Layer):
    """The SeedGenerator docstring's layer: new masks each call, reproducible from the seed."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, x, training=False):
        if training:
            return keras.random.dropout(x, rate=0.5, seed=self.seed_generator)
        return x


def custom_mse(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def max_abs_error(y_true, y_pred):
    return ops.max(ops.abs(y_true - y_pred), axis=-1)


def _regression_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4)).astype("float32")
    y = x @ np.array([[1.0], [2.0], [-1.0], [0.5]], dtype="float32")
    return x, y


def test_custom_loss_and_layer_train():
    x, y = _regression_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), Linear(16), layers.Activation("relu"),
                              Linear(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=custom_mse,
                  metrics=[max_abs_error])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.2 * losses[0]
    # the loss the model reports is the custom one: recompute it with NumPy
    loss, worst = model.evaluate(x, y, verbose=0)
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(loss, np.mean((y - pred) ** 2), rtol=1e-4)
    np.testing.assert_allclose(worst, np.mean(np.max(np.abs(y - pred), axis=-1)), rtol=1e-4)


def test_custom_layer_gradients_match_numpy():
    layer = Linear(3)
    x = np.random.default_rng(1).standard_normal((5, 4)).astype("float32")
    out = layer(x)
    ops.sum(ops.square(out)).backward()
    w, b = layer.w.numpy(), layer.b.numpy()
    expected = x @ w + b
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.w.grad, x.T @ (2 * expected), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.b.grad, (2 * expected).sum(axis=0), rtol=1e-4, atol=1e-5)


def test_sampling_layer_is_differentiable_and_seeded():
    z_mean = keras.Tensor(np.zeros((4, 2), "float32"), requires_grad=True)
    z_log_var = keras.Tensor(np.zeros((4, 2), "float32"), requires_grad=True)
    sampling = Sampling()
    z = sampling([z_mean, z_log_var])
    ops.sum(z).backward()
    np.testing.assert_array_equal(z_mean.grad, np.ones((4, 2)))
    # d z / d z_log_var = epsilon / 2 = z / 2 here (z_mean = 0, z_log_var = 0)
    np.testing.assert_allclose(z_log_var.grad, 0.5 * z.numpy(), rtol=1e-6)
    again = Sampling()([np.zeros((4, 2), "float32"), np.zeros((4, 2), "float32")])
    np.testing.assert_array_equal(again.numpy(), z.numpy())  # the same seed, the same draws
    second = sampling([np.zeros((4, 2), "float32"), np.zeros((4, 2), "float32")])
    assert not np.array_equal(second.numpy(), z.numpy())  # the generator advanced


def test_sampling_as_the_vae_guide_writes_it():
    z_mean = keras.Tensor(np.ones((3, 2), "float32"), requires_grad=True)
    z_log_var = keras.Tensor(np.full((3, 2), np.log(4.0), "float32"), requires_grad=True)
    keras.utils.set_random_seed(3)
    z = z_mean + ops.exp(z_log_var * 0.5) * keras.random.normal(shape=ops.shape(z_mean))
    keras.utils.set_random_seed(3)
    epsilon = keras.random.normal(shape=(3, 2)).numpy()
    np.testing.assert_allclose(z.numpy(), 1.0 + 2.0 * epsilon, rtol=1e-6)
    ops.sum(z).backward()
    np.testing.assert_allclose(z_log_var.grad, epsilon, rtol=1e-5)  # d/dv exp(v/2) e = z'/2


def test_seeded_dropout_layer():
    layer = SeededDropout()
    x = np.ones((200,), "float32")
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert set(np.unique(first)) == {0.0, 2.0} and not np.array_equal(first, second)
    np.testing.assert_array_equal(SeededDropout()(x, training=True).numpy(), first)
    np.testing.assert_array_equal(layer(x).numpy(), x)


@pytest.mark.slow
def test_variational_autoencoder_on_mnist_learns():
    from neurona.datasets import mnist

    (x_train, _), _ = mnist.load_data()
    data = (x_train[:1000].reshape(-1, 784) / 255.0).astype("float32")
    keras.utils.set_random_seed(1)
    latent = 2
    inputs = keras.Input((784,))
    h = layers.Dense(64, activation="relu")(inputs)
    z_mean = layers.Dense(latent)(h)
    z_log_var = layers.Dense(latent)(h)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z])
    decoder = keras.Sequential([keras.Input((latent,)), layers.Dense(64, activation="relu"),
                                layers.Dense(784, activation="sigmoid")])
    optimizer = keras.optimizers.Adam(1e-3)
    weights = encoder.trainable_weights + decoder.trainable_weights
    epoch_losses = []
    for _ in range(4):
        batch_losses = []
        for start in range(0, len(data), 100):
            batch = data[start:start + 100]
            for w in weights:
                w.grad = None
            z_mean_, z_log_var_, z_ = encoder(batch, training=True)
            reconstruction = decoder(z_, training=True)
            reconstruction_loss = ops.mean(ops.sum(
                ops.binary_crossentropy(batch, reconstruction), axis=1))
            kl = -0.5 * (1 + z_log_var_ - ops.square(z_mean_) - ops.exp(z_log_var_))
            kl_loss = ops.mean(ops.sum(kl, axis=1))
            total = reconstruction_loss + kl_loss
            total.backward()
            optimizer.apply([w.grad for w in weights], weights)
            batch_losses.append(float(total))
        epoch_losses.append(np.mean(batch_losses))
    assert all(np.isfinite(epoch_losses))
    assert epoch_losses[-1] < 0.8 * epoch_losses[0], epoch_losses
