"""Attention layers: MultiHeadAttention against torch.nn.MultiheadAttention (forward and
backward, float32 and float64, padding and causal masks) and Keras 3 (every option), Attention
and AdditiveAttention against Keras 3, masks from Embedding, the functional API, save/load and
bad input."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor
from tests.helpers import KERAS_WARNINGS, keras3, keras_numpy

pytestmark = pytest.mark.filterwarnings(KERAS_WARNINGS)
B, T, S, E, H = 3, 5, 6, 8, 2


def _rand(*shape, dtype="float64", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("masks", ["none", "padding", "causal"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multi_head_attention_matches_pytorch(dtype, masks):
    torch = pytest.importorskip("torch")
    query = _rand(B, T, E, dtype=dtype)
    value = _rand(B, T if masks == "causal" else S, E, dtype=dtype, seed=1)
    steps = value.shape[1]
    mha = layers.MultiHeadAttention(H, E // H, dtype=dtype)
    mha(query, value)
    rng = np.random.default_rng(2)
    mha.set_weights([rng.standard_normal(w.shape).astype(dtype) * 0.4 for w in mha.get_weights()])
    qk, qb, kk, kb, vk, vb, ok, ob = mha.get_weights()
    ref = torch.nn.MultiheadAttention(E, H, batch_first=True).to(
        torch.float64 if dtype == "float64" else torch.float32)
    with torch.no_grad():  # Keras's (E, H, d) kernels are torch's (H*d, E) rows, transposed
        ref.in_proj_weight.copy_(torch.tensor(np.concatenate(
            [k.reshape(E, E).T for k in (qk, kk, vk)])))
        ref.in_proj_bias.copy_(torch.tensor(np.concatenate([b.reshape(E) for b in (qb, kb, vb)])))
        ref.out_proj.weight.copy_(torch.tensor(ok.reshape(E, E).T))
        ref.out_proj.bias.copy_(torch.tensor(ob))
    keep = np.ones((B, steps), bool)
    keep[0, 4:], keep[2, :2] = False, False
    qt, vt = (torch.tensor(a, requires_grad=True) for a in (query, value))
    kwargs, call = {}, {}
    if masks == "padding":
        kwargs["key_padding_mask"] = torch.tensor(~keep)  # torch: True = ignore
        call["attention_mask"] = np.repeat(keep[:, None, :], T, axis=1)
    elif masks == "causal":
        kwargs["attn_mask"] = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        call["use_causal_mask"] = True
    out_t, scores_t = ref(qt, vt, vt, average_attn_weights=False, **kwargs)
    weights = _rand(B, T, E, dtype=dtype, seed=3)
    (out_t * torch.tensor(weights)).sum().backward()
    q, v = Tensor(query, requires_grad=True), Tensor(value, requires_grad=True)
    out, scores = mha(q, v, return_attention_scores=True, **call)
    (out * Tensor(weights)).sum().backward()
    tol = 1e-10 if dtype == "float64" else 3e-5
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=tol, rtol=tol)
    np.testing.assert_allclose(scores.numpy(), scores_t.detach().numpy(), atol=tol, rtol=tol)
    np.testing.assert_allclose(q.grad, qt.grad.numpy(), atol=tol * 10, rtol=tol * 10)
    np.testing.assert_allclose(v.grad, vt.grad.numpy(), atol=tol * 10, rtol=tol * 10)
    grad_q_kernel = mha.query_dense.kernel.grad.reshape(E, E).T
    np.testing.assert_allclose(grad_q_kernel, ref.in_proj_weight.grad[:E].numpy(),
                               atol=tol * 10, rtol=tol * 10)
    np.testing.assert_allclose(mha.output_dense.kernel.grad.reshape(E, E).T,
                               ref.out_proj.weight.grad.numpy(), atol=tol * 10, rtol=tol * 10)


_KERAS_MHA = [
    ({}, {}),
    ({"value_dim": 3, "output_shape": (2, 3), "use_bias": False}, {}),
    ({"use_gate": True, "sliding_window": 2}, {"use_causal_mask": True}),
    ({}, {"attention_mask": "random"}),
    ({"attention_axes": (1, 2)}, {}),
]


@pytest.mark.parametrize("kwargs,call", _KERAS_MHA, ids=["plain", "dims", "gate-window-causal",
                                                         "attention-mask", "axes"])
def test_multi_head_attention_matches_keras(kwargs, call):
    k = keras3()
    rank4 = "attention_axes" in kwargs
    query = _rand(B, 2, T, E, dtype="float32") if rank4 else _rand(B, T, E, dtype="float32")
    value = query if call.get("use_causal_mask") or rank4 else _rand(B, S, E, dtype="float32",
                                                                     seed=1)
    if call.get("attention_mask") == "random":
        call = {"attention_mask": np.random.default_rng(4).random((B, T, S)) > 0.3}
    km, nm = k.layers.MultiHeadAttention(H, 4, **kwargs), layers.MultiHeadAttention(H, 4, **kwargs)
    ko, ks = km(query, value, return_attention_scores=True, **call)
    nm(query, value)
    nm.set_weights(km.get_weights())
    no, ns = nm(query, value, return_attention_scores=True, **call)
    np.testing.assert_allclose(no.numpy(), keras_numpy(ko), atol=2e-6, rtol=2e-5)
    if not rank4:
        np.testing.assert_allclose(ns.numpy(), keras_numpy(ks), atol=2e-6, rtol=2e-5)


def test_keras_masks_of_query_and_value_are_honoured():
    k = keras3()
    tokens_q = np.array([[3, 4, 0, 0], [5, 0, 0, 0]])
    tokens_v = np.array([[1, 2, 3, 0, 0], [4, 4, 0, 0, 0]])
    ke, ne = k.layers.Embedding(8, E, mask_zero=True), layers.Embedding(8, E, mask_zero=True)
    ke.build()
    ne.build()
    ne.set_weights(ke.get_weights())
    km, nm = k.layers.MultiHeadAttention(H, 4), layers.MultiHeadAttention(H, 4)
    ko = km(ke(tokens_q), ke(tokens_v))
    nm(ne(tokens_q), ne(tokens_v))
    nm.set_weights(km.get_weights())
    no = nm(ne(tokens_q), ne(tokens_v))
    np.testing.assert_allclose(no.numpy(), keras_numpy(ko), atol=2e-6, rtol=2e-5)
    assert no._keras_mask.tolist() == (tokens_q != 0).tolist()  # the query's mask


@pytest.mark.parametrize("cls,kwargs", [("Attention", {}), ("Attention", {"use_scale": True}),
                                        ("Attention", {"score_mode": "concat"}),
                                        ("AdditiveAttention", {}),
                                        ("AdditiveAttention", {"use_scale": False})])
def test_attention_and_additive_attention_match_keras(cls, kwargs):
    k = keras3()
    q, v = _rand(B, T, 4, dtype="float32"), _rand(B, S, 4, dtype="float32", seed=1)
    q_mask = np.random.default_rng(5).random((B, T)) > 0.2
    v_mask = np.random.default_rng(6).random((B, S)) > 0.3
    kl, nl = getattr(k.layers, cls)(**kwargs), getattr(layers, cls)(**kwargs)
    for call in ({}, {"mask": [q_mask, v_mask]}, {"use_causal_mask": True,
                                                  "return_attention_scores": True}):
        vv = q if call.get("use_causal_mask") else v
        expected = kl([q, vv], **call)
        nl([q, vv])
        nl.set_weights(kl.get_weights())
        got = nl([q, vv], **call)
        for a, b in zip(got if isinstance(got, tuple) else [got],
                        expected if isinstance(expected, tuple) else [expected]):
            np.testing.assert_allclose(a.numpy(), keras_numpy(b), atol=2e-6, rtol=2e-5)


def test_attention_in_functional_models_round_trips(tmp_path):
    query = keras.Input(shape=(T, E))
    value = keras.Input(shape=(S, E))
    attended, scores = layers.MultiHeadAttention(H, 4, dropout=0.1, name="mha")(
        query, value, return_attention_scores=True)
    luong = layers.Attention(use_scale=True)([query, value])
    out = layers.Concatenate()([attended, luong, layers.AdditiveAttention()([query, value])])
    model = keras.Model([query, value], [out, scores])
    assert model.output_shape == [(None, T, 3 * E), (None, H, T, S)]
    data = [_rand(B, T, E, dtype="float32"), _rand(B, S, E, dtype="float32", seed=1)]
    model.save(tmp_path / "attention.neurona")
    restored = keras.models.load_model(tmp_path / "attention.neurona")
    for a, b in zip(model.predict(data, verbose=0), restored.predict(data, verbose=0)):
        assert np.array_equal(a, b)


def test_dropout_only_in_training_and_seeded():
    x = _rand(B, T, E, dtype="float32")
    mha = layers.MultiHeadAttention(H, 4, dropout=0.5, seed=2)
    inference = mha(x, x).numpy()
    np.testing.assert_array_equal(mha(x, x).numpy(), inference)
    train = mha(x, x, training=True).numpy()
    assert not np.allclose(train, inference)


def test_bad_inputs_fail_clearly():
    mha = layers.MultiHeadAttention(H, 4)
    x = _rand(B, T, E, dtype="float32")
    with pytest.raises(ValueError, match="the attention mask has shape"):
        mha(x, x, attention_mask=np.ones((B, T + 1, T), bool))
    with pytest.raises(ValueError, match=r"query must be a float tensor \(batch, time"):
        mha(np.ones((B, E), "float32"), np.ones((B, E), "float32"))
    with pytest.raises(ValueError, match="num_heads must be an integer >= 1"):
        layers.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="flash_attention=True"):
        layers.MultiHeadAttention(2, 4, flash_attention=True)
    with pytest.raises(ValueError, match=r"must be called on a list \[query, value\]"):
        layers.Attention()(x)
