"""Recurrent layers: PyTorch parity (weights mapped to torch's layout, forward and backward,
float32 and float64, masked and unmasked), Keras 3 parity for the same weights, the fused
sequence against the step-by-step cells, gradient checks through time of every cell and of
Bidirectional, statefulness, dropout, save/load and bad input."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers
from neurona.autograd import Tensor

from tests.helpers import KERAS_WARNINGS, keras3, keras_numpy

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings(KERAS_WARNINGS)

B, T, D, U = 4, 6, 5, 3
LENGTHS = np.array([6, 4, 1, 5])  # right-padded sequences (what torch's packing takes)
MASK = np.arange(T)[None, :] < LENGTHS[:, None]
_GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
#: torch's gate order as indices into Keras's (LSTM i f c o = i f g o; GRU z r h -> r z n)
_TORCH_ORDER = {"LSTM": [0, 1, 2, 3], "GRU": [1, 0, 2], "SimpleRNN": [0]}


def _data(dtype, seed=0):
    return np.random.default_rng(seed).standard_normal((B, T, D)).astype(dtype)


def _layer(kind, dtype, **kwargs):
    layer = getattr(layers, kind)(U, dtype=dtype, **kwargs)
    layer.build((B, T, D))
    rng = np.random.default_rng(1)
    layer.set_weights([(rng.standard_normal(w.shape) * 0.5).astype(dtype)
                       for w in layer.get_weights()])
    return layer


def _torch_module(kind, layer):
    """A torch.nn.LSTM/GRU/RNN with the neurona layer's weights in torch's layout."""
    order = _TORCH_ORDER[kind]
    kernel, recurrent, bias = (v.numpy() for v in layer.weights)

    def torch_rows(a):  # Keras's columns per gate -> torch's rows in torch's gate order
        blocks = np.split(a, _GATES[kind], axis=-1)
        return np.concatenate([blocks[i] for i in order], axis=-1)

    bias_ih, bias_hh = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
    cls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "SimpleRNN": torch.nn.RNN}[kind]
    module = cls(D, U, batch_first=True).to(torch.float64 if kernel.dtype == np.float64
                                            else torch.float32)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor(torch_rows(kernel).T))
        module.weight_hh_l0.copy_(torch.tensor(torch_rows(recurrent).T))
        module.bias_ih_l0.copy_(torch.tensor(torch_rows(bias_ih)))
        module.bias_hh_l0.copy_(torch.tensor(torch_rows(bias_hh)))
    return module, torch_rows


@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_matches_pytorch_forward_and_backward(kind, dtype, masked):
    x = _data(dtype)
    layer = _layer(kind, dtype, return_sequences=True, return_state=True)
    module, torch_rows = _torch_module(kind, layer)
    mask = MASK if masked else None
    xt = torch.tensor(x, requires_grad=True)
    if masked:
        packed = torch.nn.utils.rnn.pack_padded_sequence(xt, torch.tensor(LENGTHS),
                                                         batch_first=True, enforce_sorted=False)
        out_t, state_t = module(packed)
        out_t, _ = torch.nn.utils.rnn.pad_packed_sequence(out_t, batch_first=True, total_length=T)
    else:
        out_t, state_t = module(xt)
    h_t = state_t[0][0] if kind == "LSTM" else state_t[0]
    valid = torch.tensor(MASK if masked else np.ones((B, T), bool))[..., None]
    weights = np.random.default_rng(2).standard_normal((B, T, U)).astype(dtype)
    loss_t = (out_t * valid * torch.tensor(weights)).sum() + (h_t * 2).sum()
    loss_t.backward()

    xn = Tensor(x, requires_grad=True)
    out, h, *_ = layer(xn, mask=mask)
    loss = (out * Tensor(weights * valid.numpy())).sum() + (h * 2).sum()
    loss.backward()
    tol = 1e-10 if dtype == "float64" else 2e-5
    np.testing.assert_allclose(out.numpy() * valid.numpy(), (out_t * valid).detach().numpy(),
                               atol=tol, rtol=tol)
    np.testing.assert_allclose(h.numpy(), h_t.detach().numpy(), atol=tol, rtol=tol)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=tol * 10, rtol=tol * 10)
    kernel, recurrent, bias = layer.weights
    np.testing.assert_allclose(torch_rows(kernel.grad).T, module.weight_ih_l0.grad.numpy(),
                               atol=tol * 10, rtol=tol * 10)
    np.testing.assert_allclose(torch_rows(recurrent.grad).T, module.weight_hh_l0.grad.numpy(),
                               atol=tol * 10, rtol=tol * 10)
    bias_grad = bias.grad[1] if bias.grad.ndim == 2 else bias.grad
    np.testing.assert_allclose(torch_rows(bias_grad), module.bias_hh_l0.grad.numpy(),
                               atol=tol * 10, rtol=tol * 10)


# -- Keras 3 ----------------------------------------------------------------------------------
def _keras():
    return keras3()


def _outputs(result):
    return [keras_numpy(r) for r in result] if isinstance(result, (list, tuple)) \
        else [keras_numpy(result)]


def _compare_with_keras(k_layer, n_layer, x, **call):
    expected = _outputs(k_layer(x, **call))
    n_layer.build(x.shape)
    n_layer.set_weights(k_layer.get_weights())
    got = _outputs(n_layer(x, **call))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, atol=2e-6, rtol=2e-5)


_KERAS_CASES = [
    ("LSTM", {"return_sequences": True}),
    ("LSTM", {"return_state": True, "go_backwards": True}),
    ("LSTM", {"activation": "relu", "recurrent_activation": "hard_sigmoid", "unit_forget_bias":
              False, "return_sequences": True}),
    ("LSTM", {"activation": "gelu", "return_sequences": True}),  # not fused: step by step
    ("GRU", {"return_sequences": True, "return_state": True}),
    ("GRU", {"reset_after": False, "go_backwards": True, "return_sequences": True}),
    ("GRU", {"use_bias": False}),
    ("SimpleRNN", {"return_sequences": True, "activation": "relu"}),
    ("SimpleRNN", {"return_state": True, "unroll": True}),
]


@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("kind,kwargs", _KERAS_CASES,
                         ids=[f"{k}-{'-'.join(a)}" for k, a in _KERAS_CASES])
def test_matches_keras_for_the_same_weights(kind, kwargs, masked):
    k = _keras()
    x = _data("float32")
    mask = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1],
                     [1, 1, 1, 1, 1, 1]], bool) if masked else None
    _compare_with_keras(getattr(k.layers, kind)(U, **kwargs),
                        getattr(layers, kind)(U, **kwargs), x, mask=mask)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("settings", [{"return_sequences": True},
                                      {"return_state": True},
                                      {"return_sequences": True, "return_state": True}],
                         ids=["sequences", "states", "both"])
def test_bidirectional_matches_keras(merge_mode, settings):
    k = _keras()
    x = _data("float32")
    _compare_with_keras(k.layers.Bidirectional(k.layers.GRU(U, **settings), merge_mode=merge_mode),
                        layers.Bidirectional(layers.GRU(U, **settings), merge_mode=merge_mode),
                        x, mask=MASK)


def test_time_distributed_and_stacked_cells_match_keras():
    k = _keras()
    x = _data("float32")
    _compare_with_keras(k.layers.TimeDistributed(k.layers.Dense(2, activation="tanh")),
                        layers.TimeDistributed(layers.Dense(2, activation="tanh")), x)
    _compare_with_keras(
        k.layers.RNN([k.layers.GRUCell(3), k.layers.LSTMCell(2)], return_sequences=True),
        layers.RNN([layers.GRUCell(3), layers.LSTMCell(2)], return_sequences=True), x,
        mask=MASK)


class MinimalRNNCell(layers.Layer):
    """The user-written cell of Keras's RNN documentation."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]


