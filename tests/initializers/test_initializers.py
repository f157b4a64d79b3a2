"""Initializers: statistics against Keras's closed forms, structure, seeds, names, errors."""

import math

import numpy as np
import pytest

from neurona import initializers
from neurona.initializers import (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform,
                                  Identity, LecunNormal, LecunUniform, Ones, Orthogonal,
                                  RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
                                  Zeros, compute_fans)
from neurona.random import make_generator, set_random_seed

TRUNC_STD = 0.87962566103423978  # std of a standard normal truncated at +-2


def test_fans_follow_keras_rules():
    assert compute_fans(()) == (1, 1)
    assert compute_fans((7,)) == (7, 7)
    assert compute_fans((30, 64)) == (30, 64)
    assert compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)  # receptive field x channels
    assert compute_fans((5, 4, 8)) == (5 * 4, 5 * 8)


# (initializer, scale, mode, uniform?) on a conv kernel: fan_in 144, fan_out 288
SHAPE = (3, 3, 16, 32)
FANS = {"fan_in": 144, "fan_out": 288, "fan_avg": 216}
PRESETS = [(GlorotUniform, 1.0, "fan_avg", True), (GlorotNormal, 1.0, "fan_avg", False),
           (HeUniform, 2.0, "fan_in", True), (HeNormal, 2.0, "fan_in", False),
           (LecunUniform, 1.0, "fan_in", True), (LecunNormal, 1.0, "fan_in", False)]


@pytest.mark.parametrize("cls, scale, mode, uniform", PRESETS, ids=[p[0].__name__ for p in PRESETS])
def test_variance_presets_match_closed_forms(cls, scale, mode, uniform):
    w = cls(seed=1)((40,) + SHAPE[1:]).astype(np.float64)  # 40*3*16*32 = 61k draws
    fan_in, fan_out = compute_fans((40,) + SHAPE[1:])
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    std = math.sqrt(scale / fan)  # Keras keeps the variance scale / fan in every variant
    assert abs(w.mean()) < 0.02 * std
    assert w.std() == pytest.approx(std, rel=0.02)
    if uniform:
        limit = math.sqrt(3 * scale / fan)
        assert w.min() >= -limit and w.max() <= limit and w.max() > 0.99 * limit
    else:  # truncated at two standard deviations of the pre-truncation normal
        bound = 2 * std / TRUNC_STD
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["uniform", "untruncated_normal", "truncated_normal"])
def test_variance_scaling_modes_and_distributions(mode, distribution):
    w = VarianceScaling(3.0, mode, distribution, seed=2)(SHAPE).astype(np.float64)
    assert w.std() == pytest.approx(math.sqrt(3.0 / FANS[mode]), rel=0.03)
    if distribution == "untruncated_normal":  # tails beyond 2 sd are present
        assert np.abs(w).max() > 2.5 * math.sqrt(3.0 / FANS[mode])


def test_random_normal_uniform_and_truncated_statistics():
    n = (400, 250)
    w = RandomNormal(mean=1.0, stddev=2.0, seed=0)(n)
    assert w.mean() == pytest.approx(1.0, abs=0.02) and w.std() == pytest.approx(2.0, rel=0.01)
    w = RandomUniform(-1.0, 3.0, seed=0)(n)
    assert w.min() >= -1.0 and w.max() < 3.0
    assert w.mean() == pytest.approx(1.0, abs=0.01)
    assert w.std() == pytest.approx(4 / math.sqrt(12), rel=0.01)
    w = TruncatedNormal(mean=0.5, stddev=0.1, seed=0)(n)
    assert np.abs(w - 0.5).max() <= 0.2 + 1e-7
    assert w.std() == pytest.approx(0.1 * TRUNC_STD, rel=0.01)
    d = RandomNormal()((1000, 100))  # Keras default stddev 0.05
    assert d.std() == pytest.approx(0.05, rel=0.01)
    d = RandomUniform()((1000, 100))
    assert d.min() >= -0.05 and d.max() < 0.05


@pytest.mark.parametrize("shape", [(50, 30), (30, 50), (3, 3, 4, 8), (16, 16)])
def test_orthogonal_is_orthogonal(shape):
    w = Orthogonal(gain=2.0, seed=0)(shape).astype(np.float64)
    assert w.shape == shape
    m = w.reshape(-1, shape[-1]) / 2.0
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, np.eye(gram.shape[0]), atol=1e-5)


