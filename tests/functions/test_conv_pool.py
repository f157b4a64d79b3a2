"""A convolution pooled in one function (``conv2d_pooled``) against the two steps it replaces
and against PyTorch, and the training forward that uses it for Conv2D -> Max/MinPooling2D."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import neurona.functions as F  # noqa: E402
from neurona.autograd import Tensor  # noqa: E402

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
