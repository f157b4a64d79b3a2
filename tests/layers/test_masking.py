"""Keras masks end to end: made by Embedding/Masking, propagated by the layers that support
them, consumed by pooling, recurrent layers, losses and metrics, in eager calls and in fit,
against Keras 3 with the same weights."""

import warnings

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor
from tests.helpers import KERAS_WARNINGS, keras3, keras_numpy

pytestmark = pytest.mark.filterwarnings(KERAS_WARNINGS)
TOKENS = np.array([[4, 2, 7, 0, 0, 0], [3, 0, 0, 0, 0, 0], [5, 6, 1, 1, 2, 3], [2, 2, 0, 0, 0, 0]])


def test_global_pooling_with_a_mask_matches_keras():
    k = keras3()
    x = np.random.default_rng(0).standard_normal((4, 6, 3)).astype("float32")
    mask = TOKENS != 0
    expected = keras_numpy(k.layers.GlobalAveragePooling1D()(x, mask=mask))
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(x, mask=mask).numpy(), expected,
                               rtol=1e-6)
    keep = layers.GlobalAveragePooling1D(keepdims=True)(x, mask=mask)
    np.testing.assert_allclose(keep.numpy()[:, 0], expected, rtol=1e-6)
    first = layers.GlobalAveragePooling1D(data_format="channels_first")
    np.testing.assert_allclose(first(x.transpose(0, 2, 1), mask=mask).numpy(), expected,
                               rtol=1e-6)
    top = layers.GlobalMaxPooling1D()(x, mask=mask).numpy()
    np.testing.assert_array_equal(top, np.where(mask[..., None], x, -np.inf).max(axis=1))
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, steps\)"):
        layers.GlobalMaxPooling1D()(x, mask=mask[:, :4])


def test_pooled_gradients_skip_the_padding():
    x = Tensor(np.random.default_rng(1).standard_normal((4, 6, 3)), requires_grad=True)
    mask = TOKENS != 0
    layers.GlobalAveragePooling1D(dtype="float64")(x, mask=mask).sum().backward()
    expected = mask[..., None] / mask.sum(axis=1)[:, None, None]
    np.testing.assert_allclose(x.grad, np.broadcast_to(expected, x.shape))


def _masked_model(backend_layers, inputs):
    x = backend_layers.Embedding(8, 4, mask_zero=True)(inputs)
    x = backend_layers.LSTM(5, return_sequences=True)(x)
    x = backend_layers.Dropout(0.0)(x)
    return backend_layers.Dense(1)(x)


def test_loss_and_metrics_ignore_padded_steps_as_keras():
    k = keras3()
    kin = k.Input(shape=(6,))
    kmodel = k.Model(kin, _masked_model(k.layers, kin))
    kmodel.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    nin = keras.Input(shape=(6,))
    nmodel = keras.Model(nin, _masked_model(layers, nin))
    nmodel.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    nmodel.set_weights(kmodel.get_weights())
    y = np.random.default_rng(2).standard_normal((4, 6, 1)).astype("float32")
    expected = kmodel.evaluate(TOKENS, y, verbose=0)
    got = nmodel.evaluate(TOKENS, y, verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert not np.isclose(got[0], float(((nmodel.predict(TOKENS, verbose=0) - y) ** 2).mean()))
    # and in training: one SGD step gives Keras's weights
    kmodel.train_on_batch(TOKENS, y)
    nmodel.train_on_batch(TOKENS, y)
    for a, b in zip(nmodel.get_weights(), kmodel.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_masks_propagate_in_sequential_fit_and_merging_layers():
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Embedding(8, 4, mask_zero=True),
                              layers.Bidirectional(layers.GRU(3, return_sequences=True)),
                              layers.LayerNormalization(), layers.Dense(2),
                              layers.GlobalAveragePooling1D(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    y = np.ones((4, 1), "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every layer on the way supports the mask
        model.fit(TOKENS, y, epochs=2, verbose=0)
    # padding more steps changes nothing: the padded steps take no part anywhere
    padded = np.concatenate([TOKENS, np.zeros((4, 3), int)], axis=1)
    model_long = keras.Sequential([keras.Input(shape=(9,))] + model.layers)
    np.testing.assert_allclose(model_long.predict(padded, verbose=0),
                               model.predict(TOKENS, verbose=0), atol=1e-6)
    a = layers.Embedding(8, 2, mask_zero=True)
    left, right = a(TOKENS), a(TOKENS[:, ::-1])
    joined = layers.Concatenate(axis=1)([left, right])
    assert joined._keras_mask.shape == (4, 12)
    assert layers.Add()([left, right])._keras_mask.tolist() == \
        ((TOKENS != 0) | (TOKENS[:, ::-1] != 0)).tolist()


def test_a_layer_without_mask_support_drops_it_with_a_warning():
    emb = layers.Embedding(8, 4, mask_zero=True)
    with pytest.warns(UserWarning, match="does not support masking"):
        out = layers.Flatten()(emb(TOKENS))
    assert getattr(out, "_keras_mask", None) is None
