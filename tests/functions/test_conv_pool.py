"""A convolution pooled in one function (``conv2d_pooled``) against the two steps it replaces
and against PyTorch, and the training forward that uses it for Conv2D -> Max/MinPooling2D."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import neurona as keras  # noqa: E402
import neurona.functions as F  # noqa: E402
from neurona import layers  # noqa: E402
from neurona.autograd import Tensor  # noqa: E402
from neurona.functions.conv_pool import Conv2DPool  # noqa: E402

# (input shape, kernel shape, convolution and pooling arguments): few channels (transposed
# patch matrix) and many, sizes that leave rows/columns out of every window, strides,
# "same" padding, dilation, rectangular and 1 x 1 pools
GEOMETRIES = [
    ((3, 9, 8, 1), (3, 3, 1, 4), dict(activation="relu")),
    ((2, 11, 11, 3), (3, 3, 3, 5), dict(pool="min", pool_size=(2, 3))),
    ((2, 11, 10, 6), (3, 3, 6, 4), dict(strides=(1, 2), padding="same", pool_size=3)),
    ((2, 12, 12, 4), (2, 2, 4, 3), dict(dilation_rate=2, activation="relu", pool="min")),
    ((2, 6, 6, 5), (1, 1, 5, 2), dict(pool_size=1)),
]


def _output_and_grads(ops, x, w, b, g, fused, **kwargs):
    kwargs = dict(kwargs)
    pool, pool_size = kwargs.pop("pool", "max"), kwargs.pop("pool_size", 2)
    tensors = [Tensor(ops.asarray(a), requires_grad=True) for a in (x, w, b)]
    if fused:
        out = F.conv2d_pooled(*tensors, pool=pool, pool_size=pool_size, **kwargs)
    else:
        pool_fn = F.max_pool2d if pool == "max" else F.min_pool2d
        out = pool_fn(F.conv2d(*tensors, **kwargs), pool_size)
    F.sum(out * ops.asarray(g)).backward()
    return [ops.to_numpy(a) for a in [out.data] + [t.grad for t in tensors]]


@pytest.mark.parametrize("block_samples", [None, 1, 2])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", GEOMETRIES)
def test_conv2d_pooled_equals_conv2d_then_pooling(ops, rng, monkeypatch, x_shape, w_shape,
                                                  kwargs, block_samples):
    """The whole batch as one block (as on the GPU) or in blocks of 1 and of 2 samples (the
    last block shorter): the CPU's cache blocking changes no value."""
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[3])
    plain = _output_and_grads(ops, x, w, b, 0.0, False, **kwargs)
    g = rng.standard_normal(plain[0].shape)
    plain = _output_and_grads(ops, x, w, b, g, False, **kwargs)
    budget = None
    if block_samples is not None:  # patch matrix and outputs of block_samples samples
        pool = np.broadcast_to(kwargs.get("pool_size", 2), 2)
        covered = np.prod(np.array(plain[0].shape[1:3]) * pool)
        budget = block_samples * covered * (np.prod(w_shape[:3]) + 1 + w_shape[3]) * 8
    monkeypatch.setattr(ops, "cache_block_bytes", budget)
    fused = _output_and_grads(ops, x, w, b, g, True, **kwargs)
    for got, want in zip(fused, plain):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_blocks_follow_the_cache_budget(monkeypatch, rng):
    """5 samples whose patches (9 taps + the ones row) and outputs (4 filters) take 36 * 14 * 8
    bytes each: a budget of 2.5 samples gives blocks of 2, 2 and 1."""
    from neurona.backend import get_ops

    monkeypatch.setattr(get_ops(), "cache_block_bytes", int(2.5 * 36 * 14 * 8))
    out = F.conv2d_pooled(Tensor(rng.standard_normal((5, 8, 8, 1)), requires_grad=True),
                          rng.standard_normal((3, 3, 1, 4)), rng.standard_normal(4))
    assert out.shape == (5, 3, 3, 4)
    assert [start for start, _, _ in out.creator.blocks] == [0, 2, 4]


@pytest.mark.parametrize("activation, channels", [("linear", 1), ("relu", 1), ("linear", 4)])
def test_tied_windows_send_the_gradient_where_the_two_steps_send_it(ops, activation, channels):
    """A zero input makes every output the bias: all windows tie, the first one (row-major)
    wins, and under relu a negative bias gives a zero gradient everywhere."""
    x = np.zeros((2, 7, 7, channels))
    w = np.random.default_rng(0).standard_normal((3, 3, channels, 2))
    b, g = np.array([-0.5, 0.25]), np.ones((2, 2, 2, 2))
    fused = _output_and_grads(ops, x, w, b, g, True, activation=activation)
    plain = _output_and_grads(ops, x, w, b, g, False, activation=activation)
    for got, want in zip(fused, plain):
        np.testing.assert_array_equal(got, want)
    if activation == "linear":  # each window's gradient went to one output: 4 = 2 x 2 x 1
        np.testing.assert_array_equal(fused[3], [8.0, 8.0])


@pytest.mark.parametrize("pool", ["max", "min"])
def test_conv2d_pooled_matches_torch_float32(ops, rng, pool):
    x = rng.standard_normal((4, 15, 13, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    t = [Tensor(ops.asarray(a), requires_grad=True) for a in (x, w, b)]
    out = F.conv2d_pooled(*t, activation="relu", pool=pool, pool_size=2)
    g = rng.standard_normal(out.shape).astype(np.float32)
    F.sum(out * ops.asarray(g)).backward()

    tx = torch.tensor(x).permute(0, 3, 1, 2).requires_grad_()
    tw = torch.tensor(w).permute(3, 2, 0, 1).requires_grad_()
    tb = torch.tensor(b).requires_grad_()
    z = TF.conv2d(tx, tw, tb)
    ref = TF.relu(TF.max_pool2d(z, 2) if pool == "max" else -TF.max_pool2d(-z, 2))
    ref.backward(torch.tensor(g).permute(0, 3, 1, 2))
    np.testing.assert_allclose(ops.to_numpy(out.data), ref.detach().permute(0, 2, 3, 1).numpy(),
                               rtol=1e-5, atol=1e-5)
    for ours, theirs in ((t[0], tx.grad.permute(0, 2, 3, 1)), (t[1], tw.grad.permute(2, 3, 1, 0)),
                         (t[2], tb.grad)):
        np.testing.assert_allclose(ops.to_numpy(ours.grad), theirs.numpy(), rtol=1e-4,
                                   atol=1e-4)


def test_conv2d_pooled_rejects_a_pool_larger_than_the_convolution_output(rng):
    with pytest.raises(ValueError, match="pool_size"):
        F.conv2d_pooled(rng.standard_normal((1, 4, 4, 1)), rng.standard_normal((3, 3, 1, 2)),
                        pool_size=3)
    with pytest.raises(ValueError, match="pool must be one of"):
        F.conv2d_pooled(rng.standard_normal((1, 4, 4, 1)), rng.standard_normal((3, 3, 1, 2)),
                        pool="avg")


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

    assert conv.fuses_with(pooling)
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
    assert not conv.fuses_with(pooling)


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
