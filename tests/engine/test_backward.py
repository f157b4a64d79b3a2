"""The engine itself: recording modes, accumulation, freed graphs, seeds, gradient shapes and
the ownership of ``.grad``."""

import numpy as np
import pytest

import neurona.functions as F
from neurona import Tensor, Variable
from neurona.autograd import Function, enable_grad, is_grad_enabled, no_grad
from neurona.backend import get_ops
from neurona.optimizers import SGD


def _leaf(values):
    return Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# -- recording modes -------------------------------------------------------------------------
def test_no_grad_nests_and_enable_grad_reopens_recording():
    x = _leaf([1.0, 2.0])
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        with no_grad():
            assert not (x * 2).requires_grad
        with enable_grad():
            y = x * 3
            assert y.requires_grad and y.creator is not None
        assert not is_grad_enabled()
        assert not (x + 1).requires_grad
    assert is_grad_enabled()
    F.sum(y).backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()


# -- accumulation and ownership --------------------------------------------------------------
def test_a_leaf_used_twice_accumulates_both_paths():
    x = _leaf([1.0, -2.0, 3.0])
    F.sum(x * x + x).backward()  # d/dx (x^2 + x) = 2x + 1
    np.testing.assert_array_equal(x.grad, [3.0, -3.0, 7.0])


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = _leaf([1.0, 2.0])
    F.sum(x * 2).backward()
    F.sum(x * 3).backward()
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])
    x.zero_grad()
    assert x.grad is None
    F.sum(x * 4).backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])


@pytest.mark.parametrize("reduce", [F.sum, F.mean], ids=["sum", "mean"])
def test_leaf_gradients_from_broadcasting_reductions_are_writable_and_owned(reduce):
    # Sum/Mean backward broadcast the upstream gradient (a read-only zero-stride view)
    x = _leaf(np.ones((3, 4)))
    reduce(x).backward()
    expected = np.full((3, 4), 1.0 if reduce is F.sum else 1 / 12)
    np.testing.assert_array_equal(x.grad, expected)
    assert x.grad.flags.writeable and x.grad.flags.owndata
    x.grad *= 0.5
    np.testing.assert_array_equal(x.grad, expected * 0.5)


def test_two_leaves_of_one_add_get_arrays_of_their_own():
    # Add hands the same upstream gradient to both of its inputs
    a, b = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    F.sum(a + b).backward()
    assert a.grad is not b.grad
    a.grad *= 10
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [10.0, 10.0])


def test_the_callers_seed_gradient_is_never_written_to():
    x = _leaf([1.0, 2.0])
    seed = np.array([0.5, 0.25])
    (x + 0).backward(seed)  # identity paths hand the seed itself down
    x.grad *= 4
    F.sum(x * 1).backward()  # accumulates in place into x.grad
    np.testing.assert_array_equal(seed, [0.5, 0.25])
    np.testing.assert_array_equal(x.grad, [3.0, 2.0])


def test_a_leaf_gradient_is_kept_in_its_storage_when_it_has_one():
    v = Variable(np.zeros(3))
    storage = get_ops().xp.zeros(3)
    v.grad_storage = storage
    F.sum(v * np.array([1.0, 2.0, 3.0])).backward()
    assert v.grad is storage
    np.testing.assert_array_equal(storage, [1.0, 2.0, 3.0])
    F.sum(v * 2).backward()
    np.testing.assert_array_equal(storage, [3.0, 4.0, 5.0])


def test_gradient_buffer_is_refused_when_a_tensor_feeds_two_inputs():
    v = Variable(np.ones((2, 2)))
    v.grad_storage = get_ops().xp.zeros((2, 2))
    x = Tensor(np.ones((3, 2)))
    F.sum(F.dense(x, v)).backward()  # kernel gradient written straight into the storage
    assert v.grad is v.grad_storage
    np.testing.assert_array_equal(v.grad, np.full((2, 2), 3.0))

    class TwoInputs(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, g):
            assert self.gradient_buffer(0) is None and self.gradient_buffer(1) is None
            return g * self.inputs[1].data, g * self.inputs[0].data

    Function.all_functions.remove(TwoInputs)
    v.zero_grad()
    F.sum(TwoInputs()(v, v)).backward()
    np.testing.assert_array_equal(v.grad, np.full((2, 2), 2.0))


# -- freed graphs, seeds and gradient shapes -------------------------------------------------
def test_a_second_backward_through_the_same_output_says_the_graph_was_freed():
    x = _leaf([1.0, 2.0])
    y = F.sum(x * x)
    y.backward()
    with pytest.raises(RuntimeError, match="graph was already freed by an earlier backward"):
        y.backward()


def test_a_second_backward_through_a_shared_freed_subgraph_says_so():
    x = _leaf([1.0, 2.0])
    shared = F.exp(x)
    a, b = F.sum(shared * 2), F.sum(shared * 3)
    a.backward()
    with pytest.raises(RuntimeError, match="graph was already freed by an earlier backward"):
        b.backward()


def test_backward_of_a_non_scalar_output_needs_a_gradient_of_its_shape():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * x
    with pytest.raises(ValueError, match=r"shape \(2, 2\); pass grad="):
        y.backward()
    with pytest.raises(ValueError, match=r"grad has shape \(2,\), but the output has shape "
                       r"\(2, 2\)"):
        y.backward(np.ones(2))
    y.backward(np.array([[1.0, 0.0], [0.5, 2.0]]))
    np.testing.assert_array_equal(x.grad, [[2.0, 0.0], [3.0, 16.0]])


def test_backward_of_a_tensor_that_records_nothing_is_an_error():
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        (Tensor([1.0]) * 2).backward()


def test_a_function_returning_a_wrong_shaped_gradient_is_caught():
    class Broadcasting(Function):
        def forward(self, x):
            return x * 2

        def backward(self, g):
            return (g.sum(axis=0),)  # forgot to keep the input's shape

    Function.all_functions.remove(Broadcasting)
    x = _leaf(np.ones((3, 2)))
    with pytest.raises(RuntimeError, match=r"Broadcasting.backward returned a gradient of "
                       r"shape \(2,\) for its input 0 of shape \(3, 2\)"):
        F.sum(Broadcasting()(x)).backward()


def test_backward_records_no_graph_and_restores_the_mode():
    seen = []

    class Spy(Function):
        def forward(self, x):
            return x * 1

        def backward(self, g):
            seen.append(is_grad_enabled())
            return (g,)

    Function.all_functions.remove(Spy)
    F.sum(Spy()(_leaf([1.0]))).backward()
    assert seen == [False] and is_grad_enabled()


# -- .grad after an optimizer step ---------------------------------------------------------
def test_grad_after_an_optimizer_step_still_holds_the_gradient():
    w = Variable(np.array([1.0, -1.0], dtype=np.float32))
    opt = SGD(learning_rate=0.1)
    for _ in range(2):
        w.zero_grad()
        F.sum(w * w).backward()
        opt.apply([w.grad], [w])
    # the second step's gradient 2w, taken at w = (0.8, -0.8): the optimizer leaves it intact
    np.testing.assert_allclose(w.grad, [1.6, -1.6], rtol=1e-6)
    np.testing.assert_allclose(w.numpy(), [0.64, -0.64], rtol=1e-6)
