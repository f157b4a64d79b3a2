"""Pooling against PyTorch and NumPy references (TF's "same" semantics), layer shapes, errors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import neurona.functions as F  # noqa: E402
from neurona import layers  # noqa: E402
from neurona.autograd import Tensor  # noqa: E402
from neurona.functions.conv import same_padding  # noqa: E402


def _run(ops, fn, x, grad_seed=0):
    t = Tensor(ops.asarray(x), requires_grad=True)
    out = fn(t)
    g = np.random.default_rng(grad_seed).standard_normal(out.shape)
    out.backward(ops.asarray(g))
    return ops.to_numpy(out.data), ops.to_numpy(t.grad), g


def _torch_pool(mode, x, pool, strides, padding):
    """PyTorch reference in NHWC; "same" as TF: explicit bottom/right-heavy padding, -inf for
    max, and for average a division by the count of real elements."""
    tx = torch.tensor(x).permute(0, 3, 1, 2).requires_grad_()
    pads = (0, 0, 0, 0)
    if padding == "same":
        (top, bottom), (left, right) = (same_padding(n, k, s) for n, k, s in
                                        zip(x.shape[1:3], pool, strides))
        pads = (left, right, top, bottom)
    if mode == "max":
        out = TF.max_pool2d(TF.pad(tx, pads, value=-np.inf), pool, strides)
    else:
        total = TF.avg_pool2d(TF.pad(tx, pads), pool, strides, divisor_override=1)
        count = TF.avg_pool2d(TF.pad(torch.ones_like(tx), pads), pool, strides,
                              divisor_override=1)
        out = total / count
    return tx, out


POOL_SETTINGS = [  # (height, width, pool, strides, padding)
    (8, 8, (2, 2), (2, 2), "valid"),
    (7, 9, (2, 2), (2, 2), "valid"),
    (7, 9, (2, 2), (2, 2), "same"),
    (9, 8, (3, 3), (2, 2), "same"),
    (8, 7, (3, 2), (1, 2), "valid"),
    (6, 6, (3, 3), (1, 1), "same"),
]


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("h, w, pool, strides, padding", POOL_SETTINGS)
def test_pooling_matches_torch(ops, rng, mode, h, w, pool, strides, padding):
    x = rng.standard_normal((3, h, w, 4))
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    out, gx, g = _run(ops, lambda t: fn(t, pool, strides, padding), x)
    tx, ref = _torch_pool(mode, x, pool, strides, padding)
    ref.backward(torch.tensor(g).permute(0, 3, 1, 2))
    np.testing.assert_allclose(out, ref.detach().permute(0, 2, 3, 1).numpy(), atol=1e-12)
    np.testing.assert_allclose(gx, tx.grad.permute(0, 2, 3, 1).numpy(), atol=1e-12)


def test_max_pool_ties_send_the_gradient_to_the_first_element_like_torch(ops):
    # relu outputs are full of ties (zeros); every window here ties
    x = np.zeros((2, 6, 6, 3))
    x[:, ::3, ::3] = 1.0
    for pool, strides in [((2, 2), (2, 2)), ((3, 3), (1, 1)), ((2, 3), (2, 1))]:
        _, gx, g = _run(ops, lambda t: F.max_pool2d(t, pool, strides), x)
        tx, ref = _torch_pool("max", x, pool, strides, "valid")
        ref.backward(torch.tensor(g).permute(0, 3, 1, 2))
        np.testing.assert_allclose(gx, tx.grad.permute(0, 2, 3, 1).numpy(), atol=1e-14)


def test_2x2_pool_ties_across_rows_and_columns_follow_row_major_order_like_torch(ops):
    # windows [[a, b], [c, d]]: b == c the maximum (first in row-major order: b), c == d the
    # maximum (c), a == d (a), and all four equal (a); the 2 x 2 pool decides in two pairwise
    # steps and must still pick the first
    windows = [[0, 5, 5, 1], [0, 1, 5, 5], [5, 1, 1, 5], [2, 2, 2, 2]]
    x = np.zeros((1, 2, 8, 1))
    for k, (a, b, c, d) in enumerate(windows):
        x[0, :, 2 * k:2 * k + 2, 0] = [[a, b], [c, d]]
    for mode, sign in (("max", 1.0), ("min", -1.0)):
        pool = F.max_pool2d if mode == "max" else F.min_pool2d
        _, gx, g = _run(ops, lambda t: pool(t, 2), sign * x)
        tx, ref = _torch_pool("max", x, (2, 2), (2, 2), "valid")  # min(-x) = -max(x)
        ref.backward(torch.tensor(g).permute(0, 3, 1, 2))
        np.testing.assert_array_equal(gx, tx.grad.permute(0, 2, 3, 1).numpy())


def _numpy_min_pool(x, pool, strides, padding):
    """Reference: explicit windows with +inf "same" padding (loops fine: tiny inputs)."""
    pads = [same_padding(n, k, s) if padding == "same" else (0, 0)
            for n, k, s in zip(x.shape[1:3], pool, strides)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=np.inf)
    oh = (xp.shape[1] - pool[0]) // strides[0] + 1
    ow = (xp.shape[2] - pool[1]) // strides[1] + 1
    out = np.empty((x.shape[0], oh, ow, x.shape[3]))
    for i in range(oh):
        for j in range(ow):
            r, c = i * strides[0], j * strides[1]
            out[:, i, j] = xp[:, r:r + pool[0], c:c + pool[1]].min(axis=(1, 2))
    return out


@pytest.mark.parametrize("h, w, pool, strides, padding", POOL_SETTINGS)
def test_min_pool_matches_numpy_and_negated_max_pool(ops, rng, h, w, pool, strides, padding):
    x = rng.standard_normal((2, h, w, 3))
    out, gx, g = _run(ops, lambda t: F.min_pool2d(t, pool, strides, padding), x)
    np.testing.assert_array_equal(out, _numpy_min_pool(x, pool, strides, padding))
    neg, gneg, _ = _run(ops, lambda t: -F.max_pool2d(-t, pool, strides, padding), x)
    np.testing.assert_array_equal(out, neg)
    np.testing.assert_array_equal(gx, gneg)


@pytest.mark.parametrize("mode", ["max", "avg", "min"])
def test_pool1d_equals_pool2d_with_unit_height(ops, rng, mode):
    x = rng.standard_normal((2, 11, 3))
    fn1, fn2 = (getattr(F, f"{mode}_pool1d"), getattr(F, f"{mode}_pool2d"))
    for pool, strides, padding in [(2, None, "valid"), (3, 2, "same"), (4, 1, "valid")]:
        out, gx, g = _run(ops, lambda t: fn1(t, pool, strides, padding), x)
        out2, gx2, _ = _run(ops, lambda t: fn2(t[:, None], (1, pool),
                                               None if strides is None else (1, strides),
                                               padding), x)
        np.testing.assert_allclose(out, out2[:, 0], atol=1e-14)
        np.testing.assert_allclose(gx, gx2, atol=1e-14)


def test_avg_pool_same_divides_by_real_elements():
    x = np.ones((1, 3, 3, 1))
    np.testing.assert_array_equal(F.avg_pool2d(x, 2, padding="same").data, np.ones((1, 2, 2, 1)))
    assert F.avg_pool2d(np.arange(5.0).reshape(1, 5, 1)[:, None], (1, 2), padding="same") \
        .data.ravel().tolist() == [0.5, 2.5, 4.0]


def _keras_pool_length(n, k, s, padding):
    if padding == "valid":
        return int(np.floor((n - k) / s)) + 1
    return int(np.floor((n - 1) / s)) + 1


@pytest.mark.parametrize("cls", [layers.MaxPooling2D, layers.AveragePooling2D,
                                 layers.MinPooling2D])
@pytest.mark.parametrize("kwargs", [{}, dict(pool_size=3), dict(pool_size=(3, 2), strides=1),
                                    dict(pool_size=3, strides=2, padding="same")])
def test_pooling2d_layer_shapes_follow_keras(rng, cls, kwargs):
    layer = cls(**kwargs)
    expected = (None,) + tuple(_keras_pool_length(n, k, s, layer.padding) for n, k, s in
                               zip((11, 8), layer.pool_size, layer.strides)) + (3,)
    assert layer.compute_output_shape((None, 11, 8, 3)) == expected
    assert layer(rng.standard_normal((2, 11, 8, 3))).shape == (2,) + expected[1:]


@pytest.mark.parametrize("cls", [layers.MaxPooling1D, layers.AveragePooling1D,
                                 layers.MinPooling1D])
def test_pooling1d_layers_and_channels_first(rng, cls):
    x = rng.standard_normal((2, 9, 4))
    last = cls(pool_size=3, strides=2, padding="same")
    assert last.compute_output_shape((None, 9, 4)) == (None, 5, 4)
    first = cls(pool_size=3, strides=2, padding="same", data_format="channels_first")
    assert first.compute_output_shape((None, 4, 9)) == (None, 4, 5)
    np.testing.assert_allclose(first(x.transpose(0, 2, 1)).data.transpose(0, 2, 1),
                               last(x).data, atol=1e-6)


def test_global_pooling_layers(rng):
    x = rng.standard_normal((2, 5, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x).data, x.max(axis=(1, 2)))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x).data, x.mean(axis=(1, 2)),
                               atol=1e-6)
    keep = layers.GlobalAveragePooling2D(keepdims=True)
    assert keep(x).shape == (2, 1, 1, 3)
    assert keep.compute_output_shape((None, 5, 4, 3)) == (None, 1, 1, 3)
    cf = layers.GlobalMaxPooling2D(data_format="channels_first")
    assert cf.compute_output_shape((None, 3, 5, 4)) == (None, 3)
    np.testing.assert_allclose(cf(x.transpose(0, 3, 1, 2)).data, x.max(axis=(1, 2)))
    seq = rng.standard_normal((2, 7, 3)).astype(np.float32)
    assert layers.GlobalMaxPooling1D().compute_output_shape((None, 7, 3)) == (None, 3)
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(seq).data, seq.mean(axis=1),
                               atol=1e-6)
    assert layers.GlobalMaxPooling1D(keepdims=True)(seq).shape == (2, 1, 3)


def test_pooling_config():
    config = layers.MaxPooling2D(3, padding="same").get_config()
    assert (config["pool_size"], config["strides"], config["padding"],
            config["data_format"]) == ((3, 3), (3, 3), "same", "channels_last")


@pytest.mark.parametrize("make, match", [
    (lambda: layers.MaxPooling2D(0), "pool_size"),
    (lambda: layers.MaxPooling2D(2, strides=(1, 2, 3)), "strides"),
    (lambda: layers.AveragePooling1D(2, padding="causal"), "padding"),
    (lambda: layers.MinPooling2D(data_format="NCHW"), "data_format"),
    (lambda: layers.GlobalMaxPooling2D(data_format="nhwc"), "data_format"),
])
def test_bad_pooling_arguments_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_pool_larger_than_input_is_a_clear_error(rng):
    with pytest.raises(ValueError, match="larger than the input"):
        layers.MaxPooling2D(4)(rng.standard_normal((1, 3, 3, 1)))
    with pytest.raises(ValueError, match="larger than the input"):
        F.avg_pool2d(rng.standard_normal((1, 3, 3, 1)), 4)
    with pytest.raises(ValueError, match="dimensions"):
        layers.MaxPooling2D()(rng.standard_normal((2, 6, 6)))


@pytest.mark.parametrize("mode", ["max", "min", "avg"])
@pytest.mark.parametrize("one_d", [False, True])
def test_backward_zeroes_the_gaps_between_windows_strided_beyond_the_pool(monkeypatch, mode,
                                                                          one_d):
    # strides 3 > pool 2 leave every third row and column out of every window: their gradient
    # is 0. Fresh memory from the OS is zeroed anyway, so poison np.empty to catch a backward
    # that leaves the gaps unwritten.
    x = np.random.default_rng(0).standard_normal((2, 6, 2) if one_d else (2, 6, 6, 2))
    pool = {"max": F.max_pool1d if one_d else F.max_pool2d,
            "min": F.min_pool1d if one_d else F.min_pool2d,
            "avg": F.avg_pool1d if one_d else F.avg_pool2d}[mode]
    real_empty = np.empty

    def poisoned_empty(*args, **kwargs):
        out = real_empty(*args, **kwargs)
        out.fill(np.nan if out.dtype.kind == "f" else 77)
        return out

    monkeypatch.setattr(np, "empty", poisoned_empty)
    xt = Tensor(x, requires_grad=True)
    pool(xt, 2, strides=3).sum().backward()
    gap = xt.grad[:, 2::3] if one_d else np.concatenate([xt.grad[:, 2::3].ravel(),
                                                         xt.grad[:, :, 2::3].ravel()])
    assert np.all(gap == 0)
    assert np.isfinite(xt.grad).all()
