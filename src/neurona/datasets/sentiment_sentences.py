"""Sentiment Labelled Sentences (binary text classification): 3,000 review sentences from
Amazon, IMDb and Yelp (1,000 each, half positive), Kotzias et al., KDD 2015."""

import numpy as np

from . import _files

SOURCES = ("amazon", "imdb", "yelp")


def load_data(test_split=0.2, seed=113, sources=SOURCES):
    """``(x_train, y_train), (x_test, y_test)``: sentences as a NumPy array of str, labels as
    int64 (1 positive, 0 negative), shuffled with ``seed`` (keras.datasets style).

    Args:
        test_split: fraction held out for testing.
        seed: seed of the shuffle before splitting.
        sources: the review sites to keep ("amazon", "imdb", "yelp").

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()
        >>> x_train.shape, x_test.shape, sorted(set(y_train.tolist()))
        ((2400,), (600,), [0, 1])
    """
    texts, labels = load_arrays(sources)
    return _files.split(texts, labels, test_split, seed)


def load_arrays(sources=SOURCES):
    """``(texts, labels)`` of every sentence in file order (amazon, imdb, yelp)."""
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown or not sources:
        raise ValueError(f"sentiment_sentences: sources must be among {list(SOURCES)}, got "
                         f"{list(sources)!r}")
    rows = [r for r in _files.read_rows("sentiment_sentences") if r["source"] in sources]
    texts = np.array([r["text"] for r in rows], dtype=str)
    labels = np.array([int(r["label"]) for r in rows], dtype=np.int64)
    return texts, labels


def load_frame():
    """The whole table as a pandas DataFrame (columns ``source``, ``text``, ``label``)."""
    return _files.read_frame("sentiment_sentences")
