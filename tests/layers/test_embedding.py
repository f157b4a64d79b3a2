"""Embedding and Masking: PyTorch and Keras 3 parity, masks, input_length, LoRA, save/load
and bad input."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor
from tests.helpers import KERAS_WARNINGS, keras3, keras_numpy

pytestmark = pytest.mark.filterwarnings(KERAS_WARNINGS)
IDS = np.array([[3, 1, 4, 1, 0], [5, 9, 2, 0, 0], [6, 5, 3, 5, 9]])


def test_embedding_matches_pytorch_forward_and_backward():
    torch = pytest.importorskip("torch")
    layer = layers.Embedding(10, 4, dtype="float64")
    layer.build()
    table = layer.get_weights()[0]
    out = layer(IDS)
    weights = np.random.default_rng(0).standard_normal(out.shape)
    (out * Tensor(weights)).sum().backward()
    ref = torch.nn.Embedding(10, 4).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(table))
    out_t = ref(torch.tensor(IDS))
    (out_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(out.numpy(), out_t.detach().numpy())
    np.testing.assert_allclose(layer.embeddings.grad, ref.weight.grad.numpy(), atol=1e-12)


def test_embedding_and_masking_match_keras():
    k = keras3()
    ke = k.layers.Embedding(10, 4, mask_zero=True)
    ko = ke(IDS)
    ne = layers.Embedding(10, 4, mask_zero=True)
    ne.build()
    ne.set_weights(ke.get_weights())
    no = ne(IDS.astype("float32"))  # float indices are cast, as Keras casts them
    np.testing.assert_array_equal(no.numpy(), keras_numpy(ko))
    np.testing.assert_array_equal(no._keras_mask.numpy(), keras_numpy(ke.compute_mask(IDS)))
    x = np.random.default_rng(1).standard_normal((3, 5, 2)).astype("float32")
    x[0, 2:] = 0.5
    x[2, 0] = 0.5
    km, nm = k.layers.Masking(0.5), layers.Masking(0.5)
    np.testing.assert_array_equal(nm(x).numpy(), keras_numpy(km(x)))
    np.testing.assert_array_equal(nm(x)._keras_mask.numpy(), keras_numpy(km.compute_mask(x)))


def test_mask_zero_reaches_the_layers_after_and_input_length_declares_the_shape():
    model = keras.Sequential([layers.Embedding(10, 3, mask_zero=True, input_length=5),
                              layers.Dense(2), layers.Dropout(0.5), layers.Activation("relu")])
    assert model.input_shape == (None, 5)
    out = model(IDS)
    assert out._keras_mask.tolist() == (IDS != 0).tolist()
    with pytest.raises(ValueError, match="axis 1 must have size 5"):
        model.layers[0](np.ones((2, 4), int))
    assert getattr(layers.Embedding(10, 3)(IDS), "_keras_mask", None) is None


def test_lora_trains_a_low_rank_update_only():
    layer = layers.Embedding(10, 4, lora_rank=2, lora_alpha=4.0)
    layer.build()
    base = layer._embeddings.numpy().copy()
    np.testing.assert_array_equal(layer(IDS).numpy(), base[IDS])  # B starts at zero
    assert [v.name for v in layer.trainable_weights] == ["lora_embeddings_a",
                                                         "lora_embeddings_b"]
    layer.lora_embeddings_b.assign(np.ones((2, 4), "float32"))
    a = layer.lora_embeddings_a.numpy()
    np.testing.assert_allclose(layer(IDS).numpy(), (base + 2.0 * a @ np.ones((2, 4)))[IDS],
                               atol=1e-6)


def test_embedding_round_trips_and_rejects_bad_input(tmp_path):
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Embedding(10, 3, mask_zero=True),
                              layers.GlobalAveragePooling1D()])
    model.save(tmp_path / "emb.neurona")
    restored = keras.models.load_model(tmp_path / "emb.neurona")
    assert np.array_equal(model.predict(IDS, verbose=0), restored.predict(IDS, verbose=0))
    layer = layers.Embedding(10, 3)
    with pytest.raises(ValueError, match=r"index 12 is outside \[0, 10\)"):
        layer(np.array([[1, 12]]))
    with pytest.raises(ValueError, match="index -1"):
        layer(np.array([[-1, 2]]))
    with pytest.raises(TypeError, match="takes integer indices"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="input_dim must be an integer >= 1"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="quantization_config is not supported"):
        layers.Embedding(5, 3, quantization_config={"mode": "int8"})
    with pytest.raises(ValueError, match="mask_value must be a number"):
        layers.Masking("0")
