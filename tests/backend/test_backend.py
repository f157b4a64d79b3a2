"""Backend choice: ``set_backend`` checks its argument and what CuPy needs before switching."""

import pytest

import neurona
from neurona.backend import cupy_available


@pytest.mark.skipif(cupy_available(), reason="checks the error of a machine without CuPy or a "
                    "CUDA GPU")
def test_set_backend_cupy_without_it_says_what_is_missing_and_leaves_the_backend_in_place():
    previous = neurona.backend.backend()
    # no CuPy: "needs CuPy, which does not import here (...); install the wheel for your CUDA
    # version (e.g. pip install cupy-cuda12x) or use the numpy backend"; CuPy without a GPU:
    # "needs a CUDA GPU ...; use the numpy backend on this machine"
    with pytest.raises(RuntimeError, match=r"the cupy backend needs (CuPy|a CUDA GPU).*use the "
                       r"numpy backend"):
        neurona.set_backend("cupy")
    assert neurona.backend.backend() == previous
    assert not cupy_available()


def test_set_backend_rejects_an_unknown_name():
    previous = neurona.backend.backend()
    with pytest.raises(ValueError, match=r"unknown backend 'jax'; use one of \('numpy', 'cupy', 'strict'\)"):
        neurona.set_backend("jax")
    assert neurona.backend.backend() == previous


def test_get_value_is_a_copy_that_a_later_set_value_leaves_alone():
    # the book's learning-rate finder records get_value(lr) per batch, then sets a new rate
    import neurona as keras

    optimizer = keras.optimizers.SGD(0.01)
    seen = keras.backend.get_value(optimizer.learning_rate)
    keras.backend.set_value(optimizer.learning_rate, 0.5)
    assert float(seen) == pytest.approx(0.01)
    assert float(keras.backend.get_value(optimizer.learning_rate)) == pytest.approx(0.5)