def test_a_user_written_cell_runs_and_matches_keras():
    k = _keras()

    class KerasCell(k.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            output = k.ops.matmul(inputs, self.kernel) + k.ops.matmul(states[0],
                                                                      self.recurrent_kernel)
            return output, [output]

    x = _data("float32") * 0.3
    _compare_with_keras(k.layers.RNN(KerasCell(3), return_sequences=True, go_backwards=True),
                        layers.RNN(MinimalRNNCell(3), return_sequences=True, go_backwards=True),
                        x, mask=MASK)


# -- the fused sequence and the cells agree ----------------------------------------------------
@pytest.mark.parametrize("kind,kwargs", [("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
                                         ("SimpleRNN", {})])
def test_fused_sequence_equals_the_unrolled_cells(kind, kwargs):
    x = _data("float64")
    grads = []
    for unroll in (False, True):
        layer = _layer(kind, "float64", return_sequences=True, return_state=True,
                       go_backwards=True, unroll=unroll, **kwargs)
        xt = Tensor(x, requires_grad=True)
        out, *states = layer(xt, mask=MASK)
        loss = (out * out).sum() + sum((s * 3).sum() for s in states)
        loss.backward()
        grads.append([out.numpy(), xt.grad] + [v.grad for v in layer.weights])
    for fused, unrolled in zip(*grads):
        np.testing.assert_allclose(fused, unrolled, atol=1e-12, rtol=1e-10)


def _numeric_check(layer, x, mask=None, eps=1e-6, tol=1e-6):
    """d(weighted sum of the outputs)/d(input and every weight) against central differences."""
    rng = np.random.default_rng(5)
    xt = Tensor(x.copy(), requires_grad=True)
    out = layer(xt, mask=mask)
    outs = out if isinstance(out, list) else [out]
    projections = [rng.standard_normal(o.shape) for o in outs]

    def value():
        res = layer(Tensor(xt.data), mask=mask)
        res = res if isinstance(res, list) else [res]
        return sum(float((r.numpy() * p).sum()) for r, p in zip(res, projections))

    sum((o * Tensor(p)).sum() for o, p in zip(outs, projections)).backward()
    for array, analytic in [(xt.data, xt.grad)] + [(v.data, v.grad) for v in layer.weights]:
        numeric = np.zeros(array.shape)
        for i in np.ndindex(array.shape):  # in place: a weight may be a strided array
            keep = array[i]
            array[i] = keep + eps
            plus = value()
            array[i] = keep - eps
            minus = value()
            array[i] = keep
            numeric[i] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, atol=tol, rtol=1e-5)


@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("cell", ["SimpleRNNCell", "LSTMCell", "GRUCell", "GRUCell-reset-before",
                                  "stacked"])
def test_every_cell_passes_a_gradient_check_through_time(cell, masked):
    if cell == "stacked":
        made = [layers.LSTMCell(2, dtype="float64"), layers.GRUCell(2, dtype="float64")]
    elif cell == "GRUCell-reset-before":
        made = layers.GRUCell(2, reset_after=False, dtype="float64")
    else:
        made = getattr(layers, cell)(2, dtype="float64")
    layer = layers.RNN(made, return_sequences=True, return_state=True, dtype="float64")
    x = _data("float64")[:, :4, :3]
    layer.build(x.shape)
    rng = np.random.default_rng(3)
    layer.set_weights([rng.standard_normal(w.shape) * 0.6 for w in layer.get_weights()])
    _numeric_check(layer, x, MASK[:, :4] if masked else None)


@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("merge_mode", ["concat", "mul"])
def test_bidirectional_passes_a_gradient_check(merge_mode, masked):
    layer = layers.Bidirectional(layers.LSTM(2, return_sequences=True, dtype="float64"),
                                 merge_mode=merge_mode, dtype="float64")
    x = _data("float64")[:, :4, :3]
    layer.build(x.shape)
    rng = np.random.default_rng(4)
    layer.set_weights([rng.standard_normal(w.shape) * 0.6 for w in layer.get_weights()])
    _numeric_check(layer, x, MASK[:, :4] if masked else None)


# -- states, dropout, masks through models ------------------------------------------------------
def test_stateful_layer_carries_its_states_and_saves_them(tmp_path):
    x = _data("float32")
    model = keras.Sequential([keras.Input(batch_shape=(B, T, D)),
                              layers.LSTM(U, stateful=True, name="lstm")])
    lstm = model.layers[0]
    first = model.predict(x, batch_size=B, verbose=0)
    second = model.predict(x, batch_size=B, verbose=0)
    # the reference: the same weights without state, the states passed by hand
    reference = layers.LSTM(U, return_state=True)
    reference.build((B, T, D))
    reference.set_weights(lstm.get_weights()[:3])  # kernel, recurrent kernel, bias; then states
    out1, h, c = reference(x)
    out2, h, c = reference(x, initial_state=[h, c])
    np.testing.assert_allclose(first, out1.numpy(), atol=1e-6)
    np.testing.assert_allclose(second, out2.numpy(), atol=1e-6)
    np.testing.assert_allclose(lstm.states[1].numpy(), c.numpy(), atol=1e-6)
    model.save(tmp_path / "stateful.neurona")
    restored = keras.models.load_model(tmp_path / "stateful.neurona")
    for a, b in zip(restored.layers[0].states, lstm.states):
        assert np.array_equal(a.numpy(), b.numpy())
    assert np.array_equal(restored.predict(x, batch_size=B, verbose=0),
                          model.predict(x, batch_size=B, verbose=0))
    lstm.reset_states()
    assert all(not s.numpy().any() for s in lstm.states)
    np.testing.assert_allclose(model.predict(x, batch_size=B, verbose=0), first, atol=1e-7)
    with pytest.raises(ValueError, match="stateful with batch size 4"):
        lstm(x[:2])
    with pytest.raises(ValueError, match="batch size must be fixed"):
        keras.Sequential([keras.Input(shape=(T, D)), layers.GRU(U, stateful=True)])
    with pytest.raises(AttributeError, match="is not stateful"):
        layers.GRU(U).reset_states()


def test_input_dropout_uses_one_mask_for_every_step_and_is_seeded():
    x = np.ones((B, T, D), "float32")
    layer = layers.SimpleRNN(U, dropout=0.5, seed=3, return_sequences=True,
                             activation="linear", recurrent_initializer="zeros")
    out_train = layer(x, training=True).numpy()
    # with a zero recurrent kernel each step sees only its own (masked) input: one mask means
    # every step gives the same output
    np.testing.assert_allclose(out_train, np.repeat(out_train[:, :1], T, axis=1), atol=1e-6)
    assert not np.allclose(out_train, layer(x).numpy())
    seeded = layers.SimpleRNN(U, dropout=0.5, seed=3, return_sequences=True,
                              activation="linear", recurrent_initializer="zeros")
    seeded.build(x.shape)
    seeded.set_weights(layer.get_weights())
    np.testing.assert_array_equal(seeded(x, training=True).numpy(), out_train)


def test_recurrent_dropout_trains_step_by_step_with_fixed_masks():
    x = _data("float32")
    layer = layers.GRU(U, recurrent_dropout=0.4, dropout=0.2, seed=1)
    inference = layer(x).numpy()
    fused = layers.GRU(U)
    fused.build(x.shape)
    fused.set_weights(layer.get_weights())
    np.testing.assert_allclose(inference, fused(x).numpy(), atol=1e-6)  # inference: no dropout
    assert layer._fused_plan(training=True) is None and layer._fused_plan(False) is not None
    train = layer(x, training=True).numpy()
    assert not np.allclose(train, inference)


def test_masks_flow_from_embedding_to_the_loss():
    tokens = np.array([[3, 5, 2, 0, 0], [4, 0, 0, 0, 0]])
    emb = layers.Embedding(8, 4, mask_zero=True)
    seq = layers.LSTM(U, return_sequences=True)(emb(tokens))
    assert seq._keras_mask.tolist() == (tokens != 0).tolist()
    last = layers.LSTM(U)(emb(tokens))
    assert getattr(last, "_keras_mask", None) is None
    # padded steps carry the state: the last output equals the output at the last real step
    lstm = layers.LSTM(U, return_sequences=True)
    full = lstm(emb(tokens)).numpy()
    np.testing.assert_allclose(full[0, 3:], np.repeat(full[0, 2:3], 2, axis=0), atol=1e-7)


# -- save / load ---------------------------------------------------------------------------------
def test_recurrent_models_round_trip_bitwise(tmp_path):
    x = _data("float32")
    inputs = keras.Input(shape=(T, D))
    seq = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="sum")(inputs)
    seq = layers.TimeDistributed(layers.Dense(4))(seq)
    seq = layers.RNN([layers.SimpleRNNCell(3), layers.GRUCell(2, reset_after=False)],
                     return_sequences=True)(seq)
    out, h = layers.GRU(2, return_state=True, go_backwards=True)(seq)
    model = keras.Model(inputs, layers.Concatenate()([out, h]))
    model.save(tmp_path / "rnn.neurona")
    restored = keras.models.load_model(tmp_path / "rnn.neurona")
    assert restored.get_config() == model.get_config()
    assert np.array_equal(model.predict(x, verbose=0), restored.predict(x, verbose=0))


