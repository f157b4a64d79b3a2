"""Image augmentation and preprocessing layers: exact geometric cases (np.flip, np.rot90,
np.pad shifts, closed-form zooms), fill modes, contrast statistics, Resizing against PyTorch,
Rescaling, seeding (own seed and fit's), configs and bad arguments."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor, gradcheck
from neurona.layers.augmentation import affine_transform
from neurona.random import set_random_seed

RANDOM_LAYERS = [
    lambda **k: layers.RandomFlip(**k),
    lambda **k: layers.RandomRotation(0.2, **k),
    lambda **k: layers.RandomZoom(0.3, 0.2, **k),
    lambda **k: layers.RandomTranslation(0.2, 0.3, **k),
    lambda **k: layers.RandomContrast(0.5, **k),
]
PAD_MODE = {"reflect": "symmetric", "wrap": "wrap", "nearest": "edge", "constant": "constant"}


def _images(rng, shape=(6, 8, 8, 3)):
    return rng.uniform(0.0, 255.0, shape).astype(np.float32)


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_identity_in_inference_and_changes_in_training(make, ops, rng):
    x = _images(rng)
    layer = make(seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    out = layer(x, training=True)
    assert out.shape == x.shape and not np.array_equal(out.numpy(), x)
    single = layer(x[0], training=True)  # one (height, width, channels) image
    assert single.shape == x[0].shape


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_same_seed_same_output_and_fresh_draws_per_call(make, rng):
    x = _images(rng)
    a, b = make(seed=7), make(seed=7)
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())
    assert not np.array_equal(first, a(x, training=True).numpy())
    set_random_seed(3)  # unseeded layers follow the library seed
    unseeded = make()(x, training=True).numpy()
    set_random_seed(3)
    np.testing.assert_array_equal(unseeded, make()(x, training=True).numpy())


@pytest.mark.parametrize("mode, outcomes", [
    ("horizontal", [lambda x: x, lambda x: np.flip(x, 1)]),
    ("vertical", [lambda x: x, lambda x: np.flip(x, 0)]),
    ("horizontal_and_vertical", [lambda x: x, lambda x: np.flip(x, 1), lambda x: np.flip(x, 0),
                                 lambda x: np.flip(x, (0, 1))]),
])
def test_flips_are_exact_and_each_outcome_occurs(mode, outcomes, ops, rng):
    x = _images(rng, (64, 3, 4, 2))
    out = layers.RandomFlip(mode, seed=0)(x, training=True).numpy()
    seen = set()
    for image, result in zip(x, out):
        matches = [i for i, f in enumerate(outcomes) if np.array_equal(result, f(image))]
        assert matches, "every output is the image or one of its flips"
        seen.add(matches[0])
    assert seen == set(range(len(outcomes)))


def test_flip_passes_gradients_back_to_the_right_pixels(ops, rng):
    x = Tensor(rng.standard_normal((5, 3, 4, 2)), requires_grad=True)
    out = layers.RandomFlip(seed=2, dtype="float64")(x, training=True)
    g = rng.standard_normal(out.shape)
    out.backward(ops.asarray(g))
    # the gradient is g moved back through the same flip: flipping it again gives the output's
    # pairing of values, so <out, g> == <x, grad>
    np.testing.assert_allclose(np.sum(out.numpy() * g), np.sum(x.numpy() * ops.to_numpy(x.grad)),
                               rtol=1e-12)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("factor, turns", [((0.25, 0.25), 1), ((-0.25, -0.25), -1),
                                           ((0.5, 0.5), 2)])
def test_rotation_by_quarter_turns_matches_rot90(factor, turns, interpolation, ops, rng):
    # positive factors turn counter-clockwise, as np.rot90 does
    x = _images(rng, (3, 7, 7, 2))
    out = layers.RandomRotation(factor, interpolation=interpolation, seed=0)(x, training=True)
    np.testing.assert_allclose(out.numpy(), np.rot90(x, turns, axes=(1, 2)), atol=1e-3)


def test_half_turn_of_a_non_square_image_and_a_fixed_centre(ops, rng):
    x = _images(rng, (2, 5, 9, 1))
    out = layers.RandomRotation((0.5, 0.5), seed=0)(x, training=True).numpy()
    np.testing.assert_allclose(out, x[:, ::-1, ::-1], atol=1e-3)
    # any angle: the centre pixel of an odd-sized image stays where it is
    out = layers.RandomRotation(1.0, interpolation="nearest", seed=3)(x, training=True).numpy()
    np.testing.assert_array_equal(out[:, 2, 4], x[:, 2, 4])


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "nearest", "constant"])
@pytest.mark.parametrize("dy, dx", [(2, -1), (-3, 4), (8, 0)])
def test_whole_pixel_translation_matches_a_padded_shift(fill_mode, dy, dx, ops, rng):
    x = _images(rng, (2, 8, 8, 3))
    layer = layers.RandomTranslation((dy / 8, dy / 8), (dx / 8, dx / 8), fill_mode=fill_mode,
                                     fill_value=-5.0, seed=0)
    out = layer(x, training=True).numpy()
    pad = ((0, 0), (8, 8), (8, 8), (0, 0))
    extra = {"constant_values": -5.0} if fill_mode == "constant" else {}
    padded = np.pad(x, pad, mode=PAD_MODE[fill_mode], **extra)
    expected = padded[:, 8 - dy:16 - dy, 8 - dx:16 - dx]  # output (y, x) reads (y - dy, x - dx)
    np.testing.assert_allclose(out, expected, atol=1e-3)


def test_half_pixel_translation_averages_neighbours(ops):
    x = np.arange(1.0, 5.0, dtype=np.float32).reshape(1, 1, 4, 1)
    layer = layers.RandomTranslation(0.0, (0.125, 0.125), fill_mode="nearest", seed=0)
    np.testing.assert_allclose(layer(x, training=True).numpy()[0, 0, :, 0], [1, 1.5, 2.5, 3.5])
    layer = layers.RandomTranslation(0.0, (0.125, 0.125), interpolation="nearest", seed=0)
    # x - 0.5 rounds half up to x: nearest reads the pixel itself
    np.testing.assert_array_equal(layer(x, training=True).numpy(), x)


def _ramp(height, width):
    """Image v(y, x) = x + 10 y: bilinear interpolation reproduces it exactly."""
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    return (cols + 10 * rows)[None, :, :, None]


def test_zoom_in_is_a_closed_form_on_a_ramp(ops):
    x = _ramp(5, 7)
    out = layers.RandomZoom((-0.5, -0.5), seed=0)(x, training=True).numpy()[0, :, :, 0]
    rows, cols = np.mgrid[0:5, 0:7]
    # zoom 0.5 about the centre: output (y, x) reads (0.5 y + 1, 0.5 x + 1.5)
    np.testing.assert_allclose(out, (0.5 * cols + 1.5) + 10 * (0.5 * rows + 1), atol=1e-4)


def test_zoom_out_with_nearest_fill_and_independent_width(ops):
    x = _ramp(5, 7)
    out = layers.RandomZoom((1.0, 1.0), fill_mode="nearest", seed=0)(x, training=True).numpy()
    rows, cols = np.mgrid[0:5, 0:7]
    src_x, src_y = np.clip(2.0 * cols - 3, 0, 6), np.clip(2.0 * rows - 2, 0, 4)
    np.testing.assert_allclose(out[0, :, :, 0], src_x + 10 * src_y, atol=1e-4)
    out = layers.RandomZoom((0.0, 0.0), width_factor=(-0.5, -0.5), seed=0)(x, training=True)
    np.testing.assert_allclose(out.numpy()[0, :, :, 0], (0.5 * cols + 1.5) + 10 * rows, atol=1e-4)


def test_constant_fill_blends_at_the_border_and_each_image_has_its_own_matrix(ops):
    images = np.ones((2, 1, 3, 1), dtype=np.float32)
    half_left = [[1.0, 0.0, -0.5], [0.0, 1.0, 0.0]]
    same = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    out = affine_transform(ops.asarray(images), np.array([half_left, same]), "bilinear",
                           "constant", 3.0)
    np.testing.assert_allclose(ops.to_numpy(out)[:, 0, :, 0], [[2.0, 1.0, 1.0], [1, 1, 1]])


def test_random_contrast_keeps_the_mean_and_scales_deviations(ops, rng):
    x = rng.uniform(80.0, 170.0, (10, 6, 5, 3)).astype(np.float32)
    out = layers.RandomContrast(0.4, seed=0)(x, training=True).numpy()
    np.testing.assert_allclose(out.mean(axis=(1, 2)), x.mean(axis=(1, 2)), rtol=1e-5)
    deviation = x - x.mean(axis=(1, 2), keepdims=True)
    factors = (out - out.mean(axis=(1, 2), keepdims=True)) / deviation
    per_image = factors[:, 0, 0, 0]
    np.testing.assert_allclose(factors, per_image[:, None, None, None] * np.ones_like(x),
                               rtol=1e-3)  # one factor for every pixel and channel of an image
    assert ((per_image >= 0.6) & (per_image <= 1.4)).all() and np.ptp(per_image) > 0.1


def test_random_contrast_clips_to_the_value_range(ops):
    x = np.array([[[0.0], [1.0]]], dtype=np.float32)  # mean 0.5, deviations +-0.5
    out = layers.RandomContrast((0.0, 1.0), value_range=(0, 1), seed=0)(x, training=True)
    assert out.numpy().min() >= 0 and out.numpy().max() <= 1
    np.testing.assert_allclose(out.numpy(), x)  # any factor >= 1 saturates at the range


# -- Resizing and Rescaling ----------------------------------------------------------------------
def _torch_resize(x, size, mode, antialias=False):
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).double()
    extra = {} if mode == "nearest-exact" else {"align_corners": False, "antialias": antialias}
    out = torch.nn.functional.interpolate(t, size=size, mode=mode, **extra)
    return out.numpy().transpose(0, 2, 3, 1)


@pytest.mark.parametrize("size", [(9, 13), (4, 3), (7, 5), (10, 6)])
@pytest.mark.parametrize("interpolation, antialias", [("bilinear", False), ("bilinear", True),
                                                      ("nearest", False)])
def test_resizing_matches_torch(size, interpolation, antialias, ops, rng):
    x = rng.standard_normal((2, 7, 6, 3))
    layer = layers.Resizing(*size, interpolation=interpolation, antialias=antialias,
                            dtype="float64")
    mode = "nearest-exact" if interpolation == "nearest" else "bilinear"
    expected = _torch_resize(x, size, mode, antialias)
    np.testing.assert_allclose(layer(x).numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(layer(x[1]).numpy(), expected[1], atol=1e-12)


def test_resizing_crop_and_pad_to_aspect_ratio(ops, rng):
    x = rng.standard_normal((2, 6, 10, 2))
    crop = layers.Resizing(4, 4, crop_to_aspect_ratio=True, dtype="float64")(x).numpy()
    np.testing.assert_allclose(crop, _torch_resize(x[:, :, 2:8], (4, 4), "bilinear"), atol=1e-12)
    pad = layers.Resizing(5, 5, pad_to_aspect_ratio=True, fill_value=2.0, dtype="float64")(x)
    padded = np.pad(x, ((0, 0), (2, 2), (0, 0), (0, 0)), constant_values=2.0)
    np.testing.assert_allclose(pad.numpy(), _torch_resize(padded, (5, 5), "bilinear"),
                               atol=1e-12)


def test_resizing_gradient_and_symbolic_shape(ops, rng):
    layer = layers.Resizing(3, 5, pad_to_aspect_ratio=True, fill_value=1.0, dtype="float64")
    assert gradcheck(lambda t: layer(t), [rng.standard_normal((2, 4, 3, 2))])
    inputs = keras.Input((8, 6, 3))
    model = keras.Model(inputs, layers.Resizing(4, 2)(inputs))
    assert model.predict(np.zeros((2, 8, 6, 3)), verbose=0).shape == (2, 4, 2, 3)


def test_rescaling_values_and_gradient(ops, rng):
    pixels = np.array([[[[0, 128, 255]]]], dtype=np.uint8)
    out = layers.Rescaling(1 / 255)(pixels).numpy()
    np.testing.assert_allclose(out, pixels / 255, rtol=1e-6)
    out = layers.Rescaling([1.0, 2.0, 0.5], offset=[0.0, -1.0, 1.0])(pixels).numpy()
    np.testing.assert_allclose(out, [[[[0.0, 255.0, 128.5]]]])
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    layers.Rescaling(2.5, offset=1.0, dtype="float64")(x).sum().backward()
    np.testing.assert_allclose(ops.to_numpy(x.grad), np.full((3, 4), 2.5))
    with pytest.raises(ValueError, match="scale has 2 values but the input has 3 channels"):
        layers.Rescaling([1.0, 2.0])(pixels)


# -- configs, bad arguments, training ------------------------------------------------------------
@pytest.mark.parametrize("layer", [
    layers.RandomFlip("horizontal", seed=3, name="flip"),
    layers.RandomRotation((-0.1, 0.2), fill_mode="wrap", interpolation="nearest", seed=1),
    layers.RandomZoom(0.2, (-0.1, 0.3), fill_mode="constant", fill_value=1.0),
    layers.RandomZoom((0.1, 0.2)),
    layers.RandomTranslation((-0.2, 0.1), 0.3, fill_mode="nearest", seed=5),
    layers.RandomContrast((0.1, 0.3), value_range=(0, 1), seed=2),
    layers.Rescaling([0.5, 2.0], offset=-1.0),
    layers.Resizing(8, 4, interpolation="nearest", crop_to_aspect_ratio=True),
    layers.Resizing(8, 4, pad_to_aspect_ratio=True, fill_value=3.0, antialias=True),
])
def test_get_config_round_trips(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert layers.get(type(layer).__name__) is type(layer)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.RandomFlip("diagonal"), "mode must be one of"),
    (lambda: layers.RandomRotation(1.5), r"factor=1.5 is out of range"),
    (lambda: layers.RandomRotation("0.2"), "factor must be a number or a pair"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "fill_mode must be one of"),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), "interpolation must be one of"),
    (lambda: layers.RandomZoom((0.1, 0.2, 0.3)), "height_factor must be a number or a pair"),
    (lambda: layers.RandomTranslation(0.1, -2), "width_factor=-2 is out of range"),
    (lambda: layers.RandomContrast(-0.1), r"factor=-0.1 is out of range"),
    (lambda: layers.RandomContrast(0.1, value_range=(1, 0)), "value_range must be a pair"),
    (lambda: layers.RandomFlip(seed=-1), "RandomFlip: seed must be an integer >= 0 or None, got "
                                         "seed=-1"),
    (lambda: layers.Resizing(0, 4), "Resizing: height must be an integer >= 1, got height=0"),
    (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
     "cannot both be True"),
    (lambda: layers.Rescaling("1/255"), "scale must be a number or a list"),
])
def test_bad_arguments_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_rank_is_rejected():
    with pytest.raises(ValueError, match=r"got shape \(4, 4\)"):
        layers.RandomRotation(0.1)(np.zeros((4, 4)), training=True)


def _fit(fit_seed, rotation_seed=None):
    set_random_seed(0)
    model = keras.Sequential([
        layers.RandomFlip("horizontal", input_shape=(6, 6, 1)),
        layers.RandomRotation(0.1, seed=rotation_seed),
        layers.RandomZoom(0.1), layers.RandomTranslation(0.1, 0.1),
        layers.RandomContrast(0.2, value_range=(0, 1)),
        layers.Rescaling(2.0, offset=-1.0), layers.Resizing(4, 4),
        layers.Flatten(), layers.Dense(1),
    ])
    model.compile(optimizer="sgd", loss="mse")
    data = np.random.default_rng(0)
    x, y = data.random((16, 6, 6, 1)), data.standard_normal(16)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False, seed=fit_seed)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x, verbose=0).shape == (16, 1)
    return model.get_weights()


def test_fit_with_augmentation_in_front_runs_and_follows_fit_seed():
    first, again, other = _fit(1), _fit(1), _fit(2)
    for u, v in zip(first, again):
        np.testing.assert_array_equal(u, v)
    assert any(not np.array_equal(u, v) for u, v in zip(first, other))


def test_a_model_with_every_image_layer_saves_and_loads(tmp_path, rng):
    model = keras.Sequential([
        keras.Input((6, 8, 2)), layers.RandomFlip(seed=1), layers.RandomRotation(0.1),
        layers.RandomZoom(0.1, 0.2), layers.RandomTranslation(0.1, (-0.1, 0.2)),
        layers.RandomContrast(0.2, value_range=(0, 1)), layers.Rescaling([2.0, 0.5], offset=1.0),
        layers.Resizing(3, 3, crop_to_aspect_ratio=True),
    ])
    model.save(tmp_path / "augment.neurona")
    restored = keras.models.load_model(tmp_path / "augment.neurona")
    for a, b in zip(model.layers, restored.layers):
        assert type(a) is type(b) and a.get_config() == b.get_config()
    x = rng.random((2, 6, 8, 2))
    np.testing.assert_array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))
