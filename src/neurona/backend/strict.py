"""A test backend that runs on the CPU with an array type of its own, to catch host/device
mixing without a GPU.

On CuPy, an operation that mixes a device array with a NumPy array raises, and so does an
implicit conversion of a device array to NumPy; on NumPy both silently work. The ``strict``
backend (``set_backend("strict")``) makes the CPU behave like the GPU in this respect: its
arrays (:class:`StrictArray`) hold NumPy arrays but refuse

- NumPy arrays as operands of their arithmetic, of ufuncs and of NumPy functions, as indices and
  as values written into them: a host array must be moved with ``ops.asarray`` first;
- implicit conversion to NumPy (``np.asarray(x)``) from the library's own code: results go back
  to the host only through ``ops.to_numpy`` (tests and users may convert freely, as ``cupy``
  arrays can be read with ``.get()``).

Python and NumPy scalars mix freely, as on CuPy. It is a test tool, slower than NumPy, never a
backend to train with.
"""

import sys

import numpy as np

from .ops import Ops


class MixingError(TypeError):
    """A NumPy (host) array met a strict (device) array."""


def _refuse_host(value, where):
    raise MixingError(
        f"strict backend: a NumPy array of shape {value.shape} was mixed with device arrays in "
        f"{where}; on a GPU this fails. Move it to the backend first (ops.asarray(x)) or keep "
        "it a Python/NumPy scalar")


def _unwrap(value, where):
    """The NumPy arrays inside ``value`` (nested in tuples, lists and dicts), refusing plain
    NumPy arrays."""
    if type(value) is StrictArray:
        return value._array
    if isinstance(value, np.ndarray):
        _refuse_host(value, where)
    if isinstance(value, (tuple, list)):
        return type(value)(_unwrap(v, where) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v, where) for k, v in value.items()}
    return value


def _wrap(value):
    """NumPy arrays in ``value`` (and in tuples/lists of it) as strict arrays; NumPy scalars
    (full reductions) as 0-d ones, as CuPy returns them."""
    if type(value) is np.ndarray:
        return StrictArray(value)
    if isinstance(value, np.generic):
        return StrictArray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _call(fn, where, args, kwargs):
    """``fn(*args, **kwargs)`` on the NumPy arrays inside, the result wrapped; an ``out=``
    array comes back as the very strict array that was passed."""
    out = kwargs.get("out")
    result = fn(*_unwrap(args, where), **_unwrap(kwargs, where))
    if out is not None:
        outs = out if isinstance(out, tuple) else (out,)
        for strict in outs:
            if type(strict) is StrictArray and result is strict._array:
                return strict
    return _wrap(result)