def test_identity_constant_zeros_ones():
    np.testing.assert_array_equal(Identity(gain=3.0)((2, 3)), [[3, 0, 0], [0, 3, 0]])
    np.testing.assert_array_equal(Constant(0.25)((2, 2)), np.full((2, 2), 0.25))
    np.testing.assert_array_equal(Constant([1.0, 2.0])((2, 2)), [[1, 2], [1, 2]])
    assert Zeros()((3,), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(Ones()((2,)), [1.0, 1.0])


def test_dtype_and_host_array():
    w = GlorotUniform(seed=0)((4, 4))
    assert isinstance(w, np.ndarray) and w.dtype == np.float32
    assert GlorotUniform(seed=0)((4, 4), dtype="float64").dtype == np.float64


def test_seeds_and_generators():
    a = HeNormal(seed=5)
    np.testing.assert_array_equal(a((10, 10)), a((10, 10)))  # seeded: same every call
    np.testing.assert_array_equal(a((10, 10)), HeNormal(seed=5)((10, 10)))
    assert not np.array_equal(a((10, 10)), HeNormal(seed=6)((10, 10)))
    b = HeNormal()
    np.testing.assert_array_equal(b((5, 5), rng=make_generator(3)),
                                  b((5, 5), rng=make_generator(3)))
    assert not np.array_equal(b((5, 5)), b((5, 5)))  # unseeded: fresh draws per call
    set_random_seed(11)
    first = b((5, 5))
    set_random_seed(11)
    np.testing.assert_array_equal(first, b((5, 5)))  # ...reproducible from the library seed


ALL = [Zeros(), Ones(), Constant(2.0), RandomNormal(0.1, 0.2, seed=1), RandomUniform(seed=2),
       TruncatedNormal(stddev=0.3), VarianceScaling(2.0, "fan_out", "normal", seed=3),
       GlorotUniform(seed=4), GlorotNormal(), HeUniform(), HeNormal(), LecunUniform(),
       LecunNormal(), Orthogonal(gain=0.5), Identity(gain=2.0)]


@pytest.mark.parametrize("init", ALL, ids=[type(i).__name__ for i in ALL])
def test_config_round_trip(init):
    again = initializers.deserialize(initializers.serialize(init))
    assert type(again) is type(init) and again.get_config() == init.get_config()
    np.testing.assert_array_equal(again((3, 3), rng=make_generator(0)),
                                  init((3, 3), rng=make_generator(0)))


@pytest.mark.parametrize("name, cls", [
    ("zeros", Zeros), ("ones", Ones), ("constant", Constant), ("random_normal", RandomNormal),
    ("random_uniform", RandomUniform), ("truncated_normal", TruncatedNormal),
    ("glorot_uniform", GlorotUniform), ("glorot_normal", GlorotNormal),
    ("he_uniform", HeUniform), ("he_normal", HeNormal), ("lecun_uniform", LecunUniform),
    ("lecun_normal", LecunNormal), ("orthogonal", Orthogonal), ("identity", Identity),
    ("variance_scaling", VarianceScaling), ("GlorotUniform", GlorotUniform),
    ("normal", RandomNormal), ("uniform", RandomUniform)])
def test_get_by_keras_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_other_identifiers():
    init = HeNormal(seed=1)
    assert initializers.get(init) is init
    assert type(initializers.get(HeNormal)) is HeNormal
    assert initializers.get(None) is None
    got = initializers.get({"class_name": "VarianceScaling", "config": {"scale": 2.0}})
    assert got.scale == 2.0
    with pytest.raises(ValueError, match="glorot_uniform"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(3)


@pytest.mark.parametrize("call, match", [
    (lambda: RandomNormal(stddev=-1.0), "stddev must be >= 0"),
    (lambda: TruncatedNormal(stddev=float("nan")), "stddev must be a finite number"),
    (lambda: RandomUniform(1.0, -1.0), "maxval must be >= minval"),
    (lambda: VarianceScaling(mode="fan_sum"), "mode must be one of .*, got mode='fan_sum'"),
    (lambda: VarianceScaling(distribution="cauchy"), "distribution must be one of .*, got distribution='cauchy'"),
    (lambda: VarianceScaling(scale=0.0), "scale must be > 0.0, got scale=0.0"),
    (lambda: HeNormal(seed=-1), "HeNormal: seed must be an integer >= 0 or None, got seed=-1"),
    (lambda: Orthogonal()((5,)), "at least 2 dimensions"),
    (lambda: Identity()((2, 2, 2)), "only 2-D shapes"),
    (lambda: GlorotUniform()((2, -1)), r"GlorotUniform: shape must be a tuple of integers >= 0, got shape=\(2, -1\)"),
    (lambda: GlorotUniform()((2, 2), dtype="int32"), "dtype must be a float dtype, got dtype='int32'"),
    (lambda: VarianceScaling(mode="fan_inn"), "Did you mean 'fan_in'"),
    (lambda: Constant([1.0, 2.0, 3.0])((2, 2)), "cannot fill shape"),
    (lambda: Constant("a"), "must be a number"),
])
def test_bad_arguments_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        HeNormal()((2, 2), rng=42)
