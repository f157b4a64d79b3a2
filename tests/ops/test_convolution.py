"""ops.nn convolutions and pooling against Keras 3 on JAX, with float64 gradients."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(14)


def f32(x):
    return x.astype(np.float32)


CONV = [  # spatial shape, kernel size, strides, padding, dilation, groups
    ((7,), (3,), 1, "valid", 1, 1), ((8,), (3,), 2, "same", 1, 1), ((9,), (2,), 1, "same", 2, 1),
    ((6, 5), (3, 2), 1, "valid", 1, 1), ((6, 7), (3, 3), 2, "same", 1, 1),
    ((7, 7), (3, 3), 1, "same", 2, 1), ((5, 6), (2, 3), (2, 1), "valid", 1, 2),
    ((8,), (3,), 1, "same", 1, 2), ((5, 4, 6), (2, 3, 2), 1, "valid", 1, 1),
    ((5, 5, 5), (3, 3, 3), 2, "same", 1, 1), ((4, 5, 4), (2, 2, 2), 1, "same", 1, 2),
]


@pytest.mark.parametrize("spatial, size, strides, padding, dilation, groups", CONV)
def test_conv_matches_keras(keras, spatial, size, strides, padding, dilation, groups):
    x = _r.standard_normal((2,) + spatial + (4,))
    w = _r.standard_normal(size + (4 // groups, 6))
    expected = keras.ops.conv(f32(x), f32(w), strides, padding, dilation_rate=dilation)
    assert_same(ops.conv(f32(x), f32(w), strides, padding, dilation_rate=dilation), expected,
                rtol=1e-4, atol=1e-4)
    first = keras.ops.conv(f32(np.moveaxis(x, -1, 1)), f32(w), strides, padding,
                           data_format="channels_first", dilation_rate=dilation)
    assert_same(ops.conv(f32(np.moveaxis(x, -1, 1)), f32(w), strides, padding,
                         data_format="channels_first", dilation_rate=dilation), first,
                rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("index", [0, 4, 6, 9])
def test_conv_gradient(index):
    spatial, size, strides, padding, dilation, groups = CONV[index]
    x = _r.standard_normal((1,) + tuple(min(n, 5) for n in spatial) + (2 * groups,))
    w = _r.standard_normal(size + (2, 2 * groups))
    assert gradcheck(lambda a, b: ops.conv(a, b, strides, padding, dilation_rate=dilation),
                     [x, w])


@pytest.mark.parametrize("spatial, size, strides, padding, output_padding", [
    ((5,), (3,), 2, "same", None), ((4,), (2,), 3, "valid", 1), ((4, 5), (3, 3), 2, "same", None),
    ((3, 3), (2, 3), (2, 1), "valid", None), ((4, 4), (3, 3), 2, "same", 1),
])
def test_conv_transpose_matches_keras(keras, spatial, size, strides, padding, output_padding):
    x = f32(_r.standard_normal((2,) + spatial + (3,)))
    w = f32(_r.standard_normal(size + (5, 3)))
    expected = keras.ops.conv_transpose(x, w, strides, padding, output_padding=output_padding)
    ours = ops.conv_transpose(x, w, strides, padding, output_padding=output_padding)
    assert_same(ours, expected, rtol=1e-4, atol=1e-4)
    assert gradcheck(lambda a, b: ops.conv_transpose(a, b, strides, padding,
                                                     output_padding=output_padding),
                     [x[:1].astype(np.float64), w.astype(np.float64)])


@pytest.mark.parametrize("spatial, size, strides, padding, dilation", [
    ((7,), (3,), 1, "same", 1), ((6, 6), (3, 3), 2, "valid", 1), ((6, 7), (3, 2), 1, "same", 2),
    ((4, 4, 4), (2, 2, 2), 1, "valid", 1),
])
def test_depthwise_and_separable_conv_match_keras(keras, spatial, size, strides, padding,
                                                  dilation):
    x = f32(_r.standard_normal((2,) + spatial + (3,)))
    dw = f32(_r.standard_normal(size + (3, 2)))
    pw = f32(_r.standard_normal((1,) * len(spatial) + (6, 4)))
    assert_same(ops.depthwise_conv(x, dw, strides, padding, dilation_rate=dilation),
                keras.ops.depthwise_conv(x, dw, strides, padding, dilation_rate=dilation),
                rtol=1e-4, atol=1e-4)
    if len(spatial) < 3:  # Keras has no 3-D separable convolution
        assert_same(ops.separable_conv(x, dw, pw, strides, padding, dilation_rate=dilation),
                    keras.ops.separable_conv(x, dw, pw, strides, padding,
                                             dilation_rate=dilation), rtol=1e-4, atol=1e-4)
    small = x[:1, ..., :2].astype(np.float64)
    assert gradcheck(lambda a, b: ops.depthwise_conv(a, b, strides, padding,
                                                     dilation_rate=dilation),
                     [small, dw[..., :2, :].astype(np.float64)])


@pytest.mark.parametrize("name", ["max_pool", "average_pool"])
@pytest.mark.parametrize("spatial, pool, strides, padding", [
    ((7,), 2, None, "valid"), ((7,), 3, 2, "same"), ((6, 5), 2, None, "valid"),
    ((7, 7), (3, 2), (2, 1), "same"), ((5, 4, 6), 2, None, "valid"), ((5, 5, 5), 3, 2, "same"),
])
def test_pooling_matches_keras(keras, name, spatial, pool, strides, padding):
    x = f32(_r.permutation(np.prod(spatial) * 6).reshape((2,) + spatial + (3,)) / 10.0)
    # Keras on JAX mixes up int sizes and strides=None for channels_first: give it tuples
    pool = (pool,) * len(spatial) if isinstance(pool, int) else pool
    if strides is None:
        strides = pool
    elif isinstance(strides, int):
        strides = (strides,) * len(spatial)
    expected = getattr(keras.ops, name)(x, pool, strides, padding)
    assert_same(getattr(ops, name)(x, pool, strides, padding), expected, rtol=1e-5, atol=1e-5)
    first = np.moveaxis(x, -1, 1)
    assert_same(getattr(ops, name)(first, pool, strides, padding, "channels_first"),
                getattr(keras.ops, name)(first, pool, strides, padding, "channels_first"),
                rtol=1e-5, atol=1e-5)
    assert gradcheck(lambda a: getattr(ops, name)(a, pool, strides, padding),
                     [x[:1].astype(np.float64)])


@pytest.mark.parametrize("name", ["adaptive_max_pool", "adaptive_average_pool"])
@pytest.mark.parametrize("spatial, out", [((7,), 3), ((6, 5), (4, 2)), ((5, 4, 6), (2, 3, 4))])
def test_adaptive_pooling_matches_keras(keras, name, spatial, out):
    x = f32(_r.permutation(np.prod(spatial) * 2).reshape((1,) + spatial + (2,)) / 10.0)
    assert_same(getattr(ops, name)(x, out), getattr(keras.ops, name)(x, out), rtol=1e-5,
                atol=1e-6)
    assert gradcheck(lambda a: getattr(ops, name)(a, out), [x.astype(np.float64)])


def test_depth_and_space_rearrangements(keras):
    x = f32(_r.standard_normal((2, 3, 4, 8)))
    assert_same(ops.depth_to_space(x, 2), keras.ops.depth_to_space(x, 2))
    y = f32(_r.standard_normal((2, 4, 6, 3)))
    assert_same(ops.space_to_depth(y, 2), keras.ops.space_to_depth(y, 2))
    first = np.moveaxis(x, -1, 1)
    assert_same(ops.depth_to_space(first, 2, "channels_first"),
                keras.ops.depth_to_space(first, 2, "channels_first"))
    assert_same(ops.space_to_depth(ops.depth_to_space(x, 2), 2), x)
    z = f32(_r.standard_normal((2, 4, 6, 8)))
    assert_same(ops.space_to_depth(z, 2, "channels_first"),
                keras.ops.space_to_depth(z, 2, "channels_first"))


def test_errors():
    x = np.ones((1, 5, 5, 4))
    with pytest.raises(ValueError, match="padding"):
        ops.conv(x, np.ones((3, 3, 4, 2)), padding="full")
    with pytest.raises(ValueError, match="groups"):
        ops.conv(x, np.ones((3, 3, 3, 2)))
    with pytest.raises(ValueError, match="rank"):
        ops.conv(np.ones((5, 5)), np.ones((3, 5, 2)))
    with pytest.raises(ValueError, match="data_format"):
        ops.max_pool(x, 2, data_format="NHWC")
    with pytest.raises(ValueError, match="spatial axes"):
        ops.conv_transpose(np.ones((1, 3, 3, 3, 2)), np.ones((2, 2, 2, 2, 2)))
    assert ops.conv(x, np.ones((3, 3, 4, 2)), padding="SAME").shape == (1, 5, 5, 2)
