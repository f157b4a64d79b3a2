"""Transfer learning: reuse trained layers in a new model, freeze them, train a new head,
then fine-tune with a lower learning rate."""

import numpy as np

import neurona as keras
from neurona import layers


def _blobs(rng, n=200):
    x = rng.standard_normal((n, 8)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def test_frozen_base_is_untouched_and_new_head_learns(rng):
    x, y = _blobs(rng)
    base = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[8], name="features"),
                             layers.Dense(16, activation="relu", name="features_2")])
    pretrain = keras.Sequential([base, layers.Dense(2, activation="softmax")])
    pretrain.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    pretrain.fit(x, y, epochs=30, verbose=0, seed=0)

    base.trainable = False
    inputs = keras.Input(shape=(8,))
    features = base(inputs, training=False)
    outputs = layers.Dense(1, activation="sigmoid", name="new_head")(features)
    model = keras.Model(inputs, outputs)
    assert model.get_layer("new_head").trainable and not base.layers[0].trainable
    frozen_before = base.get_weights()
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4

    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, verbose=0, seed=0)
    for a, b in zip(frozen_before, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history.history["accuracy"][-1] > 0.9

    # fine-tuning: unfreeze, recompile with a low learning rate, the base now moves a little
    base.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    moved = [np.abs(a - b).max() for a, b in zip(frozen_before, base.get_weights())]
    assert 0 < max(moved) < 1e-2


def test_summary_reports_trainable_and_frozen_counts():
    base = layers.Dense(4, input_shape=[3], name="base")
    model = keras.Sequential([base, layers.Dense(1, name="head")])
    base.trainable = False
    lines = []
    model.summary(print_fn=lines.append, show_trainable=True)
    text = "\n".join(lines)
    assert "Trainable params: 5" in text and "Non-trainable params: 16" in text
    row = next(line for line in lines if line.startswith("base"))
    assert row.rstrip().endswith("N")


def test_layers_of_a_saved_model_are_reused_with_their_weights(tmp_path, rng):
    x, y = _blobs(rng)
    source = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[8], name="base_dense"),
                               layers.Dense(2, activation="softmax", name="old_head")])
    source.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    source.fit(x, y, epochs=10, verbose=0, seed=0)
    source.save(tmp_path / "pretrained.neurona")

    loaded = keras.models.load_model(tmp_path / "pretrained.neurona")
    base = loaded.get_layer("base_dense")
    base.trainable = False
    inputs = keras.Input(shape=(8,))
    outputs = layers.Dense(1, activation="sigmoid")(base(inputs))
    model = keras.Model(inputs, outputs)
    np.testing.assert_array_equal(base.kernel.numpy(), source.get_layer("base_dense").kernel.numpy())
    kernel_before = base.kernel.numpy().copy()
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, verbose=0, seed=0)
    np.testing.assert_array_equal(base.kernel.numpy(), kernel_before)
    assert history.history["accuracy"][-1] > 0.9
