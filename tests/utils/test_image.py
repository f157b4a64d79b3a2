"""load_img, img_to_array, array_to_img and save_img (Pillow) round-trip pixels."""

import os

import numpy as np
import pytest

import neurona as keras

pytest.importorskip("PIL.Image")


def test_image_file_helpers_round_trip(tmp_path):
    pixels = np.arange(24, dtype="float32").reshape(2, 4, 3) * 10
    path = os.fspath(tmp_path / "x.png")
    keras.utils.save_img(path, pixels, scale=False)
    loaded = keras.preprocessing.image.img_to_array(keras.utils.load_img(path))
    np.testing.assert_array_equal(loaded, pixels)
    small = keras.utils.load_img(path, target_size=(1, 2))
    assert small.size == (2, 1)
    stretched = keras.utils.img_to_array(keras.utils.array_to_img(pixels / 230.0))
    assert stretched.max() == 255.0 and stretched.min() == 0.0
    assert keras.utils.img_to_array(keras.utils.load_img(path, color_mode="grayscale"),
                                    data_format="channels_first").shape == (1, 2, 4)
