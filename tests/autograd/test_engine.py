"""Backward visits every function after all of its consumers, whatever the order of the
inputs: a value reached through a short and a long path gets both gradients first."""

import numpy as np
import pytest

import neurona.functions as F
from neurona.autograd import Tensor


@pytest.mark.parametrize("short_path_first", [True, False])
def test_a_value_used_by_a_short_and_a_long_path(short_path_first, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4))
    xt = Tensor(x, requires_grad=True)
    c = F.subtract(xt, F.mean(xt, axis=1, keepdims=True))
    long = F.square(F.exp(c))
    out = F.add(c, long) if short_path_first else F.add(long, c)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref_x = torch.tensor(x, requires_grad=True)
    ref_c = ref_x - ref_x.mean(dim=1, keepdim=True)
    (ref_c + torch.exp(ref_c) ** 2).backward(torch.tensor(upstream))
    np.testing.assert_allclose(xt.grad, ref_x.grad.numpy(), rtol=1e-12)


def test_equality_compares_elementwise_and_tensors_stay_hashable():
    a, b = Tensor(np.array([1.0, 2.0, 3.0])), Tensor(np.array([1.0, 0.0, 3.0]))
    np.testing.assert_array_equal(a == b, [True, False, True])
    np.testing.assert_array_equal(a != b, [False, True, False])
    np.testing.assert_array_equal(a == 2.0, [False, True, False])
    assert len({a, b, a}) == 2  # hashed by identity


def test_the_guides_true_positives_metric_counts_with_equality(rng):
    # keras.io "training & evaluation with built-in methods": CategoricalTruePositives
    import neurona as keras
    from neurona import ops

    class CategoricalTruePositives(keras.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
            self.true_positives.assign_add(ops.sum(ops.cast(values, "float32")))

        def result(self):
            return self.true_positives.value

    metric = CategoricalTruePositives()
    y_true = np.array([[0], [1], [2], [1]])
    y_pred = np.eye(3)[[0, 2, 2, 1]]
    metric.update_state(y_true, y_pred)
    assert float(metric.result()) == 3.0
