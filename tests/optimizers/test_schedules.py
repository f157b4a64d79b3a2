"""Learning-rate schedules against closed forms and PyTorch's equivalent schedulers."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from neurona.optimizers import schedules  # noqa: E402
from neurona.optimizers.schedules import (CosineDecay, CosineDecayRestarts,  # noqa: E402
                                          ExponentialDecay, InverseTimeDecay,
                                          PiecewiseConstantDecay, PolynomialDecay)


def torch_rates(make_scheduler, steps, lr=1.0):
    """Rates of a torch scheduler at steps 0..steps-1 (one optimizer step per scheduler step)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make_scheduler(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates)


def rates(schedule, steps):
    return np.array([schedule(s) for s in range(steps)])


def test_exponential_decay():
    s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    for step in (0, 3, 10, 25):
        assert s(step) == pytest.approx(0.1 * 0.5 ** (step / 10), rel=1e-12)
    stair = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert [stair(s) for s in (0, 9, 10, 19, 20)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    ref = torch_rates(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 30)
    np.testing.assert_allclose(rates(ExponentialDecay(1.0, 1, 0.9), 30), ref, rtol=1e-12)


def test_piecewise_constant_boundaries_are_inclusive_on_the_left_piece():
    s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(x) for x in (0, 10, 11, 20, 21, 1000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]


def test_polynomial_decay():
    s = PolynomialDecay(1.0, 10, end_learning_rate=0.1, power=2.0)
    for step in (0, 4, 10, 15):
        expected = 0.9 * (1 - min(step, 10) / 10) ** 2 + 0.1
        assert s(step) == pytest.approx(expected, rel=1e-12)
    cyc = PolynomialDecay(1.0, 10, end_learning_rate=0.0, cycle=True)
    # decay_steps grows to the first multiple >= step: 15 -> 20, 20 -> 20, 0 -> 10
    assert [cyc(x) for x in (0, 5, 15, 20)] == pytest.approx([1.0, 0.5, 0.25, 0.0])
    ref = torch_rates(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=10,
                                                                      power=1.0), 15)
    np.testing.assert_allclose(rates(PolynomialDecay(1.0, 10, end_learning_rate=0.0), 15), ref,
                               atol=1e-12)


def test_inverse_time_decay():
    s = InverseTimeDecay(1.0, decay_steps=2, decay_rate=0.5)
    assert s(4) == pytest.approx(1 / (1 + 0.5 * 2))
    assert s(3) == pytest.approx(1 / (1 + 0.5 * 1.5))
    stair = InverseTimeDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
    assert stair(3) == pytest.approx(1 / (1 + 0.5 * 1))


def test_cosine_decay_and_warmup():
    s = CosineDecay(2.0, decay_steps=100, alpha=0.1)
    ref = torch_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=100,
                                                                           eta_min=0.2),
                      101, lr=2.0)
    np.testing.assert_allclose(rates(s, 101), ref, rtol=1e-9)
    assert s(500) == pytest.approx(0.2)  # held at alpha * initial after decay_steps
    w = CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=5)
    assert [w(x) for x in (0, 1, 5)] == pytest.approx([0.0, 0.2, 1.0])
    assert w(10) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))
    assert w(100) == pytest.approx(0.0, abs=1e-12)


def test_cosine_decay_restarts_matches_torch_warm_restarts():
    s = CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, alpha=0.1)
    ref = torch_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=0.1), 100)
    np.testing.assert_allclose(rates(s, 100), ref, rtol=1e-9, atol=1e-12)
    flat = CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=1.0, m_mul=0.5)
    assert [flat(x) for x in (0, 5, 10, 20)] == pytest.approx([1.0, 0.5, 0.5, 0.25])


ALL = [ExponentialDecay(0.1, 10, 0.9, staircase=True), PiecewiseConstantDecay([5], [1.0, 0.1]),
       PolynomialDecay(0.1, 100, power=0.5, cycle=True), InverseTimeDecay(0.1, 5, 0.5),
       CosineDecay(0.1, 100, alpha=0.1, warmup_target=1.0, warmup_steps=10),
       CosineDecayRestarts(0.1, 20, t_mul=1.5, m_mul=0.9, alpha=0.01)]


@pytest.mark.parametrize("schedule", ALL, ids=[type(s).__name__ for s in ALL])
def test_serialization_round_trip(schedule):
    again = schedules.deserialize(schedules.serialize(schedule))
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(s) for s in range(0, 200, 7)] == [schedule(s) for s in range(0, 200, 7)]


@pytest.mark.parametrize("call, match", [
    (lambda: ExponentialDecay(0.1, 0, 0.5), "decay_steps must be > 0.0, got decay_steps=0"),
    (lambda: PolynomialDecay(0.1, -5), "decay_steps must be > 0.0, got decay_steps=-5"),
    (lambda: CosineDecay(0.1, 0), "decay_steps must be > 0"),
    (lambda: CosineDecayRestarts(0.1, 0), "first_decay_steps must be > 0"),
    (lambda: PiecewiseConstantDecay([1, 2], [1.0, 0.5]), "one more entry"),
    (lambda: PiecewiseConstantDecay([2, 1], [1.0, 0.5, 0.1]), "must increase"),
    (lambda: ExponentialDecay("0.1", 10, 0.5), "initial_learning_rate must be a finite"),
    (lambda: ExponentialDecay(0.1, 10, 0.5)(-1), r"step must be >= 0.0, got step=-1"),
    (lambda: schedules.deserialize({"class_name": "CosineDecayy", "config": {}}),
     "Did you mean 'CosineDecay'"),
])
def test_bad_arguments_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
