"""pad_sequences has Keras 3's exact semantics (padding and truncating pre/post, value,
dtype, maxlen, step shapes), compared with keras.utils.pad_sequences itself."""

import numpy as np
import pytest

import neurona as keras

from ..helpers import real_keras

SEQUENCES = [[1, 2, 3, 4], [5], [], [6, 7]]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 3, 6])
def test_matches_keras(padding, truncating, maxlen):
    real = real_keras()
    kwargs = dict(maxlen=maxlen, padding=padding, truncating=truncating, value=-1.5,
                  dtype="float32")
    np.testing.assert_array_equal(keras.utils.pad_sequences(SEQUENCES, **kwargs),
                                  real.utils.pad_sequences(SEQUENCES, **kwargs))


def test_steps_with_a_shape_strings_and_the_old_name():
    real = real_keras()
    vectors = [np.ones((3, 2)), np.full((1, 2), 2.0)]
    np.testing.assert_array_equal(keras.utils.pad_sequences(vectors, dtype="float64"),
                                  real.utils.pad_sequences(vectors, dtype="float64"))
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(
        keras.preprocessing.sequence.pad_sequences(words, dtype=object, value="<pad>"),
        real.preprocessing.sequence.pad_sequences(words, dtype=object, value="<pad>"))
    assert keras.preprocessing.sequence.pad_sequences is keras.utils.pad_sequences
    assert keras.utils.pad_sequences([[1, 2]]).dtype == np.int32


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="padding must be one of"):
        keras.utils.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="needs dtype=object"):
        keras.utils.pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="sequence 1 is not a list"):
        keras.utils.pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="have shape \\(3,\\), but earlier ones have \\(2,\\)"):
        keras.utils.pad_sequences([np.ones((1, 2)), np.ones((1, 3))])
