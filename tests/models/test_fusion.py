"""The graph rewrite of the trusted forward (models/fusion.py): a convolution and the max/min
pooling that alone reads it run as one step, in Sequential and functional models alike, with
the values and gradients of the layers run as written."""

import numpy as np
import pytest

import neurona as keras
import neurona.functions as F
from neurona import layers
from neurona.autograd import Tensor
from neurona.functions.conv_pool import Conv2DPool
from neurona.models.fusion import conv_pool_rule


def _functions_in_graph(out):
    seen, stack = set(), [out]
    while stack:
        t = stack.pop()
        if isinstance(t, Tensor) and t.creator is not None:
            seen.add(type(t.creator))
            stack.extend(t.creator.inputs)
    return seen


def _trained_output_and_gradients(model, x, g, trusted):
    """The model's output, its weights' gradients for upstream gradient ``g`` and the
    Function types used, through the training forward or layer by layer as written."""
    for v in model.trainable_weights:
        v.grad = None
    out = model._trusted_forward(Tensor(x), True) if trusted else model.call(Tensor(x))
    functions = _functions_in_graph(out)  # before backward, which frees the graph
    F.sum(out * g).backward()
    return out.data, [v.grad.copy() for v in model.trainable_weights], functions


@pytest.mark.parametrize("pooling, activation, data_format, one_call", [
    (layers.MaxPooling2D(2), "relu", "channels_last", True),
    (layers.MinPooling2D((2, 3)), None, "channels_last", True),
    (layers.MaxPooling2D(2), "relu", "channels_first", True),
    (layers.MaxPooling2D(3, strides=2), "relu", "channels_last", False),
    (layers.MinPooling2D(2, strides=1, padding="same"), "relu", "channels_last", False),
    (layers.MaxPooling2D((2, 3), padding="same"), "relu", "channels_first", False),
])
def test_training_forward_runs_conv_and_pooling_together_with_the_same_results(
        rng, pooling, activation, data_format, one_call):
    pooling.data_format = data_format
    shape = (9, 8, 2) if data_format == "channels_last" else (2, 9, 8)
    conv = layers.Conv2D(4, 3, activation=activation, data_format=data_format,
                         bias_initializer=keras.initializers.Constant(-0.5), input_shape=shape)
    model = keras.Sequential([conv, pooling, layers.Flatten(), layers.Dense(3)])
    model.build((None,) + shape)
    x = rng.standard_normal((5,) + shape).astype(np.float32)
    x[0] = 0.0  # every window of sample 0 ties at the bias (or at relu(-0.5) = 0)
    g = rng.standard_normal(model.compute_output_shape((5,) + shape)).astype(np.float32)

    assert conv_pool_rule(conv, pooling) == ("one_call" if one_call else "relu_after")
    out, grads, functions = _trained_output_and_gradients(model, x, g, trusted=True)
    plain_out, plain_grads, _ = _trained_output_and_gradients(model, x, g, trusted=False)
    assert (Conv2DPool in functions) is one_call
    np.testing.assert_allclose(out, plain_out, rtol=1e-5, atol=1e-6)
    for got, want in zip(grads, plain_grads):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("conv, pooling", [
    (layers.Conv2D(4, 3, activation="relu", activity_regularizer="l2"), layers.MaxPooling2D(2)),
    (layers.Conv2D(4, 3, activation="tanh"), layers.MaxPooling2D(2)),
    (layers.Conv2D(4, 3, activation="relu"), layers.AveragePooling2D(2)),
    (layers.Conv2D(4, 3), layers.MaxPooling2D(2, padding="same")),
    (layers.Conv2D(4, 3, data_format="channels_first"), layers.MaxPooling2D(2)),
    (layers.Conv1D(4, 3), layers.MaxPooling1D(2)),
])
def test_conv_and_pooling_stay_apart_when_they_cannot_run_together(conv, pooling):
    """An activity regularizer watches the convolution's own output; tanh does not commute
    with pooling; average pooling does not commute with relu; a linear convolution needs the
    one-call path, which takes only non-overlapping "valid" 2-D pools in the same format."""
    assert conv_pool_rule(conv, pooling) is None


def _functional_cnn(shape, share_conv_output=False, conv_output_is_an_output=False):
    inputs = keras.Input(shape)
    z = layers.Conv2D(4, 3, activation="relu")(inputs)
    pooled = layers.Flatten()(layers.MaxPooling2D(2)(z))
    if share_conv_output:  # a second reader of the convolution's output
        pooled = layers.Concatenate()([pooled, layers.Flatten()(z)])
    out = layers.Dense(3)(pooled)
    return keras.Model(inputs, [out, z] if conv_output_is_an_output else out)


@pytest.mark.parametrize("share_conv_output, conv_output_is_an_output, one_call", [
    (False, False, True), (True, False, False), (False, True, False)])
def test_functional_training_forward_runs_a_conv_and_its_only_pooling_together(
        rng, share_conv_output, conv_output_is_an_output, one_call):
    model = _functional_cnn((9, 8, 2), share_conv_output, conv_output_is_an_output)
    x = rng.standard_normal((5, 9, 8, 2)).astype(np.float32)
    trusted = model._trusted_forward(Tensor(x), True)
    plain = model.call(Tensor(x))
    trusted, plain = (t if isinstance(t, list) else [t] for t in (trusted, plain))
    assert (Conv2DPool in _functions_in_graph(trusted[0])) is one_call
    for got, want in zip(trusted, plain):
        np.testing.assert_allclose(got.data, want.data, rtol=1e-5, atol=1e-6)


def test_functional_and_sequential_cnns_train_alike(rng):
    """The same CNN written both ways, the same weights: fit gives the same losses and
    weights (both run conv + pooling as one step)."""
    x = rng.standard_normal((64, 10, 10, 1)).astype(np.float32)
    y = rng.integers(0, 3, 64)

    def stack():
        return [layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(2),
                layers.Conv2D(6, 2, activation="relu"), layers.MinPooling2D(2), layers.Flatten(),
                layers.Dense(3, activation="softmax")]

    sequential = keras.Sequential([keras.Input((10, 10, 1))] + stack())
    inputs = keras.Input((10, 10, 1))
    out = inputs
    for layer in stack():
        out = layer(out)
    functional = keras.Model(inputs, out)
    functional.set_weights(sequential.get_weights())
    losses = []
    for model in (sequential, functional):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        losses.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                verbose=0).history["loss"])
    np.testing.assert_array_equal(losses[0], losses[1])
    for a, b in zip(sequential.get_weights(), functional.get_weights()):
        np.testing.assert_array_equal(a, b)