def _caller_is_library():
    """True when the code converting a strict array to NumPy is the library's own (the first
    frame outside NumPy and this module belongs to ``neurona``)."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not (module.startswith("numpy") or module == __name__):
            return module.startswith("neurona.")
        frame = frame.f_back
    return False


class StrictArray:
    """A NumPy array behind a wall: see the module docstring."""

    __slots__ = ("_array",)
    __array_priority__ = 2000  # ndarray + StrictArray -> StrictArray.__radd__
    __hash__ = None

    def __init__(self, array):
        self._array = array

    # -- the NumPy protocols -----------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        if _caller_is_library():
            raise MixingError("strict backend: implicit conversion of a device array to NumPy "
                              "in library code; use ops.to_numpy(x) (on a GPU np.asarray "
                              "fails)")
        return self._array if dtype is None else self._array.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _call(getattr(ufunc, method), f"numpy.{ufunc.__name__}", inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _call(func, f"numpy.{func.__name__}", args, kwargs)

    # -- the ndarray surface -----------------------------------------------------------------
    def __getattr__(self, name):
        if name.startswith("__"):  # __array_interface__ & co. would let NumPy read us directly
            raise AttributeError(name)
        value = getattr(self._array, name)
        if callable(value):
            return lambda *args, **kwargs: _call(value, f"ndarray.{name}", args, kwargs)
        return _wrap(value)

    def __getitem__(self, index):
        return _wrap(self._array[_unwrap(index, "indexing")])

    def __setitem__(self, index, value):
        self._array[_unwrap(index, "indexing")] = _unwrap(value, "an assignment")

    def __len__(self):
        return len(self._array)

    def __iter__(self):
        return (_wrap(row) for row in self._array)

    def __bool__(self):
        return bool(self._array)

    def __float__(self):
        return float(self._array)

    def __int__(self):
        return int(self._array)

    def __index__(self):
        return self._array.__index__()

    def __repr__(self):
        return f"StrictArray({self._array!r})"

    def __copy__(self):
        return StrictArray(self._array.copy())

    def __deepcopy__(self, memo):
        return StrictArray(self._array.copy())

    def __reduce__(self):
        return StrictArray, (self._array,)


#: operands an array operator handles itself; anything else (a Tensor) gets its turn
_OPERANDS = (StrictArray, np.ndarray, np.generic, int, float, complex, bool)


def _operator(ufunc, reflected=False, inplace=False):
    if inplace:
        def method(self, other):
            if not isinstance(other, _OPERANDS):
                return NotImplemented
            ufunc(self, other, out=(self,))
            return self
    elif reflected:
        def method(self, other):
            return ufunc(other, self) if isinstance(other, _OPERANDS) else NotImplemented
    else:
        def method(self, other):
            return ufunc(self, other) if isinstance(other, _OPERANDS) else NotImplemented
    return method


for _name, _ufunc in (("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                      ("truediv", np.true_divide), ("floordiv", np.floor_divide),
                      ("mod", np.remainder), ("pow", np.power), ("matmul", np.matmul),
                      ("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor),
                      ("lshift", np.left_shift), ("rshift", np.right_shift)):
    setattr(StrictArray, f"__{_name}__", _operator(_ufunc))
    setattr(StrictArray, f"__r{_name}__", _operator(_ufunc, reflected=True))
    setattr(StrictArray, f"__i{_name}__", _operator(_ufunc, inplace=True))
for _name, _ufunc in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                      ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)):
    setattr(StrictArray, f"__{_name}__", _operator(_ufunc))
for _name, _ufunc in (("neg", np.negative), ("pos", np.positive), ("abs", np.absolute),
                      ("invert", np.invert)):
    setattr(StrictArray, f"__{_name}__", lambda self, _u=_ufunc: _u(self))


class _Namespace:
    """NumPy (or one of its submodules) whose functions take and return strict arrays."""

    def __init__(self, module, path):
        self._module, self._path = module, path

    def __getattr__(self, name):
        value = getattr(self._module, name)
        where = f"{self._path}.{name}"
        if name == "ndarray":
            return StrictArray
        if isinstance(value, np.ufunc):
            return _UFunc(value, where)
        if isinstance(value, type(np)):  # a submodule: linalg, fft, ...
            return _Namespace(value, where)
        if callable(value) and not isinstance(value, type):
            return lambda *args, **kwargs: _call(value, where, args, kwargs)
        return value  # dtypes, constants (float32, inf, newaxis)

    def asarray(self, x, dtype=None, **kwargs):
        """The explicit host -> device move: NumPy arrays are welcome (and copied, as a move
        to a device would)."""
        if type(x) is StrictArray:
            return x if dtype is None or x.dtype == dtype else x.astype(dtype)
        return StrictArray(np.array(_unwrap_host(x), dtype=dtype, **kwargs))

    array = asarray

    def asnumpy(self, x):
        return np.array(x._array) if type(x) is StrictArray else np.asarray(x)


def _unwrap_host(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap_host(v) for v in x)
    return x._array if type(x) is StrictArray else x


class _UFunc:
    """A ufunc whose calls and methods (reduce, at, outer, accumulate) take strict arrays."""

    def __init__(self, ufunc, where):
        self._ufunc, self._where = ufunc, where

    def __call__(self, *args, **kwargs):
        return _call(self._ufunc, self._where, args, kwargs)

    def __getattr__(self, name):
        value = getattr(self._ufunc, name)
        if callable(value):
            return lambda *args, **kwargs: _call(value, f"{self._where}.{name}", args, kwargs)
        return value


class StrictOps(Ops):
    """:class:`Ops` on :class:`StrictArray`: the generic kernels, run through the wall."""

    name = "strict"
    array_type = StrictArray

    def __init__(self):
        super().__init__()
        self.xp = _Namespace(np, "xp")

    def asarray(self, x, dtype=None):
        return self.xp.asarray(x, dtype=dtype)

    def to_numpy(self, x):
        return self.xp.asnumpy(x)

    def is_array(self, x):
        return type(x) is StrictArray

    def uniform(self, rng, shape, dtype=np.float32):
        return StrictArray(super().uniform(rng, shape, dtype))

    def normal(self, rng, shape, dtype=np.float32):
        return StrictArray(super().normal(rng, shape, dtype))
