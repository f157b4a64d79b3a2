"""ops.nn cross-entropies, normalizations, encodings and attention against Keras 3, with
float64 gradients."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(13)
LOGITS = _r.standard_normal((4, 5)) * 2
PROBS = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=-1, keepdims=True)
SMOOTH = np.exp(LOGITS / 4) / np.exp(LOGITS / 4).sum(axis=-1, keepdims=True)  # no tiny p
ONE_HOT = np.eye(5)[[1, 0, 4, 2]]
SOFT = _r.dirichlet(np.ones(5), 4)
LABELS = np.array([1, 0, 4, 2])
BINARY = (_r.uniform(size=(4, 5)) > 0.5).astype(np.float64)


def f32(*xs):
    return [x.astype(np.float32) if x.dtype.kind == "f" else x for x in xs]


@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy(keras, from_logits):
    out = LOGITS if from_logits else 1 / (1 + np.exp(-LOGITS))
    t, o = f32(BINARY, out)
    assert_same(ops.binary_crossentropy(t, o, from_logits=from_logits),
                keras.ops.binary_crossentropy(t, o, from_logits=from_logits), rtol=1e-5,
                atol=1e-6)
    assert gradcheck(lambda y, p: ops.nn.binary_crossentropy(y, p, from_logits=from_logits),
                     [_r.uniform(size=(4, 5)), out])


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("target", ["one_hot", "soft"])
def test_categorical_crossentropy(keras, from_logits, target):
    out = LOGITS if from_logits else PROBS
    y = ONE_HOT if target == "one_hot" else SOFT
    t, o = f32(y, out)
    assert_same(ops.categorical_crossentropy(t, o, from_logits=from_logits),
                keras.ops.categorical_crossentropy(t, o, from_logits=from_logits), rtol=1e-5)
    assert_same(ops.categorical_crossentropy(t.T, o.T, from_logits=from_logits, axis=0),
                keras.ops.categorical_crossentropy(t.T, o.T, from_logits=from_logits, axis=0),
                rtol=1e-5)
    assert gradcheck(lambda a, b: ops.nn.categorical_crossentropy(a, b, from_logits=from_logits),
                     [y, out if from_logits else SMOOTH])


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy(keras, from_logits):
    out = LOGITS if from_logits else PROBS
    (o,) = f32(out)
    for labels in (LABELS, LABELS[:, None]):
        assert_same(ops.sparse_categorical_crossentropy(labels, o, from_logits=from_logits),
                    keras.ops.sparse_categorical_crossentropy(labels, o,
                                                              from_logits=from_logits),
                    rtol=1e-5)
    assert gradcheck(lambda p: ops.nn.sparse_categorical_crossentropy(
        LABELS, p, from_logits=from_logits), [out if from_logits else SMOOTH])
    with pytest.raises(ValueError, match="target of shape"):
        ops.sparse_categorical_crossentropy(LABELS[:3], o)


def test_crossentropy_shape_errors():
    with pytest.raises(ValueError, match="same shape"):
        ops.binary_crossentropy(BINARY[:2], LOGITS)
    with pytest.raises(ValueError, match="same shape"):
        ops.categorical_crossentropy(ONE_HOT[:, :3], PROBS)


def test_moments(keras):
    x = _r.standard_normal((3, 4, 5)).astype(np.float32)
    for axes in ([0], [0, 2], [1]):
        for keepdims in (False, True):
            assert_same(ops.moments(x, axes, keepdims=keepdims),
                        keras.ops.moments(x, axes, keepdims=keepdims), rtol=1e-5, atol=1e-6)
    half = x.astype(np.float16)
    assert [t.dtype.name for t in ops.moments(half, [0])] == ["float16", "float16"]
    mean, var = ops.moments(x, [0], synchronized=True)  # one replica: the same statistics
    assert_same(var, np.var(x, axis=0), rtol=1e-5)
    assert gradcheck(lambda t: ops.moments(t, [1])[1], [x.astype(np.float64)])


def test_batch_normalization(keras):
    x = _r.standard_normal((3, 4)).astype(np.float32)
    m, v = np.float32([0.1, 0.2, -0.3, 0.0]), np.float32([1.0, 2.0, 0.5, 3.0])
    off, sc = np.float32([1, 2, 3, 4]), np.float32([0.5, 1, 2, 3])
    assert_same(ops.batch_normalization(x, m, v, axis=1, offset=off, scale=sc),
                keras.ops.batch_normalization(x, m, v, axis=1, offset=off, scale=sc), rtol=1e-5)
    assert_same(ops.batch_normalization(x.T, m, v, axis=0), keras.ops.batch_normalization(
        x.T, m, v, axis=0), rtol=1e-5)
    assert gradcheck(lambda a, b, c: ops.batch_normalization(a, b, c, axis=-1, epsilon=0.1),
                     [x.astype(np.float64), m.astype(np.float64), v.astype(np.float64)])


def test_layer_and_rms_normalization(keras):
    x = _r.standard_normal((3, 4, 6)).astype(np.float32)
    g, b = _r.standard_normal(6).astype(np.float32), _r.standard_normal(6).astype(np.float32)
    assert_same(ops.layer_normalization(x, g, b), keras.ops.layer_normalization(x, g, b),
                rtol=1e-5, atol=1e-5)
    g2 = _r.standard_normal((4, 6)).astype(np.float32)
    assert_same(ops.layer_normalization(x, g2, axis=(1, 2)),
                keras.ops.layer_normalization(x, g2, axis=(1, 2)), rtol=1e-5, atol=1e-5)
    assert_same(ops.rms_normalization(x, g), keras.ops.rms_normalization(x, g), rtol=1e-5)
    assert_same(ops.rms_normalization(x, axis=(1, 2)), keras.ops.rms_normalization(
        x, axis=(1, 2)), rtol=1e-5)
    x64 = x.astype(np.float64)
    g64, b64 = g.astype(np.float64), b.astype(np.float64)
    assert gradcheck(lambda t, s, o: ops.layer_normalization(t, s, o), [x64, g64, b64])
    assert gradcheck(lambda t, s: ops.rms_normalization(t, s), [x64, g64])
    theirs = keras.ops.layer_normalization(x, g, rms_scaling=True)  # deprecated in Keras
    assert_same(ops.layer_normalization(x, g, rms_scaling=True), theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_normalize(keras, order):
    x = _r.standard_normal((3, 4)).astype(np.float32)
    x[1] = 0
    assert_same(ops.normalize(x, order=order), keras.ops.normalize(x, order=order), rtol=1e-5)
    assert_same(ops.normalize(x, axis=0, order=order), keras.ops.normalize(x, axis=0,
                                                                           order=order),
                rtol=1e-5)
    assert gradcheck(lambda t: ops.normalize(t, order=order), [_r.standard_normal((3, 4))])


def test_one_hot_and_multi_hot(keras):
    labels = np.array([[0, 3], [2, -1]])
    for axis in (-1, 0, 1):
        assert_same(ops.one_hot(labels, 4, axis=axis), keras.ops.one_hot(labels, 4, axis=axis))
    assert_same(ops.one_hot(labels, 4, dtype="int32"), keras.ops.one_hot(labels, 4,
                                                                         dtype="int32"))
    sets = np.array([[0, 2, 2], [1, 3, 0]])
    assert_same(ops.multi_hot(sets, 4), keras.ops.multi_hot(sets, 4))
    assert_same(ops.multi_hot(np.array([1, 3]), 5), keras.ops.multi_hot(np.array([1, 3]), 5))
    assert_same(ops.multi_hot(sets, num_tokens=4), ops.multi_hot(sets, 4))
    with pytest.raises(ValueError, match="sparse"):
        ops.one_hot(labels, 4, sparse=True)
    with pytest.raises(ValueError, match="num_classes"):
        ops.multi_hot(sets)


def test_psnr(keras):
    a = _r.uniform(size=(2, 8, 8, 3)).astype(np.float32)
    b = np.clip(a + _r.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    assert_same(ops.psnr(a, b, 1.0), keras.ops.psnr(a, b, 1.0), rtol=1e-5)
    assert gradcheck(lambda x, y: ops.psnr(x, y, 2.0), [a.astype(np.float64),
                                                       b.astype(np.float64)])


@pytest.mark.parametrize("kwargs", [
    {}, {"is_causal": True}, {"scale": 0.3}, {"mask": "random"}, {"bias": "random"},
    {"mask": "random", "is_causal": True},
])
@pytest.mark.parametrize("kv_heads", [4, 2])
def test_dot_product_attention_matches_keras(keras, kwargs, kv_heads):
    q = _r.standard_normal((2, 3, 4, 8)).astype(np.float32)
    k = _r.standard_normal((2, 5, kv_heads, 8)).astype(np.float32)
    v = _r.standard_normal((2, 5, kv_heads, 8)).astype(np.float32)
    kwargs = dict(kwargs)
    if kwargs.get("mask") == "random":
        kwargs["mask"] = _r.uniform(size=(2, 1, 3, 5)) > 0.3
    if kwargs.get("bias") == "random":
        kwargs["bias"] = _r.standard_normal((1, 4, 3, 5)).astype(np.float32)
    assert_same(ops.dot_product_attention(q, k, v, **kwargs),
                keras.ops.dot_product_attention(q, k, v, **kwargs), rtol=1e-4, atol=1e-5)


def test_dot_product_attention_soft_cap_matches_its_formula():
    # Keras on JAX offers the soft cap on TPUs only: checked against the closed form here
    q, k, v = (_r.standard_normal((1, 3, 2, 4)) for _ in range(3))
    logits = np.einsum("btnh,bsnh->bnts", q, k) / 2.0
    capped = 1.5 * np.tanh(logits / 1.5)
    weights = np.exp(capped) / np.exp(capped).sum(axis=-1, keepdims=True)
    expected = np.einsum("bnts,bsnh->btnh", weights, v)
    assert_same(ops.dot_product_attention(q, k, v, attn_logits_soft_cap=1.5), expected,
                rtol=1e-12)


def test_dot_product_attention_gradient_and_errors():
    q = _r.standard_normal((1, 2, 2, 3))
    k = _r.standard_normal((1, 4, 1, 3))
    v = _r.standard_normal((1, 4, 1, 3))
    assert gradcheck(lambda a, b, c: ops.dot_product_attention(a, b, c, is_causal=True),
                     [q, k, v])
    with pytest.raises(ValueError, match="flash"):
        ops.dot_product_attention(q, k, v, flash_attention=True)
    with pytest.raises(ValueError, match="multiple"):
        ops.dot_product_attention(q, np.ones((1, 4, 3, 3)), np.ones((1, 4, 3, 3)))
