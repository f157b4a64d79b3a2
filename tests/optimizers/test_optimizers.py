"""Optimizers against PyTorch and NumPy transcriptions of Keras's formulas, plus the base class:
clipping, weight decay, skipped gradients, repacking, state round trips and learning sanity."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import neurona.functions as F  # noqa: E402
from neurona import Variable  # noqa: E402
from neurona import optimizers  # noqa: E402
from neurona.optimizers import (SGD, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop,  # noqa: E402
                                schedules)

SHAPES = [(4, 3), (3,), (2, 2, 3)]


def make_problem(seed=0, steps=3, scale=1.0):
    rng = np.random.default_rng(seed)
    w0 = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[(scale * rng.standard_normal(s)).astype(np.float32) for s in SHAPES]
             for _ in range(steps)]
    return w0, grads


def run_ours(opt, w0, grads, ops=None):
    variables = [Variable(w.copy(), name=f"v{i}") for i, w in enumerate(w0)]
    for gs in grads:
        opt.apply([g if ops is None else ops.asarray(g) for g in gs], variables)
    return [v.numpy() for v in variables]


def run_torch(cls, kwargs, w0, grads):
    params = [torch.tensor(w.copy(), requires_grad=True) for w in w0]
    opt = cls(params, **kwargs)
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = torch.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in params]


# Where Keras puts epsilon elsewhere than PyTorch (Adagrad, RMSprop inside the root; Adam on
# the raw root; Adamax outside the max), epsilon=0 makes the two formulas identical, so those
# cases compare with PyTorch at epsilon=0; the Keras placement is checked below against NumPy.
# Keras's Nadam momentum schedule 0.96**t is PyTorch's with momentum_decay=1.
TORCH_CASES = [
    (lambda: SGD(0.1), torch.optim.SGD, {"lr": 0.1}),
    (lambda: SGD(0.1, momentum=0.9), torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    (lambda: SGD(0.1, momentum=0.9, nesterov=True), torch.optim.SGD,
     {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (lambda: Adagrad(0.1, epsilon=0.0), torch.optim.Adagrad,
     {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 0.0}),
    (lambda: RMSprop(0.01, rho=0.8, epsilon=0.0), torch.optim.RMSprop,
     {"lr": 0.01, "alpha": 0.8, "eps": 0.0}),
    (lambda: RMSprop(0.01, momentum=0.5, centered=True, epsilon=0.0), torch.optim.RMSprop,
     {"lr": 0.01, "alpha": 0.9, "eps": 0.0, "momentum": 0.5, "centered": True}),
    (lambda: Adam(0.01, epsilon=0.0), torch.optim.Adam, {"lr": 0.01, "eps": 0.0}),
    (lambda: Adam(0.01, epsilon=0.0, amsgrad=True), torch.optim.Adam,
     {"lr": 0.01, "eps": 0.0, "amsgrad": True}),
    (lambda: AdamW(0.01, weight_decay=0.1, epsilon=0.0), torch.optim.AdamW,
     {"lr": 0.01, "weight_decay": 0.1, "eps": 0.0}),
    (lambda: Adamax(0.01, epsilon=0.0), torch.optim.Adamax, {"lr": 0.01, "eps": 0.0}),
    (lambda: Nadam(0.01), torch.optim.NAdam, {"lr": 0.01, "eps": 1e-7, "momentum_decay": 1.0}),
]


@pytest.mark.parametrize("make, torch_cls, kwargs", TORCH_CASES,
                         ids=[f"{c[1].__name__}-{i}" for i, c in enumerate(TORCH_CASES)])
def test_matches_pytorch_after_three_steps(ops, make, torch_cls, kwargs):
    w0, grads = make_problem()
    ours = run_ours(make(), w0, grads, ops)
    ref = run_torch(torch_cls, kwargs, w0, grads)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6)


# -- NumPy transcriptions of Keras's update rules (float64), for the epsilon placement -------
def keras_rule(name, w, grads, lr, **hp):
    w = [x.astype(np.float64) for x in w]
    state = [dict(m=0.0, v=0.0, vh=0.0, a=0.0, mom=0.0, acc=hp.get("acc0", 0.1)) for _ in w]
    b1, b2, eps = hp.get("b1", 0.9), hp.get("b2", 0.999), hp.get("eps", 1e-7)
    for t, gs in enumerate(grads, start=1):
        for i, g in enumerate(gs):
            g, s = g.astype(np.float64), state[i]
            if hp.get("wd"):
                w[i] = w[i] - w[i] * hp["wd"] * lr
            if name == "adagrad":
                s["acc"] = s["acc"] + g * g
                w[i] = w[i] - lr * g / np.sqrt(s["acc"] + eps)
            elif name == "rmsprop":
                rho = hp.get("rho", 0.9)
                s["v"] = rho * s["v"] + (1 - rho) * g * g
                denom = s["v"] + eps
                if hp.get("centered"):
                    s["a"] = rho * s["a"] + (1 - rho) * g
                    denom = s["v"] - s["a"] ** 2 + eps
                inc = lr * g / np.sqrt(denom)
                s["mom"] = hp.get("momentum", 0.0) * s["mom"] + inc
                w[i] = w[i] - s["mom"]
            elif name == "adam":
                alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
                s["v"] = s["v"] + (g * g - s["v"]) * (1 - b2)
                s["vh"] = np.maximum(s["vh"], s["v"])
                v = s["vh"] if hp.get("amsgrad") else s["v"]
                w[i] = w[i] - s["m"] * alpha / (np.sqrt(v) + eps)
            elif name == "adamax":
                s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
                s["v"] = np.maximum(b2 * s["v"], np.abs(g))
                w[i] = w[i] - lr * s["m"] / ((1 - b1 ** t) * (s["v"] + eps))
    return w


KERAS_CASES = [
    (lambda: Adagrad(0.01, initial_accumulator_value=0.0), "adagrad", {"acc0": 0.0}),
    (lambda: RMSprop(0.01), "rmsprop", {}),
    (lambda: RMSprop(0.01, rho=0.5, momentum=0.9, centered=True), "rmsprop",
     {"rho": 0.5, "momentum": 0.9, "centered": True}),
    (lambda: Adam(0.01), "adam", {}),
    (lambda: Adam(0.01, amsgrad=True), "adam", {"amsgrad": True}),
    (lambda: AdamW(0.01, weight_decay=0.5), "adam", {"wd": 0.5}),
    (lambda: Adamax(0.01), "adamax", {}),
]


@pytest.mark.parametrize("make, rule, hp", KERAS_CASES, ids=[c[1] for c in KERAS_CASES])
def test_tiny_gradients_follow_keras_epsilon_placement(make, rule, hp):
    # gradients ~1e-6 make epsilon=1e-7 matter, so this tells Keras's placement from PyTorch's
    w0, grads = make_problem(seed=1, scale=1e-6)
    ours = run_ours(make(), w0, grads)
    for a, b in zip(ours, keras_rule(rule, w0, grads, 0.01, **hp)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_keras_and_pytorch_adam_differ_on_tiny_gradients():
    w0, grads = make_problem(seed=1, scale=1e-6)
    ours = run_ours(Adam(0.01), w0, grads)
    ref = run_torch(torch.optim.Adam, {"lr": 0.01, "eps": 1e-7}, w0, grads)
    assert np.abs(ours[0] - ref[0]).max() > 1e-3  # the documented difference is real


# -- clipping and weight decay: closed forms --------------------------------------------------
def sgd_step(opt, w, g):
    vs = [Variable(np.array(x, dtype=np.float32)) for x in w]
    opt.apply([np.array(x, dtype=np.float32) for x in g], vs)
    return [v.numpy() for v in vs]


def test_clipnorm_clips_each_gradient_by_its_own_norm():
    w, g = [[0.0, 0.0], [0.0, 0.0]], [[3.0, 4.0], [0.3, 0.4]]  # norms 5 and 0.5
    a, b = sgd_step(SGD(1.0, clipnorm=1.0), w, g)
    np.testing.assert_allclose(a, [-0.6, -0.8], rtol=1e-6)
    np.testing.assert_allclose(b, [-0.3, -0.4], rtol=1e-6)


def test_global_clipnorm_scales_all_gradients_together():
    w, g = [[0.0, 0.0], [0.0]], [[3.0, 4.0], [12.0]]  # joint norm 13
    a, b = sgd_step(SGD(1.0, global_clipnorm=2.6), w, g)
    np.testing.assert_allclose(a, [-0.6, -0.8], rtol=1e-6)
    np.testing.assert_allclose(b, [-2.4], rtol=1e-6)
    (c,) = sgd_step(SGD(1.0, global_clipnorm=1.0), [[0.0, 0.0]], [[np.inf, 1.0]])
    assert np.isnan(c).all()  # Keras: a non-finite norm poisons the step


def test_clipvalue_clips_elementwise():
    (a,) = sgd_step(SGD(1.0, clipvalue=0.5), [[0.0, 0.0, 0.0]], [[2.0, -3.0, 0.1]])
    np.testing.assert_allclose(a, [-0.5, 0.5, -0.1], rtol=1e-6)


def test_weight_decay_is_decoupled_and_respects_exclusions():
    opt = SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    kernel = Variable(np.array([2.0, -4.0], dtype=np.float32), name="kernel")
    bias = Variable(np.array([2.0], dtype=np.float32), name="bias")
    opt.apply([np.array([1.0, 1.0], np.float32), np.array([1.0], np.float32)], [kernel, bias])
    # w - w * wd * lr - lr * g
    np.testing.assert_allclose(kernel.numpy(), [2 - 0.1 - 0.1, -4 + 0.2 - 0.1], rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), [2 - 0.1], rtol=1e-6)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


# -- the base loop ----------------------------------------------------------------------------
def test_schedule_is_evaluated_at_iterations():
    lr = schedules.PiecewiseConstantDecay([1], [1.0, 0.1])
    opt = SGD(lr)
    w = Variable(np.zeros(1, np.float32))
    rates = []
    for _ in range(3):
        rates.append(float(opt.learning_rate))
        opt.apply([np.ones(1, np.float32)], [w])
    assert rates == [1.0, 1.0, 0.1] and opt.iterations == 3
    np.testing.assert_allclose(w.numpy(), [-2.1], rtol=1e-6)
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate = 0.5
    opt.learning_rate = schedules.ExponentialDecay(1.0, 1, 0.5)
    assert opt.learning_rate == 0.125


def test_setting_a_float_learning_rate_is_used_next_step():
    opt, w = SGD(1.0), Variable(np.zeros(1, np.float32))
    opt.apply([np.ones(1, np.float32)], [w])
    opt.learning_rate = 0.25
    opt.apply([np.ones(1, np.float32)], [w])
    assert opt.learning_rate == 0.25
    np.testing.assert_allclose(w.numpy(), [-1.25])


def test_scale_learning_rate_for_floats_and_schedules():
    opt = SGD(0.5)
    opt.scale_learning_rate(0.1)
    assert opt.learning_rate == pytest.approx(0.05)
    sched = Adam(schedules.ExponentialDecay(1.0, 1, 0.5))
    w = Variable(np.zeros(1, np.float32))
    sched.apply([np.ones(1, np.float32)], [w])
    sched.scale_learning_rate(0.1)
    assert sched.learning_rate == pytest.approx(0.05)  # schedule(1) * 0.1: the schedule runs on
    again = Adam.from_config(sched.get_config())
    again.set_state(sched.get_state())
    assert again.learning_rate == sched.learning_rate
    with pytest.raises(ValueError, match="factor"):
        opt.scale_learning_rate(0.0)


def test_none_gradient_skips_the_variable_and_its_slots():
    w0, grads = make_problem()
    grads[1][0] = None
    ours = run_ours(Adam(0.01), w0, grads)
    # reference: variable 0 alone sees steps 1 and 3; bias correction uses the global count
    ref, r = Adam(0.01), Variable(w0[0].copy())
    ref.apply([grads[0][0]], [r])
    state = ref.get_state()
    state["iterations"] = 2
    ref.set_state(state)
    ref.apply([grads[2][0]], [r])
    np.testing.assert_array_equal(ours[0], r.numpy())
    with pytest.raises(ValueError, match="no gradients"):
        Adam().apply([None], [Variable(np.zeros(2, np.float32))])


@pytest.mark.numpy_semantics("checks the identity of the views' NumPy base array")
def test_variables_are_views_of_one_buffer_and_rebinding_is_adopted():
    opt = SGD(1.0)
    a, b = Variable(np.zeros((2, 2), np.float32)), Variable(np.zeros(3, np.float32))
    opt.build([a, b])
    assert a.data.base is not None and a.data.base is b.data.base  # one flat buffer
    held = a.data
    opt.apply([np.ones((2, 2), np.float32), np.ones(3, np.float32)], [a, b])
    np.testing.assert_array_equal(held, -np.ones((2, 2)))  # readers of .data see the update
    a.data = np.full((2, 2), 5.0, np.float32)  # set_weights-style rebinding
    opt.apply([np.ones((2, 2), np.float32), np.ones(3, np.float32)], [a, b])
    np.testing.assert_array_equal(a.numpy(), np.full((2, 2), 4.0))


def test_new_variables_repack_keeping_known_state():
    w0, grads = make_problem()
    opt = Adam(0.01)
    vs = [Variable(w.copy()) for w in w0]
    opt.apply(grads[0][:2], vs[:2])
    opt.apply(grads[1][:1], vs[:1])  # variable 1 set aside: its slots are parked
    opt.apply(grads[2], vs)  # variable 1 back, variable 2 new
    # reference: the same sequence with None for the absent gradients
    ref = Adam(0.01)
    rv = [Variable(w.copy()) for w in w0]
    ref.build(rv)
    ref.apply(grads[0][:2] + [None], rv)
    ref.apply(grads[1][:1] + [None, None], rv)
    ref.apply(grads[2], rv)
    for a, b in zip(vs, rv):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_mixed_dtypes_pack_per_dtype():
    w0, grads = make_problem()
    w0[1] = w0[1].astype(np.float64)
    ours = run_ours(Adam(0.01), w0, grads)
    alone = run_ours(Adam(0.01), [w0[1]], [[g[1]] for g in grads])
    assert ours[1].dtype == np.float64
    np.testing.assert_array_equal(ours[1], alone[0])


def test_constraint_is_applied_after_the_step():
    w = Variable(np.array([0.5, -0.5], np.float32), constraint=lambda x: np.maximum(x, 0.0))
    SGD(1.0).apply([np.array([1.0, 1.0], np.float32)], [w])
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])


ALL = [lambda: SGD(0.1, momentum=0.9, nesterov=True), lambda: Adagrad(0.1),
       lambda: RMSprop(0.01, momentum=0.5, centered=True), lambda: Adam(0.01, amsgrad=True),
       lambda: AdamW(0.01), lambda: Nadam(0.01), lambda: Adamax(0.01)]


@pytest.mark.parametrize("make", ALL, ids=[type(m()).__name__ for m in ALL])
def test_state_round_trip_continues_bitwise(make):
    w0, grads = make_problem(steps=6)
    first = make()
    vs = [Variable(w.copy()) for w in w0]
    for gs in grads[:3]:
        first.apply(gs, vs)
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v)
             for k, v in first.get_state().items()}
    assert state["iterations"] == 3
    second = type(first).from_config(first.get_config())
    second.set_state(state)  # before build: applied when it builds
    copies = [Variable(v.numpy().copy()) for v in vs]
    for gs in grads[3:]:
        first.apply(gs, vs)
        second.apply(gs, copies)
    for a, b in zip(vs, copies):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert first.get_state().keys() == second.get_state().keys()


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_state_saved_with_normalised_moments_still_loads(amsgrad):
    """States written before Adam kept decayed sums: momentum = (1 - beta_1) * gradient_sum,
    velocity = (1 - beta_2) * square_sum; loading one continues the same training."""
    w0, grads = make_problem(steps=6, seed=3)
    first = Adam(0.01, beta_1=0.8, beta_2=0.99, amsgrad=amsgrad)
    vs = [Variable(w.copy()) for w in w0]
    for gs in grads[:3]:
        first.apply(gs, vs)
    old = {}
    for key, value in first.get_state().items():
        name, _, index = key.partition("/")
        if name == "gradient_sum":
            old[f"momentum/{index}"] = value * np.float32(0.2)
        elif name in ("square_sum", "square_sum_max"):
            hat = "_hat" if name == "square_sum_max" else ""
            old[f"velocity{hat}/{index}"] = value * np.float32(0.01)
        else:
            old[key] = value
    assert "gradient_sum/0" not in old and "momentum/0" in old
    second = Adam(0.01, beta_1=0.8, beta_2=0.99, amsgrad=amsgrad)
    copies = [Variable(v.numpy().copy()) for v in vs]
    second.build(copies)
    second.set_state(old)
    for key, value in first.get_state().items():
        np.testing.assert_allclose(second.get_state()[key], value, rtol=1e-6)
    for gs in grads[3:]:
        first.apply(gs, vs)
        second.apply(gs, copies)
    for a, b in zip(vs, copies):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)


def test_set_state_rejects_a_mismatched_state():
    opt = Adam()
    opt.build([Variable(np.zeros(2, np.float32))])
    with pytest.raises(ValueError, match="missing"):
        opt.set_state({"iterations": 1})
    state = opt.get_state()
    state["gradient_sum/0"] = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="shape"):
        opt.set_state(state)


# -- names, config and validation -------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("SGD", SGD), ("adagrad", Adagrad),
                                       ("rmsprop", RMSprop), ("adam", Adam), ("Adam", Adam),
                                       ("adamw", AdamW), ("nadam", Nadam), ("adamax", Adamax)])
def test_get_returns_a_new_instance_with_keras_defaults(name, cls):
    a, b = optimizers.get(name), optimizers.get(name)
    assert type(a) is cls and a is not b
    assert a.learning_rate == (0.01 if cls is SGD else 0.001)
    assert optimizers.get(a) is a


@pytest.mark.parametrize("make", ALL, ids=[type(m()).__name__ for m in ALL])
def test_config_round_trip(make):
    opt = make()
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is type(opt) and again.get_config() == opt.get_config()


def test_schedule_survives_config():
    opt = Adam(schedules.CosineDecay(0.1, 100, alpha=0.1), clipnorm=1.0)
    again = Adam.from_config(opt.get_config())
    assert isinstance(again._learning_rate, schedules.CosineDecay)
    assert again.get_config() == opt.get_config()


@pytest.mark.parametrize("call, error, match", [
    (lambda: optimizers.get("adamm"), ValueError, "Did you mean 'adam'"),
    (lambda: optimizers.get(3), ValueError, "Valid names"),
    (lambda: Adam(learning_rate=-1.0), ValueError, "learning_rate"),
    (lambda: Adam(learning_rate="fast"), TypeError, "learning_rate"),
    (lambda: SGD(momentum=1.5), ValueError, "momentum"),
    (lambda: Adam(beta_1=1.0), ValueError, "beta_1"),
    (lambda: RMSprop(rho=-0.1), ValueError, "rho"),
    (lambda: Adagrad(initial_accumulator_value=-1.0), ValueError, "initial_accumulator_value"),
    (lambda: SGD(clipnorm=1.0, clipvalue=1.0), ValueError, "only one of"),
    (lambda: SGD(clipnorm=0.0), ValueError, r"SGD: clipnorm must be > 0.0, got clipnorm=0.0"),
    (lambda: AdamW(weight_decay=None), ValueError, "weight_decay=None; use Adam"),
    (lambda: Adam(amsgrad=1), TypeError, "Adam: amsgrad must be True or False, got amsgrad=1"),
    (lambda: SGD(weight_decay=float("nan")), ValueError, "weight_decay must be a finite number"),
    (lambda: SGD(nesterov="yes"), TypeError, "nesterov"),
    (lambda: SGD().apply([np.zeros(2)], [Variable(np.zeros(3, np.float32))]), ValueError, "shape"),
    (lambda: SGD().apply([np.zeros(2), np.zeros(2)], [Variable(np.zeros(2, np.float32))]),
     ValueError, "2 gradients for 1 variables"),
    (lambda: SGD().apply([np.zeros(2)]), ValueError, "pass the variables"),
    (lambda: SGD().build([Variable(np.zeros(2, np.int64))]), TypeError, "float Variable"),
])
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- learning sanity --------------------------------------------------------------------------
SANITY = [(SGD, 0.5), (Adagrad, 0.5), (RMSprop, 0.05), (Adam, 0.05), (AdamW, 0.05),
          (Nadam, 0.05), (Adamax, 0.1)]


@pytest.mark.parametrize("cls, lr", SANITY, ids=[c.__name__ for c, _ in SANITY])
def test_fits_linearly_separable_data(cls, lr):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((400, 5)).astype(np.float32)
    score = x @ rng.standard_normal(5)
    x, score = x[np.abs(score) > 0.5][:200], score[np.abs(score) > 0.5][:200]  # a margin
    y = (score > 0).astype(np.float32).reshape(-1, 1)
    w = Variable(np.zeros((5, 1), np.float32), name="kernel")
    b = Variable(np.zeros(1, np.float32), name="bias")
    opt = cls(learning_rate=lr)
    for _ in range(150):
        p = F.clip(F.dense(x, w, b, activation="sigmoid"), 1e-7, 1 - 1e-7)
        loss = -F.mean(y * F.log(p) + (1 - y) * F.log(1 - p))
        w.grad = b.grad = None
        loss.backward()
        opt.apply([w.grad, b.grad], [w, b])
    accuracy = (((x @ w.numpy() + b.numpy()) > 0) == (y > 0.5)).mean()
    assert accuracy == 1.0


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_stays_within_float32_rounding_of_pytorch_over_five_steps(amsgrad):
    # epsilon 1e-10 leaves the epsilon placement (Keras's against PyTorch's) out of it, so
    # what differs is rounding: Adam's decayed sums must not lose precision against the
    # normalised moments (the reviewer measured 1.05e-5 of the largest weight; Keras 3 7e-7)
    worst = 0.0
    for seed in range(4):
        w0, grads = make_problem(seed=seed, steps=5)
        ours = run_ours(Adam(0.001, epsilon=1e-10, amsgrad=amsgrad), w0, grads)
        ref = run_torch(torch.optim.Adam, {"lr": 0.001, "eps": 1e-10, "amsgrad": amsgrad}, w0,
                        grads)
        largest = max(np.abs(w).max() for w in w0)
        worst = max(worst, max(np.abs(a - b).max() for a, b in zip(ours, ref)) / largest)
    assert worst < 1e-6


def test_adam_through_fit_stays_within_float32_rounding_of_pytorch():
    # the same network and batches in both, gradients from each engine's own backward
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6)).astype(np.float32)
    y = rng.standard_normal((64, 1)).astype(np.float32)
    w1, w2 = rng.standard_normal((6, 8)).astype(np.float32), \
        rng.standard_normal((8, 1)).astype(np.float32)
    import neurona as keras

    model = keras.Sequential([keras.layers.Dense(8, activation="tanh", input_shape=[6]),
                              keras.layers.Dense(1)])
    model.set_weights([w1, np.zeros(8, np.float32), w2, np.zeros(1, np.float32)])
    model.compile(optimizer=Adam(0.001, epsilon=1e-10), loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)  # 4 steps
    model.fit(x[:16], y[:16], batch_size=16, epochs=1, shuffle=False, verbose=0)  # a 5th
    net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(w1.T))
        net[0].bias.zero_()
        net[2].weight.copy_(torch.tensor(w2.T))
        net[2].bias.zero_()
    opt = torch.optim.Adam(net.parameters(), lr=0.001, eps=1e-10)
    for start in (0, 16, 32, 48, 0):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(torch.tensor(x[start:start + 16])),
                                            torch.tensor(y[start:start + 16]))
        loss.backward()
        opt.step()
    ours = model.get_weights()
    theirs = [net[0].weight.detach().numpy().T, net[0].bias.detach().numpy(),
              net[2].weight.detach().numpy().T, net[2].bias.detach().numpy()]
    largest = max(np.abs(w).max() for w in (w1, w2))
    assert max(np.abs(a - b).max() for a, b in zip(ours, theirs)) / largest < 1e-6
