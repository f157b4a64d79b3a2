"""TextVectorization: vocabulary, indices and bag-of-words vectors against scikit-learn's
CountVectorizer run with Keras's text rules, Keras's documented examples, strings through a
model and its file, and bad input."""

import re

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.datasets import sentiment_sentences

TEXTS, LABELS = sentiment_sentences.load_arrays()


def _keras_standardize(text):
    """Keras's default: ASCII lowercase, then remove TF's punctuation class."""
    lowered = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)
    return re.sub(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']", "", lowered)


def _split(text):
    """TensorFlow's whitespace split: runs of ASCII whitespace, no empty tokens."""
    return [t for t in re.split(r"[ \t\n\r\x0b\x0c]+", text) if t]


def _reference(ngrams=(1, 1)):
    sklearn = pytest.importorskip("sklearn.feature_extraction.text")
    vectorizer = sklearn.CountVectorizer(preprocessor=_keras_standardize, tokenizer=_split,
                                         token_pattern=None, lowercase=False, ngram_range=ngrams)
    counts = vectorizer.fit_transform(TEXTS)
    names = vectorizer.get_feature_names_out()
    totals = np.asarray(counts.sum(axis=0)).ravel()
    order = sorted(range(len(names)), key=lambda i: (totals[i], names[i]), reverse=True)
    return vectorizer, counts, names, order


def test_vocabulary_and_counts_match_count_vectorizer_with_keras_rules():
    vectorizer, counts, names, order = _reference()
    layer = layers.TextVectorization(max_tokens=502, output_mode="count")
    layer.adapt(TEXTS)
    kept = [names[i] for i in order[:501]]
    assert layer.get_vocabulary() == ["[UNK]"] + kept
    out = layer(TEXTS[:300]).numpy()
    dense = counts[:300].toarray()
    np.testing.assert_array_equal(out[:, 1:], dense[:, order[:501]])
    np.testing.assert_array_equal(out[:, 0], dense[:, order[501:]].sum(axis=1))  # OOV counts


def test_tf_idf_weights_follow_keras_formula():
    _, counts, names, order = _reference(ngrams=(1, 2))
    layer = layers.TextVectorization(ngrams=2, output_mode="tf_idf", max_tokens=301)
    layer.adapt(TEXTS)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()[order[:300]]
    idf = np.log(1 + len(TEXTS) / (1 + df)).astype("float32")
    np.testing.assert_allclose(layer.idf_weights, np.concatenate([[idf.mean()], idf]),
                               rtol=1e-6)
    out = layer(TEXTS[:50]).numpy()
    np.testing.assert_allclose(out[:, 1:], counts[:50].toarray()[:, order[:300]] * idf,
                               rtol=1e-6)


def test_int_mode_keras_examples_and_options():
    vocab = ["earth", "wind", "and", "fire"]
    layer = layers.TextVectorization(max_tokens=6, output_sequence_length=4, vocabulary=vocab)
    assert layer(np.array(["earth wind and fire", "fire and earth michigan"])).tolist() == \
        [[2, 3, 4, 5], [5, 4, 2, 1]]
    ragged = layers.TextVectorization(vocabulary=vocab)
    assert ragged(np.array([["Fire!"], ["wind, and   earth"]])).tolist() == [[5, 0, 0],
                                                                              [3, 4, 2]]
    chars = layers.TextVectorization(split="character", standardize=None,
                                     vocabulary=list("ab"))
    assert chars(np.array(["abca"])).tolist() == [[2, 3, 1, 2]]
    grams = layers.TextVectorization(ngrams=(2,), vocabulary=["a b", "b c"])
    assert grams(np.array(["a b c d"])).tolist() == [[2, 3, 1]]
    hot = layers.TextVectorization(output_mode="multi_hot", vocabulary=vocab,
                                   pad_to_max_tokens=True, max_tokens=8)
    assert hot(np.array(["fire fire water"])).tolist() == [[1, 0, 0, 0, 1, 0, 0, 0]]
    custom = layers.TextVectorization(standardize=lambda t: np.char.upper(t),
                                      split=lambda t: [s.split("-") for s in t],
                                      vocabulary=["A", "B"])
    assert custom(np.array(["a-b-x"])).tolist() == [[2, 3, 1]]
    whole = layers.TextVectorization(split=None, vocabulary=["new york", "paris"])
    assert whole(np.array(["New York", "Rome"])).tolist() == [[2], [1]]
    # non-ASCII letters keep their case (TensorFlow's lower is ASCII-only); bytes are UTF-8
    assert layers.TextVectorization(vocabulary=["éte"])(np.array([b"\xc3\xa9te"])).tolist() == \
        [[2]]


def test_strings_go_through_a_model_and_its_file(tmp_path):
    vectorize = layers.TextVectorization(max_tokens=300, output_sequence_length=12, name="tv")
    vectorize.adapt(TEXTS)
    inputs = keras.Input(shape=(1,), dtype="string")
    x = layers.Embedding(300, 8, mask_zero=True)(vectorize(inputs))
    x = layers.GlobalAveragePooling1D()(x)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(TEXTS[:256], LABELS[:256], batch_size=64, epochs=1, verbose=0)
    model.save(tmp_path / "text.neurona")
    restored = keras.models.load_model(tmp_path / "text.neurona")
    assert restored.get_layer("tv").get_vocabulary() == vectorize.get_vocabulary()
    assert np.array_equal(model.predict(TEXTS[:40], verbose=0),
                          restored.predict(TEXTS[:40], verbose=0))
    tfidf = layers.TextVectorization(output_mode="tf_idf", max_tokens=40, pad_to_max_tokens=True)
    tfidf.adapt(TEXTS[:500])
    clone = layers.TextVectorization.from_config(tfidf.get_config())
    np.testing.assert_array_equal(clone.idf_weights, tfidf.idf_weights)  # bitwise through JSON
    assert np.array_equal(clone(TEXTS[:20]).numpy(), tfidf(TEXTS[:20]).numpy())


def test_bad_input_and_arguments():
    layer = layers.TextVectorization()
    with pytest.raises(RuntimeError, match="has no vocabulary"):
        layer(np.array(["a b"]))
    layer.adapt(["a b"])
    with pytest.raises(TypeError, match="takes strings"):
        layer(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"input must be \(batch,\) or \(batch, 1\)"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="output_mode must be one of"):
        layers.TextVectorization(output_mode="one_hot")
    with pytest.raises(ValueError, match="repeats"):
        layers.TextVectorization(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="needs idf_weights"):
        layers.TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="cannot also adapt"):
        layers.TextVectorization(vocabulary=["a"]).adapt(["a"])
    with pytest.raises(ValueError, match="ragged=True is not available"):
        layers.TextVectorization(ragged=True)
    with pytest.raises(ValueError, match="holds no code"):
        layers.TextVectorization(standardize=str.lower).get_config()
    numeric = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1)])
    numeric.compile(loss="mse")
    with pytest.raises(ValueError, match="Input\\(dtype='string'\\)"):
        numeric.fit(np.array(["text"] * 4), np.zeros(4), verbose=0)


def test_a_python_list_of_strings_is_one_input_of_rows():
    # the preprocessing guide calls the layers on plain lists
    vectorize = layers.TextVectorization(output_mode="int", output_sequence_length=3)
    vectorize.adapt(["the cat sat", "the dog ran"])
    np.testing.assert_array_equal(vectorize(["the cat", "a dog ran"]).numpy(),
                                  vectorize(np.array(["the cat", "a dog ran"])).numpy())
    lookup = layers.StringLookup(vocabulary=["a", "b"])
    np.testing.assert_array_equal(lookup(["a", "b", "c"]).numpy(), [1, 2, 0])
    np.testing.assert_array_equal(layers.IntegerLookup(vocabulary=[7, 9])([9, 7, 3]).numpy(),
                                  [2, 1, 0])
