"""keras.random (neurona.random): distributions' moments, shapes and dtypes, reproducibility
under set_random_seed and SeedGenerator, and Keras's argument names."""

import inspect

import numpy as np
import pytest

import neurona as keras
from neurona import Tensor, random
from neurona.autograd import gradcheck

N = 20000


def _moments(t):
    x = t.numpy().astype(np.float64)
    return x.mean(), x.std()


def test_normal():
    t = random.normal((N,), mean=2.0, stddev=3.0, seed=0)
    assert isinstance(t, Tensor) and t.shape == (N,) and t.dtype.name == "float32"
    mean, std = _moments(t)
    assert abs(mean - 2.0) < 4 * 3.0 / np.sqrt(N) and abs(std - 3.0) < 0.05
    assert random.normal((2, 3), dtype="float64").dtype.name == "float64"
    assert random.normal((2,), dtype="float16").dtype.name == "float16"


def test_uniform():
    t = random.uniform((N,), minval=-1.0, maxval=3.0, seed=1).numpy()
    assert t.min() >= -1.0 and t.max() < 3.0
    assert abs(t.mean() - 1.0) < 0.05 and abs(t.var() - 16 / 12) < 0.05


def test_truncated_normal():
    t = random.truncated_normal((N,), mean=1.0, stddev=2.0, seed=2).numpy()
    assert np.abs(t - 1.0).max() <= 4.0
    # the standard normal cut at +-2 has standard deviation 0.8796
    assert abs(t.std() / 2.0 - 0.8796) < 0.02 and abs(t.mean() - 1.0) < 0.05


def test_randint():
    t = random.randint((N,), 3, 8, seed=3)
    assert t.dtype.name == "int32"
    counts = np.bincount(t.numpy() - 3, minlength=5)
    assert t.numpy().min() == 3 and t.numpy().max() == 7
    assert np.abs(counts / N - 0.2).max() < 0.02
    assert random.randint((2,), 0, 2, dtype="int64").dtype.name == "int64"
    with pytest.raises(ValueError, match="maxval"):
        random.randint((2,), 5, 5)


def test_dropout():
    x = np.ones((N,), "float32")
    y = random.dropout(x, 0.25, seed=4).numpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    column = random.dropout(np.ones((50, 4), "float32"), 0.5, noise_shape=(1, 4), seed=5).numpy()
    assert (column == column[:1]).all()  # one mask for every row
    assert gradcheck(lambda t: random.dropout(t, 0.5, seed=6), [np.linspace(-1, 1, 10)])


def test_shuffle():
    x = np.arange(30.0).reshape(10, 3)
    rows = random.shuffle(x, seed=7).numpy()
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x)) and not np.array_equal(rows, x)
    cols = random.shuffle(x, axis=1, seed=7).numpy()
    assert (np.sort(cols, axis=1) == x).all()
    assert gradcheck(lambda t: random.shuffle(t, seed=8), [x])
    with pytest.raises(ValueError, match="axis"):
        random.shuffle(x, axis=2)


def test_categorical():
    logits = np.log(np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]]))
    t = random.categorical(logits, 5000, seed=9)
    assert t.shape == (2, 5000) and t.dtype.name == "int32"
    for row, probs in zip(t.numpy(), np.exp(logits)):
        assert np.abs(np.bincount(row, minlength=3) / 5000 - probs).max() < 0.03
    with pytest.raises(ValueError, match="2-D"):
        random.categorical(logits[0], 3)


def test_gamma_binomial_beta():
    g = random.gamma((N,), alpha=3.0, seed=10).numpy()
    assert abs(g.mean() - 3.0) < 0.1 and abs(g.var() - 3.0) < 0.2
    b = random.binomial((N,), counts=10, probabilities=0.3, seed=11).numpy()
    assert b.dtype == np.float32 and abs(b.mean() - 3.0) < 0.05 and abs(b.var() - 2.1) < 0.1
    be = random.beta((N,), alpha=2.0, beta=5.0, seed=12).numpy()
    assert abs(be.mean() - 2 / 7) < 0.01 and ((be > 0) & (be < 1)).all()


def test_set_random_seed_reproduces_unseeded_draws():
    def draws():
        keras.utils.set_random_seed(123)
        gen = random.SeedGenerator()
        return [random.normal((3,)).numpy(), random.uniform((3,)).numpy(),
                random.normal((3,), seed=gen).numpy(), random.shuffle(np.arange(5.0)).numpy()]

    first, second = draws(), draws()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], random.normal((3,)).numpy())


def test_int_seeds_repeat_and_seed_generators_advance():
    np.testing.assert_array_equal(random.normal((4,), seed=5).numpy(),
                                  random.normal((4,), seed=5).numpy())
    gen = random.SeedGenerator(5)
    a, b = random.normal((4,), seed=gen).numpy(), random.normal((4,), seed=gen).numpy()
    assert not np.array_equal(a, b)
    again = random.SeedGenerator(5)
    np.testing.assert_array_equal(random.normal((4,), seed=again).numpy(), a)
    np.testing.assert_array_equal(random.normal((4,), seed=again).numpy(), b)


def test_seed_generator_state_and_config():
    gen = random.SeedGenerator(42, name="noise")
    assert gen.state.numpy().tolist() == [42, 0] and not gen.state.trainable
    assert gen.next().numpy().tolist() == [42, 0]
    assert gen.state.numpy().tolist() == [42, 1]
    state = gen.next(ordered=False)
    assert state.numpy().tolist() == [42, 1] and gen.state.numpy().tolist() != [42, 2]
    # a state from next() is a seed too: the same state, the same draws
    np.testing.assert_array_equal(random.normal((3,), seed=state).numpy(),
                                  random.normal((3,), seed=state).numpy())
    clone = random.SeedGenerator.from_config(gen.get_config())
    assert clone.name == "noise" and clone.state.numpy().tolist() == [42, 0]
    with pytest.raises(ValueError, match="seed"):
        random.SeedGenerator(-1)
    with pytest.raises(ValueError, match="seed"):
        random.SeedGenerator(1.5)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="dtype"):
        random.normal((2,), dtype="int32")
    with pytest.raises(ValueError, match="dtype"):
        random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="dtype"):
        random.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(TypeError, match="seed"):
        random.normal((2,), seed="abc")
    with pytest.raises(ValueError, match="seed"):
        random.normal((2,), seed=-3)
    with pytest.raises(ValueError, match="negative"):
        random.normal((2, -1))
    with pytest.raises(TypeError, match="shape"):
        random.normal("two")


def test_argument_names_match_keras():
    from tests import keras_reference

    reference = keras_reference.start()
    if reference is None:
        pytest.skip("Keras 3 with JAX (and cloudpickle) is needed for this reference")
    try:
        for name in ("normal", "uniform", "truncated_normal", "randint", "dropout", "shuffle",
                     "categorical", "gamma", "binomial", "beta", "SeedGenerator"):
            ours = [(p.name, int(p.kind), p.default if p.default is not inspect.Parameter.empty
                     else "<required>")
                    for p in inspect.signature(getattr(random, name)).parameters.values()]
            theirs = [tuple(p) for p in reference.signature(f"random.{name}")]
            if name == "SeedGenerator":  # Keras takes **kwargs for its backend= option only
                theirs = theirs[:2]
            assert ours == theirs, name
    finally:
        reference.close()
