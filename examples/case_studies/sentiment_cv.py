"""5-fold cross-validation of two text classifiers on the shipped sentiment sentences, next to
scikit-learn's TF-IDF + logistic regression on the same folds.

* Bidirectional LSTM: raw strings -> ``TextVectorization`` -> ``Embedding(mask_zero=True)`` ->
  ``Bidirectional(LSTM)`` -> Dense, inside one model (it takes raw strings).
* Transformer: the keras.io text-classification model (a user-written token-and-position
  embedding, one Transformer block, average pooling) on the vectorized sentences.
* Reference: ``TfidfVectorizer`` + ``LogisticRegression`` (C=1 and C=10).

In each fold the vocabulary is learnt from the training sentences only; the LSTM trains for
4 epochs on all of them (early stopping on a held-out tenth scored lower, 0.810: 240 sentences
are too few to pick its epoch), the Transformer up to 12 epochs with early stopping on a
held-out tenth (best weights restored; with a fixed number of epochs some folds diverge); the
test fold is never seen in training.

Usage::

    python examples/case_studies/sentiment_cv.py            # 5 folds, all models
    python examples/case_studies/sentiment_cv.py --quick    # 2 folds, 1 epoch (smoke run)
"""

import argparse
import contextlib
import sys
import time

import numpy as np

MAXLEN, VOCAB = 40, 6000
#: epochs of each network: the LSTM's fixed, the Transformer's the most before early stopping
#: (chosen by this same cross-validation: a mild optimism)
EPOCHS = {"bilstm": 4, "transformer": 12}


def lstm_model(vectorize, keras, layers):
    text = keras.Input(shape=(1,), dtype="string")
    x = layers.Embedding(VOCAB, 64, mask_zero=True)(vectorize(text))
    x = layers.Bidirectional(layers.LSTM(32))(x)
    x = layers.Dropout(0.5)(x)
    model = keras.Model(text, layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def transformer_model(keras, layers):
    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim):
            super().__init__()
            self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            positions = self.pos_emb(np.arange(x.shape[-1]))
            return self.token_emb(x) + positions

    class TransformerBlock(layers.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
            super().__init__()
            self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                         layers.Dense(embed_dim)])
            self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
            self.dropout1 = layers.Dropout(rate)
            self.dropout2 = layers.Dropout(rate)

        def call(self, inputs):
            attn_output = self.dropout1(self.att(inputs, inputs))
            out1 = self.layernorm1(inputs + attn_output)
            return self.layernorm2(out1 + self.dropout2(self.ffn(out1)))

    inputs = layers.Input(shape=(MAXLEN,))
    x = TokenAndPositionEmbedding(MAXLEN, VOCAB, 32)(inputs)
    x = TransformerBlock(32, 2, 32)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _one_blas_thread():
    """Small matrix products run fastest on one BLAS thread (and steadily on a shared
    machine); without threadpoolctl, nothing changes."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def cross_validate(n_folds=5, epochs=None, seed=0, models=("bilstm", "transformer", "tfidf"),
                   verbose=1):
    """{model: [test accuracy per fold]} on the same stratified folds; ``epochs`` (default
    :data:`EPOCHS`) may be one number for both networks."""
    with _one_blas_thread():
        return _cross_validate(n_folds, epochs, seed, models, verbose)


def _cross_validate(n_folds, epochs, seed, models, verbose):
    import neurona as keras
    from neurona import layers
    from neurona.datasets import sentiment_sentences
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    texts, labels = sentiment_sentences.load_arrays()
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(texts, labels)
    results = {m: [] for m in models if m != "tfidf"}
    if "tfidf" in models:
        results.update({"tfidf_C1": [], "tfidf_C10": []})
    epochs = dict(EPOCHS) if epochs is None else {k: epochs for k in EPOCHS}
    shuffle = np.random.default_rng(seed)
    for fold, (train, test) in enumerate(folds, 1):
        train = shuffle.permutation(train)  # validation_split takes the last rows: mix them
        x_train, y_train, x_test, y_test = texts[train], labels[train], texts[test], labels[test]
        started = time.perf_counter()
        if "tfidf" in models:
            tfidf = TfidfVectorizer()
            a, b = tfidf.fit_transform(x_train), tfidf.transform(x_test)
            for c in (1, 10):
                clf = LogisticRegression(C=c, max_iter=2000).fit(a, y_train)
                results[f"tfidf_C{c}"].append(float((clf.predict(b) == y_test).mean()))
        vectorize = layers.TextVectorization(max_tokens=VOCAB, output_sequence_length=MAXLEN)
        vectorize.adapt(x_train)
        if "bilstm" in models:
            keras.utils.set_random_seed(seed + fold)
            model = lstm_model(vectorize, keras, layers)
            model.fit(x_train, y_train, batch_size=32, epochs=epochs["bilstm"], verbose=0)
            results["bilstm"].append(float(model.evaluate(x_test, y_test, verbose=0)[1]))
        if "transformer" in models:
            keras.utils.set_random_seed(seed + fold)
            model = transformer_model(keras, layers)
            ids_train, ids_test = vectorize(x_train).numpy(), vectorize(x_test).numpy()
            stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=3,
                                                 restore_best_weights=True)
            model.fit(ids_train, y_train, batch_size=32, epochs=epochs["transformer"],
                      validation_split=0.1, callbacks=[stop], verbose=0)
            results["transformer"].append(float(model.evaluate(ids_test, y_test, verbose=0)[1]))
        if verbose:
            scores = ", ".join(f"{k} {v[-1]:.3f}" for k, v in results.items())
            print(f"fold {fold}: {scores} ({time.perf_counter() - started:.0f} s)", flush=True)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of both networks (default: 4 for the LSTM, at most 12 "
                             "for the Transformer)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2 folds, 1 epoch")
    args = parser.parse_args(argv)
    folds, epochs = (2, 1) if args.quick else (args.folds, args.epochs)
    print(f"sentiment sentences, {folds}-fold CV (seed {args.seed})")
    results = cross_validate(folds, epochs, args.seed)
    for name, scores in results.items():
        print(f"{name:<12} accuracy {np.mean(scores):.3f} ± {np.std(scores):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
