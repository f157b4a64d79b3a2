"""A model's own train_step, test_step, predict_step, compute_loss and compute_metrics are what
fit, evaluate and predict run, written as Keras 3's guides write them (the PyTorch-backend
"customizing what happens in fit()" guide: zero_grad, compute_loss, loss.backward(), gradients
read from the weights, optimizer.apply)."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers


def _regression_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 8)).astype("float32")
    y = (x @ rng.standard_normal((8, 1))).astype("float32")
    return x, y


class CustomModel(keras.Model):
    """The guide's first example, unchanged but for the framework calls it makes."""

    calls = 0

    def train_step(self, data):
        CustomModel.calls += 1
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_an_overridden_train_step_is_what_fit_runs():
    x, y = _regression_data()
    inputs = keras.Input(shape=(8,))
    model = CustomModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    CustomModel.calls = 0
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert CustomModel.calls == 3 * 8
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    # evaluate runs the default test step, whose loss is the compiled one
    loss, mae = model.evaluate(x, y, verbose=0)
    pred = model.predict(x, verbose=0)
    assert loss == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)
    assert mae == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-5)


def test_own_metrics_and_no_compiled_loss():
    class OwnLossModel(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(1)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = keras.losses.mean_squared_error(y, y_pred).mean()
            loss.backward()
            weights = self.trainable_weights
            self.optimizer.apply([v.grad for v in weights], weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):  # reset at the start of every epoch
            return [self.loss_tracker, self.mae_metric]

    x, y = _regression_data()
    model = OwnLossModel()
    model.compile(optimizer="adam")  # no loss: the step computes its own
    history = model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.mae_metric.result() == pytest.approx(history.history["mae"][-1])


def test_overridden_test_step_and_predict_step_are_used():
    class Tracked(keras.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            return {"my_error": float(np.abs(y_pred.numpy() - y.numpy()).max())}

        def predict_step(self, data):
            return self(data[0], training=False) * 0.0 + 7.0

    x, y = _regression_data(64)
    inputs = keras.Input(shape=(8,))
    model = Tracked(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, validation_data=(x, y), epochs=1, verbose=0)
    assert "val_my_error" in history.history and "loss" in history.history
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"my_error"}
    np.testing.assert_array_equal(model.predict(x, verbose=0), np.full((64, 1), 7.0))


def test_an_overridden_compute_loss_is_what_the_default_train_step_uses():
    class DoubledLoss(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return 2.0 * super().compute_loss(x, y, y_pred, sample_weight, training)

    x, y = _regression_data(64)

    def build(cls):
        keras.utils.set_random_seed(0)
        inputs = keras.Input(shape=(8,))
        model = cls(inputs, layers.Dense(1)(inputs))
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
        return model

    doubled, plain = build(DoubledLoss), build(keras.Model)
    assert doubled.evaluate(x, y, verbose=0) == pytest.approx(2 * plain.evaluate(x, y, verbose=0),
                                                               rel=1e-6)
    doubled.fit(x, y, epochs=1, batch_size=64, shuffle=False, verbose=0)
    twice = keras.optimizers.SGD(0.02)
    plain.compile(optimizer=twice, loss="mse")  # the doubled loss is plain SGD at twice the rate
    plain.fit(x, y, epochs=1, batch_size=64, shuffle=False, verbose=0)
    for a, b in zip(doubled.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_the_endpoint_layer_pattern_trains_without_a_compiled_loss():
    class LogisticEndpoint(layers.Layer):  # keras.io "The Functional API": an endpoint layer
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

        def call(self, targets, logits, sample_weights=None):
            self.add_loss(self.loss_fn(targets, logits, sample_weights))
            return keras.activations.sigmoid(logits)

    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    logits = layers.Dense(10)(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)
    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    model.compile(optimizer="adam")
    rng = np.random.default_rng(0)
    data = {"inputs": rng.random((64, 3)), "targets": (rng.random((64, 10)) > 0.5) * 1.0}
    history = model.fit(data, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_compile_without_a_loss_for_a_model_that_adds_none_fails_at_the_first_step():
    model = keras.Sequential([layers.Dense(1, input_shape=[3])])
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="y is missing|No loss to compute"):
        model.fit(np.zeros((4, 3)), verbose=0)
    with pytest.raises(ValueError, match="No loss to compute"):
        model.fit(np.zeros((4, 3)), np.zeros(4), verbose=0)


def test_a_model_without_call_trains_through_its_own_train_step(rng):
    # the guides' GAN: a subclassed model with no call(); its train_step calls its parts
    from neurona import ops

    class TwoPart(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = keras.Sequential([layers.Input((4,)), layers.Dense(3)])
            self.head = keras.Sequential([layers.Input((3,)), layers.Dense(1)])
            self.tracker = keras.metrics.Mean(name="part_loss")
            self.built = True

        @property
        def metrics(self):
            return [self.tracker]

        def compile(self, optimizer):
            super().compile()
            self.part_optimizer = optimizer

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            loss = ops.mean(ops.square(self.head(self.encoder(x)) - y))
            loss.backward()
            weights = self.encoder.trainable_weights + self.head.trainable_weights
            self.part_optimizer.apply([w.value.grad for w in weights], weights)
            self.tracker.update_state(loss)
            return {"part_loss": self.tracker.result()}

    x = rng.standard_normal((64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = TwoPart()
    model.compile(keras.optimizers.SGD(0.05))
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert list(history.history) == ["part_loss"]
    assert history.history["part_loss"][-1] < 0.5 * history.history["part_loss"][0]


def test_a_model_with_no_trainable_weights_fits_without_changing(rng):
    frozen = layers.Dense(1)
    model = keras.Sequential([layers.Input((3,)), frozen])
    frozen.trainable = False
    model.compile("adam", "mse")
    before = frozen.get_weights()
    x, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1))
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2 and history.history["loss"][0] > 0
    for a, b in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
