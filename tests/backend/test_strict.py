"""The strict test backend behaves like CuPy where NumPy is lenient: host arrays do not mix with
its arrays, and the library may not convert them to NumPy implicitly."""

import numpy as np
import pytest

import neurona.functions as F
from neurona import Tensor
from neurona.backend import set_backend
from neurona.backend.strict import MixingError, StrictArray


@pytest.fixture
def strict():
    return set_backend("strict")


def test_host_arrays_do_not_mix_with_device_arrays(strict):
    x = strict.asarray(np.ones(3))
    host = np.ones(3)
    for mixed in (lambda: x + host, lambda: host * x, lambda: strict.xp.maximum(x, host),
                  lambda: strict.xp.concatenate([x, host]), lambda: x[np.array([0, 1])],
                  lambda: x.__setitem__(slice(None), host), lambda: x.dot(host)):
        with pytest.raises(MixingError, match="a NumPy array of shape .* was mixed with device "
                           "arrays .* Move it to the backend first"):
            mixed()


def test_scalars_and_explicit_moves_are_welcome(strict):
    x = strict.asarray(np.arange(3.0))  # the explicit host -> device move copies
    y = 2 * x + np.float32(1) - 0.5
    assert type(y) is StrictArray
    np.testing.assert_array_equal(strict.to_numpy(y), [0.5, 2.5, 4.5])
    total = x.sum()  # full reductions are 0-d device arrays, as on CuPy
    assert type(total) is StrictArray and total.shape == () and float(total) == 3.0


def test_out_arrays_come_back_as_the_very_array_passed(strict):
    xp = strict.xp
    a, out = strict.asarray(np.ones((2, 2))), xp.empty((2, 2))
    assert xp.matmul(a, a, out=out) is out
    out *= 0.5
    np.testing.assert_array_equal(strict.to_numpy(out), np.ones((2, 2)))


def test_the_library_may_not_convert_device_arrays_to_numpy_implicitly(strict):
    from neurona.backend import strict as strict_module

    x = strict.asarray(np.ones(2))
    np.testing.assert_array_equal(np.asarray(x), [1.0, 1.0])  # a user (this test) may
    library_code = compile("import numpy; numpy.asarray(x)", "neurona_code", "exec")
    with pytest.raises(MixingError, match="implicit conversion of a device array to NumPy"):
        exec(library_code, {"__name__": "neurona.somewhere", "x": x})
    assert strict_module.StrictOps.array_type is StrictArray


def test_tensors_move_user_arrays_to_the_backend_at_the_boundary(strict):
    t = Tensor(np.ones((2, 2)), requires_grad=True)
    assert type(t.data) is StrictArray
    out = F.sum(t * np.array([1.0, 2.0]))  # a NumPy constant meets a device tensor
    out.backward()
    np.testing.assert_array_equal(t.grad.numpy() if hasattr(t.grad, "numpy") else
                                  strict.to_numpy(t.grad), [[1.0, 2.0], [1.0, 2.0]])
