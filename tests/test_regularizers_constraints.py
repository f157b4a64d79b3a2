"""Weight penalties (L1, L2, elastic net) and constraints, with Keras's definitions."""

import numpy as np
import pytest

import neurona as keras
from neurona import constraints, layers, regularizers
from neurona.autograd import Tensor
from neurona.backend import get_ops


def test_penalty_values_match_keras_definitions():
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert regularizers.l1(0.1)(Tensor(w)).item() == pytest.approx(0.1 * 3.5)
    assert regularizers.l2(0.1)(Tensor(w)).item() == pytest.approx(0.1 * 5.25)
    both = regularizers.l1_l2(l1=0.1, l2=0.2)(Tensor(w)).item()
    assert both == pytest.approx(0.35 + 1.05)
    assert regularizers.get("elastic_net").get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.get("l2").l2 == 0.01
    with pytest.raises(ValueError, match=r"^L1: l1 must be >= 0.0, got l1=-1$"):
        regularizers.L1(-1)
    with pytest.raises(ValueError, match="L1L2: l2 must be a finite number, got l2='0.1'"):
        regularizers.L1L2(l2="0.1")


def test_penalty_gradients_flow_into_the_weight():
    w = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    regularizers.l1_l2(l1=0.1, l2=0.2)(w).backward()
    np.testing.assert_allclose(w.grad, 0.1 * np.sign([1.0, -2.0, 0.5]) + 0.4 * np.array([1.0, -2.0, 0.5]))


def test_kernel_penalty_is_part_of_the_training_loss():
    x = np.ones((4, 2), dtype="float32")
    y = np.zeros((4, 1), dtype="float32")
    model = keras.Sequential([layers.Dense(1, input_shape=[2], kernel_initializer="ones",
                                           kernel_regularizer=regularizers.l2(0.5),
                                           activity_regularizer="l1")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    data_loss = 4.0  # prediction 2 everywhere, target 0
    kernel_penalty = 0.5 * 2.0  # l2 * sum(w**2) over two ones
    activity_penalty = 0.01 * 8.0 / 4  # l1 * sum(|outputs|), divided by the batch size
    assert history.history["loss"][0] == pytest.approx(data_loss + kernel_penalty + activity_penalty)
    assert len(model.losses) == 2


def _project(constraint, w):
    """A constraint applied as the optimizer applies it: to the weight's backend array."""
    ops = get_ops()
    return ops.to_numpy(constraint(ops.asarray(np.array(w))))


@pytest.mark.parametrize("name, expected", [
    ("non_neg", [[0.0, 2.0], [3.0, 0.0]]),
    ("unit_norm", [[-1 / 10**0.5, 2 / 20**0.5], [3 / 10**0.5, -4 / 20**0.5]]),
])
def test_constraints_project_columns(name, expected):
    w = [[-1.0, 2.0], [3.0, -4.0]]
    np.testing.assert_allclose(_project(constraints.get(name), w), expected, rtol=1e-6)


def test_max_norm_and_min_max_norm():
    w = [[3.0, 0.3], [4.0, 0.4]]  # column norms 5 and 0.5
    np.testing.assert_allclose(_project(constraints.MaxNorm(2.0), w), [[1.2, 0.3], [1.6, 0.4]],
                               rtol=1e-6)
    np.testing.assert_allclose(_project(constraints.MinMaxNorm(1.0, 2.0), w),
                               [[1.2, 0.6], [1.6, 0.8]], rtol=1e-6)


def test_max_norm_over_several_axes_takes_the_norm_of_the_whole_block():
    w = np.array([[3.0, 0.3], [4.0, 0.4]])
    projected = _project(constraints.MaxNorm(2.0, axis=[0, 1]), w.tolist())
    np.testing.assert_allclose(projected, w * 2.0 / np.sqrt((w * w).sum()), rtol=1e-6)
    assert constraints.MaxNorm(2.0, axis=[0, 1]).get_config() == {"max_value": 2.0,
                                                                  "axis": (0, 1)}


@pytest.mark.parametrize("call, match", [
    (lambda: constraints.MaxNorm(-1.0), r"MaxNorm: max_value must be >= 0.0, got max_value=-1.0"),
    (lambda: constraints.MaxNorm("2"), r"MaxNorm: max_value must be a finite number, got "
                                       r"max_value='2'"),
    (lambda: constraints.UnitNorm(axis=1.5), r"UnitNorm: axis must be an integer \(an axis\), "
                                             r"got axis=1.5"),
    (lambda: constraints.MaxNorm(axis=[0, "1"]), r"MaxNorm: axis must be an integer"),
    (lambda: constraints.MinMaxNorm(2.0, 1.0), r"MinMaxNorm: max_value must be >= 2.0, got "
                                               r"max_value=1.0"),
    (lambda: constraints.MinMaxNorm(rate=1.5), r"MinMaxNorm: rate must be in \[0.0, 1.0\], got "
                                               r"rate=1.5"),
])
def test_constraint_arguments_are_checked(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_constraint_is_applied_after_each_step():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1)) * 10
    model = keras.Sequential([layers.Dense(1, input_shape=[3], kernel_constraint="non_neg")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    model.fit(x, y, epochs=3, verbose=0)
    assert (model.layers[0].kernel.numpy() >= 0).all()