# -- bad input ---------------------------------------------------------------------------------
def test_bad_inputs_fail_with_clear_messages():
    layer = layers.LSTM(U)
    with pytest.raises(ValueError, match=r"takes inputs of shape \(batch, timesteps, features\)"):
        layer(np.ones((B, D), "float32"))
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, timesteps\)"):
        layer(_data("float32"), mask=np.ones((B, T + 1), bool))
    with pytest.raises(ValueError, match=r"initial_state must be 2 tensor\(s\)"):
        layer(_data("float32"), initial_state=[np.zeros((B, U), "float32")])
    with pytest.raises(ValueError, match=r"of shape \[\(4, 3\), \(4, 3\)\]"):
        layer(_data("float32"), initial_state=[np.zeros((B, U + 1), "float32")] * 2)
    with pytest.raises(TypeError, match="takes float sequences"):
        layers.GRU(U)(Tensor(np.ones((B, T, D), dtype=np.int64)))
    with pytest.raises(ValueError, match="units must be an integer >= 1"):
        layers.SimpleRNN(0)
    with pytest.raises(ValueError, match=r"dropout must be a float in \[0, 1\)"):
        layers.GRU(U, dropout=1.5)
    with pytest.raises(TypeError, match="unexpected argument"):
        layers.LSTM(U, reset_after=True)
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        layers.Bidirectional(layers.LSTM(U), merge_mode="max")
    with pytest.raises(ValueError, match="0 timesteps"):
        layers.SimpleRNN(U)(np.ones((B, 0, D), "float32"))
    model = keras.Sequential([keras.Input(shape=(T, D)), layers.LSTM(U), layers.Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="non-numeric values"):
        model.fit(np.full((B, T, D), "word"), np.zeros(B), verbose=0)
