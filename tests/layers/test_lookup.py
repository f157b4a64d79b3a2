"""StringLookup, IntegerLookup and CategoryEncoding give Keras 3's indices and encodings.

Keras's lookups need TensorFlow, which is not installed; the expected arrays are the outputs
Keras documents for these calls (keras/src/layers/preprocessing/string_lookup.py and
integer_lookup.py docstrings). CategoryEncoding runs in Keras on JAX and is compared live."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers

from ..helpers import assert_saved_model_predicts_the_same, real_keras

VOCAB = ["a", "b", "c", "d"]
TEXT = np.array([["a", "c", "d"], ["d", "z", "b"]])
TEXT4 = np.array([["a", "c", "d", "d"], ["d", "z", "b", "z"]])
INTS = np.array([[12, 1138, 42], [42, 1000, 36]])
INT_VOCAB = [12, 36, 1138, 42]
INTS4 = np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])


def _out(layer, x):
    return layer(x).numpy().tolist()


def test_string_lookup_matches_keras_documented_outputs():
    assert _out(layers.StringLookup(vocabulary=VOCAB), TEXT) == [[1, 3, 4], [4, 0, 2]]
    adapted = layers.StringLookup()
    adapted.adapt(TEXT)
    assert adapted.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert _out(adapted, TEXT) == [[5, 3, 1], [1, 2, 4]]
    two_oov = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    assert _out(two_oov, np.array([["a", "c", "d"], ["m", "z", "b"]])) == [[2, 4, 5], [0, 1, 3]]
    one_hot = layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")
    assert _out(one_hot, np.array(["a", "b", "c", "d", "z"])) == np.eye(5)[[1, 2, 3, 4, 0]].tolist()
    multi = layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot")
    assert _out(multi, TEXT4) == [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    count = layers.StringLookup(vocabulary=VOCAB, output_mode="count")
    assert _out(count, TEXT4) == [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]
    tf_idf = layers.StringLookup(output_mode="tf_idf")
    tf_idf.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(_out(tf_idf, TEXT4), [[0, 0.25, 0, 0.6, 0.8],
                                                     [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    tf_idf.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(_out(tf_idf, TEXT4), [[0, 0.25, 0, 0.6, 0.8],
                                                     [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    invert = layers.StringLookup(vocabulary=VOCAB, invert=True)
    assert _out(invert, np.array([[1, 3, 4], [4, 0, 2]])) == [["a", "c", "d"],
                                                              ["d", "[UNK]", "b"]]


def test_integer_lookup_matches_keras_documented_outputs():
    assert _out(layers.IntegerLookup(vocabulary=INT_VOCAB), INTS) == [[1, 3, 4], [4, 0, 2]]
    adapted = layers.IntegerLookup()
    adapted.adapt(INTS)
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    assert _out(adapted, INTS) == [[5, 2, 1], [1, 3, 4]]
    two_oov = layers.IntegerLookup(vocabulary=INT_VOCAB, num_oov_indices=2)
    assert _out(two_oov, np.array([[12, 1138, 42], [37, 1000, 36]])) == [[2, 4, 5], [1, 0, 3]]
    spread = np.array([100, 300, 700, 1100, 1700, 2000])
    floormod = layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=4)
    farmhash = layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=4,
                                    oov_method="farmhash")
    assert _out(floormod, spread) == [0] * 6
    assert _out(farmhash, spread) == [3, 3, 2, 2, 0, 1]
    assert _out(layers.IntegerLookup(vocabulary=INT_VOCAB, output_mode="multi_hot"), INTS4) == \
        [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    assert _out(layers.IntegerLookup(vocabulary=INT_VOCAB, output_mode="count"), INTS4) == \
        [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]
    invert = layers.IntegerLookup(vocabulary=INT_VOCAB, invert=True)
    assert _out(invert, np.array([[1, 3, 4], [4, 0, 2]])) == [[12, 1138, 42], [42, -1, 36]]
    # integer categories that a float model input carries (3.0) are looked up as integers
    assert _out(layers.IntegerLookup(vocabulary=INT_VOCAB), np.array([12.0, 36.0])) == [1, 2]


def test_mask_token_takes_index_zero_and_drops_from_encodings():
    masked = layers.StringLookup(vocabulary=VOCAB, mask_token="")
    assert masked.get_vocabulary() == ["", "[UNK]"] + VOCAB
    assert _out(masked, np.array([["a", "", "z"]])) == [[2, 0, 1]]
    multi = layers.StringLookup(vocabulary=VOCAB, mask_token="", output_mode="multi_hot")
    assert _out(multi, np.array([["a", "", "z"]])) == [[1, 1, 0, 0, 0]]
    assert layers.StringLookup(vocabulary=VOCAB, max_tokens=8, pad_to_max_tokens=True,
                               output_mode="one_hot")(np.array(["b"])).shape == (1, 8)


def test_adapt_keeps_the_most_frequent_tokens_up_to_max_tokens():
    layer = layers.StringLookup(max_tokens=3)
    layer.adapt(np.array(["x", "y", "y", "z", "z", "z"]))
    assert layer.get_vocabulary() == ["[UNK]", "z", "y"]
    assert layer.vocabulary_size() == 3


@pytest.mark.parametrize("mode, data", [("one_hot", [3, 2, 0, 1]),
                                        ("multi_hot", [[0, 1], [0, 0], [1, 2], [3, 1]]),
                                        ("count", [[0, 1, 1], [2, 2, 0], [3, 1, 3]]),
                                        ("one_hot", [[1], [0], [3]])])
def test_category_encoding_matches_keras(mode, data):
    real = real_keras()
    data = np.array(data)
    want = real.ops.convert_to_numpy(real.layers.CategoryEncoding(4, output_mode=mode)(data))
    np.testing.assert_array_equal(layers.CategoryEncoding(4, output_mode=mode)(data).numpy(),
                                  want)
    weights = np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 1.0], [0.1, 0.2, 0.3]], "float32")
    if mode == "count" and data.shape == weights.shape:
        want = real.layers.CategoryEncoding(4, output_mode="count")(data, count_weights=weights)
        np.testing.assert_allclose(layers.CategoryEncoding(4, output_mode="count")(
            data, count_weights=weights).numpy(), real.ops.convert_to_numpy(want), rtol=1e-6)


def test_lookups_travel_in_the_model_file(tmp_path):
    words = keras.Input((1,), dtype="string", name="word")
    ids = keras.Input((1,), dtype="int64", name="id")
    word_lookup = layers.StringLookup(output_mode="one_hot")
    word_lookup.adapt(np.array(["cat", "dog", "dog", "emu"]))
    id_lookup = layers.IntegerLookup(vocabulary=[7, 9], output_mode="one_hot")
    merged = layers.concatenate([word_lookup(words), id_lookup(ids)])
    model = keras.Model([words, ids], layers.Dense(2)(merged))
    raw = [np.array([["dog"], ["cow"], ["emu"]]), np.array([[9], [7], [8]])]
    loaded = assert_saved_model_predicts_the_same(model, raw, tmp_path)
    assert loaded.get_layer(word_lookup.name).get_vocabulary() == word_lookup.get_vocabulary()


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="set a vocabulary"):
        layers.StringLookup()(np.array(["a"]))
    with pytest.raises(ValueError, match="repeats \\['a'\\]"):
        layers.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="not in the vocabulary and num_oov_indices=0"):
        layers.StringLookup(vocabulary=VOCAB, num_oov_indices=0)(np.array(["z"]))
    with pytest.raises(TypeError, match="expected text inputs"):
        layers.StringLookup(vocabulary=VOCAB)(np.array([1.5]))
    with pytest.raises(ValueError, match="expected integer inputs, got the value 1.5"):
        layers.IntegerLookup(vocabulary=[1])(np.array([1.5]))
    with pytest.raises(ValueError, match="file path is not read"):
        layers.StringLookup(vocabulary="vocab.txt")
    with pytest.raises(ValueError, match="invert=True needs output_mode='int'"):
        layers.StringLookup(invert=True, output_mode="one_hot")
    with pytest.raises(ValueError, match="salt needs oov_method='farmhash'"):
        layers.IntegerLookup(salt=3)
    with pytest.raises(ValueError, match=r"must be in \[0, 4\)"):
        layers.CategoryEncoding(4, output_mode="one_hot")(np.array([4]))
    with pytest.raises(ValueError, match="output_mode must be one of"):
        layers.CategoryEncoding(4, output_mode="int")
