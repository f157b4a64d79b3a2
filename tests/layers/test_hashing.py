"""Hashing and HashedCrossing give the bins Keras 3 gives (its documented outputs; Keras runs
these layers only with TensorFlow), in every output mode, and save with the model."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.layers.fingerprint import fingerprint64

from ..helpers import assert_saved_model_predicts_the_same

LETTERS = np.array([["A"], ["B"], ["C"], ["D"], ["E"]])


def _out(layer, x):
    return layer(x).numpy().tolist()


def test_hashing_matches_keras_documented_outputs():
    assert _out(layers.Hashing(num_bins=3), LETTERS) == [[1], [0], [1], [1], [2]]
    masked = layers.Hashing(num_bins=3, mask_value="")
    assert _out(masked, np.array([["A"], ["B"], [""], ["C"], ["D"]])) == \
        [[1], [1], [0], [2], [2]]
    assert _out(layers.Hashing(num_bins=3, salt=[133, 137]), LETTERS) == \
        [[1], [2], [1], [0], [2]]
    assert _out(layers.Hashing(num_bins=3, salt=133), LETTERS) == [[0], [0], [2], [1], [0]]


def test_numbers_hash_as_their_decimal_strings():
    ints = np.array([[7], [-12], [123456789012]])
    want = [[fingerprint64(str(v)) % 10] for v in (7, -12, 123456789012)]
    assert _out(layers.Hashing(num_bins=10), ints) == want
    assert _out(layers.Hashing(num_bins=10), np.array([[7.9], [-12.2]])) == want[:2]  # truncated


@pytest.mark.parametrize("mode, shape", [("one_hot", (5, 3)), ("multi_hot", (3,)),
                                         ("count", (3,))])
def test_encoded_outputs(mode, shape):
    layer = layers.Hashing(num_bins=3, output_mode=mode)
    bins = [1, 0, 1, 1, 2]
    data = LETTERS if mode == "one_hot" else LETTERS[:, 0]
    out = layer(data).numpy()
    assert out.shape == shape and out.dtype == np.float32
    if mode == "one_hot":
        np.testing.assert_array_equal(out, np.eye(3)[bins])
    elif mode == "multi_hot":
        np.testing.assert_array_equal(out, [1, 1, 1])
    else:
        np.testing.assert_array_equal(out, [1, 3, 1])


def test_hashed_crossing_matches_keras_documented_outputs():
    first = np.array(["A", "B", "A", "B", "A"])
    second = np.array([101, 101, 101, 102, 102])
    assert _out(layers.HashedCrossing(num_bins=5), (first, second)) == [1, 4, 1, 1, 3]
    one_hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")((first, second))
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 4, 1, 1, 3]])
    column = layers.HashedCrossing(num_bins=5)((first[:, None], second[:, None]))
    assert column.numpy().tolist() == [[1], [4], [1], [1], [3]]


def test_hashing_layers_in_a_saved_model(tmp_path):
    city = keras.Input((1,), dtype="string", name="city")
    year = keras.Input((1,), dtype="int64", name="year")
    hashed = layers.Hashing(num_bins=8, output_mode="one_hot", salt=5)(city)
    crossed = layers.HashedCrossing(num_bins=6, output_mode="one_hot")([city, year])
    model = keras.Model([city, year], layers.Dense(1)(layers.concatenate([hashed, crossed])))
    raw = [np.array([["Oslo"], ["Lima"], ["Pune"]]), np.array([[2001], [1999], [2001]])]
    assert_saved_model_predicts_the_same(model, raw, tmp_path)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="num_bins must be an integer >= 1"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="output_mode='int' needs an integer dtype"):
        layers.Hashing(num_bins=3, dtype="float32")
    with pytest.raises(ValueError, match="at least two features"):
        layers.HashedCrossing(num_bins=3)(np.array(["a"]))
    with pytest.raises(ValueError, match="the same for all"):
        layers.HashedCrossing(num_bins=3)((np.array(["a", "b"]), np.array([1])))
    with pytest.raises(ValueError, match="cannot hash NaN"):
        layers.Hashing(num_bins=3)(np.array([np.nan]))
