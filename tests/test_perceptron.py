"""The course's perceptron rule."""

import numpy as np
import pytest

from neurona.perceptron import Perceptron, step


def test_step_is_heaviside():
    assert step([-1.0, 0.0, 0.5]).tolist() == [0, 0, 1]


def test_updates_follow_w_plus_eta_e_x_exactly():
    # one epoch by hand on two samples with eta = 0.5, starting from zero weights:
    # x1=(1, 2), y=1: z=0 -> step 0, e=1 -> w=(0.5, 1), b=0.5
    # x2=(2, 1), y=0: z=0.5*2+1*1+0.5=2.5 -> step 1, e=-1 -> w=(-0.5, 0.5), b=0
    p = Perceptron(learning_rate=0.5, max_epochs=1).fit(np.array([[1.0, 2.0], [2.0, 1.0]]), [1, 0])
    np.testing.assert_allclose(p.coef_, [-0.5, 0.5])
    assert p.intercept_ == 0.0
    assert p.errors_ == [2]


@pytest.mark.parametrize("eta", [0.01, 1.0, 10.0])
def test_converges_on_linearly_separable_data(eta):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (200, 3))
    y = np.where(x @ np.array([1.0, -2.0, 0.5]) + 0.1 > 0, "yes", "no")
    p = Perceptron(learning_rate=eta, max_epochs=1000, shuffle=True, seed=0).fit(x, y)
    assert p.converged_ and p.errors_[-1] == 0
    assert p.score(x, y) == 1.0
    assert set(p.predict(x)) == {"yes", "no"}


def test_never_converges_on_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    p = Perceptron(max_epochs=50).fit(x, [0, 1, 1, 0])
    assert not p.converged_ and p.n_epochs_ == 50 and min(p.errors_) > 0


def test_bad_input():
    with pytest.raises(ValueError, match="exactly two classes"):
        Perceptron().fit(np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        Perceptron(learning_rate=0)
    with pytest.raises(ValueError, match="NaN"):
        Perceptron().fit(np.array([[np.nan, 1.0], [0.0, 1.0]]), [0, 1])
    with pytest.raises(RuntimeError, match="call fit"):
        Perceptron().predict(np.zeros((1, 2)))
