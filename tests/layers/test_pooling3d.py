"""MaxPooling3D, AveragePooling3D and the global 3-D poolings: Keras 3's outputs and shapes in
both data formats, saved and reloaded."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers

from ..helpers import assert_saved_model_predicts_the_same, real_keras


@pytest.mark.parametrize("name, kwargs", [
    ("MaxPooling3D", dict(pool_size=2)),
    ("MaxPooling3D", dict(pool_size=(1, 2, 3), strides=1, padding="same")),
    ("AveragePooling3D", dict(pool_size=2, padding="same", data_format="channels_first")),
    ("GlobalMaxPooling3D", dict()),
    ("GlobalAveragePooling3D", dict(keepdims=True)),
])
def test_matches_keras(name, kwargs, rng):
    real = real_keras()
    x = rng.standard_normal((2, 3, 5, 4, 3)).astype("float32")
    ours, theirs = getattr(layers, name)(**kwargs), getattr(real.layers, name)(**kwargs)
    np.testing.assert_allclose(ours(x).numpy(), real.ops.convert_to_numpy(theirs(x)),
                               rtol=1e-5, atol=1e-6)
    assert ours.compute_output_shape((None, 3, 5, 4, 3)) == \
        tuple(theirs.compute_output_shape((None, 3, 5, 4, 3)))


def test_a_volume_model_saves_and_reloads(tmp_path, rng):
    model = keras.Sequential([keras.Input((4, 6, 6, 2)), layers.Conv3D(3, 2, activation="relu"),
                              layers.MaxPooling3D(), layers.AveragePooling3D(1),
                              layers.GlobalAveragePooling3D(), layers.Dense(1)])
    assert_saved_model_predicts_the_same(model, rng.standard_normal((2, 4, 6, 6, 2)), tmp_path)


def test_wrong_rank_is_named():
    with pytest.raises(ValueError, match="5 dimensions"):
        layers.MaxPooling3D()(np.ones((2, 4, 4, 1)))
