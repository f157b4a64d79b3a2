"""ops.image against Keras 3 on JAX (which resizes with jax.image.resize), with gradients."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(15)
IMAGES = _r.uniform(0, 1, (2, 6, 8, 3)).astype(np.float32)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic", "lanczos3",
                                           "lanczos5"])
@pytest.mark.parametrize("size", [(12, 16), (3, 5), (6, 3), (7, 11)])
@pytest.mark.parametrize("antialias", [False, True])
def test_resize_matches_keras(keras, interpolation, size, antialias):
    expected = keras.ops.image.resize(IMAGES, size, interpolation=interpolation,
                                      antialias=antialias)
    assert_same(ops.image.resize(IMAGES, size, interpolation=interpolation, antialias=antialias),
                expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("option", ["crop_to_aspect_ratio", "pad_to_aspect_ratio"])
@pytest.mark.parametrize("size", [(4, 4), (6, 2), (3, 9)])
def test_resize_to_aspect_ratio_matches_keras(keras, option, size):
    kwargs = {option: True, "fill_value": 0.5} if option == "pad_to_aspect_ratio" else {
        option: True}
    assert_same(ops.image.resize(IMAGES, size, **kwargs),
                keras.ops.image.resize(IMAGES, size, **kwargs), rtol=1e-5, atol=1e-5)


def test_resize_single_images_channels_first_and_integers(keras):
    one = IMAGES[0]
    assert_same(ops.image.resize(one, (3, 4)), keras.ops.image.resize(one, (3, 4)), rtol=1e-5,
                atol=1e-6)
    first = np.moveaxis(IMAGES, -1, 1)
    assert_same(ops.image.resize(first, (9, 4), data_format="channels_first"),
                keras.ops.image.resize(first, (9, 4), data_format="channels_first"),
                rtol=1e-5, atol=1e-6)
    ints = (IMAGES * 255).astype(np.uint8)
    for interpolation in ("bilinear", "nearest"):
        ours = ops.image.resize(ints, (4, 5), interpolation=interpolation)
        theirs = keras.ops.image.resize(ints, (4, 5), interpolation=interpolation)
        assert ours.dtype.name == keras.ops.dtype(theirs)
        # rounded from float32: a value within rounding of .5 may land on either side
        np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=0, atol=1)


def test_area_resize_averages_blocks():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    out = ops.image.resize(x, (2, 2), interpolation="area")
    assert_same(out, x.reshape(1, 2, 2, 2, 2, 1).mean(axis=(2, 4)))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic", "area"])
def test_resize_gradient(interpolation):
    x = _r.standard_normal((1, 4, 5, 2))
    assert gradcheck(lambda t: ops.image.resize(t, (7, 3), interpolation=interpolation), [x])


def test_rgb_to_grayscale_matches_keras(keras):
    assert_same(ops.image.rgb_to_grayscale(IMAGES), keras.ops.image.rgb_to_grayscale(IMAGES),
                rtol=1e-5)
    first = np.moveaxis(IMAGES, -1, 1)
    assert_same(ops.image.rgb_to_grayscale(first, data_format="channels_first"),
                keras.ops.image.rgb_to_grayscale(first, data_format="channels_first"),
                rtol=1e-5)
    ints = (IMAGES * 255).astype(np.uint8)
    ours, theirs = ops.image.rgb_to_grayscale(ints), keras.ops.image.rgb_to_grayscale(ints)
    assert ours.dtype.name == keras.ops.dtype(theirs)


def test_errors():
    with pytest.raises(ValueError, match="interpolation"):
        ops.image.resize(IMAGES, (2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match="both"):
        ops.image.resize(IMAGES, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="rank"):
        ops.image.resize(IMAGES[0, 0], (2, 2))
    with pytest.raises(ValueError, match="fill_mode"):
        ops.image.resize(IMAGES, (2, 2), fill_mode="reflect")
    with pytest.raises(AttributeError, match="only resize"):
        ops.image.ssim
